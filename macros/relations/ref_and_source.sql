{#-
    ref() and source() without the catalog on DuckDB.

    dbt-duckdb renders a relation as "<catalog>"."<schema>"."<table>", and a view keeps that
    text: the warehouse copied or renamed (a backup, a restore) would look for a catalog that
    does not exist. With two-part names a view binds in the catalog that holds it, whatever the
    file is called. BigQuery keeps project-qualified names.
-#}
{% macro ref() -%}
    {{ return(_portable_relation(builtins.ref(*varargs, **kwargs))) }}
{%- endmacro %}

{% macro source() -%}
    {{ return(_portable_relation(builtins.source(*varargs, **kwargs))) }}
{%- endmacro %}

{% macro _portable_relation(relation) -%}
    {%- if target.type == 'duckdb' -%}
        {{ return(relation.include(database=false)) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
