"""Who answers for each asset group, and how fresh the assets the business reads must be.

One rule for the whole graph: the owner follows the asset's group, so a new dbt model (whose
group is its folder) gets its owner without a line of Python.
"""

from datetime import timedelta

import dagster as dg

# The data team runs the pipeline (files in, FOCUS out); FinOps owns the rules it maintains
# (seeds) and what finance reads (marts, the close, the report).
DATA_TEAM = "team:data-engineering"
FINOPS_TEAM = "team:finops"
GROUP_OWNERS = {
    "raw": DATA_TEAM,
    "staging": DATA_TEAM,
    "intermediate": DATA_TEAM,
    "seeds": FINOPS_TEAM,
    "marts": FINOPS_TEAM,
    "close": FINOPS_TEAM,
    "report": FINOPS_TEAM,
}


def owners(group: str) -> list[str]:
    return [GROUP_OWNERS[group]]


# Providers re-deliver an open month's exports at least daily, so the ingest and the FOCUS mart
# should not go a day without a materialization; a closed month never changes again (the close
# froze it), which is why the policy watches the asset's newest materialization, not each month.
DAILY = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2), warn_window=timedelta(days=1))
