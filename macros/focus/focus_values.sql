{#-
    Small value helpers for the FOCUS mapping. Plain, portable SQL (CASE, NULLIF, TRIM), so
    they need no adapter.dispatch; the adapter-specific ones are in the other files here.
-#}

{#- Empty text and the literal placeholder "null" (any case) are missing values in FOCUS:
    the spec forbids placeholder strings for NULL. -#}
{% macro focus_null_placeholder(expr) -%}
    case when lower(trim({{ expr }})) in ('', 'null') then null else {{ expr }} end
{%- endmacro %}

{#- A FOCUS enumeration in the spec's spelling, whatever the case and surrounding spaces
    of the input ('usage ' -> 'Usage'). Values outside `allowed` pass unchanged, so the
    accepted_values test on the mart shows them instead of a silent NULL. `aliases` maps
    older spellings (lower case) to the current value, e.g. {'on-demand': 'Standard'}. -#}
{% macro focus_enum(expr, allowed, aliases={}) -%}
    case lower(trim({{ expr }}))
        {%- for value in allowed %}
        when '{{ value | lower }}' then '{{ value }}'
        {%- endfor %}
        {%- for alias, value in aliases.items() %}
        when '{{ alias | lower }}' then '{{ value }}'
        {%- endfor %}
        else {{ focus_null_placeholder(expr) }}
    end
{%- endmacro %}

{#- An account id that went through a spreadsheet: "123456789012.0" loses its ".0", and an
    AWS account id (12 digits) gets back the leading zeros a numeric column dropped (the
    public FOCUS sample data has 11-digit AWS SubAccountIds for that reason). Anything that
    is not all digits passes unchanged; scientific notation cannot be repaired and is kept.
    Portable: regexp_replace (one anchored match), translate and lpad behave alike on DuckDB
    and BigQuery. -#}
{% macro focus_account_id(expr, provider_expr) -%}
    {%- set digits = "regexp_replace(trim(" ~ expr ~ "), '[.]0+$', '')" -%}
    case
        when {{ focus_null_placeholder(expr) }} is null then null
        when translate({{ digits }}, '0123456789', '') = ''
            and lower(trim({{ provider_expr }})) in ('aws', 'amazon web services')
            and length({{ digits }}) between 1 and 12
            then lpad({{ digits }}, 12, '0')
        when translate({{ digits }}, '0123456789', '') = '' and length({{ digits }}) > 0
            then {{ digits }}
        else {{ expr }}
    end
{%- endmacro %}

{#- A row that measures consumption (FOCUS ConsumedQuantity, ConsumedUnit): usage that is not
    a correction (ChargeClass NULL) and not the unused part of a commitment. -#}
{% macro focus_is_consumption(charge_category, charge_class, commitment_status) -%}
    {{ charge_category }} = 'Usage'
    and {{ charge_class }} is null
    and coalesce({{ commitment_status }}, '') != 'Unused'
{%- endmacro %}
