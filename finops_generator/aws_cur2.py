"""AWS CUR 2.0 Data Export: ``PARTS`` snappy Parquet parts per billing period (one delivery).

``<export>/data/BILLING_PERIOD=YYYY-MM/<export>-0000<n>.snappy.parquet`` plus the manifest
under ``<export>/metadata/BILLING_PERIOD=YYYY-MM/`` listing every part in ``dataFiles``.
Columns and order are the export's SELECT list (AWS CID ``data-exports-aggregation.yaml``,
without split cost allocation data); types follow its Glue table: costs and quantities
double, rates and commitment times string, timestamps, and the map columns ``product``,
``resource_tags``, ``cost_category`` (map<string,string>) and ``discount``
(map<string,double>). Rows are written as row groups of at most one chunk through
``ParquetWriter``, so memory stays flat.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ._units import fmt_array, hexid, row_ids, to_float_array
from .aws import TAG_ACTIVATED_FROM, AwsEngine, Batch
from .periods import Month, iso

EXPORT = "kestrel-data-cur2"
PREFIX = "aws/cur2"
BUCKET = "kestrel-billing-exports"
PARTS = 2
"""Parquet parts per delivery, split by rows (Data Exports split large periods)."""

S = pa.string()
D = pa.float64()
TS = pa.timestamp("ms")
MAP_S = pa.map_(pa.string(), pa.string())
MAP_D = pa.map_(pa.string(), pa.float64())

# (column, arrow type, source): source is a canonical (legacy) column name, ("P", key) for
# a product attribute, or a special marker handled in ``_column``.
COLUMNS: tuple[tuple[str, pa.DataType, Any], ...] = (
    ("bill_bill_type", S, "bill/BillType"),
    ("bill_billing_entity", S, "bill/BillingEntity"),
    ("bill_billing_period_end_date", TS, "bill/BillingPeriodEndDate"),
    ("bill_billing_period_start_date", TS, "bill/BillingPeriodStartDate"),
    ("bill_invoice_id", S, "bill/InvoiceId"),
    ("bill_invoicing_entity", S, "bill/InvoicingEntity"),
    ("bill_payer_account_id", S, "bill/PayerAccountId"),
    ("bill_payer_account_name", S, "payer_name"),
    ("cost_category", MAP_S, "_cc"),
    ("discount", MAP_D, None),
    ("discount_bundled_discount", D, None),
    ("discount_total_discount", D, None),
    ("identity_line_item_id", S, "id"),
    ("identity_time_interval", S, "identity/TimeInterval"),
    ("line_item_availability_zone", S, "lineItem/AvailabilityZone"),
    ("line_item_blended_cost", D, "lineItem/BlendedCost"),
    ("line_item_blended_rate", S, "lineItem/BlendedRate"),
    ("line_item_currency_code", S, "lineItem/CurrencyCode"),
    ("line_item_legal_entity", S, "lineItem/LegalEntity"),
    ("line_item_line_item_description", S, "lineItem/LineItemDescription"),
    ("line_item_line_item_type", S, "lineItem/LineItemType"),
    ("line_item_net_unblended_cost", D, None),
    ("line_item_net_unblended_rate", S, None),
    ("line_item_normalization_factor", D, "lineItem/NormalizationFactor"),
    ("line_item_normalized_usage_amount", D, "lineItem/NormalizedUsageAmount"),
    ("line_item_operation", S, "lineItem/Operation"),
    ("line_item_product_code", S, "lineItem/ProductCode"),
    ("line_item_resource_id", S, "lineItem/ResourceId"),
    ("line_item_tax_type", S, "lineItem/TaxType"),
    ("line_item_unblended_cost", D, "lineItem/UnblendedCost"),
    ("line_item_unblended_rate", S, "lineItem/UnblendedRate"),
    ("line_item_usage_account_id", S, "lineItem/UsageAccountId"),
    ("line_item_usage_account_name", S, "_acct_name"),
    ("line_item_usage_amount", D, "lineItem/UsageAmount"),
    ("line_item_usage_end_date", TS, "lineItem/UsageEndDate"),
    ("line_item_usage_start_date", TS, "lineItem/UsageStartDate"),
    ("line_item_usage_type", S, "lineItem/UsageType"),
    ("pricing_currency", S, "pricing/currency"),
    ("pricing_lease_contract_length", S, "pricing/LeaseContractLength"),
    ("pricing_offering_class", S, "pricing/OfferingClass"),
    ("pricing_public_on_demand_cost", D, "pricing/publicOnDemandCost"),
    ("pricing_public_on_demand_rate", S, "pricing/publicOnDemandRate"),
    ("pricing_purchase_option", S, "pricing/PurchaseOption"),
    ("pricing_rate_code", S, "pricing/RateCode"),
    ("pricing_rate_id", S, "pricing/RateId"),
    ("pricing_term", S, "pricing/term"),
    ("pricing_unit", S, "pricing/unit"),
    ("product", MAP_S, "_prod"),
    ("product_comment", S, None),
    ("product_fee_code", S, None),
    ("product_fee_description", S, None),
    ("product_from_location", S, ("P", "fromLocation")),
    ("product_from_location_type", S, None),
    ("product_from_region_code", S, None),
    ("product_instance_family", S, None),
    ("product_instance_type", S, ("P", "instanceType")),
    ("product_instancesku", S, None),
    ("product_location", S, ("P", "location")),
    ("product_location_type", S, None),
    ("product_operation", S, ("P", "operation")),
    ("product_pricing_unit", S, None),
    ("product_product_family", S, ("P", "productFamily")),
    ("product_region_code", S, ("P", "region")),
    ("product_servicecode", S, ("P", "servicecode")),
    ("product_sku", S, ("P", "sku")),
    ("product_to_location", S, ("P", "toLocation")),
    ("product_to_location_type", S, None),
    ("product_to_region_code", S, None),
    ("product_usagetype", S, ("P", "usagetype")),
    ("reservation_amortized_upfront_cost_for_usage", D, "reservation/AmortizedUpfrontCostForUsage"),
    (
        "reservation_amortized_upfront_fee_for_billing_period",
        D,
        "reservation/AmortizedUpfrontFeeForBillingPeriod",
    ),
    ("reservation_availability_zone", S, "reservation/AvailabilityZone"),
    ("reservation_effective_cost", D, "reservation/EffectiveCost"),
    ("reservation_end_time", S, "reservation/EndTime"),
    ("reservation_modification_status", S, "reservation/ModificationStatus"),
    ("reservation_net_amortized_upfront_cost_for_usage", D, None),
    ("reservation_net_amortized_upfront_fee_for_billing_period", D, None),
    ("reservation_net_effective_cost", D, None),
    ("reservation_net_recurring_fee_for_usage", D, None),
    ("reservation_net_unused_amortized_upfront_fee_for_billing_period", D, None),
    ("reservation_net_unused_recurring_fee", D, None),
    ("reservation_net_upfront_value", D, None),
    (
        "reservation_normalized_units_per_reservation",
        D,
        "reservation/NormalizedUnitsPerReservation",
    ),
    ("reservation_number_of_reservations", D, "reservation/NumberOfReservations"),
    ("reservation_recurring_fee_for_usage", D, "reservation/RecurringFeeForUsage"),
    ("reservation_reservation_a_r_n", S, "reservation/ReservationARN"),
    ("reservation_start_time", S, "reservation/StartTime"),
    ("reservation_subscription_id", S, "reservation/SubscriptionId"),
    ("reservation_total_reserved_normalized_units", D, "reservation/TotalReservedNormalizedUnits"),
    ("reservation_total_reserved_units", D, "reservation/TotalReservedUnits"),
    ("reservation_units_per_reservation", D, "reservation/UnitsPerReservation"),
    (
        "reservation_unused_amortized_upfront_fee_for_billing_period",
        D,
        "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    ),
    ("reservation_unused_normalized_unit_quantity", D, "reservation/UnusedNormalizedUnitQuantity"),
    ("reservation_unused_quantity", D, "reservation/UnusedQuantity"),
    ("reservation_unused_recurring_fee", D, "reservation/UnusedRecurringFee"),
    ("reservation_upfront_value", D, "reservation/UpfrontValue"),
    ("resource_tags", MAP_S, "_tags"),
    (
        "savings_plan_amortized_upfront_commitment_for_billing_period",
        D,
        "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    ),
    ("savings_plan_end_time", S, "savingsPlan/EndTime"),
    ("savings_plan_instance_type_family", S, "savingsPlan/InstanceTypeFamily"),
    ("savings_plan_net_amortized_upfront_commitment_for_billing_period", D, None),
    ("savings_plan_net_recurring_commitment_for_billing_period", D, None),
    ("savings_plan_net_savings_plan_effective_cost", D, None),
    ("savings_plan_offering_type", S, "savingsPlan/OfferingType"),
    ("savings_plan_payment_option", S, "savingsPlan/PaymentOption"),
    ("savings_plan_purchase_term", S, "savingsPlan/PurchaseTerm"),
    (
        "savings_plan_recurring_commitment_for_billing_period",
        D,
        "savingsPlan/RecurringCommitmentForBillingPeriod",
    ),
    ("savings_plan_region", S, "savingsPlan/Region"),
    ("savings_plan_savings_plan_a_r_n", S, "savingsPlan/SavingsPlanARN"),
    ("savings_plan_savings_plan_effective_cost", D, "savingsPlan/SavingsPlanEffectiveCost"),
    ("savings_plan_savings_plan_rate", D, "savingsPlan/SavingsPlanRate"),
    ("savings_plan_start_time", S, "savingsPlan/StartTime"),
    ("savings_plan_total_commitment_to_date", D, "savingsPlan/TotalCommitmentToDate"),
    ("savings_plan_used_commitment", D, "savingsPlan/UsedCommitment"),
)
SCHEMA = pa.schema([pa.field(name, t) for name, t, _ in COLUMNS])


def athena_key(name: str) -> str:
    """Legacy tag key -> CUR 2.0 map key: ``user:Team`` -> ``user_team`` (reference 1.2)."""
    spaced = re.sub(r"([A-Z])", r"_\1", name).lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", spaced)).strip("_")


def _maps(dicts: list[dict[str, str]]) -> pa.Array:
    return pa.array([sorted(d.items()) for d in dicts], type=MAP_S)


class ParquetExportWriter:
    """Writes canonical batches as CUR 2.0 row groups."""

    def __init__(self, engine: AwsEngine, month: Month, path: Path, salt: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = engine
        self.salt = salt
        self.rows = 0
        self.first_row = 0
        """Row number of this part's first row in the delivery (line item ids)."""
        self.writer = pq.ParquetWriter(path, SCHEMA, compression="snappy")
        self._prod_attr = {
            key: pa.array([p.get(key) or None for p in engine.products], S)
            for _, _, src in COLUMNS
            if isinstance(src, tuple)
            for key in [src[1]]
        }
        active = {
            k for t in engine.tagsets for k in t if month.index >= TAG_ACTIVATED_FROM.get(k, 0)
        }
        self._maps = {
            "_tags": _maps(
                [{athena_key(k): v for k, v in t.items() if k in active} for t in engine.tagsets]
            ),
            "_cc": _maps(
                [{athena_key(k): v for k, v in c.items()} for c in engine.cost_categories]
            ),
            "_prod": _maps(
                [
                    {"product_name": p["ProductName"], "region": p["region"]}
                    if p["region"]
                    else {"product_name": p["ProductName"]}
                    for p in engine.products
                ]
            ),
        }

    def _column(self, name: str, type_: pa.DataType, src: Any, batch: Batch) -> pa.Array:
        n = batch.n
        if src is None:
            return pa.nulls(n, type_)
        if src == "id":
            return row_ids(self.salt, self.first_row + self.rows, n)
        if src == "payer_name":
            return pa.array([self.engine.payer.payer_name] * n, S)
        if src in self._maps:
            return _broadcast(self._maps[src], batch.cols.get(src, 0), n)
        if isinstance(src, tuple):
            return _broadcast(self._prod_attr[src[1]], batch.cols.get("_prod", 0), n)
        v = batch.cols.get(src)
        if v is None:
            return pa.nulls(n, type_)
        if type_ == S:
            if isinstance(v, str):
                return pa.array([v or None] * n, S)
            if isinstance(v, pa.DictionaryArray):
                v = v.dictionary.take(v.indices)
            if isinstance(v, pa.Array):
                return _empty_to_null(v)
            return fmt_array(np.broadcast_to(np.asarray(v, np.int64), n))  # string-typed rates
        arr = np.broadcast_to(np.asarray(v, dtype=np.int64), n)
        if type_ == TS:
            return pa.array(arr * 1000, pa.int64()).cast(TS)
        return to_float_array(arr)

    def write(self, batch: Batch) -> None:
        if batch.n == 0:
            return
        arrays = [self._column(name, t, src, batch) for name, t, src in COLUMNS]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=SCHEMA))
        self.rows += batch.n

    def close(self) -> None:
        self.writer.close()


def _broadcast(table: pa.Array, ids: Any, n: int) -> pa.Array:
    idx = np.broadcast_to(np.asarray(ids, dtype=np.int64), n)
    return table.take(pa.array(idx))


def _empty_to_null(v: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(v, ""), pa.scalar(None, S), v)


def layout(root: Path, month: Month) -> tuple[list[Path], Path]:
    part = f"BILLING_PERIOD={month.label}"
    folder = root / PREFIX / EXPORT / "data" / part
    data = [folder / f"{EXPORT}-{n:05d}.snappy.parquet" for n in range(1, PARTS + 1)]
    manifest = root / PREFIX / EXPORT / "metadata" / part / f"{EXPORT}-Manifest.json"
    return data, manifest


def execution_id(engine: AwsEngine, month: Month) -> str:
    return hexid(32, engine.seed, EXPORT, month.label)


def write_manifest(
    root: Path,
    data: list[Path],
    manifest: Path,
    engine: AwsEngine,
    month: Month,
    rows: int,
    delivered_s: int,
) -> None:
    body = {
        "reportName": EXPORT,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{engine.payer.payer_id}:export/"
        f"{EXPORT}-{hexid(8, engine.seed, EXPORT)}",
        "executionId": execution_id(engine, month),
        "billingPeriod": {"start": iso(month.start_s), "end": iso(month.end_s)},
        "exportTime": iso(delivered_s),
        "columns": [{"name": name, "type": str(t)} for name, t, _ in COLUMNS],
        "dataFiles": [f"s3://{BUCKET}/{p.relative_to(root).as_posix()}" for p in data],
        "numberOfRows": rows,
        "bucket": BUCKET,
    }
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def generate(root: Path, engine: AwsEngine, gt: Any, progress: Any) -> None:
    """One export (``PARTS`` files) per billing period, delivered on the 8th of the next month."""
    from ._textio import set_mtime, sha256_of
    from .aws import Delivery, PartRouter, Stats, commitment_records, record_final
    from .aws_cur import line_item_salt
    from .ground_truth import DeliveryRecord, FileRecord, Partition

    commitments = {c.id: c for c in commitment_records(engine, "aws_cur2")}
    gt.commitments.extend(commitments.values())
    payer = engine.payer.payer_id
    for month in engine.months:
        data, manifest = layout(root, month)
        mtime = month.next_at(8, 7)
        salt = line_item_salt(engine, month, 0)
        expected = engine.expected_rows(month, engine.active_counts(month))
        router = PartRouter(
            [ParquetExportWriter(engine, month, p, salt) for p in data], expected // PARTS
        )
        st = Stats()
        for batch in engine.month_batches(month, Delivery(), st):
            router.write(batch)
        router.close()
        if min(router.rows) == 0 or sum(router.cost) != st.cost:
            raise AssertionError(f"aws_cur2 {month.label}: parts {router.rows} do not add up")
        write_manifest(root, data, manifest, engine, month, st.rows, mtime)
        for p in (*data, manifest):
            set_mtime(p, mtime)
        execution = execution_id(engine, month)
        rel = [p.relative_to(root.parent).as_posix() for p in data]
        for path, rel_path, rows, cost in zip(data, rel, router.rows, router.cost, strict=True):
            gt.files.append(
                FileRecord(
                    path=rel_path,
                    format="aws_cur2",
                    billing_account_id=payer,
                    billing_period=month.label,
                    rows=rows,
                    cost_total=cost,
                    currency="USD",
                    superseded=False,
                    delivered_at=iso(mtime),
                    bytes=path.stat().st_size,
                    sha256=sha256_of(path),
                    delivery=execution,
                    partitions=[Partition("AWS", payer, month.label, "USD", rows, cost)],
                )
            )
        gt.deliveries.append(
            DeliveryRecord(
                delivery=execution,
                format="aws_cur2",
                manifest=manifest.relative_to(root.parent).as_posix(),
                parts=rel,
                delivered_at=iso(mtime),
                superseded=False,
            )
        )
        record_final(engine, month, st, gt, "aws_cur2", commitments)
        if progress:
            progress(f"aws_cur2 {month.label}: {st.rows:,} rows in {PARTS} parts {router.rows}")
