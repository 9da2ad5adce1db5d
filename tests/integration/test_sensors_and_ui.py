"""The landing sensor and the Dagster UI, exercised for real (loopback only)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest
import yaml

from dagster_project.partitions import partition_key
from dagster_project.project import ensure_manifest


def test_landing_sensor_requests_one_ingest_per_month_with_new_files(generator_demo, monkeypatch):
    root, truth = generator_demo
    monkeypatch.setenv("FINOPS_LANDING", str(root / "landing"))
    ensure_manifest()
    from dagster_project.definitions import defs

    sensor = defs.resolve_sensor_def("landing_sensor")
    context = dg.build_sensor_context(cursor=None, definitions=defs)
    requests = list(sensor(context))
    months = truth["billing_periods"]
    assert sorted(r.partition_key for r in requests) == [partition_key(m) for m in months]

    # Nothing new since the cursor: no request.
    again = dg.build_sensor_context(cursor=context.cursor, definitions=defs)
    assert list(sensor(again)) == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, ppid, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid`` (children of children included), with its start time,
    so that a pid the system reuses later is not taken for one of them."""
    children: dict[int, dict[int, str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = stat_fields(int(entry.name))
        except OSError:
            continue
        children.setdefault(int(fields[1]), {})[int(entry.name)] = fields[19]
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child, started in children.get(todo.pop(), {}).items():
            if child not in found:
                found[child] = started
                todo.append(child)
    return found


def alive(pid: int, started: str) -> bool:
    """True while that very process exists and is not a zombie waiting to be reaped."""
    try:
        fields = stat_fields(pid)
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == started


def ignore_stop_signals() -> None:
    # What a shell or CI does to a background job: the UI inherits ignored SIGINT and SIGTERM.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_finops_ui_serves_the_project_and_stops_with_every_process_it_started(tmp_path, stop):
    port = free_port()
    env = {**os.environ, "FINOPS_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster")}
    ui = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli", "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=ignore_stop_signals,
    )
    tree: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 180
        body = b""
        while time.monotonic() < deadline and b"dagster_webserver_version" not in body:
            time.sleep(2)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as r:
                    body = r.read()
            except OSError:
                continue
        assert b"dagster_webserver_version" in body
        tree = descendants(ui.pid)
        assert len(tree) >= 3  # dagster dev, the webserver, the daemon (and code servers)

        ui.send_signal(stop)  # the wrapper only, as `kill` or Ctrl-C in a terminal would
        gone_by = time.monotonic() + 10
        ui.wait(timeout=10)
        while time.monotonic() < gone_by and any(alive(*p) for p in tree.items()):
            time.sleep(0.2)
        assert [pid for pid in tree if alive(pid, tree[pid])] == []
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still accepts connections"
        config = yaml.safe_load((tmp_path / "dagster" / "dagster.yaml").read_text())
        assert config == {"telemetry": {"enabled": False}, "nux": {"enabled": False}}
    finally:
        # Only what this test started and is still there, should the UI have left anything.
        for pid, started in tree.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)
        if ui.poll() is None:
            ui.kill()
        ui.wait(timeout=10)
