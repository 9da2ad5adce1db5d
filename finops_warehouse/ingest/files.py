"""Landing access through fsspec: list files, fingerprint them, make them local, move them out.

DuckDB reads local files fastest and without credentials plumbing, so a remote file (any fsspec
URL that is not a plain path) is streamed to a temporary local copy first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import fsspec
from fsspec.implementations.local import LocalFileSystem

from finops_warehouse.ingest.errors import FileRefused

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
# Names a file has while a browser, a copy tool or a Spark/Hadoop job is still writing it; the
# finished file gets its real name (or leaves the temporary folder) when it is complete.
_IN_PROGRESS_SUFFIXES = (
    ".tmp",
    ".temp",
    ".part",
    ".partial",
    ".crdownload",
    ".download",
    ".filepart",
    "._copying_",
)
_IN_PROGRESS_FOLDERS = ("_temporary", "_temp", ".spark-staging")


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
    outside: str | None = None
    """Where the file really is when a symbolic link (to it, or to a folder above it) leads out
    of the landing (never followed)."""


def open_landing(landing: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem and root path of a landing location (local path or fsspec URL)."""
    fs, root = fsspec.core.url_to_fs(landing)
    return fs, root.rstrip("/") or "/"


def is_side_file(relative: str) -> bool:
    """True for provider manifests and other non-data files that ingestion skips silently."""
    name = PurePosixPath(relative).name.lower()
    return name.startswith((".", "_")) or name.endswith(_SIDE_FILE_SUFFIXES)


def list_files(landing: str) -> tuple[list[RemoteFile], list[RemoteFile]]:
    """The data files and the side files (manifests, the landing config, ...) below the
    landing root, each sorted by path, from one listing."""
    files = _list(landing)
    return (
        [f for f in files if not is_side_file(f.relative)],
        [f for f in files if is_side_file(f.relative)],
    )


def set_aside(
    files: list[RemoteFile],
) -> tuple[list[RemoteFile], list[tuple[RemoteFile, str, str]]]:
    """The files to plan, and those set aside before anything reads them, each with a status
    and the reason: ``waiting`` for a file still being written (a temporary name or folder),
    ``skipped`` for a link leading out of the landing."""
    kept, aside = [], []
    for f in files:
        parts = PurePosixPath(f.relative.lower()).parts
        if f.outside is not None:
            aside.append(
                (
                    f,
                    "skipped",
                    f"a symbolic link leads to {f.outside}, outside the landing; "
                    "links out of the landing are not followed: copy the file in instead",
                )
            )
        elif parts[-1].endswith(_IN_PROGRESS_SUFFIXES) or set(parts[:-1]) & set(
            _IN_PROGRESS_FOLDERS
        ):
            aside.append(
                (
                    f,
                    "waiting",
                    "still being written (a temporary name or folder); "
                    "it is read once it has its final name",
                )
            )
        else:
            kept.append(f)
    return kept, aside


def changed_since_listed(remote: RemoteFile) -> bool:
    """True when a local file's size or modification time is no longer what the listing saw
    (something is still writing it)."""
    fs, path = fsspec.core.url_to_fs(remote.url)
    if not isinstance(fs, LocalFileSystem):
        return False  # object stores publish an object whole
    try:
        info = fs.info(path)
    except FileNotFoundError:
        return True
    return int(info.get("size") or 0) != remote.bytes or _modified_at(info) != remote.modified_at


def _list(landing: str) -> list[RemoteFile]:
    """Every file below the landing root, sorted by path."""
    fs, root = open_landing(landing)
    if not fs.exists(root):
        log.warning("landing %s does not exist; nothing to ingest", landing)
        return []
    files = []
    local = isinstance(fs, LocalFileSystem)
    real_root = os.path.realpath(root) if local else root
    for path, info in sorted(fs.find(root, detail=True).items()):
        if info.get("type") == "directory":
            continue
        relative = path[len(root) :].lstrip("/") if path.startswith(root) else path
        target = os.path.realpath(path) if local else None
        outside = (
            target if target and os.path.commonpath([target, real_root]) != real_root else None
        )
        files.append(
            RemoteFile(
                url=_display_url(fs, path),
                relative=relative,
                bytes=int(info.get("size") or 0),
                modified_at=_modified_at(info),
                outside=outside,
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


def unpack(path: Path, name: str, workdir: Path) -> Path:
    """The file to read: the landing file itself, else what its wrapper holds, in ``workdir``.

    A zip holding one file (a portal download, a tool's export; also a ``.csv.gz`` that is in
    truth a zip) is that file; a zip of several is refused (which one is the export is a
    guess). A gzip-compressed Parquet file is decompressed (Parquet compresses inside). UTF-16
    text with its byte order mark (a spreadsheet's "Unicode" save) becomes UTF-8.
    """
    with path.open("rb") as handle:
        start = handle.read(4)
    if start == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    m
                    for m in archive.infolist()
                    if not m.is_dir()
                    and not PurePosixPath(m.filename).name.startswith((".", "_"))
                    and not m.filename.startswith("__MACOSX/")
                ]
                if len(members) != 1:
                    listed = ", ".join(m.filename for m in members[:5]) or "no file"
                    raise FileRefused(
                        name,
                        f"the zip archive holds {len(members)} files ({listed}), not one export",
                        "unzip it into the landing (each export a file of its own), or zip one "
                        "file per archive",
                    )
                target = workdir / f"unzipped-{PurePosixPath(members[0].filename).name}"
                with archive.open(members[0]) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                return target
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileRefused(
                name,
                f"the zip archive cannot be read ({exc})",
                "download or copy the file again completely",
            ) from None
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        target = workdir / "utf-8.csv"
        try:
            with (
                path.open(encoding="utf-16", newline="") as src,
                target.open("w", encoding="utf-8", newline="") as dst,
            ):
                shutil.copyfileobj(src, dst, CHUNK)
        except UnicodeError as exc:
            raise FileRefused(
                name,
                f"the file starts as UTF-16 text but is not ({exc.reason})",
                "save the file again as 'CSV UTF-8', or copy it again completely",
            ) from None
        return target
    if start[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError), gzip.open(path, "rb") as inner:
            if inner.read(4) == b"PAR1":
                target = workdir / "gunzipped.parquet"
                with gzip.open(path, "rb") as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                return target
    return path


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
