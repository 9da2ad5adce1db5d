{#-
    aws_cur_column(name): a column of raw.aws_cur by its byte-exact CSV name, e.g.
    aws_cur_column('lineItem/UnblendedCost').

    DuckDB: the quoted CSV name, "lineItem/UnblendedCost" (the raw table keeps the provider's
    names, architecture.md). BigQuery column names cannot contain '/' or ':', so a BigQuery
    raw.aws_cur carries AWS's own Parquet/Athena spelling of the same column, which is what a
    legacy CUR delivered as Parquet looks like: line_item_unblended_cost (the rule of the CUR
    guide, as in finops_warehouse.ingest.formats.athena_name).
-#}
{% macro aws_cur_column(name) -%}
    {{ return(adapter.dispatch('aws_cur_column', 'finops')(name)) }}
{%- endmacro %}

{% macro default__aws_cur_column(name) -%}
    {{ unsupported_adapter('aws_cur_column') }}
{%- endmacro %}

{% macro duckdb__aws_cur_column(name) -%}
    {{ adapter.quote(name) }}
{%- endmacro %}

{% macro bigquery__aws_cur_column(name) -%}
    {{ adapter.quote(finops.aws_athena_name(name)) }}
{%- endmacro %}

{#- lineItem/UnblendedCost -> line_item_unblended_cost: "_" before each capital, lower case,
    anything but [a-z0-9] -> "_", runs of "_" collapsed, leading/trailing "_" trimmed. -#}
{% macro aws_athena_name(name) -%}
    {%- set re = modules.re -%}
    {%- set spaced = re.sub('([A-Z])', '_\\1', name) | lower -%}
    {{- re.sub('_+', '_', re.sub('[^a-z0-9]', '_', spaced)).strip('_') -}}
{%- endmacro %}
