{#-
    create_close_state(): the schema `close` and its tables, empty until the first close.

    `finops close` (finops_warehouse/close) writes them in one transaction after the extract
    files are on disk; the close marts read them through models/staging/close. The project
    runs this on-run-start (dbt_project.yml), so they exist on a fresh warehouse before any
    month was ever closed (and before the marts' dbt unit tests, which read their columns).

    close.closed_periods  one row per closed billing month: when, where its extracts are, the
                          checksum of its manifest, the rules version.
    close.closed_ledger   what each close froze, at the grain of int_close_ledger: the closed
                          month's own rows and the adjustments it carried for earlier months
                          (BillingPeriodStart = the month the amounts belong to).
    close.closed_showback what each close froze at the extract grain (owner, cost center).
-#}
{% macro create_close_state() -%}
    {{ return(adapter.dispatch('create_close_state', 'finops')()) }}
{%- endmacro %}

{% macro default__create_close_state() -%}
    {{ unsupported_adapter('create_close_state') }}
{%- endmacro %}

{% macro duckdb__create_close_state() -%}
    {{ close_state_ddl('varchar', 'decimal(38, 10)') }}
{%- endmacro %}

{% macro bigquery__create_close_state() -%}
    {{ close_state_ddl('string', 'bignumeric') }}
{%- endmacro %}

{% macro close_state_ddl(text, money) -%}
    create schema if not exists close;
    create table if not exists close.closed_periods (
        BillingPeriodStart date not null,
        ClosedAt timestamp not null,
        ExtractDirectory {{ text }} not null,
        ManifestSha256 {{ text }} not null,
        RulesVersion {{ text }} not null
    );
    create table if not exists close.closed_ledger (
        ClosedBillingPeriodStart date not null,
        BillingPeriodStart date not null,
        BillingAccountId {{ text }},
        SubAccountId {{ text }},
        InvoiceId {{ text }},
        ServiceName {{ text }},
        ChargeCategory {{ text }},
        BillingCurrency {{ text }} not null,
        BilledCost {{ money }} not null,
        EffectiveCost {{ money }} not null
    );
    create table if not exists close.closed_showback (
        ClosedBillingPeriodStart date not null,
        BillingPeriodStart date not null,
        Owner {{ text }},
        Team {{ text }},
        BusinessUnit {{ text }},
        CostCenter {{ text }},
        Environment {{ text }},
        BillingCurrency {{ text }} not null,
        BilledCost {{ money }} not null,
        EffectiveCost {{ money }} not null
    )
{%- endmacro %}
