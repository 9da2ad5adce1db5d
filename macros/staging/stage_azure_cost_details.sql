{#
  Azure cost details (actual and amortized share one header): the rename and cast of
  stg_azure__actual_cost and stg_azure__amortized_cost, over the raw table each one passes.
  EA, MCA, C360 and legacy headers spell some columns differently; each logical column is
  the coalesce of its spellings (only one is present in a file). Dates MM/DD/YYYY or ISO.
#}
{% macro stage_azure_cost_details(source_relation) %}
with source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        -- billing account and invoice
        BillingAccountId as billing_account_id,
        BillingAccountName as billing_account_name,
        BillingProfileId as billing_profile_id,
        BillingProfileName as billing_profile_name,
        InvoiceSectionId as invoice_section_id,
        coalesce(InvoiceSectionName, InvoiceSection, DepartmentName) as invoice_section_name,
        AccountId as account_id,
        AccountName as account_name,
        AccountOwnerId as account_owner_id,
        CostCenter as cost_center,
        invoiceId as invoice_id,
        previousInvoiceId as previous_invoice_id,
        resellerName as reseller_name,
        resellerMpnId as reseller_mpn_id,
        {{ parse_date('BillingPeriodStartDate') }} as billing_period_start_date,
        {{ parse_date('BillingPeriodEndDate') }} as billing_period_end_date,
        -- subscription and resource
        coalesce(SubscriptionId, SubscriptionGuid) as subscription_id,
        SubscriptionName as subscription_name,
        coalesce(ResourceGroup, resourceGroupName) as resource_group,
        coalesce(ResourceId, InstanceId, InstanceName) as resource_id,
        ResourceName as resource_name,
        ResourceLocation as resource_location,
        ResourceLocationNormalized as resource_location_normalized,
        location,
        AvailabilityZone as availability_zone,
        ConsumedService as consumed_service,
        case
            when trim(Tags) = '' then null
            when left(trim(Tags), 1) = '{' then trim(Tags)
            else concat('{', trim(Tags), '}')
        end as tags,
        AdditionalInfo as additional_info,
        ServiceInfo1 as service_info_1,
        ServiceInfo2 as service_info_2,
        -- charge
        {{ parse_date('coalesce(Date, UsageDateTime)') }} as usage_date,
        {{ parse_date('servicePeriodStartDate') }} as service_period_start_date,
        {{ parse_date('servicePeriodEndDate') }} as service_period_end_date,
        ChargeType as charge_type,
        Frequency as frequency,
        PricingModel as pricing_model,
        Term as term,
        PublisherType as publisher_type,
        PublisherName as publisher_name,
        publisherId as publisher_id,
        provider,
        cast(IsAzureCreditEligible as {{ dbt.type_boolean() }}) as is_azure_credit_eligible,
        CostAllocationRuleName as cost_allocation_rule_name,
        -- commitment (reservation or savings plan)
        benefitId as benefit_id,
        benefitName as benefit_name,
        ReservationId as reservation_id,
        ReservationName as reservation_name,
        ProductOrderId as product_order_id,
        ProductOrderName as product_order_name,
        -- meter and product
        MeterId as meter_id,
        MeterName as meter_name,
        MeterCategory as meter_category,
        MeterSubCategory as meter_subcategory,
        MeterRegion as meter_region,
        ServiceFamily as service_family,
        ServiceName as service_name,
        ServiceTier as service_tier,
        coalesce(ProductName, Product) as product_name,
        ProductId as product_id,
        OfferId as offer_id,
        PartNumber as part_number,
        PlanName as plan_name,
        UnitOfMeasure as unit_of_measure,
        -- quantities, prices and costs (exact decimal)
        cast(coalesce(Quantity, UsageQuantity) as {{ money() }}) as quantity,
        cast(EffectivePrice as {{ money() }}) as effective_price,
        cast(UnitPrice as {{ money() }}) as unit_price,
        cast(PayGPrice as {{ money() }}) as payg_price,
        cast(ResourceRate as {{ money() }}) as resource_rate,
        cast(coalesce(CostInBillingCurrency, Cost, PreTaxCost) as {{ money() }})
            as cost_in_billing_currency,
        coalesce(BillingCurrencyCode, BillingCurrency, Currency) as billing_currency_code,
        cast(paygCostInBillingCurrency as {{ money() }}) as payg_cost_in_billing_currency,
        pricingCurrency as pricing_currency,
        cast(costInPricingCurrency as {{ money() }}) as cost_in_pricing_currency,
        cast(costInUsd as {{ money() }}) as cost_in_usd,
        cast(paygCostInUsd as {{ money() }}) as payg_cost_in_usd,
        cast(exchangeRatePricingToBilling as {{ money() }}) as exchange_rate_pricing_to_billing,
        {{ parse_date('exchangeRateDate') }} as exchange_rate_date,
        -- ingestion metadata, names kept from raw (docs/dbt.md)
        _manifest_id,
        _source_file,
        _row_number,
        _billing_account_id,
        _billing_period,
        _provider,
        _delivery_id,
        _loaded_at

    from source

)

select * from renamed
{% endmacro %}
