"""A generated demo landing ingests completely and ties to the generator's ground truth.

Ground truth comes from the generator's record (``ground_truth.json``), never from ingestion.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_warehouse.ingest import ingest

generator = pytest.importorskip("finops_generator")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, object]:
    out = tmp_path_factory.mktemp("demo")
    generator.generate(out, months=1)
    truth = json.loads((out / "ground_truth.json").read_text())
    report = ingest(out / "wh.duckdb", str(out / "landing"), out / "quarantine")
    return out, truth, report


def _query(out: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(out / "wh.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_generated_file_is_accepted(generated):
    _, truth, report = generated
    assert {f.status for f in report.files} == {"loaded"}, [
        (f.path, f.error) for f in report.files if f.status != "loaded"
    ]
    assert len(report.files) == len(truth["files"])


def test_parts_of_each_delivery_load_together(generated):
    out, truth, report = generated
    by_path = {f.path: f.delivery for f in report.files}
    for delivery in truth["deliveries"]:
        loaded_as = {by_path[str(out / part)] for part in delivery["parts"]}
        assert len(loaded_as) == 1, delivery["parts"]
    assert any(len(d["parts"]) > 1 for d in truth["deliveries"])


def test_manifest_rows_and_statuses_equal_the_ground_truth(generated):
    out, truth, _ = generated
    manifest = {
        path: rest
        for path, *rest in _query(out, "SELECT path, format, rows, status FROM raw.ingest_manifest")
    }
    for expected in truth["files"]:
        fmt, rows, status = manifest[str(out / expected["path"])]
        assert (fmt, rows) == (expected["format"], expected["rows"]), expected["path"]
        assert status == ("replaced" if expected["superseded"] else "loaded"), expected["path"]


def test_partition_totals_equal_the_ground_truth(generated):
    out, truth, _ = generated
    loaded = {
        (path, provider, account, f"{period:%Y-%m}", currency): (rows, total, status)
        for path, provider, account, period, currency, rows, total, status in _query(
            out,
            "SELECT path, provider, billing_account_id, billing_period, currency, rows, "
            "cost_total, status FROM raw.ingest_partitions",
        )
    }
    expected = {}
    for f in truth["files"]:
        for p in f["partitions"]:
            key = (
                str(out / f["path"]),
                p["provider"] if f["format"] in _PROVIDER_FORMATS else None,
                # business metrics have no billing account; ingestion names the constant
                p["billing_account_id"] or f["format"],
                p["billing_period"],
                p["currency"],
            )
            total = p["cost_total"] and Decimal(p["cost_total"])
            expected[key] = (p["rows"], total, "replaced" if p["superseded"] else "loaded")
    assert loaded == expected


_PROVIDER_FORMATS = {
    "aws_cur",
    "aws_cur2",
    "azure_actual",
    "azure_amortized",
    "gcp_billing",
    "focus",
}


def test_azure_files_are_read_as_the_dataset_their_delivery_holds(generated):
    out, truth, _ = generated
    notes = dict(_query(out, "SELECT path, format || ': ' || notes FROM raw.ingest_manifest"))
    azure = [d for d in truth["deliveries"] if d["dataset"]]
    assert {d["dataset_hint"] for d in azure} == {"manifest", "content"}
    for delivery in azure:
        for part in delivery["parts"]:
            note = notes[str(out / part)]
            assert note.startswith(f"azure_{delivery['dataset']}: "), note
            assert delivery["dataset_hint"] in note, note


def test_raw_tables_hold_only_the_final_deliveries(generated):
    out, truth, _ = generated
    expected: dict[str, int] = defaultdict(int)
    for f in truth["files"]:
        for p in f["partitions"]:
            if not p["superseded"]:
                expected[f["format"]] += p["rows"]
    actual = {fmt: _query(out, f"SELECT count(*) FROM raw.{fmt}")[0][0] for fmt in expected}
    assert actual == dict(expected)
