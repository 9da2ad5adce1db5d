{#-
    Vocabulary helpers of the FOCUS mapping (docs/focus-mapping.md, "Vocabularies").

    focus_is_unit_format(expr): true when `expr` reads as a FOCUS unit-format value: an
    optional block size, one base unit or two joined by "-" (compound), optionally "/" and a
    denominator with its own optional quantity (ratio), e.g. "Hours", "GB-Months",
    "1000 Requests", "Units/3 Months". Base units are capitalised nouns (data sizes such as GB,
    GiB and the bit "b" included; vCPU is written so by every provider). Provider
    abbreviations of time the spec does not allow (Hrs, Mo, Min, Sec, Yr) are refused, so
    "GB-Mo" is not taken for a unit. Used on FOCUS files only: the provider exports are
    mapped through the seed unit_mappings. Both patterns are literals; focus_regexp_group
    (macros/focus/resource_kind.sql) runs them on DuckDB and BigQuery alike.
-#}
{% macro focus_is_unit_format(expr) -%}
    {#- one capture group each (focus_regexp_group); the inner groups do not capture -#}
    {%- set base = "(?:[A-Z][A-Za-z0-9]*|b|vCPUs?)" -%}
    {%- set term = "(?:[1-9][0-9]* )?" ~ base ~ "(?:-" ~ base ~ ")?" -%}
    {%- set grammar = "^(" ~ term ~ "(?:/" ~ term ~ ")?)$" -%}
    {%- set abbreviations = "(?:^|[- /])(Hrs?|Mos?|Mins?|Secs?|Yrs?|Mths?)(?:$|[- /])" -%}
    (
        {{ focus_regexp_group(expr, grammar) }} is not null
        and {{ focus_regexp_group(expr, abbreviations) }} is null
    )
{%- endmacro %}


{#- The seed unit_mappings' provider for a FOCUS file's ProviderName (NULL for any other
    provider: its units are only checked against the unit format). -#}
{% macro focus_unit_provider(provider_expr) -%}
    case
        when lower(trim({{ provider_expr }})) in ('aws', 'amazon web services') then 'AWS'
        when lower(trim({{ provider_expr }})) like 'microsoft%' then 'Microsoft'
        when lower(trim({{ provider_expr }})) like 'google%' then 'Google Cloud'
    end
{%- endmacro %}
