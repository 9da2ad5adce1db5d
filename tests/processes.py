"""The processes a command left behind: `finops ui` must stop every process it started."""

import os
import signal
import time
from pathlib import Path


def stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, ppid, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid`` (children of children included), with its start time,
    so that a pid the system reuses later is not taken for one of them."""
    children: dict[int, dict[int, str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = stat_fields(int(entry.name))
        except OSError:
            continue
        children.setdefault(int(fields[1]), {})[int(entry.name)] = fields[19]
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child, started in children.get(todo.pop(), {}).items():
            if child not in found:
                found[child] = started
                todo.append(child)
    return found


def alive(pid: int, started: str) -> bool:
    """True while that very process exists and is not a zombie waiting to be reaped."""
    try:
        fields = stat_fields(pid)
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == started


def ignore_stop_signals() -> None:
    # What a shell or CI does to a background job: the UI inherits ignored SIGINT and SIGTERM.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def left_alive_after(tree: dict[int, str], seconds: float) -> list[int]:
    """The processes of ``tree`` still alive after waiting up to ``seconds`` for them to end."""
    gone_by = time.monotonic() + seconds
    while time.monotonic() < gone_by and any(alive(*p) for p in tree.items()):
        time.sleep(0.2)
    return [pid for pid in tree if alive(pid, tree[pid])]


def kill_what_is_left(tree: dict[int, str]) -> None:
    """Only what a test started and is still there, should a command have left anything."""
    for pid, started in tree.items():
        if alive(pid, started):
            os.kill(pid, signal.SIGKILL)
