"""Anomaly labels: a user's known incidents load as their own format, and the generator's
labels are its ground truth's injected changes."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal


def test_a_users_known_incidents_load_by_the_month_of_their_first_day(area):
    # Only the required columns and a few others: the rest of the format is optional.
    (area.landing / "incidents.csv").write_text(
        "label_id,kind,service_name,first_day,last_day,extra_cost_per_day,description\n"
        "INC-1,outage-retry-storm,Amazon SQS,2026-07-30,2026-07-31,80.5,retries after an outage\n"
        "INC-2,step,BigQuery,2026-08-02,,12,new dashboard refreshed every minute\n"
    )
    (loaded,) = area.run().files
    assert (loaded.format, loaded.status) == ("anomaly_labels", "loaded")
    partitions = area.query(
        "SELECT billing_account_id, CAST(billing_period AS VARCHAR), rows, cost_total "
        "FROM raw.ingest_partitions ORDER BY billing_period"
    )
    assert partitions == [
        ("anomaly_labels", "2026-07-01", 1, None),
        ("anomaly_labels", "2026-08-01", 1, None),
    ]
    assert area.query(
        "SELECT label_id, resource_id, last_day FROM raw.anomaly_labels ORDER BY label_id"
    ) == [("INC-1", None, "2026-07-31"), ("INC-2", None, None)]


def test_a_label_without_its_first_day_is_refused(area):
    (area.landing / "incidents.csv").write_text(
        "label_id,kind,first_day\nINC-1,spike,2026-07-30\nINC-2,spike,\n"
    )
    (result,) = area.run().files
    assert result.status == "quarantined"
    assert "first_day" in result.error


def test_the_generator_labels_every_injected_change_of_its_ground_truth(generator_demo):
    root, truth = generator_demo
    labels = [
        row
        for path in sorted((root / "landing" / "anomaly_labels").glob("*.csv"))
        for row in csv.DictReader(path.open(encoding="utf-8"))
    ]
    # Ground truth: one record per spike, one per billing month of a lasting change.
    changes: dict[tuple, Decimal] = defaultdict(Decimal)
    lasting = set()
    for records, lasts in ((truth["spikes"], False), (truth["level_changes"], True)):
        for r in records:
            key = (r["kind"], r["billing_account_id"], r["resource_id"], r["date"])
            changes[key] += r["extra_cost"]
            if lasts:
                lasting.add(key)
    assert len(labels) == len(changes) == len({row["label_id"] for row in labels})
    last_month = dt.date.fromisoformat(truth["billing_periods"][-1] + "-01")
    end = (last_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    for row in labels:
        # Charges without a resource id are recorded as "<project>/<service>".
        resource = row["resource_id"] or f"{row['sub_account_id']}/{row['service_name']}"
        key = (row["kind"], row["billing_account_id"], resource, row["first_day"])
        assert key in changes, row
        days = (end - dt.date.fromisoformat(row["first_day"])).days + 1 if key in lasting else 1
        assert row["last_day"] == ("" if key in lasting else row["first_day"])
        assert abs(Decimal(row["extra_cost_per_day"]) * days - changes[key]) < Decimal("0.01")
    assert {row["kind"] for row in labels} >= {"spike", "step", "drift"}
