"""Exact money, stable hashing and deterministic ids: the generator's low-level helpers.

Every amount is an integer count of a fixed small unit (``SCALE`` = 10 decimals, 1e-10 of the
currency) and is only turned into text at the edge, so sums are exact and files are
byte-identical for a seed. ``NULL`` marks a missing number inside an int64 array.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SCALE = 10
NULL = np.iinfo(np.int64).min
"""Sentinel for a missing number in an int64 column (written as an empty cell or null)."""

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15
_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def words(text: str) -> tuple[str, ...]:
    """Whitespace-separated names as a tuple (long column lists stay readable)."""
    return tuple(text.split())


def units(value: str | int | Decimal, scale: int = SCALE) -> int:
    """``'0.096'`` -> 960000000 (scale 10). Raises when the value has more decimals."""
    d = Decimal(str(value)).scaleb(scale)
    if d != d.to_integral_value():
        raise ValueError(f"{value} has more than {scale} decimals")
    return int(d)


def to_decimal(value: int, scale: int = SCALE) -> Decimal:
    """Integer units -> exact Decimal, normalised without exponent noise (``0.096``)."""
    d = Decimal(value).scaleb(-scale)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def fmt(value: int | None, scale: int = SCALE, point: bool = False) -> str:
    """One amount as plain decimal text without trailing zeros; ``point`` keeps ``.0``."""
    if value is None or value == NULL:
        return ""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**scale)
    digits = str(frac).rjust(scale, "0").rstrip("0")
    if digits:
        return f"{sign}{whole}.{digits}"
    return f"{sign}{whole}.0" if point else f"{sign}{whole}"


def fmt_array(values: np.ndarray, scale: int = SCALE, point: bool = False) -> pa.Array:
    """Vectorised :func:`fmt`; ``NULL`` entries become nulls.

    Sparse columns (reservation and savings plan amounts are empty on most rows) format only
    their present values.
    """
    v = np.asarray(values, dtype=np.int64)
    missing = v == NULL
    n_missing = int(missing.sum())
    if n_missing == len(v):
        return pa.nulls(len(v), pa.string())
    if n_missing * 2 > len(v):
        present = _fmt_present(v[~missing], scale, point)
        slot = np.cumsum(~missing) - 1
        return pc.if_else(
            pa.array(missing),
            pa.scalar(None, pa.string()),
            present.take(pa.array(np.maximum(slot, 0))),
        )
    out = _fmt_present(np.where(missing, 0, v), scale, point)
    if n_missing:
        out = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), out)
    return out


def _fmt_present(v: np.ndarray, scale: int, point: bool) -> pa.Array:
    negative = v < 0
    a = np.abs(v)
    p = 10**scale
    whole = pa.array(a // p).cast(pa.string())
    rest = a % p
    if not rest.any():
        body = pc.binary_join_element_wise(whole, ".0", "") if point else whole
    else:
        frac = pc.utf8_rtrim(pc.utf8_lpad(pa.array(rest).cast(pa.string()), scale, "0"), "0")
        tail = pc.binary_join_element_wise(whole, ".0", "") if point else whole
        body = pc.if_else(pa.array(rest != 0), pc.binary_join_element_wise(whole, frac, "."), tail)
    if negative.any():
        body = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", body, ""), body)
    return body


def to_float_array(values: np.ndarray, scale: int = SCALE) -> pa.Array:
    """int units -> float64 (nearest double to the decimal); ``NULL`` -> null."""
    v = np.asarray(values, dtype=np.int64)
    missing = v == NULL
    f = np.where(missing, 0, v).astype(np.float64) / float(10**scale)
    return pa.array(f, mask=missing if missing.any() else None)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection on uint64 (distinct inputs give distinct outputs)."""
    z = np.asarray(x, dtype=np.uint64).copy()
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def stable_int(*parts: object) -> int:
    """A 63-bit integer from any parts, stable across runs and platforms."""
    h = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") >> 1


def uniform(key: int, *arrays: np.ndarray) -> np.ndarray:
    """Stateless uniform [0, 1) numbers from a key and integer arrays (e.g. resource, hour).

    The same (key, resource, hour) always gives the same number, whatever the chunking or the
    fleet size, so a resource's usage does not change when ``--rows`` changes.
    """
    z = np.full(np.broadcast(*arrays).shape if arrays else (), key, dtype=np.uint64)
    for i, a in enumerate(arrays):
        salt = np.uint64(_GOLDEN * (i + 1) % 2**64)
        z = mix64(z ^ (np.asarray(a).astype(np.uint64) + salt))
    return (mix64(z) >> np.uint64(11)).astype(np.float64) / float(2**53)


def guid(*parts: object) -> str:
    """A deterministic random-looking GUID (version 4 layout)."""
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=h[:16], version=4))


def digits(n: int, *parts: object) -> str:
    """``n`` deterministic decimal digits (invoice numbers, project numbers)."""
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return str(int(h, 16))[-n:].rjust(n, "0")


def hexid(n: int, *parts: object) -> str:
    """``n`` deterministic lower-case hex characters (instance ids, SKU ids)."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


def row_ids(salt: int, first_row: int, n: int) -> pa.Array:
    """Unique 13-character base32 line item ids for rows ``first_row .. first_row + n``.

    mix64 is a bijection, so ids never collide inside one file (one salt).
    """
    x = mix64(np.arange(first_row, first_row + n, dtype=np.uint64) + np.uint64(salt % 2**64))
    shifts = np.arange(12, -1, -1, dtype=np.uint64) * np.uint64(5)
    idx = ((x[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.intp)
    data = _B32[idx].reshape(-1)
    offsets = np.arange(0, 13 * (n + 1), 13, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
