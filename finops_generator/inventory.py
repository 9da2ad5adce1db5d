"""Commitment inventories: the providers' own lists of reservations and CUDs, one per snapshot.

The billing exports give no term dates for an Azure reservation or a GCP commitment; their
inventories do. Snapshots are taken on a month's last day at 23:00 UTC and written as the CLIs
print them (a pretty-printed JSON array):

- ``az reservations reservation list`` (Microsoft.Capacity reservation resources, API
  2022-11-01 field names), every month (utilization and etag change monthly) ->
  ``azure/reservations/billingAccounts/<account>/reservations_<YYYY-MM-DD>.json``;
- ``gcloud compute commitments list --format=json`` (Compute Engine Commitment resources, keys
  sorted, times in US Pacific with their offset), in the last month only (an unchanged list
  would be the same bytes, a duplicate delivery) -> ``gcp/commitments/billingAccounts/
  <account>/commitments_<YYYY-MM-DD>.json``.

Each list holds the billed commitment of the exports (start and end from its ground-truth
record) and one that expired before the generated window, so it never appears on a bill. The
billed Azure reservation gets auto-renew switched on in the last snapshot: a later snapshot
must win over an earlier one.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ._textio import set_mtime, sha256_of
from ._units import digits, guid
from .azure import LOCATION, REGION, AzureEngine
from .gcp import GcpEngine
from .ground_truth import CommitmentRecord, FileRecord, GroundTruth, InventoryRecord
from .periods import PACIFIC, UTC, Month, iso

YEAR_S = 365 * 86400
_GCE = "https://www.googleapis.com/compute/v1/projects"


def generate(
    root: Path, azure: AzureEngine, gcp: list[GcpEngine], gt: GroundTruth, progress: Any
) -> None:
    """Write every month's inventory snapshots and record them (and their entries) in ``gt``."""
    billed = {c.id: c for c in gt.commitments}
    months = azure.months
    lists = [_azure_list(azure, billed[azure.benefit_id], months)]
    lists += [_gcp_list(eng, billed[eng.cud_id], months) for eng in gcp if eng.cud_id]
    for inventory in lists:
        for month in inventory.snapshots:
            _write(root, inventory, month, gt)
        gt.inventory += inventory.records(months[-1])
    if progress:
        progress(f"inventories: {len(lists)} lists x {len(months)} snapshots")


class _Inventory:
    """One provider list of one billing account: its path and its entries per snapshot."""

    def __init__(
        self, fmt: str, folder: str, name: str, account: str, entries: Any, snapshots: list[Month]
    ) -> None:
        self.format, self.folder, self.name, self.account = fmt, folder, name, account
        self.entries = entries
        """month -> [(entry as printed, InventoryRecord)]."""
        self.snapshots = snapshots

    def records(self, last: Month) -> list[InventoryRecord]:
        return [record for _, record in self.entries(last)]


def _write(root: Path, inventory: _Inventory, month: Month, gt: GroundTruth) -> None:
    taken = month.end_s - 3600
    day = iso(taken, "%Y-%m-%d")
    path = root / inventory.folder / "billingAccounts" / inventory.account
    path = path / f"{inventory.name}_{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [entry for entry, _ in inventory.entries(month)]
    path.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    set_mtime(path, taken)
    gt.files.append(
        FileRecord(
            path=path.relative_to(root.parent).as_posix(),
            format=inventory.format,
            billing_account_id=inventory.account,
            billing_period=month.label,
            rows=len(entries),
            cost_total=None,
            currency=None,
            superseded=False,
            delivered_at=iso(taken),
            bytes=path.stat().st_size,
            sha256=sha256_of(path),
        )
    )


def _seconds(text: str) -> int:
    return int(dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


# --- Azure ---------------------------------------------------------------------------------


def _azure_time(seconds: int) -> str:
    """ARM's UTC form with seven fraction digits: 2017-09-22T22:46:32.7632798Z."""
    return iso(seconds, "%Y-%m-%dT%H:%M:%S.0000000Z")


def _reservation(
    order: str,
    reservation: str,
    size: str,
    count: int,
    start: int,
    properties: dict[str, Any],
) -> dict[str, Any]:
    """One Microsoft.Capacity reservation resource as ``az`` prints it."""
    end = start + YEAR_S
    return {
        "etag": 4,
        "id": f"/providers/microsoft.capacity/reservationOrders/{order}/reservations/{reservation}",
        "kind": "Microsoft.Compute",
        "location": LOCATION,
        "name": f"{order}/{reservation}",
        "properties": {
            "archived": False,
            "benefitStartTime": _azure_time(start),
            "effectiveDateTime": _azure_time(start),
            "expiryDate": iso(end, "%Y-%m-%d"),
            "expiryDateTime": _azure_time(end),
            "instanceFlexibility": "On",
            "purchaseDate": iso(start, "%Y-%m-%d"),
            "purchaseDateTime": _azure_time(start),
            "quantity": count,
            "reservedResourceType": "VirtualMachines",
            "skuDescription": f"Reserved VM Instance, Standard_{size.replace(' ', '_')}, "
            f"{REGION}, 1 Year",
            "term": "P1Y",
            **properties,
        },
        "sku": {"name": f"Standard_{size.replace(' ', '_')}"},
        "type": "Microsoft.Capacity/reservationOrders/reservations",
    }


def _azure_list(eng: AzureEngine, billed: CommitmentRecord, months: list[Month]) -> _Inventory:
    ri = eng.p.reservation
    subscription = (
        f"/subscriptions/{next(x for x in eng.p.resources if x.reserved).sub.id(eng.seed)}"
    )
    start = _seconds(billed.start)
    expired_order, expired_id = guid(eng.seed, "azure-ri-order-2024"), guid(eng.seed, "azure-ri-24")
    expired_start = months[0].start_s - 500 * 86400

    def entries(month: Month) -> list[tuple[dict[str, Any], InventoryRecord]]:
        renew = month.index == len(months) - 1
        used = billed.utilization.get(month.label)
        share = 0 if not used or not sum(used) else round(100 * used[0] / sum(used), 2)
        active = _reservation(
            eng.order_id,
            eng.reservation_id,
            ri.size,
            ri.count,
            start,
            {
                "appliedScopeProperties": {
                    "displayName": "kc-eu-checkout-prod",
                    "subscriptionId": subscription,
                },
                "appliedScopeType": "Single",
                "appliedScopes": [subscription],
                "billingPlan": "Monthly",
                "billingScopeId": subscription,
                "displayName": eng.benefit_name,
                "displayProvisioningState": "Succeeded",
                "lastUpdatedDateTime": _azure_time(month.start_s + 86400),
                "provisioningState": "Succeeded",
                "renew": renew,
                "userFriendlyAppliedScopeType": "Single",
                "userFriendlyRenewState": "On" if renew else "Off",
                "utilization": {
                    "aggregates": [
                        {
                            "grain": 30.0,
                            "grainUnit": "days",
                            "value": share,
                            "valueUnit": "percentage",
                        }
                    ],
                    "trend": "SAME",
                },
            },
        )
        active["etag"] += month.index
        expired = _reservation(
            expired_order,
            expired_id,
            "D2s v5",
            1,
            expired_start,
            {
                "appliedScopeType": "Shared",
                "billingPlan": "Upfront",
                "billingScopeId": subscription,
                "displayName": "VM_RI_D2s_v5_search",
                "displayProvisioningState": "Expired",
                "lastUpdatedDateTime": _azure_time(expired_start + YEAR_S),
                "provisioningState": "Expired",
                "renew": False,
                "userFriendlyAppliedScopeType": "Shared",
                "userFriendlyRenewState": "Off",
            },
        )
        return [
            (active, _azure_record(active, eng.account_id, "Succeeded", billed=True)),
            (expired, _azure_record(expired, eng.account_id, "Expired", billed=False)),
        ]

    return _Inventory(
        "azure_reservations", "azure/reservations", "reservations", eng.account_id, entries, months
    )


def _azure_record(
    entry: dict[str, Any], account: str, status: str, billed: bool
) -> InventoryRecord:
    props = entry["properties"]
    return InventoryRecord(
        id=entry["id"],
        provider="Microsoft",
        format="azure_reservations",
        billing_account_id=account,
        status=status,
        start=props["benefitStartTime"].replace(".0000000Z", "Z"),
        end=props["expiryDateTime"].replace(".0000000Z", "Z"),
        term=props["term"],
        auto_renew=props["renew"],
        billed=billed,
    )


# --- GCP -------------------------------------------------------------------------------------


def _gcp_time(seconds: int) -> str:
    """gcloud's RFC 3339 form in US Pacific time: 2023-10-21T00:00:00.000-07:00."""
    local = dt.datetime.fromtimestamp(seconds, PACIFIC)
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%dT%H:%M:%S.000") + f"{offset[:3]}:{offset[3:]}"


def _commitment(
    project: str, cid: str, name: str, kind: str, vcpus: int, start: int, status: str
) -> dict[str, Any]:
    """One Compute Engine Commitment resource as ``gcloud ... --format=json`` prints it."""
    region = f"{_GCE}/{project}/regions/us-central1"
    message = {
        "ACTIVE": "The commitment is active, and so will apply to current resource usage.",
        "EXPIRED": "The commitment has expired.",
    }[status]
    return {
        "autoRenew": False,
        "category": "MACHINE",
        "creationTimestamp": _gcp_time(start - 3600),
        "description": "",
        "endTimestamp": _gcp_time(start + YEAR_S),
        "id": cid,
        "kind": "compute#commitment",
        "name": name,
        "plan": "TWELVE_MONTH",
        "region": region,
        "resources": [{"amount": str(vcpus), "type": "VCPU"}],
        "selfLink": f"{region}/commitments/{name}",
        "startTimestamp": _gcp_time(start),
        "status": status,
        "statusMessage": message,
        "type": kind,
    }


def _gcp_list(eng: GcpEngine, billed: CommitmentRecord, months: list[Month]) -> _Inventory:
    acct = eng.acct
    assert acct.cud_project is not None and eng.cud_id is not None
    project = acct.cud_project.id
    expired_start = months[0].start_s - 450 * 86400
    active = _commitment(
        project,
        eng.cud_id,
        "kc-n2-cpu-1y",
        "GENERAL_PURPOSE_N2",
        acct.cud_vcpus,
        _seconds(billed.start),
        "ACTIVE",
    )
    expired = _commitment(
        project,
        digits(19, eng.seed, acct.id, "cud-2024"),
        "kc-n1-cpu-1y-2024",
        "GENERAL_PURPOSE",
        8,
        expired_start,
        "EXPIRED",
    )
    records = [
        (active, _gcp_record(active, acct.id, billed.start, billed.end, billed=True)),
        (
            expired,
            _gcp_record(
                expired, acct.id, iso(expired_start), iso(expired_start + YEAR_S), billed=False
            ),
        ),
    ]
    return _Inventory(
        "gcp_commitments",
        "gcp/commitments",
        "commitments",
        acct.id,
        lambda _month: records,
        months[-1:],
    )


def _gcp_record(
    entry: dict[str, Any], account: str, start: str, end: str, billed: bool
) -> InventoryRecord:
    return InventoryRecord(
        id=entry["id"],
        provider="Google Cloud",
        format="gcp_commitments",
        billing_account_id=account,
        status=entry["status"],
        start=start,
        end=end,
        term="P1Y",
        auto_renew=entry["autoRenew"],
        billed=billed,
    )
