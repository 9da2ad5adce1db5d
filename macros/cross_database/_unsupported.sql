{#- Raised by the default__ implementation of every cross-database macro, so a new adapter
    fails at compile time with the macro's name instead of running SQL meant for another engine. -#}
{% macro unsupported_adapter(macro_name) -%}
    {{ exceptions.raise_compiler_error(
        macro_name ~ "() has no implementation for adapter '" ~ target.type
        ~ "': add " ~ target.type ~ "__" ~ macro_name ~ " in macros/cross_database/"
    ) }}
{%- endmacro %}
