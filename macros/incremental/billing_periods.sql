{#- Models that grow with the bill are incremental by billing month (docs/dbt.md, "Incremental
    builds"): a run given FINOPS_BILLING_PERIOD_START / FINOPS_BILLING_PERIOD_END in its
    environment ([start, end), ISO dates) replaces exactly those months; without them an
    incremental run replaces every month.

    The range is read from the environment when a model runs, never while dbt parses: dbt
    re-parses the whole project when its --vars change, which made each new range cost a full
    parse (about 10 s). -#}

{#- The config of such a model, `column` its billing-month DATE:
    {{ config(**billing_period_incremental('BillingPeriod')) }} -#}
{% macro billing_period_incremental(column) %}
    {%- set settings = {'materialized': 'incremental', 'on_schema_change': 'fail'} -%}
    {%- if target.type == 'bigquery' -%}
        {#- insert_overwrite replaces the months the new rows hold; the hook first deletes the
            given months, so one that lost all its rows goes too. -#}
        {%- do settings.update({
            'incremental_strategy': 'insert_overwrite',
            'partition_by': {'field': column, 'data_type': 'date', 'granularity': 'month'},
            'pre_hook': ["{{ delete_billing_periods('" ~ column ~ "') }}"],
        }) -%}
    {%- else -%}
        {#- the strategy below reads the billing-month column as the unique key -#}
        {%- do settings.update({'incremental_strategy': 'billing_periods', 'unique_key': column}) -%}
    {%- endif -%}
    {{ return(settings) }}
{% endmacro %}

{#- (start, end) dates of the given range, or none (none while parsing). -#}
{% macro billing_period_bounds() %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set start = env_var('FINOPS_BILLING_PERIOD_START', '') -%}
    {%- set end = env_var('FINOPS_BILLING_PERIOD_END', '') -%}
    {%- if not start and not end -%}{{ return(none) }}{%- endif -%}
    {%- if not start or not end -%}
        {{ exceptions.raise_compiler_error(
            'set both FINOPS_BILLING_PERIOD_START and FINOPS_BILLING_PERIOD_END, or neither') }}
    {%- endif -%}
    {#- fromisoformat refuses anything but a date, so nothing else reaches the SQL -#}
    {{ return((
        modules.datetime.date.fromisoformat(start),
        modules.datetime.date.fromisoformat(end),
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

{#- BigQuery's pre-hook: delete the given months (nothing on a full build). -#}
{% macro delete_billing_periods(column) %}
    {%- if is_incremental() and billing_period_bounds() is not none -%}
        delete from {{ this }} where {{ in_billing_periods(column) }}
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

{#- Data tests of incremental models check only the rebuilt months where the rule holds per
    month (a row id that carries its month, a grain with the month in it, a vocabulary):
    `config: {where: "__rebuilt_billing_periods__(<column>)"}`. The months outside the range
    did not change since the build that tested them. Every month on --full-refresh or when no
    range is given. A `where` is rendered while dbt parses, before the range is known, so the
    marker is replaced here, when the test runs (dbt's documented override). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}{{ return(relation) }}{%- endif -%}
    {%- set filter = namespace(sql=where) -%}
    {%- for column in modules.re.findall('__rebuilt_billing_periods__\\(\\s*(\\w+)\\s*\\)', where) -%}
        {%- set filter.sql = modules.re.sub(
            '__rebuilt_billing_periods__\\(\\s*' ~ column ~ '\\s*\\)',
            rebuilt_billing_periods(column),
            filter.sql,
        ) -%}
    {%- endfor -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ filter.sql ~ ') dbt_subquery') }}
{%- endmacro %}

{#- The rebuilt months of a test's relation: `true` on a full refresh or without a range. -#}
{% macro rebuilt_billing_periods(column) %}
    {%- set bounds = billing_period_bounds() -%}
    {%- if bounds is none or flags.FULL_REFRESH -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(column ~ " >= date '" ~ bounds[0] ~ "' and " ~ column ~ " < date '" ~ bounds[1] ~ "'") }}
{% endmacro %}
