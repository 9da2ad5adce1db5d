"""Units in marts.fct_cost_and_usage are FOCUS unit format, or listed as unknown vocabulary.

The demo's exports carry the providers' own units (AWS ``Hrs``, ``GB-Mo``; Azure ``1 Hour``,
``10K``, ``1 GB/Month``; GCP ``hour``, ``gibibyte month``); after the mapping every
PricingUnit and ConsumedUnit must pass the FOCUS Unit Format grammar of
tests/unit/test_vocabulary_unit_format.py (written from the spec, not from the SQL) unless
int_focus_vocabulary_gaps lists it. The
generator writes only units the seed knows, so the gaps model lists no unit for the demo.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

from finops_warehouse.orchestration.vocabulary import unknown_vocabulary_summary

# The grammar lives beside the seed's own test; tests/ is not a package, so load it by path.
_spec = importlib.util.spec_from_file_location(
    "unit_format_grammar",
    Path(__file__).resolve().parents[1] / "unit" / "test_vocabulary_unit_format.py",
)
_grammar = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_grammar)
is_focus_unit = _grammar.is_focus_unit


def test_every_unit_is_focus_unit_format_or_reported_unknown(demo_run):
    home, _, _, _, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        units = con.execute(
            """
            select x_SourceFormat, ProviderName, unit, count(*)
            from marts.fct_cost_and_usage,
                 (select unnest([PricingUnit, ConsumedUnit]) as unit)
            where unit is not null
            group by all
            """
        ).fetchall()
        unknown = {
            (row[0], row[1])
            for row in con.execute(
                """
                select source_format, source_value
                from intermediate.int_focus_vocabulary_gaps
                where vocabulary_kind = 'unit'
                """
            ).fetchall()
        }
    assert units, "the demo has priced rows"
    not_conformant = [
        (source, provider, unit, rows)
        for source, provider, unit, rows in units
        if not is_focus_unit(unit) and (source, unit) not in unknown
    ]
    assert not_conformant == []
    # the mapping did something: no provider spelling survived on the demo's rows
    seen = {unit for _, _, unit, _ in units}
    assert not seen & {"Hrs", "GB-Mo", "1 Hour", "10K", "1 GB/Month", "hour", "gibibyte month"}
    assert {"Hours", "GB-Months"} <= seen


def test_the_demo_has_no_unknown_vocabulary(demo_run):
    # The generator writes only units, regions, services and charge types the seeds and rules
    # know. An AWS Marketplace product's code is an opaque per-listing id (lineItem/ProductCode)
    # that no seed can list in advance; its rows carry the seller as PublisherName and are not
    # a gap, so the demo has none and the run summary warns about nothing.
    home, _, _, _, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        gaps = con.execute("select * from intermediate.int_focus_vocabulary_gaps").fetchall()
        marketplace = con.execute(
            "select count(*) from marts.fct_cost_and_usage where PublisherName <> 'AWS' "
            "and x_SourceFormat in ('aws_cur', 'aws_cur2')"
        ).fetchone()[0]
        lines = unknown_vocabulary_summary(con)
    assert gaps == [] and lines == [], lines
    assert marketplace > 0, "the demo sells through the Marketplace, so the rule is exercised"
