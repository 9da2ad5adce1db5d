"""Runs the asset graph the way the Dagster UI does, for the `finops` CLI.

`run_pipeline` ingests every billing month found in the landing directory (one run of
`ingest_job` over the range of months), then builds the dbt models and their tests
(`transform_job`) over the range of months whose raw partitions changed since they were last
built (every month on a full refresh or a first build; no run when nothing changed), and warns
about invoices that do not reconcile yet. `run_close` closes one billing month from the marts
the last `finops run` built: it runs `close_job` (the blocking
reconciliation check, then the close asset), then rebuilds the close marts (`close_marts_job`)
so `dim_billing_period` shows the month Closed. The runs land in the warehouse's Dagster
instance (its state directory, `settings.state_dir`), so `finops ui` shows them beside runs
started from the UI; every run is tagged with the warehouse it worked on. Each function works
on the warehouse, landing and quarantine of the `Settings` it is given.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from finops_warehouse.ingest.formats import RATE_FORMATS
from finops_warehouse.ingest.warehouse import SEEN_FILES
from finops_warehouse.orchestration import dbt_server, run_history
from finops_warehouse.orchestration.assets.close import blocking_check_keys
from finops_warehouse.orchestration.definitions import build_definitions
from finops_warehouse.orchestration.partitions import (
    FIRST_BILLING_MONTH,
    before_first_month,
    current_partition_key,
    months_between,
    partition_key,
    partition_range,
    period_label,
)
from finops_warehouse.orchestration.resources import warehouse_tags
from finops_warehouse.settings import Settings, landing_plans
from finops_warehouse.warehouse_connection import connect, rows_if_built

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    blocking: bool
    description: str


@dataclass
class PipelineOutcome:
    periods: list[str]
    checks: list[CheckOutcome] = field(default_factory=list)
    run_failures: list[str] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    # Not failures: e.g. an invoice not delivered yet, normal in an open month.
    warnings: list[str] = field(default_factory=list)
    # What ingestion assumed or decided about files of this landing (e.g. an Azure dataset).
    notes: list[str] = field(default_factory=list)
    # What ingest did with each landing file (assets.ingest.file_outcome), for the summary.
    files: list[dict] = field(default_factory=list)
    # The billing months (YYYY-MM) the dbt build replaced; empty when it did not run.
    rebuilt: list[str] = field(default_factory=list)
    full_refresh: bool = False

    @property
    def refused(self) -> list[dict]:
        """Files quarantined by this run: the marts are built without them."""
        return [f for f in self.files if f["status"] == "quarantined"]

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.blocking]

    @property
    def ok(self) -> bool:
        return not self.blocking_failures and not self.run_failures


def prepare(settings: Settings) -> None:
    """Make the warehouse of `settings` ready for a command: its directory and Dagster instance
    (with its config), and Dagster's run history recorded the quick way (run_history)."""
    settings.create_directories()
    run_history.install()


def _instance(settings: Settings) -> dg.DagsterInstance:
    """The warehouse's Dagster instance, where the runs of its commands land: `finops ui` shows
    them beside runs started from the UI."""
    prepare(settings)
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def _checks(result: dg.ExecuteInProcessResult, blocking_checks: set[dg.AssetCheckKey]):
    for evaluation in result.get_asset_check_evaluations():
        key = evaluation.asset_check_key
        yield CheckOutcome(
            asset=key.asset_key.to_user_string(),
            check=key.name,
            passed=evaluation.passed,
            blocking=key in blocking_checks or evaluation.severity == dg.AssetCheckSeverity.ERROR,
            description=evaluation.description or "",
        )


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """The root cause of each failed step, without Dagster's wrapping and stack traces."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            messages.append(f"{event.step_key}: {error.cls_name}: {error.message.strip()}")
    return messages or ([] if result.success else ["the run failed; see the Dagster UI"])


def _execute(
    settings: Settings,
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    outcome: PipelineOutcome,
    tags: dict[str, str] | None = None,
    partition_key: str | None = None,
    ops_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    """Run one job in process; its event log and dbt's output go to a log file, not the terminal.

    The Dagster UI shows the same events; the CLI prints only the outcome.
    """
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.logs_dir / f"{job.name}.log"
    outcome.logs.append(log_path)
    with (
        log_path.open("w") as log,
        redirect_stdout(log),
        redirect_stderr(log),
        run_history.connections_kept_open(),
    ):
        return job.execute_in_process(
            instance=instance,
            tags={**(tags or {}), **warehouse_tags(settings.warehouse)},
            partition_key=partition_key,
            raise_on_error=False,
            run_config={
                "loggers": {"console": {"config": {"log_level": "INFO"}}},
                **({"ops": ops_config} if ops_config else {}),
            },
        )


def run_pipeline(
    settings: Settings, periods: set[str] | None = None, full_refresh: bool = False
) -> PipelineOutcome:
    """Ingest the landing directory and build the models over the months that changed (all of
    them on a full refresh); never raises for a failed check."""
    from finops_warehouse.ingest import plan_landing

    planned = plan_landing(settings.landing, landing_plans(settings.warehouse))
    found = {
        period
        for f in planned
        for period in f.billing_periods
        if f.format not in RATE_FORMATS or not before_first_month({period})
    }
    wanted = sorted(found if periods is None else found & periods)
    outcome = PipelineOutcome(periods=wanted, full_refresh=full_refresh)
    if early := before_first_month(set(wanted)):
        outcome.run_failures.append(
            f"billing months {', '.join(early)} are before FINOPS_FIRST_BILLING_MONTH "
            f"({period_label(FIRST_BILLING_MONTH)}): set it to {early[0]} or earlier, run again"
        )
        return outcome
    instance = _instance(settings)
    defs = build_definitions(settings)
    blocking = blocking_check_keys(defs.get_repository_def().asset_graph)

    if dbt_server.enabled() and (full_refresh or _anything_new(settings.warehouse, planned)):
        # The transform's dbt commands start from a process that imports dbt during the ingest
        # (`finops run` enabled it: dbt_server.py).
        dbt_server.start()
    if wanted or any(f.error for f in planned):
        # Files that cannot be planned (unknown format, unreadable) are quarantined by any ingest
        # run, so an otherwise empty landing still gets one run for the open month.
        first, last = partition_range(set(wanted)) if wanted else (current_partition_key(),) * 2
        ingest = _execute(
            settings,
            defs.resolve_job_def("ingest_job"),
            instance,
            outcome,
            tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last},
        )
        outcome.checks.extend(_checks(ingest, blocking))
        outcome.files.extend(_file_outcomes(ingest))
        if not ingest.success:
            outcome.run_failures.extend(_failure_messages(ingest))
        if not outcome.ok:
            return outcome

    warehouse = settings.warehouse
    months = _months_to_build(instance, warehouse, full_refresh)
    if months:
        outcome.rebuilt = months_between(months[0], months[-1])
        transform = _execute(
            settings,
            defs.resolve_job_def("transform_job"),
            instance,
            outcome,
            tags={
                ASSET_PARTITION_RANGE_START_TAG: partition_key(months[0]),
                ASSET_PARTITION_RANGE_END_TAG: partition_key(months[-1]),
            },
            ops_config={"warehouse_models": {"config": {"full_refresh": full_refresh}}},
        )
        outcome.checks.extend(_checks(transform, blocking))
        if not transform.success:
            outcome.run_failures.extend(_failure_messages(transform))
    outcome.warnings.extend(reconciliation_warnings(warehouse))
    outcome.warnings.extend(budget_warnings(warehouse))
    notes, vocabulary = landing_notes(warehouse)
    outcome.notes.extend(notes)
    outcome.warnings.extend(vocabulary)
    return outcome


def _anything_new(warehouse: Path, planned: list) -> bool:
    """Whether the landing holds a readable file the warehouse has not seen (path and bytes):
    the ingest will load it and a transform follow (one may follow anyway, after a failed build)."""
    seen = set(rows_if_built(warehouse, SEEN_FILES))
    return any(f.error is None and (f.path, f.sha256) not in seen for f in planned)


def _months_to_build(
    instance: dg.DagsterInstance, warehouse: Path, full_refresh: bool
) -> list[str]:
    """The billing months (YYYY-MM, sorted) the dbt build must replace: those with a partition
    recorded in raw.ingest_partitions (loaded, or held back by a refused file: the hold shows in
    dim_billing_period) after the last successful build covering them began, so a build that
    failed is caught up by the next run. Every month in raw on a full refresh or before
    the first successful build (the open month when raw is empty); none when nothing changed."""
    loaded: dict[str, dt.datetime] = dict(
        rows_if_built(
            warehouse,
            "select strftime(billing_period, '%Y-%m'), max(loaded_at) "
            # Only rates files hold earlier months (RATE_FORMATS): nothing to build.
            f"from raw.ingest_partitions where billing_period >= date '{FIRST_BILLING_MONTH}' "
            "group by all",
        )
    )
    built = {} if full_refresh else _last_built(instance, warehouse)
    if not built:
        return sorted(loaded) or [period_label(current_partition_key())]
    return sorted(
        month
        for month, at in loaded.items()
        if built.get(month, built.get("*", dt.datetime.min)) < at
    )


def _last_built(instance: dg.DagsterInstance, warehouse: Path) -> dict[str, dt.datetime]:
    """When the newest successful transform_job run on this warehouse covering each billing
    month began (UTC); a run with no partition (before the models were partitioned) covers
    every month, as the key "*"."""
    records = instance.get_run_records(
        dg.RunsFilter(
            job_name="transform_job",
            statuses=[dg.DagsterRunStatus.SUCCESS],
            tags=warehouse_tags(warehouse),
        )
    )
    built: dict[str, dt.datetime] = {}
    for record in reversed(records):  # oldest first: a newer run overwrites
        started = dt.datetime.fromtimestamp(record.start_time, dt.UTC).replace(tzinfo=None)
        tags = record.dagster_run.tags
        first = tags.get(ASSET_PARTITION_RANGE_START_TAG) or tags.get(PARTITION_NAME_TAG)
        last = tags.get(ASSET_PARTITION_RANGE_END_TAG) or tags.get(PARTITION_NAME_TAG)
        if first is None:
            built = {"*": started}
        else:
            built.update(dict.fromkeys(months_between(first, last), started))
    return built


def _file_outcomes(result: dg.ExecuteInProcessResult) -> list[dict]:
    """Per-file outcomes of the ingest run, from the manifest asset's materialization."""
    from finops_warehouse.orchestration.assets.ingest import FILES_METADATA, MANIFEST_KEY

    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == MANIFEST_KEY and FILES_METADATA in materialization.metadata:
            return list(materialization.metadata[FILES_METADATA].value)
    return []


def landing_notes(warehouse: Path) -> tuple[list[str], list[str]]:
    """What ingestion assumed about the live files, and provider vocabulary the FOCUS mapping
    does not know (kept as given, counted)."""
    import duckdb

    from finops_warehouse.orchestration.vocabulary import unknown_vocabulary_summary

    if not warehouse.exists():
        return [], []
    with connect(warehouse, read_only=True) as con:
        try:
            notes = con.execute(
                "select path, notes from raw.ingest_manifest "
                "where notes is not null and status = 'loaded' order by path"
            ).fetchall()
        except duckdb.CatalogException:
            return [], []
        return [f"{path}: {note}" for path, note in notes], unknown_vocabulary_summary(con)


def reconciliation_warnings(warehouse: Path) -> list[str]:
    """Invoices of open months that do not reconcile yet: `finops close` would refuse them."""
    from finops_warehouse.close.gate import STATUS_HELP

    rows = rows_if_built(
        warehouse,
        """
        select strftime(BillingPeriodStart, '%Y-%m'), ReconciliationKey, Status, Variance,
               BillingCurrency
        from marts.fct_invoice_reconciliation
        where BlocksClose
        order by all
        """,
    )
    return [
        f"{period} invoice {key}: {status} ({STATUS_HELP[status]}"
        + (f", variance {variance:f} {currency}" if variance is not None else "")
        + "); `finops close` refuses the month until it is matched"
        for period, key, status, variance, currency in rows
    ]


def budget_warnings(warehouse: Path) -> list[str]:
    """Budgets whose spend has reached their amount in the period of the latest complete day
    (the rows the warning check assert_no_budget_breached lists), with the figures."""
    rows = rows_if_built(
        warehouse,
        """
        select BudgetId, AsOfDate, PeriodStart, BudgetPeriod, ActualToDate,
               BudgetAmount, BillingCurrency
        from marts.fct_budget_status
        where AsOfDate = (select max(AsOfDate) from marts.fct_budget_status)
            and AlertLevel = 'breached'
        order by BudgetId
        """,
    )
    return [
        f"budget {budget} breached: {actual:,.2f} of {amount:,.2f} {currency} spent in the "
        f"{period} from {start} to {as_of}"
        for budget, as_of, start, period, actual, amount, currency in rows
    ]


@dataclass
class CloseOutcome:
    period: str
    pipeline: PipelineOutcome
    refusals: list[str] = field(default_factory=list)
    already_closed: bool = False
    directory: str | None = None
    manifest_sha256: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    totals: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.pipeline.run_failures


def run_close(settings: Settings, period: str, out_root: str | None = None) -> CloseOutcome:
    """Close one billing month through Dagster; never raises for a refusal."""
    from finops_warehouse.orchestration.assets.close import (
        CLOSE_KEY,
        CLOSE_PERIOD_TAG,
        RECONCILIATION_CHECK,
    )

    label = period_label(period)
    defs = build_definitions(settings)
    outcome = CloseOutcome(label, PipelineOutcome(periods=[label]))
    already = _closed_state(settings.warehouse, label)
    if already is not None:
        outcome.already_closed = True
        outcome.directory, outcome.manifest_sha256 = already
        return outcome

    instance = _instance(settings)
    out = str(Path(out_root).resolve()) if out_root else ""
    close = _execute(
        settings,
        defs.resolve_job_def("close_job"),
        instance,
        outcome.pipeline,
        partition_key=partition_key(label),
        ops_config={"close__month_end_close": {"config": {"out_root": out}}},
    )
    for evaluation in close.get_asset_check_evaluations():
        if evaluation.asset_check_key.name == RECONCILIATION_CHECK and not evaluation.passed:
            problems = evaluation.metadata.get("problems")
            outcome.refusals.extend(problems.value if problems else [evaluation.description])
    if outcome.refusals:
        return outcome
    if not close.success:
        outcome.pipeline.run_failures.extend(_failure_messages(close))
        return outcome
    for event in close.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == CLOSE_KEY:
            meta = {k: v.value for k, v in materialization.metadata.items()}
            outcome.already_closed = bool(meta["already_closed"])
            outcome.directory = meta["directory"]
            outcome.manifest_sha256 = meta["manifest_sha256"]
            outcome.files, outcome.totals = meta["files"], meta["totals"]
    # dim_billing_period and the adjustments read the new close state (full tables: the
    # partition only names the month).
    rebuilt = _execute(
        settings,
        defs.resolve_job_def("close_marts_job"),
        instance,
        outcome.pipeline,
        partition_key=partition_key(label),
    )
    if not rebuilt.success:
        outcome.pipeline.run_failures.extend(_failure_messages(rebuilt))
        return outcome
    # The rebuild re-materialized the reconciliation: evaluate its gate again on the new table.
    gate = _execute(
        settings,
        defs.resolve_job_def("reconcile_job"),
        instance,
        outcome.pipeline,
        tags={CLOSE_PERIOD_TAG: label},
    )
    if not gate.success:
        outcome.pipeline.run_failures.extend(_failure_messages(gate))
    return outcome


@dataclass
class ReportOutcome:
    period: str
    pipeline: PipelineOutcome
    path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.path is not None and not self.pipeline.run_failures


def run_report(settings: Settings, period: str, out: str | None = None) -> ReportOutcome:
    """Write the month-in-review report of one billing month through Dagster (report_job)."""
    from finops_warehouse.orchestration.assets.report import REPORT_KEY

    label = period_label(period)
    defs = build_definitions(settings)
    outcome = ReportOutcome(label, PipelineOutcome(periods=[label]))
    result = _execute(
        settings,
        defs.resolve_job_def("report_job"),
        _instance(settings),
        outcome.pipeline,
        partition_key=partition_key(label),
        ops_config={
            "report__month_in_review": {"config": {"out": str(Path(out).resolve()) if out else ""}}
        },
    )
    if not result.success:
        outcome.pipeline.run_failures.extend(_failure_messages(result))
        return outcome
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == REPORT_KEY:
            outcome.path = Path(materialization.metadata["path"].value)
    return outcome


def _closed_state(warehouse: Path, label: str) -> tuple[str, str] | None:
    """(extract directory, manifest sha256) of a closed month, else None."""
    from finops_warehouse.close.state import closed_period
    from finops_warehouse.orchestration.partitions import month_start

    if not warehouse.exists():
        return None
    with connect(warehouse, read_only=True) as con:
        closed = closed_period(con, month_start(label))
    return (closed.extract_directory, closed.manifest_sha256) if closed else None
