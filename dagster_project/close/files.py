"""Writing a close's extract directory so that it appears whole or not at all.

Every file is written and fsynced inside a hidden staging directory beside the final one; the
staging directory is then renamed to the final name in one step (a rename within one file
system is atomic). A failure removes the staging directory; a crash leaves only a hidden
`.<name>.*.partial` directory, which the next close of that month sweeps away.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True)
class Column:
    name: str
    money: bool = False


@dataclass(frozen=True)
class WrittenFile:
    name: str
    rows: int
    bytes: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_durably(path: Path, payload: Callable[[io.BufferedWriter], None]) -> None:
    """Create `path`, let `payload` fill it, and fsync it before returning."""
    with path.open("xb") as handle:
        payload(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_csv(path: Path, columns: Sequence[Column], rows: Sequence[Sequence]) -> None:
    def payload(handle) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        writer.writerows([("" if v is None else str(v)) for v in row] for row in rows)
        text.flush()
        text.detach()

    write_durably(path, payload)


def write_parquet(path: Path, columns: Sequence[Column], rows: Sequence[Sequence]) -> None:
    arrays = []
    for i, column in enumerate(columns):
        values = [row[i] for row in rows]
        kind = pa.decimal128(38, 2) if column.money else pa.string()
        arrays.append(pa.array(values, type=kind))
    table = pa.Table.from_arrays(arrays, names=[c.name for c in columns])
    write_durably(path, lambda handle: pq.write_table(table, handle))


def write_xlsx(
    path: Path,
    columns: Sequence[Column],
    rows: Sequence[Sequence],
    sheet: str,
    created: dt.datetime,
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    # The workbook's properties carry the close's time, not the moment of writing.
    book.properties.created = book.properties.modified = created.replace(tzinfo=None)
    worksheet = book.create_sheet(sheet)
    worksheet.append([c.name for c in columns])
    for row in rows:
        # Amounts are already rounded to the cent: a spreadsheet number shows them exactly.
        worksheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    write_durably(path, lambda handle: book.save(handle))


def describe(path: Path, rows: int) -> WrittenFile:
    return WrittenFile(path.name, rows, path.stat().st_size, sha256_of(path))


def sweep_partials(final: Path) -> None:
    """Remove staging directories an interrupted close of `final` left behind."""
    for leftover in final.parent.glob(f".{final.name}.*{PARTIAL_SUFFIX}"):
        shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def staged_directory(final: Path) -> Iterator[Path]:
    """Yield an empty staging directory; on a clean exit it becomes `final`, atomically.

    `final` must not hold a closed month: the caller checks the close state first. A `final`
    left by a close that crashed before recording itself is replaced.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    sweep_partials(final)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{final.name}.", suffix=PARTIAL_SUFFIX, dir=final.parent)
    )
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it private; the extracts are for finance to read
        _fsync_directory(staging)
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        _fsync_directory(final.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
