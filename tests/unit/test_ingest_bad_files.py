"""Each kind of bad delivery is refused (quarantined, clear error) or handled, never half-loaded.

Files are built in the test (tiny, in tmp_path) with samples.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import samples as s


def refused(area, name: str) -> str:
    """Run ingest, assert the file was quarantined with its error file; return the error."""
    report = area.run()
    result = next(f for f in report.files if f.path.endswith(name))
    assert result.status == "quarantined", result
    assert not (area.landing / name).exists(), "a refused file must leave the landing"
    assert (area.quarantine / name).exists()
    error_file = area.quarantine / f"{name}.error.txt"
    text = error_file.read_text()
    assert name in text and "What to do:" in text
    statuses = [row[1] for row in area.manifest() if row[0].endswith(name)]
    assert statuses == ["quarantined"]
    return result.error


def test_empty_file_is_refused(area):
    (area.landing / "cur.csv").write_bytes(b"")
    assert "empty" in refused(area, "cur.csv")


def test_header_only_file_is_refused_because_its_period_cannot_be_derived(area):
    s.write_csv(area.landing / "cur.csv", [], s.AWS_HEADER)
    error = refused(area, "cur.csv")
    assert "no data rows" in error and "billing period" in error


def test_truncated_gzip_is_refused(area):
    full = gzip.compress("".join(_cur_csv_lines(s.aws_cur_rows(rows=2000))).encode())
    (area.landing / "cur.csv.gz").write_bytes(full[: len(full) // 2])
    assert "truncated" in refused(area, "cur.csv.gz")


def test_semicolon_separated_csv_is_refused_with_the_delimiter_fix(area):
    s.write_csv(area.landing / "cur.csv", s.aws_cur_rows(), s.AWS_HEADER, delimiter=";")
    error = refused(area, "cur.csv")
    assert "semicolon" in error and "comma" in error


def test_unknown_format_is_refused(area):
    s.write_csv(area.landing / "notes.csv", [{"when": "2024-01-01", "what": "lunch"}])
    assert "unknown format" in refused(area, "notes.csv")


def test_an_oci_cost_report_is_refused_pointing_at_ocis_focus_report(area):
    header = ["lineItem/referenceNo", "lineItem/tenantId", "lineItem/intervalUsageStart"]
    header += ["product/service", "cost/myCost", "cost/currencyCode"]
    row = ["ref-1", "ocid1.tenancy.oc1..aaaa", "2026-08-01T00:00Z", "COMPUTE", "1.25", "USD"]
    (area.landing / "reports_cost-csv_0001.csv").write_text(",".join(header) + "\n" + ",".join(row))
    error = refused(area, "reports_cost-csv_0001.csv")
    assert "unknown format" in error and "OCI cost or usage report" in error
    assert "OCI's FOCUS report" in error


def test_missing_required_column_is_refused_naming_the_column(area):
    header = [h for h in s.AWS_HEADER if h != "lineItem/CurrencyCode"]
    s.write_csv(area.landing / "cur.csv", s.aws_cur_rows(), header)
    assert "'lineItem/CurrencyCode'" in refused(area, "cur.csv")


def test_non_numeric_cost_is_refused_naming_column_and_row(area):
    rows = s.aws_cur_rows(rows=4)
    rows[2]["lineItem/UnblendedCost"] = "$1.25"
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    error = refused(area, "cur.csv")
    assert "'lineItem/UnblendedCost'" in error and "data row 3" in error and "$1.25" in error


def test_unparseable_timestamp_is_refused_naming_column_and_row(area):
    rows = s.aws_cur_rows(rows=4)
    rows[1]["lineItem/UsageStartDate"] = "yesterday at noon"
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    error = refused(area, "cur.csv")
    assert "'lineItem/UsageStartDate'" in error and "data row 2" in error


def test_a_file_holding_two_billing_periods_loads_both_partitions(area):
    rows = s.aws_cur_rows(rows=2, period="2024-01") + s.aws_cur_rows(rows=3, period="2024-02")
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    (result,) = area.run().files
    assert (result.status, result.billing_periods) == ("loaded", ("2024-01", "2024-02"))
    assert area.query("SELECT billing_period, partitions, rows FROM raw.ingest_manifest") == [
        (None, 2, 5)
    ], "one row per file; its period is NULL when it holds several"
    assert area.query(
        "SELECT strftime(billing_period, '%Y-%m'), rows, status FROM raw.ingest_partitions "
        "ORDER BY 1"
    ) == [("2024-01", 2, "loaded"), ("2024-02", 3, "loaded")]
    assert area.query(
        "SELECT strftime(_billing_period, '%Y-%m'), count(*) FROM raw.aws_cur GROUP BY 1 ORDER BY 1"
    ) == [("2024-01", 2), ("2024-02", 3)]


def test_a_row_without_a_billing_period_is_refused_naming_it(area):
    rows = s.aws_cur_rows(rows=3, period="2024-01")
    rows[1]["bill/BillingPeriodStartDate"] = ""
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    error = refused(area, "cur.csv")
    assert "billing period cannot be derived" in error and "data row 2" in error


def test_bom_and_crlf_load_cleanly(area):
    s.write_csv(area.landing / "EA-ActualCost.csv", s.azure_rows(rows=3), bom=True, crlf=True)
    s.write_csv(area.landing / "cur.csv", s.aws_cur_rows(rows=2), s.AWS_HEADER, bom=True, crlf=True)
    report = area.run()
    assert [f.status for f in report.files] == ["loaded", "loaded"]
    accounts = area.query('SELECT DISTINCT "BillingAccountId", "Tags" FROM raw.azure_actual')
    assert accounts == [("8611537", '"CostCenter": "1234","env": "prod"')]
    env = area.query(
        'SELECT DISTINCT "resourceTags"->>\'user:Env\', "bill/PayerAccountId" FROM raw.aws_cur'
    )
    assert env == [("prod", s.AWS_ACCOUNT)], "no BOM in the first column, no \\r in the last"


def test_duplicate_file_under_a_new_name_is_a_recorded_no_op(area):
    s.aws_cur_csv(area.landing / "a" / "cur.csv", rows=3)
    area.run()
    (area.landing / "b").mkdir()
    (area.landing / "b" / "cur-copy.csv").write_bytes((area.landing / "a" / "cur.csv").read_bytes())
    report = area.run()
    copy = next(f for f in report.files if f.path.endswith("cur-copy.csv"))
    assert copy.status == "duplicate" and "a/cur.csv" in copy.error
    assert area.query("SELECT count(*) FROM raw.aws_cur") == [(3,)]
    assert [r[1] for r in area.manifest()] == ["loaded", "duplicate"]


def test_schema_drift_loads_and_records_the_extra_columns(area):
    rows = s.aws_cur_rows(rows=2)
    for row in rows:
        row["product/gpuMemory"] = "24 GiB"
        row["lineItem/BrandNewColumn"] = "x"
    s.write_csv(area.landing / "cur.csv", rows)
    report = area.run()
    assert report.files[0].status == "loaded"
    assert report.files[0].extra_columns == ("product/gpuMemory", "lineItem/BrandNewColumn")
    extra = json.loads(area.manifest()[0][5])
    assert extra == ["product/gpuMemory", "lineItem/BrandNewColumn"]
    assert area.query('SELECT DISTINCT "product/gpuMemory" FROM raw.aws_cur') == [("24 GiB",)]


def test_a_bad_file_leaves_the_loaded_delivery_untouched(area):
    s.aws_cur_csv(area.landing / "2024-01" / "v1.csv", rows=3, cost="2")
    area.run()
    rows = s.aws_cur_rows(rows=5, cost="9")
    rows[4]["lineItem/UnblendedCost"] = "n/a"
    s.write_csv(area.landing / "2024-01" / "v2.csv", rows, s.AWS_HEADER)
    refused(area, "2024-01/v2.csv")
    assert area.query(
        'SELECT count(*), sum("lineItem/UnblendedCost"::DECIMAL) FROM raw.aws_cur'
    ) == [(3, 6)]
    assert [r[1] for r in area.manifest()] == ["loaded", "quarantined"]


def test_a_header_naming_a_column_twice_is_refused_naming_it(area):
    header = [*s.AWS_HEADER, "lineItem/UnblendedCost"]
    rows = s.aws_cur_rows(rows=2)
    s.write_csv(area.landing / "cur.csv", rows, header)
    error = refused(area, "cur.csv")
    assert "column 'lineItem/UnblendedCost'" in error and "twice" in error


def test_re_cased_column_names_load_under_the_registry_spelling(area):
    recased = {
        "lineItem/UnblendedCost": "lineitem/unblendedcost",
        "bill/PayerAccountId": "BILL/PAYERACCOUNTID",
    }
    rows = [{recased.get(k, k): v for k, v in r.items()} for r in s.aws_cur_rows(rows=3)]
    s.write_csv(area.landing / "cur.csv", rows)
    (result,) = area.run().files
    assert result.status == "loaded" and result.cost_total == Decimal("3.75")
    assert area.query(
        'SELECT sum("lineItem/UnblendedCost"::DECIMAL(38,10)), min("bill/PayerAccountId") '
        "FROM raw.aws_cur"
    ) == [(Decimal("3.75"), s.AWS_ACCOUNT)]


def test_a_thousands_separator_in_a_cost_is_refused_with_the_fix(area):
    # "1,234.50" is 1234.50 in one locale and 1.23450 in another: no guess, the owner fixes it.
    rows = s.aws_cur_rows(rows=3)
    rows[1]["lineItem/UnblendedCost"] = "1,234.50"
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    error = refused(area, "cur.csv")
    assert "'lineItem/UnblendedCost'" in error and "data row 2" in error
    assert "'1,234.50'" in error and "no thousands separator" in error


def test_a_parquet_file_with_a_csv_extension_loads_by_its_content(area):
    s.cur2_parquet(area.landing / "export.csv", rows=2, cost=0.5)
    (result,) = area.run().files
    assert (result.status, result.format, result.cost_total) == ("loaded", "aws_cur2", 1)


def test_a_gzip_of_a_header_only_csv_is_refused_like_the_plain_file(area):
    s.write_csv(area.landing / "cur.csv.gz", [], s.AWS_HEADER)
    assert "no data rows" in refused(area, "cur.csv.gz")


def test_file_names_with_spaces_unicode_and_a_newline_load_under_their_exact_path(area):
    names = ["Cost report (Jan) 2024.csv", "coût-été-日本.csv", "two\nlines.csv"]
    for number, name in enumerate(names):
        s.aws_cur_csv(area.landing / name, rows=2, account=f"00000000000{number}")
    report = area.run()
    assert sorted(f.status for f in report.files) == ["loaded"] * 3
    assert sorted(r[0] for r in area.manifest()) == sorted(str(area.landing / n) for n in names)
    assert area.query("SELECT count(DISTINCT _source_file) FROM raw.aws_cur") == [(3,)]


def test_a_parquet_column_whose_type_changed_between_deliveries_loads_both(area):
    """CUR 2.0 money as DECIMAL in one delivery and DOUBLE in the next, the account id as text
    then as an integer: both load; DECIMAL stays exact, a DOUBLE becomes the nearest decimal
    of the raw column's scale (0.1 is stored as 0.1000000000)."""
    s.cur2_parquet(area.landing / "2024-01" / "cur2.parquet", rows=3, period="2024-01")
    s.cur2_parquet(area.landing / "2024-02" / "cur2.parquet", rows=3, period="2024-02")
    _retype(
        area.landing / "2024-01" / "cur2.parquet", "0.1::DECIMAL(18,10)", "bill_payer_account_id"
    )
    _retype(area.landing / "2024-02" / "cur2.parquet", "0.1::DOUBLE", "123456789012::BIGINT")
    report = area.run()
    assert [f.status for f in report.files] == ["loaded", "loaded"]
    assert area.query(
        "SELECT strftime(_billing_period, '%Y-%m'), bill_payer_account_id, "
        "sum(line_item_unblended_cost)::VARCHAR FROM raw.aws_cur2 GROUP BY ALL ORDER BY 1"
    ) == [("2024-01", s.AWS_ACCOUNT, "0.3000000000"), ("2024-02", "123456789012", "0.3000000000")]


def _retype(path, cost_sql: str, account_sql: str) -> None:
    """Rewrite a CUR 2.0 Parquet file with another cost and account id expression (and type)."""
    import duckdb

    tmp = path.with_suffix(".tmp-parquet")
    duckdb.sql(
        f"COPY (SELECT * REPLACE ({cost_sql} AS line_item_unblended_cost, {account_sql} AS "
        f"bill_payer_account_id) FROM read_parquet('{path}')) TO '{tmp}' (FORMAT parquet)"
    )
    tmp.replace(path)


def test_files_still_being_written_wait_under_their_temporary_names(area):
    s.aws_cur_csv(area.landing / "cur.csv.crdownload", rows=2)
    s.aws_cur_csv(area.landing / "exports" / "_temporary" / "0" / "part-00000.csv", rows=2)
    s.aws_cur_csv(area.landing / "cur-2.csv.tmp", rows=2)
    report = area.run()
    assert sorted(f.status for f in report.files) == ["waiting"] * 3
    assert all("still being written" in f.error for f in report.files)
    assert area.manifest() == [], "nothing recorded: the next run looks again"
    (area.landing / "cur.csv.crdownload").rename(area.landing / "cur.csv")
    loaded = [f for f in area.run().files if f.status == "loaded"]
    assert [f.path for f in loaded] == [str(area.landing / "cur.csv")]


def test_a_file_that_grows_while_it_is_read_waits_and_loads_whole_next_run(area):
    from finops_warehouse.ingest import ingest

    path = s.aws_cur_csv(area.landing / "cur.csv", rows=3)
    rest = "".join(_cur_csv_lines(s.aws_cur_rows(rows=5))[4:])

    def writer_still_busy(message: str) -> None:
        if message.startswith("[1/1]"):  # listed; now the provider appends its last rows
            with path.open("a") as handle:
                handle.write(rest)

    report = ingest(area.warehouse, str(area.landing), area.quarantine, progress=writer_still_busy)
    assert [(f.status, "still being written" in f.error) for f in report.files] == [
        ("waiting", True)
    ]
    assert area.manifest() == [] and area.query("SELECT count(*) FROM raw.aws_cur") == [(0,)]
    (result,) = area.run().files
    assert (result.status, result.rows) == ("loaded", 5)


def test_a_zip_holding_one_csv_loads_even_named_csv_gz(area):
    body = "".join(_cur_csv_lines(s.aws_cur_rows(rows=4, cost="2.5")))
    with zipfile.ZipFile(area.landing / "cur.csv.gz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/cur.csv", body)
    (result,) = area.run().files
    assert (result.status, result.rows, result.cost_total) == ("loaded", 4, 10)
    manifest_id = area.query("SELECT manifest_id FROM raw.ingest_manifest")[0][0]
    assert manifest_id == hashlib.sha256((area.landing / "cur.csv.gz").read_bytes()).hexdigest()


def test_a_zip_of_several_files_is_refused_naming_them(area):
    with zipfile.ZipFile(area.landing / "exports.zip", "w") as archive:
        archive.writestr("a.csv", "".join(_cur_csv_lines(s.aws_cur_rows(rows=2))))
        archive.writestr("b.csv", "".join(_cur_csv_lines(s.aws_cur_rows(rows=2))))
    error = refused(area, "exports.zip")
    assert "holds 2 files (a.csv, b.csv)" in error and "unzip it" in error


def test_a_gzip_compressed_parquet_file_loads(area):
    plain = s.cur2_parquet(area.root / "cur2.parquet", rows=3, cost=0.5)
    (area.landing / "cur2.parquet.gz").write_bytes(gzip.compress(plain.read_bytes()))
    (result,) = area.run().files
    assert (result.status, result.format, result.rows, result.cost_total) == (
        "loaded",
        "aws_cur2",
        3,
        Decimal("1.5"),
    )


def test_a_symlink_out_of_the_landing_is_not_followed_one_inside_is_a_duplicate(area):
    outside = s.aws_cur_csv(area.root / "elsewhere" / "secret.csv", rows=2, cost="7")
    inside = s.aws_cur_csv(area.landing / "cur.csv", rows=3)
    (area.landing / "link-out.csv").symlink_to(outside)
    (area.landing / "link-in.csv").symlink_to(inside)
    (area.landing / "linked-folder").symlink_to(outside.parent, target_is_directory=True)
    report = area.run()
    status = {Path(f.path).name: (f.status, f.error or "") for f in report.files}
    assert status["link-out.csv"][0] == "skipped"
    assert "outside the landing" in status["link-out.csv"][1]
    assert str(outside) in status["link-out.csv"][1]
    assert status["linked-folder"][0] == "skipped", "nor a folder linked from outside"
    assert "secret.csv" not in status
    assert {status["cur.csv"][0], status["link-in.csv"][0]} == {"loaded", "duplicate"}
    assert area.query('SELECT sum("lineItem/UnblendedCost"::DECIMAL) FROM raw.aws_cur') == [
        (Decimal("3.75"),)
    ], "the file outside is never read into the warehouse"
    assert (area.landing / "link-out.csv").is_symlink() and outside.exists()


def _cur_csv_lines(rows: list[dict[str, str]]) -> list[str]:
    """Header and data lines of a legacy CUR CSV of these rows."""
    return [",".join(s.AWS_HEADER) + "\n"] + [
        ",".join(r[h] for h in s.AWS_HEADER) + "\n" for r in rows
    ]


def test_a_billing_period_other_than_its_folder_loads_by_its_rows_with_a_note(area):
    folder = area.landing / "focus" / "data" / "BILLING_PERIOD=2024-08"
    s.write_csv(folder / "focus-00001.csv", s.focus_rows(rows=2, period="2024-09"))
    (result,) = area.run().files
    assert (result.status, result.billing_periods) == ("loaded", ("2024-09",))
    (notes,) = area.query("SELECT notes FROM raw.ingest_manifest")[0]
    assert "folder names billing period 2024-08" in notes and "rows bill 2024-09" in notes
    assert area.query("SELECT DISTINCT strftime(_billing_period, '%Y-%m') FROM raw.focus") == [
        ("2024-09",)
    ]


def test_a_billing_period_matching_its_folder_has_no_note(area):
    folder = area.landing / "cur" / "20240101-20240201"
    s.aws_cur_csv(folder / "cur-1.csv", rows=2, period="2024-01")
    assert area.run().files[0].status == "loaded"
    assert area.query("SELECT notes FROM raw.ingest_manifest") == [(None,)]


def test_a_currency_code_in_lower_case_or_padded_loads_as_its_iso_code(area):
    rows = s.aws_cur_rows(rows=2)
    rows[0]["lineItem/CurrencyCode"], rows[1]["lineItem/CurrencyCode"] = "usd ", " Usd"
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    (result,) = area.run().files
    assert (result.status, result.currency) == ("loaded", "USD")
    assert area.query('SELECT DISTINCT "lineItem/CurrencyCode" FROM raw.aws_cur') == [("USD",)]


def test_a_currency_that_is_not_iso_4217_is_refused_naming_row_and_value(area):
    for name, bad in (("dollar.csv", "US$"), ("made-up.csv", "XYZ")):
        rows = s.aws_cur_rows(rows=3)
        rows[2]["lineItem/CurrencyCode"] = bad
        s.write_csv(area.landing / name, rows, s.AWS_HEADER)
    report = area.run()
    errors = {Path(f.path).name: f.error for f in report.files}
    assert [f.status for f in report.files] == ["quarantined", "quarantined"]
    for name, bad in (("dollar.csv", "US$"), ("made-up.csv", "XYZ")):
        assert "'lineItem/CurrencyCode'" in errors[name] and "data row 3" in errors[name]
        assert f"(value {bad!r})" in errors[name] and "ISO 4217" in errors[name]
    assert area.query("SELECT count(*) FROM raw.aws_cur") == [(0,)]


def _excel_text() -> str:
    """A legacy CUR CSV with a non-ASCII value, as text (to be saved in some encoding)."""
    rows = s.aws_cur_rows(rows=3)
    rows[1]["product/ProductName"] = "Café Crème"
    return "".join(_cur_csv_lines(rows))


def test_a_utf_16_csv_with_its_byte_order_mark_loads_as_its_text(area):
    (area.landing / "unicode.csv").write_bytes(_excel_text().encode("utf-16"))
    (result,) = area.run().files
    assert (result.status, result.rows) == ("loaded", 3)
    assert area.query('SELECT "product/ProductName" FROM raw.aws_cur WHERE _row_number = 2') == [
        ("Café Crème",)
    ]


def test_a_windows_1252_csv_is_refused_naming_the_line_and_the_fix(area):
    (area.landing / "excel.csv").write_bytes(_excel_text().encode("cp1252"))
    error = refused(area, "excel.csv")
    assert "data row 2" in error and "not UTF-8" in error and "'CSV UTF-8'" in error


def test_a_header_repeated_mid_file_is_refused_naming_the_row(area):
    lines = _cur_csv_lines(s.aws_cur_rows(rows=4))
    (area.landing / "joined.csv").write_text("".join([*lines[:3], lines[0], *lines[3:]]))
    error = refused(area, "joined.csv")
    assert "data row 3" in error and "repeats the header" in error
