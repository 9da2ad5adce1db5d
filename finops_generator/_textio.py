"""Streaming text output: CSV/JSON lines assembled column-wise with pyarrow, written through a
deterministic gzip (mtime 0, no file name) or as plain text.

A row is the concatenation of *pieces*: pyarrow string arrays (one value per row) and constant
strings (separators, constant cells). Adjacent constants are merged, then one
``binary_join_element_wise`` builds every line of a chunk in C++; no Python loop per row.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NEEDS_QUOTES = r'[",\r\n]'
GZIP_LEVEL = 6


def csv_cell(value: str | None) -> str:
    """One CSV cell, quoted only when needed (RFC 4180)."""
    if value is None:
        return ""
    if any(ch in value for ch in '",\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_escape(arr: pa.Array) -> pa.Array:
    """Vectorised :func:`csv_cell` (nulls become empty cells)."""
    arr = arr.cast(pa.string()) if arr.type != pa.string() else arr
    arr = pc.fill_null(arr, "")
    needs = pc.match_substring_regex(arr, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return arr
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, arr)


def join_pieces(pieces: list[pa.Array | str], n: int) -> bytes | memoryview:
    """Concatenate pieces row-wise (no separator added) and return the text of all rows
    (a view on the Arrow buffer, not a copy)."""
    merged: list[pa.Array | str] = []
    for p in pieces:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        else:
            merged.append(p)
    if n == 0:
        return b""
    if not any(isinstance(p, pa.Array) for p in merged):
        return "".join(merged).encode() * n  # type: ignore[arg-type]
    args = [pa.scalar(p) if isinstance(p, str) else p for p in merged]
    lines = pc.binary_join_element_wise(*args, "", null_handling="replace", null_replacement="")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    start, end = int(offsets[lines.offset]), int(offsets[lines.offset + n])
    return memoryview(lines.buffers()[2])[start:end]


@dataclass
class TextFile:
    """A text export being written: plain or gzip (deterministic header), counts rows.

    Gzip compression runs on a background thread (zlib releases the GIL), so the next chunk
    is built while the previous one is compressed; the bytes do not depend on the timing.
    """

    path: Path
    gz: bool = False
    bom: bool = False
    rows: int = 0
    _raw: object = field(default=None, repr=False)
    _out: object = field(default=None, repr=False)
    _queue: queue.Queue | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _error: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        if self.gz:
            self._out = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=GZIP_LEVEL
            )
            self._queue = queue.Queue(maxsize=2)
            self._thread = threading.Thread(target=self._drain, daemon=True)
            self._thread.start()
        else:
            self._out = self._raw
        if self.bom:
            self.write("\ufeff".encode())

    def _drain(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                self._out.write(data)
            except Exception as exc:  # surfaced by close()
                self._error.append(exc)

    def write(self, data: bytes | memoryview, rows: int = 0) -> None:
        if self._queue is not None:
            self._queue.put(data)
        else:
            self._out.write(data)
        self.rows += rows

    def close(self) -> None:
        if self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            if self._error:
                raise self._error[0]
        if self.gz:
            self._out.close()
        self._raw.close()


def set_mtime(path: Path, epoch_seconds: int) -> None:
    """Set a file's access and modification time (the simulated delivery time)."""
    os.utime(path, (epoch_seconds, epoch_seconds))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
