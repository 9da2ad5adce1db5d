"""Over a commitment's whole term, Σ EffectiveCost of its usage equals Σ BilledCost of its
purchases, on generated bills. The CUR 2.0 payer buys a one-year All Upfront Savings Plan on
the first day of the second generated month, so 13 generated months hold its whole term; only
the CUR 2.0 files are loaded, to keep the run short."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest
from dbt_runs import run_dbt

MONTHS = 13


@pytest.fixture(scope="module")
def whole_term(tmp_path_factory):
    from finops_generator import generate, load_ground_truth
    from finops_warehouse.ingest import ingest

    root = tmp_path_factory.mktemp("whole_term")
    generate(root / "generated", months=MONTHS, seed=11)
    truth = load_ground_truth(root / "generated" / "ground_truth.json")
    shutil.copytree(root / "generated" / "landing" / "aws" / "cur2", root / "landing" / "cur2")
    shutil.rmtree(root / "generated" / "landing")
    warehouse = root / "warehouse.duckdb"
    report = ingest(warehouse, str(root / "landing"), root / "quarantine")
    assert {f.status for f in report.files} == {"loaded"}
    env = {**os.environ, "FINOPS_WAREHOUSE": str(warehouse), "FINOPS_DBT_TARGET": "dev"}
    build = run_dbt(
        # only tests whose every parent is built (the bridge's tests need the bridge)
        ["build", "--select", "+dim_commitment", "--indirect-selection", "cautious"],
        env=env,
        work=root,
    )
    return truth, warehouse, build


def test_a_savings_plan_amortizes_exactly_its_upfront_fee_over_its_whole_term(whole_term):
    truth, warehouse, build = whole_term
    # The build ran dbt/tests/commitments' whole-term test on every commitment it covers.
    assert build.returncode == 0, build.stdout[-4000:]
    plans = [
        c
        for c in truth["commitments"]
        if c["format"] == "aws_cur2" and c["start"] >= f"{truth['billing_periods'][0]}-01"
    ]
    assert plans, "the generator buys no commitment inside the generated months"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for plan in plans:
            row = con.execute(
                """
                select IsWholeTermLoaded, PurchasedToDate, AmortizedToDate
                from marts.dim_commitment where CommitmentDiscountId = ?
                """,
                [plan["id"]],
            ).fetchone()
            assert row is not None, plan["id"]
            whole, purchased, amortized = row
            assert whole, plan
            # Ground truth: the upfront fee the generator billed, and the used + unused
            # commitment it recorded month by month.
            recorded = sum(m["used"] + m["unused"] for m in plan["utilization"].values())
            assert purchased == plan["upfront"] == amortized == recorded, plan["id"]
