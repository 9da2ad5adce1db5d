"""Injected usage changes (spike, step, drift): their shape, and their record in the truth."""

from __future__ import annotations

import numpy as np
import pytest

from finops_generator.grid import DRIFT_DAYS, injected_qty

FIRST_H = 1000 * 24
DAYS = np.arange(-2, DRIFT_DAYS + 3)
SLOTS = FIRST_H + 24 * DAYS


def test_spike_adds_its_extra_on_its_day_only():
    added = injected_qty("spike", FIRST_H, SLOTS, 7000)
    assert added[DAYS == 0].tolist() == [7000]
    assert added[DAYS != 0].sum() == 0


def test_step_adds_its_extra_every_day_from_its_first_day():
    added = injected_qty("step", FIRST_H, SLOTS, 7000)
    assert added[DAYS < 0].sum() == 0
    assert set(added[DAYS >= 0].tolist()) == {7000}


def test_drift_ramps_up_over_its_days_then_holds():
    added = injected_qty("drift", FIRST_H, SLOTS, 14000)
    assert added[DAYS < 0].sum() == 0
    ramp = added[(DAYS >= 0) & (DAYS < DRIFT_DAYS)].tolist()
    assert ramp == [14000 * (d + 1) // DRIFT_DAYS for d in range(DRIFT_DAYS)]
    assert set(added[DAYS >= DRIFT_DAYS - 1].tolist()) == {14000}


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown injected change"):
        injected_qty("wobble", FIRST_H, SLOTS, 1)


def test_steps_and_drifts_are_recorded_with_their_kind(generator_demo):
    _, truth = generator_demo
    assert {s["kind"] for s in truth["spikes"]} == {"spike"}
    changes = truth["level_changes"]
    assert {c["kind"] for c in changes} == {"step", "drift"}
    for change in changes:
        assert change["extra_cost"] > 0
        assert change["resource_id"] in truth["resource_owners"]
        assert change["billing_period"] in truth["billing_periods"]
        assert change["date"][:7] <= change["billing_period"]
