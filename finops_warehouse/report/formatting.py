"""Numbers as finance reads them: a currency on every amount, thousands separators, 2 decimals.

Amounts are rounded half away from zero, as invoices and the close extracts round them. Nothing
here adds amounts: a caller that totals money groups by currency first.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Symbols of the currencies nobody misreads; any other currency is written with its ISO code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
# Printed where there is no value (no amount, an undefined ratio).
NONE = "\N{EN DASH}"


def cents(amount: Decimal, places: int = 2) -> Decimal:
    """The amount rounded to the cent (or `places` decimals), half away from zero."""
    return amount.quantize(CENT if places == 2 else Decimal(1).scaleb(-places), ROUND_HALF_UP)


def money(amount: Decimal | None, currency: str, places: int = 2) -> str:
    """`$1,234.56`, `-€0.50`, `1,234.56 CHF`; an en dash for no amount. More places only for
    prices such as a unit cost, which are fractions of a cent."""
    if amount is None:
        return NONE
    rounded = cents(amount, places)
    sign = "-" if rounded < 0 else ""
    digits = f"{abs(rounded):,.{places}f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def percent(ratio: Decimal | float | None, places: int = 1) -> str:
    """A ratio as a percentage (`0.8734` -> `87.3%`); an en dash when it is undefined."""
    if ratio is None:
        return NONE
    value = (Decimal(str(ratio)) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{value:,.{places}f}%"


def number(value: Decimal | int | float | None, places: int = 0) -> str:
    """A count or quantity with thousands separators."""
    if value is None:
        return NONE
    return f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
