"""Run a format's Great Expectations suite on one file, set-based, inside DuckDB.

GX 1.x runs the suite through its SQL datasource on a scratch DuckDB database (duckdb-engine)
whose view ``batch`` reads the file's scratch Parquet, so every expectation is one SQL query over
the file as it will be loaded; failures name the ``_row_number`` of the offending rows. Two
adaptations make GX work on DuckDB:

- GX returns query results after closing the SQLAlchemy connection; DuckDB cursors lose their
  rows when the connection closes, so results are buffered for the duckdb dialect
  (:func:`_buffer_duckdb_results`);
- GX has no regex support for DuckDB, so numeric/timestamp checks are ``UnexpectedRows``
  expectations written in DuckDB SQL (``TRY_CAST``).

GX runs in a child process (:class:`GxWorker`): importing it costs seconds of pure-Python CPU,
which a thread cannot overlap with the parent's own Python work (the GIL); a child started first
thing by ``finops run`` imports it on another core while the CLI and Dagster start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import signal
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from finops_warehouse.ingest.errors import FileRefused
from finops_warehouse.locations import EXPECTATIONS_DIR

log = logging.getLogger(__name__)

RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "unexpected_index_column_names": ["_row_number"],
    "partial_unexpected_count": 5,
}


@dataclass
class Outcome:
    """The result of one expectation on one file."""

    expectation: str
    column: str | None
    success: bool
    severity: str
    unexpected_count: int | None = None
    first_row: int | None = None
    first_value: Any = None
    fix: str | None = None
    description: str | None = None
    query: str | None = None
    """The SQL of an UnexpectedRows check, to look up its first row (SUMMARY omits rows)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for manifests and Dagster metadata."""
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "query"}


@dataclass
class Validation:
    """A suite run on one file: passed unless a critical expectation failed."""

    format: str
    file: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """False when any critical expectation failed (warnings never block a load)."""
        return all(o.success for o in self.outcomes if o.severity == "critical")

    @property
    def warnings(self) -> list[Outcome]:
        """Failed non-critical expectations (e.g. an unknown LineItemType value)."""
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary for Dagster asset check metadata."""
        return {
            "format": self.format,
            "file": self.file,
            "success": self.success,
            "evaluated": len(self.outcomes),
            "failed": [o.as_dict() for o in self.outcomes if not o.success],
        }

    def refusal(self) -> FileRefused | None:
        """The error for the first failed critical expectation, naming column, row and fix."""
        for outcome in self.outcomes:
            if outcome.severity == "critical" and not outcome.success:
                count = (
                    f"{outcome.unexpected_count} row(s) fail" if outcome.unexpected_count else ""
                )
                what = outcome.description or _describe(outcome.expectation)
                return FileRefused(
                    self.file,
                    f"check failed: {what}" + (f"; {count}" if count else ""),
                    outcome.fix or "correct the file and deliver it again",
                    column=outcome.column,
                    row=outcome.first_row,
                    value=None if outcome.first_value is None else str(outcome.first_value),
                )
        return None


def _describe(expectation: str) -> str:
    """Readable name of a GX expectation type."""
    return expectation.removeprefix("expect_").replace("_", " ")


@cache
def load_suite(key: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite JSON of a format (``expectations/<key>.json``)."""
    path = directory / f"{key}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no expectation suite {path}; write one with python -m finops_warehouse.ingest.suites"
        )
    return json.loads(path.read_text())


def applicable(suite: dict[str, Any], columns: set[str]) -> list[dict[str, Any]]:
    """Expectations that can run on a file with these columns.

    A check of an optional column the file lacks is skipped; a missing required column is
    reported by its ``expect_column_to_exist``, which always runs.
    """
    out = []
    for expectation in suite["expectations"]:
        column = expectation["kwargs"].get("column") or expectation.get("meta", {}).get("column")
        if expectation["type"] == "expect_column_to_exist" or column is None or column in columns:
            out.append(expectation)
    return out


class GxRunner:
    """One ephemeral GX context per ingest run, with a SQL datasource on a scratch DuckDB file.

    That database holds only the view ``batch``, redefined for each file; only GX's own
    (duckdb-engine) connections open it. It runs inside the :class:`GxWorker` process, which has
    imported GX before the first file arrives.
    """

    def __init__(self, database: Path) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _buffer_duckdb_results()
        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._datasource = self._context.data_sources.add_sql(
            name="scratch",
            connection_string=f"duckdb:///{database}",
            create_temp_table=False,
        )
        self._count = 0

    def validate(self, batch_sql: str, fmt_key: str, file: str, columns: set[str]) -> Validation:
        """Define ``batch`` as ``batch_sql`` and run the format's suite on it, in one validation."""
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        with self._datasource.get_engine().connect() as connection:
            connection.exec_driver_sql(f"CREATE OR REPLACE VIEW batch AS {batch_sql}")
            connection.commit()
        suite_json = load_suite(fmt_key)
        self._count += 1
        suite = self._gx.ExpectationSuite(name=f"{fmt_key}_{self._count}")
        chosen = applicable(suite_json, columns)
        for item in chosen:
            config = ExpectationConfiguration(
                type=item["type"],
                kwargs=item["kwargs"],
                meta=item.get("meta", {}),
                description=item.get("description"),
                severity=item.get("severity", "critical"),
            )
            suite.add_expectation(config.to_domain_obj())
        asset = self._datasource.add_table_asset(name=f"batch_{self._count}", table_name="batch")
        batch = asset.add_batch_definition_whole_table("whole file").get_batch()
        result = batch.validate(suite, result_format=RESULT_FORMAT)
        outcomes = [_outcome(r) for r in result.results]
        return Validation(fmt_key, file, outcomes)

    def close(self) -> None:
        """Close GX's pooled connections to the scratch database."""
        self._datasource.get_execution_engine().engine.dispose()
        self._datasource.get_engine().dispose()


def _outcome(result: Any) -> Outcome:
    """Turn one GX ExpectationValidationResult into an Outcome."""
    config = result.expectation_config
    meta = config.meta or {}
    body = result.result or {}
    first_row, first_value = _first_unexpected(body)
    success = bool(result.success)
    if result.exception_info and result.exception_info.get("raised_exception"):
        success = False
        body = {**body, "exception": result.exception_info.get("exception_message")}
        log.error("expectation %s raised: %s", config.type, body["exception"])
    return Outcome(
        expectation=config.type,
        column=config.kwargs.get("column") or meta.get("column"),
        success=success,
        severity=str(getattr(config.severity, "value", config.severity) or "critical"),
        unexpected_count=_unexpected_count(body),
        first_row=first_row,
        first_value=first_value,
        fix=meta.get("fix"),
        description=config.description,
        query=config.kwargs.get("unexpected_rows_query"),
    )


def _unexpected_count(body: dict[str, Any]) -> int | None:
    """Rows failing: column expectations say so; UnexpectedRows reports it as observed_value."""
    count = body.get("unexpected_count")
    observed = body.get("observed_value")
    if count is None and isinstance(observed, int) and not isinstance(observed, bool):
        return observed
    return count


def _first_unexpected(body: dict[str, Any]) -> tuple[int | None, Any]:
    """The lowest row number among the reported unexpected rows, and its value."""
    rows = body.get("partial_unexpected_index_list") or body.get("unexpected_index_list") or []
    rows = rows or (body.get("details") or {}).get("unexpected_rows") or []
    candidates = [r for r in rows if isinstance(r, dict) and r.get("_row_number") is not None]
    if not candidates:
        return None, None
    first = min(candidates, key=lambda r: r["_row_number"])
    value = first.get("value")
    if value is None:
        value = next((v for k, v in first.items() if k != "_row_number"), None)
    return int(first["_row_number"]), value


def first_unexpected_row(con: Any, query: str, table: str) -> tuple[int | None, Any]:
    """Run an UnexpectedRows query directly for its first row (GX SUMMARY omits the rows)."""
    sql = query.replace("{batch}", table)
    row = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT 1").fetchone()
    return (None, None) if row is None else (int(row[0]), row[1] if len(row) > 1 else None)


_PATCHED = False


def _buffer_duckdb_results() -> None:
    """Make GX fetch DuckDB results before it closes the connection (see module docstring)."""
    global _PATCHED
    if _PATCHED:
        return
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    original = engine_module.SqlAlchemyExecutionEngine.execute_query

    def execute_query(self: Any, query: Any) -> Any:
        if self.dialect_name != "duckdb":
            return original(self, query)
        with self.get_connection() as connection:
            return self._execute_query_with_recovery(connection, query).freeze()()

    engine_module.SqlAlchemyExecutionEngine.execute_query = execute_query
    _PATCHED = True


class GxWorkerDied(RuntimeError):
    """The GX worker process ended (killed, out of memory) before it answered."""


class _RemoteTraceback(Exception):
    """The child's traceback, chained under the error it raised (as concurrent.futures does)."""

    def __str__(self) -> str:
        return str(self.args[0])


class GxWorker:
    """GX in a child process: it imports GX as it starts, then runs :class:`GxRunner` for
    :meth:`validate` requests, one at a time, one runner per scratch database.

    A spawned child, not a fork: the parent has threads and open DuckDB and SQLite handles. It
    ignores SIGINT (the parent handles Ctrl-C and ends it), is a daemon, and leaves when the
    parent's end of the pipe closes, so it never outlives the parent.
    """

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_end,), name="finops-gx", daemon=True
        )
        with _sigint_blocked():  # the child inherits the mask: immune to Ctrl-C from birth
            self._process.start()
        child_end.close()  # else the parent's copy keeps the pipe open after the child dies
        self._lock = threading.Lock()
        self._ready = False
        self._broken = False
        self.used = False

    @property
    def alive(self) -> bool:
        """True while the child runs and the pipe holds no unread answer."""
        return not self._broken and self._process.is_alive()

    def wait_ready(self) -> None:
        """Block until the child has imported GX (seconds at most; usually already done)."""
        with self._lock:
            self._wait_ready()

    def validate(
        self, database: Path, batch_sql: str, fmt_key: str, file: str, columns: set[str]
    ) -> Validation:
        """:meth:`GxRunner.validate` in the child, on the runner of `database`."""
        return self._call("validate", str(database), batch_sql, fmt_key, file, columns)

    def release(self, database: Path) -> None:
        """Close the child's connections to `database` (its ingest run is over); a dead child
        holds none."""
        if self.alive and self.used:
            with contextlib.suppress(GxWorkerDied):
                self._call("release", str(database))

    def close(self) -> None:
        """End the child at once: an ingest released its runners already, and a worker never
        used need not finish its import (nor exit a process holding GX, a second of teardown)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._conn.close()
        self._broken = True

    def _call(self, name: str, *args: Any) -> Any:
        with self._lock:
            if self._broken:
                raise self._died()
            self.used = True
            try:
                self._wait_ready()
                try:
                    self._conn.send((name, args))
                except OSError:  # the child is gone (a broken pipe)
                    self._process.join(timeout=5)
                    raise self._died() from None
                reply = self._receive()
            except BaseException:
                # No answer read (Ctrl-C, a dead child): the pipe is out of step; end the child.
                self._broken = True
                self._process.terminate()
                raise
        return _answer(reply)

    def _wait_ready(self) -> None:
        if not self._ready:
            reply = self._receive()
            if reply[0] == "error":  # GX failed to import
                self._broken = True
            _answer(reply)
            self._ready = True

    def _receive(self) -> Any:
        """The child's next message, or GxWorkerDied when it ends first (never a hang)."""
        ready = multiprocessing.connection.wait([self._conn, self._process.sentinel])
        if self._conn in ready:
            try:
                return self._conn.recv()
            except (EOFError, OSError):  # closed, or reset with our request unread
                pass
        self._process.join(timeout=5)
        raise self._died() from None

    def _died(self) -> GxWorkerDied:
        code = self._process.exitcode
        how = (
            f"killed by {signal.Signals(-code).name}"
            if code is not None and code < 0
            else f"exit code {code}"
        )
        return GxWorkerDied(
            f"the Great Expectations worker process (pid {self._process.pid}) ended ({how}) "
            "before it validated the file; nothing of its delivery was loaded, run again"
        )


def _answer(reply: tuple) -> Any:
    """The value of a child's reply, or its error raised here with the child's traceback."""
    if reply[0] == "error":
        _, exc, remote = reply
        raise exc from _RemoteTraceback(remote)
    return reply[1]


_WORKER: GxWorker | None = None
_WORKER_LOCK = threading.Lock()


def gx_worker() -> GxWorker:
    """The process's GX worker, started now unless one runs (``finops run`` starts it first
    thing; the UI, the sensor and tests start it on the first file an ingest reads). It serves
    every later ingest run of the process, which so imports GX once, as it did in process."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None or not _WORKER.alive:
            _WORKER = GxWorker()
        return _WORKER


def stop_gx_worker() -> None:
    """End the process's GX worker, if any (the end of ``finops run``)."""
    global _WORKER
    with _WORKER_LOCK:
        worker, _WORKER = _WORKER, None
    if worker is not None:
        worker.close()


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """The child: import GX, then answer requests until the parent ends it or is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    runners: dict[str, GxRunner] = {}
    try:
        if not _reply(conn, _import_gx):
            return
        while True:
            name, args = conn.recv()
            _reply(conn, _handle, runners, name, args)
    except (EOFError, OSError):  # the parent is gone
        return
    finally:
        for runner in runners.values():
            runner.close()


def _reply(conn: multiprocessing.connection.Connection, work: Any, *args: Any) -> bool:
    """Send what `work` returns, else its error (and traceback); False for an error."""
    try:
        data = ForkingPickler.dumps(("ok", work(*args)))
        ok = True
    except Exception as exc:  # a GX error, or an answer that does not pickle
        data = ForkingPickler.dumps(("error", _portable(exc), traceback.format_exc()))
        ok = False
    conn.send_bytes(data)
    return ok


def _import_gx() -> None:
    import great_expectations  # noqa: F401  (the seconds this process exists to spend early)
    from tqdm.std import tqdm

    _buffer_duckdb_results()
    # GX's progress bars (off) still take tqdm's lock, by default a named semaphore in a spawned
    # process: the parent's resource tracker would report it leaked when the child is ended.
    tqdm.set_lock(threading.RLock())


def _handle(runners: dict[str, GxRunner], name: str, args: tuple[Any, ...]) -> Any:
    database, *rest = args
    if name == "release":
        runner = runners.pop(database, None)
        if runner is not None:
            runner.close()
        return None
    if database not in runners:
        runners[database] = GxRunner(Path(database))
    return runners[database].validate(*rest)


def _portable(exc: Exception) -> Exception:
    """`exc` if it survives pickling as itself, else a RuntimeError with its message: the
    parent raises an error whose text is the one the in-process path gave."""
    import pickle

    try:
        copy = pickle.loads(pickle.dumps(exc))
        if type(copy) is type(exc) and str(copy) == str(exc):
            return exc
    except Exception:
        pass
    return RuntimeError(str(exc))
