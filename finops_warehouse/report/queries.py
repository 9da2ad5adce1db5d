"""The report's questions to the warehouse: one set-based query each, on the marts.

Every query takes the billing month (`month`, its first day) and answers with records (dicts by
column name), money as Decimal in its billing currency. Months are matched on the marts' date
columns (x_BillingPeriod in the FOCUS mart, BillingMonth elsewhere), never on
BillingPeriodStart, which is a Pacific-time instant for GCP.
"""

from __future__ import annotations

import datetime as dt

import duckdb

Record = dict[str, object]


def records(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> list[Record]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def billing_months(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Every billing month the FOCUS mart holds, oldest first."""
    rows = con.execute(
        "select distinct x_BillingPeriod from marts.fct_cost_and_usage order by 1"
    ).fetchall()
    return [row[0] for row in rows]


def period_status(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Each billing account's state of the month: Open or Closed, invoices, freshness."""
    return records(
        con,
        """
        select ProviderName, BillingAccountId, Status, LastDeliveryAt, DaysOfUsagePresent,
               DaysInPeriod, Invoices, InvoicesMatched, IsHeldBack, HeldBackFiles, ClosedAt
        from marts.dim_billing_period
        where BillingMonth = $month
        order by ProviderName, BillingAccountId
        """,
        month=month,
    )


def spend_by_provider(
    con: duckdb.DuckDBPyConnection, month: dt.date, previous: dt.date
) -> list[Record]:
    """Billed and amortized (effective) cost per provider and currency, this month and the one
    before."""
    return records(
        con,
        """
        select
            ProviderName,
            BillingCurrency,
            coalesce(sum(BilledCost) filter (where x_BillingPeriod = $month), 0) as BilledCost,
            coalesce(sum(EffectiveCost) filter (where x_BillingPeriod = $month), 0)
                as EffectiveCost,
            coalesce(sum(BilledCost) filter (where x_BillingPeriod = $previous), 0)
                as PreviousBilledCost,
            coalesce(sum(EffectiveCost) filter (where x_BillingPeriod = $previous), 0)
                as PreviousEffectiveCost
        from marts.fct_cost_and_usage
        where x_BillingPeriod in ($month, $previous)
        group by all
        order by BillingCurrency, ProviderName
        """,
        month=month,
        previous=previous,
    )


def spend_totals(con: duckdb.DuckDBPyConnection, month: dt.date, previous: dt.date) -> list[Record]:
    """The month's billed and amortized totals, one row per currency."""
    return records(
        con,
        """
        select
            BillingCurrency,
            coalesce(sum(BilledCost) filter (where x_BillingPeriod = $month), 0) as BilledCost,
            coalesce(sum(EffectiveCost) filter (where x_BillingPeriod = $month), 0)
                as EffectiveCost,
            coalesce(sum(EffectiveCost) filter (where x_BillingPeriod = $previous), 0)
                as PreviousEffectiveCost
        from marts.fct_cost_and_usage
        where x_BillingPeriod in ($month, $previous)
        group by all
        order by BillingCurrency
        """,
        month=month,
        previous=previous,
    )


def reporting_currency_totals(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """The month's billed and amortized totals per billing currency, with the rate into the
    reporting currency, its date and the converted totals (fct_showback_monthly)."""
    return records(
        con,
        """
        select
            BillingCurrency, ReportingCurrency, ExchangeRate, ExchangeRateDate,
            sum(BilledCost) as BilledCost, sum(EffectiveCost) as EffectiveCost,
            sum(BilledCostInReportingCurrency) as BilledCostInReportingCurrency,
            sum(EffectiveCostInReportingCurrency) as EffectiveCostInReportingCurrency
        from marts.fct_showback_monthly
        where BillingMonth = $month
        group by all
        order by BillingCurrency
        """,
        month=month,
    )


def spend_by_service(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """The month's billed and amortized cost per service and currency, largest first."""
    return records(
        con,
        """
        select ProviderName, ServiceName, BillingCurrency,
               sum(BilledCost) as BilledCost, sum(EffectiveCost) as EffectiveCost
        from marts.fct_cost_and_usage
        where x_BillingPeriod = $month
        group by all
        order by BillingCurrency, EffectiveCost desc, ProviderName, ServiceName
        """,
        month=month,
    )


def monthly_trend(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Billed and amortized cost per month and currency, up to this month."""
    return records(
        con,
        """
        select x_BillingPeriod as BillingMonth, BillingCurrency,
               sum(BilledCost) as BilledCost, sum(EffectiveCost) as EffectiveCost
        from marts.fct_cost_and_usage
        where x_BillingPeriod <= $month
        group by all
        order by BillingCurrency, BillingMonth
        """,
        month=month,
    )


def top_movers(
    con: duckdb.DuckDBPyConnection, month: dt.date, previous: dt.date, limit: int = 10
) -> list[Record]:
    """The largest changes of amortized cost against the month before, by service and by sub
    account, `limit` per currency, largest absolute change first."""
    return records(
        con,
        """
        with charges as (
            select
                x_BillingPeriod, ProviderName, BillingCurrency, EffectiveCost,
                'service' as Dimension,
                ServiceName as Name
            from marts.fct_cost_and_usage
            where x_BillingPeriod in ($month, $previous)
            union all
            select
                x_BillingPeriod, ProviderName, BillingCurrency, EffectiveCost,
                'sub account',
                coalesce(SubAccountName, SubAccountId, '(no sub account)')
            from marts.fct_cost_and_usage
            where x_BillingPeriod in ($month, $previous)
        ),

        compared as (
            select
                Dimension, ProviderName, Name, BillingCurrency,
                coalesce(sum(EffectiveCost) filter (where x_BillingPeriod = $month), 0)
                    as EffectiveCost,
                coalesce(sum(EffectiveCost) filter (where x_BillingPeriod = $previous), 0)
                    as PreviousEffectiveCost
            from charges
            group by all
        )

        select *, EffectiveCost - PreviousEffectiveCost as Change
        from compared
        where EffectiveCost <> PreviousEffectiveCost
        qualify row_number() over (
            partition by Dimension, BillingCurrency
            order by abs(Change) desc, ProviderName, Name
        ) <= $limit
        order by Dimension, BillingCurrency, abs(Change) desc, ProviderName, Name
        """,
        month=month,
        previous=previous,
        limit=limit,
    )


def anomalies(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """The cost anomalies whose days overlap the month, largest impact first per currency."""
    return records(
        con,
        """
        select ProviderName, ServiceName, coalesce(SubAccountId, '') as SubAccountId,
               coalesce(Owner, '(unallocated)') as Owner, FirstDay, LastDay, Status,
               BillingCurrency, Impact, ImpactPercent, Explanation
        from marts.fct_cost_anomaly
        where FirstDay < $month + interval 1 month and LastDay >= $month
        order by BillingCurrency, Impact desc, AnomalyId
        """,
        month=month,
    )


def commitment_utilization(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Each commitment's used and unused amount and utilization in the month."""
    return records(
        con,
        """
        select u.ProviderName, u.CommitmentDiscountId,
               coalesce(c.CommitmentName, u.CommitmentDiscountId) as CommitmentName,
               u.BillingCurrency, u.UsedAmount, u.UnusedAmount, u.Utilization
        from marts.fct_commitment_utilization_monthly as u
        left join marts.dim_commitment as c using (CommitmentDiscountId)
        where u.BillingMonth = $month
        order by u.BillingCurrency, u.Utilization, u.CommitmentDiscountId
        """,
        month=month,
    )


def commitment_coverage(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Share of commitment-eligible on-demand-equivalent cost the commitments covered, per
    provider and currency, over the month's charge days."""
    return records(
        con,
        """
        select ProviderName, BillingCurrency,
               sum(EligibleCost) as EligibleCost, sum(CoveredCost) as CoveredCost,
               sum(CoveredCost) / nullif(sum(EligibleCost), 0) as Coverage
        from marts.fct_commitment_coverage_daily
        where date_trunc('month', ChargeDate) = $month
        group by all
        order by BillingCurrency, ProviderName
        """,
        month=month,
    )


def commitment_savings(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Negotiated and commitment savings and the effective savings rate (total savings / list
    cost), per provider and currency."""
    return records(
        con,
        """
        select ProviderName, BillingCurrency,
               sum(ListCost) as ListCost, sum(EffectiveCost) as EffectiveCost,
               sum(NegotiatedSavings) as NegotiatedSavings,
               sum(CommitmentSavings) as CommitmentSavings,
               sum(TotalSavings) as TotalSavings,
               sum(TotalSavings) / nullif(sum(ListCost), 0) as EffectiveSavingsRate
        from marts.fct_commitment_savings_monthly
        where BillingMonth = $month
        group by all
        order by BillingCurrency, ProviderName
        """,
        month=month,
    )


def commitment_expiries(con: duckdb.DuckDBPyConnection) -> list[Record]:
    """Commitments whose term ends within the expiry window after the data's last day."""
    return records(
        con,
        """
        select ProviderName, CommitmentName, CommitmentDiscountType, BillingCurrency,
               CommitmentEnd, AsOfDate, DaysToExpiry, IsAutoRenew, CoveredCostLast30Days
        from marts.fct_commitment_expiry
        order by CommitmentEnd, CommitmentName
        """,
    )


def purchase_recommendations(con: duckdb.DuckDBPyConnection) -> list[Record]:
    """The recommended hourly commitment per eligible scope, largest expected saving first."""
    return records(
        con,
        """
        select ProviderName, BillingAccountId, ServiceName, RegionId, InstanceFamily,
               BillingCurrency, HourlyCommitment, ExpectedNetSavings, ExpectedUtilization,
               LookbackHours
        from marts.fct_commitment_purchase_recommendation
        where HourlyCommitment > 0
        order by BillingCurrency, ExpectedNetSavings desc, ProviderName, ServiceName
        """,
    )


def showback(con: duckdb.DuckDBPyConnection, month: dt.date, by: str) -> list[Record]:
    """Amortized and billed cost after allocation, per `by` (CostCenter or Owner) and
    currency, largest first."""
    if by not in ("CostCenter", "Owner"):
        raise ValueError(f"showback by {by!r}: CostCenter or Owner")
    return records(
        con,
        f"""
        select {by}, BillingCurrency,
               sum(EffectiveCost) as EffectiveCost, sum(BilledCost) as BilledCost
        from marts.fct_showback_monthly
        where BillingMonth = $month
        group by all
        order by BillingCurrency, EffectiveCost desc, {by}
        """,
        month=month,
    )


def allocation_kpis(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """The month's allocation KPIs: coverage, unallocated cost and tag compliance."""
    return records(
        con,
        """
        select ProviderName, BillingCurrency, KpiName, KpiDimension, KpiUnit, KpiValue
        from marts.kpi_finops_monthly
        where BillingMonth = $month and KpiFamily = 'allocation'
        order by KpiName, KpiDimension, BillingCurrency, ProviderName
        """,
        month=month,
    )


def unit_cost_daily(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Trailing 7-day unit cost per unit metric and currency, every day up to the month's end."""
    return records(
        con,
        """
        select MetricDate, UnitMetricId, UnitName, BillingCurrency, TrailingUnitCost7d
        from marts.fct_unit_cost_daily
        where MetricDate < $month + interval 1 month and TrailingUnitCost7d is not null
        order by UnitMetricId, BillingCurrency, MetricDate
        """,
        month=month,
    )


def unit_cost_monthly(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """The month's unit cost per unit metric and its change against the month before."""
    return records(
        con,
        """
        select KpiDimension as UnitMetricId, BillingCurrency,
               max(KpiValue) filter (where KpiName = 'unit_cost') as UnitCost,
               max(KpiValue) filter (where KpiName = 'unit_cost_change') as UnitCostChange
        from marts.kpi_finops_monthly
        where BillingMonth = $month and KpiFamily = 'unit_economics'
        group by all
        order by UnitMetricId, BillingCurrency
        """,
        month=month,
    )


def invoice_reconciliation(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Each invoice of the month against Σ BilledCost of its charges, and its status."""
    return records(
        con,
        """
        select RecordType, InvoiceId, InvoiceIssuerName, BillingAccountId, BillingCurrency,
               InvoiceTotal, BilledCost, Variance, Tolerance, Status
        from marts.fct_invoice_reconciliation
        where BillingMonth = $month
        order by BillingCurrency, InvoiceIssuerName, InvoiceId, RecordType
        """,
        month=month,
    )


def files_of_month(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Record]:
    """Landing files that carry data of the month, per format and ingest status."""
    return records(
        con,
        """
        with of_month as (
            select manifest_id from raw.ingest_partitions where billing_period = $month
            union
            select manifest_id from raw.ingest_manifest where billing_period = $month
        )

        select m.format, m.status, count(*) as files, sum(m.rows) as rows,
               max(coalesce(m.delivered_at, m.loaded_at)) as LastDeliveredAt
        from raw.ingest_manifest as m
        where m.manifest_id in (select manifest_id from of_month)
        group by all
        order by m.format, m.status
        """,
        month=month,
    )


def quarantined_files(con: duckdb.DuckDBPyConnection) -> list[Record]:
    """Every landing file ingest refused (of any month: a refused file may name none)."""
    return records(
        con,
        """
        select path, format, billing_period, loaded_at, error
        from raw.ingest_manifest
        where status = 'quarantined'
        order by loaded_at, path
        """,
    )
