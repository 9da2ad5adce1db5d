"""Landing -> raw: plan the landing files, then ingest them one transaction per file.

Per file: sha256 -> skip if already seen -> detect the format -> read it once into a scratch
Parquet file (beside it, the gzip integrity check) -> one billing account and period -> GX
suite -> replace the partition in the warehouse in one transaction. A refused file goes to
quarantine with its error; an unexpected internal error leaves the file in the landing for the
next run. What :func:`plan_landing` learnt about a file (sha256, gzip check, period) is reused
by an ingest in the same process while the file's path, size and modification time are the
same (``finops run`` plans, then ingests).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.ingest.detect import Detected, detect
from dagster_project.ingest.errors import FileRefused
from dagster_project.ingest.files import (
    RemoteFile,
    fingerprint,
    gzip_error,
    list_landing,
    local_copy,
    move_to_quarantine,
    sha256_of,
)
from dagster_project.ingest.scratch import (
    BATCH_VIEW,
    SCRATCH_VIEW,
    Facts,
    check_partition,
    money_facts,
    reader_sql,
    write_scratch,
)
from dagster_project.ingest.validate import GxRunner, Validation, first_unexpected_row
from dagster_project.ingest.warehouse import (
    ManifestRow,
    connect,
    current_delivery,
    record,
    replace_partition,
    same_bytes_as,
    seen,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
_BIG_FILE = 32 * 1024 * 1024


@dataclass(frozen=True)
class LandingFile:
    """A landing file as a sensor sees it: what it is and which partition it belongs to."""

    path: str
    relative: str
    format: str | None
    billing_account_id: str | None
    billing_period: str | None
    """``YYYY-MM``; None when the file cannot be read or detected (see ``error``)."""
    sha256: str | None
    bytes: int
    mtime: dt.datetime
    error: str | None = None


@dataclass
class FileResult:
    """What ingest did with one file.

    ``status``: ``loaded``, ``superseded``, ``duplicate``, ``quarantined`` (all recorded in
    the manifest), ``unchanged`` (already in the manifest: nothing to do), ``skipped`` (billing
    period outside the requested periods) or ``failed`` (internal error; file left in place).
    """

    path: str
    status: str
    format: str | None = None
    billing_account_id: str | None = None
    billing_period: str | None = None
    rows: int | None = None
    cost_total: Decimal | None = None
    currency: str | None = None
    error: str | None = None
    extra_columns: tuple[str, ...] = ()
    validation: Validation | None = None
    seconds: float = 0.0


@dataclass
class IngestReport:
    """Every file of a run, and the GX validations per format (for Dagster asset checks)."""

    files: list[FileResult] = field(default_factory=list)

    def by_status(self, status: str) -> list[FileResult]:
        """Files with one status."""
        return [f for f in self.files if f.status == status]

    @property
    def validations(self) -> dict[str, list[Validation]]:
        """GX results per format key, for every file whose suite ran."""
        out: dict[str, list[Validation]] = defaultdict(list)
        for f in self.files:
            if f.validation is not None and f.format:
                out[f.format].append(f.validation)
        return dict(out)

    def check_result(self, format_key: str) -> dict:
        """Pass/fail and JSON metadata of one format's GX check, ready for AssetCheckResult."""
        files = [f for f in self.files if f.format == format_key]
        refused = [f for f in files if f.status == "quarantined"]
        return {
            "passed": not refused,
            "metadata": {
                "validated_files": len(self.validations.get(format_key, [])),
                "refused": {f.path: f.error for f in refused},
                "warnings": {
                    v.file: [o.as_dict() for o in v.warnings]
                    for v in self.validations.get(format_key, [])
                    if v.warnings
                },
            },
        }


@dataclass(frozen=True)
class _Planned:
    """What the last :func:`plan_landing` of this process learnt about one file."""

    sha256: str
    gzip_error: str | None
    landing: LandingFile


# (path, size, modification time) -> plan; replaced by each plan_landing call.
_PLANNED: dict[tuple[str, int, dt.datetime], _Planned] = {}


def _plan_key(remote: RemoteFile) -> tuple[str, int, dt.datetime]:
    """A file is the same file while its path, size and modification time are."""
    return remote.url, remote.bytes, remote.modified_at


def plan_landing(landing: str) -> list[LandingFile]:
    """Describe every landing file cheaply (header + one DuckDB aggregate); never raises.

    Unknown or unreadable files come back with ``error`` set and no period.
    """
    planned = []
    known = {}
    for remote in list_landing(landing):
        try:
            plan = _plan_one(remote)
        except Exception as exc:  # a sensor must see every file, whatever it holds
            log.exception("cannot plan %s", remote.url)
            planned.append(_landing_file(remote, None, None, error=str(exc)))
            continue
        planned.append(plan.landing)
        known[_plan_key(remote)] = plan
    _PLANNED.clear()
    _PLANNED.update(known)
    return planned


def _plan_one(remote: RemoteFile) -> _Planned:
    """Fingerprint, detect and find the partition of one file (no scratch copy, no GX)."""
    with local_copy(remote.url) as path:
        sha, damaged = fingerprint(path)
        try:
            if damaged:
                raise _gzip_refusal(remote.url, damaged)
            detected = detect(path, remote.url, remote.relative)
            con = duckdb.connect()
            con.execute("SET TimeZone = 'UTC'")
            facts = check_partition(
                con, detected, remote.url, reader_sql(path, detected), numbered=False
            )
        except FileRefused as refusal:
            return _Planned(sha, damaged, _landing_file(remote, sha, None, error=refusal.message))
    return _Planned(
        sha,
        None,
        LandingFile(
            path=remote.url,
            relative=remote.relative,
            format=detected.format.key,
            billing_account_id=facts.billing_account_id,
            billing_period=f"{facts.billing_period:%Y-%m}",
            sha256=sha,
            bytes=remote.bytes,
            mtime=remote.modified_at,
        ),
    )


def _landing_file(
    remote: RemoteFile, sha: str | None, fmt: str | None, error: str | None
) -> LandingFile:
    """A LandingFile without a partition (unreadable or refused)."""
    return LandingFile(
        remote.url, remote.relative, fmt, None, None, sha, remote.bytes, remote.modified_at, error
    )


def _gzip_refusal(name: str, problem: str) -> FileRefused:
    """The refusal of a damaged gzip file."""
    return FileRefused(
        name,
        problem,
        "download or copy the file again completely (compare its size with the source)",
    )


def ingest(
    warehouse: Path,
    landing: str,
    quarantine: Path,
    periods: set[str] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every landing file (of ``periods``, ``YYYY-MM``, when given) into the warehouse.

    Files are taken oldest first (modification time, then path), so within a run each newer
    delivery replaces the one before it. Bad files are moved to ``quarantine``.
    """
    say = progress or log.info
    report = IngestReport()
    files = sorted(list_landing(landing), key=lambda f: (f.modified_at, f.url))
    say(f"{len(files)} file(s) in {landing}")
    with tempfile.TemporaryDirectory(prefix="finops-scratch-") as tmp:
        run = _Run(Path(warehouse), Path(quarantine), Path(tmp), periods, say)
        try:
            for number, remote in enumerate(files, 1):
                say(f"[{number}/{len(files)}] {remote.relative}")
                report.files.append(run.ingest_file(remote))
        finally:
            run.close()
    _summarise(report, say)
    return report


def _summarise(report: IngestReport, say: Progress) -> None:
    """One line per status, for logs and the Dagster run."""
    counts: dict[str, int] = defaultdict(int)
    for f in report.files:
        counts[f.status] += 1
    say("ingest done: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no files"))


@dataclass
class _Current:
    """What is known so far about the file being ingested (for its manifest row)."""

    sha: str = ""
    detected: Detected | None = None
    facts: Facts | None = None
    timings: dict[str, float] = field(default_factory=dict)


class _Run:
    """State of one ingest run: the warehouse connection, scratch directory and GX runner."""

    def __init__(
        self,
        warehouse: Path,
        quarantine: Path,
        scratch: Path,
        periods: set[str] | None,
        say: Progress,
    ) -> None:
        self.con = connect(warehouse)
        self.quarantine = quarantine
        self.scratch = scratch
        self.periods = periods
        self.say = say
        # Two helpers beside DuckDB: GX start-up (once per run) and a file's gzip check.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ingest")
        self._gx: Future[GxRunner] | None = None
        self._batch_sql = ""
        self._files = 0
        self._current = _Current()

    def close(self) -> None:
        """Wait for the helpers, release GX's scratch connections and the warehouse."""
        self._pool.shutdown(wait=True)
        try:
            if self._gx is not None and self._gx.exception() is None:
                self._gx.result().close()
        finally:
            self.con.close()

    def _scratch_file(self) -> Path:
        """The scratch Parquet file of the current file (a new name per file, so no reader
        cache can mistake it for the previous one)."""
        return self.scratch / f"file-{self._files}.parquet"

    def _start_gx(self) -> None:
        """GX takes seconds to import: start it in the background when a file is first read."""
        if self._gx is None:
            self._gx = self._pool.submit(GxRunner, self.scratch / "gx.duckdb")

    def ingest_file(self, remote: RemoteFile) -> FileResult:
        """Ingest one file; never raises for a bad file (it is quarantined)."""
        started = time.monotonic()
        self._current = _Current()
        self._files += 1
        try:
            with local_copy(remote.url) as path:
                result = self._ingest_local(remote, path)
        except FileRefused as refusal:
            try:
                result = self._quarantine(remote, refusal)
            except OSError as exc:
                log.exception("cannot quarantine %s", remote.url)
                result = FileResult(remote.url, "failed", error=f"{refusal}; quarantine: {exc}")
        except Exception as exc:
            log.exception("internal error on %s; file left in the landing", remote.url)
            result = FileResult(remote.url, "failed", error=f"internal error: {exc}")
        finally:
            self._scratch_file().unlink(missing_ok=True)
        result.seconds = time.monotonic() - started
        if result.status in ("loaded", "quarantined", "failed"):
            rate = f", {result.rows / result.seconds:,.0f} rows/s" if result.rows else ""
            self.say(f"{remote.relative}: {result.status} in {result.seconds:.1f}s{rate}")
        return result

    def _ingest_local(self, remote: RemoteFile, path: Path) -> FileResult:
        """The steps for a local copy of the file."""
        planned = _PLANNED.get(_plan_key(remote))
        with self._step("fingerprint"):
            sha = planned.sha256 if planned else sha256_of(path)
        self._current.sha = sha
        if seen(self.con, remote.url, sha):
            return FileResult(remote.url, "unchanged")
        original = same_bytes_as(self.con, sha)
        if original is not None:
            return self._record_noop(remote, sha, "duplicate", f"same bytes as {original}")
        if planned is not None:
            if planned.gzip_error:
                raise _gzip_refusal(remote.url, planned.gzip_error)
            fmt, label = planned.landing.format, planned.landing.billing_period
            if self.periods is not None and label and label not in self.periods:
                return FileResult(remote.url, "skipped", fmt, billing_period=label)
        integrity = None if planned else self._pool.submit(gzip_error, path)
        try:
            detected = self._current.detected = detect(path, remote.url, remote.relative)
            self._start_gx()
            facts = self._current.facts = self._read_scratch(path, detected, remote)
        except Exception:
            self._check_gzip(integrity, remote)  # a damaged gzip explains any failure to read
            raise
        self._check_gzip(integrity, remote)
        label = f"{facts.billing_period:%Y-%m}"
        if self.periods is not None and label not in self.periods:
            return FileResult(remote.url, "skipped", detected.format.key, billing_period=label)
        newer = current_delivery(
            self.con, detected.format.key, facts.billing_account_id, facts.billing_period
        )
        if newer is not None and (newer[1], newer[0]) > (remote.modified_at, remote.url):
            return self._record_noop(
                remote,
                sha,
                "superseded",
                f"older than the loaded delivery {newer[0]}",
                detected,
                facts,
            )
        assert self._gx is not None
        with self._step("gx start-up"):  # the import started with the read; usually done
            gx = self._gx.result()
        with self._step("validate"):
            validation = self._validate(gx, detected, remote)
        with self._step("total"):
            cost, currency = money_facts(self.con, detected, remote.url)
        row = self._manifest_row(remote, sha, detected, facts, "loaded", None, cost, currency)
        with self._step("load"):
            replace_partition(self.con, detected, row)
        self.say(
            f"{remote.relative}: "
            + ", ".join(f"{k} {v:.1f}s" for k, v in self._current.timings.items())
        )
        return FileResult(
            remote.url,
            "loaded",
            detected.format.key,
            facts.billing_account_id,
            label,
            facts.rows,
            cost,
            currency,
            None,
            detected.columns.extra,
            validation,
        )

    def _check_gzip(self, integrity: Future[str | None] | None, remote: RemoteFile) -> None:
        """Refuse a damaged gzip file, once its integrity check (run beside the read) is done."""
        if integrity is None:
            return
        with self._step("gzip check"):
            damaged = integrity.result()
        if damaged:
            raise _gzip_refusal(remote.url, damaged)

    def _read_scratch(self, path: Path, detected: Detected, remote: RemoteFile) -> Facts:
        """Read the file into scratch (with progress for big files) and find its partition."""
        with (
            self._step("read"),
            _watch(self.con, remote.relative, self.say, remote.bytes >= _BIG_FILE),
        ):
            self._batch_sql = write_scratch(
                self.con, path, detected, remote.url, self._scratch_file()
            )
        with self._step("partition"):
            return check_partition(self.con, detected, remote.url, SCRATCH_VIEW, numbered=True)

    @contextlib.contextmanager
    def _step(self, name: str) -> Iterator[None]:
        """Time one step of the current file (reported once the file is loaded)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self._current.timings[name] = time.monotonic() - started

    def _validate(self, gx: GxRunner, detected: Detected, remote: RemoteFile) -> Validation:
        """Run the GX suite; refuse the file on a critical failure, naming its first row."""
        columns = {r[0] for r in self.con.execute(f"DESCRIBE {BATCH_VIEW}").fetchall()}
        validation = gx.validate(self._batch_sql, detected.format.key, remote.url, columns)
        for outcome in validation.outcomes:
            if not outcome.success and outcome.query and outcome.first_row is None:
                outcome.first_row, outcome.first_value = first_unexpected_row(
                    self.con, outcome.query, BATCH_VIEW
                )
        refusal = validation.refusal()
        if refusal is not None:
            refusal.validation = validation  # type: ignore[attr-defined]
            raise refusal
        for warning in validation.warnings:
            self.say(
                f"{remote.relative}: warning: {warning.column} has values outside the "
                f"documented set ({warning.unexpected_count} rows, e.g. {warning.first_value!r})"
            )
        return validation

    def _manifest_row(
        self,
        remote: RemoteFile,
        sha: str,
        detected: Detected | None,
        facts: Facts | None,
        status: str,
        error: str | None,
        cost: Decimal | None = None,
        currency: str | None = None,
    ) -> ManifestRow:
        """A manifest row for this file."""
        return ManifestRow(
            manifest_id=sha,
            path=remote.url,
            bytes=remote.bytes,
            format=detected.format.key if detected else None,
            billing_account_id=facts.billing_account_id if facts else None,
            billing_period=facts.billing_period if facts else None,
            rows={"loaded": facts.rows if facts else None, "quarantined": None}.get(status, 0),
            cost_total=cost,
            currency=currency,
            status=status,
            error=error,
            extra_columns=detected.columns.extra if detected else (),
            file_modified_at=remote.modified_at,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )

    def _record_noop(
        self,
        remote: RemoteFile,
        sha: str,
        status: str,
        reason: str,
        detected: Detected | None = None,
        facts: Facts | None = None,
    ) -> FileResult:
        """Record a duplicate or superseded delivery: a manifest row, no raw rows."""
        record(self.con, self._manifest_row(remote, sha, detected, facts, status, reason))
        self.say(f"{remote.relative}: {status} ({reason})")
        return FileResult(
            remote.url,
            status,
            detected.format.key if detected else None,
            facts.billing_account_id if facts else None,
            f"{facts.billing_period:%Y-%m}" if facts else None,
            0,
            error=reason,
        )

    def _quarantine(self, remote: RemoteFile, refusal: FileRefused) -> FileResult:
        """Move the file to quarantine, write its error, record it; loaded data is untouched."""
        target = move_to_quarantine(remote.url, remote.relative, self.quarantine, refusal.message)
        now = self._current
        row = self._manifest_row(
            remote, now.sha, now.detected, now.facts, "quarantined", refusal.message
        )
        record(self.con, row)
        self.say(f"{remote.relative}: quarantined to {target}: {refusal.message}")
        return FileResult(
            remote.url,
            "quarantined",
            row.format,
            row.billing_account_id,
            f"{row.billing_period:%Y-%m}" if row.billing_period else None,
            error=refusal.message,
            validation=getattr(refusal, "validation", None),
        )


@contextlib.contextmanager
def _watch(con: duckdb.DuckDBPyConnection, label: str, say: Progress, enabled: bool):
    """Report DuckDB's progress of the running read every few seconds (big files only)."""
    if not enabled:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        shown = -1.0
        while not done.wait(2.0):
            try:
                percent = con.query_progress()
            except duckdb.Error:
                return
            if percent is not None and percent >= 0 and int(percent) != int(shown):
                shown = percent
                say(f"{label}: reading {percent:.0f}%")

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


__all__ = ["FileResult", "IngestReport", "LandingFile", "ingest", "plan_landing"]
