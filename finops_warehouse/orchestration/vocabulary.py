"""Provider vocabulary the FOCUS mapping does not know, as lines for the run summary.

The mapping models keep a unit, region, service or charge type that no seed or rule names as
the export gives it (a row is never dropped, a unit never invented) and mark it; the dbt model
``intermediate.int_focus_vocabulary_gaps`` counts them, one row per provider x source format x
vocabulary kind x value (docs/focus-mapping.md, "Vocabularies"). ``unknown_vocabulary_summary``
turns that table into one readable line per value, most frequent first, e.g.::

    AWS pricing unit 'Foo-Bar' unknown on 12 rows (2026-07); kept as given;
    add it to seeds/reference/unit_mappings.csv
"""

from __future__ import annotations

from datetime import date

import duckdb

GAPS_RELATION = "intermediate.int_focus_vocabulary_gaps"

# How a line names each kind, and what happened to the rows.
_KIND_NAMES = {
    "unit": "pricing unit",
    "service": "service",
    "region": "region",
    "charge type": "charge type",
}
_OUTCOMES = {
    "unit": "kept as given",
    "service": "ServiceCategory Other",
    "region": "RegionName as given",
    "charge type": "ChargeCategory Adjustment",
}
_SOURCE_NAMES = {
    "aws_cur": "AWS CUR",
    "aws_cur2": "AWS CUR 2.0",
    "azure_actual": "Azure actual cost",
    "azure_amortized": "Azure amortized cost",
    "gcp_billing": "GCP billing export",
    "focus": "FOCUS file",
}


def _months(first: date | None, last: date | None) -> str:
    if first is None:
        return "period unknown"
    if last is None or last == first:
        return f"{first:%Y-%m}"
    return f"{first:%Y-%m} to {last:%Y-%m}"


def _relation_exists(con: duckdb.DuckDBPyConnection) -> bool:
    schema, name = GAPS_RELATION.split(".")
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


def unknown_vocabulary_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per unknown provider value in the warehouse, most rows first.

    Empty when every value is known, and also when the gaps model was not built (a warehouse
    before its first dbt build): the summary has nothing to say then, it does not fail.
    """
    if not _relation_exists(con):
        return []
    rows = con.execute(
        f"""
        select provider_name, source_format, vocabulary_kind, source_value, row_count,
               first_billing_period, last_billing_period, where_to_add
        from {GAPS_RELATION}
        order by row_count desc, provider_name, source_format, vocabulary_kind, source_value
        """
    ).fetchall()
    lines = []
    for provider, source_format, kind, value, count, first, last, where in rows:
        source = _SOURCE_NAMES.get(source_format, source_format)
        label = _KIND_NAMES.get(kind, kind)
        outcome = _OUTCOMES.get(kind, "kept as given")
        noun = "row" if count == 1 else "rows"
        lines.append(
            f"{provider or source} {label} '{value}' unknown on {count:,} {noun} "
            f"({_months(first, last)}, {source}); {outcome}; add it to {where}"
        )
    return lines
