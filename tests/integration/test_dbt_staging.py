"""dbt staging on DuckDB, before ingestion is involved.

The raw tables are created here from the format registry (`finops_warehouse.ingest.formats`:
declared columns plus the metadata columns), so staging is checked against the contract ingestion
writes to, not against whatever a loader happens to produce.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from dbt_runs import run_dbt_on
from sqlglot import exp

from finops_warehouse.ingest.formats import FORMATS, METADATA_COLUMNS, quote
from finops_warehouse.ingest.warehouse import connect

REPO_ROOT = Path(__file__).resolve().parents[2]

# Only tests whose every parent is selected: a test that also reads a mart is not a staging test.
STAGING_ONLY = ["--indirect-selection", "cautious"]

MODELS = {
    "aws_cur": "stg_aws_cur__line_items",
    "aws_cur2": "stg_aws_cur2__line_items",
    "azure_actual": "stg_azure__actual_cost",
    "azure_amortized": "stg_azure__amortized_cost",
    "gcp_billing": "stg_gcp_billing__line_items",
    "focus": "stg_focus__cost_and_usage",
    "focus_invoice_detail": "stg_focus_invoice_detail__invoice_lines",
    "invoices": "stg_invoices__invoices",
    "business_metrics": "stg_business_metrics__daily_metrics",
    "anomaly_labels": "stg_anomaly_labels__labels",
    "ecb_rates": "stg_ecb_rates__daily_rates",
    "exchange_rates": "stg_exchange_rates__monthly_rates",
    "azure_reservations": "stg_azure_reservations__reservations",
    "gcp_commitments": "stg_gcp_commitments__commitments",
}
STATE_MODELS = {
    "stg_close__closed_periods",
    "stg_close__closed_ledger",
    "stg_close__closed_showback",
    "stg_ingestion__manifest",
    "stg_ingestion__partitions",
}
"""Staging of the warehouse's own state: the close (schema close) and ingestion's manifest."""
MONEY_TYPE = "DECIMAL(38,10)"


def create_raw_tables(warehouse: Path) -> None:
    """Empty raw.<format> tables and manifest, as ingestion creates them before a first file."""
    connect(warehouse).close()


def metadata(manifest_id: str, row_number: int, account: str, period: str) -> dict[str, object]:
    return {
        "_manifest_id": manifest_id,
        "_source_file": f"landing/{manifest_id}.csv",
        "_row_number": row_number,
        "_billing_account_id": account,
        "_billing_period": date.fromisoformat(period),
        "_loaded_at": datetime(2024, 4, 2, 6, 0, 0),
    }


def insert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, object]) -> None:
    names = ", ".join(quote(name) for name in row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"insert into raw.{table} ({names}) values ({marks})", list(row.values()))


def load_sample_rows(warehouse: Path) -> None:
    """One or two rows per format, written the way each provider writes them."""
    with duckdb.connect(str(warehouse)) as con:
        insert(
            con,
            "aws_cur",
            {
                "identity/LineItemId": "li-1",
                "bill/PayerAccountId": "012345678901",
                "bill/BillingPeriodStartDate": "2024-03-01T00:00:00Z",
                "bill/BillingPeriodEndDate": "2024-04-01T00:00:00.000Z",
                "lineItem/UsageAccountId": "000000000042",
                "lineItem/LineItemType": "Usage",
                "lineItem/UsageStartDate": "2024-03-31T23:00:00Z",
                "lineItem/UsageEndDate": "2024-04-01T00:00:00Z",
                "lineItem/UsageAmount": "1.5",
                "lineItem/UnblendedCost": "5.64902E-05",
                "lineItem/CurrencyCode": "USD",
                "reservation/StartTime": "2023-05-15T04:23:14.000Z",
                "resourceTags": '{"user:Team": "payments"}',
                **metadata("cur-a", 1, "012345678901", "2024-03-01"),
            },
        )
        con.execute(
            "insert into raw.aws_cur2 (bill_payer_account_id, line_item_usage_account_id,"
            " line_item_line_item_type, bill_billing_period_start_date, line_item_unblended_cost,"
            " line_item_unblended_rate, resource_tags, product, _manifest_id, _source_file,"
            " _row_number, _billing_account_id, _billing_period, _loaded_at) values"
            " ('012345678901', '000000000042', 'Usage', timestamp '2024-03-01 00:00:00',"
            " 0.1234567891, '0.0960000000', map {'user_team': 'payments', 'user_app': 'web'},"
            " map {}, 'cur2-a', 'x.parquet', 1, '012345678901', date '2024-03-01',"
            " timestamp '2024-04-02 06:00:00')"
        )
        for table, date_text, tags in (
            ("azure_actual", "9/2/2023", '"CostCenter": "1234","env": "prod"'),
            ("azure_amortized", "09/21/2023", '{"env": "prod"}'),
        ):
            insert(
                con,
                table,
                {
                    "BillingAccountId": "8611537",
                    "BillingPeriodStartDate": "09/01/2023",
                    "BillingPeriodEndDate": "09/30/2023",
                    "Date": date_text,
                    "ChargeType": "Usage",
                    "Cost": "0.006000000468",
                    "BillingCurrency": "EUR",
                    "IsAzureCreditEligible": "True",
                    "Tags": tags,
                    **metadata(f"{table}-a", 1, "8611537", "2023-09-01"),
                },
            )
        con.execute(
            "insert into raw.gcp_billing (billing_account_id, service, usage_start_time,"
            " labels, cost, currency, credits, invoice, usage, _manifest_id, _source_file,"
            " _row_number, _billing_account_id, _billing_period, _loaded_at) values"
            " ('018984-D0AAA4-940B88', {'id': '6F81-5844-456A', 'description': 'Compute Engine'},"
            " timestamp '2024-03-31 23:00:00',"
            " [{'key': 'team', 'value': 'web'}, {'key': 'env', 'value': 'prod'}],"
            " 0.1337, 'USD',"
            " [{'name': 'CUD', 'amount': -0.0802, 'full_name': null, 'id': 'CUD',"
            "   'type': 'COMMITTED_USAGE_DISCOUNT'}],"
            " {'month': '202403', 'publisher_type': 'GOOGLE'},"
            " {'amount': 14400, 'unit': 'seconds', 'amount_in_pricing_units': 4,"
            "  'pricing_unit': 'hour'},"
            " 'gcp-a', 'x.jsonl', 1, '018984-D0AAA4-940B88', date '2024-03-01',"
            " timestamp '2024-04-02 06:00:00')"
        )
        insert(
            con,
            "focus",
            {
                "BilledCost": "10.25",
                "EffectiveCost": "9.75",
                "BillingAccountId": "/providers/Microsoft.Billing/billingAccounts/8611537",
                "BillingCurrency": "USD",
                "BillingPeriodStart": "2024-01-01T00:00Z",
                "ChargePeriodStart": "2024-01-01T02:00:00+02:00",
                "ChargeCategory": "Usage",
                "x_InvoiceId": "INV-1",
                "x_SkuIsCreditEligible": "False",
                **metadata("focus-a", 1, "8611537", "2024-01-01"),
            },
        )
        insert(
            con,
            "invoices",
            {
                "invoice_id": "INV-1",
                "invoice_issuer": "Amazon Web Services, Inc.",
                "provider": "AWS",
                "billing_account_id": "012345678901",
                "billing_period": "2024-03",
                "currency": "USD",
                "amount": "1234.56",
                "issue_date": "2024-04-03",
                **metadata("inv-a", 1, "012345678901", "2024-03-01"),
            },
        )
        insert(
            con,
            "business_metrics",
            {
                "date": "2024-03-05",
                "product": "checkout",
                "metric": "orders",
                "value": "1520",
                **metadata("bm-a", 1, "business_metrics", "2024-03-01"),
            },
        )


def column_types(con: duckdb.DuckDBPyConnection, model: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'staging' and table_name = ?",
        [model],
    ).fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def empty_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_staging_empty")
    warehouse = work / "warehouse.duckdb"
    create_raw_tables(warehouse)
    result = run_dbt_on(warehouse, ["build", "--select", "staging", *STAGING_ONLY], work)
    return warehouse, result, work


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_staging_loaded")
    warehouse = work / "warehouse.duckdb"
    create_raw_tables(warehouse)
    load_sample_rows(warehouse)
    result = run_dbt_on(warehouse, ["build", "--select", "staging", *STAGING_ONLY], work)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


def test_staging_builds_and_tests_pass_on_empty_raw_tables(empty_build):
    warehouse, result, _ = empty_build
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        views = {
            name
            for (name,) in con.execute(
                "select view_name from duckdb_views() where schema_name = 'staging'"
            ).fetchall()
        }
    assert views == set(MODELS.values()) | STATE_MODELS


def test_every_money_column_is_an_exact_decimal_never_a_double(empty_build):
    warehouse, _, _ = empty_build
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for model in MODELS.values():
            types = column_types(con, model)
            assert "DOUBLE" not in types.values(), model
            assert "FLOAT" not in types.values(), model
    money = {
        "stg_aws_cur__line_items": "line_item_unblended_cost",
        "stg_aws_cur2__line_items": "line_item_unblended_rate",
        "stg_azure__actual_cost": "cost_in_billing_currency",
        "stg_gcp_billing__line_items": "currency_conversion_rate",
        "stg_focus__cost_and_usage": "billed_cost",
        "stg_focus_invoice_detail__invoice_lines": "billed_cost",
        "stg_invoices__invoices": "amount",
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for model, column in money.items():
            assert column_types(con, model)[column] == MONEY_TYPE, (model, column)


def test_aws_account_ids_keep_their_leading_zeros(loaded):
    payer, usage = loaded.execute(
        "select bill_payer_account_id, line_item_usage_account_id"
        " from staging.stg_aws_cur__line_items"
    ).fetchone()
    assert (payer, usage) == ("012345678901", "000000000042")
    assert loaded.execute(
        "select bill_payer_account_id from staging.stg_aws_cur2__line_items"
    ).fetchone() == ("012345678901",)


def test_aws_cur_casts_text_to_decimal_and_utc_timestamps(loaded):
    row = loaded.execute(
        "select line_item_unblended_cost, line_item_usage_amount, line_item_usage_start_date,"
        " bill_billing_period_end_date, reservation_start_time, resource_tags,"
        " _billing_period, _row_number"
        " from staging.stg_aws_cur__line_items"
    ).fetchone()
    assert row[0] == Decimal("0.0000564902")  # scientific notation, exact
    assert row[1] == Decimal("1.5")
    assert row[2] == datetime(2024, 3, 31, 23, 0, 0)
    assert row[3] == datetime(2024, 4, 1, 0, 0, 0)  # the `.000Z` variant
    assert row[4] == datetime(2023, 5, 15, 4, 23, 14)
    assert row[5] == '{"user:Team": "payments"}'
    assert row[6:] == (date(2024, 3, 1), 1)


def test_cur2_maps_become_sorted_json_objects(loaded):
    tags, product, rate = loaded.execute(
        "select resource_tags, product, line_item_unblended_rate"
        " from staging.stg_aws_cur2__line_items"
    ).fetchone()
    assert tags == '{"user_app":"web","user_team":"payments"}'
    assert product == "{}"
    assert rate == Decimal("0.096")


def test_azure_dates_parse_padded_or_not_and_tags_get_their_braces(loaded):
    rows = loaded.execute(
        "select 'actual', usage_date, billing_period_end_date, cost_in_billing_currency,"
        " billing_currency_code, is_azure_credit_eligible, tags"
        " from staging.stg_azure__actual_cost"
        " union all"
        " select 'amortized', usage_date, billing_period_end_date, cost_in_billing_currency,"
        " billing_currency_code, is_azure_credit_eligible, tags"
        " from staging.stg_azure__amortized_cost"
        " order by 1"
    ).fetchall()
    actual, amortized = rows
    assert actual[1] == date(2023, 9, 2)  # 9/2/2023, not zero-padded
    assert amortized[1] == date(2023, 9, 21)  # 09/21/2023
    assert actual[2] == date(2023, 9, 30)  # inclusive end, as delivered
    # EA C360 spelling `Cost` lands in the common column; 12 decimals round to DuckDB's 10.
    assert actual[3] == Decimal("0.0060000005")
    assert actual[4] == "EUR"
    assert actual[5] is True
    assert actual[6] == '{"CostCenter": "1234","env": "prod"}'
    assert amortized[6] == '{"env": "prod"}'


def test_gcp_structs_flatten_and_labels_become_json(loaded):
    row = loaded.execute(
        "select service_id, service_description, invoice_month, usage_amount,"
        " usage_pricing_unit, labels, cost, credits[1].amount, usage_start_time"
        " from staging.stg_gcp_billing__line_items"
    ).fetchone()
    assert row[:3] == ("6F81-5844-456A", "Compute Engine", "202403")
    assert row[3] == Decimal("14400")
    assert row[4] == "hour"
    assert row[5] == '{"env":"prod","team":"web"}'
    assert row[6] == Decimal("0.1337")
    assert row[7] == Decimal("-0.0802")
    assert row[8] == datetime(2024, 3, 31, 23, 0, 0)


def test_focus_timestamps_of_every_version_parse_to_utc(loaded):
    row = loaded.execute(
        "select billing_period_start, charge_period_start, billed_cost, invoice_id,"
        " x_sku_is_credit_eligible"
        " from staging.stg_focus__cost_and_usage"
    ).fetchone()
    assert row[0] == datetime(2024, 1, 1, 0, 0, 0)  # FOCUS 1.0 minute-only `T00:00Z`
    assert row[1] == datetime(2024, 1, 1, 0, 0, 0)  # +02:00 offset applied, not dropped
    assert row[2] == Decimal("10.25")
    assert row[3] == "INV-1"  # FOCUS 1.0 x_InvoiceId
    assert row[4] is False


def test_invoice_and_metric_dates_parse(loaded):
    assert loaded.execute(
        "select billing_period, issue_date, amount from staging.stg_invoices__invoices"
    ).fetchone() == (date(2024, 3, 1), date(2024, 4, 3), Decimal("1234.56"))
    assert loaded.execute(
        "select metric_date, metric_value from staging.stg_business_metrics__daily_metrics"
    ).fetchone() == (date(2024, 3, 5), Decimal("1520"))


def test_timestamps_do_not_depend_on_the_session_time_zone(loaded):
    loaded.execute("set TimeZone = 'America/Los_Angeles'")
    try:
        assert loaded.execute(
            "select line_item_usage_start_date from staging.stg_aws_cur__line_items"
        ).fetchone() == (datetime(2024, 3, 31, 23, 0, 0),)
        assert loaded.execute(
            "select usage_start_time from staging.stg_gcp_billing__line_items"
        ).fetchone() == (datetime(2024, 3, 31, 23, 0, 0),)
    finally:
        loaded.execute("set TimeZone = 'UTC'")


def struct_fields(type_: str) -> list[str]:
    """Top-level field names of a DuckDB STRUCT(...) type ([] for any other type)."""
    if not type_.upper().startswith("STRUCT(") or not type_.endswith(")"):
        return []
    fields, depth, current = [], 0, ""
    for char in type_[len("STRUCT(") : -1]:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            fields.append(current)
            current = ""
        else:
            current += char
    return [field.split()[0] for field in [*fields, current]]


def raw_references(compiled_sql: str) -> set[tuple[str, ...]]:
    """Lower-cased column paths (`("invoice", "month")`) read by the model's `renamed` CTE."""
    tree = sqlglot.parse_one(compiled_sql, read="duckdb")
    renamed = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "renamed")
    return {
        tuple(part.name.lower() for part in column.parts)
        for column in renamed.this.find_all(exp.Column)
    }


@pytest.mark.parametrize("format_key", sorted(MODELS))
def test_every_declared_raw_column_and_struct_field_is_selected_by_staging(format_key, empty_build):
    """A column added to the format registry must reach its staging model (or fail here)."""
    _, _, work = empty_build
    (compiled,) = (work / "target" / "compiled").rglob(f"{MODELS[format_key]}.sql")
    references = raw_references(compiled.read_text())
    read = {path[0] for path in references}
    missing = [
        column.name for column in FORMATS[format_key].columns if column.name.lower() not in read
    ]
    missing += [name for name, _ in METADATA_COLUMNS if name not in read]
    for column in FORMATS[format_key].columns:
        missing += [
            f"{column.name}.{field}"
            for field in struct_fields(column.type)
            if (column.name.lower(), field.lower()) not in references
        ]
    assert not missing, f"{MODELS[format_key]} does not select: {missing}"


def test_generic_tests_fail_on_a_duplicated_row_and_a_row_number_below_one(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    create_raw_tables(warehouse)
    row = {
        "invoice_id": "INV-1",
        "invoice_issuer": "Amazon Web Services, Inc.",
        "provider": "AWS",
        "billing_account_id": "012345678901",
        "billing_period": "2024-03",
        "currency": "USD",
        "amount": "1.00",
        "issue_date": "2024-04-03",
    }
    with duckdb.connect(str(warehouse)) as con:
        for row_number in (0, 0):
            insert(con, "invoices", {**row, **metadata("inv-a", row_number, "0123", "2024-03-01")})
    select = ["build", "--select", "stg_invoices__invoices", *STAGING_ONLY]
    result = run_dbt_on(warehouse, select, tmp_path)
    assert result.returncode != 0
    run_results = json.loads((tmp_path / "target" / "run_results.json").read_text())
    failed = {r["unique_id"].split(".")[2] for r in run_results["results"] if r["status"] == "fail"}
    assert any(name.startswith("unique_combination_stg_invoices") for name in failed), failed
    assert any(name.startswith("accepted_range_stg_invoices") for name in failed), failed
    assert not any(name.startswith("not_null") for name in failed), failed


def test_not_null_columns_fails_once_per_column_that_holds_a_null(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    create_raw_tables(warehouse)
    row = {
        "invoice_id": None,
        "invoice_issuer": "Amazon Web Services, Inc.",
        "provider": "AWS",
        "billing_account_id": "012345678901",
        "billing_period": "2024-03",
        "currency": None,
        "amount": "1.00",
        "issue_date": "2024-04-03",
    }
    with duckdb.connect(str(warehouse)) as con:
        for row_number in (1, 2):
            insert(con, "invoices", {**row, **metadata("inv-a", row_number, "0123", "2024-03-01")})
    result = run_dbt_on(
        warehouse, ["build", "--select", "stg_invoices__invoices", *STAGING_ONLY], tmp_path
    )
    assert result.returncode != 0
    check, rows = _test_outcome(warehouse, tmp_path, "not_null_columns_stg_invoices")
    # One failing row per column (invoice_id, currency), each counting its two NULL rows.
    assert (check["status"], check["failures"]) == ("fail", 2), check
    assert sorted(rows) == [("currency", 2), ("invoice_id", 2)]


def _test_outcome(warehouse: Path, work: Path, test: str) -> tuple[dict, list[tuple]]:
    """The run result of the one data test whose name starts with `test`, and the failing rows
    its compiled SQL returns when run again on the warehouse."""
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    (check,) = [r for r in run_results["results"] if f".{test}" in r["unique_id"]]
    compiled = next((work / "target" / "compiled").rglob(f"{test}*.sql"))
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        con.execute("use warehouse")
        return check, con.execute(compiled.read_text()).fetchall()


def test_accepted_values_columns_warns_once_per_column_and_unknown_value(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    create_raw_tables(warehouse)
    line = {
        "InvoiceId": "INV-1",
        "InvoiceIssuerName": "Amazon Web Services, Inc.",
        "BillingAccountId": "012345678901",
        "BillingPeriodStart": "2024-03-01T00:00:00Z",
        "BillingPeriodEnd": "2024-04-01T00:00:00Z",
        "BilledCost": "1.00",
        "BillingCurrency": "USD",
    }
    # Two rows with an unknown status, two with an unknown charge category, one row clean.
    statuses = ["Pending", "Pending", "Issued", "Issued", "Issued"]
    categories = ["Usage", "Usage", "Refund", "Refund", "Tax"]
    with duckdb.connect(str(warehouse)) as con:
        for n, (status, category) in enumerate(zip(statuses, categories, strict=True), start=1):
            row = {
                **line,
                "InvoiceDetailId": f"D{n}",
                "InvoiceIssueStatus": status,
                "ChargeCategory": category,
            }
            insert(
                con, "focus_invoice_detail", {**row, **metadata("inv-d", n, "0123", "2024-03-01")}
            )
    select = ["build", "--select", "stg_focus_invoice_detail__invoice_lines", *STAGING_ONLY]
    result = run_dbt_on(warehouse, select, tmp_path)
    assert result.returncode == 0, result.stdout  # the test's severity is warn
    check, rows = _test_outcome(
        warehouse, tmp_path, "accepted_values_columns_stg_focus_invoice_detail"
    )
    # One failing row per column and unknown value: (status, Pending) and (category, Refund).
    assert (check["status"], check["failures"]) == ("warn", 2), check
    assert sorted(rows) == [
        ("charge_category", "Refund", 2),
        ("invoice_issue_status", "Pending", 2),
    ]


def test_every_dbt_connection_reads_utc_within_the_memory_bound(tmp_path, monkeypatch):
    """The time zone and the memory bound are set once for dbt's database by the warehouse
    plugin, not per cursor by the profile: a node's own connection has them all the same."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    monkeypatch.setenv("FINOPS_DUCKDB_MEMORY_LIMIT", "1GB")
    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    query = (
        "select current_setting('TimeZone') as time_zone, "
        "current_setting('memory_limit') as memory_limit, "
        "current_setting('search_path') as search_path"
    )
    result = run_dbt_on(warehouse, ["show", "--inline", query, "--output", "json"], tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    shown = json.loads(result.stdout[result.stdout.index("{") :])["show"]
    assert shown == [
        {"time_zone": "UTC", "memory_limit": "953.6 MiB", "search_path": "warehouse.main"}
    ]
