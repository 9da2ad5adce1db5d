"""A FOCUS 1.2 export from a "FinOps hub" that collects the bills of several providers.

Each monthly delivery is ONE CSV holding three providers no other demo export covers (Oracle
Cloud Infrastructure with two tenancies, and two SaaS vendors: Fjordbase, billing in EUR, and
Relaymail) and two billing periods: the month just ended and the month before it, restated
with a late credit per billing account. The very first delivery holds only its own month. The
file name says neither provider nor month (``kestrel-focus-export-<delivery date>.csv``), so
only the rows tell what a file holds.

The cells are as messy as real hub exports: the literal ``NULL`` in empty optional cells, a
share of rows with lower-case enumerations (``usage``, ``recurring``, ``standard``) and
timestamps in the FOCUS 1.0 minute-only form (``2026-07-01T00:00Z``). Cleaned, every value is
FOCUS 1.2-conformant.

``write_messy_focus_file`` and ``write_focus_partition_file`` write small stand-alone files of
the same rows for tests (replacement of one account-month by a later file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._textio import csv_cell, set_mtime, sha256_of
from ._units import digits, fmt, hexid, stable_int, to_decimal, units
from .focus import COLUMNS
from .periods import Month, iso, month_range

TS = "%Y-%m-%dT%H:%M:%SZ"
TS_MINUTE = "%Y-%m-%dT%H:%MZ"
"""The FOCUS 1.0 form some rows carry (no seconds)."""
FOLDER = "focus/hub"
ENUMERATIONS = ("ChargeCategory", "ChargeFrequency", "PricingCategory")
"""Columns written in lower case on a share of rows."""
TIMESTAMPS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
MONEY = frozenset(
    {
        "BilledCost",
        "ContractedCost",
        "EffectiveCost",
        "ListCost",
        "ContractedUnitPrice",
        "ListUnitPrice",
        "ConsumedQuantity",
        "PricingQuantity",
    }
)
"""Numeric cells (int units of 1e-10 until written)."""


@dataclass(frozen=True)
class Account:
    provider: str
    account_id: str
    name: str
    account_type: str
    currency: str
    issuer: str
    invoice_prefix: str
    region: tuple[str, str] | None
    sub_account: tuple[str, str, str]
    """(SubAccountId, SubAccountName, SubAccountType)."""
    purchase: tuple[str, str, str] | None = None
    """A monthly recurring fee: (description, list price, contracted price)."""
    tax_rate: str | None = None
    """Sales tax on usage, as a fraction (``0.06``); None when the vendor charges none."""


@dataclass(frozen=True)
class Item:
    """One billed resource: a daily usage row per day of the month."""

    account: Account
    service: str
    category: str
    subcategory: str
    sku: str
    meter: str
    unit: str
    list_price: str
    contracted_price: str
    qty: str
    """Usage per day (before the day's noise), 3 decimals at most."""
    resource_type: str
    resource_name: str
    team: str

    def resource_id(self, seed: int) -> str:
        if self.account.provider == "Oracle Cloud Infrastructure":
            kind = "autonomousdatabase" if self.category == "Databases" else "instance"
            if self.service == "Object Storage":
                kind = "bucket"
            return f"ocid1.{kind}.oc1.iad.{hexid(40, seed, self.resource_name)}"
        slug = self.account.provider.lower()
        return f"{slug}://{self.account.account_id}/{self.resource_name}"


def _tenancy(seed: int, name: str) -> str:
    return f"ocid1.tenancy.oc1..aaaaaaaa{hexid(52, seed, 'oci-tenancy', name)}"


def catalog(seed: int) -> list[Item]:
    """The hub's accounts and resources (fixed: the hub does not scale with ``--rows``)."""
    oci = {
        name: Account(
            provider="Oracle Cloud Infrastructure",
            account_id=_tenancy(seed, name),
            name=name,
            account_type="Tenancy",
            currency="USD",
            issuer="Oracle America, Inc.",
            invoice_prefix="OCI",
            region=("us-ashburn-1", "US East (Ashburn)"),
            sub_account=(
                f"ocid1.compartment.oc1..aaaaaaaa{hexid(52, seed, 'oci-compartment', name)}",
                name.removeprefix("kestrel-"),
                "Compartment",
            ),
        )
        for name in ("kestrel-prod", "kestrel-analytics")
    }
    fjordbase = Account(
        provider="Fjordbase",
        account_id="FJB-20931",
        name="Kestrel Commerce Europe B.V.",
        account_type="Organization",
        currency="EUR",
        issuer="Fjordbase AS",
        invoice_prefix="FJB",
        region=("eu-north-1", "EU North (Stockholm)"),
        sub_account=("proj-payments-ledger", "payments-ledger", "Project"),
        purchase=("Fjordbase Business Support, monthly", "400", "350"),
    )
    relaymail = Account(
        provider="Relaymail",
        account_id="RM-778812",
        name="Kestrel Commerce",
        account_type="Customer",
        currency="USD",
        issuer="Relaymail, Inc.",
        invoice_prefix="RM",
        region=None,
        sub_account=("domain-kestrel-shop", "mail.kestrel.shop", "Sending Domain"),
        tax_rate="0.06",
    )
    prod, analytics = oci["kestrel-prod"], oci["kestrel-analytics"]
    return [
        Item(
            prod,
            "Compute",
            "Compute",
            "Virtual Machines",
            "B93113",
            "Standard - E4 - OCPU",
            "OCPU-Hours",
            "0.0250",
            "0.0225",
            "48",
            "Instance",
            "checkout-api-vm-1",
            "checkout",
        ),
        Item(
            prod,
            "Object Storage",
            "Storage",
            "Object Storage",
            "B91628",
            "Object Storage - Storage",
            "GB-Months",
            "0.0255",
            "0.0255",
            "28.5",
            "Bucket",
            "checkout-assets",
            "checkout",
        ),
        Item(
            analytics,
            "Autonomous Data Warehouse",
            "Databases",
            "Relational Databases",
            "B95701",
            "Autonomous Data Warehouse - ECPU",
            "ECPU-Hours",
            "0.3360",
            "0.3024",
            "96",
            "Autonomous Database",
            "dwh-events",
            "data-platform",
        ),
        Item(
            analytics,
            "Compute",
            "Compute",
            "Virtual Machines",
            "B95909",
            "GPU Standard - A10",
            "GPU-Hours",
            "2.0000",
            "1.8000",
            "12",
            "Instance",
            "ml-train-a10-1",
            "ml",
        ),
        Item(
            fjordbase,
            "Managed Postgres",
            "Databases",
            "Relational Databases",
            "FJB-PG-STD4",
            "db-standard-4 Instance Hours",
            "Hours",
            "0.4100",
            "0.3690",
            "48",
            "Database Cluster",
            "ledger-pg",
            "payments",
        ),
        Item(
            relaymail,
            "Email API",
            "Business Applications",
            "Other (Business Applications)",
            "RM-SEND-1K",
            "Emails Sent",
            "1000 Emails",
            "0.9000",
            "0.8000",
            "120",
            "Sending Domain",
            "mail.kestrel.shop",
            "checkout",
        ),
    ]


def accounts(items: list[Item]) -> list[Account]:
    return list(dict.fromkeys(i.account for i in items))


def invoice_id(seed: int, account: Account, month: Month) -> str:
    number = digits(7, seed, account.account_id, month.label)
    return f"{account.invoice_prefix}-{month.yyyymm}-{number}"


def late_credit(seed: int, account: Account, month: Month, usage: int) -> int:
    """The credit a restatement adds to an account-month: 1% to 5% of its usage, in cents
    (negative)."""
    pct = 1 + stable_int(seed, "hub-late-credit", account.account_id, month.label) % 5
    return -((usage * pct + 50 * 10**8) // (100 * 10**8)) * 10**8


def partition_rows(
    seed: int,
    account: Account,
    items: list[Item],
    month: Month,
    restated: bool = False,
    credit: int | None = None,
) -> list[dict[str, Any]]:
    """The rows of one account-month (ints for numeric cells, "" for empty cells).

    ``restated`` adds the late credit of a restatement; ``credit`` a credit of that amount.
    """
    empty = dict.fromkeys(COLUMNS, "")
    inv = invoice_id(seed, account, month)
    const = {
        "BillingAccountId": account.account_id,
        "BillingAccountName": account.name,
        "BillingAccountType": account.account_type,
        "BillingCurrency": account.currency,
        "BillingPeriodStart": month.start_s,
        "BillingPeriodEnd": month.end_s,
        "InvoiceId": inv,
        "InvoiceIssuerName": account.issuer,
        "ProviderName": account.provider,
        "PublisherName": account.provider,
        "RegionId": account.region[0] if account.region else "",
        "RegionName": account.region[1] if account.region else "",
        "SubAccountId": account.sub_account[0],
        "SubAccountName": account.sub_account[1],
        "SubAccountType": account.sub_account[2],
    }
    whole_month = {"ChargePeriodStart": month.start_s, "ChargePeriodEnd": month.end_s}
    rows: list[dict[str, Any]] = []
    usage_billed = 0
    own = [i for i in items if i.account == account]
    for day in range(month.days):
        start = month.start_s + day * 86400
        for item in own:
            # Daily noise of +-10%, a stateless hash of (seed, resource, day).
            noise = 900 + stable_int(seed, "hub-qty", item.resource_name, start) % 201
            qty = max(units(item.qty, 3) * noise // 1000, 1)  # 1e-3
            list4, con4 = units(item.list_price, 4), units(item.contracted_price, 4)
            billed, listed = qty * con4 * 1000, qty * list4 * 1000  # 1e-7 -> 1e-10
            usage_billed += billed
            rows.append(
                {
                    **empty,
                    **const,
                    "BilledCost": billed,
                    "ContractedCost": billed,
                    "EffectiveCost": billed,
                    "ListCost": listed,
                    "ChargeCategory": "Usage",
                    "ChargeFrequency": "Usage-Based",
                    "ChargeDescription": f"{item.meter} for {item.resource_name}",
                    "ChargePeriodStart": start,
                    "ChargePeriodEnd": start + 86400,
                    "ConsumedQuantity": qty * 10**7,
                    "ConsumedUnit": item.unit,
                    "PricingQuantity": qty * 10**7,
                    "PricingUnit": item.unit,
                    "PricingCategory": "Standard",
                    "ListUnitPrice": list4 * 10**6,
                    "ContractedUnitPrice": con4 * 10**6,
                    "ResourceId": item.resource_id(seed),
                    "ResourceName": item.resource_name,
                    "ResourceType": item.resource_type,
                    "ServiceCategory": item.category,
                    "ServiceSubcategory": item.subcategory,
                    "ServiceName": item.service,
                    "SkuId": item.sku,
                    "SkuMeter": item.meter,
                    "SkuPriceId": f"{item.sku}-{account.currency}-2026",
                    "Tags": json.dumps({"team": item.team}, separators=(",", ":")),
                }
            )
    first = own[0]
    service = {
        "ServiceCategory": first.category,
        "ServiceSubcategory": first.subcategory,
        "ServiceName": first.service,
    }
    if account.purchase:
        text, list_price, price = account.purchase
        lp, cp = units(list_price), units(price)
        rows.append(
            {
                **empty,
                **const,
                **whole_month,
                **service,
                "BilledCost": cp,
                "ContractedCost": cp,
                "EffectiveCost": cp,
                "ListCost": lp,
                "ChargeCategory": "Purchase",
                "ChargeFrequency": "Recurring",
                "ChargeDescription": f"{text}, {month.label}",
                "PricingCategory": "Standard",
                "PricingQuantity": units(1),
                "PricingUnit": "Months",
                "ListUnitPrice": lp,
                "ContractedUnitPrice": cp,
                "SkuId": f"{account.invoice_prefix}-SUPPORT-BIZ",
                "SkuMeter": "Support Plan",
                "SkuPriceId": f"{account.invoice_prefix}-SUPPORT-BIZ-2026",
            }
        )
    if account.tax_rate:
        rate = units(account.tax_rate, 4)
        tax = (2 * usage_billed * rate + 10**4 * 10**8) // (2 * 10**4 * 10**8) * 10**8  # cents
        rows.append(
            {
                **empty,
                **const,
                **whole_month,
                **service,
                "BilledCost": tax,
                "ContractedCost": tax,
                "EffectiveCost": tax,
                "ListCost": tax,
                "ChargeCategory": "Tax",
                "ChargeFrequency": "One-Time",
                "ChargeDescription": f"Sales tax ({Decimal(account.tax_rate) * 100:g}%)",
            }
        )
    if restated:
        credit = late_credit(seed, account, month, usage_billed)
    if credit:
        rows.append(
            {
                **empty,
                **const,
                **whole_month,
                **service,
                "BilledCost": credit,
                "ContractedCost": credit,
                "EffectiveCost": credit,
                "ListCost": credit,
                "ChargeCategory": "Credit",
                "ChargeFrequency": "One-Time",
                "ChargeDescription": f"Late service credit for {month.label}, issued after "
                "the first export of the month",
            }
        )
    return rows


def render(
    rows: list[dict[str, Any]], seed: int, salt: str, spaces: bool = False
) -> tuple[str, int]:
    """CSV text of rows with the hub's messiness; returns (text, Σ BilledCost).

    A stateless hash of (seed, salt, row number) picks the rows written with lower-case
    enumerations (one in four) and minute-only timestamps (one in five); ``spaces`` also pads
    the numbers of one row in three with blanks.
    """
    out = [",".join(COLUMNS)]
    billed = 0
    for n, row in enumerate(rows):
        h = stable_int(seed, "hub-mess", salt, n)
        lower, minute, pad = h % 4 == 0, (h >> 8) % 5 == 0, spaces and (h >> 16) % 3 == 0
        billed += row["BilledCost"]
        cells = []
        for col in COLUMNS:
            v = row[col]
            if v == "":
                cells.append("NULL")
            elif col in TIMESTAMPS:
                cells.append(iso(v, TS_MINUTE if minute else TS))
            elif col in MONEY:
                cells.append(f" {fmt(v)} " if pad else fmt(v))
            elif col in ENUMERATIONS and lower:
                cells.append(csv_cell(v.lower()))
            else:
                cells.append(csv_cell(v))
        out.append(",".join(cells))
    return "\n".join(out) + "\n", billed


# --- the demo deliveries ------------------------------------------------------------------


def delivery_at(month: Month) -> int:
    """The hub exports each month on the 6th, 09:00 UTC."""
    return month.next_at(6, 9)


def generate(root: Path, months: list[Month], seed: int, gt: Any, progress: Any) -> None:
    """One file per month: that month plus the previous one restated (not for the first)."""
    from .ground_truth import FileRecord, InvoiceRecord, Partition

    items = catalog(seed)
    accts = accounts(items)
    newest: dict[tuple[str, str], tuple[int, int, str]] = {}
    """(account, month) -> (Σ BilledCost, rows, path) of the newest delivery holding it."""
    records: list[FileRecord] = []
    for k, month in enumerate(months):
        held = [(months[k - 1], True)] if k else []
        held.append((month, False))
        mtime = delivery_at(month)
        path = root / FOLDER / f"kestrel-focus-export-{iso(mtime, '%Y-%m-%d')}.csv"
        rows: list[dict[str, Any]] = []
        partitions = []
        for m, restated in held:
            for a in accts:
                part = partition_rows(seed, a, items, m, restated)
                rows.extend(part)
                cost = sum(r["BilledCost"] for r in part)
                partitions.append(
                    Partition(a.provider, a.account_id, m.label, a.currency, len(part), cost)
                )
                newest[(a.account_id, m.label)] = (cost, len(part), path.name)
        text, billed = render(rows, seed, path.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        set_mtime(path, mtime)
        record = FileRecord(
            path=path.relative_to(root.parent).as_posix(),
            format="focus",
            billing_account_id=None,
            billing_period=None,
            rows=len(rows),
            cost_total=billed,
            currency=None,
            superseded=False,
            delivered_at=iso(mtime),
            bytes=path.stat().st_size,
            sha256=sha256_of(path),
            partitions=partitions,
        )
        records.append(record)
        if progress:
            progress(f"focus hub {path.name}: {len(rows):,} rows in {len(partitions)} partitions")
    # A partition is superseded when a later file holds the same account-month.
    for record in records:
        name = Path(record.path).name
        for p in record.partitions:
            p.superseded = newest[(p.billing_account_id, p.billing_period)][2] != name
        record.superseded = all(p.superseded for p in record.partitions)
        gt.files.append(record)
    by_label = {m.label: m for m in months}
    for a in accts:
        for m in months:
            cost, _, _ = newest[(a.account_id, m.label)]
            gt.totals[("focus", a.account_id, m.label, a.currency)] += cost
            gt.invoices.append(
                InvoiceRecord(
                    invoice_id=invoice_id(seed, a, m),
                    invoice_issuer=a.issuer,
                    provider=a.provider,
                    billing_account_id=a.account_id,
                    billing_period=m.label,
                    currency=a.currency,
                    amount=cost,
                    issue_date=iso(by_label[m.label].next_at(3), "%Y-%m-%d"),
                    source_format="focus",
                    kind="monthly",
                )
            )
    for item in items:
        gt.resource_owners[item.resource_id(seed)] = item.team


# --- small files for tests ----------------------------------------------------------------

TEST_PERIODS = ("2026-07", "2026-08")


def _test_accounts(seed: int) -> tuple[list[Item], list[Account]]:
    """Three providers with one billing account each (OCI's first tenancy, both SaaS)."""
    items = catalog(seed)
    accts = accounts(items)
    chosen = [accts[0], *(a for a in accts if a.provider != "Oracle Cloud Infrastructure")]
    return items, chosen


def _truth(account: Account, month: Month, rows: list[dict[str, Any]]) -> dict:
    return {
        (account.provider, account.account_id, month.label, account.currency): {
            "rows": len(rows),
            "billed_cost": to_decimal(sum(r["BilledCost"] for r in rows)),
        }
    }


def write_messy_focus_file(path: str | Path, seed: int = 42) -> dict:
    """Write ONE FOCUS 1.2 CSV holding 3 providers x 3 billing accounts x 2 billing periods
    (``TEST_PERIODS``) with ``NULL`` cells, lower-case enumerations, minute-only timestamps
    and numbers padded with blanks. Returns its ground truth, computed while writing:
    ``{(provider, billing account, "YYYY-MM", currency): {"rows": n, "billed_cost": Decimal}}``.
    """
    items, chosen = _test_accounts(seed)
    rows: list[dict[str, Any]] = []
    truth: dict = {}
    for label in TEST_PERIODS:
        month = month_range(label, 1)[0]
        for a in chosen:
            part = partition_rows(seed, a, items, month)
            rows.extend(part)
            truth.update(_truth(a, month, part))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text, _ = render(rows, seed, "messy", spaces=True)
    path.write_text(text, encoding="utf-8")
    return truth


def write_focus_partition_file(
    path: str | Path,
    provider: str,
    billing_period: str,
    seed: int = 42,
    credit: str = "-25",
) -> dict:
    """Write a later FOCUS file holding only one account-month of ``write_messy_focus_file``
    (the provider's account there), restated with a credit row of ``credit``. Returns its
    ground truth in the same shape (one key)."""
    items, chosen = _test_accounts(seed)
    account = next(a for a in chosen if a.provider == provider)
    month = month_range(billing_period, 1)[0]
    rows = partition_rows(seed, account, items, month, credit=units(credit))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text, _ = render(rows, seed, "partition", spaces=True)
    path.write_text(text, encoding="utf-8")
    return _truth(account, month, rows)
