"""Dagster's SQLite run history follows FINOPS_RUN_HISTORY_SYNC (docs/dagster-ui.md)."""

import sqlite3

import dagster as dg
import pytest
import sqlalchemy as sa

from finops_warehouse.orchestration import run_history


@pytest.mark.parametrize(("mode", "pragma"), [("off", 0), ("normal", 1), ("full", 2)])
def test_every_sqlite_connection_of_the_instance_gets_the_sync_mode(
    tmp_path, monkeypatch, mode, pragma
):
    monkeypatch.setenv("FINOPS_RUN_HISTORY_SYNC", mode)
    run_history.install()
    seen: dict[str, int] = {}

    def record(dbapi_connection, _record):  # runs after install()'s listener
        if isinstance(dbapi_connection, sqlite3.Connection):
            (_, _, path) = dbapi_connection.execute("PRAGMA database_list").fetchone()
            seen[path] = dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]

    sa.event.listen(sa.engine.Engine, "connect", record)
    try:
        with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="a"))
            assert instance.get_latest_materialization_event(dg.AssetKey("a")) is not None
    finally:
        sa.event.remove(sa.engine.Engine, "connect", record)
    assert str(tmp_path / "history" / "runs" / "index.db") in seen  # the event log's index
    assert set(seen.values()) == {pragma}


def test_an_unknown_mode_is_refused_before_any_run(monkeypatch):
    monkeypatch.setenv("FINOPS_RUN_HISTORY_SYNC", "fast")
    with pytest.raises(ValueError, match="FINOPS_RUN_HISTORY_SYNC='fast': use one of off, normal"):
        run_history.install()


def test_the_storages_reuse_one_engine_per_database(tmp_path, monkeypatch):
    run_history.install()
    made: list[str] = []
    create_engine = sa.create_engine

    def counted(url, **kwargs):
        made.append(str(url))
        return create_engine(url, **kwargs)

    monkeypatch.setattr(run_history.sa, "create_engine", counted)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        for n in range(5):
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=f"a{n}"))
        assert instance.get_latest_materialization_event(dg.AssetKey("a4")) is not None
    index = f"sqlite:///{tmp_path / 'history' / 'runs' / 'index.db'}"
    assert index in made
    assert len(made) == len(set(made))  # each database file: one engine


def _sqlite_path(dbapi_connection) -> str:
    return dbapi_connection.execute("PRAGMA database_list").fetchone()[2]


def test_inside_a_cli_run_the_connections_stay_open_and_close_at_its_end(tmp_path):
    run_history.install()
    opened: list[str] = []
    closed: list[str] = []

    def on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            opened.append(_sqlite_path(dbapi_connection))

    def on_close(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            closed.append(_sqlite_path(dbapi_connection))

    sa.event.listen(sa.engine.Engine, "connect", on_connect)
    sa.event.listen(sa.pool.Pool, "close", on_close)
    index = str(tmp_path / "history" / "runs" / "index.db")
    try:
        with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="warm"))
            opened.clear()
            closed.clear()
            with run_history.connections_kept_open():
                for n in range(5):
                    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=f"a{n}"))
                assert opened.count(index) == 1  # five events, one connection
                assert closed.count(index) == 0
            assert closed.count(index) == 1  # closed when the run ended
            opened.clear()
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="after"))
            assert opened.count(index) >= 1 and closed.count(index) == 1 + opened.count(index)
            assert instance.get_latest_materialization_event(dg.AssetKey("a4")) is not None
    finally:
        sa.event.remove(sa.engine.Engine, "connect", on_connect)
        sa.event.remove(sa.pool.Pool, "close", on_close)
