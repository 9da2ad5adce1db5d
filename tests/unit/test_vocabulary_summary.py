"""unknown_vocabulary_summary on a tiny warehouse: the lines are written here by hand from the
rows the test inserts, so a wrong count, month, order or hint fails."""

from __future__ import annotations

import duckdb

from finops_warehouse.orchestration.vocabulary import unknown_vocabulary_summary


def _warehouse(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("create schema intermediate")
    con.execute(
        """
        create table intermediate.int_focus_vocabulary_gaps (
            provider_name varchar, source_format varchar, vocabulary_kind varchar,
            source_value varchar, row_count bigint, first_billing_period date,
            last_billing_period date, where_to_add varchar
        )
        """
    )
    for row in rows:
        con.execute(
            "insert into intermediate.int_focus_vocabulary_gaps values (?, ?, ?, ?, ?, ?, ?, ?)",
            list(row),
        )
    return con


def test_one_line_per_unknown_value_most_rows_first():
    con = _warehouse(
        [
            (
                "Microsoft",
                "azure_amortized",
                "region",
                "marsnorth",
                3,
                "2026-06-01",
                "2026-07-01",
                "seeds/focus/focus_regions.csv",
            ),
            (
                "AWS",
                "aws_cur",
                "unit",
                "Foo-Bar",
                12,
                "2026-07-01",
                "2026-07-01",
                "seeds/reference/unit_mappings.csv",
            ),
            (
                "AWS",
                "aws_cur2",
                "charge type",
                "BrandNewFee",
                1,
                "2026-07-01",
                "2026-07-01",
                "the charge type rules of the aws_cur2 mapping model",
            ),
        ]
    )
    assert unknown_vocabulary_summary(con) == [
        "AWS pricing unit 'Foo-Bar' unknown on 12 rows (2026-07, AWS CUR); kept as given; "
        "add it to seeds/reference/unit_mappings.csv",
        "Microsoft region 'marsnorth' unknown on 3 rows (2026-06 to 2026-07, Azure amortized "
        "cost); RegionName as given; add it to seeds/focus/focus_regions.csv",
        "AWS charge type 'BrandNewFee' unknown on 1 row (2026-07, AWS CUR 2.0); ChargeCategory "
        "Adjustment; add it to the charge type rules of the aws_cur2 mapping model",
    ]


def test_nothing_to_say_when_every_value_is_known_or_the_model_was_never_built():
    assert unknown_vocabulary_summary(_warehouse([])) == []
    assert unknown_vocabulary_summary(duckdb.connect(":memory:")) == []
