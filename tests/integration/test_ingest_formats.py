"""Every format loads into its raw table with the contract of docs/architecture.md."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import samples as s

from finops_warehouse.ingest import ingest
from finops_warehouse.ingest.formats import FORMATS, METADATA_COLUMNS


def _query(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_one_sample_of_each_format_loads_with_exact_totals(tmp_path: Path):
    landing = tmp_path / "landing"
    s.aws_cur_csv(landing / "aws" / "cur-1.csv.gz", rows=4, cost="1.25")
    s.cur2_parquet(landing / "cur2" / "data" / "BILLING_PERIOD=2024-01" / "x-00001.snappy.parquet")
    s.write_csv(landing / "azure" / "ea-ActualCost" / "part_0_0001.csv", s.azure_rows(), bom=True)
    s.write_csv(landing / "azure" / "mca-AmortizedCost" / "p.csv", s.azure_rows(mca=True))
    s.write_jsonl(landing / "gcp" / "export-000.jsonl.gz", s.gcp_rows(rows=3))
    s.write_csv(landing / "focus" / "focus.csv", s.focus_rows())
    # an issued invoice (8.75) and a voided one: only the issued one is owed
    s.write_csv(
        landing / "focus" / "invoice-detail.csv",
        s.invoice_detail_rows("Issued", "Issued", "Voided"),
    )
    s.write_json_array(
        landing / "azure" / "billingAccounts" / "acct-1" / "reservations_2024-01-31.json",
        [s.AZURE_RESERVATION],
    )
    s.write_json_array(
        landing / "gcp" / "billingAccounts" / "01A2-B3" / "commitments_2024-01-31.json",
        [s.GCP_COMMITMENT],
    )
    s.write_csv(landing / "invoices" / "2024-01.csv", s.invoices_rows())
    s.write_csv(landing / "metrics" / "2024-01.csv", s.business_metrics_rows())
    (landing / "labels.csv").write_text("label_id,kind,first_day\nL-1,spike,2024-01-05\n")
    s.ecb_rates_csv(landing / "rates" / "eurofxref-hist.csv")
    s.write_csv(landing / "rates" / "finance-2024-01.csv", s.exchange_rates_rows())
    report = ingest(tmp_path / "wh.duckdb", str(landing), tmp_path / "q")
    assert {f.format: f.status for f in report.files} == {key: "loaded" for key in FORMATS}
    totals = dict(_query(tmp_path, "SELECT format, cost_total FROM raw.ingest_manifest"))
    assert totals == {
        "aws_cur": Decimal("5.00"),
        "aws_cur2": Decimal("1.0"),
        "azure_actual": Decimal("7.0"),
        "azure_amortized": Decimal("7.0"),
        "gcp_billing": Decimal("0.4011"),
        "focus": Decimal("5.00"),
        "focus_invoice_detail": Decimal("8.75"),
        "azure_reservations": None,  # inventories carry no cost
        "gcp_commitments": None,
        "invoices": Decimal("3.75"),
        "business_metrics": Decimal("303"),  # a control total: the sum of the values
        "anomaly_labels": None,  # labels carry no cost
        "ecb_rates": None,  # rates carry no cost
        "exchange_rates": None,
    }


def test_raw_tables_have_every_declared_and_metadata_column(tmp_path: Path):
    s.write_csv(tmp_path / "landing" / "f.csv", s.focus_rows())
    ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q")
    columns = [r[0] for r in _query(tmp_path, "DESCRIBE raw.focus")]
    expected = [c.name for c in FORMATS["focus"].columns] + [n for n, _ in METADATA_COLUMNS]
    assert columns == expected
    assert _query(tmp_path, "SELECT DISTINCT _row_number FROM raw.focus ORDER BY 1") == [(1,), (2,)]


def test_ids_keep_leading_zeros_and_tags_fold_without_empty_values(tmp_path: Path):
    s.aws_cur_csv(tmp_path / "landing" / "cur.csv", rows=2)
    ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q")
    rows = _query(
        tmp_path,
        'SELECT "bill/PayerAccountId", "resourceTags"::VARCHAR FROM raw.aws_cur '
        "ORDER BY _row_number",
    )
    assert rows == [
        ("012345678901", '{"user:Env":"prod","user:Team":"payments"}'),
        ("012345678901", '{"user:Env":"prod"}'),
    ]


def test_focus_parquet_map_tags_become_json_text(tmp_path: Path):
    path = tmp_path / "landing" / "focus.parquet"
    path.parent.mkdir(parents=True)
    duckdb.sql(
        f"""COPY (SELECT 2.5::DOUBLE AS BilledCost, 2.5::DOUBLE AS EffectiveCost,
                  '012345678901' AS BillingAccountId, 'USD' AS BillingCurrency,
                  TIMESTAMPTZ '2024-01-01 00:00:00+00' AS BillingPeriodStart,
                  TIMESTAMPTZ '2024-01-01 00:00:00+00' AS ChargePeriodStart,
                  'Usage' AS ChargeCategory, MAP {{'team': 'web'}} AS Tags,
                  MAP {{'EDP': 0.1::DOUBLE}} AS x_Discounts)
            TO '{path}' (FORMAT parquet)"""
    )
    report = ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q")
    assert report.files[0].status == "loaded", report.files[0].error
    tags, discounts, billed = _query(
        tmp_path, 'SELECT "Tags", "x_Discounts", "BilledCost" FROM raw.focus'
    )[0]
    assert json.loads(tags) == {"team": "web"} and json.loads(discounts) == {"EDP": 0.1}
    assert billed == "2.5"


def test_gcp_parquet_double_cost_is_stored_as_exact_decimal(tmp_path: Path):
    path = tmp_path / "landing" / "gcp-000000000000.parquet"
    path.parent.mkdir(parents=True)
    duckdb.sql(
        f"""COPY (SELECT '018984-D0AAA4-940B88' AS billing_account_id, 0.1::DOUBLE AS cost,
                  'USD' AS currency, TIMESTAMP '2024-03-31 23:00:00' AS usage_start_time,
                  {{'month': '202403', 'publisher_type': 'GOOGLE'}} AS invoice,
                  [{{'name': 'CUD', 'amount': -0.05::DOUBLE}}] AS credits
                  FROM range(3))
            TO '{path}' (FORMAT parquet)"""
    )
    report = ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q")
    assert report.files[0].status == "loaded", report.files[0].error
    assert report.files[0].cost_total == Decimal("0.3")
    credit = _query(tmp_path, "SELECT credits[1].amount, typeof(cost) FROM raw.gcp_billing")[0]
    assert credit == (Decimal("-0.050000000"), "DECIMAL(38,9)")


def test_unknown_line_item_type_warns_but_loads(tmp_path: Path):
    s.aws_cur_csv(tmp_path / "landing" / "cur.csv", rows=2, line_item_type="SomethingNew")
    report = ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q")
    assert report.files[0].status == "loaded"
    check = report.check_result("aws_cur")
    assert check["passed"]
    (warning,) = check["metadata"]["warnings"][report.files[0].path]
    assert warning["column"] == "lineItem/LineItemType" and warning["severity"] == "warning"
