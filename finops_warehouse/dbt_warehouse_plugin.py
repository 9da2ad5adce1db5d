"""dbt-duckdb plugin: attaches the warehouse file when dbt opens its database.

The file's path is read from the environment here, not written into dbt's profile, because dbt
re-parses the whole project (about 10 s) whenever the profile's connection settings change: with
the path in the profile, every run against another warehouse file paid a full parse.
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from finops_warehouse.warehouse_connection import attach_statements


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # The file used when FINOPS_WAREHOUSE is unset, under FINOPS_HOME (per dbt target).
        self.default_file = plugin_config.get("default_file", "warehouse.duckdb")

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        home = os.environ.get("FINOPS_HOME", ".finops")
        warehouse = os.environ.get("FINOPS_WAREHOUSE") or os.path.join(home, self.default_file)
        # `finops mf` only reads: read-only, so it can query while other readers hold the file.
        read_only = os.environ.get("FINOPS_WAREHOUSE_READ_ONLY") == "1"
        for statement in attach_statements(warehouse, read_only=read_only):
            conn.execute(statement)
        # For every cursor dbt opens on this database; search_path cannot be set globally, so
        # the profile sets it per cursor.
        conn.execute("SET GLOBAL TimeZone = 'UTC'")
