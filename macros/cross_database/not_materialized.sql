{#- `<cte> as {{ not_materialized() }} (`: DuckDB inlines the CTE into each query that reads
    it. DuckDB stores a CTE read more than once before its readers run, and a filter of a
    reader (the billing months of an incremental build) then reaches no further than that
    store: a month's build mapped every month of the provider's raw table. Inlined, the filter
    reaches the raw scan. BigQuery has no such keyword and plans CTEs itself. -#}
{% macro not_materialized() %}
    {{- return(adapter.dispatch('not_materialized', 'finops')()) -}}
{% endmacro %}

{% macro default__not_materialized() %}{% endmacro %}

{% macro duckdb__not_materialized() %}not materialized{% endmacro %}
