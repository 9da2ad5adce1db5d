"""`finops`: the command line of the warehouse. Thin: every command runs the Dagster asset graph
(through finops_warehouse.orchestration.runner) or reads the warehouse; no business logic lives
here."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from finops_warehouse.settings import Settings, state_dir

if TYPE_CHECKING:
    from finops_warehouse.orchestration.runner import CloseOutcome

# Bound to the real stdout: the runner sends Dagster's and dbt's output to log files. Lines are
# never wrapped, so a path or a command in a message stays whole when output goes to a file.
console = Console(file=sys.stdout, soft_wrap=True)

WAREHOUSE_HELP = (
    "DuckDB warehouse file. Default: $FINOPS_WAREHOUSE, else $FINOPS_HOME/warehouse.duckdb "
    "(FINOPS_HOME defaults to .finops)."
)
warehouse_option = click.option(
    "--warehouse", type=click.Path(dir_okay=False), default=None, help=WAREHOUSE_HELP
)


@click.group()
@click.version_option(package_name="finops-warehouse")
def main() -> None:
    """Turn raw cloud bills into FOCUS 1.2 and the marts finance signs."""


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory to write landing/, budgets/ and ground_truth.json into.",
)
@click.option("--months", default=3, show_default=True, help="Billing months to generate.")
@click.option("--seed", default=42, show_default=True, help="Random seed; same seed, same bytes.")
@click.option(
    "--rows",
    default=None,
    type=int,
    help="Scale hourly line items to about this many rows in total (benchmarks).",
)
@click.option("--start", default=None, help="First billing month, YYYY-MM (default: generator's).")
def generate(out_dir: str, months: int, seed: int, rows: int | None, start: str | None) -> None:
    """Write realistic demo exports of every supported format, and their ground truth."""
    from finops_generator import generate as generate_exports

    kwargs = {"start": start} if start else {}
    with console.status("generating exports") as status:
        truth = generate_exports(
            Path(out_dir),
            months=months,
            seed=seed,
            rows=rows,
            progress=lambda message: status.update(message),
            **kwargs,
        )
    files = truth["files"] if isinstance(truth, dict) else truth.files
    console.print(f"wrote {len(files)} export files to {Path(out_dir) / 'landing'}")
    console.print(f"ground truth: {Path(out_dir) / 'ground_truth.json'}")


@main.command()
@click.option(
    "--landing",
    default=None,
    help="Landing directory or fsspec URL. Default: $FINOPS_LANDING, else $FINOPS_HOME/landing.",
)
@warehouse_option
@click.option(
    "--quarantine",
    default=None,
    type=click.Path(file_okay=False),
    help="Where refused files go. Default: $FINOPS_QUARANTINE, else the warehouse's "
    "<file>.finops/quarantine.",
)
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild every billing month (after a change of rules or seeds), not only the months "
    "whose exports changed.",
)
def run(
    landing: str | None, warehouse: str | None, quarantine: str | None, full_refresh: bool
) -> None:
    """Ingest every export in the landing directory, build the models of the billing months
    whose exports changed (every month with --full-refresh), run their checks.

    Exit codes: 0 everything loaded and every blocking check passed; 1 a blocking check or the
    run failed (named, with the reason); 2 it could not start (no landing directory, the
    warehouse busy with another command or read-only); 3 the marts are built and current, but a
    landing file was refused and quarantined, and the billing months it would have fed are held
    back (they cannot close until it is delivered again fixed); 130 interrupted (Ctrl-C).
    """
    from finops_warehouse.ingest.validate import gx_worker, stop_gx_worker
    from finops_warehouse.orchestration import dbt_server

    # GX's import takes seconds of CPU: a child process does it on another core while this one
    # loads Dagster; the ingest uses it. Not needed (nothing to ingest), it ends unwaited for.
    gx_worker()
    # dbt's import likewise, in a server started while the ingest runs (runner.run_pipeline).
    dbt_server.enable()
    try:
        from finops_warehouse.orchestration import runner

        settings = Settings.resolve(warehouse, landing, quarantine)
        _require_landing(settings.landing)
        outcome = _exclusive(settings, runner.run_pipeline, None, full_refresh)
    finally:
        stop_gx_worker()
        dbt_server.stop()
    _report_files(outcome, settings.landing)
    _report(outcome)
    _exit_process(_exit_code(outcome))


def _exit_process(code: int) -> None:
    """End `finops` with `code` after its exit handlers, without the interpreter's teardown of
    every module (Dagster, dbt's, GX): seconds of work whose memory the OS frees anyway.
    Elsewhere (e.g. a test invoking the command in its own process), or while a thread other
    than a daemon still runs, a normal exit."""
    alive = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if alive or Path(sys.argv[0]).name not in ("finops", "cli.py"):
        sys.exit(code)
    atexit._run_exitfuncs()  # what a normal exit runs: logging's flush, weakref finalizers
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


EXIT_FAILED = 1
EXIT_HELD_BACK = 3


def _exit_code(outcome) -> int:
    if not outcome.ok:
        return EXIT_FAILED
    return EXIT_HELD_BACK if outcome.refused else 0


@main.command()
@click.option(
    "--workdir",
    default=".finops/demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the demo's exports and warehouse go.",
)
@click.option("--seed", default=42, show_default=True)
@click.option("--months", default=3, show_default=True)
def demo(workdir: str, seed: int, months: int) -> None:
    """Generate demo exports, run the whole pipeline on them and summarise the result."""
    from finops_generator import generate as generate_exports
    from finops_warehouse.orchestration import runner

    root = Path(workdir).resolve()
    with console.status("generating demo exports"):
        truth = generate_exports(root, months=months, seed=seed)
    settings = Settings.resolve(root / "warehouse.duckdb", str(root / "landing"), home=root)
    warehouse = settings.warehouse
    with console.status("ingesting, building models, running checks"):
        outcome = _exclusive(settings, runner.run_pipeline)
    _report(outcome)
    _summary(warehouse)
    ok = outcome.ok
    if ok:
        # The month-end close of the first month, as finance would run it once its invoices
        # have arrived; the later months stay open.
        first = truth.billing_periods[0]
        with console.status(f"reconciling and closing {first}"):
            closed = _exclusive(settings, runner.run_close, first)
        console.print()
        _report_close(closed)
        ok = closed.ok
    written = None
    if ok:  # the closed month's report: what finance opens first
        with console.status(f"writing the month-in-review report of {first}"):
            written = _exclusive(settings, runner.run_report, first)
        ok = written.ok
    console.print("\nNext:")
    for line in _demo_hints(settings, truth.billing_periods):
        console.print(f"  {line}", soft_wrap=True)
    console.print(f"  what the generator made:         {root / 'ground_truth.json'}")
    if written is not None:
        console.print()
        _report_written(written)
    sys.exit(0 if ok else 1)


def _demo_hints(settings: Settings, periods: list[str]) -> list[str]:
    """Commands that reach what the demo used (its warehouse, Dagster instance and close
    directory) and run as printed in a fresh shell: `finops` and Python by their full path
    unless this environment's `finops` is the one on PATH."""
    warehouse, dagster_home = settings.warehouse, settings.dagster_home
    own = dagster_home == state_dir(warehouse) / "dagster"
    prefix = "" if own else f"DAGSTER_HOME={shlex.quote(str(dagster_home))} "
    bin_dir = Path(sys.executable).parent
    on_path = shutil.which("finops") == str(bin_dir / "finops")
    finops = prefix + ("finops" if on_path else shlex.quote(str(bin_dir / "finops")))
    python = "python" if on_path else shlex.quote(sys.executable)
    file = shlex.quote(str(warehouse))
    query = (
        f"import duckdb; duckdb.connect({str(warehouse)!r}, read_only=True)"
        ".sql('from marts.dim_billing_period').show()"
    )
    hints = [
        f"lineage, partitions and checks:  {finops} ui --warehouse {file}",
        f"query the warehouse:             {python} -c {shlex.quote(query)}",
        f"FOCUS 1.2 as Parquet:            {finops} export focus --warehouse {file} "
        f"--out {shlex.quote(str(warehouse.parent / 'focus.parquet'))}",
    ]
    if len(periods) > 1:
        hints.append(
            f"close the next month:            {finops} close --warehouse {file} "
            f"--out {shlex.quote(str(settings.close_root))} --period {periods[1]}"
        )
    return hints


@main.group()
def export() -> None:
    """Write datasets out of the warehouse."""


@export.command("focus")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="Parquet file to write."
)
@click.option("--period", default=None, help="Only this billing month, YYYY-MM.")
@warehouse_option
def export_focus(out: str, period: str | None, warehouse: str | None) -> None:
    """Write the FOCUS 1.2 rows (marts.fct_cost_and_usage) as Parquet."""
    from finops_warehouse import export as focus_export

    try:
        result = focus_export.export_focus(Settings.resolve(warehouse).warehouse, Path(out), period)
    except focus_export.ExportError as exc:
        console.print(f"[red]finops export focus[/]: {exc}")
        sys.exit(1)
    console.print(
        f"wrote {result.rows:,} FOCUS 1.2 rows{f' of {period}' if period else ''} "
        f"({len(result.columns)} columns, {result.bytes:,} bytes) to {result.path}"
    )


@main.command()
@click.option("--period", required=True, help="Billing month to close, YYYY-MM.")
@click.option(
    "--out",
    default=None,
    type=click.Path(file_okay=False),
    help="Parent of the extract directories: OUT/<YYYY-MM>/. Default: $FINOPS_HOME/close.",
)
@warehouse_option
def close(period: str, out: str | None, warehouse: str | None) -> None:
    """Close a billing month: reconcile, then write finance's extracts (never changed again).

    Exits 1 when the month cannot be closed (an invoice not matched, a failed check), naming
    each invoice, its variance and where to look. Closing a closed month changes nothing.
    """
    from finops_warehouse.orchestration import runner

    label = _period(period)
    settings = Settings.resolve(warehouse)
    with console.status(f"reconciling and closing {label}"):
        outcome = _exclusive(settings, runner.run_close, label, out)
    _report_close(outcome)
    sys.exit(0 if outcome.ok else 1)


@main.command()
@click.option("--period", required=True, help="Billing month, YYYY-MM.")
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False),
    help="HTML file to write. Default: $FINOPS_HOME/reports/month-in-review-<YYYY-MM>.html.",
)
@warehouse_option
def report(period: str, out: str | None, warehouse: str | None) -> None:
    """Write the month-in-review report of a billing month: one HTML file, every chart and
    figure inlined, that opens from disk with no server and no network (docs/report.md).

    Exits 1 when the warehouse holds no such month.
    """
    from finops_warehouse.orchestration import runner

    label = _period(period)
    settings = Settings.resolve(warehouse)
    with console.status(f"writing the month-in-review report of {label}"):
        outcome = _exclusive(settings, runner.run_report, label, out)
    _report_written(outcome)
    sys.exit(0 if outcome.ok else 1)


def _period(period: str) -> str:
    """The billing month given as --period, as YYYY-MM; a usage error when it is not one."""
    from finops_warehouse.orchestration.partitions import period_label

    try:
        return period_label(period)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc


def _report_written(outcome) -> None:
    """Where the report is and how to open it, or why it was not written."""
    if outcome.ok:
        console.print(
            f"month-in-review report of {outcome.period}: {outcome.path}\n"
            f"  open it in a browser (no server, works offline): {outcome.path.as_uri()}"
        )
        return
    console.print(f"[red]finops report[/]: the report of {outcome.period} was not written:")
    for reason in outcome.pipeline.run_failures:
        console.print(f"  - {reason}")
    if outcome.pipeline.logs:
        console.print(f"run logs: {', '.join(str(p) for p in outcome.pipeline.logs)}")


def _require_landing(landing: str) -> None:
    """Stop before anything is written when a local landing directory does not exist (a typo
    would otherwise run the whole pipeline on nothing)."""
    if "://" not in landing and not Path(landing).is_dir():
        _stop(f"the landing directory {landing} does not exist; check --landing")


def _exclusive(settings: Settings, work, *args):
    """``work(settings, *args)`` holding the warehouse lock (finops_warehouse/locking.py): one
    line and exit 2 when the warehouse is busy or read-only, exit 130 on Ctrl-C, never a
    traceback."""
    from dagster import DagsterExecutionInterruptedError

    from finops_warehouse.locking import WarehouseUnavailable, warehouse_lock
    from finops_warehouse.orchestration.runner import prepare

    try:
        prepare(settings)
        with warehouse_lock(settings.warehouse):
            outcome = work(settings, *args)
        # Dagster reports a Ctrl-C inside a step as a failed run, not as an exception.
        pipeline = getattr(outcome, "pipeline", outcome)
        if any(DagsterExecutionInterruptedError.__name__ in f for f in pipeline.run_failures):
            raise KeyboardInterrupt
        return outcome
    except WarehouseUnavailable as exc:
        _stop(str(exc))
    except (KeyboardInterrupt, DagsterExecutionInterruptedError):  # Dagster's name inside a step
        _stop(
            "interrupted; what was loaded is whole (a delivery loads in one transaction), "
            "run again to finish",
            code=130,
        )


def _stop(message: str, code: int = 2) -> None:
    """End the command with one line on stderr."""
    click.echo(f"finops {click.get_current_context().info_name}: {message}", err=True)
    sys.exit(code)


EXTRACT_BASIS = {"chargeback": "billed cost", "showback": "amortized cost"}
"""What each close extract sums, so their totals are not read as a mismatch."""


def _report_close(outcome: CloseOutcome) -> None:
    """What a close did, or why it refused, and where its logs are."""
    label = outcome.period
    if outcome.already_closed:
        console.print(
            f"{label} is closed already: nothing changed. Extracts: {outcome.directory} "
            f"(manifest sha256 {outcome.manifest_sha256})"
        )
    elif outcome.ok:
        console.print(f"closed {label}: {len(outcome.files)} extract files in {outcome.directory}")
        for extract, totals in sorted(outcome.totals.items()):
            basis = EXTRACT_BASIS[extract]
            for currency, total in sorted(totals.items()):
                console.print(f"  {extract} ({basis}) {currency}: {total['rounded']}")
        console.print(f"  manifest.json sha256 {outcome.manifest_sha256}")
    else:
        console.print(f"[red]finops close[/]: {label} cannot be closed:")
        for reason in outcome.refusals + outcome.pipeline.run_failures:
            console.print(f"  - {reason}")
        console.print("runbook: docs/close.md")
    if outcome.pipeline.logs:
        console.print(f"run logs: {', '.join(str(p) for p in outcome.pipeline.logs)}")


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    add_help_option=False,
)
@warehouse_option
@click.argument("mf_args", nargs=-1, type=click.UNPROCESSED)
def mf(warehouse: str | None, mf_args: tuple[str, ...]) -> None:
    """Ask the semantic layer: MetricFlow's `mf`, read-only on the warehouse.

    \b
    finops mf list metrics
    finops mf query --metrics effective_cost --group-by metric_time__month,currency
    finops mf --help
    """
    from finops_warehouse.locations import PROFILES_DIR
    from finops_warehouse.orchestration.project import ensure_manifest, semantic_project_dir

    settings = Settings.resolve(warehouse)
    ensure_manifest()  # writes the semantic manifest beside dbt's manifest
    project = semantic_project_dir()
    env = {
        **os.environ,
        **settings.environment(),
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "FINOPS_WAREHOUSE_READ_ONLY": "1",
    }
    mf_executable = Path(sys.executable).parent / "mf"
    sys.exit(subprocess.run([str(mf_executable), *mf_args], env=env, cwd=project).returncode)


# How long `finops ui` lets Dagster shut down after Ctrl-C or SIGTERM before it kills what is left.
UI_SHUTDOWN_GRACE_SECONDS = 5


@main.command()
@click.option("--port", default=3000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@warehouse_option
def ui(port: int, host: str, warehouse: str | None) -> None:
    """Open the Dagster UI with this project loaded (on localhost unless --host says otherwise)."""
    from finops_warehouse.orchestration.project import ensure_manifest
    from finops_warehouse.orchestration.runner import prepare

    settings = Settings.resolve(warehouse)
    prepare(settings)
    # Parsed once here: the processes `dagster dev` starts, each loading the definitions, then
    # find the manifest current instead of parsing it at the same time.
    ensure_manifest()
    console.print(
        f"Dagster UI on http://{host}:{port} for {settings.warehouse} "
        f"(its runs and checks: DAGSTER_HOME={settings.dagster_home})"
    )
    # `dagster dev` re-parses the dbt project with the dbt found on PATH: put this venv's first.
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        **settings.environment(),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    }
    # Its own process group, so one signal reaches dagster dev, the webserver, the daemon and the
    # code server; default dispositions, since a shell or CI that started us in the background
    # may have left SIGINT ignored, and Dagster maps SIGTERM onto SIGINT's handler.
    dev = subprocess.Popen(
        [
            *(sys.executable, "-m", "dagster", "dev"),
            *("-m", "finops_warehouse.orchestration.definitions"),
            *("-h", host, "-p", str(port)),
        ],
        env=env,
        process_group=0,
        preexec_fn=_default_stop_signals,
    )
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(dev.pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    deadline = None
    try:
        while dev.poll() is None:
            if received and deadline is None:
                deadline = time.monotonic() + UI_SHUTDOWN_GRACE_SECONDS
            if deadline is not None and time.monotonic() > deadline:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                dev.wait(timeout=0.5)
    finally:
        # Whatever of the group outlived dagster dev (or the grace period) goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(dev.pid, signal.SIGKILL)
        dev.wait()
    sys.exit(128 + received[0] if received else dev.returncode)


def _default_stop_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


# Files a run did nothing with are counted, not listed.
_QUIET_STATUSES = ("unchanged", "skipped")


def _report_files(outcome, landing: str) -> None:
    """What ingest did with each landing file: loaded, replaced, refused (and where it went)."""
    shown = sorted(
        (f for f in outcome.files if f["status"] not in _QUIET_STATUSES), key=lambda f: f["path"]
    )
    quiet = len(outcome.files) - len(shown)
    if not shown:
        if outcome.files:
            console.print(f"nothing changed: all {quiet} landing files were ingested before")
        return
    console.print(f"landing files ({landing}):")
    for f in shown:
        money = (
            f"{Decimal(f['cost_total']):,.2f} {f['currency']}"
            if f["cost_total"] is not None and f["currency"]
            else ""
        )
        rows = f"{f['rows']:,} rows" if f["rows"] is not None else ""
        console.print(
            f"  {f['status']:<12} {f['format'] or '':<20} {','.join(f['billing_periods']):<16}"
            f"{rows:>14} {money:>18}  {_relative_to(f['path'], landing)}",
            highlight=False,
        )
    if quiet:
        console.print(f"  and {quiet} landing files unchanged since the last run")
    for f in outcome.refused:
        months = ", ".join(f["billing_periods"]) or "unknown (its path names no month)"
        reason = f["error"].removeprefix(f"{f['path']}: ")
        console.print(
            f"[red]refused[/] {_relative_to(f['path'], landing)}: {reason}\n"
            f"  moved to {f['quarantined_to']} (the reason beside it, in .error.txt)\n"
            f"  held back: billing months {months} stay open, and `finops close` refuses them "
            "until the file is delivered again fixed"
        )


def _rebuilt(outcome) -> str:
    if not outcome.rebuilt:
        return "no billing month" + (
            " (nothing changed since the last build)" if outcome.ok else ""
        )
    months = outcome.rebuilt
    named = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
    how = " (full refresh)" if outcome.full_refresh else ""
    return f"billing month{'s' if len(months) > 1 else ''} {named}{how}"


def _relative_to(path: str, root: str) -> str:
    prefix = root.rstrip("/") + "/"
    return path[len(prefix) :] if root and path.startswith(prefix) else path


def _report(outcome) -> None:
    from finops_warehouse.orchestration.assets.anomalies import ANOMALY_CHECK
    from finops_warehouse.orchestration.assets.ingest import ACCEPTED_CHECK, GX_CHECK

    failed = [c for c in outcome.checks if not c.passed]
    # A warning (an anomaly, a breached budget) is news, not a failure: counted apart.
    warned = sum(not c.blocking for c in failed)
    console.print(
        f"billing months: {', '.join(outcome.periods) or 'none found'}; "
        f"checks: {len(outcome.checks) - len(failed)} passed, {warned} warned, "
        f"{len(failed) - warned} failed"
    )
    console.print(f"rebuilt: {_rebuilt(outcome)}")
    for check in outcome.checks:
        if check.check == ANOMALY_CHECK:  # its description is the anomalies' summary line
            console.print(("" if check.passed else "[yellow]warning[/] ") + check.description)
    for check in failed:
        if check.check in (ACCEPTED_CHECK, GX_CHECK) and outcome.refused:
            continue  # the refused files are listed above, with where they went
        if check.check == ANOMALY_CHECK:
            continue
        level = "[red]BLOCKING[/]" if check.blocking else "[yellow]warning[/]"
        console.print(f"  {level} {check.asset} / {check.check}: {check.description}")
    for failure in outcome.run_failures:
        console.print(f"  [red]run failed[/] {failure}")
    for warning in outcome.warnings:
        console.print(f"  [yellow]warning[/] {warning}")
    for note in outcome.notes:
        console.print(f"  note {note}")
    if outcome.logs:
        console.print(f"run logs: {', '.join(str(p) for p in outcome.logs)}")
    if outcome.ok and outcome.refused:
        console.print(
            f"[yellow]marts built; {len(outcome.refused)} refused file(s) hold their billing "
            f"months back[/] (exit {EXIT_HELD_BACK})"
        )


def _summary(warehouse: Path) -> None:
    from finops_warehouse.warehouse_connection import connect

    with connect(warehouse, read_only=True) as con:
        files = con.execute(
            """
            select format, status, count(*), sum(rows)
            from raw.ingest_manifest
            group by all order by all
            """
        ).fetchall()
        live = con.execute(
            """
            select format, coalesce(provider, ''), currency,
                   count(distinct (billing_account_id, billing_period)), sum(rows),
                   sum(cost_total)
            from raw.ingest_partitions
            where status = 'loaded'
            group by all order by all
            """
        ).fetchall()
        has_focus = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name = 'fct_cost_and_usage'"
        ).fetchone()[0]
        spend = (
            con.execute(
                """
                select ProviderName, BillingCurrency, count(*),
                       sum(BilledCost), sum(EffectiveCost)
                from marts.fct_cost_and_usage
                group by all order by all
                """
            ).fetchall()
            if has_focus
            else []
        )
        group = (
            con.execute(
                """
                select strftime(BillingMonth, '%Y-%m'), BillingCurrency, ExchangeRate,
                       ExchangeRateDate, ReportingCurrency, sum(BilledCost),
                       sum(BilledCostInReportingCurrency)
                from marts.fct_showback_monthly
                group by all order by all
                """
            ).fetchall()
            if has_focus
            else []
        )
    ingested = _table("Files ingested (raw.ingest_manifest)", ["format", "status", "files", "rows"])
    for fmt, status, count, rows in files:
        ingested.add_row(fmt, status, str(count), f"{rows or 0:,}")
    console.print(ingested)
    partitions = _table(
        "Live data per format, provider and currency (raw.ingest_partitions)",
        ["format", "provider", "currency", "account-months", "rows", "Σ cost column"],
    )
    for fmt, provider, currency, count, rows, total in live:
        # Business metrics have no currency: their total is not money.
        money = f"{total:,.2f}" if currency and total is not None else ""
        partitions.add_row(fmt, provider, currency or "", str(count), f"{rows or 0:,}", money)
    partitions.caption = (
        "Σ cost column: each format's own cost column as delivered (docs/ingestion.md). GCP's "
        "`cost` is before credits, which FOCUS BilledCost includes; the Azure actual and "
        "amortized datasets are two views of one bill; invoices and InvoiceDetail repeat the "
        "charges. So these do not add up to the FOCUS totals below."
    )
    console.print(partitions)
    if spend:
        focus = _table(
            "Spend per provider and currency (marts.fct_cost_and_usage, FOCUS 1.2)",
            ["provider", "currency", "rows", "Σ BilledCost", "Σ EffectiveCost"],
        )
        for provider, currency, rows, billed, effective in spend:
            focus.add_row(provider, currency, f"{rows:,}", f"{billed:,.2f}", f"{effective:,.2f}")
        console.print(focus)
    if group:
        reporting = group[0][4]
        converted = _table(
            f"Billed cost in the group currency, {reporting} (marts.fct_showback_monthly; "
            "docs/currency.md)",
            ["month", "currency", "rate", "rate date", "Σ BilledCost", f"Σ in {reporting}"],
        )
        for month, rows in itertools.groupby(group, key=lambda r: r[0]):
            total = Decimal(0)
            for _, currency, rate, day, _, billed, in_group in rows:
                converted.add_row(
                    month, currency, f"{rate:.6f}", str(day), f"{billed:,.2f}", f"{in_group:,.2f}"
                )
                total += in_group
            converted.add_row(month, "total", "", "", "", f"{total:,.2f}", end_section=True)
        console.print(converted)


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title)
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i < 2 or name == "currency" else "right")
    return table


if __name__ == "__main__":
    main()
