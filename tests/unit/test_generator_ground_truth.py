"""The ground truth equals what DuckDB recomputes from the written files, exactly."""

from __future__ import annotations

import csv
import gzip
import io
import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

M = "DECIMAL(38,10)"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_LOADED: dict[tuple[int, str], str] = {}


def relation(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> str:
    """A table holding one file, loaded once: CSV as text (columns also named c0.. so
    case-variant tag columns such as user:Team / user:team stay apart), Parquet and JSON typed.
    """
    key = (id(con), str(path))
    if key in _LOADED:
        return _LOADED[key]
    name = f"t{len(_LOADED)}"
    _LOADED[key] = name
    if fmt in ("aws_cur2",):
        con.execute(
            f"create table {name} as select * from read_parquet('{path}', hive_partitioning=false)"
        )
        return name
    if fmt in INVENTORIES:
        con.execute(
            f"create table {name} as select * from read_json("
            f"'{path}', format='array', hive_partitioning=false)"
        )
        return name
    if fmt == "gcp_billing":
        con.execute(
            f"create table {name} as select * from read_json("
            f"'{path}', format='newline_delimited', hive_partitioning=false)"
        )
        return name
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    aliases = ", ".join(
        f"c{i} as {q(h)}"
        for i, h in enumerate(header)
        if header.index(h) == i and [x.lower() for x in header].count(h.lower()) == 1
    )
    names = ", ".join(f"'c{i}'" for i in range(len(header)))
    con.execute(
        f"create table {name} as select *, {aliases} from read_csv('{path}', "
        f"header=true, all_varchar=true, delim=',', quote='\"', escape='\"', "
        f"names=[{names}])"
    )
    return name


INVENTORIES = ("azure_reservations", "gcp_commitments")
"""Commitment inventories: no cost; billing account and period are named by the path."""

COST = {
    "aws_cur": f'cast("lineItem/UnblendedCost" as {M})',
    "aws_cur2": f"cast(line_item_unblended_cost as {M})",
    "azure_actual": f"cast(costInBillingCurrency as {M})",
    "azure_amortized": f"cast(costInBillingCurrency as {M})",
    "gcp_billing": f"cast(cost as {M})",
    "focus": f"cast(BilledCost as {M})",
    # The manifest leaves the lines of voided invoices out (finops_warehouse/ingest/formats/).
    "focus_invoice_detail": (
        f"case when InvoiceIssueStatus = 'Voided' then 0 else cast(BilledCost as {M}) end"
    ),
    "invoices": f"cast(amount as {M})",
    "business_metrics": f"cast(value as {M})",
    "anomaly_labels": "null",
}
ACCOUNT = {
    "aws_cur": '"bill/PayerAccountId"',
    "aws_cur2": "bill_payer_account_id",
    "azure_actual": "billingAccountId",
    "azure_amortized": "billingAccountId",
    "gcp_billing": "billing_account_id",
    "focus": "BillingAccountId",
    "focus_invoice_detail": "BillingAccountId",
    "invoices": "billing_account_id",
    "business_metrics": "null",
    "anomaly_labels": "null",
}
PERIOD = {
    "aws_cur": "strftime(cast(\"bill/BillingPeriodStartDate\" as timestamp), '%Y-%m')",
    "aws_cur2": "strftime(bill_billing_period_start_date, '%Y-%m')",
    "azure_actual": "strftime(strptime(billingPeriodStartDate, '%m/%d/%Y'), '%Y-%m')",
    "azure_amortized": "strftime(strptime(billingPeriodStartDate, '%m/%d/%Y'), '%Y-%m')",
    "gcp_billing": "substr(invoice.month, 1, 4) || '-' || substr(invoice.month, 5, 2)",
    # FOCUS hub rows may carry the minute-only FOCUS 1.0 form: the month is the first 7 chars.
    "focus": "left(BillingPeriodStart, 7)",
    "focus_invoice_detail": "strftime(cast(BillingPeriodStart as timestamp), '%Y-%m')",
    "invoices": "billing_period",
    "business_metrics": "strftime(cast(date as date), '%Y-%m')",
    "anomaly_labels": "left(first_day, 7)",
}
CURRENCY = {
    "aws_cur": '"lineItem/CurrencyCode"',
    "aws_cur2": "line_item_currency_code",
    "azure_actual": "billingCurrency",
    "azure_amortized": "billingCurrency",
    "gcp_billing": "currency",
    "focus": "BillingCurrency",
    "focus_invoice_detail": "BillingCurrency",
    "invoices": "currency",
    "business_metrics": "null",
    "anomaly_labels": "null",
}
PROVIDER = {"focus": "ProviderName", "invoices": "provider"}
"""Formats that name the provider per row; the others are one provider's own export."""
CREDITS = f"coalesce(list_sum([cast(c.amount as {M}) for c in credits]), 0)"


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as c:
        yield c


def test_every_file_matches_its_record(generator_demo, con):
    root, truth = generator_demo
    for f in truth["files"]:
        path = root / f["path"]
        assert path.stat().st_size == f["bytes"]
        v = relation(con, path, f["format"])
        fmt = f["format"]
        if fmt in INVENTORIES:
            assert con.execute(f"select count(*) from {v}").fetchone()[0] == f["rows"]
            assert f["cost_total"] is None and f["currency"] is None
            assert f"/billingAccounts/{f['billing_account_id']}/" in f["path"]
            assert path.name.split("_")[-1].startswith(f["billing_period"] + "-")
            continue
        provider = PROVIDER.get(fmt, "null")
        found = {
            (p, a, period, cur): (n, cost)
            for p, a, period, cur, n, cost in con.execute(
                f"select {provider}, {ACCOUNT[fmt]}, {PERIOD[fmt]}, {CURRENCY[fmt]}, count(*), "
                f"sum({COST[fmt]}) from {v} group by all"
            ).fetchall()
        }
        # Partitions as recomputed from the rows (provider from the row where the format has
        # one: the others are checked against the format's own provider below).
        recorded = {
            (
                p["provider"] if fmt in PROVIDER else None,
                p["billing_account_id"],
                p["billing_period"],
                p["currency"],
            ): (p["rows"], p["cost_total"])
            for p in f["partitions"]
        }
        assert found == recorded, f["path"]
        assert f["rows"] == sum(n for n, _ in found.values()), f["path"]
        costs = [c for _, c in found.values()]
        # Anomaly labels carry no cost: their file's total is None, like an inventory's.
        assert f["cost_total"] == (None if None in costs else sum(costs)), f["path"]
        if fmt not in PROVIDER:
            own = {"aws": "AWS", "azu": "Microsoft", "gcp": "Google Cloud", "foc": "Skylight"}
            assert {p["provider"] for p in f["partitions"]} == {own.get(fmt[:3])}, f["path"]
        if len(f["partitions"]) == 1:
            (only,) = f["partitions"]
            assert (f["billing_account_id"], f["billing_period"]) == (
                only["billing_account_id"],
                only["billing_period"],
            )
        else:
            assert f["billing_account_id"] is None and f["billing_period"] is None


def live_partitions(truth) -> set[tuple[str, str, str]]:
    """(file path, billing account, billing period) of every partition no newer delivery
    replaces: what a warehouse holds after loading everything."""
    return {
        (f["path"], p["billing_account_id"], p["billing_period"])
        for f in truth["files"]
        for p in f["partitions"]
        if not p["superseded"]
    }


def test_totals_are_billed_cost_of_final_deliveries(generator_demo, con):
    root, truth = generator_demo
    got: dict[tuple, Decimal] = defaultdict(Decimal)
    billed = {**COST, "gcp_billing": f"cast(cost as {M}) + {CREDITS}"}
    live = live_partitions(truth)
    for f in truth["files"]:
        fmt = f["format"]
        if fmt not in ("aws_cur", "aws_cur2", "azure_actual", "gcp_billing", "focus"):
            continue
        v = relation(con, root / f["path"], fmt)
        for account, period, cur, amount in con.execute(
            f"select {ACCOUNT[fmt]}, {PERIOD[fmt]}, {CURRENCY[fmt]}, sum({billed[fmt]}) "
            f"from {v} group by all"
        ).fetchall():
            if (f["path"], account, period) in live:
                got[(fmt, account, period, cur)] += amount
    expected = {
        (t["format"], t["billing_account_id"], t["billing_period"], t["currency"]): t["billed_cost"]
        for t in truth["totals"]
    }
    assert got == expected


def test_invoices_equal_the_rows_billed_on_them(generator_demo, con):
    root, truth = generator_demo
    by_invoice: dict[str, Decimal] = defaultdict(Decimal)
    live = live_partitions(truth)
    for f in truth["files"]:
        fmt = f["format"]
        v = relation(con, root / f["path"], fmt)
        key = {
            "aws_cur": '"bill/InvoiceId"',
            "aws_cur2": "bill_invoice_id",
            "azure_actual": "invoiceId",
            "focus": "InvoiceId",
            "gcp_billing": "billing_account_id || '/' || invoice.month",
        }.get(fmt)
        if key is None:
            continue
        amount = f"cast(cost as {M}) + {CREDITS}" if fmt == "gcp_billing" else COST[fmt]
        for k, account, period, total in con.execute(
            f"select {key}, {ACCOUNT[fmt]}, {PERIOD[fmt]}, sum({amount}) from {v} group by all"
        ).fetchall():
            if (f["path"], account, period) in live:
                by_invoice[k] += total
    written = []
    detail: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for f in truth["files"]:
        if f["format"] == "invoices":
            written += con.execute(
                f"select * from {relation(con, root / f['path'], 'invoices')}"
            ).fetchall()
        if f["format"] == "focus_invoice_detail":
            v = relation(con, root / f["path"], f["format"])
            for k, status, total in con.execute(
                f"select InvoiceId, InvoiceIssueStatus, sum({COST['focus']}) from {v} group by 1, 2"
            ).fetchall():
                detail[(k, status)] += total
    in_csv = [i for i in truth["invoices"] if i["invoice_format"] == "invoices"]
    assert len(written) == len(in_csv)
    # Invoices delivered as FOCUS InvoiceDetail: Σ BilledCost of their lines, voided ones apart.
    assert detail == {
        **{
            (i["invoice_id"], "Issued"): i["amount"]
            for i in truth["invoices"]
            if i["invoice_format"] == "focus_invoice_detail"
        },
        **{(i["invoice_id"], "Voided"): i["amount"] for i in truth["voided_invoices"]},
    }
    assert truth["voided_invoices"]
    for inv in truth["invoices"]:
        key = inv["invoice_id"]
        if inv["provider"] == "Google Cloud":
            key = f"{inv['billing_account_id']}/{inv['billing_period'].replace('-', '')}"
        assert by_invoice[key] == inv["amount"], inv
    cols = (
        "invoice_id",
        "invoice_issuer",
        "provider",
        "billing_account_id",
        "billing_period",
        "currency",
        "amount",
        "issue_date",
    )
    rows = {r[0]: dict(zip(cols, r[: len(cols)], strict=True)) for r in written}
    for inv in in_csv:
        row = rows[inv["invoice_id"]]
        assert Decimal(row["amount"]) == inv["amount"]
        assert {k: row[k] for k in cols if k != "amount"} == {
            k: inv[k] for k in cols if k != "amount"
        }


def test_restated_month_is_a_later_delivery_in_a_new_assembly(generator_demo, con):
    root, truth = generator_demo
    old = [d for d in truth["deliveries"] if d["superseded"] and d["format"] == "aws_cur"]
    assert len(old) == 1
    parts = {f["path"]: f for f in truth["files"]}
    period = {parts[p]["billing_period"] for p in old[0]["parts"]}
    new = [
        d
        for d in truth["deliveries"]
        if not d["superseded"]
        and d["format"] == "aws_cur"
        and {parts[p]["billing_period"] for p in d["parts"]} == period
    ]
    assert len(new) == 1
    # Both assemblies are multi-part; every part of the older one is superseded.
    assert len(old[0]["parts"]) == len(new[0]["parts"]) == 3
    assert all(parts[p]["superseded"] for p in old[0]["parts"])
    old_paths = [root / p for p in old[0]["parts"]]
    new_paths = [root / p for p in new[0]["parts"]]
    assert min(os.stat(p).st_mtime for p in new_paths) > max(os.stat(p).st_mtime for p in old_paths)
    assert old_paths[0].parent != new_paths[0].parent
    assert [p.name for p in old_paths] == [p.name for p in new_paths]
    assert old_paths[0].parent.parent == new_paths[0].parent.parent
    assert (old_paths[0].parent / "kestrel-hourly-Manifest.json").exists()
    # Before invoicing the invoice id is blank; the restatement fills it and adds rows.
    ids: dict[str, set] = {"old": set(), "new": set()}
    for label, paths in (("old", old_paths), ("new", new_paths)):
        for path in paths:
            v = relation(con, path, "aws_cur")
            ids[label] |= {
                r[0] for r in con.execute(f'select distinct "bill/InvoiceId" from {v}').fetchall()
            }
    assert ids["old"] == {None}
    assert None not in ids["new"]
    cost = {
        label: sum(parts[p]["cost_total"] for p in d["parts"])
        for label, d in (("old", old[0]), ("new", new[0]))
    }
    assert cost["new"] != cost["old"]


def test_mtimes_are_the_recorded_delivery_times(generator_demo):
    import datetime as dt

    root, truth = generator_demo
    for f in truth["files"]:
        when = dt.datetime.strptime(f["delivered_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        assert os.stat(root / f["path"]).st_mtime == when.timestamp(), f["path"]


def test_savings_plan_negations_cancel_covered_usage(generator_demo, con):
    # A negation group may sit in another part than the usage it negates: sum per delivery.
    root, truth = generator_demo
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for f in truth["files"]:
        if f["format"] not in ("aws_cur", "aws_cur2"):
            continue
        v = relation(con, root / f["path"], f["format"])
        t, c = (
            ('"lineItem/LineItemType"', '"lineItem/UnblendedCost"')
            if f["format"] == "aws_cur"
            else ("line_item_line_item_type", "line_item_unblended_cost")
        )
        covered, negated = con.execute(
            f"select sum({c}::{M}) filter (where {t} = 'SavingsPlanCoveredUsage'), "
            f"sum({c}::{M}) filter (where {t} = 'SavingsPlanNegation') from {v}"
        ).fetchone()
        sums[f["delivery"]][0] += covered or 0
        sums[f["delivery"]][1] += negated or 0
    assert any(covered for covered, _ in sums.values())
    for covered, negated in sums.values():
        assert covered == -negated


def test_commitments_include_under_used_months(generator_demo, con):
    root, truth = generator_demo
    kinds = {(c["provider"], c["type"]): c for c in truth["commitments"]}
    assert {"All Upfront", "Partial Upfront", "No Upfront"} <= {
        c["payment_option"] for c in truth["commitments"] if c["type"] == "Reserved Instance"
    }
    util = [u["utilization"] for c in truth["commitments"] for u in c["utilization"].values()]
    assert all(Decimal(0) <= u <= Decimal(1) for u in util)
    for c in truth["commitments"]:
        for u in c["utilization"].values():
            if u["used"] + u["unused"]:
                assert u["utilization"] == (u["used"] / (u["used"] + u["unused"])).quantize(
                    Decimal("0.000001")
                )
    ri = [c for c in truth["commitments"] if c["type"] == "Reserved Instance"]
    assert any(u["utilization"] < 1 for c in ri for u in c["utilization"].values())
    sp = next(
        c for c in truth["commitments"] if c["type"] == "Savings Plan" and c["format"] == "aws_cur"
    )
    assert sorted(u["utilization"] < 1 for u in sp["utilization"].values()) == [False, True]
    assert ("Google Cloud", "Committed Use Discount (resource-based)") in kinds
    assert ("Microsoft", "Reservation") in kinds
    # The legacy CUR's own fee rows carry the same unused amounts.
    for f in truth["files"]:
        if f["format"] != "aws_cur" or f["superseded"]:
            continue
        v = relation(con, root / f["path"], "aws_cur")
        rows = con.execute(
            f'select "savingsPlan/SavingsPlanARN", sum("savingsPlan/TotalCommitmentToDate"::{M}'
            f' - "savingsPlan/UsedCommitment"::{M}) from {v} where "lineItem/LineItemType" = '
            f"'SavingsPlanRecurringFee' group by 1 union all "
            f'select "reservation/ReservationARN", sum("reservation/UnusedRecurringFee"::{M} + '
            f'"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"::{M}) from {v} '
            f"where \"lineItem/LineItemType\" = 'RIFee' group by 1"
        ).fetchall()
        by_id = {c["id"]: c for c in truth["commitments"]}
        for arn, unused in rows:
            assert by_id[arn]["utilization"][f["billing_period"]]["unused"] == unused


def test_azure_actual_and_amortized_total_the_same_each_month(generator_demo):
    _, truth = generator_demo
    totals = defaultdict(dict)
    for f in truth["files"]:
        if f["format"] in ("azure_actual", "azure_amortized"):
            by_format = totals[f["billing_period"]]
            by_format[f["format"]] = by_format.get(f["format"], 0) + f["cost_total"]
    for period in totals.values():
        assert period["azure_actual"] == period["azure_amortized"]


def test_spikes_are_on_real_rows(generator_demo):
    _, truth = generator_demo
    assert {s["provider"] for s in truth["spikes"]} >= {"AWS", "Microsoft", "Skylight"}
    for s in truth["spikes"]:
        assert s["extra_cost"] > 0
        assert s["resource_id"]
        assert s["date"].startswith(s["billing_period"])


def test_untagged_share_recomputed_from_files_is_about_15_percent(generator_demo, con):
    root, truth = generator_demo
    untagged = total = Decimal(0)
    by_format: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    team = ("team", "owner-team")
    for f in truth["files"]:
        # The FOCUS hub (several currencies, all tagged) is not part of the untagged share.
        if f["superseded"] or "/focus/hub/" in f["path"]:
            continue
        fmt = f["format"]
        v = relation(con, root / f["path"], fmt)
        if fmt == "aws_cur":
            # DuckDB folds case, so the case-variant tag columns are read by position.
            text = gzip.decompress((root / f["path"]).read_bytes()).decode()
            header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])))
            positions = [
                f"c{i}"
                for i, h in enumerate(header)
                if h.startswith("resourceTags/user:") and h.split(":", 1)[1].lower() in team
            ]
            assert len(positions) == 3, header
            has_team = " or ".join(f"coalesce({p}, '') <> ''" for p in positions)
            sql = (
                f'select sum("pricing/publicOnDemandCost"::{M}) filter (where not ({has_team}))'
                f', sum("pricing/publicOnDemandCost"::{M}) from {v} where '
                "\"lineItem/LineItemType\" in ('Usage', 'DiscountedUsage', "
                "'SavingsPlanCoveredUsage')"
            )
        elif fmt == "aws_cur2":
            has_team = (
                "map_contains(resource_tags, 'user_team') or "
                "map_contains(resource_tags, 'user_owner_team')"
            )
            sql = (
                f"select sum(pricing_public_on_demand_cost::{M}) filter (where not "
                f"({has_team})), sum(pricing_public_on_demand_cost::{M}) from {v} where "
                "line_item_line_item_type in ('Usage', 'DiscountedUsage', "
                "'SavingsPlanCoveredUsage')"
            )
        elif fmt == "azure_actual":
            has_team = (
                "contains(lower(coalesce(tags, '')), '\"team\":') or "
                "contains(lower(coalesce(tags, '')), '\"owner-team\":')"
            )
            sql = (
                f"select sum(paygCostInUsd::{M}) filter (where not ({has_team})), "
                f"sum(paygCostInUsd::{M}) from {v} where chargeType = 'Usage'"
            )
        elif fmt == "gcp_billing":
            has_team = (
                "len(list_filter(labels || project.labels, "
                "x -> x.key in ('team', 'owner-team'))) > 0"
            )
            sql = (
                f"select sum(cost_at_list::{M}) filter (where not ({has_team})), "
                f"sum(cost_at_list::{M}) from {v} where cost_type = 'regular' "
                "and subscription is null"
            )
        elif fmt == "focus":
            has_team = "coalesce(json_exists(Tags, '$.team') or json_exists(Tags, '$.Team'), false)"
            sql = (
                f"select sum(ListCost::{M}) filter (where not ({has_team})), "
                f"sum(ListCost::{M}) from {v} where ChargeCategory = 'Usage'"
            )
        else:
            continue
        u, t = con.execute(sql).fetchone()
        by_format[fmt][0] += u or 0
        by_format[fmt][1] += t
        untagged += u or 0
        total += t
    for fmt, (u, t) in by_format.items():
        expected = truth["untagged_share"]["by_format"][fmt]
        assert (u, t) == (expected["untagged"], expected["total"]), fmt
    share = untagged / total
    assert truth["untagged_share"]["share"] == share.quantize(Decimal("0.000001"))
    assert Decimal("0.10") <= share <= Decimal("0.20")


def test_resource_owners_cover_every_provider(generator_demo):
    _, truth = generator_demo
    owners = truth["resource_owners"]
    teams = {"payments", "search", "checkout", "data-platform", "ml", "platform"}
    assert set(owners.values()) == teams
    assert any(k.startswith("i-0") for k in owners)
    assert any(k.startswith("/subscriptions/") for k in owners)
    assert any(k.startswith("//compute.googleapis.com/") for k in owners)
    assert any(k.startswith("skylight://") for k in owners)


def test_business_metrics_record_what_the_metric_files_hold(generator_demo, con):
    root, truth = generator_demo
    recorded = {
        (m["product"], m["metric"], m["billing_period"]): (m["days"], m["total"])
        for m in truth["business_metrics"]
    }
    files = [f for f in truth["files"] if f["format"] == "business_metrics"]
    assert len(files) == len(truth["billing_periods"])
    found = {}
    for f in files:
        v = relation(con, root / f["path"], "business_metrics")
        for product, metric, days, total in con.execute(
            f"select product, metric, count(distinct date), sum(cast(value as {M})) "
            f"from {v} group by all"
        ).fetchall():
            found[(product, metric, f["billing_period"])] = (days, total)
    assert found == recorded
    assert set(truth["product_owners"]) == {m["product"] for m in truth["business_metrics"]}
