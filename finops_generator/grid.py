"""The usage grid: which resource is running in which time slot, built with numpy.

A provider's bulk rows are the cells (resource x slot) of a grid, where a slot is an hour or a
day (epoch hours of its start). Chunks always hold whole slots, so per-hour groupings (AWS
Savings Plan negations and fees) never straddle two chunks. Randomness is a stateless hash of
(stream, resource uid, slot), so a resource's usage is the same whatever the chunking.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._units import uniform

CHUNK_ROWS = 400_000
"""Upper bound of rows materialised at once (memory stays flat whatever the total)."""

OFFICE_FIRST_HOUR = 7
OFFICE_LAST_HOUR = 19


@dataclass
class Schedule:
    """When each resource runs: per-resource arrays of epoch hours."""

    start_h: np.ndarray
    end_h: np.ndarray
    down_lo: np.ndarray
    down_hi: np.ndarray
    office: np.ndarray
    """True for dev boxes that run on weekdays, office hours (UTC) only."""

    @classmethod
    def build(cls, rows: list[tuple[int, int, int, int, bool]]) -> Schedule:
        a = np.array([r[:4] for r in rows], dtype=np.int64).reshape(-1, 4)
        return cls(a[:, 0], a[:, 1], a[:, 2], a[:, 3], np.array([r[4] for r in rows], bool))

    def active(self, r: np.ndarray, slot_h: np.ndarray, daily: bool) -> np.ndarray:
        ok = (slot_h >= self.start_h[r]) & (slot_h < self.end_h[r])
        ok &= ~((slot_h >= self.down_lo[r]) & (slot_h < self.down_hi[r]))
        office = self.office[r]
        if office.any():
            weekday = ((slot_h // 24) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
            hour = slot_h % 24
            in_hours = weekday < 5
            if not daily:
                in_hours &= (hour >= OFFICE_FIRST_HOUR) & (hour < OFFICE_LAST_HOUR)
            ok &= ~office | in_hours
        return ok


def slots(lo_h: int, hi_h: int, daily: bool) -> np.ndarray:
    """Slot start hours in ``[lo_h, hi_h)``: every hour, or every UTC midnight."""
    if not daily:
        return np.arange(lo_h, hi_h, dtype=np.int64)
    first = -(-lo_h // 24) * 24
    return np.arange(first, hi_h, 24, dtype=np.int64)


def cells(
    res: np.ndarray, slot_h: np.ndarray, sched: Schedule, daily: bool, max_rows: int = CHUNK_ROWS
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Active (resource, slot) cells in chunks of whole slots, slot-major order."""
    n = len(res)
    if n == 0 or len(slot_h) == 0:
        return
    per = max(1, max_rows // n)
    for i in range(0, len(slot_h), per):
        sl = slot_h[i : i + per]
        r = np.tile(res, len(sl))
        s = np.repeat(sl, n)
        keep = sched.active(r, s, daily)
        if keep.any():
            yield r[keep], s[keep]


def count_active(res: np.ndarray, slot_h: np.ndarray, sched: Schedule, daily: bool, size: int):
    """Active slot count per resource (index space ``size``), without building rows."""
    out = np.zeros(size, dtype=np.int64)
    for r, _ in cells(res, slot_h, sched, daily, max_rows=2_000_000):
        out += np.bincount(r, minlength=size)
    return out


def daily_factor(
    key: int, uid: np.ndarray, slot_h: np.ndarray, noise: np.ndarray, weekly: np.ndarray
) -> np.ndarray:
    """Multiplicative usage factor of a daily cell: weekday shape times bounded noise."""
    weekday = ((slot_h // 24) + 3) % 7
    shape = np.where(weekday < 5, 1.0 + 0.08 * weekly, 1.0 - 0.2 * weekly)
    u = uniform(key, uid, slot_h) + uniform(key ^ 0x5BD1E995, uid, slot_h) - 1.0
    return shape * (1.0 + noise * u)


DRIFT_DAYS = 14
"""A drift grows by 1/DRIFT_DAYS of its extra quantity a day, then holds."""


def injected_qty(kind: str, first_h: int, s: np.ndarray, extra: int) -> np.ndarray:
    """Extra quantity an injected change adds to the daily slots ``s`` (epoch hours).

    ``spike``: ``extra`` on its first day only; ``step``: ``extra`` every day from its first
    day on (a lasting level change); ``drift``: a slow ramp from its first day, ``extra`` after
    ``DRIFT_DAYS`` days.
    """
    day = (s - first_h) // 24
    if kind == "spike":
        return np.where(day == 0, extra, 0)
    if kind == "step":
        return np.where(day >= 0, extra, 0)
    if kind == "drift":
        return np.where(day >= 0, extra * np.minimum(day + 1, DRIFT_DAYS) // DRIFT_DAYS, 0)
    raise ValueError(f"unknown injected change {kind!r}")
