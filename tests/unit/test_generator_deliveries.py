"""Deliveries as providers make them: parts listed in manifests, the multi-partition FOCUS hub
file, Azure datasets told apart by manifest or content, and the messy FOCUS test files.

Ground truth comes from ``ground_truth.json`` (recorded while writing) or from the helpers'
own return values; the files are re-read here with csv/json/pyarrow, independently.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections import defaultdict
from decimal import Decimal

import pyarrow.parquet as pq

from finops_generator import write_focus_partition_file, write_messy_focus_file

ENUMS = {
    "ChargeCategory": {"Usage", "Purchase", "Tax", "Credit", "Adjustment"},
    "ChargeFrequency": {"One-Time", "Recurring", "Usage-Based"},
    "PricingCategory": {"Standard", "Dynamic", "Committed", "Other"},
}


def csv_rows(path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def clean(value: str) -> str | None:
    """What ingestion must make of a messy FOCUS cell."""
    value = value.strip()
    return None if value in ("", "NULL") else value


def test_parts_add_up_to_their_delivery_and_share_its_mtime(generator_demo):
    root, truth = generator_demo
    files = {f["path"]: f for f in truth["files"]}
    assert {f["delivery"] for f in truth["files"]} == {d["delivery"] for d in truth["deliveries"]}
    counts = defaultdict(int)
    for d in truth["deliveries"]:
        parts = [files[p] for p in d["parts"]]
        assert {f["delivery"] for f in parts} == {d["delivery"]}
        assert {os.stat(root / p).st_mtime for p in d["parts"]} == {
            os.stat(root / d["parts"][0]).st_mtime
        }
        assert all(f["superseded"] == d["superseded"] for f in parts)
        if d["manifest"]:
            assert os.stat(root / d["manifest"]).st_mtime == os.stat(root / d["parts"][0]).st_mtime
        counts[(d["format"], len(d["parts"]))] += 1
    months = len(truth["billing_periods"])
    # Legacy CUR: 3 parts per assembly, month 1 twice; CUR 2.0 and Azure actual: 2 parts.
    assert counts[("aws_cur", 3)] == months + 1
    assert counts[("aws_cur2", 2)] == months
    assert counts[("azure_actual", 2)] == months
    assert counts[("azure_amortized", 1)] == months


def test_legacy_cur_manifests_list_every_part_of_their_assembly(generator_demo):
    root, truth = generator_demo
    landing = root / "landing"
    for d in (d for d in truth["deliveries"] if d["format"] == "aws_cur"):
        manifest = json.loads((root / d["manifest"]).read_text())
        assert manifest["assemblyId"] == d["delivery"]
        keys = manifest["reportKeys"]
        assert [f"landing/{k}" for k in keys] == d["parts"]
        assert all((landing / k).is_file() for k in keys)
        headers = {tuple(csv_rows(landing / k)[0]) for k in keys}
        assert len(headers) == 1  # same header in every part
        if not d["superseded"]:
            latest = json.loads(
                (root / d["manifest"])
                .parent.parent.joinpath("kestrel-hourly-Manifest.json")
                .read_text()
            )
            assert latest["reportKeys"] == keys
    # The restated month's earlier assembly is no longer the latest.
    old = next(d for d in truth["deliveries"] if d["format"] == "aws_cur" and d["superseded"])
    latest = (root / old["manifest"]).parent.parent / "kestrel-hourly-Manifest.json"
    assert json.loads(latest.read_text())["assemblyId"] != old["delivery"]


def test_cur2_manifest_lists_every_parquet_part(generator_demo):
    root, truth = generator_demo
    files = {f["path"]: f for f in truth["files"]}
    for d in (d for d in truth["deliveries"] if d["format"] == "aws_cur2"):
        manifest = json.loads((root / d["manifest"]).read_text())
        assert manifest["executionId"] == d["delivery"]
        prefix = f"s3://{manifest['bucket']}/"
        assert [u.removeprefix(prefix) for u in manifest["dataFiles"]] == [
            p.removeprefix("landing/") for p in d["parts"]
        ]
        rows = [pq.read_metadata(root / p).num_rows for p in d["parts"]]
        assert rows == [files[p]["rows"] for p in d["parts"]]
        assert sum(rows) == manifest["numberOfRows"]
        assert all(n > 0 for n in rows)


def test_azure_actual_is_a_partitioned_export_whose_manifest_names_the_dataset(generator_demo):
    root, truth = generator_demo
    files = {f["path"]: f for f in truth["files"]}
    for d in (d for d in truth["deliveries"] if d["format"] == "azure_actual"):
        assert (d["dataset"], d["dataset_hint"]) == ("actual", "manifest")
        manifest = json.loads((root / d["manifest"]).read_text())
        assert manifest["exportConfig"]["type"] == "ActualCost"
        assert manifest["runInfo"]["runId"] == d["delivery"]
        assert manifest["deliveryConfig"]["partitionData"] is True
        root_folder = manifest["deliveryConfig"]["rootFolderPath"]
        blobs = manifest["blobs"]
        assert [f"landing/{b['blobName']}" for b in blobs] == d["parts"]
        assert [b["blobName"].rsplit("/", 1)[1] for b in blobs] == [
            "part_0_0001.csv",
            "part_1_0001.csv",
        ]
        assert all(b["blobName"].startswith(root_folder + "/") for b in blobs)
        for b in blobs:
            path = root / "landing" / b["blobName"]
            assert path.stat().st_size == b["byteCount"]
            assert (
                len(csv_rows(path))
                == b["dataRowCount"]
                == files[f"landing/{b['blobName']}"]["rows"]
            )
        assert manifest["blobCount"] == len(blobs)
        assert manifest["dataRowCount"] == sum(b["dataRowCount"] for b in blobs)
        assert manifest["byteCount"] == sum(b["byteCount"] for b in blobs)
        assert d["delivery"] in d["parts"][0]  # runId folder


def test_azure_amortized_download_holds_what_says_amortized(generator_demo):
    root, truth = generator_demo
    downloads = [d for d in truth["deliveries"] if d["format"] == "azure_amortized"]
    assert len(downloads) == len(truth["billing_periods"])
    unused_months = 0
    for d in downloads:
        assert (d["dataset"], d["dataset_hint"], d["manifest"]) == ("amortized", "content", None)
        (path,) = d["parts"]
        assert "/downloads/" in path
        rows = csv_rows(root / path)
        costed = [
            r
            for r in rows
            if r["pricingModel"] == "Reservation"
            and r["chargeType"] == "Usage"
            and Decimal(r["costInBillingCurrency"]) != 0
        ]
        assert costed, path  # costed reservation usage: never in an actual-cost file
        unused_months += any(r["chargeType"] == "UnusedReservation" for r in rows)
    # The reservation is fully used in some months, so not every month has unused hours.
    assert unused_months >= 1


def hub_files(truth):
    return [f for f in truth["files"] if "/focus/hub/" in f["path"]]


def test_hub_file_partitions_match_its_rows(generator_demo):
    root, truth = generator_demo
    hub = hub_files(truth)
    assert len(hub) == len(truth["billing_periods"])
    periods = truth["billing_periods"]
    for n, f in enumerate(sorted(hub, key=lambda f: f["delivered_at"])):
        found: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
        for r in csv_rows(root / f["path"]):
            key = (
                r["ProviderName"],
                r["BillingAccountId"],
                r["BillingPeriodStart"][:7],
                r["BillingCurrency"],
            )
            found[key][0] += 1
            found[key][1] += Decimal(r["BilledCost"])
        recorded = {
            (p["provider"], p["billing_account_id"], p["billing_period"], p["currency"]): [
                p["rows"],
                p["cost_total"],
            ]
            for p in f["partitions"]
        }
        assert dict(found) == recorded
        # 3 providers, 4 billing accounts, EUR among the currencies; the month just ended,
        # and from the second delivery on the month before it too.
        assert len({k[0] for k in found}) == 3 and len({k[1] for k in found}) == 4
        assert {k[3] for k in found} == {"USD", "EUR"}
        assert {k[2] for k in found} == set(periods[max(n - 1, 0) : n + 1])
        assert f["billing_account_id"] is None and f["billing_period"] is None
        name = f["path"].rsplit("/", 1)[1]
        assert not any(p.lower() in name for p in ("oracle", "oci", "fjordbase", "relaymail"))
        # Named after the delivery date, which lies after every month the file holds.
        assert not any(k[2] in name for k in found)


def test_restated_hub_month_differs_and_the_newest_delivery_is_the_truth(generator_demo):
    _, truth = generator_demo
    hub = sorted(hub_files(truth), key=lambda f: f["delivered_at"])
    assert len(hub) >= 2
    older = {(p["billing_account_id"], p["billing_period"]): p for p in hub[0]["partitions"]}
    newer = {(p["billing_account_id"], p["billing_period"]): p for p in hub[1]["partitions"]}
    overlap = older.keys() & newer.keys()
    assert len(overlap) == 4  # one month, every account
    for key in overlap:
        assert older[key]["superseded"] and not newer[key]["superseded"]
        assert older[key]["cost_total"] != newer[key]["cost_total"]
    assert hub[0]["superseded"] and not hub[1]["superseded"]
    # Totals and invoices equal the newest delivery of each account-month.
    newest = {}
    for f in hub:
        for p in f["partitions"]:
            newest[(p["billing_account_id"], p["billing_period"])] = p
    totals = {
        (t["billing_account_id"], t["billing_period"]): t["billed_cost"]
        for t in truth["totals"]
        if t["format"] == "focus"
    }
    invoices = {(i["billing_account_id"], i["billing_period"]): i for i in truth["invoices"]}
    for key, p in newest.items():
        assert not p["superseded"]
        assert totals[key] == p["cost_total"]
        assert invoices[key]["amount"] == p["cost_total"]
        assert invoices[key]["invoice_format"] == "invoices"
        assert invoices[key]["provider"] == p["provider"]


def test_hub_rows_are_messy_but_conformant_once_cleaned(generator_demo):
    root, truth = generator_demo
    seen = defaultdict(int)
    for f in hub_files(truth):
        for r in csv_rows(root / f["path"]):
            seen["NULL"] += "NULL" in r.values()
            seen["minute"] += r["ChargePeriodStart"].endswith(":00Z") and len(
                r["ChargePeriodStart"]
            ) == len("2026-07-01T00:00Z")
            for col, allowed in ENUMS.items():
                v = clean(r[col])
                if v is None:
                    continue
                seen["lower"] += v != v.title() and v.lower() == v
                assert v in allowed or v in {a.lower() for a in allowed}, (col, v)
            for col in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
                Decimal(clean(r[col]))
            assert clean(r["BillingAccountId"]) and clean(r["InvoiceId"])
            assert clean(r["ChargePeriodStart"]) < clean(r["ChargePeriodEnd"]) or (
                len(r["ChargePeriodStart"]) != len(r["ChargePeriodEnd"])
            )
            if clean(r["ChargeCategory"]).lower() == "tax":
                assert clean(r["ListUnitPrice"]) is None
    assert seen["NULL"] and seen["minute"] and seen["lower"]


def test_messy_focus_file_returns_its_own_ground_truth(tmp_path):
    path = tmp_path / "messy.csv"
    truth = write_messy_focus_file(path, seed=11)
    assert len(truth) == 6
    assert len({k[0] for k in truth}) == 3 and len({k[1] for k in truth}) == 3
    assert len({k[2] for k in truth}) == 2 and "EUR" in {k[3] for k in truth}
    found: dict[tuple, dict] = defaultdict(lambda: {"rows": 0, "billed_cost": Decimal(0)})
    text = path.read_text()
    assert "NULL" in text and ", " not in text.split("\n", 1)[0]
    padded = 0
    for r in csv.DictReader(io.StringIO(text)):
        padded += r["BilledCost"] != r["BilledCost"].strip()
        key = (
            r["ProviderName"],
            r["BillingAccountId"],
            r["BillingPeriodStart"][:7],
            r["BillingCurrency"],
        )
        found[key]["rows"] += 1
        found[key]["billed_cost"] += Decimal(r["BilledCost"].strip())
    assert dict(found) == truth
    assert padded
    # Same seed, same bytes.
    write_messy_focus_file(tmp_path / "again.csv", seed=11)
    assert (tmp_path / "again.csv").read_bytes() == path.read_bytes()


def test_partition_file_restates_one_account_month_with_other_amounts(tmp_path):
    truth = write_messy_focus_file(tmp_path / "first.csv", seed=11)
    key = next(k for k in truth if k[0] == "Fjordbase" and k[2] == "2026-08")
    later = write_focus_partition_file(tmp_path / "later.csv", "Fjordbase", "2026-08", seed=11)
    assert list(later) == [key]
    assert later[key]["rows"] == truth[key]["rows"] + 1  # the credit row
    assert later[key]["billed_cost"] == truth[key]["billed_cost"] - Decimal(25)
    rows = csv_rows(tmp_path / "later.csv")
    assert {(r["ProviderName"], r["BillingPeriodStart"][:7]) for r in rows} == {
        ("Fjordbase", "2026-08")
    }
    assert sum(Decimal(r["BilledCost"].strip()) for r in rows) == later[key]["billed_cost"]
