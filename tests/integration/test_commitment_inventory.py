"""Azure reservation and GCP commitment inventories give their commitments a term in the marts.

On the shared demo run; ground truth from the generator's record: ``commitments[]`` (the billed
commitments with their start and end) and ``commitment_inventory[]`` (every inventory entry as
the last snapshot lists it)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home, _, _, _, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def key(commitment: dict) -> str:
    # fct_cost_and_usage lower-cases Azure ids (the inventory and the exports spell them apart)
    return commitment["id"].lower() if commitment["provider"] == "Microsoft" else commitment["id"]


def inventoried(truth: dict) -> list[dict]:
    providers = ("Microsoft", "Google Cloud")
    commitments = [c for c in truth["commitments"] if c["provider"] in providers]
    assert {c["provider"] for c in commitments} == {"Microsoft", "Google Cloud"}
    return commitments


def test_each_snapshot_loads_under_the_account_and_month_its_path_names(warehouse, demo_run):
    truth = demo_run[3]
    expected = {
        (f["format"], p["billing_account_id"], p["billing_period"])
        for f in truth["files"]
        if f["format"] in ("azure_reservations", "gcp_commitments")
        for p in f["partitions"]
    }
    loaded = warehouse.execute(
        """
        select format, billing_account_id, strftime(billing_period, '%Y-%m')
        from raw.ingest_manifest
        where format in ('azure_reservations', 'gcp_commitments') and status = 'loaded'
        """
    ).fetchall()
    assert sorted(loaded) == sorted(expected)
    # the Azure list is taken every month, so the newest-snapshot rule has work to do
    assert sum(1 for e in expected if e[0] == "azure_reservations") == len(truth["billing_periods"])


def test_azure_and_gcp_commitments_take_term_dates_plan_and_renewal_from_the_inventory(
    warehouse, demo_run
):
    truth = demo_run[3]
    renewal = {key(i): i["auto_renew"] for i in truth["commitment_inventory"]}
    rows = warehouse.execute(
        """
        select CommitmentDiscountId, CommitmentStart, CommitmentEnd, CommitmentTerm,
               PaymentOption, IsAutoRenew, AsOfDate, DaysToExpiryAtAsOfDate, CommitmentScope
        from marts.dim_commitment
        """
    ).fetchall()
    dim = {r[0]: r[1:] for r in rows}
    for commitment in inventoried(truth):
        start, end, term, payment, renews, as_of, days, scope = dim[key(commitment)]
        assert start == utc(commitment["start"]), commitment["id"]
        assert end == utc(commitment["end"]), commitment["id"]
        assert term == commitment["term"]
        assert payment == commitment["payment_option"]
        assert days == (utc(commitment["end"]).date() - as_of).days
        assert scope is not None
        # the last snapshot wins: the Azure reservation's renewal was switched on in it
        assert renews is renewal[key(commitment)]
    assert True in renewal.values()


def test_inventory_entries_never_billed_get_no_dimension_row(warehouse, demo_run):
    truth = demo_run[3]
    unbilled = [i for i in truth["commitment_inventory"] if not i["billed"]]
    assert {i["provider"] for i in unbilled} == {"Microsoft", "Google Cloud"}
    assert {i["status"] for i in unbilled} == {"Expired", "EXPIRED"}
    dim = {
        r[0]
        for r in warehouse.execute(
            "select CommitmentDiscountId from marts.dim_commitment"
        ).fetchall()
    }
    terms = dict(
        warehouse.execute(
            "select CommitmentDiscountId, CommitmentEnd from intermediate.int_commitment_terms"
        ).fetchall()
    )
    for entry in unbilled:
        assert key(entry) not in dim
        assert terms[key(entry)] == utc(entry["end"])  # read, just not a commitment of the bills


def test_expiry_lists_the_inventoried_commitments_ending_within_90_days(warehouse, demo_run):
    truth = demo_run[3]
    (as_of,) = warehouse.execute("select max(AsOfDate) from marts.dim_commitment").fetchone()
    listed = dict(
        warehouse.execute(
            """
            select CommitmentDiscountId, ExpiryWindowDays from marts.fct_commitment_expiry
            where ProviderName in ('Microsoft', 'Google Cloud')
            """
        ).fetchall()
    )
    expected = {}
    for commitment in inventoried(truth):
        days = (utc(commitment["end"]).date() - as_of).days
        if 0 <= days <= 90:
            expected[key(commitment)] = 30 * -(-max(days, 1) // 30)
    assert listed == expected
