"""Every scheduler's numbers against torch stepped directly (tests/reference.py), row 0 included."""

from __future__ import annotations

import csv
import io
import math
import warnings

import pytest
import torch
from reference import CASES, Case, reference_rows, run_header, sgd

import lrplot
from lrplot.families import torch_source as registry
from lrplot.outputs.csv import csv_lines


def test_every_installed_scheduler_has_a_reference_case() -> None:
    # A scheduler added by a newer torch fails here until it gets a hand-written case.
    assert set(CASES) == set(registry.schedulers())


def rows_of(curves: tuple[lrplot.Curve, ...]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(csv_lines(curves)))))


@pytest.mark.parametrize("name", sorted(registry.schedulers()))
def test_csv_equals_torch_stepped_directly(name: str) -> None:
    case = CASES[name]
    spec = lrplot.spec_from_text(run_header(case) + case.yaml, f"{name}.yaml")
    rows = rows_of(lrplot.simulate_figure(spec))
    expected_lr, expected_momentum = reference_rows(case)
    assert len(rows) == case.epochs * case.steps_per_epoch
    assert [float(r["lr"]) for r in rows] == expected_lr[0]
    assert [float(r["momentum"]) for r in rows] == expected_momentum[0]
    assert [int(r["step"]) for r in rows] == list(range(len(rows)))
    assert [float(r["epoch"]) for r in rows] == [t / case.steps_per_epoch for t in range(len(rows))]


def test_row_zero_is_what_the_constructor_set_not_the_next_step() -> None:
    spec = lrplot.spec_from_text(
        "epochs: 10\noptimizer: {lr: 0.1}\nscheduler: {type: exponential, gamma: 0.5}"
    )
    curve = lrplot.simulate(spec)
    assert curve.lr[0, :3].tolist() == [0.1, 0.05, 0.025]


def test_chainable_formula_is_not_applied_twice() -> None:
    # The tutorial pattern (step, then get_lr()) shows 2.5e-4 at index 29 here; torch's real
    # lr during epoch 29 is still 1e-3, and 5e-4 from epoch 30.
    spec = lrplot.spec_from_text(
        "optimizer: {lr: 0.001}\nscheduler: {type: multistep, milestones: [30, 60, 80], gamma: 0.5}"
    )
    lr = lrplot.simulate(spec).lr[0]
    assert lr[29] == 0.001 and lr[30] == 0.0005 and lr[60] == 0.00025 and lr[80] == 0.000125


def test_epoch_interval_steps_the_scheduler_after_the_last_batch_of_each_epoch() -> None:
    case = Case(
        "optimizer: {lr: 0.1}\nscheduler: {type: step, step_size: 2, gamma: 0.5}",
        sgd(),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
        epochs=6,
        steps_per_epoch=3,
    )
    rows = rows_of(lrplot.simulate_figure(lrplot.spec_from_text(run_header(case) + case.yaml)))
    assert [float(r["lr"]) for r in rows] == reference_rows(case)[0][0]
    assert [float(r["epoch"]) for r in rows][:4] == [0.0, 1 / 3, 2 / 3, 1.0]


def test_several_param_groups_and_adam_betas() -> None:
    text = """
epochs: 12
optimizer:
  type: Adam
  betas: [0.8, 0.99]
  param_groups: [{lr: 0.1}, {lr: 0.01, betas: [0.7, 0.9]}]
scheduler: {type: onecycle, max_lr: [0.5, 0.05]}
"""
    curve = lrplot.simulate(lrplot.spec_from_text(text))
    params = [
        {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.1},
        {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.01, "betas": (0.7, 0.9)},
    ]
    optimizer = torch.optim.Adam(params, betas=(0.8, 0.99))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[0.5, 0.05], total_steps=12)
    lrs: list[list[float]] = [[], []]
    betas: list[list[float]] = [[], []]
    for _ in range(12):
        for g, group in enumerate(optimizer.param_groups):
            lrs[g].append(group["lr"])
            betas[g].append(group["betas"][0])
        optimizer.step()
        scheduler.step()
    assert curve.lr.tolist() == lrs
    assert curve.momentum is not None and curve.momentum.tolist() == betas
    header = "".join(csv_lines((curve,))).splitlines()[0]
    assert header == "step,epoch,lr,lr_1,momentum,momentum_1"


def test_a_list_of_lambdas_gives_one_per_group() -> None:
    text = """
epochs: 5
optimizer: {param_groups: [{lr: 1.0}, {lr: 2.0}]}
scheduler: {type: lambda, lr_lambda: ["0.5 ** epoch", "1 / (epoch + 1)"]}
"""
    curve = lrplot.simulate(lrplot.spec_from_text(text))
    assert curve.lr[0].tolist() == [0.5**e for e in range(5)]
    assert curve.lr[1].tolist() == [2.0 / (e + 1) for e in range(5)]


@pytest.mark.parametrize("name", registry.optimizer_names())
def test_every_optimizer_builds_and_follows_the_schedule(name: str) -> None:
    spec = lrplot.spec_from_text(
        f"epochs: 20\noptimizer: {{type: {name}, lr: 0.5}}\n"
        "scheduler: {type: cosine, T_max: 10, eta_min: 0.01}"
    )
    curve = lrplot.simulate(spec)
    expected = [0.01 + 0.49 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(20)]
    assert curve.lr[0].tolist() == pytest.approx(expected, rel=1e-12)


def test_no_torch_warning_escapes_a_simulation() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for case in CASES.values():
            lrplot.simulate_figure(lrplot.spec_from_text(run_header(case) + case.yaml))
    assert [str(w.message) for w in caught] == []


def test_each_curve_gets_a_fresh_optimizer() -> None:
    # initial_lr is set with setdefault: a shared optimizer would start the 2nd curve wrongly.
    text = """
optimizer: {lr: 0.1}
epochs: 4
curves:
  - {label: a, scheduler: {type: exponential, gamma: 0.5}}
  - {label: b, scheduler: {type: exponential, gamma: 0.5}}
"""
    first, second = lrplot.simulate_figure(lrplot.spec_from_text(text))
    assert first.lr.tolist() == second.lr.tolist() == [[0.1, 0.05, 0.025, 0.0125]]


def test_plateau_default_metric_is_seeded_and_documented() -> None:
    spec = lrplot.spec_from_text("scheduler: {type: plateau, patience: 3}")
    a, b = lrplot.simulate(spec), lrplot.simulate(spec)
    assert a.metric is not None and b.metric is not None
    assert a.metric.tolist() == b.metric.tolist()
    assert a.lr.tolist() == b.lr.tolist()
    assert a.lr[0, -1] < a.lr[0, 0]  # the synthetic loss flattens out, so the lr is reduced
