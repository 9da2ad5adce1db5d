"""The two halves of the fingerprint (sha256, gzip integrity) agree with the one-pass version."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from finops_warehouse.ingest.files import CHUNK, fingerprint, gzip_error, sha256_of


def _variants(tmp_path: Path) -> dict[str, Path]:
    body = b"a,b\n" + b"1,2\n" * 300_000  # larger than one read block once compressed or not
    whole = gzip.compress(body)
    corrupt = bytearray(whole)
    corrupt[30:40] = b"\xff" * 10
    files = {
        "plain": body,
        "gzip": whole,
        "two members": gzip.compress(b"a,b\n") + gzip.compress(body),
        "truncated": whole[: len(whole) // 2],
        "corrupt": bytes(corrupt),
        "empty": b"",
    }
    out = {}
    for name, data in files.items():
        out[name] = tmp_path / f"{name.replace(' ', '-')}.bin"
        out[name].write_bytes(data)
    return out


@pytest.mark.parametrize("name", ["plain", "gzip", "two members", "truncated", "corrupt", "empty"])
def test_sha256_and_gzip_check_agree_with_fingerprint(tmp_path: Path, name: str):
    path = _variants(tmp_path)[name]
    assert fingerprint(path) == (sha256_of(path), gzip_error(path))
    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_large_plain_file_is_hashed_across_blocks(tmp_path: Path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (CHUNK * 2 + 123))
    assert fingerprint(path) == (hashlib.sha256(path.read_bytes()).hexdigest(), None)
