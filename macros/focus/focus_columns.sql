{#-
    The columns of the canonical FOCUS row, in the order marts.fct_cost_and_usage has them:
    the 57 FOCUS 1.2 Cost and Usage columns (the FOCUS 1.2 specification), the FOCUS 1.3
    columns as nullable extras, then our own x_ columns (provenance and provider ids).

    Every model in models/intermediate/focus produces exactly these columns; the union
    (int_cost_and_usage_unioned) selects them by name and casts each one to its type, so a
    model that forgets a column fails at compile time instead of shifting columns.

    Kinds: string (JSON columns are JSON object text), money (exact decimal, also used for
    quantities and unit prices), timestamp (UTC), date, integer.
-#}
{% macro focus_columns() -%}
    {{ return([
        ('AvailabilityZone', 'string'),
        ('BilledCost', 'money'),
        ('BillingAccountId', 'string'),
        ('BillingAccountName', 'string'),
        ('BillingAccountType', 'string'),
        ('BillingCurrency', 'string'),
        ('BillingPeriodEnd', 'timestamp'),
        ('BillingPeriodStart', 'timestamp'),
        ('CapacityReservationId', 'string'),
        ('CapacityReservationStatus', 'string'),
        ('ChargeCategory', 'string'),
        ('ChargeClass', 'string'),
        ('ChargeDescription', 'string'),
        ('ChargeFrequency', 'string'),
        ('ChargePeriodEnd', 'timestamp'),
        ('ChargePeriodStart', 'timestamp'),
        ('CommitmentDiscountCategory', 'string'),
        ('CommitmentDiscountId', 'string'),
        ('CommitmentDiscountName', 'string'),
        ('CommitmentDiscountQuantity', 'money'),
        ('CommitmentDiscountStatus', 'string'),
        ('CommitmentDiscountType', 'string'),
        ('CommitmentDiscountUnit', 'string'),
        ('ConsumedQuantity', 'money'),
        ('ConsumedUnit', 'string'),
        ('ContractedCost', 'money'),
        ('ContractedUnitPrice', 'money'),
        ('EffectiveCost', 'money'),
        ('InvoiceId', 'string'),
        ('InvoiceIssuerName', 'string'),
        ('ListCost', 'money'),
        ('ListUnitPrice', 'money'),
        ('PricingCategory', 'string'),
        ('PricingCurrency', 'string'),
        ('PricingCurrencyContractedUnitPrice', 'money'),
        ('PricingCurrencyEffectiveCost', 'money'),
        ('PricingCurrencyListUnitPrice', 'money'),
        ('PricingQuantity', 'money'),
        ('PricingUnit', 'string'),
        ('ProviderName', 'string'),
        ('PublisherName', 'string'),
        ('RegionId', 'string'),
        ('RegionName', 'string'),
        ('ResourceId', 'string'),
        ('ResourceName', 'string'),
        ('ResourceType', 'string'),
        ('ServiceCategory', 'string'),
        ('ServiceName', 'string'),
        ('ServiceSubcategory', 'string'),
        ('SkuId', 'string'),
        ('SkuMeter', 'string'),
        ('SkuPriceDetails', 'string'),
        ('SkuPriceId', 'string'),
        ('SubAccountId', 'string'),
        ('SubAccountName', 'string'),
        ('SubAccountType', 'string'),
        ('Tags', 'string'),
        ('ServiceProviderName', 'string'),
        ('HostProviderName', 'string'),
        ('AllocatedMethodId', 'string'),
        ('AllocatedMethodDetails', 'string'),
        ('AllocatedResourceId', 'string'),
        ('AllocatedResourceName', 'string'),
        ('AllocatedTags', 'string'),
        ('ContractApplied', 'string'),
        ('x_SourceFormat', 'string'),
        ('x_SourceFile', 'string'),
        ('x_ManifestId', 'string'),
        ('x_SourceRowNumber', 'integer'),
        ('x_RowId', 'string'),
        ('x_BillingPeriod', 'date'),
        ('x_AmortizationClass', 'string'),
        ('x_SourceChargeType', 'string'),
        ('x_ServiceCode', 'string'),
        ('x_UsageType', 'string'),
        ('x_Operation', 'string'),
        ('x_LineItemId', 'string'),
        ('x_ResourceGroupName', 'string'),
        ('x_BillingProfileId', 'string'),
        ('x_CostCategories', 'string'),
        ('x_Credits', 'string'),
        ('x_NormalizedUsageAmount', 'money'),
    ]) }}
{%- endmacro %}

{#- The adapter type of a column kind of focus_columns(). -#}
{% macro focus_data_type(kind) -%}
    {%- if kind == 'money' -%} {{ money() }}
    {%- elif kind == 'timestamp' -%} {{ dbt.type_timestamp() }}
    {%- elif kind == 'date' -%} date
    {%- elif kind == 'integer' -%} {{ dbt.type_bigint() }}
    {%- elif kind == 'string' -%} {{ dbt.type_string() }}
    {%- else -%} {{ exceptions.raise_compiler_error("focus_data_type: unknown kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}

{#- The select list of the canonical row: every column of focus_columns() cast to its type,
    under its own name. `relation` qualifies the columns when given. -#}
{% macro focus_cast_columns(relation=none) -%}
    {%- for name, kind in focus_columns() %}
    cast({{ relation ~ '.' if relation }}{{ name }} as {{ focus_data_type(kind) }}) as {{ name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The select list of the canonical row, every column under its own name, except those in
    `replacements` (column name -> expression), which take the expression's value: a model
    that derives a few FOCUS columns for every source (int_cost_and_usage_unioned) keeps
    the column order and cannot drop a column. -#}
{% macro focus_columns_replacing(replacements) -%}
    {%- for name, kind in focus_columns() %}
    {{ replacements.get(name, name) }} as {{ name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
