"""A refused landing file never holds back the good ones: the marts are built, the months it
would have fed are held back, and only those refuse to close.

Works on a private copy of the shared demo run (`close_home`): one junk file lands in the
second month's AWS CUR delivery folder. Ground truth: the month that folder names and the
generator's invoices.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from dagster_project.assets.close import RECONCILIATION_CHECK, RECONCILIATION_KEY
from dagster_project.assets.ingest import ACCEPTED_CHECK, MANIFEST_KEY

EXIT_HELD_BACK = 3


def _marts(warehouse) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for (n,) in names}


def test_a_junk_file_is_quarantined_everything_else_is_built_and_only_its_month_refuses_to_close(
    close_home, finops_cli, monkeypatch
):
    home = close_home
    first, second = home.periods[:2]
    before = _marts(home.warehouse)
    (folder,) = home.landing.glob(f"aws/cur/*/{second.replace('-', '')}01-*")
    junk = folder / "notes from finance.csv"
    junk.write_text("this is not a billing export\nat all\n")

    run = finops_cli("run", env=home.env)
    out = run.stdout
    assert run.returncode == EXIT_HELD_BACK, out + run.stderr
    relative = str(junk.relative_to(home.landing))
    assert f"refused {relative}: unknown format" in out
    quarantined = f"{home.env['FINOPS_QUARANTINE']}/{relative}"
    assert f"moved to {quarantined}" in out
    assert f"held back: billing months {second} stay open" in out
    assert not junk.exists()
    # Every mart is rebuilt with the good data: the same relations and rows as before.
    assert _marts(home.warehouse) == before
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        held = con.execute(
            "select strftime(BillingPeriodStart, '%Y-%m'), count(*), min(HeldBackFiles),"
            " max(HeldBackFiles) from marts.dim_billing_period where IsHeldBack group by all"
        ).fetchall()
        accounts = con.execute(
            "select count(*) from marts.dim_billing_period where BillingPeriodStart = $p",
            {"p": f"{second}-01"},
        ).fetchone()[0]
    # The file was refused before its rows were read: every account of its month waits.
    assert held == [(second, accounts, str(junk), str(junk))]

    # In Dagster: the check warns (not blocking) and says where the file went.
    for name in ("DAGSTER_HOME", "FINOPS_WAREHOUSE"):
        monkeypatch.setenv(name, home.env[name])
    instance = dg.DagsterInstance.get()
    key = dg.AssetCheckKey(MANIFEST_KEY, ACCEPTED_CHECK)
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    assert not record.evaluation.passed
    assert record.evaluation.severity == dg.AssetCheckSeverity.WARN
    assert quarantined in record.evaluation.description

    refused = finops_cli("close", "--period", second, env=home.env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "data held back" in refused.stdout and str(junk) in refused.stdout
    closed = finops_cli("close", "--period", first, env=home.env)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    assert f"closed {first}" in closed.stdout

    # The gate's last result is current: evaluated on the latest reconciliation table.
    gate = dg.AssetCheckKey(RECONCILIATION_KEY, RECONCILIATION_CHECK)
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([gate])[gate]
    (latest,) = instance.fetch_materializations(RECONCILIATION_KEY, limit=1).records
    assert record.evaluation.passed, record.evaluation.description
    assert record.evaluation.target_materialization_data.storage_id == latest.storage_id
    assert first in record.evaluation.description
