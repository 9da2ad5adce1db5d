"""Running the same landing twice leaves every mart identical, row for row.

Only dim_commitment.DaysToExpiry and its copy in fct_commitment_expiry count from the run date
(macro run_date()): a second run on another day changes them, and nothing else."""

import hashlib

import duckdb


def snapshot(warehouse: str) -> dict[str, tuple[int, str]]:
    """Each relation of schema marts: its row count and the sha256 of its rows sorted by every
    column (values as Python reprs: Decimal, date and timestamp keep every digit)."""
    con = duckdb.connect(warehouse, read_only=True)
    try:
        relations = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        result = {}
        for name in relations:
            rows = con.execute(f'select * from marts."{name}" order by all').fetchall()
            digest = hashlib.sha256("\n".join(map(repr, rows)).encode()).hexdigest()
            result[name] = (len(rows), digest)
        return result
    finally:
        con.close()


def test_a_second_run_of_the_same_landing_leaves_every_mart_identical(demo_run, finops_cli):
    home, env, root, _, first = demo_run
    warehouse = str(home / "warehouse.duckdb")
    before = snapshot(warehouse)
    assert len(before) >= 17 and before["fct_cost_and_usage"][0] > 0

    second = finops_cli("run", "--landing", str(root / "landing"), env=env)
    assert second.returncode == first.returncode, second.stdout + second.stderr

    after = snapshot(warehouse)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert changed == [], f"marts that differ after the same run again: {changed}"
