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
        {#- the strategy below reads the billing-month column as the unique key; the hooks
            build a long range in slices of months (billing_period_slices) -#}
        {%- do settings.update({
            'incremental_strategy': 'billing_periods',
            'unique_key': column,
            'pre_hook': ["{{ start_billing_period_slices() }}"],
            'post_hook': ["{{ insert_billing_period_slices() }}"],
        }) -%}
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

{#- The predicate a model selects its months with: `true` without a range. On DuckDB the slice
    being built (billing_period_slices); on BigQuery the whole range on an incremental build,
    `true` on a first or full build. -#}
{% macro in_billing_periods(column) %}
    {%- set bounds = billing_period_bounds() -%}
    {#- a unit test has no relation of its own (`this`): it tests the full build -#}
    {%- if bounds is none or this is none -%}
        true
    {%- elif target.type == 'duckdb' -%}
        {{ column }} >= getvariable('finops_slice_start')
        and {{ column }} < getvariable('finops_slice_end')
    {%- elif is_incremental() -%}
        {{ billing_period_range(column) }}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- The given range as a predicate: the months an incremental build replaces. -#}
{% macro billing_period_range(column) %}
    {%- set bounds = billing_period_bounds() -%}
    {{ column }} >= date '{{ bounds[0] }}' and {{ column }} < date '{{ bounds[1] }}'
{%- endmacro %}

{#- DuckDB builds a long range in slices of whole months, each one statement: a first build
    mapping a year of raw in one query spilled about 60 GB beside the warehouse under its memory
    bound (docs/benchmarks.md, "The first 100M run"). A slice takes consecutive months up to
    FINOPS_BUILD_SLICE_ROWS live line items (raw.ingest_partitions; default 16M, about 6 GB of
    spill); a month above it is a slice of its own. The model's SQL reads the slice from two
    DuckDB variables (in_billing_periods): constants by the time DuckDB plans, so the filter
    still reaches the raw scans. A first or full build rebuilds every month: its slices cover
    the months raw holds as well as the range, the first starting at the earliest date and the
    last ending at the latest. -#}
{% macro billing_period_slices(first_build) %}
    {%- set bounds = billing_period_bounds() -%}
    {%- set budget = env_var('FINOPS_BUILD_SLICE_ROWS', '16000000') | int -%}
    {%- set rows = {} -%}
    {%- set partitions = source('ingestion', 'ingest_partitions') -%}
    {%- if adapter.get_relation(partitions.database, partitions.schema, partitions.identifier) -%}
        {%- set counted = run_query(
            "select strftime(billing_period, '%Y-%m-%d'), sum(rows) from " ~ partitions
            ~ " where status = 'loaded' group by all") -%}
        {%- for row in counted.rows -%}
            {%- do rows.update({row[0]: row[1] | int}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set first, end = bounds[0], bounds[1] -%}
    {%- if first_build and rows -%}
        {#- a first or full build rebuilds every month raw holds, whatever the range -#}
        {%- set loaded = rows.keys() | sort -%}
        {%- set first = [first, modules.datetime.date.fromisoformat(loaded[0])] | min -%}
        {%- set last = modules.datetime.date.fromisoformat(loaded[-1]) -%}
        {%- set end = [end, month_after(last)] | max -%}
    {%- endif -%}
    {%- set slices = [] -%}
    {%- set slice = namespace(start=first, rows=0, month=first) -%}
    {%- set months = (end.year - first.year) * 12 + end.month - first.month + 1 -%}
    {%- for _ in range(months) if slice.month < end -%}
        {%- set month_rows = rows.get(slice.month.isoformat(), 0) -%}
        {%- if slice.rows > 0 and slice.rows + month_rows > budget -%}
            {%- do slices.append([slice.start, slice.month]) -%}
            {%- set slice.start = slice.month -%}
            {%- set slice.rows = 0 -%}
        {%- endif -%}
        {%- set slice.rows = slice.rows + month_rows -%}
        {%- set slice.month = month_after(slice.month) -%}
    {%- endfor -%}
    {%- do slices.append([slice.start, end]) -%}
    {%- if first_build -%}
        {%- set slices = [[modules.datetime.date(1, 1, 1), slices[0][1]]] + slices[1:] -%}
        {%- set slices = slices[:-1] + [[slices[-1][0], modules.datetime.date(9999, 12, 31)]] -%}
    {%- endif -%}
    {{ return(slices) }}
{% endmacro %}

{#- The slices a build of the given range would take, printed (first_build: a first or full
    build): `dbt run-operation show_billing_period_slices --args '{first_build: true}'` with
    FINOPS_BILLING_PERIOD_START / _END set. -#}
{% macro show_billing_period_slices(first_build=false) %}
    {%- if billing_period_bounds() is none -%}
        {{ exceptions.raise_compiler_error(
            'set FINOPS_BILLING_PERIOD_START and FINOPS_BILLING_PERIOD_END') }}
    {%- endif -%}
    {%- for slice in billing_period_slices(first_build) -%}
        {{ log('slice ' ~ slice[0] ~ ' ' ~ slice[1], info=true) }}
    {%- endfor -%}
{% endmacro %}

{#- The first day of the month after `day`'s. -#}
{% macro month_after(day) %}
    {{ return((day.replace(day=28) + modules.datetime.timedelta(days=4)).replace(day=1)) }}
{% endmacro %}

{#- Pre-hook: the model's own statement builds the first slice; the list is kept for the
    post-hook (a first build is no longer one once the table exists). -#}
{% macro start_billing_period_slices() %}
    {%- if billing_period_bounds() is none -%}{{ return('') }}{%- endif -%}
    {%- set slices = billing_period_slices(not is_incremental()) -%}
    {%- set dates = [] -%}
    {%- for slice in slices -%}
        {%- do dates.append("[date '" ~ slice[0] ~ "', date '" ~ slice[1] ~ "']") -%}
    {%- endfor -%}
    set variable finops_slices = [{{ dates | join(', ') }}];
    set variable finops_slice_start = date '{{ slices[0][0] }}';
    set variable finops_slice_end = date '{{ slices[0][1] }}'
{%- endmacro %}

{#- Post-hook: insert the other slices, one statement each. -#}
{% macro insert_billing_period_slices() %}
    {%- if billing_period_bounds() is none -%}{{ return('') }}{%- endif -%}
    {%- set slices = run_query(
        "select cast(slice[1] as varchar), cast(slice[2] as varchar)"
        ~ " from (select unnest(getvariable('finops_slices')[2:]) as slice)") -%}
    {%- for slice in slices.rows %}
    set variable finops_slice_start = date '{{ slice[0] }}';
    set variable finops_slice_end = date '{{ slice[1] }}';
    insert into {{ this }} by name select * from ({{ sql }}) as slice;
    {%- endfor %}
{%- endmacro %}

{#- BigQuery's pre-hook: delete the given months (nothing on a full build). -#}
{% macro delete_billing_periods(column) %}
    {%- if is_incremental() and billing_period_bounds() is not none -%}
        delete from {{ this }} where {{ billing_period_range(column) }}
    {%- endif -%}
{% endmacro %}

{#- DuckDB: delete the given months (every month when none is given), then insert the new rows.
    dbt's delete+insert would delete only the months the new rows hold, so a month that lost
    all its rows would keep its old ones. -#}
{% macro get_incremental_billing_periods_sql(arg_dict) %}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    {%- if billing_period_bounds() is not none %}
    where {{ billing_period_range(arg_dict['unique_key']) }}
    {%- endif %};
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
