"""A refused file records the partitions it would have fed, so those months are held back.

Ground truth is what each test wrote: the account and month of the rows, or the month the
delivery path names.
"""

from __future__ import annotations

import datetime as dt

import pytest
import samples as s

from finops_warehouse.ingest.deliveries import periods_in_path


def held(area) -> list[tuple]:
    return area.query(
        "SELECT format, billing_account_id, billing_period, status, rows, cost_total "
        "FROM raw.ingest_partitions WHERE status IN ('quarantined', 'held') ORDER BY ALL"
    )


def test_a_file_refused_for_its_content_holds_back_the_account_and_month_of_its_rows(area):
    rows = s.aws_cur_rows(rows=4, period="2024-03", account="123456789012")
    rows[2]["lineItem/UnblendedCost"] = "n/a"
    s.write_csv(area.landing / "cur.csv", rows, s.AWS_HEADER)
    (result,) = area.run().files
    assert result.status == "quarantined"
    assert result.billing_periods == ("2024-03",)
    assert result.quarantined_to == str(area.quarantine / "cur.csv")
    expected = ("aws_cur", "123456789012", dt.date(2024, 3, 1), "quarantined", None, None)
    assert held(area) == [expected]


def test_an_unknown_file_holds_back_the_month_its_delivery_path_names(area):
    folder = area.landing / "aws" / "cur" / "report" / "20240501-20240601"
    folder.mkdir(parents=True)
    (folder / "notes.csv").write_text("this is not a billing export\n")
    (result,) = area.run().files
    assert result.status == "quarantined" and result.billing_periods == ("2024-05",)
    assert held(area) == [(None, None, dt.date(2024, 5, 1), "quarantined", None, None)]


def test_an_unknown_file_whose_path_names_no_month_holds_back_nothing(area):
    (area.landing / "notes.csv").write_text("this is not a billing export\n")
    (result,) = area.run().files
    assert result.status == "quarantined" and result.billing_periods == ()
    assert held(area) == []


def test_the_parts_held_with_a_refused_part_hold_back_their_own_partitions(area):
    folder = area.landing / "export"
    folder.mkdir()
    good = s.aws_cur_rows(rows=3, period="2024-02", account="111111111111")
    bad = s.aws_cur_rows(rows=3, period="2024-02", account="111111111111")
    bad[1]["lineItem/UnblendedCost"] = "n/a"
    s.write_csv(folder / "report-1.csv", good, s.AWS_HEADER)
    s.write_csv(folder / "report-2.csv", bad, s.AWS_HEADER)
    statuses = sorted(f.status for f in area.run().files)
    assert statuses == ["held", "quarantined"]
    assert [row[3] for row in held(area)] == ["held", "quarantined"]
    assert {row[1:3] for row in held(area)} == {("111111111111", dt.date(2024, 2, 1))}
    assert area.query("SELECT count(*) FROM raw.ingest_partitions WHERE status = 'loaded'") == [
        (0,)
    ]


@pytest.mark.parametrize(
    ("path", "month"),
    [
        ("aws/cur/r/20260701-20260801/0269/r-1.csv.gz", "2026-07"),
        ("azure/x/20260801-20260831/run/part_0_0001.csv", "2026-08"),
        ("aws/cur2/e/data/BILLING_PERIOD=2026-08/e-00001.snappy.parquet", "2026-08"),
        ("gcp/billing_export/t/202607/t-000000000000.jsonl", "2026-07"),
        ("azure/downloads/SYSE-QA6W_202607.csv", "2026-07"),
        ("focus/vendor/2026-07/focus.csv", "2026-07"),
        # A delivery date is not a billing period: a hub's export of 6 August holds July.
        ("focus/hub/export-2026-08-06.csv", None),
        ("notes.csv", None),
        ("a/2026-07/b/2026-08/c.csv", None),
    ],
)
def test_periods_in_path(path, month):
    expected = (dt.date.fromisoformat(f"{month}-01"),) if month else ()
    assert periods_in_path(path) == expected
