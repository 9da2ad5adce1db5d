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
import re
import shutil
import tempfile
import zipfile
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


# Excel holds a number as a double shown to 15 significant digits: an amount with more digits,
# or one a double does not hold exactly, is written as text so that no cent is ever changed.
EXCEL_DIGITS = 15
CURRENCY_COLUMN = "BillingCurrency"


def _excel_number(value: Decimal) -> float | None:
    """`value` as the float Excel stores, when that float is exactly `value`; else None."""
    number = float(value)
    exact = len(value.as_tuple().digits) <= EXCEL_DIGITS and Decimal(repr(number)) == value
    return number if exact else None


def _money_format(values: Sequence[Decimal]) -> str:
    """`#,##0.00`, with more decimals where a value has them: what is shown is what is stored."""
    places = max([2, *(-v.as_tuple().exponent for v in values if v.as_tuple().exponent < 0)])
    return "#,##0." + "0" * places


def write_xlsx(
    path: Path,
    columns: Sequence[Column],
    rows: Sequence[Sequence],
    sheet: str,
    created: dt.datetime,
) -> None:
    """The rows as a controller expects them: a frozen, filterable header, money as numbers in
    `#,##0.00` (text where a number would not be exact), fitted column widths, and below the
    rows one labelled total per currency of every money column (the exact Σ, outside the
    filter, so sorting or filtering never moves it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    # The workbook's properties carry the close's time, not the moment of writing.
    book.properties.created = book.properties.modified = created.replace(tzinfo=None)
    worksheet = book.active
    worksheet.title = sheet
    totals = total_rows(columns, rows)
    worksheet.append([c.name for c in columns])
    for row in [*rows, *totals]:
        worksheet.append([_cell(v) for v in row])
    bold = Font(bold=True)
    for r in (1, *range(len(rows) + 2, len(rows) + 2 + len(totals))):
        for cell in worksheet[r]:
            cell.font = bold
    for i, column in enumerate(columns):
        values = [row[i] for row in [*rows, *totals] if row[i] is not None]
        letter = get_column_letter(i + 1)
        if column.money:
            number_format = _money_format(values)
            for (cell,) in worksheet[f"{letter}2:{letter}{len(rows) + len(totals) + 1}"]:
                cell.number_format = number_format
        # room for the thousands separators the format adds
        width = max(len(v) for v in [column.name, *map(_text, values)]) + 2 + 2 * column.money
        worksheet.column_dimensions[letter].width = min(width, 60)
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    saved = io.BytesIO()
    book.save(saved)
    reproducible = _stamped(saved.getvalue(), created)
    write_durably(path, lambda handle: handle.write(reproducible))


def _stamped(xlsx: bytes, at: dt.datetime) -> bytes:
    """The workbook with the close's time wherever openpyxl writes the time of saving (the
    `modified` property and each zip entry's date): the same close writes the same bytes, so
    a re-run of a close proves its manifest's checksums."""
    stamp = at.astimezone(dt.UTC).replace(tzinfo=None)
    modified = f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp:%Y-%m-%dT%H:%M:%SZ}<'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*<", modified.encode(), data)
            info = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def total_rows(columns: Sequence[Column], rows: Sequence[Sequence]) -> list[list]:
    """One row per currency (in order of appearance): "Total <currency>" in the first column,
    the currency in its column, the exact Σ of each money column."""
    names = [c.name for c in columns]
    currency = names.index(CURRENCY_COLUMN) if CURRENCY_COLUMN in names else None
    totals: dict[str | None, list] = {}
    for row in rows:
        key = None if currency is None else row[currency]
        total = totals.setdefault(key, [None] * len(columns))
        total[0] = f"Total {key}" if key else "Total"
        if currency is not None:
            total[currency] = key
        for i, column in enumerate(columns):
            if column.money:
                total[i] = (total[i] or Decimal(0)) + (row[i] or Decimal(0))
    return list(totals.values())


def _cell(value):
    if isinstance(value, Decimal):
        number = _excel_number(value)
        return f"{value:f}" if number is None else number
    return value


def _text(value) -> str:
    return "" if value is None else f"{value:,f}" if isinstance(value, Decimal) else str(value)


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
