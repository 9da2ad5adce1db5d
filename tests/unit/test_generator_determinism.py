"""The generator is deterministic for a seed, and ``rows`` scales the output."""

from __future__ import annotations

import gzip
import os
from decimal import Decimal
from pathlib import Path

from finops_generator import generate, load_ground_truth


def snapshot(root: Path) -> dict[str, tuple[bytes, float]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), os.stat(p).st_mtime)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files_and_mtimes(tmp_path):
    generate(tmp_path / "a", months=1, seed=3)
    generate(tmp_path / "b", months=1, seed=3)
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


def test_rerun_into_the_same_directory_replaces_the_previous_output(tmp_path):
    generate(tmp_path, months=1, seed=3)
    first = snapshot(tmp_path)
    generate(tmp_path, months=1, seed=3)
    assert snapshot(tmp_path) == first


def test_gzip_headers_carry_no_timestamp_or_name(generator_demo):
    root, truth = generator_demo
    gz = [root / f["path"] for f in truth["files"] if f["path"].endswith(".gz")]
    assert gz
    for path in gz:
        head = path.read_bytes()[:10]
        assert head[:3] == b"\x1f\x8b\x08"
        assert head[3] == 0, "FNAME flag set"
        assert head[4:8] == b"\0\0\0\0", "gzip mtime set"


def test_another_seed_gives_other_data(tmp_path):
    a = generate(tmp_path / "a", months=1, seed=3)
    b = generate(tmp_path / "b", months=1, seed=4)
    assert {f.sha256 for f in a.files}.isdisjoint({f.sha256 for f in b.files})


def test_rows_scales_the_total_to_within_ten_percent(tmp_path):
    target = 90_000
    gt = generate(tmp_path, months=1, seed=5, rows=target)
    truth = load_ground_truth(tmp_path / "ground_truth.json")
    assert truth["rows_requested"] == target
    assert truth["rows_written"] == gt.rows_written == sum(f["rows"] for f in truth["files"])
    assert abs(gt.rows_written - target) <= target // 10
    # The extra rows are spread over every usage format, not only AWS.
    by_format = {}
    for f in truth["files"]:
        by_format[f["format"]] = by_format.get(f["format"], 0) + f["rows"]
    assert by_format["aws_cur"] > by_format["gcp_billing"] > by_format["azure_actual"] > 0
    share = truth["untagged_share"]["share"]
    assert Decimal("0.10") <= share <= Decimal("0.20")


def test_a_gzipped_gcp_export_holds_the_plain_exports_bytes(tmp_path):
    plain = generate(tmp_path / "plain", months=1, seed=3)
    zipped = generate(tmp_path / "zipped", months=1, seed=3, gcp_gzipped=True)

    def gcp(truth) -> list:
        return sorted((f for f in truth.files if f.format == "gcp_billing"), key=lambda f: f.path)

    pairs = list(zip(gcp(plain), gcp(zipped), strict=True))
    assert pairs
    for p, z in pairs:
        assert z.path == p.path + ".gz" and (z.rows, z.cost_total) == (p.rows, p.cost_total)
        assert (
            gzip.decompress((tmp_path / "zipped" / z.path).read_bytes())
            == (tmp_path / "plain" / p.path).read_bytes()
        )
