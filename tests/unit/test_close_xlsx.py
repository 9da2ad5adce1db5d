"""The close's XLSX extract reads as a controller expects, and ties to its CSV to the cent."""

import csv
import datetime as dt
from decimal import Decimal

from openpyxl import load_workbook

from finops_warehouse.close import files

COLUMNS = (
    files.Column("BillingPeriod"),
    files.Column("BillingCurrency"),
    files.Column("CostCenter"),
    files.Column("BilledCost", money=True),
)
ROWS = [
    ("2026-07", "EUR", "cc-100", Decimal("1234567.89")),
    ("2026-07", "EUR", None, Decimal("-0.50")),
    ("2026-07", "USD", "cc-200", Decimal("0.10")),
    ("2026-07", "USD", "cc-300", Decimal("0.20")),
    # 17 significant digits: no double holds it, so it must stay text, not be rounded
    ("2026-07", "USD", "cc-400", Decimal("123456789012345.67")),
]
CLOSED_AT = dt.datetime(2026, 8, 12, 9, 30, tzinfo=dt.UTC)


def write(tmp_path):
    files.write_csv(tmp_path / "x.csv", COLUMNS, ROWS)
    files.write_xlsx(tmp_path / "x.xlsx", COLUMNS, ROWS, "chargeback", CLOSED_AT)
    with (tmp_path / "x.csv").open(newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    return csv_rows, load_workbook(tmp_path / "x.xlsx")["chargeback"]


def test_header_is_frozen_and_filters_the_rows_but_not_the_totals(tmp_path):
    _, sheet = write(tmp_path)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:D{len(ROWS) + 1}"
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    for letter in "ABCD":
        assert sheet.column_dimensions[letter].width >= len(sheet[f"{letter}1"].value)
    # the widest amount fits: 123,456,789,012,345.67 is 22 characters
    assert sheet.column_dimensions["D"].width >= 22


def test_money_is_a_number_in_a_money_format_unless_a_number_would_change_it(tmp_path):
    _, sheet = write(tmp_path)
    amounts = [sheet.cell(row=r, column=4) for r in range(2, len(ROWS) + 2)]
    assert all(c.number_format == "#,##0.00" for c in amounts)
    assert [c.value for c in amounts[:4]] == [1234567.89, -0.5, 0.1, 0.2]
    assert all(c.data_type == "n" for c in amounts[:4])
    assert amounts[4].value == "123456789012345.67"  # exact, as text
    assert sheet["C3"].value is None  # an empty cost center stays empty


def test_one_labelled_total_per_currency_equals_the_csv_exact_sum(tmp_path):
    csv_rows, sheet = write(tmp_path)
    expected: dict[str, Decimal] = {}
    for row in csv_rows:
        currency = row["BillingCurrency"]
        expected[currency] = expected.get(currency, Decimal(0)) + Decimal(row["BilledCost"])
    first_total = len(ROWS) + 2
    totals = list(sheet.iter_rows(min_row=first_total, values_only=True))
    assert [(t[0], t[1]) for t in totals] == [("Total EUR", "EUR"), ("Total USD", "USD")]
    got = {t[1]: Decimal(str(t[3])) for t in totals}
    assert got == expected
    assert got["EUR"] == Decimal("1234567.39")
    # USD's total has 17 digits too: text, exact
    assert totals[1][3] == "123456789012345.97"
    for r in range(first_total, first_total + 2):
        assert sheet.cell(row=r, column=1).font.bold
        assert sheet.cell(row=r, column=4).number_format == "#,##0.00"


def test_more_decimals_than_cents_get_a_format_that_shows_them(tmp_path):
    rows = [("2026-07", "USD", "cc-1", Decimal("0.125")), ("2026-07", "USD", "cc-2", Decimal("1"))]
    files.write_xlsx(tmp_path / "y.xlsx", COLUMNS, rows, "s", CLOSED_AT)
    sheet = load_workbook(tmp_path / "y.xlsx")["s"]
    assert sheet["D2"].number_format == "#,##0.000"
    assert sheet["D2"].value == 0.125
    assert sheet["D4"].value == 1.125  # the total


def test_the_same_close_writes_the_same_bytes_whenever_it_runs(tmp_path):
    """openpyxl stamps the time of saving: the close's own time replaces it."""
    import time
    import zipfile

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    files.write_xlsx(first, COLUMNS, ROWS, "chargeback", CLOSED_AT)
    time.sleep(2.1)  # zip entry dates count in 2-second steps
    files.write_xlsx(second, COLUMNS, ROWS, "chargeback", CLOSED_AT)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as book:
        assert {e.date_time for e in book.infolist()} == {(2026, 8, 12, 9, 30, 0)}
        assert b">2026-08-12T09:30:00Z<" in book.read("docProps/core.xml")
    assert load_workbook(first).properties.modified == dt.datetime(2026, 8, 12, 9, 30)
