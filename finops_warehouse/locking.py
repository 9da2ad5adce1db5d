"""One writer per warehouse: `finops run`, `close` and `demo` hold an exclusive lock beside it.

DuckDB lets one process write a database file; a second writer fails somewhere in the middle of
its run with a lock error. The lock (``fcntl.flock`` on ``<warehouse>.lock``) is taken before
anything is written, so a second command stops at once (or after ``FINOPS_LOCK_WAIT`` seconds of
waiting) naming the warehouse and the process holding it. The kernel releases the lock when
that process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path


class WarehouseUnavailable(Exception):
    """The warehouse cannot be written now: in use by another process, or not writable."""


def lock_path(warehouse: Path) -> Path:
    """The lock file of a warehouse (beside it, so every process finds the same one)."""
    return warehouse.with_name(f"{warehouse.name}.lock")


@contextlib.contextmanager
def warehouse_lock(warehouse: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the warehouse for writing, or raise :class:`WarehouseUnavailable` with the reason.

    ``wait_seconds``: how long to wait for another holder (default ``FINOPS_LOCK_WAIT``, 0).
    """
    warehouse = warehouse.resolve()
    _check_writable(warehouse)
    if wait_seconds is None:
        wait_seconds = float(os.environ.get("FINOPS_LOCK_WAIT", "0"))
    try:
        fd = os.open(lock_path(warehouse), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseUnavailable(
            f"cannot create the lock file beside the warehouse {warehouse} ({exc.strerror}); "
            "make its directory writable or choose another --warehouse"
        ) from None
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                    by = f" (pid {holder})" if holder.isdigit() else ""
                    raise WarehouseUnavailable(
                        f"the warehouse {warehouse} is in use by another finops command{by}; "
                        "run again when it has finished (FINOPS_LOCK_WAIT=<seconds> waits)"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _check_writable(warehouse: Path) -> None:
    """Refuse a warehouse whose file or directory is read-only, before any work starts.

    Mode bits are read, not ``os.access``: a file marked read-only is meant to stay so, also for
    a superuser whom the kernel would let write it.
    """
    directory = warehouse.parent
    if not directory.is_dir():
        return  # created by the command
    for path, what in ((warehouse, "file"), (directory, "directory")):
        if path.exists() and not (
            path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
            and os.access(path, os.W_OK)
        ):
            raise WarehouseUnavailable(
                f"the warehouse {what} {path} is read-only; make it writable (chmod u+w) or "
                "choose another --warehouse"
            )
