"""Queries analysts write first give the right answer on the marts of the generated demo."""

import datetime as dt

import duckdb
import pytest

PERIOD_COLUMNS = ("BillingPeriodStart", "BillingPeriod", "AdjustmentBillingPeriodStart")


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home = demo_run[0]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_every_mart_with_a_billing_period_has_a_billing_month_date(warehouse):
    columns = warehouse.execute(
        """
        select table_name, column_name, data_type
        from information_schema.columns where table_schema = 'marts'
        """
    ).fetchall()
    marts = {t for t, c, _ in columns if c in PERIOD_COLUMNS} - {"fct_cost_and_usage"}
    assert len(marts) >= 11
    types = {(t, c): d for t, c, d in columns}
    for mart in sorted(marts):
        assert types.get((mart, "BillingMonth")) == "DATE", mart
        (bad,) = warehouse.execute(
            f"select count(*) from marts.{mart} "
            "where BillingMonth is null or extract(day from BillingMonth) <> 1"
        ).fetchone()
        assert bad == 0, mart


def test_last_month_by_billing_month_holds_every_provider_billed_that_month(warehouse):
    # What ingestion recorded, file by file: the providers billed in the last month loaded.
    expected = {
        p
        for (p,) in warehouse.execute(
            """
            select distinct provider from raw.ingest_partitions
            where provider is not null
              and billing_period = (select max(billing_period) from raw.ingest_partitions)
            """
        ).fetchall()
    }
    assert {"AWS", "Microsoft", "Google Cloud"} <= expected
    last_month = """
        select distinct ProviderName from marts.{mart}
        where {column} = (select max({column}) from marts.{mart})
    """
    for mart, column in (
        ("fct_cost_allocation", "BillingMonth"),
        ("fct_amortized_cost_daily", "BillingMonth"),
        ("fct_cost_and_usage", "x_BillingPeriod"),
    ):
        got = {
            p for (p,) in warehouse.execute(last_month.format(mart=mart, column=column)).fetchall()
        }
        assert got == expected, mart
    # The trap the column exists for: GCP's period starts at 07:00 UTC.
    trap = last_month.format(mart="fct_cost_and_usage", column="BillingPeriodStart")
    assert {p for (p,) in warehouse.execute(trap).fetchall()} == {"Google Cloud"}


def test_every_commitment_has_a_readable_name(warehouse, demo_run):
    truth = demo_run[3]
    rows = warehouse.execute(
        """
        select CommitmentDiscountId, CommitmentDiscountName, CommitmentName, PaymentOption
        from marts.dim_commitment
        """
    ).fetchall()
    names = {r[0]: r for r in rows}
    # fct_cost_and_usage lower-cases Azure ids (the inventory and the exports spell them apart)
    generated = {
        c["id"].lower() if c["provider"] == "Microsoft" else c["id"] for c in truth["commitments"]
    }
    assert generated <= set(names)
    assert all(r[2] for r in rows)
    assert len({r[2] for r in rows}) == len(rows), "two commitments share a name"
    built = [r for r in rows if r[1] is None]
    assert len(built) >= 5
    for commitment_id, given, name, payment in rows:
        if given is not None:
            assert name == given
        else:
            # provider and type, term, payment option, and the unique tail of the id
            assert "(1 yr" in name, name
            assert payment in name, name
            assert name.endswith(commitment_id.rsplit("/", 1)[-1]), name
            assert not name.startswith("arn:"), name


def test_days_to_expiry_count_from_today(warehouse):
    today = dt.datetime.now(dt.UTC).date()
    rows = warehouse.execute(
        """
        select CommitmentEnd, AsOfDate, DaysToExpiry, DaysToExpiryAtAsOfDate
        from marts.dim_commitment where CommitmentEnd is not null
        """
    ).fetchall()
    assert rows
    for end, as_of, days, days_at_as_of in rows:
        assert days == (end.date() - today).days
        assert days_at_as_of == (end.date() - as_of).days
    # the demo's data ends months before today: the two counts differ
    assert any(r[2] != r[3] for r in rows)
    expiring = warehouse.execute(
        """
        select e.DaysToExpiry, d.DaysToExpiry from marts.fct_commitment_expiry as e
        join marts.dim_commitment as d using (CommitmentDiscountId)
        """
    ).fetchall()
    assert all(a == b for a, b in expiring)


def test_a_fully_used_commitment_day_has_zero_unused_quantity(warehouse):
    rows = warehouse.execute(
        """
        select UnusedAmount, UsedQuantity, UnusedQuantity
        from marts.fct_commitment_utilization_daily
        """
    ).fetchall()
    fully_used = [r for r in rows if r[0] == 0 and r[1] is not None]
    assert fully_used, "the demo has fully used commitment days"
    assert all(r[2] == 0 for r in fully_used)
    (monthly_nulls,) = warehouse.execute(
        """
        select count(*) from marts.fct_commitment_utilization_monthly
        where UsedQuantity is not null and UnusedQuantity is null
        """
    ).fetchone()
    assert monthly_nulls == 0
