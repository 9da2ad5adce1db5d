"""Measuring a command run as a child process, shared by the benchmarks.

Each measurement gives the wall time; the CPU seconds of the whole process tree (user + system,
from ``wait4``: on a busy machine they vary less than wall time); the exact peak RSS of the
largest single process of the tree (``wait4``'s ``ru_maxrss``); and the peak memory of the
tree as a whole: the highest sample, polled every ``interval`` seconds with psutil, of the
processes' summed PSS (proportional set size: pages shared between processes are split
between them, so a forked child does not count its parent's memory twice).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

RESULT_PREFIX = "BENCH-RESULT "
"""A child step prints its figures as one JSON line after this prefix; `measure` parses it."""


@dataclass
class Measurement:
    command: list[str]
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int  # the largest RSS any one process of the tree reached (exact)
    peak_tree_bytes: int  # the tree's summed PSS at its highest sample
    started_at: float  # epoch seconds
    ended_at: float
    exit_code: int
    output_tail: str
    result: dict = field(default_factory=dict)  # what a child step reported


def measure(
    command: list[str], env: dict[str, str], interval: float, log: Path, cwd: Path | None = None
) -> Measurement:
    """Run ``command`` with its output in ``log``; its time and memory."""
    peak_tree = 0
    with open(log, "w") as out:
        started_at = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()

        def poll() -> None:
            nonlocal peak_tree
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not done.is_set():
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.Error:
                    break
                total = 0
                for p in procs:
                    try:
                        info = p.memory_full_info()
                    except psutil.Error:
                        continue
                    total += getattr(info, "pss", info.rss)
                peak_tree = max(peak_tree, total)
                done.wait(interval)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        ended_at = time.time()
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        poller.join()
    text = log.read_text()
    result: dict = {}
    for line in reversed(text.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line.removeprefix(RESULT_PREFIX))
            break
    return Measurement(
        command=command,
        wall_seconds=round(wall, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_bytes=usage.ru_maxrss * 1024,
        peak_tree_bytes=peak_tree,
        started_at=started_at,
        ended_at=ended_at,
        exit_code=proc.returncode,
        output_tail=text[-2000:],
        result=result,
    )


def check(m: Measurement, what: str) -> Measurement:
    """The measurement, or exit naming the step and its output when the command failed."""
    if m.exit_code:
        raise SystemExit(f"{what} failed (exit {m.exit_code}):\n{m.output_tail}")
    return m


def combine(first: Measurement, second: Measurement) -> Measurement:
    """Two commands run one after the other: times add up, the peaks are the higher ones."""
    return Measurement(
        command=[*first.command, "&&", *second.command],
        wall_seconds=round(first.wall_seconds + second.wall_seconds, 3),
        cpu_seconds=round(first.cpu_seconds + second.cpu_seconds, 3),
        peak_rss_bytes=max(first.peak_rss_bytes, second.peak_rss_bytes),
        peak_tree_bytes=max(first.peak_tree_bytes, second.peak_tree_bytes),
        started_at=first.started_at,
        ended_at=second.ended_at,
        exit_code=first.exit_code or second.exit_code,
        output_tail=second.output_tail if first.exit_code == 0 else first.output_tail,
    )
