"""Billing months and the time grid: epoch hours, Pacific invoice months, text formats."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

UTC = dt.UTC
PACIFIC = ZoneInfo("America/Los_Angeles")
HOUR = 3600


def epoch_hour(t: dt.datetime) -> int:
    """Hours since 1970-01-01 UTC of an aware datetime (must be on the hour)."""
    seconds = int(t.timestamp())
    if seconds % HOUR:
        raise ValueError(f"{t} is not on the hour")
    return seconds // HOUR


def at(year: int, month: int, day: int = 1, hour: int = 0, minute: int = 0) -> int:
    """Epoch seconds of a UTC wall time."""
    return int(dt.datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Month:
    """One billing month (UTC), with its position in the generated window."""

    index: int
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def yyyymm(self) -> str:
        return f"{self.year:04d}{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> dt.datetime:
        y, m = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return dt.datetime(y, m, 1, tzinfo=UTC)

    @property
    def start_h(self) -> int:
        return epoch_hour(self.start)

    @property
    def end_h(self) -> int:
        return epoch_hour(self.end)

    @property
    def hours(self) -> int:
        return self.end_h - self.start_h

    @property
    def days(self) -> int:
        return self.hours // 24

    @property
    def start_s(self) -> int:
        return self.start_h * HOUR

    @property
    def end_s(self) -> int:
        return self.end_h * HOUR

    def next_at(self, day: int, hour: int = 0, minute: int = 0) -> int:
        """Epoch seconds of a wall time in the following month (delivery times)."""
        return int(self.end.replace(day=day, hour=hour, minute=minute).timestamp())

    def day_at(self, day: int, hour: int = 0) -> int:
        """Epoch seconds of a day of this month."""
        return int(self.start.replace(day=day, hour=hour).timestamp())

    @property
    def pacific_bounds_h(self) -> tuple[int, int]:
        """Epoch hours (UTC) where this month starts and ends in US Pacific time.

        GCP bills usage to ``invoice.month`` by Pacific time, so the first hours (UTC) of a
        month belong to the previous invoice month.
        """
        y, m = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        lo = dt.datetime(self.year, self.month, 1, tzinfo=PACIFIC)
        hi = dt.datetime(y, m, 1, tzinfo=PACIFIC)
        return int(lo.timestamp()) // HOUR, int(hi.timestamp()) // HOUR


def month_range(start: str, count: int) -> list[Month]:
    """``month_range('2026-07', 3)`` -> July, August, September 2026."""
    try:
        year, month = (int(x) for x in start.split("-"))
        dt.date(year, month, 1)
    except ValueError as exc:
        raise ValueError(f"start must be YYYY-MM, got {start!r}") from exc
    if count < 1:
        raise ValueError("months must be at least 1")
    out = []
    for i in range(count):
        out.append(Month(i, year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def iso(seconds: int, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return dt.datetime.fromtimestamp(seconds, UTC).strftime(fmt)


@lru_cache(maxsize=64)
def _hour_table(h0: int, h1: int, fmt: str) -> pa.Array:
    return pa.array([iso(h * HOUR, fmt) for h in range(h0, h1)], pa.string())


def hour_text(hours: np.ndarray, fmt: str, h0: int, h1: int) -> pa.Array:
    """Text of epoch hours in ``[h0, h1)`` by table lookup (a few thousand strftime calls)."""
    return _hour_table(h0, h1, fmt).take(pa.array(np.asarray(hours, dtype=np.int64) - h0))
