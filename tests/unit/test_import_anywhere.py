"""The package imports in any order: no import cycle, and the code location loads in a fresh
clone (no dbt manifest yet) the way `dagster dev -m finops_warehouse.orchestration.definitions`
loads it."""

import ast
import json
import os
import shutil
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from finops_warehouse.locations import PACKAGE_DIR
from finops_warehouse.orchestration.project import ensure_manifest

PACKAGE = PACKAGE_DIR.name


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Which package modules each module imports, anywhere in its body (a function-local
    import hides a cycle from Python until the function runs, not from this graph)."""
    modules = {_module_name(path): path for path in PACKAGE_DIR.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from package import module` imports the module, not only the package.
                submodules = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                imported |= submodules or {node.module}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
        graph[name] = (imported & modules.keys()) - {name}
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    # the graph is read
    assert (
        "finops_warehouse.orchestration.definitions"
        in graph["finops_warehouse.orchestration.runner"]
    )
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


LOAD_LIKE_DAGSTER = """
import json, sys
from pathlib import Path

target = Path(sys.argv[1])
import finops_warehouse.orchestration.definitions  # noqa: F401
manifest_after_import = (target / "manifest.json").exists()

from dagster._core.definitions.reconstruct import repository_def_from_target_def
from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module

[loadable] = loadable_targets_from_python_module("finops_warehouse.orchestration.definitions", None)
repository = repository_def_from_target_def(loadable.target_definition)
print(json.dumps({
    "manifest_after_import": manifest_after_import,
    "attribute": loadable.attribute,
    "jobs": sorted(job.name for job in repository.get_all_jobs()),
    "assets": sorted(key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()),
}))
"""


def test_definitions_load_in_a_fresh_clone_without_a_manifest(tmp_path):
    # dbt's own manifest, from the usual target directory: the ground truth of the models (an
    # ephemeral model leaves nothing in the warehouse and is no asset).
    manifest = json.loads(ensure_manifest().read_text())
    models = {
        f"{'seeds' if n['resource_type'] == 'seed' else n['fqn'][1]}/{n['name']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed") and n["config"]["materialized"] != "ephemeral"
    }
    # A target directory holding no manifest, as in a fresh clone. dbt's partial-parse state is
    # copied in only to spare the test a full parse (it reads the same project files).
    target = tmp_path / "target"
    target.mkdir()
    shutil.copy(ensure_manifest().parent / "partial_parse.msgpack", target)
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "PYTHONPATH": str(PACKAGE_DIR.parent)}
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_LIKE_DAGSTER, str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    result = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert result["manifest_after_import"] is False  # importing reads and writes nothing
    assert result["attribute"] == "definitions"
    assert {"ingest_job", "transform_job", "close_job", "report_job"} <= set(result["jobs"])
    assert models <= set(result["assets"])
    assert (target / "manifest.json").exists()


# What writes a process's environment: `os.environ[...] = ...`, `del os.environ[...]`, these
# methods of os.environ, os.putenv and os.unsetenv.
_ENVIRON_WRITES = {"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"}


def environment_writes(source: str) -> list[int]:
    """Lines of `source` that write the process environment."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        targets = [t.value for t in targets if isinstance(t, ast.Subscript)]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _ENVIRON_WRITES:
                targets.append(node.func.value)
            elif node.func.attr in ("putenv", "unsetenv"):
                lines.append(node.lineno)
        lines.extend(node.lineno for t in targets if ast.unparse(t) == "os.environ")
    return sorted(lines)


def test_the_environment_check_finds_every_kind_of_write():
    source = (
        "import os\n"
        "os.environ['A'] = '1'\n"
        "os.environ.update(B='2')\n"
        "os.environ.pop('A')\n"
        "del os.environ['B']\n"
        "os.putenv('C', '3')\n"
        "env = {**os.environ, 'D': '4'}\n"
        "x = os.environ.get('E')\n"
    )
    assert environment_writes(source) == [2, 3, 4, 5, 6]


def test_no_module_writes_the_process_environment():
    """Settings reach the resources as config and dbt or `dagster dev` as their own process
    environment (finops_warehouse/settings.py), never through this process's."""
    writes = {
        str(path.relative_to(PACKAGE_DIR.parent)): found
        for package in (PACKAGE_DIR, PACKAGE_DIR.parent / "finops_generator")
        for path in sorted(package.rglob("*.py"))
        if (found := environment_writes(path.read_text()))
    }
    # The dbt server's forked child becomes a dbt command: it takes that command's environment.
    child = writes.pop("finops_warehouse/orchestration/dbt_server.py", [])
    assert len(child) == 2
    assert writes == {}
