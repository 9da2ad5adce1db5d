"""Tiny, hand-checkable export files of each format (tests, docs and the benchmark use them).

Each writer returns the path it wrote. Values are strings as the providers write them; costs
are chosen so totals are exact (``cost_total`` of n rows of cost c is n * c).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

AWS_ACCOUNT = "012345678901"
AWS_HEADER = (
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "product/ProductName",
    "product/region",
    "resourceTags/user:Team",
    "resourceTags/user:Env",
)


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First day of a ``YYYY-MM`` month and first day of the next."""
    start = dt.date.fromisoformat(f"{period}-01")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, end


def aws_cur_rows(
    rows: int = 3,
    period: str = "2024-01",
    account: str = AWS_ACCOUNT,
    cost: str = "1.25",
    line_item_type: str = "Usage",
) -> list[dict[str, str]]:
    """Legacy CUR rows: hourly EC2 usage in one billing period, tags on every other row."""
    start, end = month_bounds(period)
    out = []
    for i in range(rows):
        hour = dt.datetime.combine(start, dt.time()) + dt.timedelta(hours=i % 24, days=i // 24 % 28)
        out.append(
            {
                "identity/LineItemId": f"li-{i}",
                "identity/TimeInterval": f"{hour:%Y-%m-%dT%H:00:00Z}/"
                f"{hour + dt.timedelta(hours=1):%Y-%m-%dT%H:00:00Z}",
                "bill/InvoiceId": "",
                "bill/BillType": "Anniversary",
                "bill/PayerAccountId": account,
                "bill/BillingPeriodStartDate": f"{start:%Y-%m-%d}T00:00:00Z",
                "bill/BillingPeriodEndDate": f"{end:%Y-%m-%d}T00:00:00Z",
                "lineItem/UsageAccountId": "000111222333",
                "lineItem/LineItemType": line_item_type,
                "lineItem/UsageStartDate": f"{hour:%Y-%m-%dT%H:%M:%SZ}",
                "lineItem/UsageEndDate": f"{hour + dt.timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}",
                "lineItem/ProductCode": "AmazonEC2",
                "lineItem/UsageType": "USW2-BoxUsage:m5.large",
                "lineItem/UsageAmount": "1",
                "lineItem/CurrencyCode": "USD",
                "lineItem/UnblendedRate": cost,
                "lineItem/UnblendedCost": cost,
                "product/ProductName": "Amazon Elastic Compute Cloud",
                "product/region": "us-west-2",
                "resourceTags/user:Team": "payments" if i % 2 == 0 else "",
                "resourceTags/user:Env": "prod",
            }
        )
    return out


def write_csv(
    path: Path,
    rows: Sequence[dict[str, str]],
    header: Sequence[str] | None = None,
    *,
    compress: bool | None = None,
    bom: bool = False,
    crlf: bool = False,
    delimiter: str = ",",
) -> Path:
    """Write rows as CSV (gzip when the name ends in .gz); header defaults to the first row's."""
    header = list(header if header is not None else (rows[0].keys() if rows else AWS_HEADER))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    data = (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
    return write_bytes(path, data, compress)


def write_bytes(path: Path, data: bytes, compress: bool | None = None) -> Path:
    """Write bytes, gzip-compressed when asked or when the name ends in .gz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress if compress is not None else path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def aws_cur_csv(path: Path, **kwargs) -> Path:
    """A legacy CUR CSV (or .csv.gz) file of ``aws_cur_rows(**kwargs)``."""
    return write_csv(path, aws_cur_rows(**kwargs), AWS_HEADER)


def focus_rows(
    rows: int = 2, period: str = "2024-01", account: str = "acct-1", cost: str = "2.50"
) -> list[dict[str, str]]:
    """FOCUS 1.2 rows of usage in one billing period."""
    start, end = month_bounds(period)
    return [
        {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": cost,
            "ContractedCost": cost,
            "BillingAccountId": account,
            "BillingCurrency": "USD",
            "BillingPeriodStart": f"{start}T00:00:00Z",
            "BillingPeriodEnd": f"{end}T00:00:00Z",
            "ChargePeriodStart": f"{start}T{i % 24:02d}:00:00Z",
            "ChargePeriodEnd": f"{start}T{i % 24:02d}:59:59Z",
            "ChargeCategory": "Usage",
            "ProviderName": "Oracle",
            "ServiceName": "Compute",
            "ServiceCategory": "Compute",
            "Tags": '{"team": "web"}',
        }
        for i in range(rows)
    ]


def azure_rows(
    rows: int = 2, period: str = "2024-01", mca: bool = False, cost: str = "3.5"
) -> list[dict[str, str]]:
    """Azure cost details rows, EA PascalCase (``Cost`` variant) or MCA camelCase."""
    start, end = month_bounds(period)
    last = end - dt.timedelta(days=1)
    out = []
    for i in range(rows):
        day = start + dt.timedelta(days=i % 28)
        if mca:
            out.append(
                {
                    "billingAccountId": "a1b2c3d4-0000-0000-0000-000000000000",
                    "billingPeriodStartDate": f"{start:%m/%d/%Y}",
                    "billingPeriodEndDate": f"{last:%m/%d/%Y}",
                    "date": f"{day:%m/%d/%Y}",
                    "meterCategory": "Virtual Machines",
                    "costInBillingCurrency": cost,
                    "billingCurrency": "EUR",
                    "chargeType": "Usage",
                    "tags": '"env": "prod"',
                }
            )
        else:
            out.append(
                {
                    "BillingAccountId": "8611537",
                    "BillingPeriodStartDate": f"{start:%m/%d/%Y}",
                    "BillingPeriodEndDate": f"{last:%m/%d/%Y}",
                    "Date": f"{day.month}/{day.day}/{day.year}",
                    "MeterCategory": "Virtual Machines",
                    "Cost": cost,
                    "BillingCurrency": "USD",
                    "ChargeType": "Usage",
                    "PricingModel": "OnDemand",
                    "Tags": '"CostCenter": "1234","env": "prod"',
                }
            )
    return out


def gcp_rows(
    rows: int = 2, invoice_month: str = "202401", account: str = "018984-D0AAA4-940B88"
) -> list[dict]:
    """GCP detailed export rows as BigQuery dumps them (nested records, credits arrays)."""
    return [
        {
            "billing_account_id": account,
            "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
            "sku": {"id": "CF4E-A0C7-E3BF", "description": "Instance Core running in Americas"},
            "usage_start_time": f"{invoice_month[:4]}-{invoice_month[4:]}-02 0{i % 10}:00:00 UTC",
            "usage_end_time": f"{invoice_month[:4]}-{invoice_month[4:]}-02 0{i % 10}:59:59 UTC",
            "project": {"id": "shop-prod", "number": "237691936840", "labels": []},
            "labels": [{"key": "env", "value": "prod"}],
            "cost": 0.1337,
            "currency": "USD",
            "credits": [{"name": "CUD", "amount": -0.0337, "type": "COMMITTED_USAGE_DISCOUNT"}],
            "invoice": {"month": invoice_month, "publisher_type": "GOOGLE"},
            "cost_type": "regular",
        }
        for i in range(rows)
    ]


def write_jsonl(path: Path, rows: Iterable[dict]) -> Path:
    """Newline-delimited JSON (gzip when the name ends in .gz)."""
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    return write_bytes(path, data)


def invoices_rows(period: str = "2024-01", amount: str = "3.75") -> list[dict[str, str]]:
    """One invoice of the generic invoice CSV."""
    return [
        {
            "invoice_id": f"INV-{period}",
            "invoice_issuer": "Amazon Web Services, Inc.",
            "provider": "AWS",
            "billing_account_id": AWS_ACCOUNT,
            "billing_period": period,
            "currency": "USD",
            "amount": amount,
            "issue_date": f"{month_bounds(period)[1]:%Y-%m}-03",
        }
    ]


def invoice_detail_rows(*statuses: str, period: str = "2024-01") -> list[dict[str, str]]:
    """FOCUS 1.4 InvoiceDetail lines: an invoice of two lines (10.25 and -1.5) and a one-line
    invoice of 8.75, with the InvoiceIssueStatus of each line in order."""
    start, end = month_bounds(period)
    line = {
        "BillingAccountId": "SKY-1",
        "BillingCurrency": "USD",
        "ChargeCategory": "Usage",
        "BillingPeriodStart": f"{start}T00:00:00Z",
        "BillingPeriodEnd": f"{end}T00:00:00Z",
        "InvoiceDetailGrain": '{"ServiceName":"APM"}',
        "InvoiceIssuerName": "Skylight Telemetry, Inc.",
        "PaymentTerms": "Net 30",
    }
    lines = [
        ("INV-2", "INV-2-1", "10.25"),
        ("INV-2", "INV-2-2", "-1.5"),
        ("INV-1", "INV-1-1", "8.75"),
    ]
    return [
        {
            **line,
            "InvoiceId": invoice,
            "InvoiceDetailId": detail,
            "BilledCost": cost,
            "InvoiceIssueStatus": status,
            "ReferenceInvoiceId": invoice,
        }
        for (invoice, detail, cost), status in zip(lines, statuses, strict=True)
    ]


GCP_COMMITMENT = {
    "autoRenew": False,
    "endTimestamp": "2024-01-01T00:00:00.000-07:00",
    "id": "123456789",
    "kind": "compute#commitment",
    "plan": "TWELVE_MONTH",
    "resources": [{"amount": "10", "type": "VCPU"}],
    "selfLink": "https://www.googleapis.com/compute/v1/projects/p/regions/us-east4/commitments/c",
    "startTimestamp": "2023-01-01T00:00:00.000-07:00",
}
"""One Compute Engine commitment as ``gcloud compute commitments list --format=json`` prints it."""

AZURE_RESERVATION = {
    "id": "/providers/microsoft.capacity/reservationOrders/o-1/reservations/r-1",
    "name": "o-1/r-1",
    "type": "Microsoft.Capacity/reservationOrders/reservations",
    "sku": {"name": "Standard_D2s_v5"},
    "properties": {
        "term": "P1Y",
        "billingPlan": "Monthly",
        "quantity": 1,
        "benefitStartTime": "2023-01-01T00:00:00.0000000Z",
        "expiryDateTime": "2024-01-01T00:00:00.0000000Z",
    },
}
"""One Microsoft.Capacity reservation as ``az reservations reservation list`` prints it."""


def write_json_array(path: Path, entries: list[dict]) -> Path:
    """A pretty-printed JSON array, as the providers' CLIs print their lists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    return path


def business_metrics_rows(period: str = "2024-01", days: int = 3) -> list[dict[str, str]]:
    """Daily business metrics of one month."""
    start, _ = month_bounds(period)
    return [
        {
            "date": f"{start + dt.timedelta(days=d)}",
            "product": "checkout",
            "metric": "orders",
            "value": str(100 + d),
        }
        for d in range(days)
    ]


def cur2_parquet(path: Path, rows: int = 2, period: str = "2024-01", cost: float = 0.5) -> Path:
    """A CUR 2.0 Parquet file with map columns, written by DuckDB."""
    import duckdb

    start, end = month_bounds(period)
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(
        f"""
        COPY (
          SELECT '{AWS_ACCOUNT}' AS bill_payer_account_id,
                 'Anniversary' AS bill_bill_type,
                 TIMESTAMPTZ '{start} 00:00:00+00' AS bill_billing_period_start_date,
                 TIMESTAMPTZ '{end} 00:00:00+00' AS bill_billing_period_end_date,
                 '000111222333' AS line_item_usage_account_id,
                 'Usage' AS line_item_line_item_type,
                 TIMESTAMPTZ '{start} 00:00:00+00' + INTERVAL (i) HOUR
                   AS line_item_usage_start_date,
                 {cost}::DOUBLE AS line_item_unblended_cost,
                 '{cost}' AS line_item_unblended_rate,
                 'USD' AS line_item_currency_code,
                 MAP {{'user_team': 'payments'}} AS resource_tags,
                 MAP {{'product_name': 'Amazon EC2'}} AS product,
                 MAP {{'EDP': 0.01::DOUBLE}} AS discount
          FROM range({rows}) t(i)
        ) TO '{path}' (FORMAT parquet)
        """
    )
    return path


def ecb_rates_csv(path: Path, period: str = "2024-01") -> Path:
    """The ECB's eurofxref-hist.csv of two days: newest first, N/A where a currency has no
    quote, a trailing comma on every line."""
    from finops_warehouse.ingest.formats import ECB_CURRENCIES

    start, _ = month_bounds(period)
    quotes = {"USD": "1.0956", "GBP": "0.86215"}
    lines = ["Date," + ",".join(ECB_CURRENCIES) + ","]
    for day in (start + dt.timedelta(days=1), start):
        lines.append(f"{day}," + ",".join(quotes.get(c, "N/A") for c in ECB_CURRENCIES) + ",")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def exchange_rates_rows(period: str = "2024-01") -> list[dict[str, str]]:
    """Monthly rates month,from,to,rate of one month."""
    return [
        {"month": period, "from": "EUR", "to": "USD", "rate": "1.09"},
        {"month": period, "from": "GBP", "to": "USD", "rate": "1.27"},
    ]
