"""Landing -> raw ingestion: detect, validate (Great Expectations), load, manifest, quarantine.

Public API (used by the Dagster assets, the sensor and the CLI):

- :func:`plan_landing` describes every landing file cheaply (format, billing accounts and
  periods, sha256, the delivery it is a part of);
- :func:`ingest` loads them, a delivery at a time, into ``raw.<format>``,
  ``raw.ingest_manifest`` and ``raw.ingest_partitions``.

See ``docs/ingestion.md`` for the rules (replacement, duplicates, bad files).
"""

from finops_warehouse.ingest.errors import FileRefused
from finops_warehouse.ingest.pipeline import (
    FileResult,
    IngestReport,
    LandingFile,
    ingest,
    plan_landing,
)
from finops_warehouse.ingest.validate import Outcome, Validation

__all__ = [
    "FileRefused",
    "FileResult",
    "IngestReport",
    "LandingFile",
    "Outcome",
    "Validation",
    "ingest",
    "plan_landing",
]
