-- Every monthly exchange rate the warehouse knows, one per month and currency pair, taken from
-- the first source that has it: a landed monthly rates file (the rate finance chose), the ECB
-- reference rates reduced to one rate per month by the rate policy, the demo seed.
with ecb_daily as (

    select * from {{ ref('stg_ecb_rates__daily_rates') }}

),

file_rates as (

    select * from {{ ref('stg_exchange_rates__monthly_rates') }}

),

seed_rates as (

    select * from {{ ref('exchange_rates_demo') }}

),

ecb_days as (

    select
        {{ month_start('rate_date') }} as RateMonth,
        base_currency as FromCurrency,
        quote_currency as ToCurrency,
        rate_date,
        rate,
        row_number() over (
            partition by {{ month_start('rate_date') }}, quote_currency
            order by rate_date desc
        ) as days_before_month_end
    from ecb_daily

),

-- Policy average: the mean of the month's published rates (days without a quote, weekends and
-- TARGET holidays, do not count), dated on the month's last publication day. Policy closing:
-- the rate of the month's last publication day.
{%- if exchange_rate_policy() == 'average' %}
    {%- set monthly_rate = divide_money('sum(rate)', 'count(*)') %}
{%- else %}
    {%- set monthly_rate = 'max(case when days_before_month_end = 1 then rate end)' %}
{%- endif %}
ecb_monthly as (

    select
        RateMonth,
        FromCurrency,
        ToCurrency,
        {{ monthly_rate }} as ExchangeRate,
        max(rate_date) as ExchangeRateDate
    from ecb_days
    group by RateMonth, FromCurrency, ToCurrency

),

-- A monthly file gives one rate for the whole month: it is dated on the month's first day.
unioned as (

    select
        rate_month as RateMonth,
        from_currency as FromCurrency,
        to_currency as ToCurrency,
        rate as ExchangeRate,
        rate_month as ExchangeRateDate,
        'file' as ExchangeRateSource,
        1 as precedence
    from file_rates
    union all
    select
        RateMonth,
        FromCurrency,
        ToCurrency,
        ExchangeRate,
        ExchangeRateDate,
        'ecb' as ExchangeRateSource,
        2 as precedence
    from ecb_monthly
    union all
    select
        {{ parse_date("month || '-01'", ['%Y-%m-%d']) }} as RateMonth,
        upper({{ adapter.quote('from') }}) as FromCurrency,
        upper({{ adapter.quote('to') }}) as ToCurrency,
        rate as ExchangeRate,
        {{ parse_date("month || '-01'", ['%Y-%m-%d']) }} as ExchangeRateDate,
        'seed' as ExchangeRateSource,
        3 as precedence
    from seed_rates

),

ranked as (

    select
        *,
        row_number() over (
            partition by RateMonth, FromCurrency, ToCurrency order by precedence
        ) as source_rank
    from unioned

)

select
    RateMonth,
    FromCurrency,
    ToCurrency,
    cast(ExchangeRate as {{ money() }}) as ExchangeRate,
    ExchangeRateDate,
    ExchangeRateSource
from ranked
where source_rank = 1
