"""The landing sensor and the Dagster UI, exercised for real (loopback only)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import dagster as dg

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


def test_finops_ui_serves_the_project_on_localhost(tmp_path):
    port = free_port()
    env = {**os.environ, "FINOPS_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster")}
    ui = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli", "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
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
    finally:
        os.killpg(ui.pid, 15)
        ui.wait(timeout=60)
