"""Landing access through fsspec: list files, fingerprint them, make them local, move them out.

DuckDB reads local files fastest and without credentials plumbing, so a remote file (any fsspec
URL that is not a plain path) is streamed to a temporary local copy first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import fsspec
from fsspec.implementations.local import LocalFileSystem

log = logging.getLogger(__name__)

CHUNK = 8 * 1024 * 1024

# Side files delivered next to the data (manifests, crawler templates, status tables) and the
# landing config: read by the delivery planner, never ingested as data.
_SIDE_FILE_SUFFIXES = (
    "manifest.json",
    "crawler-cfn.yml",
    "create-table.sql",
    ".error.txt",
    "finops-landing.yml",
    "finops-landing.yaml",
)


@dataclass(frozen=True)
class RemoteFile:
    """A file in the landing area, as fsspec lists it."""

    url: str
    """Path (local landing) or full URL (remote landing); what the manifest records."""
    relative: str
    """Path below the landing root, with ``/`` separators (format detection reads it)."""
    bytes: int
    modified_at: dt.datetime
    """Modification time in UTC (naive), what "newer delivery" compares."""


def open_landing(landing: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem and root path of a landing location (local path or fsspec URL)."""
    fs, root = fsspec.core.url_to_fs(landing)
    return fs, root.rstrip("/") or "/"


def is_side_file(relative: str) -> bool:
    """True for provider manifests and other non-data files that ingestion skips silently."""
    name = PurePosixPath(relative).name.lower()
    return name.startswith((".", "_")) or name.endswith(_SIDE_FILE_SUFFIXES)


def list_landing(landing: str) -> list[RemoteFile]:
    """Every data file below the landing root, sorted by path (side files left out)."""
    return list_files(landing)[0]


def list_files(landing: str) -> tuple[list[RemoteFile], list[RemoteFile]]:
    """The data files and the side files (manifests, the landing config, ...) below the
    landing root, each sorted by path, from one listing."""
    files = _list(landing)
    return (
        [f for f in files if not is_side_file(f.relative)],
        [f for f in files if is_side_file(f.relative)],
    )


def _list(landing: str) -> list[RemoteFile]:
    """Every file below the landing root, sorted by path."""
    fs, root = open_landing(landing)
    if not fs.exists(root):
        log.warning("landing %s does not exist; nothing to ingest", landing)
        return []
    files = []
    for path, info in sorted(fs.find(root, detail=True).items()):
        if info.get("type") == "directory":
            continue
        relative = path[len(root) :].lstrip("/") if path.startswith(root) else path
        files.append(
            RemoteFile(
                url=_display_url(fs, path),
                relative=relative,
                bytes=int(info.get("size") or 0),
                modified_at=_modified_at(info),
            )
        )
    return files


def _display_url(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """A local path stays a path; a remote path gets its protocol back (``memory://x``)."""
    if isinstance(fs, LocalFileSystem):
        return path
    return fs.unstrip_protocol(path)


def _modified_at(info: dict) -> dt.datetime:
    """Modification time from an fsspec info dict (keys differ per filesystem), naive UTC."""
    value = info.get("mtime") or info.get("LastModified") or info.get("last_modified")
    value = value or info.get("created") or 0
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime.fromtimestamp(float(value), dt.UTC).replace(tzinfo=None)


def is_local(url: str) -> bool:
    """True when DuckDB can read the file in place."""
    fs, _ = fsspec.core.url_to_fs(url)
    return isinstance(fs, LocalFileSystem)


@contextlib.contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """A local path for the file: itself when local, else a streamed temporary copy."""
    fs, path = fsspec.core.url_to_fs(url)
    if isinstance(fs, LocalFileSystem):
        yield Path(path)
        return
    suffix = "".join(PurePosixPath(path).suffixes[-2:])
    with tempfile.TemporaryDirectory(prefix="finops-landing-") as tmp:
        target = Path(tmp) / f"file{suffix}"
        with fs.open(path, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        yield target


def fingerprint(path: Path) -> tuple[str, str | None]:
    """sha256 of the file, and an error text when it is gzip and its stream is cut short.

    Both come from one streaming pass: a truncated gzip can still decode into whole lines that a
    CSV reader would accept (DuckDB's reader does), so the integrity check cannot be left to it.
    """
    digest = hashlib.sha256()
    check = _GzipCheck()
    for chunk in _chunks(path):
        digest.update(chunk)
        check.feed(chunk)
    return digest.hexdigest(), check.error()


def sha256_of(path: Path) -> str:
    """sha256 of the file alone (fast; enough to skip a file already seen)."""
    digest = hashlib.sha256()
    for chunk in _chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def gzip_error(path: Path) -> str | None:
    """The integrity half of :func:`fingerprint`; zlib releases the GIL, so it can run in a
    thread beside DuckDB's read of the same file."""
    check = _GzipCheck()
    for chunk in _chunks(path):
        check.feed(chunk)
    return check.error()


def _chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes in large blocks."""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class _GzipCheck:
    """Decompress a gzip stream fed in chunks, output discarded and bounded, across members."""

    def __init__(self) -> None:
        self._gunzip: zlib._Decompress | None = None
        self._started = False
        self._error: str | None = None

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk of the file (the first one tells whether it is gzip at all)."""
        if not self._started:
            self._started = True
            if chunk[:2] == b"\x1f\x8b":
                self._gunzip = zlib.decompressobj(wbits=47)
        if self._gunzip is None or self._error is not None:
            return
        try:
            while chunk:
                self._gunzip.decompress(chunk, CHUNK)
                while self._gunzip.unconsumed_tail:
                    self._gunzip.decompress(self._gunzip.unconsumed_tail, CHUNK)
                if not self._gunzip.eof:
                    return
                chunk = self._gunzip.unused_data
                if chunk:
                    self._gunzip = zlib.decompressobj(wbits=47)
        except zlib.error as exc:
            self._error = f"the gzip stream is corrupt ({exc})"

    def error(self) -> str | None:
        """None for an intact gzip stream (or a file that is not gzip), else what is wrong."""
        if self._error is None and self._gunzip is not None and not self._gunzip.eof:
            return "the gzip stream ends before its end marker (the file is truncated)"
        return self._error


def move_to_quarantine(url: str, relative: str, quarantine: Path, error_text: str) -> Path:
    """Move a refused file out of the landing into quarantine, with ``<name>.error.txt``.

    The relative layout is kept (two deliveries named ``part_0_0001.csv`` in different folders
    must not overwrite each other). Returns the quarantined path.
    """
    target = quarantine / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fs, path = fsspec.core.url_to_fs(url)
    if isinstance(fs, LocalFileSystem):
        shutil.move(path, target)
    else:
        with fs.open(path, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        fs.rm(path)
    Path(f"{target}.error.txt").write_text(error_text + "\n", encoding="utf-8")
    return target
