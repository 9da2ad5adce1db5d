from dataclasses import dataclass

import dagster as dg

from finops_warehouse.orchestration.sensors import build_sensors, new_deliveries


@dataclass
class Planned:
    path: str
    sha256: str
    billing_periods: tuple[str, ...]


def test_only_new_or_changed_files_trigger_their_billing_month():
    seen = {"a.csv": "1", "b.csv": "2"}
    files = [
        Planned("a.csv", "1", ("2026-07",)),  # unchanged
        Planned("b.csv", "9", ("2026-08",)),  # re-delivered with new bytes
        Planned("c.csv", "3", ("2026-08",)),  # new
        Planned("junk.bin", "4", ()),  # no period: reported, not ingested by month
    ]
    periods, cursor = new_deliveries(seen, files)
    assert periods == {"2026-08": {"b.csv", "c.csv"}, "": {"junk.bin"}}
    assert cursor == {"a.csv": "1", "b.csv": "9", "c.csv": "3", "junk.bin": "4"}


def test_nothing_new_requests_nothing():
    files = [Planned("a.csv", "1", ("2026-07",))]
    periods, cursor = new_deliveries({"a.csv": "1"}, files)
    assert periods == {}
    assert cursor == {"a.csv": "1"}


def test_a_file_holding_two_months_triggers_both():
    files = [Planned("hub.csv", "5", ("2026-07", "2026-08"))]
    periods, _ = new_deliveries({}, files)
    assert periods == {"2026-07": {"hub.csv"}, "2026-08": {"hub.csv"}}


def test_the_dbt_build_after_an_ingest_covers_the_months_the_ingest_loaded():
    _, transform_after_ingest = build_sensors(
        dg.define_asset_job("ingest_job"), dg.define_asset_job("transform_job")
    )
    months = {
        "dagster/asset_partition_range_start": "2026-07-01",
        "dagster/asset_partition_range_end": "2026-09-01",
    }
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_run_status_sensor_context(
            sensor_name=transform_after_ingest.name,
            dagster_event=dg.DagsterEvent(
                event_type_value="PIPELINE_SUCCESS", job_name="ingest_job"
            ),
            dagster_instance=instance,
            dagster_run=dg.DagsterRun(
                job_name="ingest_job", run_id="ingest-1", tags={**months, "other": "tag"}
            ),
        )
        request = transform_after_ingest(context)
    assert request.run_key == "ingest-1"
    assert request.tags == months
