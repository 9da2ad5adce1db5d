{#-
    persist_docs on DuckDB in one query per model instead of four.

    dbt's default lists the relation's columns, and dbt-duckdb's column comments list them
    again, then each comment set runs as its own query: two catalog scans and two statements
    (each with dbt's per-query overhead) for every model. Same comments, same warning for a
    documented column the relation lacks, same columns skipped (dbt-duckdb's exact-name match).
-#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- set statements = [] -%}
    {%- if for_relation and config.persist_relation_docs() and model.description -%}
        {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
    {%- endif -%}
    {%- if for_columns and config.persist_column_docs() and model.columns -%}
        {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
        {%- set documented = validate_doc_columns(relation, model.columns, existing) -%}
        {%- for name in documented if name in existing -%}
            {%- set column = documented[name] -%}
            {%- do statements.append(
                "comment on column " ~ relation ~ "."
                ~ (adapter.quote(name) if column['quote'] else name)
                ~ " is " ~ duckdb_escape_comment(column['description']) ~ ";"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if statements -%}
        {%- do run_query(statements | join("\n")) -%}
    {%- endif -%}
{%- endmacro %}
