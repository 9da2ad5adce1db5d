"""A run's dbt commands start from the dev target's partial-parse state, whatever else parsed the
project in between (sqlfluff's templater parses it with the `lint` target)."""

import os
import shutil

from dbt_runs import run_dbt

from finops_warehouse.locations import PARSE_STATE_FILE, PROJECT_DIR, dbt_parse_state
from finops_warehouse.orchestration.project import dbt_cli, ensure_manifest

FULL_PARSE = "Unable to do partial parsing"


def test_a_parse_of_another_target_does_not_make_every_run_parse_the_whole_project(tmp_path):
    ensure_manifest()
    # Another dbt invocation parses with another target, and its parse state takes the place of
    # the one the run's commands are seeded from.
    lint = run_dbt(["parse"], env={**os.environ, "FINOPS_DBT_TARGET": "lint"}, work=tmp_path)
    assert lint.returncode == 0, lint.stdout
    shutil.copyfile(tmp_path / "target" / PARSE_STATE_FILE, dbt_parse_state())

    ensure_manifest()  # as every `finops run` does first

    # A dbt command as a run starts it (seeded with the target directory's parse state).
    listing = dbt_cli().cli(["ls", "--resource-type", "seed"])
    messages = [event.raw_event["info"]["msg"] for event in listing.stream_raw_events()]
    assert listing.process.returncode == 0
    assert not [m for m in messages if FULL_PARSE in m], messages[:10]
    seeds = {p.stem for p in (PROJECT_DIR / "seeds").rglob("*.csv")}
    assert seeds == {m.rsplit(".", 1)[-1] for m in messages if m.startswith("finops.")}
