"""Real delivery shapes: many partitions per file, many parts per delivery, any file name.

Ingestion only (no dbt): files are built in the test, the expected totals come from what the
test wrote (or from the generator's own record for the messy FOCUS file), never from the
warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
import samples as s

from finops_generator import write_focus_partition_file, write_messy_focus_file


def _at(path: Path, day: int) -> Path:
    """Give a file the modification time of a delivery day (2024-02-<day>)."""
    stamp = dt.datetime(2024, 2, day, 6, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _cur_assembly(area, assembly: str, costs: list[str], day: int) -> Decimal:
    """A legacy CUR month as AWS delivers a large one: parts in the assembly folder and the
    manifest listing them (here and, as the latest, one folder up). Returns Σ cost written."""
    base = area.landing / "cur" / "acme" / "20240101-20240201"
    keys, total = [], Decimal(0)
    for n, cost in enumerate(costs, 1):
        part = s.aws_cur_csv(base / assembly / f"acme-{n}.csv.gz", rows=4, cost=cost)
        _at(part, day)
        keys.append(f"cur/acme/20240101-20240201/{assembly}/acme-{n}.csv.gz")
        total += 4 * Decimal(cost)
    manifest = {"assemblyId": assembly, "reportKeys": keys, "billingPeriod": {}}
    for where in (base / assembly, base):
        path = where / "acme-Manifest.json"
        path.write_text(json.dumps(manifest))
        _at(path, day)
    return total


def test_cur_month_in_three_parts_loads_as_one_delivery_and_a_later_one_replaces_all(area):
    first = _cur_assembly(area, "a1111111-0000", ["1.25", "2.5", "0.75"], day=2)
    report = area.run()
    assert [f.status for f in report.files] == ["loaded"] * 3
    assert len({f.delivery for f in report.files}) == 1
    assert area.query(
        'SELECT sum(CAST("lineItem/UnblendedCost" AS DECIMAL(38,10))) FROM raw.aws_cur'
    ) == [(first,)], "the parts add up: none replaced another"
    assert area.query(
        "SELECT count(*), count(DISTINCT delivery_id), sum(cost_total) FROM raw.ingest_partitions "
        "WHERE status = 'loaded'"
    ) == [(3, 1, first)]

    second = _cur_assembly(area, "b2222222-0000", ["3", "1", "2"], day=8)
    report = area.run()
    assert sorted(f.status for f in report.files) == ["loaded"] * 3 + ["unchanged"] * 3
    assert area.query(
        'SELECT sum(CAST("lineItem/UnblendedCost" AS DECIMAL(38,10))) FROM raw.aws_cur'
    ) == [(second,)]
    assert area.query("SELECT status, count(*) FROM raw.ingest_manifest GROUP BY 1 ORDER BY 1") == [
        ("loaded", 3),
        ("replaced", 3),
    ], "the newer delivery replaced all three older parts"


def test_a_delivery_missing_a_part_waits_and_loads_once_complete(area):
    total = _cur_assembly(area, "c3333333-0000", ["1", "2", "3"], day=2)
    missing = (
        area.landing / "cur" / "acme" / "20240101-20240201" / "c3333333-0000" / "acme-3.csv.gz"
    )
    kept = missing.read_bytes()
    missing.unlink()
    report = area.run()
    assert {f.status for f in report.files} == {"waiting"}
    assert "acme-3.csv.gz" in report.files[0].error
    assert area.query("SELECT count(*) FROM raw.ingest_manifest") == [(0,)]
    _at(s.write_bytes(missing, kept, compress=False), 2)
    assert [f.status for f in area.run().files] == ["loaded"] * 3
    assert area.query(
        'SELECT sum(CAST("lineItem/UnblendedCost" AS DECIMAL(38,10))) FROM raw.aws_cur'
    ) == [(total,)]


def test_a_refused_part_holds_back_its_delivery_and_the_loaded_month_stays(area):
    loaded = _cur_assembly(area, "d4444444-0000", ["1", "1", "1"], day=2)
    area.run()
    _cur_assembly(area, "e5555555-0000", ["5", "5", "5"], day=8)
    bad = area.landing / "cur" / "acme" / "20240101-20240201" / "e5555555-0000" / "acme-2.csv.gz"
    rows = s.aws_cur_rows(rows=4, cost="n/a")
    s.write_csv(bad, rows, s.AWS_HEADER)
    _at(bad, 8)
    statuses = {Path(f.path).name: f.status for f in area.run().files if f.status != "unchanged"}
    assert statuses == {
        "acme-1.csv.gz": "held",
        "acme-2.csv.gz": "quarantined",
        "acme-3.csv.gz": "held",
    }
    assert area.query(
        'SELECT sum(CAST("lineItem/UnblendedCost" AS DECIMAL(38,10))) FROM raw.aws_cur'
    ) == [(loaded,)], "the older complete delivery stays live"
    assert [f.status for f in area.run().files].count("loaded") == 0, "held parts wait"


def test_parts_without_a_manifest_are_one_delivery_by_folder_convention(area):
    folder = area.landing / "exports" / "costs" / "20240101-20240131" / "run-1"
    for n, cost in enumerate(["1.5", "2.5"]):
        s.write_csv(folder / f"part_{n}_0001.csv", s.azure_rows(rows=3, cost=cost))
    report = area.run()
    assert [f.status for f in report.files] == ["loaded", "loaded"]
    assert area.query("SELECT count(*) FROM raw.azure_actual") == [(6,)]


def test_messy_focus_file_with_many_partitions_loads_and_ties_to_its_own_sums(area):
    truth = write_messy_focus_file(area.landing / "hub" / "export.csv", seed=3)
    providers = {key[0] for key in truth}
    assert len(providers) == 3 and len({key[1] for key in truth}) >= 3
    assert len({key[2] for key in truth}) == 2
    (result,) = area.run().files
    assert result.status == "loaded", result.error
    loaded = {
        (p, a, f"{d:%Y-%m}", c): (n, t)
        for p, a, d, c, n, t in area.query(
            "SELECT provider, billing_account_id, billing_period, currency, rows, cost_total "
            "FROM raw.ingest_partitions WHERE status = 'loaded'"
        )
    }
    assert loaded == {k: (v["rows"], v["billed_cost"]) for k, v in truth.items()}
    assert area.query(
        """SELECT count(*) FROM raw.focus WHERE "ListUnitPrice" = 'NULL' OR "ChargeCategory"
           NOT IN ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')"""
    ) == [(0,)], "NULL literals and lower-case enumerations are cleaned before they are judged"


def test_a_later_file_holding_one_account_month_replaces_just_that_partition(area):
    truth = write_messy_focus_file(_at_path(area, "hub/export-1.csv"), seed=3)
    _at(area.landing / "hub" / "export-1.csv", 2)
    area.run()
    provider = sorted({key[0] for key in truth})[0]
    later = write_focus_partition_file(
        area.landing / "hub" / "restated.csv", provider, "2026-07", seed=3, credit="-25"
    )
    _at(area.landing / "hub" / "restated.csv", 9)
    assert [f.status for f in area.run().files if f.status != "unchanged"] == ["loaded"]
    expected = {k: v["billed_cost"] for k, v in truth.items()} | {
        k: v["billed_cost"] for k, v in later.items()
    }
    live = {
        (p, a, f"{d:%Y-%m}", c): t
        for p, a, d, c, t in area.query(
            "SELECT provider, billing_account_id, billing_period, currency, cost_total "
            "FROM raw.ingest_partitions WHERE status = 'loaded'"
        )
    }
    assert live == expected
    raw = {
        (p, a, f"{d:%Y-%m}"): t
        for p, a, d, t in area.query(
            """SELECT _provider, _billing_account_id, _billing_period,
                      sum(CAST("BilledCost" AS DECIMAL(38,10)))
               FROM raw.focus GROUP BY ALL"""
        )
    }
    assert raw == {(k[0], k[1], k[2]): v for k, v in expected.items()}, "no double counting"
    (replaced,) = later
    assert area.query("SELECT count(*) FROM raw.ingest_partitions WHERE status = 'replaced'") == [
        (1,)
    ], f"only {replaced} was replaced"

    # An older file of that account-month arriving afterwards changes nothing.
    older = write_focus_partition_file(
        area.landing / "late" / "old.csv", provider, "2026-07", seed=3, credit="-99"
    )
    _at(area.landing / "late" / "old.csv", 5)
    (result,) = [f for f in area.run().files if f.status != "unchanged"]
    assert result.status == "superseded" and older.keys() == later.keys()
    assert area.query(
        "SELECT rows, status FROM raw.ingest_manifest WHERE path LIKE '%old.csv'"
    ) == [(0, "superseded")], "a superseded file loaded nothing"
    assert {
        (p, a, f"{d:%Y-%m}"): t
        for p, a, d, t in area.query(
            """SELECT _provider, _billing_account_id, _billing_period,
                      sum(CAST("BilledCost" AS DECIMAL(38,10)))
               FROM raw.focus GROUP BY ALL"""
        )
    } == raw


def _at_path(area, relative: str) -> Path:
    path = area.landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _azure_commitment_rows(amortized: bool) -> list[dict[str, str]]:
    rows = s.azure_rows(rows=2)
    covered = dict(rows[0], PricingModel="Reservation", Cost="0.49" if amortized else "0")
    return [*rows, covered]


@pytest.mark.parametrize(
    ("relative", "rows", "expected", "basis"),
    [
        ("downloads/download.csv", s.azure_rows(rows=2), "azure_actual", "assumed"),
        ("downloads/costs (1).csv", _azure_commitment_rows(True), "azure_amortized", "content"),
        ("downloads/costs (2).csv", _azure_commitment_rows(False), "azure_actual", "content"),
        (
            "x-AmortizedCost/20240101-20240131/a.csv",
            s.azure_rows(rows=2),
            "azure_amortized",
            "path",
        ),
    ],
)
def test_azure_file_of_any_name_loads_and_says_which_dataset_and_why(
    area, relative, rows, expected, basis
):
    s.write_csv(area.landing / relative, rows)
    (result,) = area.run().files
    assert (result.status, result.format) == ("loaded", expected)
    assert basis in result.notes[0]
    notes = area.query("SELECT notes FROM raw.ingest_manifest")[0][0]
    assert expected.split("_")[1] in notes and basis in notes


def test_azure_dataset_from_the_export_manifest_and_from_the_landing_config(area):
    run = area.landing / "kc-daily" / "20240101-20240131" / "5f0e"
    s.write_csv(run / "part_0_0001.csv", s.azure_rows(rows=2))
    s.write_csv(run / "part_1_0001.csv", s.azure_rows(rows=2))
    (run / "manifest.json").write_text(
        json.dumps(
            {
                "exportConfig": {"type": "AmortizedCost"},
                "runInfo": {"runId": "5f0e"},
                "blobs": [
                    {"blobName": f"exports/kc-daily/20240101-20240131/5f0e/part_{n}_0001.csv"}
                    for n in (0, 1)
                ],
            }
        )
    )
    s.write_csv(area.landing / "portal" / "march.csv", s.azure_rows(rows=2, period="2024-03"))
    (area.landing / "finops-landing.yml").write_text(
        "datasets:\n  - match: 'portal/*.csv'\n    dataset: amortized\n"
    )
    report = {Path(f.path).name: f for f in area.run().files}
    assert {n: f.format for n, f in report.items()} == {
        "part_0_0001.csv": "azure_amortized",
        "part_1_0001.csv": "azure_amortized",
        "march.csv": "azure_amortized",
    }
    assert "manifest" in report["part_0_0001.csv"].notes[0]
    assert "landing config" in report["march.csv"].notes[0]


def test_gcp_dump_with_a_lone_credit_object_and_two_invoice_months_loads(area):
    rows = s.gcp_rows(rows=2, invoice_month="202401") + s.gcp_rows(rows=1, invoice_month="202402")
    rows[0]["credits"] = {"name": "CUD", "amount": -0.0337, "type": "COMMITTED_USAGE_DISCOUNT"}
    s.write_jsonl(area.landing / "gcp" / "export.json", rows)
    (result,) = area.run().files
    assert (result.status, result.billing_periods) == ("loaded", ("2024-01", "2024-02"))
    assert area.query(
        "SELECT sum(len(credits)), sum(list_sum([c.amount for c in credits])) FROM raw.gcp_billing"
    ) == [(3, Decimal("-0.101100000"))]
