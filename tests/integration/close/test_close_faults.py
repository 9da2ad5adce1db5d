"""Faults during a close leave no half-written extract and no month Closed without its files."""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from finops_warehouse.close import close_period, files, period

REPO = Path(__file__).resolve().parents[3]


def _closed_months(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select BillingPeriodStart from close.closed_periods").fetchall()


def _frozen_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select (select count(*) from close.closed_ledger)"
            " + (select count(*) from close.closed_showback)"
        ).fetchone()[0]


def _assert_nothing_closed(home, out: Path) -> None:
    assert _closed_months(home.warehouse) == []
    assert _frozen_rows(home.warehouse) == 0
    assert not out.exists() or not any(p.name.startswith(home.periods[0]) for p in out.iterdir())


def test_a_full_disk_during_the_extracts_leaves_no_file_and_the_month_open(
    close_home, tmp_path, monkeypatch
):
    out = tmp_path / "extracts"

    def disk_full(path, *args, **kwargs):
        path.write_bytes(b"PAR1 half a file")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "write_parquet", disk_full)
    with pytest.raises(OSError, match="No space left"):
        close_period(close_home.warehouse, close_home.periods[0], out)
    _assert_nothing_closed(close_home, out)
    assert list(out.iterdir()) == []  # the staging directory went too


def test_an_unwritable_output_directory_is_refused_before_anything_is_recorded(
    close_home, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(OSError):
        close_period(close_home.warehouse, close_home.periods[0], blocker / "extracts")
    assert _closed_months(close_home.warehouse) == []
    assert _frozen_rows(close_home.warehouse) == 0


def test_a_failed_close_transaction_takes_the_written_extracts_away(
    close_home, tmp_path, monkeypatch
):
    out = tmp_path / "extracts"

    def commit_fails(*args, **kwargs):
        raise duckdb.IOException("disk I/O error while committing")

    monkeypatch.setattr(period, "_record_close", commit_fails)
    with pytest.raises(duckdb.IOException):
        close_period(close_home.warehouse, close_home.periods[0], out)
    _assert_nothing_closed(close_home, out)


def test_a_close_killed_mid_write_leaves_no_extract_and_the_next_close_completes(
    close_home, tmp_path
):
    out = tmp_path / "extracts"
    month = close_home.periods[0]
    # A real process, really killed (SIGKILL: no cleanup runs) while writing a workbook.
    script = f"""
import os, signal
from pathlib import Path
from finops_warehouse.close import files, period

def killed(path, *args, **kwargs):
    path.write_bytes(b"PK half a workbook")
    os.kill(os.getpid(), signal.SIGKILL)

files.write_xlsx = killed
period.close_period(Path({str(close_home.warehouse)!r}), {month!r}, Path({str(out)!r}))
"""
    killed = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert killed.returncode == -signal.SIGKILL
    _assert_nothing_closed(close_home, out)
    (leftover,) = out.iterdir()  # only the hidden staging directory
    assert leftover.name.startswith(f".{month}.") and leftover.name.endswith(".partial")

    result = close_period(close_home.warehouse, month, out)
    assert [p.name for p in out.iterdir()] == [month]
    names = sorted(p.name for p in result.directory.iterdir())
    assert names == sorted([*(f.name for f in result.files), "manifest.json"])
    assert all(files.sha256_of(result.directory / f.name) == f.sha256 for f in result.files)
    assert len(_closed_months(close_home.warehouse)) == 1
