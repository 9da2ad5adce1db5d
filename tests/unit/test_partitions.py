import datetime as dt

import pytest

from finops_warehouse.orchestration.partitions import (
    billing_month_partitions,
    month_start,
    months_between,
    partition_key,
    partition_range,
    partition_range_to_dbt_env,
    period_label,
)


@pytest.mark.parametrize("period", ["2026-02", "2026-02-01", " 2026-02 "])
def test_month_spellings_name_the_same_billing_month(period):
    assert month_start(period) == dt.date(2026, 2, 1)
    assert partition_key(period) == "2026-02-01"
    assert period_label(partition_key(period)) == "2026-02"


@pytest.mark.parametrize("bad", ["2026-13", "2026-2", "26-02", "2026-02-15", "february"])
def test_a_period_that_is_not_a_month_is_refused_with_the_expected_spelling(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_start(bad)


@pytest.mark.parametrize(
    ("key", "end"),
    [("2026-01-01", "2026-02-01"), ("2026-02-01", "2026-03-01"), ("2026-12-01", "2027-01-01")],
)
def test_dbt_vars_cover_the_month_with_an_exclusive_end(key, end):
    assert partition_range_to_dbt_env(key, key) == {
        "FINOPS_BILLING_PERIOD_START": key,
        "FINOPS_BILLING_PERIOD_END": end,
    }


def test_dbt_vars_of_a_range_end_after_its_last_month():
    assert partition_range_to_dbt_env("2026-11-01", "2027-02") == {
        "FINOPS_BILLING_PERIOD_START": "2026-11-01",
        "FINOPS_BILLING_PERIOD_END": "2027-03-01",
    }
    assert months_between("2026-11-01", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]


def test_partition_range_spans_first_to_last_month():
    assert partition_range({"2026-09", "2026-07", "2026-08"}) == ("2026-07-01", "2026-09-01")
    with pytest.raises(ValueError):
        partition_range(set())


def test_partition_keys_are_month_starts_that_the_range_uses():
    keys = billing_month_partitions.get_partition_keys(current_time=dt.datetime(2026, 3, 15))
    assert keys[0] == "2020-01-01"
    # end_offset=1: the open month is a partition, so a mid-month delivery can be ingested.
    assert keys[-1] == "2026-03-01"


def test_the_first_billing_month_is_configured_and_months_before_it_are_named():
    import subprocess
    import sys

    code = (
        "from finops_warehouse.orchestration.partitions import"
        " billing_month_partitions, before_first_month;"
        "print(billing_month_partitions.get_first_partition_key());"
        "print(before_first_month({'2026-05', '2026-06', '2026-07'}))"
    )
    env = {"FINOPS_FIRST_BILLING_MONTH": "2026-06", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["2026-06-01", "['2026-05']"]
