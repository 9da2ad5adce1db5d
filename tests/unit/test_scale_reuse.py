"""benchmarks/scale.py --reuse-landing: a landing is reused only as its run generated it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def scale(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import scale

    yield scale
    sys.modules.pop("scale", None)


def _earlier(tmp_path: Path, **changes) -> tuple[argparse.Namespace, Path]:
    (tmp_path / "work" / "gen" / "landing").mkdir(parents=True)
    result = {
        "months": 12,
        "rows_per_month": 1000,
        "seed": 42,
        "steps": {"generate": {"wall_seconds": 9.0, "exit_code": 0}},
        "failures": {},
        **changes,
    }
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps(result))
    args = argparse.Namespace(months=12, rows_per_month=1000, seed=42, reuse_landing=str(path))
    return args, tmp_path / "work"


def test_the_landing_of_the_same_run_is_reused(scale, tmp_path):
    args, workdir = _earlier(tmp_path)
    reused = scale.reusable_generation(args, workdir)
    assert reused["wall_seconds"] == 9.0
    assert reused["reused_from"] == str(tmp_path / "earlier.json")


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"seed": 7}, "another size or seed"),
        ({"rows_per_month": 2000}, "another size or seed"),
        ({"failures": {"generate": "exit code 1"}}, "its generation failed"),
        ({"steps": {}}, "its generation failed"),
        ({"redelivery": {"rows": 1}}, "a month was re-delivered into its landing"),
    ],
)
def test_any_other_landing_is_refused(scale, tmp_path, changes, why):
    args, workdir = _earlier(tmp_path, **changes)
    with pytest.raises(SystemExit, match=why):
        scale.reusable_generation(args, workdir)


def test_a_landing_that_is_gone_is_refused(scale, tmp_path):
    args, workdir = _earlier(tmp_path)
    (workdir / "gen" / "landing").rmdir()
    with pytest.raises(SystemExit, match="is gone"):
        scale.reusable_generation(args, workdir)
