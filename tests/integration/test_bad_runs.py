"""Bad conditions around a run (not in a file): a missing landing, a read-only or busy warehouse,
a full disk, Ctrl-C. Each ends with one clear line, no traceback, and nothing half written.

The CLI runs in a subprocess (the real `finops`); the disk and Ctrl-C cases run the ingestion
in a subprocess too, where a file size limit or a signal can hit it for real.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import samples as s

from finops_warehouse.locking import warehouse_lock


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "FINOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "FINOPS_WAREHOUSE": str(home / "wh" / "warehouse.duckdb"),
    }


def _one_clear_line(done: subprocess.CompletedProcess, code: int, *words: str) -> str:
    """The command ended with ``code`` and one stderr line holding ``words``, no traceback."""
    assert done.returncode == code, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stdout + done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_landing_that_does_not_exist_stops_the_run_before_anything_is_written(
    tmp_path, finops_cli
):
    home = tmp_path / "home"
    missing = tmp_path / "no-such-landing"
    done = finops_cli("run", "--landing", str(missing), env=_env(home))
    _one_clear_line(done, 2, str(missing), "does not exist")
    assert not home.exists(), "nothing written: no warehouse, no Dagster home"


def test_a_read_only_warehouse_stops_the_run_with_the_fix(tmp_path, finops_cli):
    home = tmp_path / "home"
    env = _env(home)
    s.aws_cur_csv(tmp_path / "landing" / "cur.csv", rows=2)
    warehouse = Path(env["FINOPS_WAREHOUSE"])
    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()
    warehouse.chmod(0o444)
    done = finops_cli("run", "--landing", str(tmp_path / "landing"), env=env)
    _one_clear_line(done, 2, f"warehouse file {warehouse}", "read-only")
    warehouse.chmod(0o644)
    warehouse.parent.chmod(0o555)
    try:
        done = finops_cli("run", "--landing", str(tmp_path / "landing"), env=env)
    finally:
        warehouse.parent.chmod(0o755)
    _one_clear_line(done, 2, f"warehouse directory {warehouse.parent}", "read-only")
    assert (tmp_path / "landing" / "cur.csv").exists()


def test_a_second_run_on_a_busy_warehouse_refuses_naming_it_and_the_holder(tmp_path, finops_cli):
    home = tmp_path / "home"
    env = _env(home)
    (tmp_path / "landing").mkdir()
    warehouse = Path(env["FINOPS_WAREHOUSE"])
    warehouse.parent.mkdir(parents=True)
    started = time.monotonic()
    with warehouse_lock(warehouse):  # what the first `finops run` holds while it works
        done = finops_cli("run", "--landing", str(tmp_path / "landing"), env=env)
        close = finops_cli("close", "--period", "2024-01", env=env)
    line = _one_clear_line(done, 2, str(warehouse), f"pid {os.getpid()}", "in use")
    _one_clear_line(close, 2, str(warehouse), "in use")
    assert line.startswith("finops run:")
    assert time.monotonic() - started < 120, "refused at once, not after a wait"
    assert not warehouse.exists(), "the second run wrote nothing"
    with warehouse_lock(warehouse, wait_seconds=0):  # released when its holder ended
        pass


_INGEST = """
import json, resource, sys
from pathlib import Path
from finops_warehouse.ingest import ingest
limit = int(sys.argv[4])
if limit:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
report = ingest(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), progress=print)
print(json.dumps({f.path: [f.status, f.error] for f in report.files}))
"""


def _ingest(area, limit: int = 0, **kwargs) -> subprocess.Popen:
    """An ingest of the area in a subprocess (output on its stdout, one line per step)."""
    where = (area.warehouse, area.landing, area.quarantine, limit)
    return subprocess.Popen(
        [sys.executable, "-u", "-c", _INGEST, *map(str, where)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _live_rows_match_the_manifest(area) -> dict[str, int]:
    """Every delivery is loaded whole or not at all: raw rows per file equal its manifest rows."""
    manifest = dict(
        area.query("SELECT path, rows FROM raw.ingest_manifest WHERE status = 'loaded'")
    )
    raw = dict(area.query("SELECT _source_file, count(*) FROM raw.aws_cur GROUP BY 1"))
    assert raw == manifest
    return manifest


def test_a_full_disk_fails_the_delivery_clearly_and_keeps_what_was_loaded(area):
    s.aws_cur_csv(area.landing / "2024-01" / "cur.csv", rows=50)
    first = _ingest(area)
    assert first.wait(timeout=600) == 0, first.stderr
    before = area.query("SELECT path, status, rows FROM raw.ingest_manifest")
    for month in ("2024-02", "2024-03"):
        s.aws_cur_csv(area.landing / month / "cur.csv", rows=60_000, period=month)
    # No file of the run may grow past this: the big deliveries cannot be written anywhere.
    limit = (area.warehouse.stat().st_size + 256 * 1024) // 4096 * 4096
    second = _ingest(area, limit)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    results = json.loads(out.strip().splitlines()[-1])
    for month in ("2024-02", "2024-03"):
        status, error = results[str(area.landing / month / "cur.csv")]
        assert status == "failed" and "disk" in error and "run again" in error, error
    assert (area.landing / "2024-02" / "cur.csv").exists(), "not quarantined: not its fault"
    assert not area.quarantine.exists()
    assert area.query("SELECT path, status, rows FROM raw.ingest_manifest") == before
    assert _live_rows_match_the_manifest(area) == {str(area.landing / "2024-01" / "cur.csv"): 50}
    area.run()
    assert sorted(_live_rows_match_the_manifest(area).values()) == [50, 60_000, 60_000]


def test_ctrl_c_during_an_ingest_leaves_whole_deliveries_and_the_next_run_finishes(area):
    for month in range(1, 7):
        period = f"2024-{month:02}"
        s.aws_cur_csv(area.landing / period / "cur.csv", rows=30_000, period=period)
    run = _ingest(area)
    assert run.stdout is not None
    for line in run.stdout:  # interrupt once the first delivery is in, mid-way through the rest
        if ": loaded" in line:
            run.send_signal(signal.SIGINT)
            break
    run.communicate(timeout=300)
    assert run.returncode != 0, "the run stopped"
    loaded = _live_rows_match_the_manifest(area)
    assert 1 <= len(loaded) < 6 and set(loaded.values()) == {30_000}
    area.run()
    assert len(_live_rows_match_the_manifest(area)) == 6


def test_ctrl_c_during_finops_run_ends_with_one_line(tmp_path, finops_cli):
    home = tmp_path / "home"
    env = {**_env(home), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    for month in range(1, 5):
        period = f"2024-{month:02}"
        s.aws_cur_csv(tmp_path / "landing" / period / "cur.csv", rows=30_000, period=period)
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "finops_warehouse.cli",
            "run",
            "--landing",
            str(tmp_path / "landing"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The ingest reads its second file once the first delivery is loaded: interrupt then.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not list(
        (tmp_path / "tmp").glob("finops-scratch-*/file-2")
    ):
        time.sleep(0.1)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=300)
    done = subprocess.CompletedProcess(run.args, run.returncode, out, err)
    _one_clear_line(done, 130, "interrupted", "run again")
    con = duckdb.connect(env["FINOPS_WAREHOUSE"], read_only=True)  # it opens
    try:
        files = con.execute("SELECT path, rows FROM raw.ingest_manifest").fetchall()
        raw = con.execute("SELECT _source_file, count(*) FROM raw.aws_cur GROUP BY 1").fetchall()
    finally:
        con.close()
    assert 1 <= len(files) < 4, "stopped during the ingest"
    assert dict(raw) == dict(files) and all(rows == 30_000 for _, rows in files)
