"""How Dagster's run and check history is written to disk.

Dagster's default instance keeps its history in SQLite files (WAL mode) and opens a new
connection for every event it records. The connection is the only one open, so each close
checkpoints the WAL into the database and deletes it: with SQLite's default
``synchronous=FULL`` that is about a dozen fsyncs per event. A build of the demo records about
2,200 events (every materialization, every check and its plan), so the fsyncs alone took longer
than the dbt build.

``FINOPS_RUN_HISTORY_SYNC`` (default ``off``) sets SQLite's ``synchronous`` on those
connections:
- ``off``: no fsync. A crash of the process loses nothing (SQLite has written every commit to
  the operating system); a crash of the operating system or a power cut in the middle of a run
  can corrupt the run history (never the warehouse, which is DuckDB's own file). Recovery: move
  the warehouse's ``<warehouse>.finops/dagster/history`` aside and run again: the run records
  its checks anew.
- ``normal`` or ``full``: SQLite's own settings (``full`` is Dagster's default).

Dagster's SQLite run and event storages also create a new SQLAlchemy engine for every connection,
so every statement of every event was compiled again (the compiled-statement cache belongs to the
engine): ``install`` makes them reuse one engine per database file. The engines keep Dagster's
``NullPool``, so each event opens and closes its own connection, except inside
``connections_kept_open`` (a run of the ``finops`` CLI): there the connections stay open from one
event to the next and close when the block ends. Opening and closing them took about 7,000
connects and their WAL checkpoints per small run, a third of its CPU. Only there, because a
long-lived process (the UI's code server) would keep a connection to each run's own event
database forever.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.runs.sqlite import sqlite_run_storage
from sqlalchemy import event

SYNC_MODES = ("off", "normal", "full")
_installed = False


def sync_mode() -> str:
    mode = os.environ.get("FINOPS_RUN_HISTORY_SYNC", "off").strip().lower()
    if mode not in SYNC_MODES:
        raise ValueError(
            f"FINOPS_RUN_HISTORY_SYNC={mode!r}: use one of {', '.join(SYNC_MODES)} "
            "(off is the default)"
        )
    return mode


def _set_sync(dbapi_connection, _record) -> None:
    # Only SQLite connections: the one SQLite user in this process is Dagster's instance.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA synchronous={sync_mode().upper()}")


_engines: dict[tuple, sa.engine.Engine] = {}
_kept_open: dict[tuple, sa.engine.Engine] | None = None  # inside connections_kept_open
_engines_lock = threading.Lock()


def _reused_engine(url, **kwargs) -> sa.engine.Engine:
    """``create_engine`` for Dagster's SQLite storages: one engine per database file and
    options. Their ``dispose()`` after use only replaces an empty NullPool; inside
    ``connections_kept_open`` the engine pools its connections and ignores it."""
    key = (str(url), *sorted((name, repr(value)) for name, value in kwargs.items()))
    with _engines_lock:
        if _kept_open is None:
            if key not in _engines:
                _engines[key] = sa.create_engine(url, **kwargs)
            return _engines[key]
        if key not in _kept_open:
            # Dagster serializes each storage's connections with its own lock.
            connect_args = {**kwargs.get("connect_args", {}), "check_same_thread": False}
            engine = sa.create_engine(
                url, **{**kwargs, "poolclass": sa.pool.QueuePool, "connect_args": connect_args}
            )
            engine.dispose = lambda *args, **kwargs: None  # Dagster disposes after every use
            _kept_open[key] = engine
        return _kept_open[key]


@contextmanager
def connections_kept_open() -> Iterator[None]:
    """Within the block, the SQLite connections Dagster opens in this process stay open from
    one use to the next (one pool per database file); at its end they are closed."""
    global _kept_open
    with _engines_lock:
        _kept_open = {}
    try:
        yield
    finally:
        with _engines_lock:
            engines, _kept_open = _kept_open, None
        for engine in engines.values():
            sa.engine.Engine.dispose(engine)


def install() -> None:
    """Apply ``FINOPS_RUN_HISTORY_SYNC`` to every SQLite connection this process opens from
    now on, and make Dagster's SQLite storages reuse their engines. Idempotent; called where a
    process starts recording Dagster events."""
    global _installed
    sync_mode()  # a wrong value fails here, before any run starts
    if not _installed:
        event.listen(sa.engine.Engine, "connect", _set_sync)
        # Private names of dagster (pinned in requirements.lock): tests/unit/test_run_history.py
        # checks they still exist.
        for module in (sqlite_event_log, sqlite_run_storage):
            module.create_engine = _reused_engine
        _installed = True
