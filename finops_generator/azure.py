"""Azure cost details for a Microsoft Customer Agreement (MCA) billing profile.

Two datasets per month, actual and amortized, sharing the 65-column camelCase MCA header of
``dataVersion 2023-12-01-preview`` (reference 4.2) with a UTF-8 BOM, ``MM/DD/YYYY`` dates and
braceless ``tags`` JSON. Billing currency EUR, pricing currency USD: prices are in USD and
``costInBillingCurrency = costInPricingCurrency x exchangeRatePricingToBilling`` exactly (USD
costs have at most 6 decimals, rates 4). A monthly-billed VM reservation appears as a
``Purchase`` in the actual export (covered usage at cost 0) and as costed usage plus
``UnusedReservation`` rows in the amortized export, so both exports total the same per month.

Delivered as Microsoft delivers them: actual cost by a scheduled, partitioned export whose
name says nothing about the dataset (``<export>/<yyyymmdd-yyyymmdd>/<runId>/part_<n>_0001.csv``
plus the run's ``manifest.json``, API 2023-07-01-preview, which names the type), amortized
cost as one CSV downloaded from the portal (``downloads/<billing profile>_<yyyymm>.csv``): only
its content (``UnusedReservation`` rows, costed reservation usage) says it is amortized.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._textio import TextFile, csv_cell, csv_escape, join_pieces, set_mtime, sha256_of
from ._units import digits, fmt, fmt_array, guid, hexid, stable_int, units, words
from .company import AZURE_TAGS, make_tags, pick_untagged
from .grid import Schedule, count_active, daily_factor, slots
from .grid import cells as grid_cells
from .periods import Month, iso

COLUMNS = words(
    "invoiceId previousInvoiceId billingAccountId billingAccountName billingProfileId "
    "billingProfileName invoiceSectionId invoiceSectionName resellerName resellerMpnId "
    "costCenter billingPeriodEndDate billingPeriodStartDate servicePeriodEndDate "
    "servicePeriodStartDate date serviceFamily productOrderId productOrderName consumedService "
    "meterId meterName meterCategory meterSubCategory meterRegion ProductId ProductName "
    "SubscriptionId subscriptionName publisherType publisherId publisherName resourceGroupName "
    "ResourceId resourceLocation location effectivePrice quantity unitOfMeasure chargeType "
    "billingCurrency pricingCurrency costInBillingCurrency costInPricingCurrency costInUsd "
    "paygCostInBillingCurrency paygCostInUsd exchangeRatePricingToBilling exchangeRateDate "
    "isAzureCreditEligible serviceInfo1 serviceInfo2 additionalInfo tags PayGPrice frequency "
    "term reservationId reservationName pricingModel unitPrice costAllocationRuleName "
    "benefitId benefitName provider"
)
INVOICE_ISSUER = "Microsoft Ireland Operations Limited"
MDY = "%m/%d/%Y"
SCALE_USD = 6
CHUNK_ROWS = 100_000
"""Rows built at once (two exports of ~1 kB rows each)."""
"""USD costs are int units of 1e-6; EUR costs int units of 1e-10 (x rate with 4 decimals)."""


@dataclass(frozen=True)
class Meter:
    service_family: str
    consumed_service: str
    category: str
    subcategory: str
    name: str
    unit: str
    price: str
    """PAYG unit price in USD, at most 4 decimals."""
    qty: str
    """Quantity per day before noise (at most 2 decimals)."""
    provider: str
    resource_type: str
    service_type: str = ""
    vcpus: int = 0
    noise: float = 0.1
    weekly: float = 0.3

    def product(self, region: str) -> str:
        return f"{self.category} {self.subcategory} - {self.name} - {region}"


def vm(size: str, subcat: str, price: str, vcpus: int, hours: str = "24") -> Meter:
    return Meter(
        "Compute",
        "Microsoft.Compute",
        "Virtual Machines",
        subcat,
        size,
        "1 Hour",
        price,
        hours,
        "Microsoft.Compute",
        "virtualMachines",
        f"Standard_{size.replace(' ', '_')}",
        vcpus,
        noise=0.0,
        weekly=0.0,
    )


@dataclass
class Subscription:
    name: str
    team: str
    section: str

    def id(self, seed: int) -> str:
        return guid(seed, "azure-sub", self.name)


@dataclass
class AzResource:
    name: str
    sub: Subscription
    group: str
    meter: Meter
    team: str
    env: str
    start_h: int = 0
    end_h: int = 2**40
    down: tuple[int, int] = (-1, -1)
    office: bool = False
    reserved: bool = False
    casing_drift: bool = False
    tagged: bool = True
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Reservation:
    size: str
    count: int
    price: str
    """Effective USD price per covered hour (monthly payment, so upfront 0)."""
    meter: Meter


@dataclass
class Profile:
    resources: list[AzResource]
    reservation: Reservation
    spikes: list[tuple[int, int, int, str, str]]


EXCHANGE = ("0.9213", "0.9178", "0.9305", "0.9251", "0.9189", "0.9342")
REGION = "EU West"
LOCATION = "westeurope"


def profile(seed: int, months: list[Month], fleet: int) -> Profile:
    lo, hi = months[0].start_h - 24 * 60, months[-1].end_h + 24 * 60
    checkout = Subscription("kc-eu-checkout-prod", "checkout", "Commerce")
    payments = Subscription("kc-eu-payments-prod", "payments", "Commerce")
    platform = Subscription("kc-eu-platform", "platform", "Platform")
    dev = Subscription("kc-eu-dev", "platform", "Platform")
    d4 = vm("D4s v5", "Dsv5 Series", "0.2160", 4)
    down_month = months[1] if len(months) > 1 else months[0]
    down = (down_month.start_h + 24 * 4, down_month.start_h + 24 * 12)

    def res(
        name: str,
        sub: Subscription,
        group: str,
        meter: Meter,
        team: str,
        env: str = "prod",
        **kw: Any,
    ) -> AzResource:
        return AzResource(name, sub, group, meter, team, env, lo, hi, **kw)

    out = [
        res("vm-checkout-web-1", checkout, "rg-checkout-prod", d4, "checkout", reserved=True),
        res(
            "vm-checkout-web-2",
            checkout,
            "rg-checkout-prod",
            d4,
            "checkout",
            reserved=True,
            down=down,
            casing_drift=True,
        ),
        res(
            "vm-checkout-web-1_OsDisk_1",
            checkout,
            "rg-checkout-prod",
            Meter(
                "Storage",
                "Microsoft.Compute",
                "Storage",
                "Premium SSD Managed Disks",
                "P10 LRS Disk",
                "1/Month",
                "21.6800",
                "0.03",
                "Microsoft.Compute",
                "disks",
                noise=0,
                weekly=0,
            ),
            "checkout",
        ),
        res(
            "sql-checkout",
            checkout,
            "rg-checkout-prod",
            Meter(
                "Databases",
                "Microsoft.Sql",
                "SQL Database",
                "General Purpose - Compute Gen5",
                "vCore",
                "1 Hour",
                "0.2522",
                "96",
                "Microsoft.Sql",
                "servers/databases",
                noise=0,
                weekly=0,
            ),
            "checkout",
        ),
        res(
            "asp-payments-p1v3",
            payments,
            "rg-payments-prod",
            Meter(
                "Compute",
                "Microsoft.Web",
                "Azure App Service",
                "Premium v3 Plan",
                "P1 v3 App",
                "1 Hour",
                "0.2190",
                "48",
                "Microsoft.Web",
                "serverfarms",
                noise=0,
                weekly=0,
            ),
            "payments",
        ),
        res(
            "kv-payments-prod",
            payments,
            "rg-payments-prod",
            Meter(
                "Security",
                "Microsoft.KeyVault",
                "Key Vault",
                "Standard",
                "Operations",
                "10K",
                "0.0300",
                "85",
                "Microsoft.KeyVault",
                "vaults",
            ),
            "payments",
        ),
        res(
            "stpaymentsarchive",
            payments,
            "rg-payments-prod",
            Meter(
                "Storage",
                "Microsoft.Storage",
                "Storage",
                "General Block Blob v2",
                "Hot LRS Data Stored",
                "1 GB/Month",
                "0.0196",
                "26.45",
                "Microsoft.Storage",
                "storageAccounts",
                noise=0.01,
                weekly=0,
            ),
            "payments",
        ),
        res(
            "aks-platform-nodes",
            platform,
            "MC_rg-platform_aks-platform_westeurope",
            vm("D8s v5", "Dsv5 Series", "0.4320", 8, hours="72"),
            "platform",
        ),
        res(
            "log-platform",
            platform,
            "rg-platform-observability",
            Meter(
                "Management and Governance",
                "Microsoft.OperationalInsights",
                "Log Analytics",
                "Analytics Logs",
                "Analytics Logs Data Ingestion",
                "1 GB",
                "2.7600",
                "14",
                "Microsoft.OperationalInsights",
                "workspaces",
            ),
            "platform",
        ),
        res(
            "fw-platform-hub",
            platform,
            "rg-platform-network",
            Meter(
                "Networking",
                "Microsoft.Network",
                "Azure Firewall",
                "Standard",
                "Standard Deployment",
                "1 Hour",
                "1.2500",
                "24",
                "Microsoft.Network",
                "azureFirewalls",
                noise=0,
                weekly=0,
            ),
            "platform",
        ),
        res(
            "lb-checkout-public",
            checkout,
            "rg-checkout-prod",
            Meter(
                "Networking",
                "Microsoft.Network",
                "Bandwidth",
                "Inter-Region",
                "Standard Data Transfer Out",
                "1 GB",
                "0.0870",
                "240",
                "Microsoft.Network",
                "loadBalancers",
            ),
            "checkout",
            casing_drift=True,
        ),
        res(
            "vm-dev-payments-1",
            dev,
            "rg-dev",
            vm("B2ms", "BS Series", "0.0832", 2, "12"),
            "payments",
            "dev",
            office=True,
        ),
    ]
    types = [
        ("D2s v5", "Dsv5 Series", "0.1080", 2),
        ("B4ms", "BS Series", "0.1660", 4),
        ("E4s v5", "Esv5 Series", "0.2520", 4),
    ]
    subs = [(checkout, "checkout"), (payments, "payments"), (platform, "platform")]
    span = months[-1].end_h - months[0].start_h
    for i in range(fleet):
        h = stable_int(seed, "azure-fleet", i)
        sub, team = subs[h % len(subs)]
        size, sc, price, cpus = types[(h >> 8) % len(types)]
        start, end = lo, hi
        if (h >> 16) % 10 < 4:
            start = months[0].start_h + ((h >> 20) % max(span // 24 - 3, 1)) * 24
            end = start + 24 * (3 + (h >> 40) % (span // 24))
        out.append(
            AzResource(
                f"vmss-{team}-worker-{i}",
                sub,
                f"rg-{team}-workers",
                vm(size, sc, price, cpus),
                team,
                "prod",
                start,
                end,
            )
        )
    log = next(i for i, x in enumerate(out) if x.name == "log-platform")
    return Profile(
        out,
        Reservation("D4s v5", 2, "0.1270", d4),
        [(log, 0, 23, "160", "debug logging left on in the AKS ingress controller")],
    )


def finalize(p: Profile, seed: int, expected: np.ndarray) -> None:
    eligible = np.array([x.team != "platform" for x in p.resources])
    untagged = pick_untagged(expected, eligible, stable_int(seed, "azure", "untag"))
    for x, u in zip(p.resources, untagged, strict=True):
        x.tagged = not u
        x.tags = make_tags(AZURE_TAGS, seed, x.name, x.team, x.env, x.tagged)


def braceless(tags: dict[str, str]) -> str:
    """Azure actual/amortized ``tags``: JSON object text without the braces (reference 4.4)."""
    return ",".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in tags.items())


# Columns that are attributes of a resource: built once per resource, then taken per row.
_PER_RESOURCE = (
    "invoiceSectionId",
    "invoiceSectionName",
    "costCenter",
    "serviceFamily",
    "consumedService",
    "meterId",
    "meterName",
    "meterCategory",
    "meterSubCategory",
    "ProductId",
    "ProductName",
    "SubscriptionId",
    "subscriptionName",
    "resourceGroupName",
    "unitOfMeasure",
    "tags",
)


class AzureEngine:
    def __init__(self, p: Profile, months: list[Month], seed: int) -> None:
        self.p = p
        self.months = months
        self.seed = seed
        res = p.resources
        self.n = len(res)
        self._key = stable_int(seed, "azure", "qty")
        self.account_id = f"{guid(seed, 'mca-a')}:{guid(seed, 'mca-b')}_2019-05-31"
        self.profile_id = _code(seed, "profile")
        self.sections = {s: _code(seed, "section", s) for s in ("Commerce", "Platform")}
        self.order_id = guid(seed, "azure-ri-order")
        self.reservation_id = guid(seed, "azure-ri")
        self.benefit_id = (
            f"/providers/Microsoft.Capacity/reservationOrders/{self.order_id}/"
            f"reservations/{self.reservation_id}"
        )
        self.benefit_name = f"VM_RI_{p.reservation.size.replace(' ', '_')}_checkout"
        self.plan_order = guid(seed, "azure-plan")

        def ids(x: AzResource, drift: bool) -> str:
            rg = x.group.upper() if drift else x.group
            groups = "resourcegroups" if drift else "resourceGroups"
            return (
                f"/subscriptions/{x.sub.id(seed)}/{groups}/{rg}/providers/"
                f"{x.meter.provider}/{x.meter.resource_type}/{x.name}"
            )

        cols: dict[str, list[str]] = {
            k: []
            for k in (
                *_PER_RESOURCE,
                "ResourceId",
                "ResourceIdDrift",
                "additionalInfo",
                "additionalInfoRI",
            )
        }
        for x in res:
            m = x.meter
            cols["invoiceSectionId"].append(self.sections[x.sub.section])
            cols["invoiceSectionName"].append(x.sub.section)
            cols["costCenter"].append("")
            cols["serviceFamily"].append(m.service_family)
            cols["consumedService"].append(m.consumed_service)
            cols["meterId"].append(guid(seed, "meter", m.category, m.subcategory, m.name))
            cols["meterName"].append(m.name)
            cols["meterCategory"].append(m.category)
            cols["meterSubCategory"].append(m.subcategory)
            cols["ProductId"].append(
                hexid(12, m.category, m.name).upper() + "/00" + hexid(2, m.name).upper()
            )
            cols["ProductName"].append(m.product(REGION))
            cols["SubscriptionId"].append(x.sub.id(seed))
            cols["subscriptionName"].append(x.sub.name)
            cols["resourceGroupName"].append(x.group)
            cols["ResourceId"].append(ids(x, False))
            cols["ResourceIdDrift"].append(ids(x, x.casing_drift))
            cols["unitOfMeasure"].append(m.unit)
            info = (
                {
                    "UsageType": "ComputeHR",
                    "ImageType": "Canonical",
                    "ServiceType": m.service_type,
                    "VMName": x.name,
                    "VCPUs": m.vcpus,
                }
                if m.service_type
                else {}
            )
            cols["additionalInfo"].append(json.dumps(info, separators=(",", ":")) if info else "")
            info_ri = (
                {**info, "ReservationOrderId": self.order_id, "ReservationId": self.reservation_id}
                if x.reserved
                else info
            )
            cols["additionalInfoRI"].append(
                json.dumps(info_ri, separators=(",", ":")) if info_ri else ""
            )
            cols["tags"].append(braceless(x.tags))
        self.cols = {k: csv_escape(pa.array(v, pa.string())) for k, v in cols.items()}
        self.resource_ids = [ids(x, False) for x in res]
        self.price4 = np.array([units(x.meter.price, 4) for x in res], np.int64)
        self.qty2 = np.array([units(x.meter.qty, 2) for x in res], np.int64)
        self.noise = np.array([x.meter.noise for x in res])
        self.weekly = np.array([x.meter.weekly for x in res])
        self.reserved = np.array([x.reserved for x in res], dtype=bool)
        self.drift = np.array([x.casing_drift for x in res], dtype=bool)
        self.sched = Schedule.build([(x.start_h, x.end_h, *x.down, x.office) for x in res])
        self.ri_price4 = units(p.reservation.price, 4)
        self.spikes = []
        for ri, mi, day, extra, _ in p.spikes:
            if mi < len(months):
                self.spikes.append((ri, months[mi].start_h + 24 * (day - 1), units(extra, 2)))

    def rate4(self, month: Month) -> int:
        return units(EXCHANGE[(month.month - 1) % len(EXCHANGE)], 4)

    def active_counts(self, month: Month) -> np.ndarray:
        res = np.arange(self.n)
        return count_active(res, slots(month.start_h, month.end_h, True), self.sched, True, self.n)

    def expected_rows(self, month: Month, counts: np.ndarray) -> int:
        return 2 * int(counts.sum()) + 12

    def expected_list_cost(self, counts: list[np.ndarray]) -> np.ndarray:
        return (np.sum(counts, axis=0) * self.qty2 * self.price4 * 10**4).astype(float)

    def invoice_id(self, month: Month) -> str:
        return "G" + digits(9, self.seed, "azure-invoice", month.label)

    def month_text(self, month: Month, st: AzStats, parts: int = 1) -> Any:
        """Yield (part, actual bytes, amortized bytes) chunks for one month: the days split
        into ``parts`` consecutive runs (the export's partitions), the reservation rows last."""
        st.list_usd = np.zeros(self.n, np.int64)
        rate = self.rate4(month)
        days = slots(month.start_h, month.end_h, True)
        for part, run in enumerate(np.array_split(days, parts)):
            for r, s in grid_cells(np.arange(self.n), run, self.sched, True, CHUNK_ROWS):
                yield (part, *self._bulk(month, st, r, s, rate))
        yield (parts - 1, *self._specials(month, st, rate))

    def _const(self, month: Month) -> dict[str, str]:
        last = month.end_s - 86400
        return {
            "invoiceId": self.invoice_id(month),
            "previousInvoiceId": "",
            "billingAccountId": self.account_id,
            "billingAccountName": "Kestrel Commerce Europe B.V.",
            "billingProfileId": self.profile_id,
            "billingProfileName": "Kestrel Commerce EU",
            "resellerName": "",
            "resellerMpnId": "",
            "billingPeriodEndDate": iso(last, MDY),
            "billingPeriodStartDate": iso(month.start_s, MDY),
            "servicePeriodEndDate": iso(last, MDY),
            "servicePeriodStartDate": iso(month.start_s, MDY),
            "meterRegion": REGION,
            "publisherType": "Microsoft",
            "publisherId": "",
            "publisherName": "Microsoft",
            "resourceLocation": LOCATION,
            "location": REGION,
            "billingCurrency": "EUR",
            "pricingCurrency": "USD",
            "exchangeRatePricingToBilling": EXCHANGE[(month.month - 1) % len(EXCHANGE)],
            "exchangeRateDate": iso(month.start_s, MDY),
            "isAzureCreditEligible": "True",
            "serviceInfo1": "",
            "serviceInfo2": "",
            "costAllocationRuleName": "",
            "provider": "Azure",
        }

    def _bulk(
        self, month: Month, st: AzStats, r: np.ndarray, s: np.ndarray, rate: int
    ) -> tuple[bytes, bytes]:
        n = len(r)
        qty = self.qty2[r].copy()
        f = daily_factor(self._key, r, s, self.noise[r], self.weekly[r])
        qty = np.maximum(np.round(qty * f), 1).astype(np.int64)
        for i, (sr, sh, extra) in enumerate(self.spikes):
            hit = (r == sr) & (s == sh)
            if hit.any():
                qty[hit] += extra
                st.spikes.append((i, extra * int(self.price4[sr]) * rate))
        payg = self.price4[r]
        payg_usd = qty * payg  # 1e-6
        covered = self.reserved[r]
        ri_usd = qty * self.ri_price4
        # Reserved hours per day = count x 24; what covered VMs did not use is unused.
        days = np.unique(s)
        used = np.zeros(len(days), np.int64)
        np.add.at(used, np.searchsorted(days, s[covered]), qty[covered])
        st.unused.extend(zip(days.tolist(), used.tolist(), strict=True))
        np.add.at(st.list_usd, r, payg_usd)
        st.rows_bulk += n
        drift = self.drift[r] & ((s // 24) % 2 == 1)
        const = self._const(month)
        date = _dates(s)
        ri = pa.array(r)
        base = {
            **{k: self.cols[k].take(ri) for k in _PER_RESOURCE},
            "ResourceId": pc.if_else(
                pa.array(drift),
                self.cols["ResourceIdDrift"].take(ri),
                self.cols["ResourceId"].take(ri),
            ),
            "date": date,
            "productOrderId": self.plan_order,
            "productOrderName": "Azure plan",
            "quantity": fmt_array(qty, 2),
            "chargeType": "Usage",
            "paygCostInBillingCurrency": fmt_array(payg_usd * rate),
            "paygCostInUsd": fmt_array(payg_usd, SCALE_USD),
            "PayGPrice": fmt_array(payg, 4),
            "unitPrice": fmt_array(payg, 4),
            "frequency": "UsageBased",
            "term": "",
        }
        out = []
        for amortized in (False, True):
            usd = np.where(covered, ri_usd if amortized else 0, payg_usd)
            eff = np.where(covered, self.ri_price4 if amortized else 0, payg)
            cells = {
                **const,
                **base,
                "effectivePrice": fmt_array(eff, 4),
                "costInBillingCurrency": fmt_array(usd * rate),
                "costInPricingCurrency": fmt_array(usd, SCALE_USD),
                "costInUsd": fmt_array(usd, SCALE_USD),
                "additionalInfo": pc.if_else(
                    pa.array(covered),
                    self.cols["additionalInfoRI"].take(ri),
                    self.cols["additionalInfo"].take(ri),
                ),
                "reservationId": _flag(covered, self.reservation_id),
                "reservationName": _flag(covered, self.benefit_name),
                "pricingModel": pc.if_else(pa.array(covered), "Reservation", "OnDemand"),
                "benefitId": _flag(covered, self.benefit_id),
                "benefitName": _flag(covered, self.benefit_name),
            }
            total = int((usd * rate).sum())
            st.cost[amortized] += total
            pieces: list[pa.Array | str] = []
            for i, name in enumerate(COLUMNS):
                v = cells[name]
                pieces.append(csv_cell(v) if isinstance(v, str) else v)
                pieces.append("\n" if i == len(COLUMNS) - 1 else ",")
            out.append(join_pieces(pieces, n))
        return out[0], out[1]

    def _specials(self, month: Month, st: AzStats, rate: int) -> tuple[bytes, bytes]:
        const = self._const(month)
        ri = self.p.reservation
        m = ri.meter
        x = next(x for x in self.p.resources if x.reserved)
        ri_cols = {
            "invoiceSectionId": self.sections[x.sub.section],
            "invoiceSectionName": x.sub.section,
            "costCenter": "",
            "SubscriptionId": x.sub.id(self.seed),
            "subscriptionName": x.sub.name,
            "resourceGroupName": "",
            "ResourceId": "",
            "reservationName": self.benefit_name,
            "pricingModel": "Reservation",
            "benefitName": self.benefit_name,
            "additionalInfo": "",
            "tags": "",
            "term": "12",
            "PayGPrice": "0",
        }
        order_name = f"Reserved VM Instance, Standard_{ri.size.replace(' ', '_')}, {REGION}, 1 Year"
        actual: list[dict[str, str]] = []
        amortized: list[dict[str, str]] = []
        # Actual: the monthly reservation payment (recurring purchase) on the 1st.
        fee_usd = self.ri_price4 * ri.count * 24 * month.days
        actual.append(
            {
                **const,
                **ri_cols,
                "date": iso(month.start_s, MDY),
                "serviceFamily": "Compute",
                "productOrderId": self.order_id,
                "productOrderName": order_name,
                "consumedService": "Microsoft.Capacity",
                "meterId": "",
                "meterName": "",
                "meterCategory": "",
                "meterSubCategory": "",
                "ProductId": hexid(12, "reservation", ri.size).upper(),
                "ProductName": order_name,
                "ResourceId": f"/providers/Microsoft.Capacity/reservationOrders/{self.order_id}",
                "effectivePrice": fmt(fee_usd, 4),
                "unitPrice": fmt(fee_usd, 4),
                "quantity": "1",
                "unitOfMeasure": "1 Hour",
                "chargeType": "Purchase",
                "costInBillingCurrency": fmt(fee_usd * rate * 100),
                "costInPricingCurrency": fmt(fee_usd, 4),
                "costInUsd": fmt(fee_usd, 4),
                "paygCostInBillingCurrency": "0",
                "paygCostInUsd": "0",
                "frequency": "Recurring",
                "reservationId": self.order_id,
                "benefitId": f"/providers/Microsoft.Capacity/reservationOrders/{self.order_id}/"
                "reservations/",
            }
        )
        st.cost[False] += fee_usd * rate * 100
        # Amortized: what the reserved hours did not cover, per day.
        per_day = dict.fromkeys(range(month.start_h, month.end_h, 24), 0)  # day start hours
        for day, used in st.unused:
            per_day[day] = per_day.get(day, 0) + used
        unused_total = 0
        for day in sorted(per_day):
            unused = ri.count * 24 * 100 - per_day[day]
            if unused <= 0:
                continue
            usd = unused * self.ri_price4
            unused_total += usd
            amortized.append(
                {
                    **const,
                    **ri_cols,
                    "date": iso(day * 3600, MDY),
                    "serviceFamily": m.service_family,
                    "productOrderId": self.order_id,
                    "productOrderName": order_name,
                    "consumedService": "Microsoft.Capacity",
                    "meterId": guid(self.seed, "meter", m.category, m.subcategory, m.name),
                    "meterName": m.name,
                    "meterCategory": m.category,
                    "meterSubCategory": m.subcategory,
                    "ProductId": hexid(12, m.category, m.name).upper()
                    + "/00"
                    + hexid(2, m.name).upper(),
                    "ProductName": m.product(REGION),
                    "effectivePrice": fmt(self.ri_price4, 4),
                    "unitPrice": fmt(self.ri_price4, 4),
                    "quantity": fmt(unused, 2),
                    "unitOfMeasure": m.unit,
                    "chargeType": "UnusedReservation",
                    "costInBillingCurrency": fmt(usd * rate),
                    "costInPricingCurrency": fmt(usd, SCALE_USD),
                    "costInUsd": fmt(usd, SCALE_USD),
                    "paygCostInBillingCurrency": "0",
                    "paygCostInUsd": "0",
                    "frequency": "UsageBased",
                    "reservationId": self.reservation_id,
                    "benefitId": self.benefit_id,
                }
            )
            st.cost[True] += usd * rate
        fee_usd6 = fee_usd * 100
        st.ri_util = ((fee_usd6 - unused_total) * rate, unused_total * rate)
        st.rows_actual = st.rows_bulk + len(actual)
        st.rows_amortized = st.rows_bulk + len(amortized)
        return _rows_text(actual), _rows_text(amortized)


def _rows_text(rows: list[dict[str, str]]) -> bytes:
    return "".join(",".join(csv_cell(row[c]) for c in COLUMNS) + "\n" for row in rows).encode()


def _flag(mask: np.ndarray, value: str) -> pa.Array:
    return pc.if_else(pa.array(mask), csv_cell(value), "")


def _dates(s: np.ndarray) -> pa.Array:
    days = s // 24
    lo = int(days.min())
    table = pa.array([iso(d * 86400, MDY) for d in range(lo, int(days.max()) + 1)])
    return table.take(pa.array(days - lo))


def _code(seed: int, *parts: object) -> str:
    """MCA billing profile / invoice section ids: 4-4-3-3 upper-case codes."""
    h = hexid(14, seed, *parts).upper()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    chars = "".join(alphabet[int(c, 16) * 2 % len(alphabet)] for c in h)
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:11]}-{chars[11:14]}"


@dataclass
class AzStats:
    rows_bulk: int = 0
    rows_actual: int = 0
    rows_amortized: int = 0
    cost: dict[bool, int] = field(default_factory=lambda: {False: 0, True: 0})
    """EUR (1e-10) per export: False = actual, True = amortized."""
    list_usd: np.ndarray | None = None
    unused: list[tuple[int, int]] = field(default_factory=list)
    spikes: list[tuple[int, int]] = field(default_factory=list)
    ri_util: tuple[int, int] = (0, 0)


EXPORT = "kc-billing-profile-monthly"
"""The scheduled actual-cost export; like most customers' export names, it does not say which
dataset it holds (the manifest's ``exportConfig.type`` does)."""
PARTS = 2
ROOT_FOLDER = "azure"
"""The export's ``rootFolderPath``: blob names are then paths relative to the landing."""


def _write_month(root: Path, eng: AzureEngine, month: Month, gt: Any) -> AzStats:
    """The actual-cost export run (PARTS parts + manifest) and the amortized download."""
    from .ground_truth import DeliveryRecord, FileRecord, Partition

    period = f"{month.start:%Y%m%d}-{iso(month.end_s - 86400, '%Y%m%d')}"
    run = guid(eng.seed, EXPORT, month.label, "run")
    run_dir = root / "azure" / EXPORT / period / run
    actual = [TextFile(run_dir / f"part_{n}_0001.csv", bom=True) for n in range(PARTS)]
    amortized = TextFile(
        root / "azure" / "downloads" / f"{eng.profile_id}_{month.yyyymm}.csv", bom=True
    )
    header = (",".join(COLUMNS) + "\n").encode()
    for f in (*actual, amortized):
        f.write(header)
    st = AzStats()
    rows, cost = [0] * PARTS, [0] * PARTS
    seen_rows = seen_cost = 0
    for part, actual_text, amortized_text in eng.month_text(month, st, PARTS):
        actual[part].write(actual_text)
        amortized.write(amortized_text)
        # The chunk was built when it was yielded: its rows and cost are what the stats grew
        # by since the previous one (the last chunk, the reservation rows, sets rows_actual).
        now_rows = max(st.rows_bulk, st.rows_actual)
        rows[part] += now_rows - seen_rows
        cost[part] += st.cost[False] - seen_cost
        seen_rows, seen_cost = now_rows, st.cost[False]
    if min(rows) == 0 or sum(rows) != st.rows_actual or sum(cost) != st.cost[False]:
        raise AssertionError(f"azure {month.label}: parts {rows} do not add up")
    mtime = month.next_at(5, 4)
    for f in (*actual, amortized):
        f.close()
    manifest = run_dir / "manifest.json"
    manifest.write_text(
        json.dumps(_manifest(eng, month, run, period, actual, rows, mtime), indent=2) + "\n",
        encoding="utf-8",
    )
    for p in (*(f.path for f in actual), amortized.path, manifest):
        set_mtime(p, mtime)
    rel = [f.path.relative_to(root.parent).as_posix() for f in actual]
    account = eng.account_id
    for f, path, n, total in zip(actual, rel, rows, cost, strict=True):
        gt.files.append(
            FileRecord(
                path=path,
                format="azure_actual",
                billing_account_id=account,
                billing_period=month.label,
                rows=n,
                cost_total=total,
                currency="EUR",
                superseded=False,
                delivered_at=iso(mtime),
                bytes=f.path.stat().st_size,
                sha256=sha256_of(f.path),
                delivery=run,
                partitions=[Partition("Microsoft", account, month.label, "EUR", n, total)],
            )
        )
    gt.deliveries.append(
        DeliveryRecord(
            delivery=run,
            format="azure_actual",
            manifest=manifest.relative_to(root.parent).as_posix(),
            parts=rel,
            delivered_at=iso(mtime),
            superseded=False,
            dataset="actual",
            dataset_hint="manifest",
        )
    )
    path = amortized.path.relative_to(root.parent).as_posix()
    gt.files.append(
        FileRecord(
            path=path,
            format="azure_amortized",
            billing_account_id=account,
            billing_period=month.label,
            rows=st.rows_amortized,
            cost_total=st.cost[True],
            currency="EUR",
            superseded=False,
            delivered_at=iso(mtime),
            bytes=amortized.path.stat().st_size,
            sha256=sha256_of(amortized.path),
            delivery=path,
        )
    )
    gt.deliveries.append(
        DeliveryRecord(
            delivery=path,
            format="azure_amortized",
            manifest=None,
            parts=[path],
            delivered_at=iso(mtime),
            superseded=False,
            dataset="amortized",
            dataset_hint="content",
        )
    )
    return st


def _manifest(
    eng: AzureEngine,
    month: Month,
    run: str,
    period: str,
    parts: list[TextFile],
    rows: list[int],
    delivered_s: int,
) -> dict[str, Any]:
    """The run's ``manifest.json`` in the shape of Cost Management exports (2023-07-01-preview)."""
    blobs = [
        {
            "blobName": f"{ROOT_FOLDER}/{EXPORT}/{period}/{run}/{f.path.name}",
            "byteCount": f.path.stat().st_size,
            "dataRowCount": n,
        }
        for f, n in zip(parts, rows, strict=True)
    ]
    account = eng.account_id
    return {
        "manifestVersion": "2024-04-01",
        "byteCount": sum(b["byteCount"] for b in blobs),
        "blobCount": len(blobs),
        "dataRowCount": sum(rows),
        "exportConfig": {
            "exportName": EXPORT,
            "resourceId": f"/providers/Microsoft.Billing/billingAccounts/{account}/"
            f"billingProfiles/{eng.profile_id}/providers/Microsoft.CostManagement/exports/{EXPORT}",
            "dataVersion": "2023-12-01-preview",
            "apiVersion": "2023-07-01-preview",
            "type": "ActualCost",
            "timeFrame": "TheLastMonth",
            "granularity": "Daily",
        },
        "deliveryConfig": {
            "partitionData": True,
            "dataOverwriteBehavior": "OverwritePreviousReport",
            "fileFormat": "Csv",
            "containerUri": f"/subscriptions/{guid(eng.seed, 'azure-storage-sub')}/resourceGroups/"
            "kc-finops/providers/Microsoft.Storage/storageAccounts/kestrelcostexports",
            "rootFolderPath": ROOT_FOLDER,
        },
        "runInfo": {
            "executionType": "Scheduled",
            "submittedTime": iso(delivered_s - 1800, "%Y-%m-%dT%H:%M:%S.0000000Z"),
            "runId": run,
            "startDate": iso(month.start_s, "%Y-%m-%dT%H:%M:%S"),
            "endDate": iso(month.end_s - 86400, "%Y-%m-%dT%H:%M:%S"),
        },
        "blobs": blobs,
    }


def generate(root: Path, eng: AzureEngine, gt: Any, progress: Any) -> None:
    from .ground_truth import CommitmentRecord, InvoiceRecord, SpikeRecord

    ri = eng.p.reservation
    start = eng.months[0].start_s - 86400 * 45
    commitment = CommitmentRecord(
        id=eng.benefit_id,
        provider="Microsoft",
        format="azure_amortized",
        billing_account_id=eng.account_id,
        type="Reservation",
        category="Usage",
        term="P1Y",
        start=iso(start),
        end=iso(start + 365 * 86400),
        payment_option="Monthly",
        upfront=0,
        recurring_fee=units(ri.price) * ri.count,
        recurring_fee_period="hour",
        currency="EUR",
        scope=f"single subscription kc-eu-checkout-prod, {ri.count} x Standard_"
        f"{ri.size.replace(' ', '_')} in {REGION}",
        description=f"{eng.benefit_name}: recurring fee in USD (pricing currency); "
        "utilization in EUR (billing currency)",
    )
    gt.commitments.append(commitment)
    for month in eng.months:
        st = _write_month(root, eng, month, gt)
        gt.totals[("azure_actual", eng.account_id, month.label, "EUR")] += st.cost[False]
        gt.invoices.append(
            InvoiceRecord(
                invoice_id=eng.invoice_id(month),
                invoice_issuer=INVOICE_ISSUER,
                provider="Microsoft",
                billing_account_id=eng.account_id,
                billing_period=month.label,
                currency="EUR",
                amount=st.cost[False],
                issue_date=iso(month.next_at(3), "%Y-%m-%d"),
                source_format="azure_actual",
                kind="monthly",
            )
        )
        commitment.utilization[month.label] = st.ri_util
        for i, extra in st.spikes:
            ri_, mi, day, _, desc = eng.p.spikes[i]
            x = eng.p.resources[ri_]
            gt.spikes.append(
                SpikeRecord(
                    kind="spike",
                    provider="Microsoft",
                    format="azure_actual",
                    billing_account_id=eng.account_id,
                    billing_period=month.label,
                    resource_id=eng.resource_ids[ri_],
                    date=iso(eng.months[mi].day_at(day), "%Y-%m-%d"),
                    extra_cost=extra,
                    currency="EUR",
                    team=x.team,
                    description=desc,
                )
            )
        tagged = np.array([x.tagged for x in eng.p.resources])
        gt.add_usage_cost(
            "azure_actual", int(st.list_usd[~tagged].sum()) * 10**4, int(st.list_usd.sum()) * 10**4
        )
        for i, x in enumerate(eng.p.resources):
            if st.list_usd[i]:
                gt.resource_owners[eng.resource_ids[i]] = x.team
        if progress:
            progress(
                f"azure {month.label}: {st.rows_actual:,} actual, "
                f"{st.rows_amortized:,} amortized rows"
            )
