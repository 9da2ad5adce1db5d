"""Realistic demo billing exports for a fictional company, with the ground truth they add up to.

``generate(out_dir)`` writes ``out_dir/landing/...`` laid out as each provider delivers its
exports, and ``out_dir/ground_truth.json`` (schema in ``README.md`` beside this module).
Deterministic for a seed: the same arguments give byte-identical files and modification times.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (
    aws_catalog,
    aws_cur,
    aws_cur2,
    azure,
    budgets,
    focus,
    focus_hub,
    gcp,
    inventory,
    invoices,
    labels,
    metrics,
)
from ._textio import set_mtime
from .aws import AwsEngine
from .focus_hub import write_focus_partition_file, write_messy_focus_file
from .ground_truth import GroundTruth, load_ground_truth
from .periods import Month, month_range

__all__ = [
    "DEFAULT_START",
    "GroundTruth",
    "generate",
    "load_ground_truth",
    "plan_rows",
    "write_focus_partition_file",
    "write_messy_focus_file",
]

DEFAULT_START = "2026-07"
"""First billing month generated unless told otherwise (a fixed month keeps runs identical)."""

LANDING_DIRS = ("aws", "azure", "gcp", "focus", "invoices", "business_metrics", "anomaly_labels")
"""Top-level folders of ``landing/`` the generator owns (cleared before writing)."""

# Fleet sizes per unit of scale (``--rows``): mostly hourly AWS instances, proportionally
# fewer GCP instances (two rows an hour each) and daily Azure VMs and SaaS workspaces.
FLEET_SHARE = {"legacy": 1.0, "cur2": 0.7, "gcp": 0.25, "azure": 1.2, "focus": 0.6}
_PROBE = 200


@dataclass
class World:
    """Every provider's catalog for one run, tags decided, ready to write."""

    months: list[Month]
    legacy: AwsEngine
    cur2: AwsEngine
    gcp: list[gcp.GcpEngine]
    azure: azure.AzureEngine
    focus: focus.FocusEngine
    expected_rows: int


def _fleet(scale: int, key: str) -> int:
    return round(scale * FLEET_SHARE[key])


def build_world(months: list[Month], seed: int, scale: int, finalize: bool = True) -> World:
    """Catalogs for ``scale`` fleet units; with ``finalize``, tags are chosen (~15% untagged
    spend) and the engines rebuilt with them. Also counts the rows the run will write."""
    rows = 0

    def counted(engine, deliveries=lambda m: 1):
        nonlocal rows
        counts = [engine.active_counts(m) for m in months]
        rows += sum(
            engine.expected_rows(m, c) * deliveries(m) for m, c in zip(months, counts, strict=True)
        )
        return engine.expected_list_cost(counts)

    legacy = aws_catalog.legacy_payer(seed, months, _fleet(scale, "legacy"))
    cur2 = aws_catalog.cur2_payer(seed, months, _fleet(scale, "cur2"))
    engines = {}
    for key, payer in (("legacy", legacy), ("cur2", cur2)):
        eng = AwsEngine(payer, months, seed)
        expected = counted(
            eng, (lambda m: 2 if m.index == 0 else 1) if key == "legacy" else (lambda m: 1)
        )
        if finalize:
            aws_catalog.finalize(payer, seed, expected)
            eng = AwsEngine(payer, months, seed)
        engines[key] = eng
    gcp_engines = []
    for acct in gcp.accounts(seed, months, _fleet(scale, "gcp")):
        eng = gcp.GcpEngine(acct, months, seed)
        expected = counted(eng)
        if finalize:
            gcp.finalize(acct, seed, expected)
            eng = gcp.GcpEngine(acct, months, seed)
        gcp_engines.append(eng)
    prof = azure.profile(seed, months, _fleet(scale, "azure"))
    az = azure.AzureEngine(prof, months, seed)
    expected = counted(az)
    if finalize:
        azure.finalize(prof, seed, expected)
        az = azure.AzureEngine(prof, months, seed)
    items = focus.streams(seed, _fleet(scale, "focus"))
    fo = focus.FocusEngine(items, months, seed)
    expected = counted(fo)
    if finalize:
        focus.finalize(items, seed, expected)
        fo = focus.FocusEngine(items, months, seed)
    # Invoices (a few per provider account and month), business metrics and the FOCUS hub
    # (fixed size: about 6 resources a day, each month delivered twice but the last).
    rows += len(months) * (12 + 5 * len(metrics.METRICS) * 31)
    rows += (2 * len(months) - 1) * 6 * 31
    return World(months, engines["legacy"], engines["cur2"], gcp_engines, az, fo, rows)


def plan_rows(rows: int, months: list[Month], seed: int) -> int:
    """The fleet scale whose total row count is closest to ``rows`` (two linear probes)."""
    base = build_world(months, seed, 0, finalize=False).expected_rows
    probe = build_world(months, seed, _PROBE, finalize=False).expected_rows
    per_unit = max((probe - base) / _PROBE, 1.0)
    scale = max(0, round((rows - base) / per_unit))
    if scale:
        got = build_world(months, seed, scale, finalize=False).expected_rows
        scale = max(0, round(scale + (rows - got) / per_unit))
    return scale


def generate(
    out_dir: Path,
    months: int = 3,
    seed: int = 42,
    rows: int | None = None,
    start: str = DEFAULT_START,
    progress: Callable[[str], None] | None = None,
    gcp_gzipped: bool = False,
) -> GroundTruth:
    """Write demo exports under ``out_dir/landing``, the company's budgets under
    ``out_dir/budgets`` and ``out_dir/ground_truth.json``.

    ``rows`` scales the hourly usage of every format to about that many rows in total (the
    fixed part, about 70k rows for three months, is the floor); None keeps the small demo.
    ``gcp_gzipped`` writes the GCP export as ``.jsonl.gz`` (an export to Cloud Storage with
    GZIP compression), about a seventh of the plain file's bytes.
    Returns the ground truth that was written.
    """
    out_dir = Path(out_dir)
    periods = month_range(start, months)
    landing = out_dir / "landing"
    for name in LANDING_DIRS:
        shutil.rmtree(landing / name, ignore_errors=True)
    landing.mkdir(parents=True, exist_ok=True)
    scale = 0 if rows is None else plan_rows(rows, periods, seed)
    if progress:
        progress(f"planning {months} month(s) from {start}, fleet scale {scale}")
    world = build_world(periods, seed, scale)
    if progress and rows is not None:
        progress(f"expecting about {world.expected_rows:,} rows")
    gt = GroundTruth(seed, months, start, rows, [m.label for m in periods])
    aws_cur.generate(landing, world.legacy, gt, progress)
    aws_cur2.generate(landing, world.cur2, gt, progress)
    azure.generate(landing, world.azure, gt, progress)
    gcp.generate(landing, world.gcp, gt, progress, gzipped=gcp_gzipped)
    inventory.generate(landing, world.azure, world.gcp, gt, progress)
    focus.generate(landing, world.focus, gt, progress)
    focus_hub.generate(landing, periods, seed, gt, progress)
    invoices.generate(landing, periods, gt, progress)
    metrics.generate(landing, periods, seed, gt, progress)
    labels.generate(landing, periods, gt, progress)
    budgets.generate(out_dir, gt)
    gt.finish()
    gt.write(out_dir / "ground_truth.json")
    set_mtime(out_dir / "ground_truth.json", max(f.delivered_s for f in gt.files))
    if progress:
        progress(f"wrote {gt.rows_written:,} rows in {len(gt.files)} files")
    return gt
