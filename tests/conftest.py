"""Shared pytest fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def generator_demo(tmp_path_factory):
    """A small generated demo (two months, seed 7): ``(root, ground truth dict with Decimals)``.

    Two months cover the restated delivery, the refund of a prior month, the Savings Plan
    bought in the window and the GCP usage correction.
    """
    from dagster_project.generator import generate, load_ground_truth

    root = tmp_path_factory.mktemp("generator_demo")
    generate(root, months=2, seed=7)
    return root, load_ground_truth(root / "ground_truth.json")
