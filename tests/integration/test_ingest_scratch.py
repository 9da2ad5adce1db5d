"""The fast paths of ingestion keep the contract: row numbers, checks, folds, planning, refusals.

A CSV or JSON file is converted once into a scratch Parquet file (row numbers from its
``file_row_number``), GX runs beside it on its own DuckDB database, the gzip check runs beside
DuckDB's read, and what ``plan_landing`` learnt is reused by an ingest in the same process.
"""

from __future__ import annotations

import gzip
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import samples as s

from finops_warehouse.ingest import ingest, pipeline, plan_landing


def _run(root: Path, periods: set[str] | None = None):
    return ingest(root / "wh.duckdb", str(root / "landing"), root / "q", periods)


def _query(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _big_cur(path: Path, rows: int) -> Path:
    """A legacy CUR CSV whose LineItemId is the data row number (built by DuckDB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if path.suffix == ".gz" else "none"
    duckdb.sql(
        f"""COPY (SELECT (i + 1)::VARCHAR AS "identity/LineItemId",
                  '{s.AWS_ACCOUNT}' AS "bill/PayerAccountId",
                  '2024-01-01T00:00:00Z' AS "bill/BillingPeriodStartDate",
                  '000111222333' AS "lineItem/UsageAccountId",
                  'Usage' AS "lineItem/LineItemType",
                  strftime(TIMESTAMP '2024-01-01' + INTERVAL (i % 744) HOUR, '%Y-%m-%dT%H:%M:%SZ')
                      AS "lineItem/UsageStartDate",
                  printf('%.4f', (i % 1000) / 100.0) AS "lineItem/UnblendedCost",
                  'USD' AS "lineItem/CurrencyCode",
                  CASE WHEN i % 3 = 0 THEN '' ELSE 'team-' || (i % 7) END
                      AS "resourceTags/user:Team"
                FROM range({rows}) r(i))
            TO '{path}' (FORMAT csv, HEADER, COMPRESSION {compression})"""
    )
    return path


def test_row_numbers_follow_the_file_on_a_parallel_multi_row_group_read(tmp_path: Path):
    rows = 400_000  # several Parquet row groups and DuckDB read batches
    _big_cur(tmp_path / "landing" / "cur.csv.gz", rows)
    report = _run(tmp_path)
    assert report.files[0].status == "loaded", report.files[0].error
    assert _query(
        tmp_path,
        "SELECT count(*), count(DISTINCT _row_number), min(_row_number), max(_row_number), "
        'count(*) FILTER (WHERE "identity/LineItemId" <> _row_number::VARCHAR) FROM raw.aws_cur',
    ) == [(rows, rows, 1, rows, 0)]
    assert _query(
        tmp_path,
        'SELECT count(*) FILTER (WHERE ("resourceTags" IS NULL) <> (_row_number % 3 = 1)) '
        "FROM raw.aws_cur",
    ) == [(0,)]


def test_a_bad_value_deep_in_a_big_file_is_named_by_its_row(tmp_path: Path):
    path = _big_cur(tmp_path / "build" / "cur.csv", 300_000)
    lines = path.read_bytes().split(b"\n")
    row = 271_828
    fields = lines[row].split(b",")
    fields[6] = b"n/a"  # lineItem/UnblendedCost
    lines[row] = b",".join(fields)
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "cur.csv").write_bytes(b"\n".join(lines))
    error = _run(tmp_path).files[0].error
    assert f"data row {row}" in error and "'lineItem/UnblendedCost'" in error and "n/a" in error


def test_tags_fold_into_the_same_json_text_as_a_key_sorted_duckdb_map(tmp_path: Path):
    """The file has Team before Env; the folded text has its keys sorted, as the FOCUS Tags
    (and CUR 2.0's staged map) have them."""
    odd = 'a "quoted" \\ back\\slash, ünï 日本 \t tab'
    rows = s.aws_cur_rows(rows=3)
    rows[0]["resourceTags/user:Team"] = odd
    rows[1]["resourceTags/user:Team"] = ""
    rows[1]["resourceTags/user:Env"] = ""
    s.write_csv(tmp_path / "landing" / "cur.csv", rows)
    assert _run(tmp_path).files[0].status == "loaded"
    folded = _query(
        tmp_path, 'SELECT "resourceTags"::VARCHAR FROM raw.aws_cur ORDER BY _row_number'
    )
    expected = duckdb.execute(
        "SELECT to_json(map_from_entries(list_sort(map_entries("
        "MAP {'user:Team': ?, 'user:Env': 'prod'}))))::VARCHAR",
        [odd],
    ).fetchone()[0]
    assert expected.startswith('{"user:Env"')
    assert folded == [(expected,), (None,), ('{"user:Env":"prod","user:Team":"payments"}',)]


@pytest.mark.parametrize(
    ("cost", "status"),
    [
        ("123456789012.5", "loaded"),  # beyond DECIMAL(18,10), within DECIMAL(38,10)
        ("-0.0000000001", "loaded"),
        ("1e5", "loaded"),
        ("1e30", "quarantined"),  # more integer digits than DECIMAL(38,10) holds
        ("12,5", "quarantined"),
    ],
)
def test_the_number_check_accepts_what_decimal_38_10_accepts(
    tmp_path: Path, cost: str, status: str
):
    s.aws_cur_csv(tmp_path / "landing" / "cur.csv", rows=2, cost=cost)
    assert _run(tmp_path).files[0].status == status


def test_azure_dates_still_parse_after_the_iso_fast_path(tmp_path: Path):
    s.write_csv(tmp_path / "landing" / "EA-ActualCost.csv", s.azure_rows(rows=3))
    assert _run(tmp_path).files[0].status == "loaded"
    rows = s.azure_rows(rows=3)
    rows[2]["Date"] = "31/01/2024"  # day first: not a documented layout
    s.write_csv(tmp_path / "landing2" / "EA-ActualCost.csv", rows)
    report = ingest(tmp_path / "wh2.duckdb", str(tmp_path / "landing2"), tmp_path / "q2")
    assert report.files[0].status == "quarantined"
    assert "'Date'" in report.files[0].error and "data row 3" in report.files[0].error


def test_a_corrupt_gzip_is_refused_for_its_damage_even_when_its_header_is_unreadable(
    tmp_path: Path,
):
    data = bytearray(gzip.compress(b"".join(_cur_lines(2000))))
    data[12:40] = b"\xff" * 28  # inside the first deflate block: no line can be decoded
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "cur.csv.gz").write_bytes(bytes(data))
    result = _run(tmp_path).files[0]
    assert result.status == "quarantined" and "gzip stream is corrupt" in result.error


def test_an_ingest_reuses_the_plan_of_the_same_process(tmp_path: Path, monkeypatch):
    s.aws_cur_csv(tmp_path / "landing" / "jan.csv.gz", rows=2)
    s.aws_cur_csv(tmp_path / "landing" / "feb.csv", rows=3, period="2024-02", cost="2")
    planned = {Path(f.path).name: f for f in plan_landing(str(tmp_path / "landing"))}

    def no_second_pass(path):
        raise AssertionError(f"{path} was fingerprinted again")

    monkeypatch.setattr(pipeline, "sha256_of", no_second_pass)
    monkeypatch.setattr(pipeline, "gzip_error", no_second_pass)
    report = _run(tmp_path, periods={"2024-02"})
    assert {Path(f.path).name: f.status for f in report.files} == {
        "jan.csv.gz": "skipped",
        "feb.csv": "loaded",
    }
    assert _query(tmp_path, "SELECT manifest_id, rows, cost_total FROM raw.ingest_manifest") == [
        (planned["feb.csv"].sha256, 3, Decimal("6"))
    ]


def test_a_file_changed_after_the_plan_is_read_again(tmp_path: Path):
    path = s.aws_cur_csv(tmp_path / "landing" / "cur.csv", rows=2, cost="1")
    (before,) = plan_landing(str(tmp_path / "landing"))
    s.aws_cur_csv(path, rows=2, cost="3")  # same size, new bytes
    os.utime(path, (1_800_000_000, 1_800_000_000))
    report = _run(tmp_path)
    assert report.files[0].status == "loaded" and report.files[0].cost_total == Decimal("6")
    (sha,) = _query(tmp_path, "SELECT manifest_id FROM raw.ingest_manifest")[0]
    assert sha != before.sha256


def test_a_plans_file_spares_later_plans_reading_unchanged_files(tmp_path: Path, monkeypatch):
    landing, plans = tmp_path / "landing", tmp_path / "state" / "landing-plans.json"
    s.aws_cur_csv(landing / "jan.csv.gz", rows=2)
    changed = s.aws_cur_csv(landing / "feb.csv", rows=3, period="2024-02", cost="2")
    (landing / "notes.csv").write_text("not,a,bill\n1,2,3\n")
    first = plan_landing(str(landing), plans)
    assert sorted(Path(f.path).name for f in first if f.error is None) == ["feb.csv", "jan.csv.gz"]
    assert len(json.loads(plans.read_text())) == 2  # the refused file is read again next time

    read = []
    real_plan_one = pipeline._plan_one

    def plan_one(remote, delivery):
        read.append(remote.relative)
        return real_plan_one(remote, delivery)

    monkeypatch.setattr(pipeline, "_plan_one", plan_one)
    assert plan_landing(str(landing), plans) == first
    assert read == ["notes.csv"]

    s.aws_cur_csv(changed, rows=3, period="2024-03", cost="2")
    os.utime(changed, (1_800_000_000, 1_800_000_000))
    read.clear()
    again = {Path(f.path).name: f for f in plan_landing(str(landing), plans)}
    assert sorted(read) == ["feb.csv", "notes.csv"]
    assert again["feb.csv"].billing_periods == ("2024-03",)
    # Without the plans file every file is read, and the result is the same.
    read.clear()
    assert {Path(f.path).name: f for f in plan_landing(str(landing))} == again
    assert sorted(read) == ["feb.csv", "jan.csv.gz", "notes.csv"]


def test_a_plans_file_that_cannot_serve_costs_reads_never_a_plan(tmp_path: Path):
    landing = tmp_path / "landing"
    s.aws_cur_csv(landing / "jan.csv.gz", rows=2)
    plans = tmp_path / "state" / "landing-plans.json"
    expected = plan_landing(str(landing))
    plan_landing(str(landing), plans)
    (key,) = json.loads(plans.read_text())
    plans.write_text(json.dumps({key: {"sha256": "x", "written_by": "someone else"}}))
    assert plan_landing(str(landing), plans) == expected  # read again, and kept anew
    assert json.loads(plans.read_text())[key]["sha256"] == expected[0].sha256
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    assert plan_landing(str(landing), blocked / "landing-plans.json") == expected


def test_a_truncated_gzip_from_the_plan_is_refused_without_reading_it(tmp_path: Path):
    full = gzip.compress(b"".join(_cur_lines(2000)))
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "cur.csv.gz").write_bytes(full[: len(full) // 2])
    (planned,) = plan_landing(str(tmp_path / "landing"))
    assert "truncated" in planned.error
    result = _run(tmp_path).files[0]
    assert result.status == "quarantined" and "truncated" in result.error


def test_a_damaged_parquet_file_is_quarantined_not_left_failing(tmp_path: Path):
    path = s.cur2_parquet(tmp_path / "build" / "x-00001.parquet", rows=2000)
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 64] = b"\x00" * 64  # a data page; the footer stays readable
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "x-00001.parquet").write_bytes(bytes(data))
    result = _run(tmp_path).files[0]
    assert result.status == "quarantined", result
    assert "the parquet file cannot be read" in result.error  # not a confusing check failure
    assert _query(tmp_path, "SELECT count(*) FROM raw.aws_cur2") == [(0,)]


def _cur_lines(rows: int) -> list[bytes]:
    """CSV lines of a legacy CUR file (for hand-made compressed variants)."""
    lines = [",".join(s.AWS_HEADER) + "\n"]
    lines += [",".join(r[h] for h in s.AWS_HEADER) + "\n" for r in s.aws_cur_rows(rows=rows)]
    return [line.encode() for line in lines]
