"""Cost anomalies on the generated demo, scored against the changes the generator injected.

The ground truth is the generator's record (spikes, steps, drifts); the matching is
dagster_project/anomaly_backtest.py, the detection the dbt models. Reads the shared demo_run
warehouse only.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from dagster_project.anomaly_backtest import backtest


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home, _, _, truth, _ = demo_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con, truth


@pytest.fixture(scope="module")
def scored(warehouse):
    con, truth = warehouse
    return backtest(con, truth)


def test_demo_injects_every_kind_of_change(scored):
    # Without them the recall figures below would pass on nothing.
    assert scored.by_kind("spike")["scored"] >= 3
    assert scored.by_kind("step")["scored"] >= 1
    assert scored.by_kind("drift")["scored"] >= 1


@pytest.mark.parametrize("kind", ["spike", "step"])
def test_spikes_and_steps_above_the_floors_are_detected(scored, kind):
    assert scored.by_kind(kind)["recall"] >= Decimal("0.9")


def test_spikes_are_found_on_the_day_they_land(scored):
    delays = scored.by_kind("spike")["days_to_detect"]
    assert delays and set(delays) == {0}


def test_most_anomalies_are_injected_changes(scored):
    assert scored.anomalies > 0
    assert scored.precision >= Decimal("0.8")


def test_drifts_are_detected_late_but_detected(scored):
    drift = scored.by_kind("drift")
    assert drift["recall"] == 1
    assert all(days > 0 for days in drift["days_to_detect"])


def test_top_root_cause_names_the_injected_resource(scored):
    found = [i for i in scored.injections if i.detected_on is not None]
    assert found
    assert sum(i.cause_named for i in found) >= Decimal("0.9") * len(found)


def test_a_series_without_enough_history_flags_nothing(warehouse, scored):
    con, _ = warehouse
    early = [i for i in scored.injections if i.series and not i.judged]
    assert early, "the demo's first-month CUR 2.0 spike lands before the minimum history"
    flagged_young = con.execute(
        "select count(*) from intermediate.int_cost_anomaly_days "
        "where IsAnomalous and HistoryDays < 14"
    ).fetchone()[0]
    assert flagged_young == 0
    for inj in early:
        assert inj.detected_on is None


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

    from dagster_project.assets.anomalies import no_open_cost_anomalies
    from dagster_project.resources import WarehouseSettings

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
    settings = WarehouseSettings(warehouse=str(copy), landing=str(tmp_path), quarantine="")
    result = no_open_cost_anomalies(settings=settings)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["open_anomalies"].value == 1
    assert service in result.metadata["anomalies"].value
    assert result.description.startswith(f"anomalies: 0 new, 1 ongoing (largest: {service}")
    assert f"+{impact:.2f}" in result.description
