"""GX runs in a child process (validate.GxWorker): same answers as in process, gone after a run
that did not need it, and a clear error, not a hang, when it dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import duckdb
import pytest
import samples as s
from click.testing import CliRunner

from finops_warehouse.ingest import validate
from finops_warehouse.ingest.detect import detect
from finops_warehouse.ingest.scratch import BATCH_VIEW, show_scratch, write_scratch


def _batch(tmp_path: Path, rows: list[dict]) -> tuple[str, str, str, set[str]]:
    """A CUR file's scratch copy as the ingest makes it: (batch SQL, format, file, columns)."""
    path = tmp_path / "cur.csv"
    s.write_csv(path, rows, s.AWS_HEADER)
    con = duckdb.connect()
    detected = detect(path, str(path), path.name)
    parquet = write_scratch(con, path, detected, str(path), tmp_path / "scratch.parquet")
    sql = show_scratch(con, detected, parquet)
    columns = {r[0] for r in con.execute(f"DESCRIBE {BATCH_VIEW}").fetchall()}
    con.close()
    return sql, detected.format.key, str(path), columns


@pytest.fixture
def worker():
    validate.stop_gx_worker()  # a fresh one, not the one an earlier test left
    yield validate.gx_worker()
    validate.stop_gx_worker()


def test_the_worker_gives_the_validation_gx_gives_in_process(tmp_path, worker):
    rows = s.aws_cur_rows(rows=4)
    rows[1]["lineItem/UsageAccountId"] = ""  # data row 2
    rows[2]["lineItem/UnblendedCost"] = "$1.25"  # data row 3
    sql, key, file, columns = _batch(tmp_path, rows)
    runner = validate.GxRunner(tmp_path / "in-process.duckdb")
    try:
        expected = runner.validate(sql, key, file, columns)
    finally:
        runner.close()
    got = worker.validate(tmp_path / "worker.duckdb", sql, key, file, columns)
    assert got == expected
    failed = {(o.column, o.first_row) for o in got.outcomes if not o.success}
    # GX names the row of a null itself; the row of a failed SQL check is looked up by the ingest.
    assert failed == {("lineItem/UsageAccountId", 2), ("lineItem/UnblendedCost", None)}
    refusal = got.refusal()
    assert refusal is not None and str(refusal) == str(expected.refusal())
    assert "'lineItem/UsageAccountId'" in str(refusal) and "data row 2" in str(refusal)


def test_an_error_in_the_worker_reaches_the_caller_with_its_message(tmp_path, worker):
    sql, _, file, columns = _batch(tmp_path, s.aws_cur_rows(rows=2))
    with pytest.raises(FileNotFoundError) as in_process:
        validate.GxRunner(tmp_path / "a.duckdb").validate(sql, "no_such_format", file, columns)
    with pytest.raises(FileNotFoundError) as in_worker:
        worker.validate(tmp_path / "b.duckdb", sql, "no_such_format", file, columns)
    assert str(in_worker.value) == str(in_process.value) and "no expectation suite" in str(
        in_worker.value
    )
    assert worker.alive, "a GX error leaves the worker serving"


def test_a_killed_worker_is_a_clear_error_not_a_hang(tmp_path, worker):
    sql, key, file, columns = _batch(tmp_path, s.aws_cur_rows(rows=2))
    worker.wait_ready()
    os.kill(worker._process.pid, signal.SIGKILL)
    with pytest.raises(validate.GxWorkerDied, match="killed by SIGKILL"):
        worker.validate(tmp_path / "gx.duckdb", sql, key, file, columns)
    assert not worker.alive


def test_an_ingest_whose_worker_dies_fails_the_file_and_leaves_it(area, monkeypatch):
    s.write_csv(area.landing / "cur.csv", s.aws_cur_rows(rows=3), s.AWS_HEADER)
    validate.stop_gx_worker()
    original = validate.GxWorker.validate

    def killed_first(self, *args):
        self.wait_ready()
        os.kill(self._process.pid, signal.SIGKILL)
        return original(self, *args)

    monkeypatch.setattr(validate.GxWorker, "validate", killed_first)
    (result,) = area.run().files
    validate.stop_gx_worker()
    assert result.status == "failed", result
    assert "worker process" in result.error and "killed by SIGKILL" in result.error
    assert (area.landing / "cur.csv").exists(), "not its fault: not quarantined"
    assert not area.quarantine.exists()


def test_finops_run_ends_a_worker_it_did_not_use_without_waiting_for_it(tmp_path, monkeypatch):
    from finops_warehouse.cli import main

    validate.stop_gx_worker()
    started: list[validate.GxWorker] = []

    class Recorded(validate.GxWorker):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    monkeypatch.setattr(validate, "GxWorker", Recorded)
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    # Stopped before any ingest (no landing directory): the worker started first thing ends.
    result = CliRunner().invoke(main, ["run", "--landing", str(tmp_path / "no-landing")])
    assert result.exit_code == 2 and "does not exist" in result.output, result.output
    (worker,) = started
    assert not worker.used
    assert worker._process.exitcode == -signal.SIGTERM, "ended, not waited for"
    assert not [p for p in multiprocessing.active_children() if p.name == "finops-gx"]
    assert validate._WORKER is None
