"""The dbt server of `finops run` (finops_warehouse/orchestration/dbt_server.py): a dbt command
through it is the command dbt itself would run, Ctrl-C reaches it, and without a server the
client is dbt itself."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from finops_warehouse.locations import PROFILES_DIR, PROJECT_DIR
from finops_warehouse.orchestration import dbt_server
from finops_warehouse.orchestration.project import DBT_EXECUTABLE, ensure_manifest


@pytest.fixture
def server():
    """This test process with a dbt server that has warmed up (it starts from the parse state
    `finops run` leaves: ensure_manifest); the client's command prefix."""
    ensure_manifest()
    dbt_server.enable()
    dbt_server.start()
    command = [*dbt_server.client_command(), DBT_EXECUTABLE]
    try:
        _wait_until_warm(command)
        yield command
    finally:
        dbt_server.stop()


def _wait_until_warm(command: list[str]) -> None:
    """Until the server has imported dbt and warmed up: once it listens (a client finding no
    socket runs dbt itself), a command waits for that."""
    socket_path = Path(command[-2])
    deadline = time.monotonic() + 60
    while not socket_path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    subprocess.run([*command, "--version"], capture_output=True, check=True, timeout=120)


def _config_dir(command: list[str], tmp_path) -> subprocess.CompletedProcess:
    """`dbt debug --config-dir`: prints the profiles directory it was given in its environment."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(tmp_path / "profiles-from-env")}
    return subprocess.run(
        [*command, "debug", "--config-dir"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_a_command_through_the_server_is_the_command_dbt_runs(server, tmp_path):
    through = _config_dir(server, tmp_path)
    itself = _config_dir([DBT_EXECUTABLE], tmp_path)
    assert through.returncode == itself.returncode == 0
    assert str(tmp_path / "profiles-from-env") in through.stdout  # its environment
    assert through.stdout.splitlines()[-2:] == itself.stdout.splitlines()[-2:]

    wrong = subprocess.run([*server, "--no-such-flag"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2  # dbt's own exit code for a usage error
    assert "No such option '--no-such-flag'" in wrong.stderr


def test_ctrl_c_reaches_the_command_and_the_server_ends_with_the_run(server, tmp_path):
    parse = subprocess.Popen(
        [
            *server,
            "parse",
            "--no-partial-parse",  # seconds of work to interrupt
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROFILES_DIR),
            "--target",
            "lint",
            "--target-path",
            str(tmp_path / "target"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(2)
    started = time.monotonic()
    parse.send_signal(signal.SIGINT)
    out, _ = parse.communicate(timeout=60)
    assert parse.returncode != 0 and "KeyboardInterrupt" in out
    assert time.monotonic() - started < 15, "the command stopped at once"
    assert not (tmp_path / "target" / "manifest.json").exists()

    socket_path = server[-2]
    dbt_server.stop()
    assert not os.path.exists(socket_path)


@pytest.fixture
def no_warehouse_named(tmp_path, monkeypatch) -> Path:
    """An environment for the server naming no warehouse: dbt's profile would open (and create)
    the default file under this FINOPS_HOME if the warm-up connected. Request it before
    `server`, which starts the server with the environment it finds."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("FINOPS_WAREHOUSE", raising=False)
    monkeypatch.setenv("FINOPS_HOME", str(home))
    return home


def test_the_warm_up_parses_nothing_touches_no_warehouse_and_leaves_nothing(
    no_warehouse_named, server, tmp_path
):
    directory = Path(server[-2]).parent
    environment = Path(f"/proc/{dbt_server._server.pid}/environ").read_bytes().split(b"\0")
    assert f"FINOPS_HOME={no_warehouse_named}".encode() in environment  # what it started with
    assert _config_dir(server, tmp_path).returncode == 0
    log = (directory / "warm-up" / "dbt.log").read_text()
    assert [p.name for p in (directory / "warm-up").iterdir()] == ["dbt.log"]

    started = time.monotonic()
    dbt_server.stop()
    assert time.monotonic() - started < 10, "the server ended with the run"
    assert "Found " in log and "Unable to do partial parsing" not in log
    assert not list(no_warehouse_named.iterdir())
    assert not directory.exists()


def test_without_a_server_the_client_is_dbt_itself(tmp_path):
    dbt_server.enable()  # no start: nothing listens
    try:
        command = [*dbt_server.client_command(), DBT_EXECUTABLE]
        done = _config_dir(command, tmp_path)
    finally:
        dbt_server.stop()
    assert done.returncode == 0
    assert str(tmp_path / "profiles-from-env") in done.stdout
    assert dbt_server.client_command() is None


def test_finops_run_builds_through_its_server(demo_run):
    home, *_, run = demo_run
    log = (home / "warehouse.duckdb.finops" / "logs" / "transform_job.log").read_text()
    started = [line for line in log.splitlines() if "Finished dbt command" in line]
    assert started and all("dbt_client.py" in line for line in started)
    # Neither a command nor the server leaves semaphores for multiprocessing to warn of.
    assert "Finished running" in log and "resource_tracker" not in log + run.stderr
