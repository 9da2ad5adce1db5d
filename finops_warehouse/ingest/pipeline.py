"""Landing -> raw: plan the landing's deliveries, then ingest them one transaction each.

A delivery is the set of its parts (``deliveries.py``: the providers' manifests, else the
folder convention). Per delivery: sha256 of every part -> skip if already seen -> detect each
part's format -> read it once into a scratch Parquet file (beside it, the gzip integrity check)
-> the partitions it holds -> GX suite -> in one transaction, replace exactly the partitions the
delivery holds where no newer delivery is loaded. A refused part goes to quarantine with its
error and holds back the rest of its delivery (a delivery loads whole or not at all); an
unexpected internal error leaves the files in the landing for the next run. What
:func:`plan_landing` learnt about a file (sha256, gzip check, partitions) is reused by an ingest
in the same process while the file's path, size and modification time are the same
(``finops run`` plans, then ingests), and, given a plans file, by the plans of later runs: an
unchanged file of a year of bills is not read again to plan a new day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import shutil
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

from finops_warehouse.ingest.deliveries import (
    Delivery,
    delivery_id,
    periods_in_path,
    plan_deliveries,
)
from finops_warehouse.ingest.detect import Detected, detect, with_dataset
from finops_warehouse.ingest.errors import CannotWrite, FileRefused, raise_if_environmental
from finops_warehouse.ingest.files import (
    RemoteFile,
    changed_since_listed,
    fingerprint,
    gzip_error,
    list_files,
    local_copy,
    move_to_quarantine,
    set_aside,
    sha256_of,
    unpack,
)
from finops_warehouse.ingest.scratch import (
    BATCH_VIEW,
    SCRATCH_VIEW,
    Facts,
    Partition,
    PartitionTotal,
    check_currency,
    check_partition,
    check_repeated_header,
    infer_dataset,
    money_facts,
    reader_sql,
    show_scratch,
    write_scratch,
)
from finops_warehouse.ingest.validate import (
    GxWorker,
    Validation,
    first_unexpected_row,
    gx_worker,
)
from finops_warehouse.ingest.warehouse import (
    LoadPart,
    ManifestRow,
    connect,
    load_delivery,
    newer_deliveries,
    record_held_back,
    same_delivery_as,
    seen,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
_BIG_FILE = 32 * 1024 * 1024
ASSUMED_DATASET = "actual"
"""What an Azure cost file is read as when nothing tells: the portal's default download."""


@dataclass(frozen=True)
class LandingFile:
    """A landing file as a sensor sees it: what it is and which partitions it holds."""

    path: str
    relative: str
    format: str | None
    billing_account_ids: tuple[str, ...]
    billing_periods: tuple[str, ...]
    """``YYYY-MM`` of every billing month the file holds; empty when the file cannot be read
    or detected (see ``error``)."""
    sha256: str | None
    bytes: int
    mtime: dt.datetime
    error: str | None = None
    delivery: str | None = None
    """The delivery the file is a part of (see ``deliveries.py``)."""


@dataclass
class FileResult:
    """What ingest did with one file.

    ``status``: ``loaded``, ``superseded``, ``duplicate``, ``held``, ``quarantined`` (all
    recorded in the manifest), ``unchanged`` (already in the manifest: nothing to do),
    ``skipped`` (no billing period among the requested ones, or a link out of the landing),
    ``waiting`` (its delivery's manifest lists parts the landing does not hold yet, or it is
    still being written) or ``failed`` (internal error, full disk; file left in place).
    ``waiting`` and ``failed`` files are tried again by the next run.
    """

    path: str
    status: str
    format: str | None = None
    billing_periods: tuple[str, ...] = ()
    rows: int | None = None
    cost_total: Decimal | None = None
    currency: str | None = None
    error: str | None = None
    extra_columns: tuple[str, ...] = ()
    validation: Validation | None = None
    seconds: float = 0.0
    partitions: tuple[PartitionTotal, ...] = ()
    delivery: str | None = None
    notes: tuple[str, ...] = ()
    quarantined_to: str | None = None
    """Where a quarantined file was moved."""


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
                "notes": {f.path: list(f.notes) for f in files if f.notes},
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


def plan_landing(landing: str, plans: Path | None = None) -> list[LandingFile]:
    """Describe every landing file cheaply (header + one DuckDB aggregate); never raises.

    Unknown or unreadable files come back with ``error`` set and no period. ``plans``: a JSON
    file keeping what earlier calls learnt about the files they could read. A file whose path,
    size, modification time and delivery dataset are the same is taken from there without
    being read; the file is then rewritten with this call's plans.
    """
    planned = []
    known = {}
    earlier, kept = _read_plans(plans), {}
    files, side_files = list_files(landing)
    files, aside = set_aside(files)
    planned.extend(_landing_file(f, None, None, error=reason) for f, _, reason in aside)
    try:
        deliveries = plan_deliveries(files, side_files)
    except Exception as exc:  # e.g. a broken landing config: every file says so
        log.exception("cannot plan the deliveries of %s", landing)
        return [_landing_file(f, None, None, error=str(exc)) for f in files]
    for delivery in deliveries:
        for remote in delivery.parts:
            kept_key = _kept_key(remote, delivery)
            try:
                plan = _kept_plan(earlier.get(kept_key), remote, delivery)
                plan = plan or _plan_one(remote, delivery)
            except Exception as exc:  # a sensor must see every file, whatever it holds
                log.exception("cannot plan %s", remote.url)
                planned.append(_landing_file(remote, None, None, error=str(exc)))
                continue
            planned.append(plan.landing)
            known[_plan_key(remote)] = plan
            if plan.landing.error is None:  # a refused file is read again next time
                kept[kept_key] = {
                    "sha256": plan.sha256,
                    "fmt": plan.landing.format,
                    "accounts": list(plan.landing.billing_account_ids),
                    "periods": list(plan.landing.billing_periods),
                }
    _PLANNED.clear()
    _PLANNED.update(known)
    _write_plans(plans, kept)
    return sorted(planned, key=lambda f: f.relative)


def _kept_key(remote: RemoteFile, delivery: Delivery) -> str:
    """A file is the same file while its path, size and modification time are; the dataset
    its delivery names decides how it is read."""
    dataset = delivery.dataset[0] if delivery.dataset else ""
    return f"{remote.url}\t{remote.bytes}\t{remote.modified_at.isoformat()}\t{dataset}"


def _read_plans(plans: Path | None) -> dict[str, dict]:
    """The plans kept in `plans`; none when it is absent or unreadable (every file is read)."""
    try:
        return json.loads(plans.read_text()) if plans is not None else {}
    except (OSError, ValueError):
        return {}


def _kept_plan(kept: object, remote: RemoteFile, delivery: Delivery) -> _Planned | None:
    """An earlier call's plan of this file, in the delivery it is part of now; None when there
    is none, or when the entry is not one this code wrote (the file is then read)."""
    try:
        return _readable(remote, delivery, **kept)
    except TypeError:
        return None


def _write_plans(plans: Path | None, kept: dict[str, dict]) -> None:
    """Replace `plans` whole (a run and the sensor may write it at once: each writes its own
    temporary file); a failure to write only costs the next call its reads."""
    if plans is None:
        return
    partial = None
    try:
        plans.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=plans.parent, prefix=f".{plans.name}.", delete=False
        ) as file:
            partial = Path(file.name)
            json.dump(kept, file, sort_keys=True)
        partial.replace(plans)
    except OSError:
        log.warning("cannot keep the landing plans in %s", plans, exc_info=True)
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def _plan_one(remote: RemoteFile, delivery: Delivery) -> _Planned:
    """Fingerprint, detect and find the partitions of one file (no scratch copy, no GX)."""
    with local_copy(remote.url) as path, tempfile.TemporaryDirectory(prefix="finops-plan-") as tmp:
        sha, damaged = fingerprint(path)
        try:
            if damaged:
                raise _gzip_refusal(remote.url, damaged)
            path = unpack(path, remote.url, Path(tmp))
            detected = detect(path, remote.url, remote.relative, delivery.dataset)
            con = duckdb.connect()
            con.execute("SET TimeZone = 'UTC'")
            facts = check_partition(
                con, detected, remote.url, reader_sql(path, detected), numbered=False
            )
        except FileRefused as refusal:
            return _Planned(sha, damaged, _landing_file(remote, sha, None, error=refusal.message))
    return _readable(
        remote,
        delivery,
        sha,
        detected.format.key,
        sorted({p.billing_account_id for p in facts.partitions}),
        sorted(facts.periods),
    )


def _readable(
    remote: RemoteFile,
    delivery: Delivery,
    sha256: str,
    fmt: str,
    accounts: list[str],
    periods: list[str],
) -> _Planned:
    """The plan of a file that could be read: its format and the partitions it holds."""
    return _Planned(
        sha256,
        None,
        LandingFile(
            path=remote.url,
            relative=remote.relative,
            format=fmt,
            billing_account_ids=tuple(accounts),
            billing_periods=tuple(periods),
            sha256=sha256,
            bytes=remote.bytes,
            mtime=remote.modified_at,
            delivery=delivery.key,
        ),
    )


def _landing_file(
    remote: RemoteFile, sha: str | None, fmt: str | None, error: str | None
) -> LandingFile:
    """A LandingFile without partitions (unreadable or refused)."""
    return LandingFile(
        remote.url, remote.relative, fmt, (), (), sha, remote.bytes, remote.modified_at, error
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
    """Ingest every landing delivery (holding a billing month of ``periods``, ``YYYY-MM``, when
    given) into the warehouse.

    Deliveries are taken oldest first (delivery time, then name), so within a run each newer
    delivery replaces the one before it. Bad files are moved to ``quarantine``.
    """
    say = progress or log.info
    report = IngestReport()
    files, side_files = list_files(landing)
    files, aside = set_aside(files)
    for remote, status, reason in aside:
        say(f"{remote.relative}: {status}: {reason}")
        report.files.append(FileResult(remote.url, status, error=f"{remote.url}: {reason}"))
    deliveries = plan_deliveries(files, side_files)
    say(f"{len(files)} file(s) in {landing}, {len(deliveries)} deliveries")
    with tempfile.TemporaryDirectory(prefix="finops-scratch-") as tmp:
        run = _Run(Path(warehouse), Path(quarantine), Path(tmp), periods, say)
        try:
            for number, delivery in enumerate(deliveries, 1):
                parts = f" ({len(delivery.parts)} parts)" if len(delivery.parts) > 1 else ""
                say(f"[{number}/{len(deliveries)}] {delivery.key}{parts}")
                report.files.extend(run.ingest_delivery(delivery))
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
class _Part:
    """One part of the delivery being ingested, as far as it got."""

    remote: RemoteFile
    path: Path
    sha: str
    planned: _Planned | None
    detected: Detected | None = None
    facts: Facts | None = None
    scratch: Path | None = None
    validation: Validation | None = None
    totals: tuple[PartitionTotal, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)


class _Run:
    """State of one ingest run: the warehouse connection, scratch directory and GX worker."""

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
        # A file's gzip check runs beside DuckDB's read; GX in its own process (validate.py).
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self._gx: GxWorker | None = None
        self._files = 0

    def close(self) -> None:
        """Wait for the gzip check, release GX's scratch connections and the warehouse."""
        self._pool.shutdown(wait=True)
        try:
            if self._gx is not None:
                self._gx.release(self._gx_database)
        finally:
            self.con.close()

    @property
    def _gx_database(self) -> Path:
        return self.scratch / "gx.duckdb"

    def _start_gx(self) -> None:
        """The GX worker (`finops run` started it first thing), else start one now: its import
        takes seconds, done beside the read of the first file. A dead one is replaced."""
        if self._gx is None or not self._gx.alive:
            self._gx = gx_worker()

    def ingest_delivery(self, delivery: Delivery) -> list[FileResult]:
        """Ingest one delivery; never raises for a bad file (it is quarantined)."""
        started = time.monotonic()
        parts: list[_Part] = []
        try:
            with contextlib.ExitStack() as stack:
                for remote in delivery.parts:
                    planned = _PLANNED.get(_plan_key(remote))
                    path = stack.enter_context(local_copy(remote.url))
                    sha = planned.sha256 if planned else sha256_of(path)
                    parts.append(_Part(remote, path, sha, planned))
                try:
                    results = self._ingest_parts(delivery, parts)
                except Exception as exc:
                    raise_if_environmental(exc)
                    raise
        except CannotWrite as exc:
            log.error("%s: %s", delivery.key, exc)
            results = [FileResult(r.url, "failed", error=str(exc)) for r in delivery.parts]
        except Exception as exc:
            log.exception("internal error on %s; files left in the landing", delivery.key)
            results = [
                FileResult(r.url, "failed", error=f"internal error: {exc}") for r in delivery.parts
            ]
        finally:
            for part in parts:
                if part.scratch is not None and part.scratch.parent == self.scratch:
                    part.scratch.unlink(missing_ok=True)
                if part.path.parent.parent == self.scratch:  # unpacked from a zip or gzip
                    shutil.rmtree(part.path.parent, ignore_errors=True)
        seconds = time.monotonic() - started
        for result in results:
            result.seconds = seconds / max(len(results), 1)
            result.delivery = delivery.key
            if result.status in ("loaded", "quarantined", "failed", "held", "waiting"):
                rate = f", {result.rows / seconds:,.0f} rows/s" if result.rows and seconds else ""
                self.say(f"{_relative(result.path, parts)}: {result.status}{rate}")
        return results

    def _ingest_parts(self, delivery: Delivery, parts: list[_Part]) -> list[FileResult]:
        """The steps for the local copies of a delivery's parts."""
        if all(seen(self.con, p.remote.url, p.sha) for p in parts):
            return [FileResult(p.remote.url, "unchanged") for p in parts]
        did = delivery_id(delivery, [p.sha for p in parts])
        original = same_delivery_as(self.con, did)
        if original is not None:
            return [
                self._record_noop(p, delivery, did, "duplicate", f"same bytes as {original}")
                for p in parts
            ]
        if delivery.missing:
            assert delivery.manifest is not None
            shown = ", ".join(delivery.missing[:3]) + (", ..." if len(delivery.missing) > 3 else "")
            problem = (
                f"incomplete delivery: its manifest {delivery.manifest.relative} lists "
                f"{len(delivery.missing)} file(s) the landing does not hold ({shown}); nothing "
                "of it is loaded until they arrive (copy the whole delivery)"
            )
            return [FileResult(p.remote.url, "waiting", error=problem) for p in parts]
        if self._outside_periods(parts):
            return [
                FileResult(p.remote.url, "skipped", billing_periods=_planned_periods(p))
                for p in parts
            ]
        for part in parts:
            try:
                self._read(part, delivery)
            except FileRefused as refusal:
                if changed_since_listed(part.remote):
                    return self._still_written(parts)
                return self._refuse(part, refusal, parts, delivery, did)
        if any(changed_since_listed(p.remote) for p in parts):
            return self._still_written(parts)
        notes = self._decide_dataset(parts) + _folder_disagrees(parts)
        periods = set().union(*(p.facts.periods for p in parts if p.facts))
        if self.periods is not None and not periods & self.periods:
            return [
                FileResult(p.remote.url, "skipped", billing_periods=tuple(sorted(periods)))
                for p in parts
            ]
        newer = self._newer(parts, delivery)
        if all(q in newer for p in parts for q in _partitions_of(p)):
            reason = f"older than the loaded delivery {sorted(set(newer.values()))[0]}"
            return [self._record_noop(p, delivery, did, "superseded", reason) for p in parts]
        self._start_gx()
        assert self._gx is not None
        for part in parts:
            try:
                self._validate(part)
            except FileRefused as refusal:
                return self._refuse(part, refusal, parts, delivery, did)
        live = {q for p in parts for q in _partitions_of(p)} - set(newer)
        if newer:
            notes.append(
                "kept the newer delivery of "
                + ", ".join(f"{_show(q)} ({path})" for q, path in sorted(newer.items()))
            )
        return self._load(parts, delivery, did, live, notes)

    def _still_written(self, parts: list[_Part]) -> list[FileResult]:
        """A part changed while it was read: nothing of the delivery loads this run."""
        changed = [p.remote for p in parts if changed_since_listed(p.remote)]
        problem = (
            f"{changed[0].url} changed while it was read (size or modification time), so it "
            "is still being written; nothing of its delivery is loaded, the next run tries again"
        )
        return [FileResult(p.remote.url, "waiting", error=problem) for p in parts]

    def _outside_periods(self, parts: list[_Part]) -> bool:
        """True when the plan says no part holds a requested billing month."""
        if self.periods is None or not all(p.planned for p in parts):
            return False
        held = set().union(*(_planned_periods(p) for p in parts))
        return bool(held) and not held & self.periods

    def _read(self, part: _Part, delivery: Delivery) -> None:
        """Detect a part, read it into scratch (gzip check beside it) and find its partitions."""
        remote = part.remote
        if part.planned is not None and part.planned.gzip_error:
            raise _gzip_refusal(remote.url, part.planned.gzip_error)
        integrity = None if part.planned else self._pool.submit(gzip_error, part.path)
        try:
            self._files += 1
            unpacked = self.scratch / f"file-{self._files}"
            unpacked.mkdir()
            part.path = unpack(part.path, remote.url, unpacked)
            part.detected = detect(part.path, remote.url, remote.relative, delivery.dataset)
            self._start_gx()
            target = self.scratch / f"file-{self._files}.parquet"
            with (
                _step(part, "read"),
                _watch(self.con, remote.relative, self.say, remote.bytes >= _BIG_FILE),
            ):
                part.scratch = write_scratch(self.con, part.path, part.detected, remote.url, target)
            show_scratch(self.con, part.detected, part.scratch)
            with _step(part, "partitions"):
                check_repeated_header(self.con, part.detected, remote.url)
                part.facts = check_partition(
                    self.con, part.detected, remote.url, SCRATCH_VIEW, numbered=True
                )
                check_currency(self.con, part.detected, remote.url)
        except Exception:
            self._check_gzip(integrity, part)  # a damaged gzip explains any failure to read
            raise
        self._check_gzip(integrity, part)

    def _check_gzip(self, integrity: Future[str | None] | None, part: _Part) -> None:
        """Refuse a damaged gzip file, once its integrity check (run beside the read) is done."""
        if integrity is None:
            return
        with _step(part, "gzip check"):
            damaged = integrity.result()
        if damaged:
            raise _gzip_refusal(part.remote.url, damaged)

    def _decide_dataset(self, parts: list[_Part]) -> list[str]:
        """Azure actual vs amortized: what told it, else the content, else the portal's default.

        Returns the notes the run summary shows (which dataset, and why).
        """
        shared = [p for p in parts if p.detected and p.detected.format.dataset]
        if not shared:
            return []
        first = shared[0].detected
        assert first is not None
        if first.dataset_basis is not None:
            told = (first.format.dataset or "", first.dataset_basis)
        else:
            found = set()
            for part in shared:
                assert part.detected is not None and part.scratch is not None
                show_scratch(self.con, part.detected, part.scratch)
                found.add(infer_dataset(self.con, part.detected))
            datasets = {f[0] for f in found if f}
            if len(datasets) == 1 and None not in found:
                told = next(iter(f for f in found if f))
            else:
                told = (
                    ASSUMED_DATASET,
                    "assumed (the portal's default download): neither the landing config, an "
                    "export manifest, the path nor the content tells actual from amortized "
                    "cost; say it in finops-landing.yml (docs/ingestion.md)",
                )
        for part in shared:
            assert part.detected is not None
            part.detected = with_dataset(part.detected, told[0], told[1])
        return [f"read as Azure {told[0]} cost: {told[1]}"]

    def _newer(self, parts: list[_Part], delivery: Delivery) -> dict[Partition, str]:
        """Partitions of the delivery whose loaded delivery is newer (kept, not replaced)."""
        by_format: dict[str, set[Partition]] = defaultdict(set)
        for part in parts:
            assert part.detected is not None
            by_format[part.detected.format.key].update(_partitions_of(part))
        newer: dict[Partition, str] = {}
        for key, partitions in by_format.items():
            newer.update(
                newer_deliveries(self.con, key, partitions, delivery.delivered_at, delivery.key)
            )
        return newer

    def _validate(self, part: _Part) -> None:
        """Run the GX suite on a part; refuse it on a critical failure, naming its first row."""
        assert part.detected is not None and part.scratch is not None and self._gx is not None
        detected, remote = part.detected, part.remote
        batch_sql = show_scratch(self.con, detected, part.scratch)
        with _step(part, "gx start-up"):  # the import started before the read; usually done
            self._gx.wait_ready()
        with _step(part, "validate"):
            columns = {r[0] for r in self.con.execute(f"DESCRIBE {BATCH_VIEW}").fetchall()}
            validation = self._gx.validate(
                self._gx_database, batch_sql, detected.format.key, remote.url, columns
            )
            for outcome in validation.outcomes:
                if not outcome.success and outcome.query and outcome.first_row is None:
                    outcome.first_row, outcome.first_value = first_unexpected_row(
                        self.con, outcome.query, BATCH_VIEW
                    )
        part.validation = validation
        refusal = validation.refusal()
        if refusal is not None:
            refusal.validation = validation  # type: ignore[attr-defined]
            raise refusal
        for warning in validation.warnings:
            self.say(
                f"{remote.relative}: warning: {warning.column} has values outside the "
                f"documented set ({warning.unexpected_count} rows, e.g. {warning.first_value!r})"
            )
        with _step(part, "totals"):
            part.totals = tuple(money_facts(self.con, detected, remote.url))

    def _load(
        self,
        parts: list[_Part],
        delivery: Delivery,
        did: str,
        live: set[Partition],
        notes: list[str],
    ) -> list[FileResult]:
        """Replace the live partitions with the delivery's rows, in one transaction."""
        loads = []
        for part in parts:
            assert part.detected is not None and part.scratch is not None
            row = self._manifest_row(part, delivery, did, live, notes)
            loads.append(LoadPart(part.detected, part.scratch, part.remote.url, row, part.totals))
        started = time.monotonic()

        def show(load: LoadPart) -> None:
            show_scratch(self.con, load.detected, load.scratch)

        load_delivery(self.con, loads, live, show)
        loaded = time.monotonic() - started
        results = []
        for part, load in zip(parts, loads, strict=True):
            part.timings["load"] = loaded / len(parts)
            self.say(
                f"{part.remote.relative}: "
                + ", ".join(f"{k} {v:.1f}s" for k, v in part.timings.items())
            )
            for note in notes:
                self.say(f"{part.remote.relative}: {note}")
            results.append(
                FileResult(
                    part.remote.url,
                    load.row.status,
                    load.row.format,
                    tuple(sorted(part.facts.periods)) if part.facts else (),
                    load.row.rows,
                    load.row.cost_total,
                    load.row.currency,
                    None,
                    part.detected.columns.extra if part.detected else (),
                    part.validation,
                    partitions=part.totals,
                    notes=tuple(notes),
                )
            )
        return results

    def _manifest_row(
        self,
        part: _Part,
        delivery: Delivery,
        did: str,
        live: set[Partition] | None,
        notes: list[str] | None = None,
        status: str | None = None,
        error: str | None = None,
    ) -> ManifestRow:
        """The manifest row of a part: one file, whatever number of partitions it holds."""
        detected, facts, totals = part.detected, part.facts, part.totals
        partitions = sorted({t.partition for t in totals} or (facts.partitions if facts else ()))
        currencies = {t.currency for t in totals}
        one = partitions[0] if len(partitions) == 1 else None
        if status is None:
            status = "loaded" if live and any(p in live for p in partitions) else "superseded"
        # Rows loaded: the file's rows when loaded, 0 when it loaded nothing (duplicate,
        # superseded), unknown when it was refused or held back (docs/ingestion.md).
        if status == "loaded":
            rows = facts.rows if facts else 0
        else:
            rows = None if status in ("quarantined", "held") else 0
        return ManifestRow(
            manifest_id=part.sha,
            path=part.remote.url,
            bytes=part.remote.bytes,
            format=detected.format.key if detected else None,
            billing_account_id=one.billing_account_id if one else None,
            billing_period=one.billing_period if one else None,
            rows=rows,
            cost_total=sum((t.cost_total or Decimal(0) for t in totals), Decimal(0))
            if len(currencies) == 1 and totals and totals[0].cost_total is not None
            else None,
            currency=next(iter(currencies)) if len(currencies) == 1 else None,
            status=status,
            error=error,
            extra_columns=detected.columns.extra if detected else (),
            file_modified_at=part.remote.modified_at,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            delivery_id=did,
            delivery=delivery.key,
            delivered_at=delivery.delivered_at,
            partitions=len(partitions) if partitions else None,
            notes="; ".join(notes) if notes else None,
        )

    def _record_noop(
        self, part: _Part, delivery: Delivery, did: str, status: str, reason: str
    ) -> FileResult:
        """Record a duplicate or superseded part: a manifest row, no raw rows."""
        row = self._manifest_row(part, delivery, did, None, status=status, error=reason)
        held = _held_back(part) if status == "held" else []
        record_held_back(self.con, row, held)
        self.say(f"{part.remote.relative}: {status} ({reason})")
        return FileResult(
            part.remote.url,
            status,
            row.format,
            _periods(part, held),
            0,
            error=reason,
        )

    def _refuse(
        self,
        bad: _Part,
        refusal: FileRefused,
        parts: list[_Part],
        delivery: Delivery,
        did: str,
    ) -> list[FileResult]:
        """Quarantine the refused part; the delivery's other parts are held back, recorded, so
        that they wait for the fixed part instead of loading as an incomplete delivery."""
        results = []
        for part in parts:
            if part is bad:
                results.append(self._quarantine(part, refusal, delivery, did))
                continue
            reason = (
                f"held back: {bad.remote.relative}, a part of the same delivery, was refused; "
                "deliver it again fixed and the whole delivery loads"
            )
            results.append(self._record_noop(part, delivery, did, "held", reason))
        return results

    def _quarantine(
        self, part: _Part, refusal: FileRefused, delivery: Delivery, did: str
    ) -> FileResult:
        """Move the file to quarantine, write its error, record it; loaded data is untouched."""
        remote = part.remote
        try:
            target = move_to_quarantine(
                remote.url, remote.relative, self.quarantine, refusal.message
            )
        except OSError as exc:
            log.exception("cannot quarantine %s", remote.url)
            return FileResult(remote.url, "failed", error=f"{refusal}; quarantine: {exc}")
        row = self._manifest_row(
            part, delivery, did, None, status="quarantined", error=refusal.message
        )
        held = _held_back(part)
        record_held_back(self.con, row, held)
        self.say(f"{remote.relative}: quarantined to {target}: {refusal.message}")
        return FileResult(
            remote.url,
            "quarantined",
            row.format,
            _periods(part, held),
            error=refusal.message,
            validation=getattr(refusal, "validation", None),
            quarantined_to=str(target),
        )


# Folders naming the billing month: Data Exports ``BILLING_PERIOD=2024-01``, legacy CUR
# ``20240101-20240201``.
_FOLDER_PERIOD = re.compile(r"(?:^|/)(?:BILLING_PERIOD=(\d{4})-(\d{2})|(\d{4})(\d{2})01-\d{8})/")


def _folder_disagrees(parts: list[_Part]) -> list[str]:
    """A note for each part whose rows bill other months than its folder names: the rows are
    what the provider billed, so they decide; the folder is only where the file was put."""
    notes = []
    for part in parts:
        found = _FOLDER_PERIOD.search(part.remote.relative)
        if found is None or part.facts is None:
            continue
        year, month = (g for g in found.groups() if g is not None)
        folder = f"{year}-{month}"
        if part.facts.periods != {folder}:
            notes.append(
                f"{part.remote.relative}: its folder names billing period {folder} but its rows "
                f"bill {', '.join(sorted(part.facts.periods))}; loaded by its rows"
            )
    return notes


def _planned_periods(part: _Part) -> tuple[str, ...]:
    """The billing months the plan found in a part (empty when it was not planned)."""
    return part.planned.landing.billing_periods if part.planned else ()


def _held_back(part: _Part) -> list[tuple[str | None, str | None, dt.date]]:
    """(provider, billing account, billing month) a refused or held part would have fed, as far
    as it is known: its rows when they were read, else the plan, else its path."""
    if part.facts:
        return [(p.provider, p.billing_account_id, p.billing_period) for p in part.facts.partitions]
    if part.planned and part.planned.landing.billing_periods:
        accounts = part.planned.landing.billing_account_ids
        account = accounts[0] if len(accounts) == 1 else None
        periods = part.planned.landing.billing_periods
        return [(None, account, dt.date.fromisoformat(f"{p}-01")) for p in periods]
    return [(None, None, period) for period in periods_in_path(part.remote.relative)]


def _periods(part: _Part, held: list[tuple[str | None, str | None, dt.date]]) -> tuple[str, ...]:
    """The billing months (``YYYY-MM``) of a part that did not load."""
    if part.facts:
        return tuple(sorted(part.facts.periods))
    return tuple(sorted({f"{period:%Y-%m}" for _, _, period in held}))


def _partitions_of(part: _Part) -> tuple[Partition, ...]:
    """The partitions a read part holds."""
    return part.facts.partitions if part.facts else ()


def _show(partition: Partition) -> str:
    """A partition as people read it: ``AWS 012345678901 2024-01``."""
    provider = f"{partition.provider} " if partition.provider else ""
    return f"{provider}{partition.billing_account_id} {partition.label}"


def _relative(url: str, parts: list[_Part]) -> str:
    """The landing-relative name of one of the parts (the URL if it is not one)."""
    return next((p.remote.relative for p in parts if p.remote.url == url), url)


@contextlib.contextmanager
def _step(part: _Part, name: str) -> Iterator[None]:
    """Time one step of a part (reported once it is loaded)."""
    started = time.monotonic()
    try:
        yield
    finally:
        part.timings[name] = time.monotonic() - started


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
