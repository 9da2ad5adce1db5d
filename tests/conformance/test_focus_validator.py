"""Conformance: the FOCUS export passes the official FOCUS validator.

`finops export focus` writes ``marts.fct_cost_and_usage`` as Parquet; the FinOps Foundation's
validator (PyPI ``focus-validator`` 2.2.1, rules model 1.2.0.1) checks it against FOCUS 1.2 with
every applicability criterion on. The test fails on any failing rule that is not a known
validator false positive listed, with its reason, in ``focus_validator_allowlist.yml``.

The validator needs Python >= 3.12 while the project runs on 3.11, so it lives in its own
virtualenv, created once and cached under ``.finops/tools/`` (override with
``FOCUS_VALIDATOR_VENV``; the interpreter with ``FOCUS_VALIDATOR_PYTHON``). The test skips only
when no Python >= 3.12 can be found. How to run the validator by hand: docs/conformance.md.

Two datasets are validated: a small hand-written mart with every kind of charge (fast, always),
and the demo (generator -> `finops run` -> export; slow, once the FOCUS mart exists).
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from finops_warehouse.export import ExportError, export_focus, focus_columns

ROOT = Path(__file__).resolve().parents[2]
ALLOWLIST = Path(__file__).with_name("focus_validator_allowlist.yml")

VALIDATOR_REQUIREMENTS = (
    "focus-validator==2.2.1",
    # focus-validator pins numpy<2 but leaves pyarrow open; pyarrow >= 22 needs numpy 2 and the
    # validator then dies on import. 21.0.0 is the newest pyarrow that works with numpy 1.26.
    "pyarrow==21.0.0",
)
RULES_MODEL = "1.2.0.1"
RULE_ID = r"[A-Za-z]+-[A-Z]-\d{3}-[A-Z]"


# --------------------------------------------------------------------------------------------
# The validator: a cached Python >= 3.12 virtualenv, run through its CLI
# --------------------------------------------------------------------------------------------


def find_python312() -> str | None:
    """An interpreter >= 3.12: $FOCUS_VALIDATOR_PYTHON, python3.12/3.13 on PATH, or pyenv's."""
    candidates = [os.environ.get("FOCUS_VALIDATOR_PYTHON")]
    if sys.version_info >= (3, 12):
        candidates.append(sys.executable)
    candidates += [shutil.which(f"python3.{minor}") for minor in range(12, 16)]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.1[2-9]*/bin/python3"))
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys, venv; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return candidate
    return None


@dataclass(frozen=True)
class Validator:
    python: Path
    site_packages: Path

    def command(self, data_file: Path, *extra: str) -> list[str]:
        return [
            str(self.python),
            "-m",
            "focus_validator.main",
            "--data-file",
            str(data_file),
            "--validate-version",
            "1.2",
            "--block-download",
            "--applicability-criteria",
            "ALL",
            "--show-violations",
            *extra,
        ]


def ensure_validator() -> Validator:
    """Create (once; later runs reuse it) the validator's virtualenv and return how to run it."""
    venv = Path(
        os.environ.get("FOCUS_VALIDATOR_VENV", ROOT / ".finops" / "tools" / "focus-validator-venv")
    )
    python = venv / "bin" / "python"
    marker = venv / ".finops-requirements"
    wanted = "\n".join(VALIDATOR_REQUIREMENTS)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers wait for the first one
        if not (marker.is_file() and marker.read_text() == wanted and python.exists()):
            interpreter = find_python312()
            if interpreter is None:
                pytest.skip(
                    "the FOCUS validator needs Python >= 3.12 and none was found "
                    "(install one, e.g. `pyenv install 3.12`, or set FOCUS_VALIDATOR_PYTHON)"
                )
            shutil.rmtree(venv, ignore_errors=True)
            _run([interpreter, "-m", "venv", str(venv)], "create the validator's virtualenv")
            # uv (a dev dependency, beside this interpreter) installs in seconds; pip took ~30 s.
            uv = Path(sys.executable).parent / "uv"
            _run(
                [
                    str(uv),
                    "pip",
                    "install",
                    "--quiet",
                    "--python",
                    str(python),
                    *VALIDATOR_REQUIREMENTS,
                ],
                "install the FOCUS validator",
            )
            marker.write_text(wanted)
    site = subprocess.run(
        [
            str(python),
            "-c",
            "import focus_validator, pathlib; "
            "print(pathlib.Path(focus_validator.__file__).parent.parent)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    validator = Validator(python=python, site_packages=Path(site))
    model = validator.site_packages / "focus_validator" / "rules" / f"model-{RULES_MODEL}.json"
    assert model.is_file(), f"the validator does not ship rules model {RULES_MODEL}"
    return validator


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"could not {what}: {' '.join(command)}\n{done.stdout}{done.stderr}")


@dataclass
class RuleResult:
    rule: str
    status: str  # PASS, FAIL or SKIPPED
    violations: int | None
    message: str
    children: list[str] = field(default_factory=list)  # failed children of a composite
    must_satisfy: str = ""
    samples: list[str] = field(default_factory=list)


@dataclass
class Report:
    results: dict[str, RuleResult]
    output: str

    def failed(self) -> list[RuleResult]:
        return [r for r in self.results.values() if r.status == "FAIL"]


_STATUS_LINE = re.compile(
    rf"^\S+\s+(?P<rule>{RULE_ID}): (?P<status>PASS|FAIL|SKIPPED)(?P<rest>.*)$"
)
_TOTAL_LINE = re.compile(r"^Total: (\d+) \| Pass: (\d+) \| Fail: (\d+) \| Skipped: (\d+)$")
_FAILURE_HEAD = re.compile(rf"^- (?P<rule>{RULE_ID}): violations=")
_CHILDREN = re.compile(r"(?:failed child rules|all child rules failed): \[(?P<children>[^\]]*)\]")


def parse_console_report(output: str) -> Report:
    """The validator's console report (2.2.1): one status line per rule, then a failure section
    with MustSatisfy and sample rows. Refuses output it does not recognise."""
    results: dict[str, RuleResult] = {}
    total = None
    current: RuleResult | None = None
    in_failures = False
    for line in output.splitlines():
        if line.startswith("--- Failures ---"):
            in_failures = True
            continue
        if not in_failures:
            if m := _TOTAL_LINE.match(line):
                total = tuple(int(g) for g in m.groups())
            elif m := _STATUS_LINE.match(line):
                rest = m["rest"]
                violations = re.search(r"violations=(\d+)", rest)
                message = re.search(r"msg=(.*?)(?:, [\d.]+ms)?\)$", rest)
                children = _CHILDREN.search(rest)
                results[m["rule"]] = RuleResult(
                    rule=m["rule"],
                    status=m["status"],
                    violations=int(violations[1]) if violations else None,
                    message=message[1] if message else "",
                    children=[c.strip() for c in children["children"].split(",") if c.strip()]
                    if children
                    else [],
                )
            continue
        if m := _FAILURE_HEAD.match(line):
            current = results.get(m["rule"])
        elif current is not None and line.startswith("  MustSatisfy: "):
            current.must_satisfy = line.removeprefix("  MustSatisfy: ")
        elif current is not None and line.startswith("    "):
            current.samples.append(line.strip())
    if total is None or total[0] != len(results):
        raise AssertionError(
            "the validator's console output is not the format this test reads "
            f"(summary {total}, {len(results)} rule lines):\n{output[-3000:]}"
        )
    if sum(r.status == "FAIL" for r in results.values()) != total[2]:
        raise AssertionError(f"failure count does not match the summary {total}")
    return Report(results=results, output=output)


def run_validator(validator: Validator, data_file: Path, workdir: Path) -> Report:
    """Run the validator's CLI on a FOCUS Parquet file and parse its report.

    The working directory is the directory holding the ``focus_validator`` package: the
    validator opens ``focus_validator/rules/currency_codes.csv`` by that relative path.
    Its DEBUG log (by default a file in the working directory) goes to ``workdir`` instead.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    logging_config = workdir / "validator-logging.yaml"
    logging_config.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {
                    "file": {
                        "class": "logging.FileHandler",
                        "filename": str(workdir / "focus_validator.log"),
                        "level": "INFO",
                    }
                },
                "root": {"level": "INFO", "handlers": ["file"]},
            }
        )
    )
    env = {**os.environ, "LOGGING_CONFIG": str(logging_config), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        validator.command(data_file.resolve()),
        cwd=validator.site_packages,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    (workdir / "validator-output.txt").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise AssertionError(f"the validator crashed (exit {done.returncode}):\n{done.stderr}")
    return parse_console_report(done.stdout)


def load_allowlist() -> dict[str, dict]:
    """rule id -> {rule, reason, recheck (optional)} from focus_validator_allowlist.yml."""
    data = yaml.safe_load(ALLOWLIST.read_text())
    return {entry["rule"]: entry for entry in data["false_positives"]}


def unexplained_failures(report: Report, allowlist: dict[str, dict]) -> list[RuleResult]:
    """Failing rules that are neither allow-listed nor composites failing only because of
    allow-listed children. A composite whose own leaf checks fail (``check_value#1`` ...)
    is unexplained; a child the composite names but that did not fail is no reason."""
    memo: dict[str, bool] = {}

    def explained(rule: str) -> bool:
        if rule in allowlist:
            return True
        if rule not in memo:
            memo[rule] = False  # guards against cycles
            result = report.results.get(rule)
            memo[rule] = bool(
                result
                and result.children
                and all(
                    c in report.results and (report.results[c].status != "FAIL" or explained(c))
                    for c in result.children
                )
            )
        return memo[rule]

    return [r for r in report.failed() if not explained(r.rule)]


def describe(failures: list[RuleResult]) -> str:
    """The failing rules with what they check and sample values; parents (composites that fail
    because a child fails) on one line at the end."""
    lines = []
    parents = [r.rule for r in failures if r.children]
    for r in failures:
        if r.children:
            continue
        lines.append(f"{r.rule}: {r.violations} violation(s): {r.message}")
        if r.must_satisfy:
            lines.append(f"    spec: {r.must_satisfy}")
        lines += [f"    e.g. {s}" for s in r.samples]
    if parents:
        lines.append(f"failing because of the above: {', '.join(parents)}")
    return "\n".join(lines)


# The validator checks "MUST be one of the allowed values" rules with "at least one row has an
# allowed value (or NULL)": a file where one row says ChargeCategory "Refund" passes it. So the
# same rules, read from the validator's own rules model, are re-checked here row by row.


def allowed_values_rules(validator: Validator) -> dict[str, tuple[str, tuple[str, ...]]]:
    """rule id -> (column, allowed values) for every allowed-values rule of the model."""
    model = json.loads(
        (
            validator.site_packages / "focus_validator" / "rules" / f"model-{RULES_MODEL}.json"
        ).read_text()
    )
    rules = {}
    for rule_id, rule in model["ModelRules"].items():
        requirement = rule["ValidationCriteria"].get("Requirement") or {}
        items = requirement.get("Items") or []
        if (
            requirement.get("CheckFunction") == "OR"
            and items
            and all(i.get("CheckFunction") == "CheckValue" for i in items)
            and len({i["ColumnName"] for i in items}) == 1
            and not rule["ValidationCriteria"].get("Condition")
        ):
            rules[rule_id] = (items[0]["ColumnName"], tuple(i["Value"] for i in items))
    return rules


def subcategory_parents(validator: Validator) -> list[tuple[str, str]]:
    """(ServiceSubcategory, ServiceCategory) pairs of ServiceSubcategory-C-004-M."""
    model = json.loads(
        (
            validator.site_packages / "focus_validator" / "rules" / f"model-{RULES_MODEL}.json"
        ).read_text()
    )
    items = model["ModelRules"]["ServiceSubcategory-C-004-M"]["ValidationCriteria"]
    pairs = []
    for pair in items["Requirement"]["Items"]:
        values = {i["ColumnName"]: i["Value"] for i in pair["Items"]}
        pairs.append((values["ServiceSubcategory"], values["ServiceCategory"]))
    return pairs


def row_wise_violations(validator: Validator, data_file: Path) -> list[str]:
    """Every allowed-values rule (and the subcategory -> category pairs) checked on every row,
    and the allow-list's rechecks: the spec sentences of rules the validator gets wrong."""
    problems = []
    allowlist = load_allowlist()
    with duckdb.connect() as con:
        con.execute(f"CREATE VIEW focus AS SELECT * FROM read_parquet('{data_file}')")
        for rule_id, entry in sorted(allowlist.items()):
            if entry.get("recheck"):
                (count,) = con.execute(
                    f"SELECT count(*) FROM focus WHERE {entry['recheck']}"
                ).fetchone()
                if count:
                    problems.append(
                        f"{rule_id} (as the spec writes it): {count} row(s) where "
                        f"{' '.join(entry['recheck'].split())}"
                    )
        for rule_id, (column, values) in sorted(allowed_values_rules(validator).items()):
            if rule_id in allowlist:
                continue  # its values are wrong upstream; the recheck above replaces it
            rows = con.execute(
                f"""SELECT "{column}", count(*) FROM focus
                    WHERE "{column}" IS NOT NULL AND "{column}" NOT IN (SELECT unnest(?))
                    GROUP BY ALL ORDER BY 2 DESC LIMIT 5""",
                [list(values)],
            ).fetchall()
            if rows:
                problems.append(
                    f"{rule_id}: {column} not one of {list(values)}: "
                    + ", ".join(f"{v!r} x{n}" for v, n in rows)
                )
        con.execute("CREATE TABLE pairs(sub VARCHAR, cat VARCHAR)")
        con.executemany("INSERT INTO pairs VALUES (?, ?)", subcategory_parents(validator))
        rows = con.execute(
            """SELECT ServiceSubcategory, ServiceCategory, count(*) FROM focus f
               WHERE ServiceSubcategory IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.sub = f.ServiceSubcategory
                                                         AND p.cat = f.ServiceCategory)
               GROUP BY ALL ORDER BY 3 DESC LIMIT 5"""
        ).fetchall()
        if rows:
            problems.append(
                "ServiceSubcategory-C-004-M: subcategory outside its parent category: "
                + ", ".join(f"{s!r} under {c!r} x{n}" for s, c, n in rows)
            )
    return problems


# --------------------------------------------------------------------------------------------
# A small hand-written mart with the shape of marts.fct_cost_and_usage
# --------------------------------------------------------------------------------------------

SAMPLE_MART = r"""
CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE TABLE marts.fct_cost_and_usage AS
WITH months(BillingPeriodStart) AS (
    VALUES (TIMESTAMP '2024-01-01'), (TIMESTAMP '2024-02-01')
),
charges AS (
    SELECT * FROM (VALUES
        -- on-demand usage
        ('Usage', 'Usage-Based', 'Standard', 'i-0a1b2c3d4e5f60718', 'web-1',
         'Virtual Machine', '$0.0832 per On Demand Linux t3.large Instance Hour',
         1.0, 'Hours', 1.0, 'Hours', 0.0832, 0.0832, 0.0832, 0.0832, 0.0832, 0.0832,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         'Compute', 'Amazon Elastic Compute Cloud', 'Virtual Machines', 'ABCD1234EFGH5678',
         'BoxUsage:t3.large', 'ABCD1234EFGH5678.JRTCKXETXF.6YS6EN2CT7',
         '{"x_InstanceType": "t3.large"}', '{"team": "payments", "env": "prod"}'),
        -- usage covered by a savings plan: BilledCost 0, amortized EffectiveCost
        ('Usage', 'Usage-Based', 'Committed', 'i-0a1b2c3d4e5f60719', 'web-2',
         'Virtual Machine', 'Compute Savings Plan covered usage',
         1.0, 'Hours', 1.0, 'Hours', 0.0832, 0.0832, 0.0832, 0.0832, 0.0, 0.06,
         'arn:aws:savingsplans::012345678901:savingsplan/0f1e2d3c', 'sp-compute-1y', 'Spend',
         'Compute Savings Plan', 'Used', 0.06, 'USD',
         'Compute', 'Amazon Elastic Compute Cloud', 'Virtual Machines', 'ABCD1234EFGH5678',
         'BoxUsage:t3.large', 'ABCD1234EFGH5678.JRTCKXETXF.6YS6EN2CT7',
         '{"x_InstanceType": "t3.large"}', '{"team": "search"}'),
        -- the savings plan's recurring fee: a Purchase, EffectiveCost 0
        ('Purchase', 'Recurring', 'Standard', NULL, NULL, NULL,
         '1 year No Upfront Compute Savings Plan recurring fee',
         NULL, NULL, 1.0, 'Hours', 0.07, 0.07, 0.07, 0.07, 0.07, 0.0,
         'arn:aws:savingsplans::012345678901:savingsplan/0f1e2d3c', 'sp-compute-1y', 'Spend',
         'Compute Savings Plan', NULL, 0.07, 'USD',
         'Compute', 'Savings Plans for AWS Compute usage', 'Other (Compute)', 'SPSKU0001',
         'ComputeSP:1yrNoUpfront', 'SPSKU0001.PRICE', NULL, NULL),
        -- the unused part of the commitment: Usage / Unused, ResourceId = commitment id
        ('Usage', 'Usage-Based', 'Committed',
         'arn:aws:savingsplans::012345678901:savingsplan/0f1e2d3c', 'sp-compute-1y',
         'Savings Plan', 'Unused Compute Savings Plan commitment',
         NULL, NULL, 0.01, 'USD', 1.0, 1.0, 0.01, 0.01, 0.0, 0.01,
         'arn:aws:savingsplans::012345678901:savingsplan/0f1e2d3c', 'sp-compute-1y', 'Spend',
         'Compute Savings Plan', 'Unused', 0.01, 'USD',
         'Compute', 'Savings Plans for AWS Compute usage', 'Other (Compute)', 'SPSKU0001',
         'ComputeSP:1yrNoUpfront', 'SPSKU0001.PRICE', NULL, NULL),
        -- tax
        ('Tax', 'Recurring', NULL, NULL, NULL, NULL, 'Tax for billing period',
         NULL, NULL, NULL, NULL, NULL, NULL, 0.0, 0.0, 0.01, 0.01,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         'Other', 'Tax', 'Other (Other)', NULL, NULL, NULL, NULL, NULL),
        -- credit: EffectiveCost = BilledCost
        ('Credit', 'One-Time', NULL, NULL, NULL, NULL, 'AWS promotional credit',
         NULL, NULL, NULL, NULL, NULL, NULL, 0.0, 0.0, -0.05, -0.05,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         'Compute', 'Amazon Elastic Compute Cloud', 'Virtual Machines', NULL, NULL, NULL, NULL,
         NULL)
    ) AS t(ChargeCategory, ChargeFrequency, PricingCategory, ResourceId, ResourceName,
           ResourceType, ChargeDescription, ConsumedQuantity, ConsumedUnit, PricingQuantity,
           PricingUnit, ListUnitPrice, ContractedUnitPrice, ListCost, ContractedCost,
           BilledCost, EffectiveCost, CommitmentDiscountId, CommitmentDiscountName,
           CommitmentDiscountCategory, CommitmentDiscountType, CommitmentDiscountStatus,
           CommitmentDiscountQuantity, CommitmentDiscountUnit, ServiceCategory, ServiceName,
           ServiceSubcategory, SkuId, SkuMeter, SkuPriceId, SkuPriceDetails, Tags)
)
SELECT
    CASE WHEN ResourceId LIKE 'i-%' THEN 'us-east-1a' END AS AvailabilityZone,
    CAST(BilledCost AS DECIMAL(38, 10)) AS BilledCost,
    '012345678901' AS BillingAccountId,
    'Acme Corp' AS BillingAccountName,
    'Billing Account' AS BillingAccountType,
    'USD' AS BillingCurrency,
    BillingPeriodStart + INTERVAL 1 MONTH AS BillingPeriodEnd,
    BillingPeriodStart,
    CAST(NULL AS VARCHAR) AS CapacityReservationId,
    CAST(NULL AS VARCHAR) AS CapacityReservationStatus,
    ChargeCategory,
    CAST(NULL AS VARCHAR) AS ChargeClass,
    ChargeDescription,
    ChargeFrequency,
    BillingPeriodStart + INTERVAL 14 DAY + INTERVAL 11 HOUR AS ChargePeriodEnd,
    BillingPeriodStart + INTERVAL 14 DAY + INTERVAL 10 HOUR AS ChargePeriodStart,
    CommitmentDiscountCategory,
    CommitmentDiscountId,
    CommitmentDiscountName,
    CAST(CommitmentDiscountQuantity AS DECIMAL(38, 10)) AS CommitmentDiscountQuantity,
    CommitmentDiscountStatus,
    CommitmentDiscountType,
    CommitmentDiscountUnit,
    CAST(ConsumedQuantity AS DECIMAL(38, 10)) AS ConsumedQuantity,
    ConsumedUnit,
    CAST(ContractedCost AS DECIMAL(38, 10)) AS ContractedCost,
    CAST(ContractedUnitPrice AS DECIMAL(38, 10)) AS ContractedUnitPrice,
    CAST(EffectiveCost AS DECIMAL(38, 10)) AS EffectiveCost,
    '0' || strftime(BillingPeriodStart, '%Y%m') || '001' AS InvoiceId,
    'AWS' AS InvoiceIssuerName,
    CAST(ListCost AS DECIMAL(38, 10)) AS ListCost,
    CAST(ListUnitPrice AS DECIMAL(38, 10)) AS ListUnitPrice,
    PricingCategory,
    'USD' AS PricingCurrency,
    CAST(ContractedUnitPrice AS DECIMAL(38, 10)) AS PricingCurrencyContractedUnitPrice,
    CAST(EffectiveCost AS DECIMAL(38, 10)) AS PricingCurrencyEffectiveCost,
    CAST(ListUnitPrice AS DECIMAL(38, 10)) AS PricingCurrencyListUnitPrice,
    CAST(PricingQuantity AS DECIMAL(38, 10)) AS PricingQuantity,
    PricingUnit,
    'AWS' AS ProviderName,
    'AWS' AS PublisherName,
    'us-east-1' AS RegionId,
    'US East (N. Virginia)' AS RegionName,
    ResourceId,
    ResourceName,
    ResourceType,
    ServiceCategory,
    ServiceName,
    ServiceSubcategory,
    SkuId,
    SkuMeter,
    SkuPriceDetails,
    SkuPriceId,
    '000123456789' AS SubAccountId,
    'payments-prod' AS SubAccountName,
    'AWS Account' AS SubAccountType,
    Tags,
    'AWS' AS ServiceProviderName,
    CAST(NULL AS VARCHAR) AS HostProviderName,
    CAST(NULL AS VARCHAR) AS AllocatedMethodId,
    CAST(NULL AS VARCHAR) AS AllocatedMethodDetails,
    CAST(NULL AS VARCHAR) AS AllocatedResourceId,
    CAST(NULL AS VARCHAR) AS AllocatedResourceName,
    CAST(NULL AS VARCHAR) AS AllocatedTags,
    CAST(NULL AS VARCHAR) AS ContractApplied,
    'aws_cur' AS x_SourceFormat,
    'landing/aws/' || strftime(BillingPeriodStart, '%Y-%m') || '/cur.csv.gz' AS x_SourceFile,
    'Standard' AS x_AmortizationClass
FROM months CROSS JOIN charges
ORDER BY BillingPeriodStart, ChargeCategory, BilledCost;
"""


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(SAMPLE_MART)
    return path


@pytest.fixture(scope="session")
def validator() -> Validator:
    return ensure_validator()


# --------------------------------------------------------------------------------------------
# The export's shape (what the validator and FOCUS readers rely on)
# --------------------------------------------------------------------------------------------


def test_export_writes_focus_columns_in_spec_order_then_x_columns(sample_warehouse, tmp_path):
    result = export_focus(sample_warehouse, tmp_path / "focus.parquet", None)
    names = pq.read_schema(result.path).names
    focus = [name for name, _ in focus_columns().spec]
    assert names[: len(focus)] == focus
    assert all(name.startswith("x_") for name in names[len(focus) :])
    # the 1.3 extras travel as custom columns; the mart's own x_ columns follow
    assert "x_ServiceProviderName" in names and "x_SourceFile" in names
    assert result.rows == 12 and result.columns == tuple(names)


def test_export_types_ids_as_strings_times_as_utc_and_money_as_exact_decimal(
    sample_warehouse, tmp_path
):
    out = export_focus(sample_warehouse, tmp_path / "focus.parquet", None).path
    schema = pq.read_schema(out)
    for name, focus_type in focus_columns().spec:
        arrow_type = str(schema.field(name).type)
        if focus_type in ("String", "JSON"):
            assert arrow_type == "string", name
        elif focus_type == "Date/Time":
            assert arrow_type == "timestamp[us, tz=UTC]", name
        else:
            assert arrow_type.startswith("decimal128("), name
    table = pq.read_table(out, columns=["BillingAccountId", "SubAccountId", "BilledCost"])
    assert set(table["BillingAccountId"].to_pylist()) == {"012345678901"}
    assert set(table["SubAccountId"].to_pylist()) == {"000123456789"}
    assert sum(table["BilledCost"].to_pylist()) == Decimal("0.2264")


def test_export_period_keeps_only_that_billing_month(sample_warehouse, tmp_path):
    result = export_focus(sample_warehouse, tmp_path / "feb.parquet", "2024-02")
    starts = pq.read_table(result.path, columns=["BillingPeriodStart"])["BillingPeriodStart"]
    assert result.rows == 6
    assert {t.isoformat() for t in starts.to_pylist()} == {"2024-02-01T00:00:00+00:00"}


def test_export_of_an_empty_month_fails_and_keeps_the_previous_file(sample_warehouse, tmp_path):
    out = tmp_path / "focus.parquet"
    out.write_bytes(b"previous export")
    with pytest.raises(ExportError, match="2024-01, 2024-02"):
        export_focus(sample_warehouse, out, "2023-12")
    assert out.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["focus.parquet"]


def test_export_refuses_a_malformed_period(sample_warehouse, tmp_path):
    with pytest.raises(ExportError, match="YYYY-MM"):
        export_focus(sample_warehouse, tmp_path / "focus.parquet", "2024-1")


def test_export_before_the_mart_is_built_says_to_run_finops_run(tmp_path):
    empty = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ExportError, match="run `finops run` first"):
        export_focus(empty, tmp_path / "focus.parquet", None)
    with pytest.raises(ExportError, match="run `finops run` first"):
        export_focus(tmp_path / "missing.duckdb", tmp_path / "focus.parquet", None)


# --------------------------------------------------------------------------------------------
# The validator's verdict
# --------------------------------------------------------------------------------------------


def test_allowlist_entries_each_name_a_rule_of_the_model_and_say_why(validator):
    model = json.loads(
        (
            validator.site_packages / "focus_validator" / "rules" / f"model-{RULES_MODEL}.json"
        ).read_text()
    )
    for rule, entry in load_allowlist().items():
        assert rule in model["ModelRules"], rule
        assert len(entry["reason"].split()) >= 15, f"{rule}: say why it is a false positive"


def test_sample_export_passes_the_focus_validator(validator, sample_warehouse, tmp_path):
    out = export_focus(sample_warehouse, tmp_path / "focus.parquet", None).path
    report = run_validator(validator, out, tmp_path / "validator")
    failures = unexplained_failures(report, load_allowlist())
    assert not failures, "FOCUS validator failures (fix the data, not the allow-list):\n" + (
        describe(failures)
    )
    passed = sum(r.status == "PASS" for r in report.results.values())
    assert passed > 300, "the validator checked almost nothing: is the file empty?"
    assert row_wise_violations(validator, out) == []


def test_validator_harness_reports_a_real_violation(validator, sample_warehouse, tmp_path):
    """Guards the harness: a NULL BilledCost must come out as an unexplained failure."""
    good = export_focus(sample_warehouse, tmp_path / "good.parquet", None).path
    bad = tmp_path / "bad.parquet"
    duckdb.sql(
        f"""COPY (SELECT * REPLACE (CASE WHEN ChargeCategory <> 'Credit' THEN BilledCost
                                    END AS BilledCost)
                  FROM read_parquet('{good}'))
            TO '{bad}' (FORMAT parquet)"""
    )
    report = run_validator(validator, bad, tmp_path / "validator")
    assert "BilledCost-C-003-M" in {r.rule for r in unexplained_failures(report, load_allowlist())}


def test_row_wise_check_catches_a_value_the_validator_lets_through(
    validator, sample_warehouse, tmp_path
):
    good = export_focus(sample_warehouse, tmp_path / "good.parquet", None).path
    bad = tmp_path / "bad.parquet"
    duckdb.sql(
        f"""COPY (SELECT * REPLACE (CASE WHEN ChargeCategory = 'Credit' THEN 'Refund'
                                    ELSE ChargeCategory END AS ChargeCategory,
                                    CASE WHEN ServiceSubcategory = 'Virtual Machines'
                                    THEN 'Relational Databases' ELSE ServiceSubcategory
                                    END AS ServiceSubcategory)
                  FROM read_parquet('{good}'))
            TO '{bad}' (FORMAT parquet)"""
    )
    problems = row_wise_violations(validator, bad)
    assert any(p.startswith("ChargeCategory-C-003-M") and "'Refund' x2" in p for p in problems)
    assert any(p.startswith("ServiceSubcategory-C-004-M") for p in problems)


# --------------------------------------------------------------------------------------------
# The demo: generator -> finops run -> finops export focus -> validator
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_export(demo_run, finops_cli, tmp_path_factory) -> Path:
    """The demo's FOCUS export, written by the real `finops export focus` command."""
    _, env, _, _, run = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    out = tmp_path_factory.mktemp("demo_export") / "focus.parquet"
    export = finops_cli("export", "focus", "--out", str(out), env=env)
    assert export.returncode == 0, export.stdout + export.stderr
    return out


@pytest.mark.long
def test_demo_export_passes_the_focus_validator(validator, demo_export, tmp_path):
    report = run_validator(validator, demo_export, tmp_path / "validator")
    failures = unexplained_failures(report, load_allowlist())
    problems = row_wise_violations(validator, demo_export)
    assert not failures and not problems, (
        f"FOCUS validator failures on the demo export {demo_export} "
        "(fix the models, not the allow-list):\n" + describe(failures) + "\n" + "\n".join(problems)
    )
