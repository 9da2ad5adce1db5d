-- Every invoice against Σ BilledCost of its rows (FOCUS: Σ BilledCost per InvoiceId = the
-- invoice), the invoices of both invoice inputs (int_invoice_totals). Rows without an
-- InvoiceId are matched on billing account x billing month x currency. A closed month keeps
-- its row with what its close froze; a later change of it is also shown, as an `adjustment`
-- row, in the month that carries it (docs/close.md).

with ledger as (

    select * from {{ ref('int_close_ledger') }}

),

invoice_files as (

    select * from {{ ref('int_invoice_totals') }}

),

tolerances as (

    select * from {{ ref('reconciliation_tolerances') }}

),

closed_periods as (

    select * from {{ ref('stg_close__closed_periods') }}

),

closed_ledger as (

    select * from {{ ref('stg_close__closed_ledger') }}

),

adjustments as (

    select * from {{ ref('fct_close_adjustments') }}

),

-- Billed rows of a month without an invoice id fall back to the account x month x currency key.
ledger_keyed as (

    select
        *,
        coalesce(
            InvoiceId,
            {{ close_fallback_key('BillingAccountId', 'BillingPeriodStart', 'BillingCurrency') }}
        ) as ReconciliationKey
    from ledger

),

billed as (

    select
        ReconciliationKey,
        BillingCurrency,
        min(InvoiceId) as InvoiceId,
        min(BillingPeriodStart) as BillingPeriodStart,
        min(BillingAccountId) as BillingAccountId,
        sum(BilledCost) as BilledCost
    from ledger_keyed
    group by ReconciliationKey, BillingCurrency

),

billed_without_invoice_id as (

    select billed.ReconciliationKey from billed
    where billed.InvoiceId is null

),

billed_invoice_ids as (

    select billed.InvoiceId from billed
    where billed.InvoiceId is not null

),

invoices as (

    select
        -- An invoice whose id no row carries is matched on the fallback key, when rows
        -- without an invoice id exist for its account, month and currency.
        case
            when
                {{ close_fallback_key(
                    'BillingAccountId', 'BillingPeriodStart', 'BillingCurrency'
                ) }}
                in (
                    select billed_without_invoice_id.ReconciliationKey
                    from billed_without_invoice_id
                )
                and InvoiceId not in (select billed_invoice_ids.InvoiceId from billed_invoice_ids)
                then {{ close_fallback_key(
                    'BillingAccountId', 'BillingPeriodStart', 'BillingCurrency'
                ) }}
            else InvoiceId
        end as ReconciliationKey,
        InvoiceId,
        InvoiceIssuerName,
        BillingAccountId,
        BillingPeriodStart,
        BillingCurrency,
        InvoiceTotal,
        InvoiceSourceFile
    from invoice_files

),

invoice_totals as (

    select
        ReconciliationKey,
        BillingCurrency,
        min(InvoiceId) as InvoiceId,
        min(InvoiceIssuerName) as InvoiceIssuerName,
        min(BillingAccountId) as BillingAccountId,
        min(BillingPeriodStart) as BillingPeriodStart,
        sum(InvoiceTotal) as InvoiceTotal,
        max(InvoiceSourceFile) as InvoiceSourceFile
    from invoices
    group by ReconciliationKey, BillingCurrency

),

matched as (

    select
        coalesce(billed.ReconciliationKey, invoice_totals.ReconciliationKey) as ReconciliationKey,
        coalesce(invoice_totals.InvoiceId, billed.InvoiceId) as InvoiceId,
        invoice_totals.InvoiceIssuerName,
        coalesce(invoice_totals.BillingPeriodStart, billed.BillingPeriodStart)
            as BillingPeriodStart,
        coalesce(invoice_totals.BillingAccountId, billed.BillingAccountId) as BillingAccountId,
        coalesce(invoice_totals.BillingCurrency, billed.BillingCurrency) as BillingCurrency,
        invoice_totals.InvoiceTotal,
        billed.BilledCost,
        invoice_totals.InvoiceSourceFile
    from billed
    full outer join invoice_totals
        on
            billed.ReconciliationKey = invoice_totals.ReconciliationKey
            and billed.BillingCurrency = invoice_totals.BillingCurrency

),

-- What each close froze for its own month, per reconciliation key.
closed_own_keyed as (

    select
        BillingCurrency,
        BilledCost,
        coalesce(
            InvoiceId,
            {{ close_fallback_key('BillingAccountId', 'BillingPeriodStart', 'BillingCurrency') }}
        ) as ReconciliationKey
    from closed_ledger
    where ClosedBillingPeriodStart = BillingPeriodStart

),

closed_own as (

    select
        ReconciliationKey,
        BillingCurrency,
        sum(BilledCost) as ClosedBilledCost
    from closed_own_keyed
    group by ReconciliationKey, BillingCurrency

),

-- Changes of closed months: carried by a later close (frozen) or waiting in the next open month.
carried as (

    select
        ClosedBillingPeriodStart as AdjustmentBillingPeriodStart,
        BillingPeriodStart as CorrectsBillingPeriodStart,
        BillingAccountId,
        InvoiceId,
        BillingCurrency,
        BilledCost as AdjustmentBilledCost
    from closed_ledger
    where ClosedBillingPeriodStart != BillingPeriodStart

    union all

    select
        AdjustmentBillingPeriodStart,
        CorrectsBillingPeriodStart,
        BillingAccountId,
        InvoiceId,
        BillingCurrency,
        AdjustmentBilledCost
    from adjustments

),

carried_keyed as (

    select
        *,
        coalesce(
            InvoiceId,
            {{ close_fallback_key(
                'BillingAccountId', 'CorrectsBillingPeriodStart', 'BillingCurrency'
            ) }}
        ) as ReconciliationKey
    from carried

),

carried_by_key as (

    select
        AdjustmentBillingPeriodStart,
        CorrectsBillingPeriodStart,
        ReconciliationKey,
        BillingCurrency,
        min(InvoiceId) as InvoiceId,
        min(BillingAccountId) as BillingAccountId,
        sum(AdjustmentBilledCost) as AdjustmentBilledCost
    from carried_keyed
    group by
        AdjustmentBillingPeriodStart,
        CorrectsBillingPeriodStart,
        ReconciliationKey,
        BillingCurrency

),

carried_out as (

    select
        CorrectsBillingPeriodStart,
        ReconciliationKey,
        BillingCurrency,
        max(AdjustmentBillingPeriodStart) as AdjustmentBillingPeriodStart
    from carried_by_key
    group by CorrectsBillingPeriodStart, ReconciliationKey, BillingCurrency

),

invoice_rows as (

    select
        matched.BillingPeriodStart,
        'invoice' as RecordType,
        matched.ReconciliationKey,
        matched.InvoiceId,
        matched.InvoiceIssuerName,
        matched.BillingAccountId,
        matched.BillingCurrency,
        matched.InvoiceTotal,
        matched.BilledCost,
        closed_own.ClosedBilledCost,
        case
            when closed_periods.BillingPeriodStart is not null
                then coalesce(matched.BilledCost, 0) - coalesce(closed_own.ClosedBilledCost, 0)
        end as AdjustmentBilledCost,
        cast(null as date) as CorrectsBillingPeriodStart,
        carried_out.AdjustmentBillingPeriodStart,
        matched.InvoiceSourceFile
    from matched
    left join closed_periods
        on matched.BillingPeriodStart = closed_periods.BillingPeriodStart
    left join closed_own
        on
            matched.ReconciliationKey = closed_own.ReconciliationKey
            and matched.BillingCurrency = closed_own.BillingCurrency
            and closed_periods.BillingPeriodStart is not null
    left join carried_out
        on
            matched.BillingPeriodStart = carried_out.CorrectsBillingPeriodStart
            and matched.ReconciliationKey = carried_out.ReconciliationKey
            and matched.BillingCurrency = carried_out.BillingCurrency

),

adjustment_rows as (

    select
        AdjustmentBillingPeriodStart as BillingPeriodStart,
        'adjustment' as RecordType,
        ReconciliationKey,
        InvoiceId,
        cast(null as {{ dbt.type_string() }}) as InvoiceIssuerName,
        BillingAccountId,
        BillingCurrency,
        cast(null as {{ money() }}) as InvoiceTotal,
        cast(null as {{ money() }}) as BilledCost,
        cast(null as {{ money() }}) as ClosedBilledCost,
        AdjustmentBilledCost,
        CorrectsBillingPeriodStart,
        AdjustmentBillingPeriodStart,
        cast(null as {{ dbt.type_string() }}) as InvoiceSourceFile
    from carried_by_key

),

unioned as (

    select * from invoice_rows
    union all
    select * from adjustment_rows

),

default_tolerance as (

    select tolerances.tolerance from tolerances
    where tolerances.billing_account_id is null

),

with_tolerance as (

    select
        unioned.*,
        coalesce(account_tolerance.tolerance, default_tolerance.tolerance) as Tolerance
    from unioned
    left join tolerances as account_tolerance
        on unioned.BillingAccountId = account_tolerance.billing_account_id
    cross join default_tolerance

),

reconciled as (

    select
        BillingPeriodStart,
        BillingPeriodStart as BillingMonth,
        RecordType,
        ReconciliationKey,
        InvoiceId,
        InvoiceIssuerName,
        BillingAccountId,
        BillingCurrency,
        cast(InvoiceTotal as {{ money() }}) as InvoiceTotal,
        cast(BilledCost as {{ money() }}) as BilledCost,
        cast(BilledCost - InvoiceTotal as {{ money() }}) as Variance,
        cast(Tolerance as {{ money() }}) as Tolerance,
        case
            when RecordType = 'adjustment' then 'adjustment'
            when InvoiceTotal is null then 'invoice_missing'
            when BilledCost is null then 'data_missing'
            when abs(BilledCost - InvoiceTotal) <= Tolerance then 'matched'
            else 'out_of_tolerance'
        end as Status,
        cast(ClosedBilledCost as {{ money() }}) as ClosedBilledCost,
        cast(AdjustmentBilledCost as {{ money() }}) as AdjustmentBilledCost,
        CorrectsBillingPeriodStart,
        AdjustmentBillingPeriodStart,
        InvoiceSourceFile
    from with_tolerance

)

-- The rule the run summary warns by: an open month with an invoice that does not match
-- cannot be closed (`finops close` refuses it).
select
    reconciled.*,
    (
        reconciled.RecordType = 'invoice'
        and reconciled.Status != 'matched'
        and closed_periods.BillingPeriodStart is null
    ) as BlocksClose
from reconciled
left join closed_periods
    on reconciled.BillingPeriodStart = closed_periods.BillingPeriodStart
