"""Cost anomalies as a non-blocking asset check on marts/fct_cost_anomaly.

The check runs after dbt built the mart (it reads the warehouse, so dbt must have let go of
it) and warns while an anomaly is new or ongoing; its metadata lists them for drill-down.
"""

from __future__ import annotations

import dagster as dg

from finops_warehouse.orchestration.resources import WarehouseSettings
from finops_warehouse.warehouse_connection import connect

ANOMALY_KEY = dg.AssetKey(["marts", "fct_cost_anomaly"])
ANOMALY_CHECK = "no_open_cost_anomalies"

# Open anomalies, largest impact first, with the resource that rose most.
OPEN_ANOMALIES = """
select
    a.Status, a.ProviderName, a.SubAccountId, a.ServiceName, a.Owner, a.FirstDay, a.LastDay,
    a.Impact, a.BillingCurrency, a.ImpactPercent, a.Explanation, c.Cause as TopResource
from marts.fct_cost_anomaly as a
left join marts.fct_cost_anomaly_cause as c
    on a.AnomalyId = c.AnomalyId and c.CauseType = 'resource' and c.CauseRank = 1
where a.Status in ('new', 'ongoing')
order by a.Impact desc, a.AnomalyId
"""
COLUMNS = [
    "status",
    "provider",
    "sub_account",
    "service",
    "owner",
    "first_day",
    "last_day",
    "impact",
    "currency",
    "impact_percent",
    "explanation",
    "top_resource",
]


def open_anomalies(con) -> list[dict]:
    """The new and ongoing anomalies of the warehouse, largest impact first."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in con.execute(OPEN_ANOMALIES).fetchall()]


def describe(anomalies: list[dict]) -> str:
    """One line: how many are new and ongoing, and the largest."""
    if not anomalies:
        return "anomalies: none new or ongoing"
    new = sum(a["status"] == "new" for a in anomalies)
    top = anomalies[0]
    return (
        f"anomalies: {new} new, {len(anomalies) - new} ongoing (largest: {top['service']} in "
        f"{top['sub_account']} +{top['impact']:.2f} {top['currency']} since {top['first_day']}, "
        f"{top['explanation']}; marts.fct_cost_anomaly)"
    )


@dg.asset_check(
    asset=ANOMALY_KEY,
    name=ANOMALY_CHECK,
    blocking=False,
    description=(
        "No cost anomaly is new or ongoing (WARN otherwise, never blocking): the metadata lists "
        "each with its impact, explanation and the resource that rose most."
    ),
)
def no_open_cost_anomalies(settings: WarehouseSettings) -> dg.AssetCheckResult:
    with connect(settings.warehouse_path, read_only=True) as con:
        anomalies = open_anomalies(con)
    rows = ["| " + " | ".join(str(a[c]) for c in COLUMNS) + " |" for a in anomalies]
    table = "\n".join(["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS), *rows])
    return dg.AssetCheckResult(
        passed=not anomalies,
        severity=dg.AssetCheckSeverity.WARN,
        description=describe(anomalies),
        metadata={
            "open_anomalies": len(anomalies),
            "anomalies": dg.MetadataValue.md(table),
            "drill_down": dg.MetadataValue.md(
                "root causes: `marts.fct_cost_anomaly_cause` (by AnomalyId); the judged days: "
                "`intermediate.int_cost_anomaly_days` (by SeriesId, ChargeDate)"
            ),
        },
    )
