"""Close extract files appear whole or not at all, and read back as written."""

import datetime as dt
import errno
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from finops_warehouse.close import files

COLUMNS = (files.Column("Owner"), files.Column("BilledCost", money=True))
ROWS = [("payments", Decimal("10.01")), (None, Decimal("-0.50"))]
CLOSED_AT = dt.datetime(2026, 8, 12, 9, 30, tzinfo=dt.UTC)


def test_a_clean_exit_publishes_the_directory_with_every_file(tmp_path):
    final = tmp_path / "close" / "2026-07"
    with files.staged_directory(final) as staging:
        files.write_csv(staging / "x.csv", COLUMNS, ROWS)
        files.write_parquet(staging / "x.parquet", COLUMNS, ROWS)
        files.write_xlsx(staging / "x.xlsx", COLUMNS, ROWS, "x", CLOSED_AT)
        assert not final.exists()  # nothing visible before the rename
    assert sorted(p.name for p in final.iterdir()) == ["x.csv", "x.parquet", "x.xlsx"]
    assert list(final.parent.iterdir()) == [final]
    assert (final / "x.csv").read_text() == "Owner,BilledCost\npayments,10.01\n,-0.50\n"
    table = pq.read_table(final / "x.parquet")
    assert table.column("BilledCost").to_pylist() == [Decimal("10.01"), Decimal("-0.50")]
    sheet = load_workbook(final / "x.xlsx").active
    assert [c.value for c in sheet[2]] == ["payments", 10.01]


def test_the_same_rows_give_the_same_csv_and_parquet_bytes(tmp_path):
    # (XLSX is a zip whose entries carry the time of writing; a closed month is never rewritten.)
    for name in ("a", "b"):
        with files.staged_directory(tmp_path / name) as staging:
            files.write_csv(staging / "x.csv", COLUMNS, ROWS)
            files.write_parquet(staging / "x.parquet", COLUMNS, ROWS)
    for leaf in ("x.csv", "x.parquet"):
        assert files.sha256_of(tmp_path / "a" / leaf) == files.sha256_of(tmp_path / "b" / leaf)


def test_a_full_disk_mid_write_leaves_no_directory_and_no_partial_file(tmp_path):
    final = tmp_path / "2026-07"

    def disk_full(handle):
        handle.write(b"BilledCost\n1.0")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space left"), files.staged_directory(final) as staging:
        files.write_csv(staging / "ok.csv", COLUMNS, ROWS)
        files.write_durably(staging / "half.csv", disk_full)
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_close_are_swept_and_an_unrecorded_directory_replaced(tmp_path):
    final = tmp_path / "2026-07"
    (tmp_path / ".2026-07.abc.partial").mkdir()
    (tmp_path / ".2026-07.abc.partial" / "half.csv").write_text("Owner\n")
    final.mkdir()
    (final / "stale.csv").write_text("old")
    with files.staged_directory(final) as staging:
        files.write_csv(staging / "new.csv", COLUMNS, ROWS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-07"]
    assert [p.name for p in final.iterdir()] == ["new.csv"]


def test_an_unwritable_parent_fails_before_anything_is_written(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(OSError), files.staged_directory(blocker / "2026-07"):
        pytest.fail("must not get a staging directory")
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-directory"]
