"""What the generator wrote, recorded as it wrote it: the ground truth tests compare against.

Amounts are accumulated as integers (1e-10 of the currency) and written as decimal strings;
nothing here is ever re-read from the files or summed as floats. The JSON schema is documented
in ``README.md`` next to this module.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._units import fmt
from .company import PRODUCT_OF_TEAM

PRODUCT_OF_TEAM_INVERSE = {product: team for team, product in PRODUCT_OF_TEAM.items()}

SCHEMA_VERSION = 2

_DECIMAL_KEYS = frozenset(
    {
        "cost_total",
        "billed_cost",
        "amount",
        "upfront",
        "recurring_fee",
        "extra_cost",
        "used",
        "unused",
        "utilization",
        "untagged",
        "total",
        "share",
        "on_demand_per_day",
        "amortized_per_day",
        "cost",
        "spend",
    }
)


@dataclass
class Partition:
    """One (provider, billing account, billing period, currency) slice of a data file."""

    provider: str | None
    billing_account_id: str | None
    billing_period: str
    currency: str | None
    rows: int
    cost_total: int | None
    superseded: bool = False
    """True when a newer delivery holds this partition (only multi-partition files vary it)."""


@dataclass
class FileRecord:
    """One data file (one part of a delivery)."""

    path: str
    format: str
    billing_account_id: str | None
    """The file's only billing account; None when it holds several partitions."""
    billing_period: str | None
    """The file's only billing period; None when it holds several partitions."""
    rows: int
    cost_total: int | None
    """None for a format without a cost column (commitment inventories)."""
    currency: str | None
    superseded: bool
    """This file's data is replaced by a newer delivery (every partition of it is)."""
    delivered_at: str
    bytes: int = 0
    sha256: str = ""
    delivery: str = ""
    """Id shared by the parts of one delivery (assemblyId, executionId, runId) or the path."""
    partitions: list[Partition] = field(default_factory=list)

    @property
    def delivered_s(self) -> int:
        """Delivery time as epoch seconds (the file's modification time)."""
        return int(
            _dt.datetime.strptime(self.delivered_at, "%Y-%m-%dT%H:%M:%SZ")
            .replace(tzinfo=_dt.UTC)
            .timestamp()
        )


@dataclass
class DeliveryRecord:
    """A delivery: the parts a provider delivers together (one data file or several)."""

    delivery: str
    format: str
    manifest: str | None
    """Path (relative to the output folder) of the manifest listing the parts, or None."""
    parts: list[str]
    delivered_at: str
    superseded: bool
    dataset: str | None = None
    """Azure cost details: ``actual`` or ``amortized``; None for every other format."""
    dataset_hint: str | None = None
    """Azure: where ingestion can tell the dataset from (``manifest`` or ``content``)."""


PROVIDER_OF_FORMAT = {
    "aws_cur": "AWS",
    "aws_cur2": "AWS",
    "azure_actual": "Microsoft",
    "azure_amortized": "Microsoft",
    "azure_reservations": "Microsoft",
    "gcp_billing": "Google Cloud",
    "gcp_commitments": "Google Cloud",
}
"""Provider of the formats that carry a single provider (FOCUS and invoices name theirs)."""


@dataclass
class InvoiceRecord:
    invoice_id: str
    invoice_issuer: str
    provider: str
    billing_account_id: str
    billing_period: str
    currency: str
    amount: int
    issue_date: str
    source_format: str
    kind: str
    invoice_format: str = "invoices"
    """Format key of the invoice file that delivers it (generic CSV or FOCUS InvoiceDetail)."""


@dataclass
class CommitmentRecord:
    id: str
    provider: str
    format: str
    billing_account_id: str
    type: str
    category: str
    term: str
    start: str
    end: str
    payment_option: str
    upfront: int
    recurring_fee: int
    recurring_fee_period: str
    currency: str
    scope: str
    description: str
    utilization: dict[str, tuple[int, int]] = field(default_factory=dict)
    """billing period -> (used, unused) in the commitment's currency, scale 1e-10."""


@dataclass
class InventoryRecord:
    """A commitment as the provider's inventory lists it in the last snapshot written."""

    id: str
    provider: str
    format: str
    billing_account_id: str
    status: str
    start: str
    end: str
    term: str
    auto_renew: bool
    billed: bool
    """True when the billing exports carry it (it is then in ``commitments`` too)."""


@dataclass
class ExpiringCommitmentRecord:
    """A commitment that ends after the last generated day, within the three months a forecast
    looks ahead: from ``end`` its covered usage is billed at on-demand rates."""

    id: str
    provider: str
    billing_account_id: str
    sub_account_id: str
    """The usage account of the covered resource."""
    resource_id: str
    team: str
    end: str
    """When the term ends (UTC); the demo's RI ends at midnight, so its covered usage is
    on-demand for the whole end day."""
    on_demand_per_day: int
    """A full day of the covered usage at the on-demand rate."""
    amortized_per_day: int
    """A full day of the covered usage as billed now: amortized upfront plus recurring fee."""
    currency: str


@dataclass
class BudgetPeriodRecord:
    """A budget the generator can compute, in one period the window touches: its amount and
    the first day (UTC charge day) its spend to date reaches each actual threshold."""

    budget_id: str
    period_start: str
    amount: int
    currency: str
    spend: int
    """Σ cost of the period's generated days."""
    thresholds: dict[str, str | None]
    """threshold percent -> first day the spend to date reaches it, None when it never does."""
    breached_on: str | None
    """First day the spend to date reaches the amount (the mart's ``breached``), or None."""


@dataclass
class SpikeRecord:
    """An injected change of usage on one resource: its kind, where, from when and how much."""

    kind: str
    """spike (one day), step (a lasting level change) or drift (a slow ramp)."""
    provider: str
    format: str
    billing_account_id: str
    billing_period: str
    resource_id: str
    date: str
    extra_cost: int
    currency: str
    team: str
    description: str


@dataclass
class GroundTruth:
    """The record of one ``generate`` run (amounts as int units of 1e-10)."""

    seed: int
    months: int
    start: str
    rows_requested: int | None
    billing_periods: list[str]
    files: list[FileRecord] = field(default_factory=list)
    deliveries: list[DeliveryRecord] = field(default_factory=list)
    totals: dict[tuple[str, str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    invoices: list[InvoiceRecord] = field(default_factory=list)
    voided_invoices: list[InvoiceRecord] = field(default_factory=list)
    """Invoices delivered with status Voided: no financial obligation, never in ``invoices``."""
    commitments: list[CommitmentRecord] = field(default_factory=list)
    inventory: list[InventoryRecord] = field(default_factory=list)
    expiring_commitments: list[ExpiringCommitmentRecord] = field(default_factory=list)
    daily_costs: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    """(billing account, currency, YYYY-MM-DD) -> Σ cost of the charges starting that day, for
    the accounts budgets are sized on (billed = amortized there)."""
    budget_periods: list[BudgetPeriodRecord] = field(default_factory=list)
    spikes: list[SpikeRecord] = field(default_factory=list)
    level_changes: list[SpikeRecord] = field(default_factory=list)
    """Steps and drifts: one record per billing month the extra usage falls in."""
    resource_owners: dict[str, str] = field(default_factory=dict)
    business_metrics: dict[tuple[str, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    """(product, metric, YYYY-MM) -> [days reported, Σ value] (value scale 1e-10)."""
    untagged: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """format -> [untagged list cost, total list cost] of usage rows (USD, scale 1e-10)."""

    @property
    def rows_written(self) -> int:
        return sum(f.rows for f in self.files)

    def add_usage_cost(self, fmt_key: str, untagged: int, total: int) -> None:
        acc = self.untagged[fmt_key]
        acc[0] += untagged
        acc[1] += total

    def finish(self) -> None:
        """Give every file its partitions and delivery, and every one-file delivery its record.

        Writers of multi-part files, of multi-partition files and of formats whose provider
        the format key does not say (FOCUS, invoices) set partitions themselves; any other
        file is one delivery of one partition, described by its own fields.
        """
        recorded = {d.delivery for d in self.deliveries}
        for f in self.files:
            if not f.delivery:
                f.delivery = f.path
            if not f.partitions and f.billing_period is not None:
                f.partitions.append(
                    Partition(
                        provider=PROVIDER_OF_FORMAT.get(f.format),
                        billing_account_id=f.billing_account_id,
                        billing_period=f.billing_period,
                        currency=f.currency,
                        rows=f.rows,
                        cost_total=f.cost_total,
                        superseded=f.superseded,
                    )
                )
            if f.delivery not in recorded:
                recorded.add(f.delivery)
                self.deliveries.append(
                    DeliveryRecord(
                        delivery=f.delivery,
                        format=f.format,
                        manifest=None,
                        parts=[f.path],
                        delivered_at=f.delivered_at,
                        superseded=f.superseded,
                    )
                )

    def to_dict(self) -> dict[str, Any]:
        def share(u: int, t: int) -> str:
            return str((Decimal(u) / Decimal(t)).quantize(Decimal("0.000001"))) if t else "0"

        overall_u = sum(v[0] for v in self.untagged.values())
        overall_t = sum(v[1] for v in self.untagged.values())
        return {
            "schema_version": SCHEMA_VERSION,
            "seed": self.seed,
            "months": self.months,
            "start": self.start,
            "billing_periods": self.billing_periods,
            "rows_requested": self.rows_requested,
            "rows_written": self.rows_written,
            "files": [
                {
                    **asdict(f),
                    "cost_total": _money(f.cost_total),
                    "partitions": [
                        {**asdict(p), "cost_total": _money(p.cost_total)} for p in f.partitions
                    ],
                }
                for f in self.files
            ],
            "deliveries": [asdict(d) for d in self.deliveries],
            "totals": [
                {
                    "format": k[0],
                    "billing_account_id": k[1],
                    "billing_period": k[2],
                    "currency": k[3],
                    "billed_cost": fmt(v),
                }
                for k, v in sorted(self.totals.items())
            ],
            "invoices": [{**asdict(i), "amount": fmt(i.amount)} for i in self.invoices],
            "voided_invoices": [
                {**asdict(i), "amount": fmt(i.amount)} for i in self.voided_invoices
            ],
            "commitments": [
                {
                    **{k: v for k, v in asdict(c).items() if k != "utilization"},
                    "upfront": fmt(c.upfront),
                    "recurring_fee": fmt(c.recurring_fee),
                    "utilization": {
                        period: {
                            "used": fmt(used),
                            "unused": fmt(unused),
                            "utilization": share(used, used + unused),
                        }
                        for period, (used, unused) in sorted(c.utilization.items())
                    },
                }
                for c in self.commitments
            ],
            "commitment_inventory": [asdict(i) for i in self.inventory],
            "expiring_commitments": [
                {
                    **asdict(e),
                    "on_demand_per_day": fmt(e.on_demand_per_day),
                    "amortized_per_day": fmt(e.amortized_per_day),
                }
                for e in self.expiring_commitments
            ],
            "daily_costs": [
                {"billing_account_id": a, "currency": c, "date": d, "cost": fmt(v)}
                for (a, c, d), v in sorted(self.daily_costs.items())
            ],
            "budget_periods": [
                {**asdict(b), "amount": fmt(b.amount), "spend": fmt(b.spend)}
                for b in self.budget_periods
            ],
            "spikes": [{**asdict(s), "extra_cost": fmt(s.extra_cost)} for s in self.spikes],
            "level_changes": [
                {**asdict(s), "extra_cost": fmt(s.extra_cost)} for s in self.level_changes
            ],
            "resource_owners": dict(sorted(self.resource_owners.items())),
            "product_owners": dict(sorted(PRODUCT_OF_TEAM_INVERSE.items())),
            "business_metrics": [
                {
                    "product": product,
                    "metric": metric,
                    "billing_period": period,
                    "days": days,
                    "total": fmt(total),
                }
                for (product, metric, period), (days, total) in sorted(
                    self.business_metrics.items()
                )
            ],
            "untagged_share": {
                "definition": (
                    "list (on-demand) cost of usage rows whose resource has no team tag in any "
                    "spelling, divided by the list cost of all usage rows; USD; final deliveries"
                ),
                "share": share(overall_u, overall_t),
                "untagged": fmt(overall_u),
                "total": fmt(overall_t),
                "by_format": {
                    k: {"share": share(u, t), "untagged": fmt(u), "total": fmt(t)}
                    for k, (u, t) in sorted(self.untagged.items())
                },
            },
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def _money(units: int | None) -> str | None:
    return None if units is None else fmt(units)


def _decimals(obj: Any, key: str | None = None) -> Any:
    if isinstance(obj, dict):
        return {k: _decimals(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decimals(v, key) for v in obj]
    if isinstance(obj, str) and key in _DECIMAL_KEYS:
        return Decimal(obj)
    return obj


def load_ground_truth(path: str | Path) -> dict[str, Any]:
    """Read ``ground_truth.json`` with every amount, share and utilization as ``Decimal``."""
    return _decimals(json.loads(Path(path).read_text(encoding="utf-8")))
