"""A FOCUS 1.2 Cost and Usage file from a SaaS vendor: Skylight, a (fictional) observability
platform that bills per workspace.

One CSV per billing period with all 57 FOCUS 1.2 columns (the FOCUS 1.2 specification) in
the spec's order, ISO 8601 UTC timestamps with exclusive ends, JSON Tags, and the 1.2
enumerations. Usage is billed at negotiated prices (ContractedCost < ListCost); a monthly
platform subscription is a recurring Purchase; sales tax and a service credit have their own
rows. Σ BilledCost per InvoiceId is the vendor's invoice.

Skylight sends its invoices as FOCUS 1.4 InvoiceDetail files (one per billing period, next to
the Cost and Usage files): one line per service, SKU and charge category of the invoice with
non-zero BilledCost, exact like the rows it sums. The first month's invoice was issued without
the purchase order number, voided, and reissued with it under the id the Cost and Usage rows
carry; the file holds both, the voided one with status ``Voided``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ._textio import TextFile, csv_cell, csv_escape, join_pieces, set_mtime, sha256_of
from ._units import digits, fmt, fmt_array, stable_int, units, words
from .company import FOCUS_TAGS, SKYLIGHT_ACCOUNT, TEAMS, make_tags, pick_untagged
from .grid import Schedule, count_active, daily_factor, slots
from .grid import cells as grid_cells
from .periods import Month, iso

COLUMNS = words(
    "AvailabilityZone BilledCost BillingAccountId BillingAccountName BillingAccountType "
    "BillingCurrency BillingPeriodEnd BillingPeriodStart CapacityReservationId "
    "CapacityReservationStatus ChargeCategory ChargeClass ChargeDescription ChargeFrequency "
    "ChargePeriodEnd ChargePeriodStart CommitmentDiscountCategory CommitmentDiscountId "
    "CommitmentDiscountName CommitmentDiscountQuantity CommitmentDiscountStatus "
    "CommitmentDiscountType CommitmentDiscountUnit ConsumedQuantity ConsumedUnit ContractedCost "
    "ContractedUnitPrice EffectiveCost InvoiceId InvoiceIssuerName ListCost ListUnitPrice "
    "PricingCategory PricingCurrency PricingCurrencyContractedUnitPrice "
    "PricingCurrencyEffectiveCost PricingCurrencyListUnitPrice PricingQuantity PricingUnit "
    "ProviderName PublisherName RegionId RegionName ResourceId ResourceName ResourceType "
    "ServiceCategory ServiceName ServiceSubcategory SkuId SkuMeter SkuPriceDetails SkuPriceId "
    "SubAccountId SubAccountName SubAccountType Tags"
)
PROVIDER = "Skylight"
INVOICE_ISSUER = "Skylight Telemetry, Inc."
ACCOUNT = SKYLIGHT_ACCOUNT
TS = "%Y-%m-%dT%H:%M:%SZ"
CHUNK_ROWS = 150_000
PURCHASE_ORDER = "PO-KC-2026-0142"
INVOICE_DETAIL_COLUMNS = words(
    "BilledCost BillingAccountId BillingCurrency ChargeCategory BillingPeriodEnd "
    "BillingPeriodStart InvoiceDetailCreated InvoiceDetailDescription InvoiceDetailGrain "
    "InvoiceDetailId InvoiceDetailLastUpdated InvoiceId InvoiceIssueDate InvoiceIssueStatus "
    "InvoiceIssuerName PaymentDueDate PaymentTerms PurchaseOrderNumber ReferenceInvoiceId"
)
"""FOCUS 1.4 InvoiceDetail columns in the spec's order; no PaymentCurrency* columns, since
Skylight bills and is paid in USD only."""


@dataclass(frozen=True)
class Product:
    service: str
    sku: str
    meter: str
    unit: str
    list_price: str
    contracted_price: str
    resource_type: str
    qty: str
    noise: float = 0.2
    weekly: float = 0.5


PRODUCTS = (
    Product(
        "Log Management",
        "SKY-LOG-INGEST",
        "Log Ingestion",
        "GB",
        "0.1000",
        "0.0800",
        "Log Index",
        "85",
    ),
    Product(
        "APM",
        "SKY-APM-HOST",
        "APM Host Hours",
        "Hours",
        "0.0430",
        "0.0350",
        "APM Service",
        "96",
        noise=0.05,
        weekly=0.2,
    ),
    Product(
        "Infrastructure Monitoring",
        "SKY-INFRA-HOST",
        "Infrastructure Host Hours",
        "Hours",
        "0.0200",
        "0.0170",
        "Host Group",
        "288",
        noise=0.05,
        weekly=0.1,
    ),
    Product(
        "Synthetic Monitoring",
        "SKY-SYN-RUN",
        "Synthetic Test Runs",
        "Runs",
        "0.0012",
        "0.0010",
        "Synthetic Test Suite",
        "14400",
        noise=0.02,
        weekly=0.0,
    ),
)


@dataclass
class Stream:
    workspace: str
    team: str
    env: str
    product: Product
    scale: str = "1"
    tags: dict[str, str] = field(default_factory=dict)
    tagged: bool = True

    @property
    def resource_id(self) -> str:
        slug = self.product.resource_type.lower().replace(" ", "-")
        return f"skylight://workspaces/{self.workspace}/{slug}"


def streams(seed: int, fleet: int) -> list[Stream]:
    out = []
    for team in (*TEAMS, "platform"):
        ws = f"ws-{team}"
        for p in PRODUCTS:
            if team == "platform" and p.service == "APM":
                continue
            out.append(Stream(ws, team, "prod", p))
    for i in range(fleet):
        h = stable_int(seed, "focus-fleet", i)
        team = TEAMS[h % len(TEAMS)]
        p = PRODUCTS[(h >> 8) % 3]
        out.append(
            Stream(
                f"ws-{team}-{['staging', 'dev'][(h >> 12) % 2]}-{i}",
                team,
                ["staging", "dev"][(h >> 12) % 2],
                p,
                "0.25",
            )
        )
    return out


def finalize(items: list[Stream], seed: int, expected: np.ndarray) -> None:
    eligible = np.array([s.team != "platform" for s in items])
    untagged = pick_untagged(expected, eligible, stable_int(seed, "focus", "untag"))
    for s, u in zip(items, untagged, strict=True):
        s.tagged = not u
        s.tags = make_tags(FOCUS_TAGS, seed, s.resource_id, s.team, s.env, s.tagged)


@dataclass
class FocusStats:
    rows: int = 0
    billed: int = 0
    list_cost: np.ndarray | None = None
    billed_by_stream: np.ndarray | None = None
    specials: list[dict[str, Any]] = field(default_factory=list)
    spikes: list[tuple[int, int]] = field(default_factory=list)
    daily: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    """Charge day (epoch hour of its start) -> Σ BilledCost (= EffectiveCost), scale 1e-10."""


class FocusEngine:
    def __init__(self, items: list[Stream], months: list[Month], seed: int) -> None:
        self.items = items
        self.months = months
        self.seed = seed
        self.n = len(items)
        self._key = stable_int(seed, "focus", "qty")
        lo, hi = months[0].start_h - 24, months[-1].end_h + 24
        self.sched = Schedule.build([(lo, hi, -1, -1, False)] * self.n)

        def col(values: list[str]) -> pa.Array:
            return csv_escape(pa.array(values, pa.string()))

        self.cols = {
            "ChargeDescription": col(
                [f"{s.product.meter} ({s.product.unit}) for {s.workspace}" for s in items]
            ),
            "ConsumedUnit": col([s.product.unit for s in items]),
            "PricingUnit": col([s.product.unit for s in items]),
            "ContractedUnitPrice": col([s.product.contracted_price for s in items]),
            "ListUnitPrice": col([s.product.list_price for s in items]),
            "ResourceId": col([s.resource_id for s in items]),
            "ResourceName": col([f"{s.workspace} {s.product.service}" for s in items]),
            "ResourceType": col([s.product.resource_type for s in items]),
            "ServiceName": col([s.product.service for s in items]),
            "SkuId": col([s.product.sku for s in items]),
            "SkuMeter": col([s.product.meter for s in items]),
            "SkuPriceId": col([f"{s.product.sku}-ENT-2026" for s in items]),
            "SubAccountId": col([s.workspace for s in items]),
            "SubAccountName": col([f"{s.workspace} ({s.env})" for s in items]),
            "Tags": col([json.dumps(s.tags, separators=(",", ":")) for s in items]),
        }
        self.list4 = np.array([units(s.product.list_price, 4) for s in items], np.int64)
        self.con4 = np.array([units(s.product.contracted_price, 4) for s in items], np.int64)
        self.qty3 = np.array(
            [units(s.product.qty, 3) * units(s.scale, 2) // 100 for s in items], np.int64
        )
        self.noise = np.array([s.product.noise for s in items])
        self.weekly = np.array([s.product.weekly for s in items])
        logs = next(
            i
            for i, s in enumerate(items)
            if s.workspace == "ws-search" and s.product.service == "Log Management"
        )
        spike_month = min(1, len(months) - 1)
        self.spike = (
            logs,
            spike_month,
            5,
            units("2400", 3),
            "verbose request logging shipped to production by a search release",
        )

    def active_counts(self, month: Month) -> np.ndarray:
        return count_active(
            np.arange(self.n), slots(month.start_h, month.end_h, True), self.sched, True, self.n
        )

    def expected_rows(self, month: Month, counts: np.ndarray) -> int:
        return int(counts.sum()) + 3

    def expected_list_cost(self, counts: list[np.ndarray]) -> np.ndarray:
        return (np.sum(counts, axis=0) * self.qty3 * self.list4).astype(float)

    def invoice_id(self, month: Month) -> str:
        return f"SKY-INV-{month.yyyymm}-{digits(6, self.seed, 'sky', month.label)}"

    def voided_invoice_id(self, month: Month) -> str | None:
        """The invoice issued first and voided (first month only), or None."""
        if month.index:
            return None
        return f"SKY-INV-{month.yyyymm}-{digits(6, self.seed, 'sky-voided', month.label)}"

    def issued_at(self, month: Month) -> int:
        """When the valid invoice was issued: the 1st, or the 3rd when it replaced a void."""
        return month.next_at(3 if self.voided_invoice_id(month) else 1)

    def _const(self, month: Month) -> dict[str, str]:
        return {
            "AvailabilityZone": "",
            "BillingAccountId": ACCOUNT,
            "BillingAccountName": "Kestrel Commerce",
            "BillingAccountType": "Billing Account",
            "BillingCurrency": "USD",
            "BillingPeriodEnd": iso(month.end_s),
            "BillingPeriodStart": iso(month.start_s),
            "CapacityReservationId": "",
            "CapacityReservationStatus": "",
            "ChargeClass": "",
            "CommitmentDiscountCategory": "",
            "CommitmentDiscountId": "",
            "CommitmentDiscountName": "",
            "CommitmentDiscountQuantity": "",
            "CommitmentDiscountStatus": "",
            "CommitmentDiscountType": "",
            "CommitmentDiscountUnit": "",
            "InvoiceId": self.invoice_id(month),
            "InvoiceIssuerName": INVOICE_ISSUER,
            "PricingCurrency": "USD",
            "ProviderName": PROVIDER,
            "PublisherName": PROVIDER,
            "ServiceCategory": "Management and Governance",
            "ServiceSubcategory": "Observability",
            "SkuPriceDetails": "",
            "SubAccountType": "Workspace",
        }

    def month_text(self, month: Month, st: FocusStats) -> Any:
        st.list_cost = np.zeros(self.n, np.int64)
        st.billed_by_stream = np.zeros(self.n, np.int64)
        for r, s in grid_cells(
            np.arange(self.n), slots(month.start_h, month.end_h, True), self.sched, True, CHUNK_ROWS
        ):
            yield self._bulk(month, st, r, s)
        yield self._specials(month, st)

    def _bulk(self, month: Month, st: FocusStats, r: np.ndarray, s: np.ndarray) -> bytes:
        n = len(r)
        qty = self.qty3[r].copy()
        f = daily_factor(self._key, r, s, self.noise[r], self.weekly[r])
        qty = np.maximum(np.round(qty * f), 1).astype(np.int64)
        sr, smonth, sday, extra, _ = self.spike
        if smonth == month.index:
            hit = (r == sr) & (s == month.start_h + 24 * (sday - 1))
            if hit.any():
                qty[hit] += extra
                st.spikes.append((0, extra * int(self.con4[sr])))
        billed = qty * self.con4[r]  # 1e-7
        listed = qty * self.list4[r]
        st.rows += n
        st.billed += int(billed.sum()) * 1000
        np.add.at(st.list_cost, r, listed * 1000)
        np.add.at(st.billed_by_stream, r, billed * 1000)
        day, at_day = np.unique(s, return_inverse=True)
        per_day = np.zeros(len(day), np.int64)
        np.add.at(per_day, at_day, billed * 1000)
        for h, cost in zip(day.tolist(), per_day.tolist(), strict=True):
            st.daily[h] += cost
        ri = pa.array(r)
        start = pa.array([iso(h * 3600, TS) for h in day.tolist()]).take(
            pa.array(np.searchsorted(day, s))
        )
        end = pa.array([iso((h + 24) * 3600, TS) for h in day.tolist()]).take(
            pa.array(np.searchsorted(day, s))
        )
        b = fmt_array(billed, 7)
        cells: dict[str, Any] = {
            **self._const(month),
            **{k: v.take(ri) for k, v in self.cols.items()},
            "BilledCost": b,
            "ContractedCost": b,
            "EffectiveCost": b,
            "PricingCurrencyEffectiveCost": b,
            "ListCost": fmt_array(listed, 7),
            "ChargeCategory": "Usage",
            "ChargeFrequency": "Usage-Based",
            "ChargePeriodStart": start,
            "ChargePeriodEnd": end,
            "ConsumedQuantity": fmt_array(qty, 3),
            "PricingQuantity": fmt_array(qty, 3),
            "PricingCategory": "Standard",
            "PricingCurrencyContractedUnitPrice": self.cols["ContractedUnitPrice"].take(ri),
            "PricingCurrencyListUnitPrice": self.cols["ListUnitPrice"].take(ri),
            "RegionId": "us1",
            "RegionName": "US1 (N. Virginia)",
        }
        return _join(cells, n)

    def _specials(self, month: Month, st: FocusStats) -> bytes:
        const = self._const(month)
        empty = dict.fromkeys(COLUMNS, "")
        period = {"ChargePeriodStart": iso(month.start_s), "ChargePeriodEnd": iso(month.end_s)}
        rows = []
        subscription_list, subscription = units("2500"), units("2000")
        rows.append(
            {
                **empty,
                **const,
                **period,
                "BilledCost": subscription,
                "ContractedCost": subscription,
                "EffectiveCost": subscription,
                "ListCost": subscription_list,
                "ChargeCategory": "Purchase",
                "ChargeFrequency": "Recurring",
                "ChargeDescription": f"Skylight Enterprise platform subscription, {month.label}",
                "PricingCategory": "Standard",
                "PricingQuantity": units(1),
                "PricingUnit": "Months",
                "ListUnitPrice": subscription_list,
                "ContractedUnitPrice": subscription,
                "PricingCurrencyListUnitPrice": subscription_list,
                "PricingCurrencyContractedUnitPrice": subscription,
                "PricingCurrencyEffectiveCost": subscription,
                "ServiceName": "Skylight Platform",
                "SkuId": "SKY-PLATFORM-ENT",
                "SkuMeter": "Platform Subscription",
                "SkuPriceId": "SKY-PLATFORM-ENT-2026",
                "SubAccountId": "ws-platform",
                "SubAccountName": "ws-platform (prod)",
                "Tags": json.dumps({"team": "platform"}),
            }
        )
        if month.index == 1:
            credit = -units("150")
            rows.append(
                {
                    **empty,
                    **const,
                    **period,
                    "BilledCost": credit,
                    "ContractedCost": credit,
                    "EffectiveCost": credit,
                    "ListCost": credit,
                    "PricingCurrencyEffectiveCost": credit,
                    "ChargeCategory": "Credit",
                    "ChargeFrequency": "One-Time",
                    "ChargeDescription": "Service credit: log ingestion outage on "
                    f"{self.months[0].label}-19",
                    "ServiceName": "Log Management",
                    "SubAccountId": "ws-platform",
                    "SubAccountName": "ws-platform (prod)",
                }
            )
        base = st.billed + sum(r["BilledCost"] for r in rows)
        tax = (2 * base * 600 + 10**4 * 10**8) // (2 * 10**4 * 10**8) * 10**8  # 6%, cents
        rows.append(
            {
                **empty,
                **const,
                **period,
                "BilledCost": tax,
                "ContractedCost": tax,
                "EffectiveCost": tax,
                "ListCost": tax,
                "PricingCurrencyEffectiveCost": tax,
                "ChargeCategory": "Tax",
                "ChargeFrequency": "One-Time",
                "ChargeDescription": "Sales tax (6%)",
                "ServiceName": "Skylight Platform",
                "SubAccountId": "ws-platform",
                "SubAccountName": "ws-platform (prod)",
            }
        )
        money = {
            "BilledCost",
            "ContractedCost",
            "EffectiveCost",
            "ListCost",
            "PricingQuantity",
            "ListUnitPrice",
            "ContractedUnitPrice",
            "PricingCurrencyListUnitPrice",
            "PricingCurrencyContractedUnitPrice",
            "PricingCurrencyEffectiveCost",
        }
        st.specials = rows
        lines = []
        for row in rows:
            st.rows += 1
            st.billed += row["BilledCost"]
            st.daily[month.start_h] += row["BilledCost"]
            lines.append(
                ",".join(
                    fmt(row[c]) if c in money and row[c] != "" else csv_cell(row[c])
                    for c in COLUMNS
                )
            )
        return ("\n".join(lines) + "\n").encode()


def invoice_lines(eng: FocusEngine, st: FocusStats) -> list[tuple[str, dict[str, str], str, int]]:
    """The lines of a month's invoice: (ChargeCategory, InvoiceDetailGrain, description,
    BilledCost) per service, SKU and charge category, non-zero BilledCost only."""
    usage: dict[Product, int] = {}
    for s, billed in zip(eng.items, st.billed_by_stream.tolist(), strict=True):
        usage[s.product] = usage.get(s.product, 0) + billed
    lines = [
        ("Usage", {"ServiceName": p.service, "SkuId": p.sku}, f"{p.meter} ({p.unit})", usage[p])
        for p in PRODUCTS
        if usage.get(p)
    ]
    for row in st.specials:
        grain = {"ServiceName": row["ServiceName"]}
        if row["SkuId"]:
            grain["SkuId"] = row["SkuId"]
        lines.append((row["ChargeCategory"], grain, row["ChargeDescription"], row["BilledCost"]))
    return [line for line in lines if line[3]]


def invoice_detail_text(eng: FocusEngine, month: Month, st: FocusStats) -> tuple[str, int]:
    """The month's InvoiceDetail CSV and its line count: the voided invoice (if any), then the
    valid one; ReferenceInvoiceId is the invoice's own id, as neither adjusts another."""
    lines = invoice_lines(eng, st)
    voided = eng.voided_invoice_id(month)
    issued = eng.issued_at(month)
    invoices = [(eng.invoice_id(month), "Issued", issued, issued, PURCHASE_ORDER)]
    if voided:
        invoices.insert(0, (voided, "Voided", month.next_at(1), issued, ""))
    out = [",".join(INVOICE_DETAIL_COLUMNS)]
    for invoice_id, status, issued_s, updated_s, po in invoices:
        for n, (category, grain, description, billed) in enumerate(lines, 1):
            row = {
                "BilledCost": fmt(billed),
                "BillingAccountId": ACCOUNT,
                "BillingCurrency": "USD",
                "ChargeCategory": category,
                "BillingPeriodEnd": iso(month.end_s),
                "BillingPeriodStart": iso(month.start_s),
                "InvoiceDetailCreated": iso(issued_s),
                "InvoiceDetailDescription": description,
                "InvoiceDetailGrain": json.dumps(grain, separators=(",", ":")),
                "InvoiceDetailId": f"{invoice_id}-{n:03d}",
                "InvoiceDetailLastUpdated": iso(updated_s),
                "InvoiceId": invoice_id,
                "InvoiceIssueDate": iso(issued_s),
                "InvoiceIssueStatus": status,
                "InvoiceIssuerName": INVOICE_ISSUER,
                "PaymentDueDate": iso(issued_s + 30 * 86400),
                "PaymentTerms": "Net 30",
                "PurchaseOrderNumber": po,
                "ReferenceInvoiceId": invoice_id,
            }
            out.append(",".join(csv_cell(row[c]) for c in INVOICE_DETAIL_COLUMNS))
    return "\n".join(out) + "\n", len(lines) * len(invoices)


def _join(cells: dict[str, Any], n: int) -> bytes:
    pieces: list[pa.Array | str] = []
    for i, name in enumerate(COLUMNS):
        v = cells[name]
        pieces.append(csv_cell(v) if isinstance(v, str) else v)
        pieces.append("\n" if i == len(COLUMNS) - 1 else ",")
    return join_pieces(pieces, n)


def generate(root: Path, eng: FocusEngine, gt: Any, progress: Any) -> None:
    from .ground_truth import FileRecord, InvoiceRecord, Partition, SpikeRecord

    def record(path: Path, fmt_key: str, month: Month, mtime: int, rows: int, total: int) -> None:
        gt.files.append(
            FileRecord(
                path=path.relative_to(root.parent).as_posix(),
                format=fmt_key,
                billing_account_id=ACCOUNT,
                billing_period=month.label,
                rows=rows,
                cost_total=total,
                currency="USD",
                superseded=False,
                delivered_at=iso(mtime),
                bytes=path.stat().st_size,
                sha256=sha256_of(path),
                partitions=[Partition(PROVIDER, ACCOUNT, month.label, "USD", rows, total)],
            )
        )

    def invoice(
        invoice_id: str, month: Month, amount: int, issued_s: int, kind: str
    ) -> InvoiceRecord:
        return InvoiceRecord(
            invoice_id=invoice_id,
            invoice_issuer=INVOICE_ISSUER,
            provider=PROVIDER,
            billing_account_id=ACCOUNT,
            billing_period=month.label,
            currency="USD",
            amount=amount,
            issue_date=iso(issued_s, "%Y-%m-%d"),
            source_format="focus",
            kind=kind,
            invoice_format="focus_invoice_detail",
        )

    for month in eng.months:
        path = (
            root
            / "focus"
            / "skylight"
            / ACCOUNT
            / month.label
            / f"skylight-focus-1.2-{month.label}.csv"
        )
        f = TextFile(path)
        f.write((",".join(COLUMNS) + "\n").encode())
        st = FocusStats()
        for chunk in eng.month_text(month, st):
            f.write(chunk)
        f.close()
        mtime = month.next_at(4, 12)
        set_mtime(path, mtime)
        record(path, "focus", month, mtime, st.rows, st.billed)
        gt.totals[("focus", ACCOUNT, month.label, "USD")] += st.billed
        for h, cost in sorted(st.daily.items()):
            gt.daily_costs[(ACCOUNT, "USD", iso(h * 3600, "%Y-%m-%d"))] += cost

        # The invoice documents, delivered with the other invoices on the 10th.
        detail = (
            root
            / "focus"
            / "skylight"
            / ACCOUNT
            / "invoice_detail"
            / f"skylight-invoice-detail-1.4-{month.label}.csv"
        )
        detail.parent.mkdir(parents=True, exist_ok=True)
        text, lines = invoice_detail_text(eng, month, st)
        detail.write_text(text, encoding="utf-8")
        mtime = month.next_at(10, 6)
        set_mtime(detail, mtime)
        # The manifest's cost total leaves Voided lines out (finops_warehouse/ingest/formats/).
        record(detail, "focus_invoice_detail", month, mtime, lines, st.billed)
        gt.invoices.append(
            invoice(eng.invoice_id(month), month, st.billed, eng.issued_at(month), "monthly")
        )
        voided = eng.voided_invoice_id(month)
        if voided:
            gt.voided_invoices.append(invoice(voided, month, st.billed, month.next_at(1), "voided"))
        for _, extra in st.spikes:
            sr, _, sday, _, desc = eng.spike
            s = eng.items[sr]
            gt.spikes.append(
                SpikeRecord(
                    kind="spike",
                    provider=PROVIDER,
                    format="focus",
                    billing_account_id=ACCOUNT,
                    billing_period=month.label,
                    resource_id=s.resource_id,
                    date=f"{month.label}-{sday:02d}",
                    extra_cost=extra * 1000,
                    currency="USD",
                    team=s.team,
                    description=desc,
                )
            )
        tagged = np.array([s.tagged for s in eng.items])
        gt.add_usage_cost("focus", int(st.list_cost[~tagged].sum()), int(st.list_cost.sum()))
        for i, s in enumerate(eng.items):
            if st.list_cost[i]:
                gt.resource_owners[s.resource_id] = s.team
        if progress:
            progress(f"focus {month.label}: {st.rows:,} rows")
