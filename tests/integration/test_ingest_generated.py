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

from dagster_project.ingest import ingest

generator = pytest.importorskip("dagster_project.generator")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, object]:
    out = tmp_path_factory.mktemp("demo")
    generator.generate(out, months=1)
    truth = json.loads((out / "ground_truth.json").read_text())
    report = ingest(out / "wh.duckdb", str(out / "landing"), out / "quarantine")
    return out, truth, report


def _manifest(out: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(out / "wh.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT path, format, rows, cost_total, status FROM raw.ingest_manifest"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def test_every_generated_file_is_accepted(generated):
    _, truth, report = generated
    assert {f.status for f in report.files} == {"loaded"}, [
        (f.path, f.error) for f in report.files if f.status != "loaded"
    ]
    assert len(report.files) == len(truth["files"])


def test_manifest_cost_totals_and_rows_equal_the_ground_truth(generated):
    out, truth, _ = generated
    manifest = _manifest(out)
    for expected in truth["files"]:
        fmt, rows, cost_total, status = manifest[str(out / expected["path"])]
        assert (fmt, rows) == (expected["format"], expected["rows"]), expected["path"]
        expected_cost = expected["cost_total"]  # None: the format has no cost (inventories)
        assert cost_total == (expected_cost and Decimal(expected_cost)), expected["path"]
        assert status == ("replaced" if expected["superseded"] else "loaded"), expected["path"]


def test_raw_tables_hold_only_the_final_deliveries(generated):
    out, truth, _ = generated
    expected: dict[str, int] = defaultdict(int)
    for f in truth["files"]:
        if not f["superseded"]:
            expected[f["format"]] += f["rows"]
    con = duckdb.connect(str(out / "wh.duckdb"), read_only=True)
    try:
        actual = {
            fmt: con.execute(f"SELECT count(*) FROM raw.{fmt}").fetchone()[0] for fmt in expected
        }
    finally:
        con.close()
    assert actual == dict(expected)
