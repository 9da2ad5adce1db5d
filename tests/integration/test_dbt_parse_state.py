"""A run's dbt commands start from the dev target's partial-parse state, whatever else parsed the
project in between (sqlfluff's templater parses it with the `lint` target)."""

import os
import subprocess

from finops_warehouse.locations import PROFILES_DIR, PROJECT_DIR
from finops_warehouse.orchestration.project import (
    DBT_EXECUTABLE,
    dbt_cli,
    dbt_project,
    ensure_manifest,
)

FULL_PARSE = "Unable to do partial parsing"


def test_a_parse_of_another_target_does_not_make_every_run_parse_the_whole_project():
    ensure_manifest()
    target = dbt_project().target_path
    # Another dbt invocation on the same target directory, with another target: its parse state
    # replaces the one the run's commands are seeded from.
    subprocess.run(
        [
            DBT_EXECUTABLE,
            "parse",
            "--quiet",
            "--target",
            "lint",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROFILES_DIR),
            "--target-path",
            str(target),
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        check=True,
        capture_output=True,
        timeout=600,
    )

    ensure_manifest()  # as every `finops run` does first

    # A dbt command as a run starts it (seeded with the target directory's parse state).
    listing = dbt_cli().cli(["ls", "--resource-type", "seed"])
    messages = [event.raw_event["info"]["msg"] for event in listing.stream_raw_events()]
    assert listing.process.returncode == 0
    assert not [m for m in messages if FULL_PARSE in m], messages[:10]
    seeds = {p.stem for p in (PROJECT_DIR / "seeds").rglob("*.csv")}
    assert seeds == {m.rsplit(".", 1)[-1] for m in messages if m.startswith("finops.")}
