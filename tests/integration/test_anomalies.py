"""Cost anomalies on the generated demo, scored against the changes the generator injected.

The generator lands its injected changes as anomaly labels; marts.fct_anomaly_backtest scores
the detection against them. Where a test needs an independent figure (how many changes of a
kind were injected), it comes from ground_truth.json. Reads the shared demo_run warehouse only.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import duckdb
import pytest


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home, _, _, truth, _ = demo_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con, truth


@pytest.fixture(scope="module")
def backtest(warehouse):
    """marts.fct_anomaly_backtest as {kind: {column: value}}."""
    con, _ = warehouse
    cursor = con.execute("select * from marts.fct_anomaly_backtest")
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_every_injected_change_is_a_label_of_its_kind(warehouse, backtest):
    _, truth = warehouse
    # A lasting change has a ground-truth record per billing month it falls in: one change.
    injected = Counter(
        kind
        for kind, *_ in {
            (r["kind"], r["billing_account_id"], r["resource_id"], r["date"])
            for r in [*truth["spikes"], *truth["level_changes"]]
        }
    )
    assert {kind: row["Labelled"] for kind, row in backtest.items()} == dict(injected)


def test_demo_injects_every_kind_of_change(backtest):
    # Without them the recall figures below would pass on nothing.
    assert backtest["spike"]["Scored"] >= 3
    assert backtest["step"]["Scored"] >= 1
    assert backtest["drift"]["Scored"] >= 1


@pytest.mark.parametrize("kind", ["spike", "step"])
def test_spikes_and_steps_above_the_floors_are_detected(backtest, kind):
    assert backtest[kind]["Recall"] >= Decimal("0.9")


def test_spikes_are_found_on_the_day_they_land(backtest):
    spike = backtest["spike"]
    assert spike["Detected"] > 0
    assert (spike["MinDaysToDetect"], spike["MaxDaysToDetect"]) == (0, 0)


def test_most_anomalies_are_injected_changes(backtest):
    (precision,) = {
        (r["Anomalies"], r["MatchedAnomalies"], r["Precision"]) for r in backtest.values()
    }
    anomalies, matched, share = precision
    assert anomalies > 0
    assert share >= Decimal("0.8")
    assert share == round(Decimal(matched) / anomalies, 6)


def test_drifts_are_detected_late_but_detected(backtest):
    drift = backtest["drift"]
    assert drift["Recall"] == 1
    assert drift["MinDaysToDetect"] > 0


def test_top_root_cause_names_the_injected_resource(backtest):
    detected = sum(r["Detected"] for r in backtest.values())
    assert detected
    assert sum(r["CauseNamed"] for r in backtest.values()) >= Decimal("0.9") * detected


def test_a_series_without_enough_history_flags_nothing(warehouse):
    con, _ = warehouse
    early = con.execute(
        "select LabelId, AnomalyId from marts.fct_anomaly_label_match "
        "where SeriesId is not null and not HasHistory"
    ).fetchall()
    assert early, "the demo's first-month CUR 2.0 spike lands before the minimum history"
    flagged_young = con.execute(
        "select count(*) from intermediate.int_cost_anomaly_days "
        "where IsAnomalous and HistoryDays < 14"
    ).fetchone()[0]
    assert flagged_young == 0
    assert all(anomaly is None for _, anomaly in early)


NON_USAGE = """
ChargeCategory in ('Purchase', 'Tax', 'Credit', 'Adjustment')
or coalesce(ChargeClass, '') = 'Correction'
"""


def test_purchases_credits_corrections_and_taxes_never_reach_detection(warehouse):
    con, _ = warehouse
    # The demo has each of them, some above the money floor: counted as usage, they would
    # raise anomalies (the check could fail).
    kinds = dict(
        con.execute(
            f"""
            select case when ChargeClass = 'Correction' then 'Correction' else ChargeCategory end,
                max(abs(EffectiveCost) + abs(BilledCost))
            from marts.fct_cost_and_usage where {NON_USAGE} group by 1
            """
        ).fetchall()
    )
    assert {"Purchase", "Tax", "Credit", "Correction"} <= set(kinds)
    assert max(kinds.values()) >= 25
    # The detection's daily costs, recomputed from the usage rows alone, match to the cent
    # fraction on every series and day: nothing else is in them.
    leaked = con.execute(
        f"""
        with usage as (
            select ProviderName, BillingAccountId, SubAccountId, ServiceName, BillingCurrency,
                cast(ChargePeriodStart as date) as ChargeDate, sum(EffectiveCost) as Cost
            from marts.fct_cost_and_usage
            where not ({NON_USAGE}) and coalesce(CommitmentDiscountStatus, '') <> 'Unused'
            group by all
        )
        select count(*)
        from intermediate.int_cost_anomaly_days as d
        left join usage as u
            on d.ProviderName = u.ProviderName and d.BillingAccountId = u.BillingAccountId
            and d.SubAccountId is not distinct from u.SubAccountId
            and d.ServiceName is not distinct from u.ServiceName
            and d.BillingCurrency = u.BillingCurrency and d.ChargeDate = u.ChargeDate
        where d.ActualCost <> coalesce(u.Cost, 0)
        """
    ).fetchone()[0]
    assert leaked == 0
    # And no anomaly day is a day whose only charges were such rows.
    assert (
        con.execute(
            "select count(*) from intermediate.int_cost_anomaly_days "
            "where IsAnomalous and ActualCost = 0"
        ).fetchone()[0]
        == 0
    )


def test_anomaly_check_warns_without_blocking_the_run(demo_run, warehouse):
    con, _ = warehouse
    _, _, _, _, run = demo_run
    open_count = con.execute(
        "select count(*) from marts.fct_cost_anomaly where Status in ('new', 'ongoing')"
    ).fetchone()[0]
    assert run.returncode == 0
    assert "anomalies:" in run.stdout
    if open_count:
        assert "no_open_cost_anomalies" in run.stdout


def test_an_open_anomaly_warns_with_its_drill_down(demo_run, tmp_path):
    import shutil

    import dagster as dg

    from finops_warehouse.orchestration.assets.anomalies import no_open_cost_anomalies
    from finops_warehouse.orchestration.resources import WarehouseSettings

    home, _, _, _, _ = demo_run
    # A copy of the demo warehouse whose largest anomaly is still open (the demo's are all
    # resolved by its last day).
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(home / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        anomaly_id, service, impact = con.execute(
            "select AnomalyId, ServiceName, Impact from marts.fct_cost_anomaly "
            "order by Impact desc limit 1"
        ).fetchone()
        con.execute(
            "update marts.fct_cost_anomaly set Status = 'ongoing' where AnomalyId = ?",
            [anomaly_id],
        )
    settings = WarehouseSettings(
        warehouse=str(copy), landing=str(tmp_path), quarantine="", close_root="", reports_dir=""
    )
    result = no_open_cost_anomalies(settings=settings)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["open_anomalies"].value == 1
    assert service in result.metadata["anomalies"].value
    assert result.description.startswith(f"anomalies: 0 new, 1 ongoing (largest: {service}")
    assert f"+{impact:.2f}" in result.description
