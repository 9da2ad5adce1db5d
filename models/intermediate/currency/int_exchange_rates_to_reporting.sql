-- One rate per month and currency into the reporting currency, found in this order: the pair
-- as given (X -> reporting), the inverse of reporting -> X (1 / rate), or crossed through EUR,
-- (EUR -> reporting) / (EUR -> X), which is how the ECB's euro rates give every other pair.
-- A currency with none of them has no row: the marts stop on it (macros/currency).
{%- set reporting = reporting_currency() %}

with rates as (

    select * from {{ ref('int_exchange_rates_monthly') }}

),

direct as (

    select
        RateMonth,
        FromCurrency,
        ExchangeRate,
        ExchangeRateDate,
        ExchangeRateSource,
        'direct' as ExchangeRateMethod,
        1 as precedence
    from rates
    where ToCurrency = '{{ reporting }}' and FromCurrency != '{{ reporting }}'

),

inverse as (

    select
        RateMonth,
        ToCurrency as FromCurrency,
        {{ divide_money('1', 'ExchangeRate') }} as ExchangeRate,
        ExchangeRateDate,
        ExchangeRateSource,
        'inverse' as ExchangeRateMethod,
        2 as precedence
    from rates
    where FromCurrency = '{{ reporting }}' and ToCurrency != '{{ reporting }}'

),

through_eur as (

    select
        to_x.RateMonth,
        to_x.ToCurrency as FromCurrency,
        {{ divide_money('to_reporting.ExchangeRate', 'to_x.ExchangeRate') }} as ExchangeRate,
        -- The older of the two quotes.
        least(to_x.ExchangeRateDate, to_reporting.ExchangeRateDate) as ExchangeRateDate,
        case
            when to_x.ExchangeRateSource = to_reporting.ExchangeRateSource
                then to_x.ExchangeRateSource
            else concat(to_x.ExchangeRateSource, '+', to_reporting.ExchangeRateSource)
        end as ExchangeRateSource,
        'through EUR' as ExchangeRateMethod,
        3 as precedence
    from rates as to_x
    inner join rates as to_reporting
        on
            to_x.RateMonth = to_reporting.RateMonth
            and to_reporting.FromCurrency = 'EUR'
            and to_reporting.ToCurrency = '{{ reporting }}'
    where
        to_x.FromCurrency = 'EUR'
        and to_x.ToCurrency != '{{ reporting }}'

),

candidates as (

    select * from direct
    union all
    select * from inverse
    union all
    select * from through_eur

),

ranked as (

    select
        *,
        row_number() over (
            partition by RateMonth, FromCurrency order by precedence
        ) as method_rank
    from candidates

)

select
    RateMonth,
    FromCurrency,
    '{{ reporting }}' as ToCurrency,
    cast(ExchangeRate as {{ money() }}) as ExchangeRate,
    ExchangeRateDate,
    ExchangeRateSource,
    ExchangeRateMethod
from ranked
where method_rank = 1
