"""Exchange rates for the reporting currency (docs/currency.md)."""

from __future__ import annotations

import re

from .base import Detection, ExportFormat, month_sql, parse_timestamp_sql, quote, text_columns

# --- Exchange rates (reporting currency, docs/currency.md) --------------------------------------

ECB_CURRENCIES = tuple(
    re.findall(
        r"[A-Z]{3}",
        """
    USD JPY BGN CYP CZK DKK EEK GBP HUF LTL LVL MTL PLN ROL RON SEK SIT SKK CHF ISK NOK HRK RUB
    TRL TRY AUD BRL CAD CNY HKD IDR ILS INR KRW MXN MYR NZD PHP SGD THB ZAR
    """,
    )
)
"""The currency columns of the ECB's ``eurofxref-hist.csv``, in its order (units per 1 EUR).
``models/staging/ecb_rates`` unpivots the same list."""

ECB_RATES = ExportFormat(
    key="ecb_rates",
    description="ECB euro reference rates (eurofxref-hist.csv: Date, one column per currency)",
    file_types=("csv",),
    detect=Detection(all_of=("Date", "USD", "JPY", "GBP")),
    columns=text_columns("Date " + " ".join(ECB_CURRENCIES)),
    required=("Date",),
    # One publisher, one series: the grain of replacement is the month of the quotes.
    billing_account_sql="'ecb'",
    billing_period_sql=month_sql(parse_timestamp_sql(quote("Date"))),
    cost_sql=None,
    currency_sql=None,
    # Rates are not checked as numbers here: the ECB writes N/A on a currency's holidays, and
    # staging casts every other value (a bad one fails the build, naming it).
    timestamp_columns=("Date",),
    id_columns=("Date",),
)

EXCHANGE_RATES = ExportFormat(
    key="exchange_rates",
    description="Monthly exchange rates month,from,to,rate (1 from = rate to)",
    file_types=("csv",),
    detect=Detection(all_of=("month", "from", "to", "rate")),
    columns=text_columns("month from to rate"),
    required=("month", "from", "to", "rate"),
    billing_account_sql="'exchange_rates'",
    billing_period_sql=f"CAST(strptime({quote('month')}, '%Y-%m') AS DATE)",
    cost_sql=None,
    currency_sql=None,
    numeric_columns=("rate",),
    id_columns=("month", "from", "to", "rate"),
)
