{#- Models that grow with the bill are incremental by billing month (docs/dbt.md, "Incremental
    builds"): a run given billing_period_start / billing_period_end ([start, end), ISO dates)
    replaces exactly those months; without them an incremental run replaces every month. -#}

{#- The config of such a model, `column` its billing-month DATE:
    {{ config(**billing_period_incremental('BillingPeriod')) }} -#}
{% macro billing_period_incremental(column) %}
    {%- set settings = {'materialized': 'incremental', 'on_schema_change': 'fail'} -%}
    {%- if target.type == 'bigquery' -%}
        {#- Static partitions when the months are given (exactly them, even one that lost all
            its rows), else every partition the new rows hold. -#}
        {%- do settings.update({
            'incremental_strategy': 'insert_overwrite',
            'partition_by': {'field': column, 'data_type': 'date', 'granularity': 'month'},
            'partitions': billing_period_months(),
        }) -%}
    {%- else -%}
        {#- the strategy below reads the billing-month column as the unique key -#}
        {%- do settings.update({'incremental_strategy': 'billing_periods', 'unique_key': column}) -%}
    {%- endif -%}
    {{ return(settings) }}
{% endmacro %}

{#- The given months as SQL date literals, or none when no range is given. -#}
{% macro billing_period_months() %}
    {%- set bounds = billing_period_bounds() -%}
    {%- if bounds is none -%}{{ return(none) }}{%- endif -%}
    {%- set first, last = bounds -%}
    {%- set months = [] -%}
    {%- for i in range((last.year - first.year) * 12 + last.month - first.month) -%}
        {%- set index = first.month - 1 + i -%}
        {%- do months.append(
            "date '" ~ first.replace(year=first.year + index // 12, month=index % 12 + 1) ~ "'"
        ) -%}
    {%- endfor -%}
    {{ return(months) }}
{% endmacro %}

{#- (start, end) dates of the given range, or none. -#}
{% macro billing_period_bounds() %}
    {%- set start, end = var('billing_period_start'), var('billing_period_end') -%}
    {%- if start is none and end is none -%}{{ return(none) }}{%- endif -%}
    {%- if start is none or end is none -%}
        {{ exceptions.raise_compiler_error(
            'set both billing_period_start and billing_period_end, or neither') }}
    {%- endif -%}
    {#- fromisoformat refuses anything but a date, so nothing else reaches the SQL -#}
    {{ return((
        modules.datetime.date.fromisoformat(start | string),
        modules.datetime.date.fromisoformat(end | string),
    )) }}
{% endmacro %}

{#- The predicate an incremental build selects its months with: `true` on a full build. -#}
{% macro in_billing_periods(column) %}
    {%- set bounds = billing_period_bounds() -%}
    {#- a unit test has no relation of its own (`this`): it tests the full build -#}
    {%- if bounds is none or this is none or not is_incremental() -%}
        true
    {%- else -%}
        {{ column }} >= date '{{ bounds[0] }}' and {{ column }} < date '{{ bounds[1] }}'
    {%- endif -%}
{% endmacro %}

{#- DuckDB: delete the given months (every month when none is given), then insert the new rows.
    dbt's delete+insert would delete only the months the new rows hold, so a month that lost
    all its rows would keep its old ones. -#}
{% macro get_incremental_billing_periods_sql(arg_dict) %}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ in_billing_periods(arg_dict['unique_key']) }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
