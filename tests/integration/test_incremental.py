"""Incremental builds by billing month, end to end through the real `finops run`.

A copy of the demo's landing is built without the restated AWS CUR delivery of the first month;
the restatement (the generator's own later delivery, different content) then arrives and
`finops run` rebuilds that month only: it says so, the rows of the other months are not
rewritten (a marker set on them survives), and every mart equals the shared demo run's fresh full
build of the same landing. The first build here takes one month per slice
(FINOPS_BUILD_SLICE_ROWS=1), the demo's all months in one: the slices add up to the same marts.
A run that loaded nothing rebuilds nothing and leaves every raw table
and mart identical, row for row.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from warehouse_snapshots import marts_snapshot, raw_snapshot

MARKER = " [not rewritten]"
# A text column without tests in each mart that no other model reads (a marker in a column a
# mart groups on would change that mart), and its billing-month column.
MARKED = {
    "fct_cost_and_usage": ("PublisherName", "x_BillingPeriod", "x_RowId"),
    "fct_cost_allocation": ("AllocationReason", "BillingPeriodStart", "AllocationRowId"),
}


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **extra,
        "FINOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "FINOPS_WAREHOUSE": str(home / "warehouse.duckdb"),
    }


def _restatement(root: Path) -> tuple[list[Path], str]:
    """The later AWS CUR delivery of a restated month (its assembly folder and the period's
    top-level manifest, which AWS rewrites on every delivery), and that month."""
    deliveries = json.loads((root / "ground_truth.json").read_text())["deliveries"]
    old = next(d for d in deliveries if d["format"] == "aws_cur" and d["superseded"])
    folder = Path(old["manifest"]).parent.parent
    new = next(
        d
        for d in deliveries
        if d["format"] == "aws_cur"
        and not d["superseded"]
        and Path(d["manifest"]).parent.parent == folder
    )
    assembly = root / Path(new["manifest"]).parent
    month = f"{folder.name[:4]}-{folder.name[4:6]}"  # 20260701-20260801
    return [assembly, root / folder / Path(new["manifest"]).name], month


def _run(finops_cli, landing: Path, home: Path, **env: str) -> tuple[str, float]:
    started = time.monotonic()
    done = finops_cli("run", "--landing", str(landing), env=_env(home, **env))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, time.monotonic() - started


def _transform_seconds(home: Path) -> list[str]:
    """How long each dbt build (transform_job run) of a warehouse took, oldest first."""
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        records = instance.get_run_records(dg.RunsFilter(job_name="transform_job"))
        return [f"{r.end_time - r.start_time:.0f} s" for r in reversed(records)]


def _month_total(warehouse: Path, month: str) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return str(
            con.execute(
                "select sum(BilledCost) from marts.fct_cost_and_usage "
                "where strftime(x_BillingPeriod, '%Y-%m') = ?",
                [month],
            ).fetchone()[0]
        )


@pytest.mark.long
def test_a_redelivered_month_rebuilds_only_that_month_and_matches_a_full_build(
    tmp_path, finops_cli, demo_run
):
    demo_home, _, demo_root, truth, demo = demo_run
    assert demo.returncode == 0, demo.stdout + demo.stderr
    root = tmp_path / "gen"  # copytree keeps modification times: deliveries are ordered by them
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("*.lock"))
    periods = truth["billing_periods"]
    every_month = f"rebuilt: billing months {periods[0]} to {periods[-1]}"
    restatement, month = _restatement(root)
    held = tmp_path / "held"
    for path in restatement:
        target = held / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    landing = root / "landing"
    incremental = tmp_path / "incremental"

    out, first_seconds = _run(finops_cli, landing, incremental, FINOPS_BUILD_SLICE_ROWS="1")
    assert every_month in out
    warehouse = incremental / "warehouse.duckdb"
    before = _month_total(warehouse, month)
    untouched = {}
    with duckdb.connect(str(warehouse)) as con:
        for mart, (column, period, key) in MARKED.items():
            untouched[mart] = con.execute(
                f"update marts.{mart} set {column} = {column} || ? "
                f"where strftime({period}, '%Y-%m') <> ? returning {key}",
                [MARKER, month],
            ).fetchall()
            assert untouched[mart]

    for path in restatement:
        shutil.move(held / path.relative_to(root), path)
    out, incremental_seconds = _run(finops_cli, landing, incremental)
    assert f"rebuilt: billing month {month}\n" in out
    assert _month_total(warehouse, month) != before  # the restatement changed the month
    with duckdb.connect(str(warehouse)) as con:
        for mart, (column, _, key) in MARKED.items():
            kept = con.execute(
                f"select {key} from marts.{mart} where {column} like '%' || ?", [MARKER]
            ).fetchall()
            assert sorted(kept) == sorted(untouched[mart]), mart
            con.execute(f"update marts.{mart} set {column} = replace({column}, ?, '')", [MARKER])

    raw, marts = raw_snapshot(warehouse), marts_snapshot(warehouse)
    assert len(marts) >= 17 and marts["fct_cost_and_usage"][0] > 0
    out, _ = _run(finops_cli, landing, incremental)
    assert "rebuilt: no billing month (nothing changed since the last build)" in out
    assert "nothing changed: all" in out
    assert raw_snapshot(warehouse) == raw
    after = marts_snapshot(warehouse)
    changed = sorted(n for n in marts.keys() | after.keys() if marts.get(n) != after.get(n))
    assert changed == [], f"marts that differ after the same run again: {changed}"
    print(
        f"\nfinops run: full build without the restatement {first_seconds:.0f} s, incremental "
        f"run of {month} {incremental_seconds:.0f} s; dbt builds (transform_job): "
        f"{_transform_seconds(incremental)}"
    )
    _assert_same_marts(warehouse, landing, demo_home / "warehouse.duckdb", demo_root / "landing")


def _assert_same_marts(warehouse: Path, landing: Path, full: Path, full_landing: Path) -> None:
    """Every table of schema marts holds the same rows in both warehouses, the landing path
    in source-file columns aside (the two were built from copies in different folders)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")
        marts = {
            catalog: sorted(
                name
                for (name,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = ? and table_schema = 'marts' "
                    "and table_type = 'BASE TABLE'",
                    [catalog],
                ).fetchall()
            )
            for catalog in ("incremental", "full_build")
        }
        assert marts["incremental"] == marts["full_build"]
        assert {"fct_cost_and_usage", "fct_cost_allocation", "dim_billing_period"} <= set(
            marts["full_build"]
        )
        for mart in marts["full_build"]:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'incremental' and table_schema = 'marts' "
                "and table_name = ? order by ordinal_position",
                [mart],
            ).fetchall()
            relocated = ", ".join(
                f"replace(\"{name}\", '{landing}', '{full_landing}') as \"{name}\""
                if kind == "VARCHAR"
                else f'"{name}"'
                for name, kind in columns
            )
            a = f"(select {relocated} from incremental.marts.{mart})"
            b = f"full_build.marts.{mart}"
            differ = con.execute(
                f"select (select count(*) from (from {a} except all from {b})) "
                f"+ (select count(*) from (from {b} except all from {a})), "
                f"(select count(*) from {b})"
            ).fetchone()
            assert differ[0] == 0, f"{mart}: {differ[0]} rows differ of {differ[1]}"
