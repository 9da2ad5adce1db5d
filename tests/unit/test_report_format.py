"""How the report prints amounts and which banner it shows (pure functions)."""

import datetime as dt
from decimal import Decimal

import pytest

from finops_warehouse.report import banner
from finops_warehouse.report.formatting import money, percent


@pytest.mark.parametrize(
    ("amount", "currency", "printed"),
    [
        (Decimal("1234567.891"), "USD", "$1,234,567.89"),
        # Half a cent rounds away from zero, as invoices round (not to even).
        (Decimal("0.125"), "EUR", "€0.13"),
        (Decimal("-0.125"), "EUR", "-€0.13"),
        (Decimal("-1000"), "USD", "-$1,000.00"),
        (Decimal("1000.5"), "CHF", "1,000.50 CHF"),
        (Decimal("-0.004"), "USD", "$0.00"),
    ],
)
def test_money_prints_currency_thousands_and_cents(amount, currency, printed):
    assert money(amount, currency) == printed


def test_unit_cost_keeps_four_decimals_and_no_amount_is_a_dash():
    assert money(Decimal("0.01275"), "USD", places=4) == "$0.0128"
    assert money(None, "USD") == "\N{EN DASH}"
    assert percent(Decimal("0.87345")) == "87.3%"
    assert percent(None) == "\N{EN DASH}"


def _account(status, closed_at=None, held=False):
    return {"Status": status, "ClosedAt": closed_at, "IsHeldBack": held}


def test_banner_is_closed_only_when_every_account_of_the_month_is():
    closed = dt.datetime(2026, 8, 3, 9, 30)
    assert banner([_account("Closed", closed), _account("Closed", closed)]).state == "Closed"
    assert "2026-08-03 09:30" in banner([_account("Closed", closed)]).text
    assert banner([_account("Closed", closed), _account("Open")]).state == "Open"
    assert banner([]).state == "Open"
    held = banner([_account("Open", held=True), _account("Open")])
    assert held.state == "Open" and "1 billing account(s) held back" in held.text
