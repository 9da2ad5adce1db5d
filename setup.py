"""Ships the dbt project inside the package, so an installed `finops` runs without the repo.

A wheel gets a copy of the project (dbt_project.yml, models, macros, seeds, dbt/, expectations)
in finops_warehouse/dbt_project/, which finops_warehouse/locations.py reads when the repo is not
beside the package. The copy is made in the build directory only: the source tree never holds
it, and an editable install reads the repo itself. Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PROJECT_PARTS = (
    "dbt_project.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "dbt",
    "expectations",
)
BUILD_OUTPUT = shutil.ignore_patterns("target", "logs", "__pycache__", ".user.yml")


class BuildPyWithDbtProject(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        destination = Path(self.build_lib) / "finops_warehouse" / "dbt_project"
        shutil.rmtree(destination, ignore_errors=True)  # a file removed from the repo goes too
        destination.mkdir(parents=True)
        for part in PROJECT_PARTS:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, destination / part, ignore=BUILD_OUTPUT)
            else:
                shutil.copyfile(source, destination / part)  # selectors.yml is a symlink


setup(cmdclass={"build_py": BuildPyWithDbtProject})
