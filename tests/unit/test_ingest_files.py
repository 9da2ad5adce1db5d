"""Landing helpers: fingerprints, gzip integrity, side files, Azure path rule, error text."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from finops_warehouse.ingest.deliveries import folder_group
from finops_warehouse.ingest.detect import _choose_dataset
from finops_warehouse.ingest.errors import FileRefused
from finops_warehouse.ingest.files import fingerprint, is_side_file, list_files
from finops_warehouse.ingest.formats import AZURE_ACTUAL


def test_fingerprint_is_the_sha256_of_the_bytes(tmp_path: Path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert fingerprint(path) == (hashlib.sha256(b"a,b\n1,2\n").hexdigest(), None)


def test_multi_member_gzip_is_intact(tmp_path: Path):
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n") + gzip.compress(b"1,2\n" * 1000))
    assert fingerprint(path)[1] is None


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_truncated_gzip_is_detected_even_when_lines_look_whole(tmp_path: Path, cut: float):
    data = gzip.compress(b"a,b\n" + b"1,2\n" * 50_000)
    path = tmp_path / "a.csv.gz"
    path.write_bytes(data[: int(len(data) * cut)])
    assert "truncated" in fingerprint(path)[1]


def test_corrupt_gzip_is_detected(tmp_path: Path):
    data = bytearray(gzip.compress(b"a,b\n" + b"1,2\n" * 1000))
    data[30:40] = b"\xff" * 10
    path = tmp_path / "a.csv.gz"
    path.write_bytes(bytes(data))
    assert fingerprint(path)[1] is not None


@pytest.mark.parametrize(
    ("name", "side"),
    [
        ("aws/cur/20240101-20240201/kestrel-Manifest.json", True),
        ("azure/x/manifest.json", True),
        ("aws/cur/crawler-cfn.yml", True),
        ("q/cur.csv.error.txt", True),
        (".DS_Store", True),
        ("_SUCCESS", True),
        ("aws/cur/20240101-20240201/abc/kestrel-1.csv.gz", False),
        ("notes.txt", False),
    ],
)
def test_provider_side_files_are_skipped(name: str, side: bool):
    assert is_side_file(name) is side


def test_listing_is_recursive_sorted_and_skips_side_files(tmp_path: Path):
    for name in ("b/2.csv", "a/1.csv", "a/x-Manifest.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [f.relative for f in list_files(str(tmp_path))[0]] == ["a/1.csv", "b/2.csv"]
    assert list_files(str(tmp_path / "missing")) == ([], [])


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("ea-ActualCost/20240101-20240131/part_0_0001.csv", "actual"),
        ("ea-AmortizedCost/20240101-20240131/part_0_0001.csv", "amortized"),
        ("actual/2024-01/AmortizedCost.csv", "amortized"),
        ("exports/daily/part_0_0001.csv", None),
        ("downloads/Detail_Enrollment_8611537_202401_en.csv", None),
    ],
)
def test_azure_path_hint_takes_the_nearest_part_naming_the_cost_type(relative, expected):
    fmt, basis = _choose_dataset(AZURE_ACTUAL, relative, None)
    assert (fmt.dataset if basis else None) == expected


def test_what_the_caller_was_told_beats_the_path():
    fmt, basis = _choose_dataset(
        AZURE_ACTUAL, "x-ActualCost/a.csv", ("amortized", "the landing config says so")
    )
    assert (fmt.key, basis) == ("azure_amortized", "the landing config says so")


@pytest.mark.parametrize(
    ("names", "groups"),
    [
        # Azure partitioned export, AWS CUR parts, Data Exports chunks, BigQuery shards.
        (["r/part_0_0001.csv", "r/part_1_0001.csv"], 1),
        (["a/kestrel-hourly-1.csv.gz", "a/kestrel-hourly-2.csv.gz"], 1),
        (["d/x-cur2-00001.snappy.parquet", "d/x-cur2-00002.snappy.parquet"], 1),
        (["g/export-000000000000.jsonl", "g/export-000000000001.jsonl"], 1),
        # Dated names are separate deliveries, never parts of one.
        (["f/export-2026-08-04.csv", "f/export-2026-08-05.csv"], 2),
        (["f/cur-2024-01.csv", "f/cur-2024-02.csv"], 2),
        # Parts in different folders or of different types are different deliveries.
        (["a/part_0_0001.csv", "b/part_0_0001.csv"], 2),
        (["a/x-1.csv.gz", "a/x-1.parquet"], 2),
        # An Azure unpartitioned export ends in a GUID: one file, one delivery.
        (
            [
                "e/costs_0b4f2c1e-1111-2222-3333-444455556666.csv",
                "e/costs_0b4f2c1e-1111-2222-3333-444455556667.csv",
            ],
            2,
        ),
    ],
)
def test_parts_of_one_delivery_are_grouped_by_folder_convention(names, groups):
    assert len({folder_group(n) for n in names}) == groups


def test_refusal_message_names_file_column_row_value_and_fix():
    refusal = FileRefused("cur.csv", "not a number", "write a number", "cost", 7, "$1")
    assert refusal.message == (
        "cur.csv at column 'cost', data row 7 (line 8 counting the header): not a number "
        "(value '$1'). What to do: write a number"
    )
