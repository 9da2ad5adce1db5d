{#-
    Custom schema names are used as they are: `+schema: staging` builds into `staging`, not
    `<target schema>_staging`. Architecture fixes the schema names (raw, staging, intermediate,
    marts); on BigQuery each one is a dataset of that name. Models without a custom schema land
    in the target's own schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
