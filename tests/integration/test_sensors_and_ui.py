"""The landing sensor and the Dagster UI, exercised for real (loopback only)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import dagster as dg
import yaml
from processes import descendants, ignore_stop_signals, kill_what_is_left, left_alive_after

from finops_warehouse.orchestration.definitions import definitions
from finops_warehouse.orchestration.partitions import partition_key


def test_landing_sensor_requests_one_ingest_per_month_with_new_files(generator_demo, monkeypatch):
    root, truth = generator_demo
    monkeypatch.setenv("FINOPS_LANDING", str(root / "landing"))
    defs = definitions()
    sensor = defs.resolve_sensor_def("landing_sensor")
    context = dg.build_sensor_context(cursor=None, definitions=defs, resources=defs.resources)
    requests = list(sensor(context))
    months = truth["billing_periods"]
    assert sorted(r.partition_key for r in requests) == [partition_key(m) for m in months]

    # Nothing new since the cursor: no request.
    again = dg.build_sensor_context(
        cursor=context.cursor, definitions=defs, resources=defs.resources
    )
    assert list(sensor(again)) == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_finops_ui_serves_the_project_and_stops_on_ctrl_c_with_every_process_it_started(tmp_path):
    """Ctrl-C here; `kill` (SIGTERM) in test_ui_browser.py, which stops its own UI that way."""
    port = free_port()
    env = {**os.environ, "FINOPS_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster")}
    ui = subprocess.Popen(
        [sys.executable, "-m", "finops_warehouse.cli", "ui", "--port", str(port)],
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

        ui.send_signal(signal.SIGINT)  # the wrapper only, as Ctrl-C in a terminal would
        ui.wait(timeout=10)
        assert left_alive_after(tree, 10) == []
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still accepts connections"
        config = yaml.safe_load((tmp_path / "dagster" / "dagster.yaml").read_text())
        assert config == {"telemetry": {"enabled": False}, "nux": {"enabled": False}}
    finally:
        kill_what_is_left(tree)
        if ui.poll() is None:
            ui.kill()
        ui.wait(timeout=10)
