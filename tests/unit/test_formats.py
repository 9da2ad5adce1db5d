"""The format registry is consistent, its SQL runs in DuckDB, and each format is detected."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import samples as s

from finops_warehouse.ingest.detect import detect
from finops_warehouse.ingest.errors import FileRefused
from finops_warehouse.ingest.formats import (
    AWS_CUR,
    DETECTION_ORDER,
    FORMATS,
    ExportFormat,
    athena_name,
    get_format,
    parse_timestamp_sql,
    quote,
)
from finops_warehouse.locations import PROJECT_DIR

EXPECTATIONS = PROJECT_DIR / "expectations"


@pytest.mark.parametrize("fmt", DETECTION_ORDER, ids=lambda f: f.key)
def test_declared_names_are_unique_case_insensitively(fmt: ExportFormat):
    names = [c.name.lower() for c in fmt.columns]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("fmt", DETECTION_ORDER, ids=lambda f: f.key)
def test_every_named_column_is_declared(fmt: ExportFormat):
    named = (
        list(fmt.required)
        + [c for group in fmt.required_any for c in group]
        + list(fmt.numeric_columns)
        + list(fmt.timestamp_columns)
        + list(fmt.id_columns)
        + list(fmt.enumerations)
        + list(fmt.detect.all_of)
    )
    assert [n for n in named if fmt.column(n) is None] == []


@pytest.mark.parametrize("fmt", DETECTION_ORDER, ids=lambda f: f.key)
def test_csv_formats_declare_text_columns_and_typed_formats_exact_money(fmt: ExportFormat):
    types = {c.type for c in fmt.columns}
    if fmt.text_only:
        assert types <= {"VARCHAR", "JSON"}
    else:
        assert not any(t in ("DOUBLE", "FLOAT") for t in types if "cost" in t.lower())
        money = [c for c in fmt.columns if c.name in ("cost", "line_item_unblended_cost")]
        assert all(c.type.startswith("DECIMAL") for c in money)


@pytest.mark.parametrize("fmt", DETECTION_ORDER, ids=lambda f: f.key)
def test_partition_cost_and_currency_sql_bind_on_the_declared_columns(fmt: ExportFormat):
    con = duckdb.connect()
    body = ", ".join(f"{quote(c.name)} {c.type}" for c in fmt.columns)
    con.execute(f"CREATE TABLE t ({body})")
    expressions = [fmt.billing_account_sql, fmt.billing_period_sql]
    expressions += [e for e in (fmt.cost_sql, fmt.currency_sql) if e]
    con.execute(f"SELECT {', '.join(expressions)} FROM t").fetchall()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-11-01T00:00:00Z", "2023-11-01 00:00:00"),
        ("2023-11-01T00:00:00.000Z", "2023-11-01 00:00:00"),
        ("2024-01-01T00:00Z", "2024-01-01 00:00:00"),
        ("2024-03-31 23:00:00 UTC", "2024-03-31 23:00:00"),
        ("2024-01-01T00:00:00+05:00", "2023-12-31 19:00:00"),
        ("09/21/2023", "2023-09-21 00:00:00"),
        ("9/2/2023", "2023-09-02 00:00:00"),
        ("2020-09-22", "2020-09-22 00:00:00"),
        ("yesterday", None),
    ],
)
def test_timestamp_parser_accepts_every_documented_variant(text: str, expected: str | None):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    sql = f"SELECT CAST({parse_timestamp_sql('x')} AS VARCHAR) FROM (SELECT ? AS x)"
    value = con.execute(sql, [text]).fetchone()
    assert value[0] == expected


def test_athena_names_follow_the_cur_guide():
    assert athena_name("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert athena_name("reservation/ReservationARN") == "reservation_reservation_a_r_n"
    assert athena_name("pricing/publicOnDemandCost") == "pricing_public_on_demand_cost"


def test_get_format_names_the_known_keys():
    assert get_format("aws_cur") is AWS_CUR
    with pytest.raises(KeyError, match="aws_cur2"):
        get_format("aws")


@pytest.mark.parametrize("key", list(FORMATS))
def test_each_format_has_a_suite_checking_its_required_columns(key: str):
    suite = json.loads((EXPECTATIONS / f"{key}.json").read_text())
    exists = {
        e["kwargs"]["column"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_to_exist"
    }
    assert set(FORMATS[key].required) <= exists
    assert all(e.get("meta", {}).get("fix") for e in suite["expectations"])


@pytest.mark.parametrize("key", list(FORMATS))
def test_each_suite_loads_as_great_expectations_objects(key: str):
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    suite = json.loads((EXPECTATIONS / f"{key}.json").read_text())
    for item in suite["expectations"]:
        ExpectationConfiguration(
            type=item["type"], kwargs=item["kwargs"], meta=item.get("meta", {})
        ).to_domain_obj()


def _detect(path: Path, relative: str | None = None) -> str:
    return detect(path, path.name, relative or path.name).format.key


def test_each_sample_export_is_detected_as_its_format(tmp_path: Path):
    assert _detect(s.aws_cur_csv(tmp_path / "cur.csv.gz")) == "aws_cur"
    assert _detect(s.write_csv(tmp_path / "focus.csv", s.focus_rows())) == "focus"
    actual = s.write_csv(tmp_path / "part_0_0001.csv", s.azure_rows(), bom=True)
    assert _detect(actual, "ea-ActualCost/20240101-20240131/part_0_0001.csv") == "azure_actual"
    mca = s.write_csv(tmp_path / "mca.csv", s.azure_rows(mca=True))
    assert _detect(mca, "exports/AmortizedCost/mca.csv") == "azure_amortized"
    assert _detect(s.write_jsonl(tmp_path / "gcp.jsonl.gz", s.gcp_rows())) == "gcp_billing"
    assert _detect(s.write_csv(tmp_path / "inv.csv", s.invoices_rows())) == "invoices"
    assert _detect(s.write_csv(tmp_path / "m.csv", s.business_metrics_rows())) == "business_metrics"
    assert _detect(s.cur2_parquet(tmp_path / "cur2.parquet")) == "aws_cur2"


def test_mca_camel_case_columns_map_to_the_declared_spelling(tmp_path: Path):
    mca = s.write_csv(tmp_path / "mca-ActualCost.csv", s.azure_rows(mca=True))
    columns = detect(mca, "mca", "mca-ActualCost.csv").columns
    assert columns.declared["billingAccountId"] == "BillingAccountId"
    assert columns.declared["costInBillingCurrency"] == "CostInBillingCurrency"
    assert columns.extra == ()


def test_azure_file_whose_path_says_nothing_is_detected_with_its_dataset_undecided(
    tmp_path: Path,
):
    path = s.write_csv(tmp_path / "part_0_0001.csv", s.azure_rows())
    found = detect(path, "part_0_0001.csv", "exports/daily/part_0_0001.csv")
    assert (found.format.dataset, found.dataset_basis) == ("actual", None)
    told = detect(path, "part_0_0001.csv", "x/part_0_0001.csv", ("amortized", "the manifest"))
    assert (told.format.key, told.dataset_basis) == ("azure_amortized", "the manifest")


def test_legacy_cur_parquet_maps_athena_names_back_and_folds_tags(tmp_path: Path):
    path = tmp_path / "cur-00001.snappy.parquet"
    duckdb.sql(
        f"""COPY (SELECT '{s.AWS_ACCOUNT}' AS bill_payer_account_id,
                  'Usage' AS line_item_line_item_type, 1.5 AS line_item_unblended_cost,
                  'payments' AS resource_tags_user_team)
            TO '{path}' (FORMAT parquet)"""
    )
    found = detect(path, path.name, path.name)
    assert found.format.key == "aws_cur"
    assert found.columns.declared["line_item_unblended_cost"] == "lineItem/UnblendedCost"
    assert found.columns.folded["resource_tags_user_team"] == ("resourceTags", "user_team")


def test_cur2_csv_is_refused_since_cur2_is_accepted_as_parquet_only(tmp_path: Path):
    path = s.write_csv(
        tmp_path / "cur2.csv",
        [{"bill_payer_account_id": "1", "line_item_line_item_type": "Usage", "product": "{}"}],
    )
    with pytest.raises(FileRefused, match="parquet"):
        detect(path, path.name, path.name)


def test_focus_invoice_detail_loads_with_voided_lines_left_out_of_the_cost_total(tmp_path: Path):
    from finops_warehouse.ingest import ingest

    rows = s.invoice_detail_rows("Issued", "Issued", "Voided", period="2026-07")
    path = s.write_csv(tmp_path / "landing" / "invoice-detail-2026-07.csv", rows)
    assert _detect(path) == "focus_invoice_detail"
    report = ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q")
    assert [(f.format, f.status) for f in report.files] == [("focus_invoice_detail", "loaded")]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        manifest = con.execute(
            "SELECT billing_account_id, CAST(billing_period AS VARCHAR), rows, cost_total, "
            "currency FROM raw.ingest_manifest"
        ).fetchall()
        raw = con.execute(
            'SELECT "InvoiceId", "BilledCost", "InvoiceIssueStatus", "PaymentCurrency" '
            "FROM raw.focus_invoice_detail ORDER BY _row_number"
        ).fetchall()
    assert manifest == [("SKY-1", "2026-07-01", 3, Decimal("8.75"), "USD")]
    assert raw == [
        ("INV-2", "10.25", "Issued", None),
        ("INV-2", "-1.5", "Issued", None),
        ("INV-1", "8.75", "Voided", None),
    ]


def test_focus_invoice_detail_with_two_statuses_for_one_invoice_is_refused(tmp_path: Path):
    from finops_warehouse.ingest import ingest

    rows = s.invoice_detail_rows("Issued", "Voided", "Voided", period="2026-07")
    s.write_csv(tmp_path / "landing" / "invoice-detail-2026-07.csv", rows)
    (result,) = ingest(tmp_path / "wh.duckdb", str(tmp_path / "landing"), tmp_path / "q").files
    assert result.status == "quarantined"
    assert "InvoiceIssueStatus" in result.error and "INV-2" in result.error


def test_cli_json_arrays_are_detected_as_commitment_inventories(tmp_path: Path):
    gcp = s.write_json_array(tmp_path / "gcp.json", [s.GCP_COMMITMENT])
    found = detect(gcp, gcp.name, gcp.name)
    assert (found.format.key, found.sniffed.file_type) == ("gcp_commitments", "json")
    azure = s.write_json_array(
        tmp_path / "azure.json",
        [{"id": "/providers/microsoft.capacity/x", "type": "t", "sku": {}, "properties": {}}],
    )
    assert _detect(azure) == "azure_reservations"
    empty = s.write_json_array(tmp_path / "empty.json", [])
    with pytest.raises(FileRefused, match="no objects"):
        detect(empty, empty.name, empty.name)


def test_inventory_partition_comes_from_the_path_and_times_keep_their_offset(tmp_path: Path):
    from finops_warehouse.ingest.scratch import (
        SCRATCH_VIEW,
        check_partition,
        show_scratch,
        write_scratch,
    )

    path = s.write_json_array(
        tmp_path / "gcp/commitments/billingAccounts/01A2-B3/commitments_2024-03-31.json",
        [s.GCP_COMMITMENT],
    )
    found = detect(path, str(path), path.name)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    show_scratch(con, found, write_scratch(con, path, found, str(path), tmp_path / "s.parquet"))
    facts = check_partition(con, found, str(path), SCRATCH_VIEW, numbered=True)
    (partition,) = facts.partitions
    assert (partition.billing_account_id, str(partition.billing_period)) == (
        "01A2-B3",
        "2024-03-01",
    )
    start, end = con.execute('SELECT "startTimestamp", "endTimestamp" FROM batch').fetchone()
    assert (str(start), str(end)) == ("2023-01-01 07:00:00", "2024-01-01 07:00:00")
    undated = s.write_json_array(
        tmp_path / "billingAccounts/01A2-B3/commitments.json", [s.GCP_COMMITMENT]
    )
    with pytest.raises(FileRefused, match="billingAccounts/<billing account id>"):
        check_partition(con, found, str(undated), SCRATCH_VIEW, numbered=True)


def test_rate_files_load_and_the_ecb_trailing_comma_is_no_column(area):
    from finops_warehouse.ingest.formats import ECB_CURRENCIES

    quotes = {c: "N/A" for c in ECB_CURRENCIES} | {"USD": "1.1600", "GBP": "0.8500"}
    (area.landing / "eurofxref-hist.csv").write_text(
        "Date," + ",".join(ECB_CURRENCIES) + ",\n"
        "2026-08-03," + ",".join(quotes[c] for c in ECB_CURRENCIES) + ",\n"
        "2026-07-31," + ",".join(quotes[c] for c in ECB_CURRENCIES) + ",\n"
    )
    (area.landing / "rates.csv").write_text("month,from,to,rate\n2026-07,EUR,USD,1.16\n")
    assert sorted((f.format, f.status) for f in area.run().files) == [
        ("ecb_rates", "loaded"),
        ("exchange_rates", "loaded"),
    ]
    assert [m[-1] for m in area.manifest()] == [None, None]  # no schema drift
    assert area.query(
        'SELECT "Date", "USD", "GBP", "JPY", CAST(_billing_period AS VARCHAR) '
        "FROM raw.ecb_rates ORDER BY 1"
    ) == [
        ("2026-07-31", "1.1600", "0.8500", "N/A", "2026-07-01"),
        ("2026-08-03", "1.1600", "0.8500", "N/A", "2026-08-01"),
    ]
    assert area.query('SELECT month, "from", "to", rate FROM raw.exchange_rates') == [
        ("2026-07", "EUR", "USD", "1.16")
    ]
