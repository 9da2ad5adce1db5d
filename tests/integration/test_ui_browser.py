"""The Dagster UI as a data engineer opens it: `finops ui` on the demo's instance, read in headless
Chromium. Each page's rendered DOM must name the assets, checks, partitions and run it is about,
and its screenshot lands in tests/artifacts/ui/ for a person to look at."""

import functools
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import pytest
from processes import descendants, ignore_stop_signals, kill_what_is_left, left_alive_after

from finops_warehouse.ingest.formats import FORMATS
from finops_warehouse.orchestration.definitions import definitions
from finops_warehouse.orchestration.partitions import partition_key
from finops_warehouse.orchestration.project import ensure_manifest

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
FOCUS_MART = "marts/fct_cost_and_usage"
# `finops ui` loads the module as its code location
LOCATION = "finops_warehouse.orchestration.definitions"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium package (.ci/run installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"


def wait_until_loaded(url: str, ui: subprocess.Popen, seconds: float) -> None:
    """Until the code location (the dbt manifest included) has loaded, not only the server."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert ui.poll() is None, "finops ui exited"
        try:
            entries = graphql(url, LOCATIONS)["workspaceOrError"]["locationEntries"]
        except (OSError, KeyError, TypeError):
            entries = []
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            return
        time.sleep(1)
    raise AssertionError(f"the code location did not load in {seconds} s")


@pytest.fixture(scope="module")
def ui(demo_run, tmp_path_factory):
    """`finops ui` on a copy of the demo's Dagster instance (its daemon writes heartbeats and
    freshness records, and other tests copy the demo's home meanwhile); sensors are stopped."""
    _home, env, _root, truth, first = demo_run
    assert first.returncode == 0, first.stderr
    instance = tmp_path_factory.mktemp("ui") / "dagster"
    shutil.copytree(env["DAGSTER_HOME"], instance)
    port = free_port()
    months = sorted(truth["billing_periods"])
    # The demo's first month, so the partitions page starts where its data does (README).
    ui_env = {**env, "DAGSTER_HOME": str(instance), "FINOPS_FIRST_BILLING_MONTH": months[0]}
    process = subprocess.Popen(
        [sys.executable, "-m", "finops_warehouse.cli", "ui", "--port", str(port)],
        env=ui_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=ignore_stop_signals,  # as a background job of a shell or CI gets it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_loaded(url, process, 120)
        yield url, instance, months, process
    finally:
        # Stopped by the last test of this module already, unless a test failed before it.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Texts(HTMLParser):
    """The text nodes of a rendered page, scripts and styles left out."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def open_page(url: str, name: str) -> list[str]:
    """The text of the page once its scripts ran and the UI's answers arrived, and its
    screenshot, tests/artifacts/ui/<name>.png, from one Chromium."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    # A profile of its own: two Chromiums sharing the default one (another test worker's) can
    # wait on each other for ever.
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--window-size=1400,1000",
                "--virtual-time-budget=20000",
                "--dump-dom",
                f"--screenshot={shot}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    assert shot.stat().st_size > 10_000, f"{shot} is blank"
    return Texts(dom).texts


@functools.cache
def asset_graph():
    return definitions().resolve_asset_graph()


def test_lineage_draws_every_group_without_a_cycle(ui):
    url, _home, _months, _process = ui
    texts = open_page(f"{url}/asset-groups", "lineage")
    groups = {asset_graph().get(k).group_name for k in asset_graph().get_all_asset_keys()}
    assert groups <= set(texts)
    # The UI draws nothing when the graph has a cycle: it says so instead.
    assert "Cycle detected" not in texts


def test_raw_group_lists_every_raw_table_with_its_description(ui):
    url, _home, _months, _process = ui
    texts = open_page(f"{url}/locations/{LOCATION}/asset-groups/raw/list", "raw-group")
    tables = [fmt.raw_table for fmt in FORMATS.values()] + ["ingest_manifest", "ingest_partitions"]
    for table in tables:
        assert f"raw / {table}" in texts
    assert any(t.startswith("One row per landing file seen") for t in texts)


def test_focus_mart_shows_its_owner_kinds_and_daily_freshness(ui):
    url, _home, _months, _process = ui
    texts = open_page(f"{url}/assets/{FOCUS_MART}", "fct_cost_and_usage")
    assert "finops" in texts  # team:finops, as the UI shows a team
    assert {"dbt", "DuckDB", "Table"} <= set(texts)
    assert "Fails if more than 2 days since last materialization" in texts
    assert "Warns if more than 24 hours since last materialization" in texts
    # Built minutes ago by the demo run: well inside the window.
    assert "Passing" in texts


def test_focus_mart_checks_page_lists_its_dbt_tests_and_says_which_block(ui):
    url, _home, _months, _process = ui
    texts = open_page(f"{url}/assets/{FOCUS_MART}?view=checks", "fct_cost_and_usage-checks")
    nodes = json.loads(ensure_manifest().read_text())["nodes"]
    generic = [
        n["name"]
        for n in nodes.values()
        if n["resource_type"] == "test"
        and n.get("attached_node") == "model.finops.fct_cost_and_usage"
    ]
    assert generic
    for name in generic:
        assert name in texts
    checks = asset_graph().get_check_keys_for_assets({dg.AssetKey(FOCUS_MART.split("/"))})
    assert f"Checks ({len(checks)})" in texts
    # The first check opens: a dbt test of error severity, so blocking.
    assert "blocking" in texts
    assert any(
        t.endswith("Blocking (ERROR): a failure fails the run; downstream assets wait.")
        for t in texts
    )


def test_ingest_partitions_show_the_demo_months_materialized(ui):
    url, _home, months, _process = ui
    texts = open_page(
        f"{url}/assets/raw/ingest_manifest?view=partitions", "ingest_manifest-partitions"
    )
    for month in months:
        assert partition_key(month) in texts
    assert f"Materialized ({len(months)})" in texts


def test_run_page_shows_the_transform_run_its_assets_and_checks(ui):
    url, home, _months, _process = ui
    # What the run recorded, read from the instance's event log.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs(dg.RunsFilter(job_name="transform_job"), limit=1)
        built = {
            e.dagster_event.asset_key
            for e in instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            )
        }
        checked = {
            e.dagster_event.event_specific_data.asset_check_key
            for e in instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            )
        }
    texts = open_page(f"{url}/runs/{run.run_id}", "transform-run")
    assert run.run_id[:8] in texts
    assert {"transform_job", "Success"} <= set(texts)
    assert f"{len(built)} assets" in texts
    assert f"{len(checked)} checks" in texts


def test_the_ui_stops_on_kill_with_every_process_it_started(ui):
    """Last in this module: `kill` (SIGTERM) to `finops ui` only, as a terminal or a service
    manager sends it, ends the webserver, the daemon and the code servers, and frees the port.
    Ctrl-C: test_sensors_and_ui.py."""
    url, _home, _months, process = ui
    tree = descendants(process.pid)
    assert len(tree) >= 3  # dagster dev, the webserver, the daemon (and code servers)
    try:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        assert left_alive_after(tree, 10) == []
        port = int(url.rsplit(":", 1)[1])
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still accepts connections"
    finally:
        kill_what_is_left(tree)
