"""Replacement and idempotence of deliveries, end to end through DuckDB and GX.

A delivery restates its whole (format, billing account, billing period); the newest file wins,
older ones arriving late are superseded, the same landing twice changes nothing, and a failure
in the middle of a load leaves the warehouse as it was.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import fsspec
import pytest
import samples as s

from finops_warehouse.ingest import ingest, plan_landing
from finops_warehouse.ingest import warehouse as warehouse_module


def _run(root: Path, landing: str | None = None, periods: set[str] | None = None):
    return ingest(root / "wh.duckdb", landing or str(root / "landing"), root / "q", periods)


def _query(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _snapshot(root: Path) -> tuple[list, list]:
    """Raw rows (without load time) and manifest rows (without load time)."""
    raw = _query(
        root,
        "SELECT * EXCLUDE (_loaded_at) FROM raw.aws_cur ORDER BY _source_file, _row_number",
    )
    manifest = _query(
        root, "SELECT * EXCLUDE (loaded_at) FROM raw.ingest_manifest ORDER BY path, status"
    )
    return raw, manifest


def _touch(path: Path, epoch: float) -> None:
    os.utime(path, (epoch, epoch))


def test_running_ingest_twice_leaves_raw_tables_and_manifest_unchanged(tmp_path: Path):
    s.aws_cur_csv(tmp_path / "landing" / "jan.csv.gz", rows=4)
    s.aws_cur_csv(tmp_path / "landing" / "feb.csv", rows=2, period="2024-02")
    s.write_csv(tmp_path / "landing" / "focus.csv", s.focus_rows())
    first = _run(tmp_path)
    before = _snapshot(tmp_path)
    second = _run(tmp_path)
    assert [f.status for f in first.files] == ["loaded"] * 3
    assert [f.status for f in second.files] == ["unchanged"] * 3
    assert _snapshot(tmp_path) == before


def test_redelivered_month_replaces_previous_delivery(tmp_path: Path):
    landing = tmp_path / "landing"
    old = s.aws_cur_csv(landing / "20240101-20240201" / "v1" / "cur-1.csv", rows=5, cost="1.00")
    _touch(old, 1_700_000_000)
    _run(tmp_path)
    new = s.aws_cur_csv(landing / "20240101-20240201" / "v2" / "cur-1.csv", rows=3, cost="2.50")
    _touch(new, 1_700_100_000)
    report = _run(tmp_path)
    assert [f.status for f in report.files] == ["unchanged", "loaded"]
    assert _query(
        tmp_path,
        'SELECT count(*), sum("lineItem/UnblendedCost"::DECIMAL(18,2)), any_value(_source_file) '
        "FROM raw.aws_cur",
    ) == [(3, Decimal("7.50"), str(new))]
    assert _query(
        tmp_path, "SELECT path, status, rows, cost_total FROM raw.ingest_manifest ORDER BY path"
    ) == [(str(old), "replaced", 5, Decimal("5")), (str(new), "loaded", 3, Decimal("7.5"))]


def test_older_delivery_arriving_after_a_newer_one_is_superseded(tmp_path: Path):
    landing = tmp_path / "landing"
    new = s.aws_cur_csv(landing / "new.csv", rows=3, cost="2")
    _touch(new, 1_700_100_000)
    _run(tmp_path)
    old = s.aws_cur_csv(landing / "old.csv", rows=9, cost="1")
    _touch(old, 1_700_000_000)
    report = _run(tmp_path)
    late = next(f for f in report.files if f.path == str(old))
    assert late.status == "superseded" and str(new) in late.error
    assert _query(tmp_path, "SELECT count(*), min(_source_file) FROM raw.aws_cur") == [
        (3, str(new))
    ]
    assert old.exists(), "a superseded delivery is recorded, not quarantined"


def test_deliveries_of_other_accounts_and_months_are_kept(tmp_path: Path):
    landing = tmp_path / "landing"
    s.aws_cur_csv(landing / "a-jan.csv", rows=2, account="111111111111")
    s.aws_cur_csv(landing / "b-jan.csv", rows=3, account="222222222222")
    s.aws_cur_csv(landing / "a-feb.csv", rows=4, account="111111111111", period="2024-02")
    _run(tmp_path)
    assert _query(
        tmp_path,
        "SELECT _billing_account_id, strftime(_billing_period, '%Y-%m'), count(*) "
        "FROM raw.aws_cur GROUP BY ALL ORDER BY ALL",
    ) == [
        ("111111111111", "2024-01", 2),
        ("111111111111", "2024-02", 4),
        ("222222222222", "2024-01", 3),
    ]


def test_a_failure_mid_way_leaves_earlier_loaded_data_untouched(tmp_path: Path, monkeypatch):
    landing = tmp_path / "landing"
    v1 = s.aws_cur_csv(landing / "v1.csv", rows=3, cost="1")
    _touch(v1, 1_700_000_000)
    _run(tmp_path)
    before = _snapshot(tmp_path)
    v2 = s.aws_cur_csv(landing / "v2.csv", rows=7, cost="5")
    _touch(v2, 1_700_100_000)

    original = warehouse_module.record

    def crash_after_insert(con, row):
        if row.status == "loaded":
            raise RuntimeError("disk full")  # after the DELETE and INSERT of the transaction
        original(con, row)

    monkeypatch.setattr(warehouse_module, "record", crash_after_insert)
    report = _run(tmp_path)
    assert [f.status for f in report.files] == ["unchanged", "failed"]
    assert _snapshot(tmp_path) == before
    assert v2.exists(), "an internal failure leaves the file in the landing for the next run"

    monkeypatch.setattr(warehouse_module, "record", original)
    assert [f.status for f in _run(tmp_path).files] == ["unchanged", "loaded"]
    assert _query(tmp_path, "SELECT count(*) FROM raw.aws_cur") == [(7,)]


def test_periods_limit_the_run_to_those_billing_months(tmp_path: Path):
    s.aws_cur_csv(tmp_path / "landing" / "jan.csv", rows=2)
    s.aws_cur_csv(tmp_path / "landing" / "feb.csv", rows=2, period="2024-02")
    report = _run(tmp_path, periods={"2024-02"})
    assert {f.billing_periods: f.status for f in report.files} == {
        ("2024-01",): "skipped",
        ("2024-02",): "loaded",
    }
    assert _run(tmp_path).by_status("loaded")[0].billing_periods == ("2024-01",)


@pytest.fixture
def memory_landing():
    fs = fsspec.filesystem("memory")
    root = f"/landing-{time.monotonic_ns()}"
    yield fs, root
    fs.rm(root, recursive=True)


def test_fsspec_landing_is_streamed_to_local_copies(tmp_path: Path, memory_landing):
    fs, root = memory_landing
    local = s.aws_cur_csv(tmp_path / "build" / "cur.csv.gz", rows=4, cost="0.5")
    fs.pipe(f"{root}/aws/cur.csv.gz", local.read_bytes())
    fs.pipe(f"{root}/bad/notes.csv", b"when,what\n2024-01-01,lunch\n")
    report = _run(tmp_path, landing=f"memory://{root}")
    assert {f.path: f.status for f in report.files} == {
        f"memory://{root}/aws/cur.csv.gz": "loaded",
        f"memory://{root}/bad/notes.csv": "quarantined",
    }
    assert not fs.exists(f"{root}/bad/notes.csv")
    assert (tmp_path / "q" / "bad" / "notes.csv.error.txt").exists()
    assert _query(
        tmp_path, "SELECT cost_total FROM raw.ingest_manifest WHERE status = 'loaded'"
    ) == [(Decimal("2"),)]


def test_plan_landing_reports_partition_or_error_for_every_file(tmp_path: Path):
    landing = tmp_path / "landing"
    s.aws_cur_csv(landing / "cur.csv.gz", rows=2, period="2024-03")
    s.write_jsonl(landing / "gcp" / "export.jsonl", s.gcp_rows(invoice_month="202402"))
    s.cur2_parquet(landing / "cur2" / "data" / "BILLING_PERIOD=2024-01" / "x-00001.parquet")
    (landing / "junk.bin").write_bytes(b"\x00\x01binary")
    (landing / "cur2" / "metadata").mkdir(parents=True)
    (landing / "cur2" / "metadata" / "x-Manifest.json").write_text("{}")
    planned = {Path(f.path).name: f for f in plan_landing(str(landing))}
    assert set(planned) == {"cur.csv.gz", "export.jsonl", "x-00001.parquet", "junk.bin"}
    assert (planned["cur.csv.gz"].format, planned["cur.csv.gz"].billing_periods) == (
        "aws_cur",
        ("2024-03",),
    )
    assert planned["export.jsonl"].billing_periods == ("2024-02",)
    assert planned["x-00001.parquet"].format == "aws_cur2"
    assert planned["junk.bin"].billing_periods == () and planned["junk.bin"].error
    assert len(planned["cur.csv.gz"].sha256) == 64
