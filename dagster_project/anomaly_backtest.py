"""Score anomaly detection against the changes the generator injected (its ground truth).

int_cost_anomaly_days judges every day from the days before it only, so the warehouse holds
the day-by-day replay already; this compares its anomalies with ``ground_truth.json``'s
``spikes`` and ``level_changes``: recall, days to detect and the named root cause per kind,
and the precision of all anomalies. docs/anomalies.md gives the demo's figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KINDS = ("spike", "step", "drift")


@dataclass
class Injection:
    kind: str
    billing_account_id: str
    resource_id: str
    first_day: dt.date
    extra_cost: Decimal
    series: str | None = None
    judged: bool = False
    """The series had the minimum history on the first day."""
    above_floors: bool = False
    """The first day's extra cost clears the money and the percent floor (spikes, steps)."""
    detected_on: dt.date | None = None
    top_resource: str | None = None
    cause_named: bool = False


@dataclass
class Backtest:
    injections: list[Injection] = field(default_factory=list)
    anomalies: int = 0
    matched_anomalies: int = 0

    @property
    def precision(self) -> Decimal | None:
        return _ratio(self.matched_anomalies, self.anomalies)

    def by_kind(self, kind: str) -> dict[str, Any]:
        """Counts, recall (of the judged injections above the floors), days to detect."""
        of_kind = [i for i in self.injections if i.kind == kind]
        scored = [i for i in of_kind if i.judged and (i.above_floors or kind == "drift")]
        found = [i for i in scored if i.detected_on is not None]
        delays = [(i.detected_on - i.first_day).days for i in found]
        return {
            "injected": len(of_kind),
            "scored": len(scored),
            "detected": len(found),
            "recall": _ratio(len(found), len(scored)),
            "days_to_detect": delays,
            "cause_named": sum(i.cause_named for i in found),
        }


def _ratio(a: int, b: int) -> Decimal | None:
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.001")) if b else None


def injections(truth: dict[str, Any]) -> list[Injection]:
    """Spikes, steps and drifts of the ground truth, one per change (a step that runs over two
    billing months has a record per month)."""
    out: dict[tuple, Injection] = {}
    for record in [*truth["spikes"], *truth.get("level_changes", [])]:
        key = (record["kind"], record["billing_account_id"], record["resource_id"], record["date"])
        if key not in out:
            out[key] = Injection(
                record["kind"],
                record["billing_account_id"],
                record["resource_id"],
                dt.date.fromisoformat(record["date"]),
                Decimal(0),
            )
        out[key].extra_cost += Decimal(record["extra_cost"])
    return sorted(out.values(), key=lambda i: (i.kind, i.first_day, i.resource_id))


# The series of a resource: its ResourceId (Azure ids lower-cased by FOCUS), or, for charges
# without a resource id, the generator's "<project>/<service>". A resource billed under two
# services (an instance and its data transfer) is put in the one where its cost rose most from
# the day before the change to its first day: where the extra usage landed.
SERIES_OF = """
select SeriesId
from intermediate.int_cost_anomaly_usage
where BillingAccountId = $account
    and (lower(ResourceId) = lower($resource) or concat(SubAccountId, '/', ServiceName) = $resource)
    and ChargeDate in ($day, $day - 1)
group by SeriesId
order by sum(case when ChargeDate = $day then EffectiveCost else -EffectiveCost end) desc
limit 1
"""
DAY = """
select HasHistory, ExpectedCost from intermediate.int_cost_anomaly_days
where SeriesId = ? and ChargeDate = ?
"""
FLOORS = """
select money_floor, percent_floor from seeds.anomaly_thresholds
where coalesce(billing_currency, '') in ('', ?) order by billing_currency nulls last limit 1
"""
ANOMALIES = """
select a.AnomalyId, a.ProviderName, a.BillingAccountId, a.SubAccountId, a.ServiceName,
    a.BillingCurrency, a.FirstDay, a.LastDay, c.Cause
from marts.fct_cost_anomaly as a
left join marts.fct_cost_anomaly_cause as c
    on a.AnomalyId = c.AnomalyId and c.CauseType = 'resource' and c.CauseRank = 1
"""


def _series_id(row: tuple) -> str:
    return "|".join("" if v is None else v for v in row[1:6])


def backtest(con, truth: dict[str, Any]) -> Backtest:
    """Match the warehouse's anomalies (``con``: a DuckDB connection) with the injected changes.

    An anomaly finds a spike when it covers the spike's day; a step or drift when it is on
    the same series from the first day on. Precision counts every anomaly, matched or not.
    """
    result = Backtest(injections=injections(truth))
    anomalies = con.execute(ANOMALIES).fetchall()
    result.anomalies = len(anomalies)
    matched: set[str] = set()
    for inj in result.injections:
        series = con.execute(
            SERIES_OF,
            {"account": inj.billing_account_id, "resource": inj.resource_id, "day": inj.first_day},
        ).fetchone()
        if series is None:
            continue
        inj.series = series[0]
        day = con.execute(DAY, [inj.series, inj.first_day]).fetchone()
        if day is None:
            continue
        inj.judged, expected = bool(day[0]), day[1] or Decimal(0)
        currency = inj.series.rsplit("|", 1)[1]
        money_floor, percent_floor = con.execute(FLOORS, [currency]).fetchone()
        daily = inj.extra_cost if inj.kind == "spike" else _daily_step(inj, truth)
        inj.above_floors = daily >= money_floor and daily >= percent_floor * expected
        hits = sorted(
            (a for a in anomalies if _series_id(a) == inj.series and a[7] >= inj.first_day),
            key=lambda a: a[6],
        )
        if inj.kind == "spike":
            hits = [a for a in hits if a[6] <= inj.first_day]
        matched.update(a[0] for a in hits)
        if hits:
            inj.detected_on = max(hits[0][6], inj.first_day)
            inj.top_resource = hits[0][8]
            has_resource = con.execute(
                "select count(*) from intermediate.int_cost_anomaly_usage "
                "where SeriesId = ? and lower(ResourceId) = lower(?)",
                [inj.series, inj.resource_id],
            ).fetchone()[0]
            # Charges without a resource id (GCP project-level) can only be named by their
            # series' service, which the anomaly carries.
            inj.cause_named = (
                (inj.top_resource or "").lower() == inj.resource_id.lower()
                if has_resource
                else True
            )
    result.matched_anomalies = len(matched)
    return result


def _daily_step(inj: Injection, truth: dict[str, Any]) -> Decimal:
    """A step's extra cost per day: its total over the days from its first day to the end of
    the generated months."""
    last = dt.date.fromisoformat(truth["billing_periods"][-1] + "-01")
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return inj.extra_cost / (end - inj.first_day).days
