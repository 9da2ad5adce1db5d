"""The AWS line-item engine shared by the legacy CUR and the CUR 2.0 writers.

It turns a :class:`~.aws_catalog.Payer` into batches of canonical line items (legacy CSV
column names, amounts as int64 units of 1e-10 USD, times as epoch seconds). Bulk usage rows
are vectorised over the usage grid; the few monthly rows (RI and SP fees, tax, support,
credits, refunds) are written by hand after the month's usage is known, because they depend
on it.

Semantics (AWS CUR user guide, line item columns):

- ``Usage`` rows: UnblendedCost = usage x on-demand rate.
- ``DiscountedUsage`` (RI): UnblendedCost 0, ``reservation/EffectiveCost`` = amortized upfront +
  recurring fee for that usage; the month's ``RIFee`` row carries the recurring fee and the
  unused part.
- ``SavingsPlanCoveredUsage``: UnblendedCost = on-demand equivalent, cancelled by hourly
  ``SavingsPlanNegation`` rows grouped per (hour, SP, account, usage type, operation, AZ);
  ``SavingsPlanRecurringFee`` rows per hour carry TotalCommitmentToDate and UsedCommitment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._units import NULL, digits, hexid, stable_int, units
from .aws_catalog import REGION_NAMES, Payer
from .grid import Schedule, count_active, daily_factor, injected_qty, slots
from .grid import cells as grid_cells
from .periods import HOUR, Month, hour_text, iso, month_range

INVOICING_ENTITY = "Amazon Web Services, Inc."
LINE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")
CHUNK_ROWS = 250_000
"""Rows built at once (about 0.4 GB of Arrow text for the ~100 legacy CUR columns)."""
TAG_ACTIVATED_FROM = {"user:cost-center": 1}
"""Tag keys activated as cost allocation tags only from that month index on (schema drift)."""
COST_CATEGORY = "BusinessUnit"

# Canonical columns (legacy CSV names) and their kind: S text, N amount (int 1e-10),
# T time (epoch seconds), P product attribute (from the product table).
LEGACY_STATIC: tuple[tuple[str, str], ...] = (
    ("identity/LineItemId", "S"),
    ("identity/TimeInterval", "S"),
    ("bill/InvoiceId", "S"),
    ("bill/InvoicingEntity", "S"),
    ("bill/BillingEntity", "S"),
    ("bill/BillType", "S"),
    ("bill/PayerAccountId", "S"),
    ("bill/BillingPeriodStartDate", "T"),
    ("bill/BillingPeriodEndDate", "T"),
    ("lineItem/UsageAccountId", "S"),
    ("lineItem/LineItemType", "S"),
    ("lineItem/UsageStartDate", "T"),
    ("lineItem/UsageEndDate", "T"),
    ("lineItem/ProductCode", "S"),
    ("lineItem/UsageType", "S"),
    ("lineItem/Operation", "S"),
    ("lineItem/AvailabilityZone", "S"),
    ("lineItem/ResourceId", "S"),
    ("lineItem/UsageAmount", "N"),
    ("lineItem/NormalizationFactor", "N"),
    ("lineItem/NormalizedUsageAmount", "N"),
    ("lineItem/CurrencyCode", "S"),
    ("lineItem/UnblendedRate", "N"),
    ("lineItem/UnblendedCost", "N"),
    ("lineItem/BlendedRate", "N"),
    ("lineItem/BlendedCost", "N"),
    ("lineItem/LineItemDescription", "S"),
    ("lineItem/TaxType", "S"),
    ("lineItem/LegalEntity", "S"),
    ("product/ProductName", "P"),
    ("product/servicecode", "P"),
    ("product/productFamily", "P"),
    ("product/region", "P"),
    ("product/location", "P"),
    ("product/instanceType", "P"),
    ("product/usagetype", "P"),
    ("product/operation", "P"),
    ("product/sku", "P"),
    ("product/fromLocation", "P"),
    ("product/toLocation", "P"),
    ("pricing/LeaseContractLength", "S"),
    ("pricing/OfferingClass", "S"),
    ("pricing/PurchaseOption", "S"),
    ("pricing/RateCode", "S"),
    ("pricing/RateId", "S"),
    ("pricing/currency", "S"),
    ("pricing/publicOnDemandCost", "N"),
    ("pricing/publicOnDemandRate", "N"),
    ("pricing/term", "S"),
    ("pricing/unit", "S"),
    ("reservation/AmortizedUpfrontCostForUsage", "N"),
    ("reservation/AmortizedUpfrontFeeForBillingPeriod", "N"),
    ("reservation/AvailabilityZone", "S"),
    ("reservation/EffectiveCost", "N"),
    ("reservation/EndTime", "S"),
    ("reservation/ModificationStatus", "S"),
    ("reservation/NormalizedUnitsPerReservation", "N"),
    ("reservation/NumberOfReservations", "N"),
    ("reservation/RecurringFeeForUsage", "N"),
    ("reservation/ReservationARN", "S"),
    ("reservation/StartTime", "S"),
    ("reservation/SubscriptionId", "S"),
    ("reservation/TotalReservedNormalizedUnits", "N"),
    ("reservation/TotalReservedUnits", "N"),
    ("reservation/UnitsPerReservation", "N"),
    ("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "N"),
    ("reservation/UnusedNormalizedUnitQuantity", "N"),
    ("reservation/UnusedQuantity", "N"),
    ("reservation/UnusedRecurringFee", "N"),
    ("reservation/UpfrontValue", "N"),
    ("savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "N"),
    ("savingsPlan/EndTime", "S"),
    ("savingsPlan/InstanceTypeFamily", "S"),
    ("savingsPlan/OfferingType", "S"),
    ("savingsPlan/PaymentOption", "S"),
    ("savingsPlan/PurchaseTerm", "S"),
    ("savingsPlan/RecurringCommitmentForBillingPeriod", "N"),
    ("savingsPlan/Region", "S"),
    ("savingsPlan/SavingsPlanARN", "S"),
    ("savingsPlan/SavingsPlanEffectiveCost", "N"),
    ("savingsPlan/SavingsPlanRate", "N"),
    ("savingsPlan/StartTime", "S"),
    ("savingsPlan/TotalCommitmentToDate", "N"),
    ("savingsPlan/UsedCommitment", "N"),
)
KIND = dict(LEGACY_STATIC)
PRODUCT_KEYS = {name: name.split("/", 1)[1] for name, kind in LEGACY_STATIC if kind == "P"}


def ref(dictionary: pa.Array, idx: np.ndarray) -> pa.DictionaryArray:
    """Per-row values as indices into a small dictionary (resources, enumerations)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(idx, dtype=np.int32)), dictionary)


def round_cents(num: int, den: int = 1) -> int:
    """num/den (units of 1e-10) rounded half up to whole cents, still in units of 1e-10."""
    cent = 10**8
    return ((2 * num + den * cent) // (2 * den * cent)) * cent


def ri_time(seconds: int) -> str:
    return iso(seconds, "%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Batch:
    """Rows in canonical form. Values: None, a constant (str/int), an int64 array (N/T
    columns), or a pyarrow string/dictionary array (S columns). ``_prod``, ``_tags``, ``_cc``
    index the engine's product, tag-set and cost-category tables; ``_acct_name`` is text."""

    n: int
    cols: dict[str, Any]


@dataclass
class Delivery:
    """One delivery of a month: the final one, or an earlier pre-invoice refresh."""

    pre_invoice: bool = False
    late_credit: bool = False


@dataclass
class Stats:
    """What one delivery's rows add up to (ints, 1e-10 USD)."""

    rows: int = 0
    cost: int = 0
    invoices: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    invoice_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tax_base: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    list_cost: np.ndarray | None = None
    ri_used_qty: np.ndarray | None = None
    ri_used_cost: np.ndarray | None = None
    sp_used: np.ndarray | None = None
    commitments: dict[str, tuple[int, int]] = field(default_factory=dict)
    spikes: list[tuple[int, int]] = field(default_factory=list)
    """(spike index, extra cost) of spikes that fell in this month."""


class AwsEngine:
    """Canonical line items of one payer, month by month."""

    def __init__(self, payer: Payer, months: list[Month], seed: int) -> None:
        self.payer = payer
        self.months = months
        self.seed = seed
        res = payer.resources
        self.n = len(res)
        self._qty_key = stable_int(seed, payer.key, "qty")
        self.accounts = list(payer.accounts)
        self.account_names = {a: n for a, (n, _) in payer.accounts.items()}

        # Lookup tables shared with the writers (fixed after construction).
        self.products: list[dict[str, str]] = []
        self._product_ids: dict[tuple, int] = {}
        self.tagsets: list[dict[str, str]] = [{}]
        self.cost_categories: list[dict[str, str]] = [{}]
        self._cc_of_account = {}
        for a in self.accounts:
            self._cc_of_account[a] = len(self.cost_categories)
            self.cost_categories.append({COST_CATEGORY: payer.business_unit(a)})

        def product_id(d: dict[str, str]) -> int:
            key = tuple(sorted(d.items()))
            if key not in self._product_ids:
                self._product_ids[key] = len(self.products)
                self.products.append(d)
            return self._product_ids[key]

        prod_ids, tag_ids = [], []
        tag_index: dict[tuple, int] = {(): 0}
        for x in res:
            s = x.sku
            prod_ids.append(
                product_id(
                    {
                        "ProductName": s.product_name,
                        "servicecode": "" if x.marketplace else s.product_code,
                        "productFamily": s.family,
                        "region": s.region,
                        "location": REGION_NAMES[s.region],
                        "instanceType": s.instance_type,
                        "usagetype": s.usage_type,
                        "operation": s.operation,
                        "sku": hexid(16, s.product_code, s.usage_type, s.operation).upper(),
                        "fromLocation": s.from_location,
                        "toLocation": s.to_location,
                    }
                )
            )
            key = tuple(sorted(x.tags.items()))
            if key not in tag_index:
                tag_index[key] = len(self.tagsets)
                self.tagsets.append(dict(key))
            tag_ids.append(tag_index[key])
        self.code_product = {}
        for code, name in {
            **{x.sku.product_code: x.sku.product_name for x in res if not x.marketplace},
            "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
            payer.support_code: "AWS Support (Enterprise)"
            if payer.support_code.endswith("Enterprise")
            else "AWS Support (Business)",
        }.items():
            blank = dict.fromkeys(PRODUCT_KEYS.values(), "")
            self.code_product[code] = product_id(
                {**blank, "ProductName": name, "servicecode": code}
            )

        def col(values: list) -> pa.Array:
            return pa.array(values, pa.string())

        self.uid = col([x.uid for x in res])
        self.account = col([x.account for x in res])
        self.account_name = col([self.account_names[x.account] for x in res])
        self.product_code = col([x.sku.product_code for x in res])
        self.usage_type = col([x.sku.usage_type for x in res])
        self.operation = col([x.sku.operation for x in res])
        self.az = col([x.az for x in res])
        self.unit = col([x.sku.unit for x in res])
        self.entity = col([x.entity for x in res])
        self.legal = col([x.legal_entity for x in res])
        self.rate_code = col(
            [f"{hexid(16, x.sku.usage_type).upper()}.JRTCKXETXF.6YS6EN2CT7" for x in res]
        )
        self.rate_id = col([digits(10, x.sku.usage_type, "rate") for x in res])
        desc_ri, desc_sp, desc_neg = [], [], []
        for x in res:
            ri = payer.reservations[x.cover[1]] if x.cover and x.cover[0] == "ri" else None
            rate = ri.recurring if ri else "0.0"
            desc_ri.append(
                f"USD {rate} hourly fee per Linux/UNIX (Amazon VPC), {x.sku.instance_type} instance"
            )
            desc_sp.append(
                f"{x.sp_rate or ''} USD per hour for {x.sku.usage_type} covered by "
                "EC2 Instance Savings Plan"
            )
            desc_neg.append(
                f"SavingsPlanNegation used by AccountId : {x.account} and UsageSku : "
                f"{hexid(16, x.sku.product_code, x.sku.usage_type, x.sku.operation).upper()}"
            )
        self.descriptions = col([x.sku.description for x in res] + desc_ri + desc_sp)
        self.desc_neg = col(desc_neg)
        self.prod_id = np.array(prod_ids, dtype=np.int64)
        self.tag_id = np.array(tag_ids, dtype=np.int64)
        self.cc_id = np.array([self._cc_of_account[x.account] for x in res], dtype=np.int64)

        self.rate7 = np.array([x.sku.rate7 for x in res], dtype=np.int64)
        self.qty_milli = np.array([units(x.sku.qty, 3) for x in res], dtype=np.int64)
        self.step_milli = np.array([units(x.sku.step, 3) for x in res], dtype=np.int64)
        self.noise = np.array([x.sku.noise for x in res])
        self.weekly = np.array([x.sku.weekly for x in res])
        self.daily = np.array([x.sku.daily for x in res], dtype=bool)
        self.nf4 = np.array([units(x.sku.nf, 4) if x.sku.nf else -1 for x in res], np.int64)
        self.cover = np.array(
            [0 if not x.cover else (1 if x.cover[0] == "ri" else 2) for x in res], np.int64
        )
        self.cover_idx = np.array([x.cover[1] if x.cover else 0 for x in res], np.int64)
        self.sp_rate7 = np.array([units(x.sp_rate or 0, 7) for x in res], np.int64)
        self.marketplace = np.array([x.marketplace for x in res], dtype=bool)
        self.sched = Schedule.build(
            [(x.start_h, x.end_h, x.down[0], x.down[1], x.office) for x in res]
        )
        ris, sps = payer.reservations, payer.savings_plans
        self.ri_start_h = np.array([r.start_s // HOUR for r in ris] or [0], np.int64)
        self.ri_end_h = np.array([r.end_s // HOUR for r in ris] or [0], np.int64)
        self.ri_amort7 = np.array([units(r.amort, 7) for r in ris] or [0], np.int64)
        self.ri_rec7 = np.array([units(r.recurring, 7) for r in ris] or [0], np.int64)
        self.sp_start_h = np.array([s.start_s // HOUR for s in sps] or [0], np.int64)
        self.sp_end_h = np.array([s.end_s // HOUR for s in sps] or [0], np.int64)
        self.ri_pricing = {
            "pricing/LeaseContractLength": col(["", *[f"{r.term_years}yr" for r in ris]]),
            "pricing/OfferingClass": col(["", *["standard" for _ in ris]]),
            "pricing/PurchaseOption": col(["", *[r.payment for r in ris]]),
            "reservation/ReservationARN": col(["", *[r.arn for r in ris]]),
        }
        self.sp_arn = col(["", *[s.arn for s in sps]])
        # Tax groups: (usage account, product code) of AWS-billed usage.
        tax_keys: dict[tuple[str, str], int] = {}
        self.tax_key = np.array(
            [
                -1
                if x.marketplace
                else tax_keys.setdefault((x.account, x.sku.product_code), len(tax_keys))
                for x in res
            ],
            np.int64,
        )
        self.tax_groups = tax_keys
        # Negation groups: covered usage of one SP, account, usage type, operation and AZ.
        neg: dict[tuple, int] = {}
        self.neg_group = np.array(
            [
                neg.setdefault(
                    (x.cover, x.account, x.sku.usage_type, x.sku.operation, x.az), len(neg)
                )
                if x.cover and x.cover[0] == "sp"
                else -1
                for x in res
            ],
            np.int64,
        )
        self.n_neg = len(neg)
        # Injected changes: extra usage on one resource from a day on (spike, step, drift).
        self.spikes = []
        for sp_ in payer.spikes:
            if sp_.month < len(months):
                day_h = months[sp_.month].start_h + 24 * (sp_.day - 1)
                self.spikes.append((sp_.resource, day_h, units(sp_.extra_qty, 3), sp_.kind))

    # --- planning ----------------------------------------------------------------------

    def active_counts(self, month: Month) -> np.ndarray:
        """Active slots per resource in a month (rows of the bulk grid)."""
        out = np.zeros(self.n, dtype=np.int64)
        for daily in (False, True):
            res = np.flatnonzero(self.daily == daily)
            out += count_active(
                res, slots(month.start_h, month.end_h, daily), self.sched, daily, self.n
            )
        return out

    def expected_rows(self, month: Month, counts: np.ndarray) -> int:
        """Rows of one delivery of a month: bulk cells + negations + fees (an estimate)."""
        rows = int(counts.sum())
        for i, _sp in enumerate(self.payer.savings_plans):
            lo = max(month.start_h, int(self.sp_start_h[i]))
            hi = min(month.end_h, int(self.sp_end_h[i]))
            rows += 2 * max(hi - lo, 0)  # fee rows + (about) one negation group per hour
        return rows + len(self.tax_groups) + len(self.payer.reservations) + 8

    def expected_list_cost(self, counts_by_month: list[np.ndarray]) -> np.ndarray:
        total = np.sum(counts_by_month, axis=0)
        return (total * self.qty_milli * self.rate7).astype(np.float64)

    # --- rows ----------------------------------------------------------------------------

    def invoice_id(self, month: Month, kind: str) -> str:
        return digits(10, self.seed, self.payer.payer_id, month.label, kind)

    def month_batches(self, month: Month, delivery: Delivery, st: Stats) -> Iterator[Batch]:
        """All rows of one delivery of ``month``; fills ``st`` as it goes."""
        st.list_cost = np.zeros(self.n, dtype=np.int64)
        st.ri_used_qty = np.zeros(len(self.payer.reservations), dtype=np.int64)
        st.ri_used_cost = np.zeros(len(self.payer.reservations), dtype=np.int64)
        st.sp_used = np.zeros((len(self.payer.savings_plans), month.hours), dtype=np.int64)
        for daily in (False, True):
            res = np.flatnonzero(self.daily == daily)
            grid = slots(month.start_h, month.end_h, daily)
            for r, s in grid_cells(res, grid, self.sched, daily, CHUNK_ROWS):
                yield from self._usage(month, delivery, st, r, s, daily)
        yield self._specials(month, delivery, st)

    def _base(self, month: Month) -> dict[str, Any]:
        return {
            "bill/InvoicingEntity": INVOICING_ENTITY,
            "bill/BillType": "Anniversary",
            "bill/PayerAccountId": self.payer.payer_id,
            "bill/BillingPeriodStartDate": month.start_s,
            "bill/BillingPeriodEndDate": month.end_s,
            "lineItem/CurrencyCode": "USD",
            "pricing/currency": "USD",
        }

    def _usage(
        self, month: Month, delivery: Delivery, st: Stats, r: np.ndarray, s: np.ndarray, daily: bool
    ) -> Iterator[Batch]:
        n = len(r)
        span = 24 if daily else 1
        qty = self.qty_milli[r].copy()
        if daily:
            f = daily_factor(self._qty_key, r, s, self.noise[r], self.weekly[r])
            step = self.step_milli[r]
            qty = np.maximum(np.round(qty * f / step), 1).astype(np.int64) * step
            for i, (sr, sh, extra, kind) in enumerate(self.spikes):
                added = np.where(r == sr, injected_qty(kind, sh, s, extra), 0)
                if added.any():
                    qty += added
                    st.spikes.append((i, int(added.sum()) * int(self.rate7[sr])))
        # Commitment coverage applies only while the commitment is active.
        kind = self.cover[r]
        ci = self.cover_idx[r]
        ri_i = np.where(kind == 1, ci, 0)
        sp_i = np.where(kind == 2, ci, 0)
        is_ri = (kind == 1) & (s >= self.ri_start_h[ri_i]) & (s < self.ri_end_h[ri_i])
        is_sp = (kind == 2) & (s >= self.sp_start_h[sp_i]) & (s < self.sp_end_h[sp_i])
        kind = np.where(is_ri, 1, np.where(is_sp, 2, 0))
        rate10 = self.rate7[r] * 1000
        od_cost = qty * self.rate7[r]
        unblended = np.where(is_ri, 0, od_cost)
        ri_amort = np.where(is_ri, qty * self.ri_amort7[ri_i], NULL)
        ri_rec = np.where(is_ri, qty * self.ri_rec7[ri_i], NULL)
        ri_eff = np.where(is_ri, ri_amort + ri_rec, NULL)
        sp_eff = np.where(is_sp, qty * self.sp_rate7[r], NULL)
        nf = self.nf4[r]
        qty10 = qty * 10**7
        cols = self._base(month)
        invoice = (
            ["", ""]
            if delivery.pre_invoice
            else [self.invoice_id(month, "anniversary"), self.invoice_id(month, "marketplace")]
        )
        cols.update(
            {
                "identity/TimeInterval": _interval(s, span, month),
                "bill/InvoiceId": ref(pa.array(invoice), self.marketplace[r]),
                "bill/BillingEntity": ref(self.entity, r),
                "lineItem/UsageAccountId": ref(self.account, r),
                "lineItem/LineItemType": ref(pa.array(LINE_TYPES), kind),
                "lineItem/UsageStartDate": s * HOUR,
                "lineItem/UsageEndDate": (s + span) * HOUR,
                "lineItem/ProductCode": ref(self.product_code, r),
                "lineItem/UsageType": ref(self.usage_type, r),
                "lineItem/Operation": ref(self.operation, r),
                "lineItem/AvailabilityZone": ref(self.az, r),
                "lineItem/ResourceId": ref(self.uid, r),
                "lineItem/UsageAmount": qty10,
                "lineItem/NormalizationFactor": np.where(nf >= 0, nf * 10**6, NULL),
                "lineItem/NormalizedUsageAmount": np.where(nf >= 0, qty * nf * 1000, NULL),
                "lineItem/UnblendedRate": np.where(is_ri, 0, rate10),
                "lineItem/UnblendedCost": unblended,
                "lineItem/BlendedRate": np.where(is_ri, 0, rate10),
                "lineItem/BlendedCost": unblended,
                "lineItem/LineItemDescription": ref(self.descriptions, r + kind * self.n),
                "lineItem/LegalEntity": ref(self.legal, r),
                "pricing/RateCode": ref(self.rate_code, r),
                "pricing/RateId": ref(self.rate_id, r),
                "pricing/publicOnDemandCost": od_cost,
                "pricing/publicOnDemandRate": rate10,
                "pricing/term": ref(pa.array(["OnDemand", "Reserved"]), is_ri),
                "pricing/unit": ref(self.unit, r),
                "reservation/AmortizedUpfrontCostForUsage": ri_amort,
                "reservation/EffectiveCost": ri_eff,
                "reservation/RecurringFeeForUsage": ri_rec,
                "savingsPlan/SavingsPlanARN": ref(self.sp_arn, np.where(is_sp, ci + 1, 0)),
                "savingsPlan/SavingsPlanEffectiveCost": sp_eff,
                "savingsPlan/SavingsPlanRate": np.where(is_sp, self.sp_rate7[r] * 1000, NULL),
                "_prod": self.prod_id[r],
                "_tags": self.tag_id[r],
                "_cc": self.cc_id[r],
                "_acct_name": ref(self.account_name, r),
            }
        )
        ri_ref = np.where(is_ri, ci + 1, 0)
        for name, dictionary in self.ri_pricing.items():
            cols[name] = ref(dictionary, ri_ref)
        # Accumulate what the monthly rows and the ground truth need.
        st.rows += n
        st.cost += int(unblended.sum())
        mkt = self.marketplace[r]
        st.invoices["anniversary"] += int(unblended[~mkt].sum())
        st.invoices["marketplace"] += int(unblended[mkt].sum())
        st.invoice_rows["anniversary"] += int((~mkt).sum())
        st.invoice_rows["marketplace"] += int(mkt.sum())
        tk = self.tax_key[r]
        _add_groups(st.tax_base, tk[tk >= 0], unblended[tk >= 0])
        np.add.at(st.list_cost, r, od_cost)
        if is_ri.any():
            np.add.at(st.ri_used_qty, ci[is_ri], qty[is_ri])
            np.add.at(st.ri_used_cost, ci[is_ri], ri_eff[is_ri])
        yield Batch(n, cols)
        if is_sp.any():
            np.add.at(st.sp_used, (ci[is_sp], s[is_sp] - month.start_h), sp_eff[is_sp])
            yield self._negations(
                month, delivery, st, r[is_sp], s[is_sp], qty[is_sp], od_cost[is_sp], ci[is_sp]
            )

    def _negations(
        self,
        month: Month,
        delivery: Delivery,
        st: Stats,
        r: np.ndarray,
        s: np.ndarray,
        qty: np.ndarray,
        cost: np.ndarray,
        sp: np.ndarray,
    ) -> Batch:
        """One negative row per (hour, SP, account, usage type, operation, AZ)."""
        key = (s - s.min()) * self.n_neg + self.neg_group[r]
        uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        g = len(uniq)
        qsum = np.zeros(g, np.int64)
        csum = np.zeros(g, np.int64)
        np.add.at(qsum, inverse, qty)
        np.add.at(csum, inverse, cost)
        rep, hs, spi = r[first], s[first], sp[first]
        cols = self._base(month)
        invoice = "" if delivery.pre_invoice else self.invoice_id(month, "anniversary")
        cols.update(
            {
                "identity/TimeInterval": _interval(hs, 1, month),
                "bill/InvoiceId": invoice,
                "bill/BillingEntity": "AWS",
                "lineItem/UsageAccountId": ref(self.account, rep),
                "lineItem/LineItemType": "SavingsPlanNegation",
                "lineItem/UsageStartDate": hs * HOUR,
                "lineItem/UsageEndDate": (hs + 1) * HOUR,
                "lineItem/ProductCode": ref(self.product_code, rep),
                "lineItem/UsageType": ref(self.usage_type, rep),
                "lineItem/Operation": ref(self.operation, rep),
                "lineItem/AvailabilityZone": ref(self.az, rep),
                "lineItem/UsageAmount": qsum * 10**7,
                "lineItem/UnblendedRate": -self.rate7[rep] * 1000,
                "lineItem/UnblendedCost": -csum,
                "lineItem/BlendedRate": -self.rate7[rep] * 1000,
                "lineItem/BlendedCost": -csum,
                "lineItem/LineItemDescription": ref(self.desc_neg, rep),
                "lineItem/LegalEntity": INVOICING_ENTITY,
                "pricing/term": "OnDemand",
                "pricing/unit": ref(self.unit, rep),
                "savingsPlan/SavingsPlanARN": ref(self.sp_arn, spi + 1),
                "_prod": self.prod_id[rep],
                "_tags": 0,
                "_cc": self.cc_id[rep],
                "_acct_name": ref(self.account_name, rep),
            }
        )
        st.rows += g
        st.cost -= int(csum.sum())
        st.invoices["anniversary"] -= int(csum.sum())
        _add_groups(st.tax_base, self.tax_key[rep], -csum)
        return Batch(g, cols)

    def _specials(self, month: Month, delivery: Delivery, st: Stats) -> Batch:
        """The month's hand-written rows: commitment fees, credits, refunds, support, tax."""
        rows: list[dict[str, Any]] = []
        pay = self.payer
        mgmt = pay.payer_id
        anniversary = "" if delivery.pre_invoice else self.invoice_id(month, "anniversary")
        whole_month = {
            "identity/TimeInterval": f"{iso(month.start_s)}/{iso(month.end_s)}",
            "lineItem/UsageStartDate": month.start_s,
            "lineItem/UsageEndDate": month.end_s,
        }

        def add(
            kind: str, invoice_kind: str, account: str, code: str, cost: int, **cols: Any
        ) -> None:
            row = {
                **whole_month,
                "bill/BillingEntity": "AWS",
                "bill/InvoiceId": anniversary
                if invoice_kind == "anniversary"
                else ("" if delivery.pre_invoice else self.invoice_id(month, invoice_kind)),
                "bill/BillType": {"anniversary": "Anniversary", "purchase": "Purchase"}.get(
                    invoice_kind, "Refund"
                ),
                "lineItem/UsageAccountId": account,
                "lineItem/LineItemType": kind,
                "lineItem/ProductCode": code,
                "lineItem/UnblendedCost": cost,
                "lineItem/BlendedCost": cost,
                "lineItem/LegalEntity": INVOICING_ENTITY,
                "_prod": self.code_product[code],
                "_cc": self._cc_of_account[account],
                "_acct_name": self.account_names[account],
                **cols,
            }
            rows.append(row)
            st.invoices[invoice_kind] += cost
            st.invoice_rows[invoice_kind] += 1
            if invoice_kind == "anniversary" and kind not in ("Credit", "Refund", "Tax"):
                tk = self.tax_groups.setdefault((account, code), len(self.tax_groups))
                st.tax_base[tk] += cost

        # Savings Plan recurring fees, one per hour, and upfront fees in the purchase month.
        for i, sp in enumerate(pay.savings_plans):
            lo = max(month.start_h, sp.start_s // HOUR)
            hi = min(month.end_h, sp.end_s // HOUR)
            sp_cols = {
                "savingsPlan/SavingsPlanARN": sp.arn,
                "savingsPlan/OfferingType": "EC2InstanceSavingsPlans",
                "savingsPlan/PaymentOption": sp.payment,
                "savingsPlan/PurchaseTerm": f"{sp.term_years}yr",
                "savingsPlan/Region": REGION_NAMES[sp.region],
                "savingsPlan/InstanceTypeFamily": sp.family,
                "savingsPlan/StartTime": ri_time(sp.start_s),
                "savingsPlan/EndTime": ri_time(sp.end_s),
            }
            term = f"{sp.term_years}yr{sp.payment.replace(' ', '')}"
            used_total = 0
            for h in range(lo, hi):
                used = int(st.sp_used[i, h - month.start_h])
                used_total += used
                add(
                    "SavingsPlanRecurringFee",
                    "anniversary",
                    mgmt,
                    "ComputeSavingsPlans",
                    sp.recurring10,
                    **{
                        "identity/TimeInterval": f"{iso(h * HOUR)}/{iso((h + 1) * HOUR)}",
                        "lineItem/UsageStartDate": h * HOUR,
                        "lineItem/UsageEndDate": (h + 1) * HOUR,
                        "lineItem/UsageType": f"ComputeSP:{term}",
                        "lineItem/ResourceId": sp.arn,
                        "lineItem/UsageAmount": units(1),
                        "lineItem/UnblendedRate": sp.recurring10,
                        "lineItem/BlendedRate": sp.recurring10,
                        "lineItem/LineItemDescription": f"{sp.term_years} year {sp.payment} "
                        f"EC2 Instance Savings Plan {sp.family} {sp.region}",
                        "savingsPlan/TotalCommitmentToDate": sp.commit10,
                        "savingsPlan/UsedCommitment": used,
                        "savingsPlan/RecurringCommitmentForBillingPeriod": sp.recurring10,
                        "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod": sp.amort10,
                        **sp_cols,
                    },
                )
            if hi > lo:
                st.commitments[sp.key] = (used_total, sp.commit10 * (hi - lo) - used_total)
            if month.start_s <= sp.start_s < month.end_s and sp.upfront:
                add(
                    "SavingsPlanUpfrontFee",
                    "purchase",
                    mgmt,
                    "ComputeSavingsPlans",
                    sp.upfront,
                    **{
                        "identity/TimeInterval": f"{iso(sp.start_s)}/{iso(month.end_s)}",
                        "lineItem/UsageStartDate": sp.start_s,
                        "lineItem/UsageEndDate": sp.start_s + HOUR,
                        "lineItem/UsageType": f"ComputeSP:{term}",
                        "lineItem/ResourceId": sp.arn,
                        "lineItem/UsageAmount": units(1),
                        "lineItem/UnblendedRate": sp.upfront,
                        "lineItem/BlendedRate": sp.upfront,
                        "lineItem/LineItemDescription": f"{sp.term_years} year {sp.payment} "
                        f"EC2 Instance Savings Plan upfront fee",
                        **sp_cols,
                    },
                )
        # Reserved instances: the monthly RIFee row, and the upfront fee when bought.
        for i, ri in enumerate(pay.reservations):
            lo_s = max(month.start_s, ri.start_s)
            hi_s = min(month.end_s, ri.end_s)
            if hi_s <= lo_s:
                continue
            hours = (hi_s - lo_s) // HOUR
            reserved = ri.count * hours
            used = int(st.ri_used_qty[i]) // 1000
            unused = reserved - used
            amort7, rec7 = units(ri.amort, 7), units(ri.recurring, 7)
            nf = units(ri.sku.nf, 4) if ri.sku.nf else 0
            ri_cols = {
                "reservation/ReservationARN": ri.arn,
                "reservation/StartTime": ri_time(ri.start_s),
                "reservation/EndTime": ri_time(ri.end_s),
                "reservation/ModificationStatus": "Original",
                "reservation/SubscriptionId": ri.subscription_id,
                "reservation/NumberOfReservations": units(ri.count),
                "reservation/UpfrontValue": ri.upfront,
                "pricing/LeaseContractLength": f"{ri.term_years}yr",
                "pricing/OfferingClass": "standard",
                "pricing/PurchaseOption": ri.payment,
                "pricing/term": "Reserved",
                "pricing/unit": "Hrs",
            }
            recurring = rec7 * 1000 * reserved
            add(
                "RIFee",
                "anniversary",
                mgmt,
                "AmazonEC2",
                recurring,
                **{
                    "identity/TimeInterval": f"{iso(lo_s)}/{iso(hi_s)}",
                    "lineItem/UsageStartDate": lo_s,
                    "lineItem/UsageEndDate": hi_s,
                    "lineItem/UsageType": f"HeavyUsage:{ri.sku.instance_type}",
                    "lineItem/Operation": "RunInstances",
                    "lineItem/UsageAmount": units(reserved),
                    "lineItem/NormalizationFactor": nf * 10**6 if nf else NULL,
                    "lineItem/NormalizedUsageAmount": reserved * nf * 10**6 if nf else NULL,
                    "lineItem/UnblendedRate": rec7 * 1000,
                    "lineItem/BlendedRate": rec7 * 1000,
                    "lineItem/LineItemDescription": f"USD {ri.recurring} hourly fee per "
                    f"Linux/UNIX (Amazon VPC), {ri.sku.instance_type} reserved instance applied",
                    "reservation/AmortizedUpfrontFeeForBillingPeriod": amort7 * 1000 * reserved,
                    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": amort7 * 1000 * unused,
                    "reservation/UnusedRecurringFee": rec7 * 1000 * unused,
                    "reservation/UnusedQuantity": units(unused),
                    "reservation/UnusedNormalizedUnitQuantity": unused * nf * 10**6,
                    "reservation/UnitsPerReservation": units(hours),
                    "reservation/TotalReservedUnits": units(reserved),
                    "reservation/NormalizedUnitsPerReservation": hours * nf * 10**6,
                    "reservation/TotalReservedNormalizedUnits": reserved * nf * 10**6,
                    **ri_cols,
                },
            )
            st.commitments[ri.key] = (int(st.ri_used_cost[i]), (amort7 + rec7) * 1000 * unused)
            if month.start_s <= ri.start_s < month.end_s and ri.upfront:
                add(
                    "Fee",
                    "purchase",
                    mgmt,
                    "AmazonEC2",
                    ri.upfront,
                    **{
                        "identity/TimeInterval": f"{iso(ri.start_s)}/{iso(month.end_s)}",
                        "lineItem/UsageStartDate": ri.start_s,
                        "lineItem/UsageEndDate": ri.start_s + HOUR,
                        "lineItem/UsageType": f"HeavyUsage:{ri.sku.instance_type}",
                        "lineItem/Operation": "RunInstances",
                        "lineItem/UsageAmount": units(ri.count),
                        "lineItem/UnblendedRate": ri.upfront // ri.count,
                        "lineItem/BlendedRate": ri.upfront // ri.count,
                        "lineItem/LineItemDescription": f"Sign up charge for subscription: "
                        f"{ri.subscription_id}, planId: {digits(7, ri.arn)}",
                        **ri_cols,
                    },
                )
        # Credits and refunds (negative), on their own invoices where AWS issues a memo.
        if pay.key == "legacy" and month.index == 1:
            account = next(a for a, (_, t) in pay.accounts.items() if t == "payments")
            add(
                "Credit",
                "anniversary",
                account,
                "AmazonEC2",
                -units("250"),
                **{
                    "lineItem/LineItemDescription": "AWS Credit - migration acceleration program",
                    "lineItem/UsageType": "USE1-Credit",
                },
            )
            account = next(a for a, (_, t) in pay.accounts.items() if t == "search")
            prior = self.months[0].label
            add(
                "Refund",
                "refund",
                account,
                "AmazonES",
                -units("180"),
                **{
                    "lineItem/LineItemDescription": f"Refund for Amazon OpenSearch Service "
                    f"overcharge in {prior}",
                    "identity/TimeInterval": f"{iso(month.day_at(15))}/{iso(month.day_at(16))}",
                    "lineItem/UsageStartDate": month.day_at(15),
                    "lineItem/UsageEndDate": month.day_at(16),
                },
            )
        if delivery.late_credit:
            account = next(a for a, (_, t) in pay.accounts.items() if t == "platform" and a != mgmt)
            add(
                "Credit",
                "sla",
                account,
                "AmazonEC2",
                -units("75"),
                **{
                    "lineItem/LineItemDescription": f"SLA credit: EC2 availability in "
                    f"{month.label} below commitment"
                },
            )
        # Support is reflected a few days after month end; tax last, on everything else.
        if not delivery.pre_invoice:
            base = sum(st.tax_base.values())
            pct = units(pay.support_pct, 4)
            add(
                "Fee",
                "anniversary",
                mgmt,
                pay.support_code,
                round_cents(base * pct, 10**4),
                **{
                    "lineItem/UsageType": "Dollar",
                    "lineItem/LineItemDescription": f"AWS Support ({pay.support_code[10:]}) "
                    f"{pay.support_pct} of monthly AWS usage",
                    "lineItem/UsageAmount": units(1),
                },
            )
        rate = units(pay.tax_rate, 4)
        for (account, code), tk in sorted(self.tax_groups.items()):
            base = st.tax_base.get(tk, 0)
            if base <= 0:
                continue
            add(
                "Tax",
                "anniversary",
                account,
                code,
                round_cents(base * rate, 10**4),
                **{
                    "lineItem/TaxType": "USSalesTax",
                    "lineItem/UsageAmount": units(1),
                    "lineItem/LineItemDescription": f"Tax for product code {code}",
                },
            )
        batch = rows_to_batch(rows, self._base(month))
        st.rows += batch.n
        st.cost += sum(r["lineItem/UnblendedCost"] for r in rows)
        return batch


def _add_groups(acc: dict[int, int], keys: np.ndarray, values: np.ndarray) -> None:
    if len(keys) == 0:
        return
    uniq, inverse = np.unique(keys, return_inverse=True)
    sums = np.zeros(len(uniq), np.int64)
    np.add.at(sums, inverse, values)
    for k, v in zip(uniq.tolist(), sums.tolist(), strict=True):
        acc[k] += v


def _interval(s: np.ndarray, span: int, month: Month) -> pa.Array:
    lo, hi = month.start_h - 24, month.end_h + 24
    start = hour_text(s, "%Y-%m-%dT%H:%M:%SZ", lo, hi)
    end = hour_text(s + span, "%Y-%m-%dT%H:%M:%SZ", lo, hi)
    return pc.binary_join_element_wise(start, end, "/")


def rows_to_batch(rows: list[dict[str, Any]], constants: dict[str, Any]) -> Batch:
    """Hand-written rows (dicts of canonical columns) -> one columnar batch."""
    n = len(rows)
    cols: dict[str, Any] = dict(constants)
    names = {k for row in rows for k in row}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in ("_prod", "_tags", "_cc"):
            cols[name] = np.array([v or 0 for v in values], dtype=np.int64)
        elif name == "_acct_name" or KIND.get(name) == "S":
            cols[name] = pa.array(values, pa.string())
        else:
            cols[name] = np.array([NULL if v is None else v for v in values], dtype=np.int64)
    return Batch(n, cols)


# --- ground truth -----------------------------------------------------------------------------


def commitment_records(engine: AwsEngine, fmt_key: str) -> list:
    """The payer's RIs and SPs as ground-truth commitments (utilization filled per month)."""
    from .ground_truth import CommitmentRecord

    out = []
    payer = engine.payer
    for ri in payer.reservations:
        out.append(
            CommitmentRecord(
                id=ri.arn,
                provider="AWS",
                format=fmt_key,
                billing_account_id=payer.payer_id,
                type="Reserved Instance",
                category="Usage",
                term=f"P{ri.term_years}Y",
                start=iso(ri.start_s),
                end=iso(ri.end_s),
                payment_option=ri.payment,
                upfront=ri.upfront,
                recurring_fee=units(ri.recurring) * ri.count,
                recurring_fee_period="hour",
                currency="USD",
                scope=f"regional, {ri.sku.region}, shared across the organization",
                description=f"{ri.count} x {ri.sku.instance_type} Linux, standard",
            )
        )
    for sp in payer.savings_plans:
        out.append(
            CommitmentRecord(
                id=sp.arn,
                provider="AWS",
                format=fmt_key,
                billing_account_id=payer.payer_id,
                type="Savings Plan",
                category="Spend",
                term=f"P{sp.term_years}Y",
                start=iso(sp.start_s),
                end=iso(sp.end_s),
                payment_option=sp.payment,
                upfront=sp.upfront,
                recurring_fee=sp.recurring10,
                recurring_fee_period="hour",
                currency="USD",
                scope=f"EC2 instance family {sp.family} in {sp.region}",
                description=f"EC2 Instance Savings Plan, {sp.commitment} USD/hour commitment",
            )
        )
    return out


def expiring_commitments(engine: AwsEngine) -> list:
    """The payer's RIs that end after the last generated day and before the fourth month after
    it, with what a day of their covered usage costs now and on demand. Covered instances run
    every hour at quantity 1, so a day is 24 hours of each, up to the RI's count; the first
    one names the resource, account and team."""
    from .ground_truth import ExpiringCommitmentRecord

    last = engine.months[-1]
    horizon_s = month_range(last.label, 5)[-1].start_s
    out = []
    for i, ri in enumerate(engine.payer.reservations):
        if not last.end_s <= ri.end_s < horizon_s:
            continue
        covered = [x for x in engine.payer.resources if x.cover == ("ri", i)][: ri.count]
        x = covered[0]
        out.append(
            ExpiringCommitmentRecord(
                id=ri.arn,
                provider="AWS",
                billing_account_id=engine.payer.payer_id,
                sub_account_id=x.account,
                resource_id=x.uid,
                team=x.team,
                end=iso(ri.end_s),
                on_demand_per_day=sum(24 * units(c.sku.rate) for c in covered),
                amortized_per_day=24 * len(covered) * (units(ri.amort) + units(ri.recurring)),
                currency="USD",
            )
        )
    return out


def record_final(
    engine: AwsEngine, month: Month, st: Stats, gt: Any, fmt_key: str, commitments: dict[str, Any]
) -> None:
    """Add a final delivery's totals, invoices, utilization, spikes and tag spend."""
    from .ground_truth import InvoiceRecord, SpikeRecord

    payer = engine.payer
    gt.totals[(fmt_key, payer.payer_id, month.label, "USD")] += st.cost
    purchases = [
        c.start_s
        for c in (*payer.reservations, *payer.savings_plans)
        if month.start_s <= c.start_s < month.end_s and c.upfront
    ]
    issue = {
        "anniversary": month.next_at(2),
        "marketplace": month.next_at(2),
        "purchase": min(purchases, default=month.start_s),
        "refund": month.day_at(15),
        "sla": month.next_at(7),
    }
    for kind in sorted(st.invoice_rows):
        if st.invoice_rows[kind] == 0:
            continue
        gt.invoices.append(
            InvoiceRecord(
                invoice_id=engine.invoice_id(month, kind),
                invoice_issuer=INVOICING_ENTITY,
                provider="AWS",
                billing_account_id=payer.payer_id,
                billing_period=month.label,
                currency="USD",
                amount=st.invoices[kind],
                issue_date=iso(issue[kind], "%Y-%m-%d"),
                source_format=fmt_key,
                kind=kind,
            )
        )
    by_key = {
        **{r.key: r.arn for r in payer.reservations},
        **{s.key: s.arn for s in payer.savings_plans},
    }
    for key, used_unused in st.commitments.items():
        commitments[by_key[key]].utilization[month.label] = used_unused
    extra_of: dict[int, int] = defaultdict(int)
    for i, extra in st.spikes:
        extra_of[i] += extra
    for i, extra in sorted(extra_of.items()):
        sp = payer.spikes[i]
        x = payer.resources[sp.resource]
        (gt.spikes if sp.kind == "spike" else gt.level_changes).append(
            SpikeRecord(
                kind=sp.kind,
                provider="AWS",
                format=fmt_key,
                billing_account_id=payer.payer_id,
                billing_period=month.label,
                resource_id=x.uid,
                date=f"{engine.months[sp.month].label}-{sp.day:02d}",
                extra_cost=extra,
                currency="USD",
                team=x.team,
                description=sp.description,
            )
        )
    tagged = np.array([x.tagged for x in payer.resources])
    gt.add_usage_cost(fmt_key, int(st.list_cost[~tagged].sum()), int(st.list_cost.sum()))
    for x, cost in zip(payer.resources, st.list_cost.tolist(), strict=True):
        if cost or x.uid in gt.resource_owners:
            gt.resource_owners[x.uid] = x.team


# --- multi-part deliveries ----------------------------------------------------------------


def slice_batch(batch: Batch, lo: int, hi: int) -> Batch:
    """Rows ``lo .. hi`` of a batch (constants stay constants)."""
    cols = {}
    for name, v in batch.cols.items():
        if isinstance(v, np.ndarray) and v.ndim == 1 and len(v) == batch.n:
            cols[name] = v[lo:hi]
        elif isinstance(v, pa.Array) and len(v) == batch.n:
            cols[name] = v.slice(lo, hi - lo)
        else:
            cols[name] = v
    return Batch(hi - lo, cols)


def batch_cost(batch: Batch) -> int:
    """Σ lineItem/UnblendedCost of a batch (1e-10 USD), as the part's manifest total."""
    v = batch.cols.get("lineItem/UnblendedCost")
    if v is None:
        return 0
    if isinstance(v, int | np.integer):
        return int(v) * batch.n
    return int(np.asarray(v, dtype=np.int64).sum())


class PartRouter:
    """Splits one delivery's batches over ``len(writers)`` part files by row count.

    Every part but the last takes ``target`` rows (the delivery's expected rows divided by
    the part count), the last one the rest, so the parts are consecutive runs of the rows a
    one-file delivery would hold. Each writer's ``first_row`` continues the line item ids
    across parts, so ids stay unique in the delivery.
    """

    def __init__(self, writers: list[Any], target: int) -> None:
        self.writers = writers
        self.target = max(1, target)
        self.rows = [0] * len(writers)
        self.cost = [0] * len(writers)
        self._part = 0

    def write(self, batch: Batch) -> None:
        lo = 0
        while lo < batch.n:
            last = self._part == len(self.writers) - 1
            room = batch.n - lo if last else self.target - self.rows[self._part]
            if room <= 0:
                self._part += 1
                self.writers[self._part].first_row = sum(self.rows)
                continue
            hi = min(batch.n, lo + room)
            piece = batch if (lo, hi) == (0, batch.n) else slice_batch(batch, lo, hi)
            self.writers[self._part].write(piece)
            self.rows[self._part] += piece.n
            self.cost[self._part] += batch_cost(piece)
            lo = hi

    def close(self) -> None:
        for w in self.writers:
            w.close()
