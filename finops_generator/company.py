"""The fictional company behind the demo bills: teams, products, environments and how
(badly) they tag their resources.

Kestrel Commerce runs an online shop. Product teams own workloads; the platform team runs
shared infrastructure (EKS, networking) whose cost is split across the others. Tags are
messy on purpose, as in real estates: three spellings of the team key, case and separator
variants of the values, and ~15% of usage spend with no team tag at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._units import stable_int, uniform

TEAMS = ("payments", "search", "checkout", "data-platform", "ml")
PLATFORM = "platform"
"""Owner of shared infrastructure (EKS clusters, networking, support); a shared-cost pool."""
PRODUCT_OF_TEAM = {
    "payments": "payments-api",
    "search": "search",
    "checkout": "storefront",
    "data-platform": "analytics",
    "ml": "recommendations",
}
PRODUCTS = tuple(PRODUCT_OF_TEAM.values())
COST_CENTER = {
    "payments": "CC-1100",
    "search": "CC-1200",
    "checkout": "CC-1300",
    "data-platform": "CC-2100",
    "ml": "CC-2200",
    "platform": "CC-9000",
}
BUSINESS_UNIT = {
    "payments": "Commerce",
    "search": "Commerce",
    "checkout": "Commerce",
    "data-platform": "Data",
    "ml": "Data",
    "platform": "Shared",
}
UNTAGGED_SHARE = 0.15
"""Target share of usage spend (list cost) whose resource has no team tag in any spelling."""

_ENV_VALUES = {
    "prod": ("prod", "production", "Prod"),
    "staging": ("staging", "stg"),
    "dev": ("dev", "development"),
}


def _pick(u: float, options: tuple[str, ...], weights: tuple[float, ...]) -> str:
    acc = 0.0
    for option, w in zip(options, weights, strict=True):
        acc += w
        if u < acc:
            return option
    return options[-1]


def team_value(team: str, u: float, lower_only: bool = False) -> str:
    """A team name as people type it: mostly canonical, sometimes Title, UPPER or snake."""
    variants = (team, team.title(), team.upper(), team.replace("-", "_"))
    if lower_only:  # GCP label values must be lower case
        variants = (team, team, team, team.replace("-", "_"))
    return _pick(u, variants, (0.6, 0.2, 0.1, 0.1))


def env_value(env: str, u: float) -> str:
    options = _ENV_VALUES[env]
    return _pick(u, options, (0.6, 0.25, 0.15) if len(options) == 3 else (0.7, 0.3))


@dataclass(frozen=True)
class TagStyle:
    """How one provider spells tag keys."""

    team_keys: tuple[str, ...]
    team_weights: tuple[float, ...]
    env_keys: tuple[str, ...]
    env_weights: tuple[float, ...]
    product_key: str | None
    cost_center_key: str | None
    lower_values: bool = False


AWS_TAGS = TagStyle(
    team_keys=("user:Team", "user:team", "user:owner-team"),
    team_weights=(0.5, 0.25, 0.25),
    env_keys=("user:env", "user:Environment"),
    env_weights=(0.6, 0.4),
    product_key="user:product",
    cost_center_key="user:cost-center",
)
AZURE_TAGS = TagStyle(
    team_keys=("team", "Team", "owner-team"),
    team_weights=(0.5, 0.3, 0.2),
    env_keys=("env", "Environment"),
    env_weights=(0.6, 0.4),
    product_key="product",
    cost_center_key="cost-center",
)
GCP_LABELS = TagStyle(
    team_keys=("team", "owner-team"),
    team_weights=(0.75, 0.25),
    env_keys=("env", "environment"),
    env_weights=(0.7, 0.3),
    product_key="product",
    cost_center_key=None,
    lower_values=True,
)
FOCUS_TAGS = TagStyle(
    team_keys=("team", "Team"),
    team_weights=(0.8, 0.2),
    env_keys=("env",),
    env_weights=(1.0,),
    product_key="service",
    cost_center_key=None,
)


def make_tags(
    style: TagStyle, key: int, uid: str, team: str, env: str, tagged: bool
) -> dict[str, str]:
    """The tags one resource carries. ``tagged=False`` drops every team key (env stays)."""
    h = stable_int(key, uid)
    u = uniform(h, np.arange(6))
    tags: dict[str, str] = {}
    if tagged:
        k = _pick(u[0], style.team_keys, style.team_weights)
        tags[k] = team_value(team, u[1], style.lower_values)
        if style.product_key and team in PRODUCT_OF_TEAM and u[4] < 0.7:
            tags[style.product_key] = PRODUCT_OF_TEAM[team]
        if style.cost_center_key and u[5] < 0.6:
            tags[style.cost_center_key] = COST_CENTER[team]
    if u[2] < 0.9:
        k = _pick(u[3], style.env_keys, style.env_weights)
        tags[k] = env.lower() if style.lower_values else env_value(env, u[3] * 0.999)
    return tags


def pick_untagged(
    expected: np.ndarray, eligible: np.ndarray, key: int, share: float = UNTAGGED_SHARE
) -> np.ndarray:
    """Choose resources to leave without a team tag so their expected spend is ~``share``.

    Greedy fill in a seeded random order: a resource joins while the running total stays at
    or under the target (plus 3%), until the total is within 7% of the target, so the share
    lands close to the target even with few, unequal resources.
    """
    expected = np.asarray(expected, dtype=np.float64)
    target = share * float(expected.sum())
    order = np.argsort(uniform(key, np.arange(len(expected))), kind="stable")
    chosen = np.zeros(len(expected), dtype=bool)
    total = 0.0
    for i in order:
        if total >= target * 0.93:
            break
        if eligible[i] and expected[i] > 0 and total + expected[i] <= target * 1.03:
            chosen[i] = True
            total += expected[i]
    return chosen


MID_MONTH = 15
"""The day of the last generated month on which the budget sized to break is reached."""


@dataclass(frozen=True)
class Budget:
    """One row of ``budgets.csv`` with its thresholds (``budget_thresholds.csv``).

    ``amount`` is the company's figure per period; None sizes it on the generated costs of
    the scope (a billing account whose daily cost the generator records): ``sizing`` "mid-month"
    is reached on day ``MID_MONTH`` of the last month, "never" stays above any period's spend.
    """

    budget_id: str
    scope_type: str
    scope_value: str
    period: str
    currency: str
    cost_basis: str
    description: str
    thresholds: tuple[tuple[str, int], ...]
    amount: str | None = None
    sizing: str | None = None
    valid_from: str = "2020-01-01"
    valid_to: str = ""


_ALERTS = (("actual", 50), ("actual", 80), ("actual", 100), ("forecast", 100))
SKYLIGHT_ACCOUNT = "SKY-004217"
"""Skylight's billing account (``focus.ACCOUNT``): the scope of the sized budgets."""

BUDGETS = (
    Budget(
        "company-usd-monthly",
        "all",
        "",
        "month",
        "USD",
        "amortized",
        "Everything billed in USD",
        _ALERTS,
        amount="33000.00",
    ),
    Budget(
        "payments-eur-monthly",
        "cost center",
        COST_CENTER["payments"],
        "month",
        "EUR",
        "amortized",
        "Payments cost center's EUR spend (Azure)",
        _ALERTS[1:],
        amount="3000.00",
    ),
    Budget(
        "search-monthly",
        "owner",
        "search",
        "month",
        "USD",
        "amortized",
        "Search and recommendations serving",
        _ALERTS,
        amount="9500.00",
    ),
    Budget(
        "ml-monthly",
        "team",
        "ml",
        "month",
        "USD",
        "amortized",
        "Training and recommendations serving",
        _ALERTS,
        amount="6500.00",
    ),
    Budget(
        "data-platform-quarterly",
        "team",
        "data-platform",
        "quarter",
        "USD",
        "amortized",
        "Warehouse and pipelines per quarter",
        _ALERTS,
        amount="25000.00",
    ),
    Budget(
        "commerce-yearly",
        "business unit",
        BUSINESS_UNIT["checkout"],
        "year",
        "USD",
        "amortized",
        "Commerce business unit per calendar year",
        (("actual", 80), ("actual", 100), ("forecast", 90)),
        amount="250000.00",
    ),
    Budget(
        "aws-main-account-monthly",
        "billing account",
        "012345678901",
        "month",
        "USD",
        "billed",
        "The main AWS payer account on cash basis",
        _ALERTS[1:],
        amount="10000.00",
    ),
    Budget(
        "email-api-monthly",
        "service",
        "Email API",
        "month",
        "USD",
        "amortized",
        "The transactional email SaaS",
        _ALERTS[2:],
        amount="3500.00",
    ),
    Budget(
        "skylight-monthly",
        "billing account",
        SKYLIGHT_ACCOUNT,
        "month",
        "USD",
        "amortized",
        "Observability (Skylight): set tight so it is reached in the middle of the month",
        _ALERTS,
        sizing="mid-month",
    ),
    Budget(
        "skylight-yearly",
        "billing account",
        SKYLIGHT_ACCOUNT,
        "year",
        "USD",
        "amortized",
        "Observability (Skylight) per calendar year with room to spare",
        _ALERTS[1:],
        sizing="never",
    ),
)
