"""The chunked recording loop: exact at chunk edges, quiet, and frugal with constant momentum."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
from reference import CASES, reference_rows, run_header

import lrplot

simulate_module = importlib.import_module("lrplot.recording")  # the loop simulate() runs


@pytest.mark.parametrize("chunk", [1, 7])
def test_every_scheduler_is_exact_across_chunk_edges_and_warns_nothing(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of 1 and 7 steps put an edge at every step or mid-epoch for every reference case,
    # and OneCycleLR/CyclicLR switch momentum from "constant so far" to a full array mid-run.
    monkeypatch.setattr(simulate_module, "CHUNK_STEPS", chunk)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, case in CASES.items():
            curve = lrplot.simulate(lrplot.spec_from_text(run_header(case) + case.yaml))
            expected_lr, expected_momentum = reference_rows(case)
            assert curve.lr.tolist() == expected_lr, name
            assert curve.momentum is not None and curve.momentum.tolist() == expected_momentum, name
    assert [str(w.message) for w in caught] == []


def test_momentum_that_changes_late_is_recorded_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulate_module, "CHUNK_STEPS", 4)
    text = """
epochs: 12
optimizer: {momentum: 0.9}
scheduler:
  type: SequentialLR
  milestones: [6]
  schedulers:
    - {type: constant, factor: 1.0, total_iters: 1}
    - {type: cyclic, base_lr: 0.01, max_lr: 0.1, step_size_up: 2}
"""
    momentum = lrplot.simulate(lrplot.spec_from_text(text)).momentum
    assert momentum is not None and momentum.flags.writeable  # a real array, not a view
    assert len(set(momentum[0].tolist())) > 1


def test_constant_momentum_is_a_view_with_exact_bits() -> None:
    rows = simulate_module.Rows(2, 6)
    block = np.array([[-0.0, -0.0, -0.0], [0.9, 0.9, 0.9]])
    rows.add(0, block)
    rows.add(3, block.copy())
    constant = rows.array()
    assert constant.shape == (2, 6) and constant.strides[1] == 0
    assert [repr(v) for v in constant[0].tolist()] == ["-0.0"] * 6
    # +0.0 == -0.0 numerically, but the CSV would differ: bitwise comparison keeps it apart.
    rows.add(3, np.array([[0.0, 0.0, 0.0], [0.9, 0.9, 0.9]]))
    full = rows.array()
    assert [repr(v) for v in full[0].tolist()] == ["-0.0"] * 3 + ["0.0"] * 3


def test_epoch_interval_keeps_a_constant_momentum_a_view() -> None:
    spec = lrplot.spec_from_text(
        "epochs: 5\nsteps_per_epoch: 4\nscheduler: {type: step, step_size: 2}"
    )
    curve = lrplot.simulate(spec)
    assert curve.momentum is not None and curve.momentum.shape == (1, 20)
    assert curve.momentum.strides[1] == 0 and curve.momentum.tolist() == [[0.0] * 20]
    assert curve.epoch.tolist() == [t / 4 for t in range(20)]
    assert curve.step.tolist() == list(range(20))


def test_a_value_that_is_no_number_names_its_step() -> None:
    row = np.zeros(5)  # row[1 + 2] holds step 10 + 1 + 2
    with pytest.raises(lrplot.LrplotError, match="scheduler step 13: could not convert"):
        simulate_module._store(row, 1, [1.0, 2.0, "x"], "scheduler", offset=10)
