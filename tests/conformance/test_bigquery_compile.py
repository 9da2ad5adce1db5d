"""The same dbt project compiles for BigQuery, offline, and every compiled model is BigQuery SQL.

There is no BigQuery here. `dbt compile --no-populate-cache --no-introspect` needs no network
once the profile points at a service-account key, so the test generates a throwaway key (a
real RSA key, fake project and client email) in a temp directory; no key is ever committed.
Every compiled model, test and analysis must then parse with sqlglot's BigQuery dialect.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[2]
FAKE_PROJECT = "finops-offline-test"


def dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"


def write_throwaway_service_account_key(path: Path) -> None:
    """A syntactically real service-account key that grants nothing (fake project and email)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": FAKE_PROJECT,
                "private_key_id": "0" * 40,
                "private_key": pem,
                "client_email": f"dbt-compile@{FAKE_PROJECT}.iam.gserviceaccount.com",
                "client_id": "1" * 21,
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    path.chmod(0o600)


def has_double_quoted_token(sql: str) -> bool:
    """True when a `"` opens a token outside comments and single-quoted strings."""
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if sql.startswith("--", i):
            i = sql.find("\n", i)
            i = n if i < 0 else i
        elif sql.startswith("/*", i):
            i = sql.find("*/", i + 2)
            i = n if i < 0 else i + 2
        elif char == "'":
            i += 1
            while i < n and sql[i] != "'":
                i += 2 if sql[i] == "\\" else 1
            i += 1
        elif char == '"':
            return True
        else:
            i += 1
    return False


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("bigquery_compile")
    keyfile = work / "service-account.json"
    write_throwaway_service_account_key(keyfile)
    env = {
        **os.environ,
        "FINOPS_DBT_TARGET": "bigquery",
        "FINOPS_BQ_KEYFILE": str(keyfile),
        "FINOPS_BQ_PROJECT": FAKE_PROJECT,
        "FINOPS_BQ_DATASET": "finops",
        "FINOPS_BQ_LOCATION": "EU",
        "DBT_PROFILES_DIR": str(REPO_ROOT / "dbt"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            dbt_executable(),
            "compile",
            "--target",
            "bigquery",
            "--no-populate-cache",
            "--no-introspect",
            "--project-dir",
            str(REPO_ROOT),
            "--profiles-dir",
            str(REPO_ROOT / "dbt"),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--threads",
            "2",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return work / "target" / "compiled" / "finops"


def compiled_files(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).rglob("*.sql")) if (root / folder).exists() else []


def test_every_model_compiles_for_bigquery_offline(compiled):
    models = compiled_files(compiled, "models")
    assert len(models) >= 8, f"expected the staging models at least, got {models}"
    for folder in ("staging",):
        assert compiled_files(compiled, f"models/{folder}"), folder


def test_every_compiled_model_test_and_analysis_parses_as_bigquery_sql(compiled):
    failures = []
    files = [*compiled_files(compiled, "models"), *compiled_files(compiled, "dbt")]
    for path in files:
        try:
            sqlglot.parse_one(path.read_text(), read="bigquery")
        except sqlglot.errors.ParseError as error:
            failures.append(f"{path.relative_to(compiled)}: {str(error)[:300]}")
    assert not failures, "\n".join(failures)


def test_no_double_quoted_name_reaches_bigquery(compiled):
    """In BigQuery "x" is a string literal: a DuckDB-quoted column would compile, parse and
    silently select a constant. Provider names go through adapter.quote / aws_cur_column."""
    offenders = [
        str(path.relative_to(compiled))
        for path in [*compiled_files(compiled, "models"), *compiled_files(compiled, "dbt")]
        if has_double_quoted_token(path.read_text())
    ]
    assert not offenders, offenders


def test_money_is_bignumeric_and_sources_resolve_to_the_raw_dataset(compiled):
    (invoices,) = (compiled / "models").rglob("stg_invoices__invoices.sql")
    sql = invoices.read_text()
    assert "cast(amount as bignumeric)" in sql
    assert f"`{FAKE_PROJECT}`.`raw`.`invoices`" in sql
    (cur,) = (compiled / "models").rglob("stg_aws_cur__line_items.sql")
    # BigQuery column names cannot hold '/': legacy CUR is read under AWS's Parquet names.
    assert "`line_item_unblended_cost` as" in cur.read_text()
