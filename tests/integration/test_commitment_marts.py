"""The commitment marts against the generator's ground truth (``commitments[]``) on the shared
demo run: utilization per commitment and billing month, the commitment dimension's terms,
expiry windows and coverage bounds. The exact-sum invariants (bridge, daily totals, whole-term
amortization) are dbt tests in dbt/tests/commitments, run by every ``finops run``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pytest

ONE_TENTH_OF_A_PERCENTAGE_POINT = Decimal("0.001")


@pytest.fixture(scope="module")
def warehouse(demo_run):
    home, _, _, _, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con


def commitment_key(commitment: dict) -> str:
    # fct_cost_and_usage lower-cases Azure ids (their casing drifts between exports)
    if commitment["provider"] == "Microsoft":
        return commitment["id"].lower()
    return commitment["id"]


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def test_monthly_utilization_matches_the_ground_truth_for_every_commitment(warehouse, demo_run):
    truth = demo_run[3]
    rows = warehouse.execute(
        """
        select CommitmentDiscountId, strftime(BillingPeriod, '%Y-%m'), UsedAmount, UnusedAmount,
               Utilization
        from marts.fct_commitment_utilization_monthly
        """
    ).fetchall()
    actual = {(r[0], r[1]): r[2:] for r in rows}
    expected = {
        (commitment_key(c), month): figures
        for c in truth["commitments"]
        for month, figures in c["utilization"].items()
    }
    assert actual.keys() == expected.keys()
    for key, figures in expected.items():
        used, unused, utilization = actual[key]
        assert used == figures["used"], key
        assert unused == figures["unused"], key
        deviation = abs(utilization - figures["utilization"])
        assert deviation <= ONE_TENTH_OF_A_PERCENTAGE_POINT, key


def test_utilization_and_coverage_stay_within_zero_and_one(warehouse):
    (outside,) = warehouse.execute(
        """
        select count(*) from (
            select Utilization as share from marts.fct_commitment_utilization_daily
            union all
            select Utilization from marts.fct_commitment_utilization_monthly
            union all
            select Coverage from marts.fct_commitment_coverage_daily
        ) where share < 0 or share > 1
        """
    ).fetchone()
    assert outside == 0


def commitment_family_and_region(commitment: dict) -> tuple[str, str]:
    """The instance family and region a commitment covers, read from the generator's words:
    "3 x c6i.2xlarge ..." with the region in the scope, "EC2 instance family m6i in us-east-1",
    "12 N2 vCPUs in us-central1"."""
    text = f"{commitment['description']} | {commitment['scope']}"
    family = re.search(
        r"\d+ x ([a-z0-9]+)\.|instance family ([a-z0-9]+)|\d+ ([A-Z0-9]+) vCPUs", text
    )
    region = re.search(r"\b([a-z]{2}-[a-z]+-?\d)\b", commitment["scope"])
    assert family and region, text
    return next(g for g in family.groups() if g).lower(), region.group(1)


def test_coverage_is_full_where_the_generator_runs_only_committed_instances(warehouse, demo_run):
    """The generator's commitments cover a fixed set of instances and no other instance of the
    family runs in the region (generator README), so a commitment active for a whole billing
    month leaves nothing of its family on demand: coverage 1 within 0.1 percentage point.
    Azure's meters name no family, so its scope mixes sizes and is not checked here."""
    truth = demo_run[3]
    rows = warehouse.execute(
        """
        select InstanceFamily, RegionId, strftime(ChargeDate, '%Y-%m'),
               sum(CoveredCost) / sum(EligibleCost)
        from marts.fct_commitment_coverage_daily
        where InstanceFamily is not null
        group by all
        """
    ).fetchall()
    coverage = {tuple(r[:3]): r[3] for r in rows}
    checked = 0
    for commitment in truth["commitments"]:
        if commitment["provider"] == "Microsoft":
            continue
        family, region = commitment_family_and_region(commitment)
        for month in truth["billing_periods"]:
            if parse_utc(commitment["start"]) <= datetime.fromisoformat(f"{month}-01"):
                deviation = abs(Decimal(str(coverage[family, region, month])) - 1)
                assert deviation <= ONE_TENTH_OF_A_PERCENTAGE_POINT, (commitment["id"], month)
                checked += 1
    assert checked > 0


def test_dim_commitment_has_every_commitment_with_its_contract_terms(warehouse, demo_run):
    truth = demo_run[3]
    columns = (
        "ProviderName, CommitmentDiscountType, CommitmentDiscountCategory, BillingAccountId, "
        "BillingCurrency, CommitmentTerm, CommitmentStart, CommitmentEnd, UpfrontAmount, "
        "RecurringFeePerHour, PaymentOption"
    )
    rows = warehouse.execute(
        f"select CommitmentDiscountId, {columns} from marts.dim_commitment"
    ).fetchall()
    actual = {r[0]: dict(zip(columns.split(", "), r[1:], strict=True)) for r in rows}
    assert actual.keys() == {commitment_key(c) for c in truth["commitments"]}
    for commitment in truth["commitments"]:
        row = actual[commitment_key(commitment)]
        assert row["ProviderName"] == commitment["provider"]
        # the generator names GCP's kind "Committed Use Discount (resource-based)"
        assert commitment["type"].startswith(row["CommitmentDiscountType"])
        assert row["CommitmentDiscountCategory"] == commitment["category"]
        assert row["BillingAccountId"] == commitment["billing_account_id"]
        assert row["BillingCurrency"] == commitment["currency"]
        assert row["CommitmentTerm"] == commitment["term"]
        # AWS: the CUR states the whole contract; Azure and GCP: their inventories
        assert row["CommitmentStart"] == parse_utc(commitment["start"])
        assert row["CommitmentEnd"] == parse_utc(commitment["end"])
        assert row["PaymentOption"] == commitment["payment_option"]
        if commitment["provider"] == "AWS":
            assert row["UpfrontAmount"] == commitment["upfront"]
        if commitment["currency"] == "USD":
            # Azure's recurring fee is in its USD pricing currency, the dimension's in EUR
            assert row["RecurringFeePerHour"] == commitment["recurring_fee"], commitment["id"]


def test_expiry_lists_exactly_the_commitments_ending_within_90_days(warehouse, demo_run):
    truth = demo_run[3]
    (as_of,) = warehouse.execute("select max(AsOfDate) from marts.dim_commitment").fetchone()
    expiring = dict(
        warehouse.execute(
            "select CommitmentDiscountId, ExpiryWindowDays from marts.fct_commitment_expiry"
        ).fetchall()
    )
    expected = {}
    for commitment in truth["commitments"]:
        days = (parse_utc(commitment["end"]).date() - as_of).days
        if 0 <= days <= 90:
            expected[commitment_key(commitment)] = 30 * -(-max(days, 1) // 30)
    assert expiring == expected


# AWS's instance size normalization factors (EC2 User Guide, "Reserved Instances: instance size
# flexibility"): what one hour of each size counts in normalized units.
AWS_SIZE_FACTORS = {
    "nano": Decimal("0.25"),
    "micro": Decimal("0.5"),
    "small": Decimal(1),
    "medium": Decimal(2),
    "large": Decimal(4),
    "xlarge": Decimal(8),
    "2xlarge": Decimal(16),
    "4xlarge": Decimal(32),
    "8xlarge": Decimal(64),
}


def test_covered_normalized_units_match_each_reservations_size_hours_and_utilization(
    warehouse, demo_run
):
    """A regional RI of N instances of size s covers N x factor(s) normalized units an hour it is
    active, times its utilization (ground truth). No other commitment covers its family, so the
    coverage mart's normalized units covered in that family, region and month are exactly that,
    and all of that family's eligible usage is covered once the RI is active all month."""
    truth = demo_run[3]
    rows = warehouse.execute(
        """
        select BillingAccountId, InstanceFamily, RegionId, strftime(ChargeDate, '%Y-%m'),
               sum(CoveredNormalizedUnits), sum(EligibleNormalizedUnits),
               count(*) - count(NormalizedUnitCoverage)
        from marts.fct_commitment_coverage_daily
        where ProviderName = 'AWS'
        group by all
        """
    ).fetchall()
    coverage = {tuple(r[:4]): r[4:] for r in rows}
    checked = 0
    for commitment in truth["commitments"]:
        if commitment["type"] != "Reserved Instance":
            continue
        count, family, size = re.match(
            r"(\d+) x ([a-z0-9]+)\.([a-z0-9]+)", commitment["description"]
        ).groups()
        _, region = commitment_family_and_region(commitment)
        units_per_hour = int(count) * AWS_SIZE_FACTORS[size]
        start, end = parse_utc(commitment["start"]), parse_utc(commitment["end"])
        for month, figures in commitment["utilization"].items():
            month_start = datetime.fromisoformat(f"{month}-01")
            month_end = datetime(
                month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1
            )
            active_hours = (min(end, month_end) - max(start, month_start)).total_seconds() / 3600
            used_share = figures["used"] / (figures["used"] + figures["unused"])
            expected = units_per_hour * Decimal(active_hours) * used_share
            key = (commitment["billing_account_id"], family, region, month)
            covered, eligible, scopes_without_units = coverage[key]
            assert scopes_without_units == 0, key
            assert abs(covered - expected) <= units_per_hour * Decimal(active_hours) * Decimal(
                "0.001"
            ), (key, covered, expected)
            if start <= month_start:
                assert covered == eligible, key
            checked += 1
    assert checked > 0
