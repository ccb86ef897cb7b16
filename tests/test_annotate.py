"""Markers: where the scheduler's parameters say to look, confirmed by torch's own numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import lrplot
from lrplot.draw.markers import jumps, markers
from lrplot.metrics import metric_values
from lrplot.model import MetricSpec

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def curve_of(text: str) -> lrplot.Curve:
    return lrplot.simulate(lrplot.spec_from_text(text))


def summary(curve: lrplot.Curve, axis: str = "epoch") -> list[tuple[str, str]]:
    return [(m.kind, m.label(curve, axis)) for m in markers(curve)]


def test_multistep_milestones_with_the_measured_ratio() -> None:
    curve = curve_of("scheduler: {type: multistep, milestones: [30, 60, 80], gamma: 0.5}")
    assert summary(curve) == [
        ("milestone", "×0.5 @ 30"),
        ("milestone", "×0.5 @ 60"),
        ("milestone", "×0.5 @ 80"),
    ]
    assert [m.row for m in markers(curve)] == [30, 60, 80]


def test_positions_follow_steps_per_epoch_and_the_x_axis() -> None:
    # scheduler.step() every optimizer step: StepLR(10) fires at step 10 = epoch 2.5
    curve = curve_of(
        "epochs: 5\nsteps_per_epoch: 4\ninterval: step\n"
        "scheduler: {type: step, step_size: 10, gamma: 0.1}"
    )
    assert summary(curve, "epoch") == [("milestone", "×0.1 @ 2.5")]
    assert summary(curve, "step") == [("milestone", "×0.1 @ 10")]
    # per epoch: MultiStepLR([3]) takes effect at the first step of epoch 3 = row 12
    curve = curve_of("epochs: 5\nsteps_per_epoch: 4\nscheduler: {type: multistep, milestones: [3]}")
    assert [m.row for m in markers(curve)] == [12]
    assert summary(curve, "step") == [("milestone", "×0.1 @ 12")]


def test_warm_restarts_where_torch_restarts() -> None:
    curve = lrplot.simulate(lrplot.load_spec(CONFIGS / "cosine-warm-restarts.yaml"))
    found = markers(curve)
    assert [(m.kind, m.row) for m in found] == [("restart", 20), ("restart", 60)]
    for m in found:  # torch really jumps back up to the base lr there
        assert curve.lr[0, m.row] == pytest.approx(0.001) and curve.lr[0, m.row - 1] < 1e-4


def test_sequential_boundary_and_the_end_of_warmup_share_one_marker() -> None:
    curve = lrplot.simulate(lrplot.load_spec(CONFIGS / "warmup-cosine.yaml"))
    assert summary(curve) == [("boundary", "warmup ends → CosineAnnealingLR @ 5")]


def test_nested_events_are_shifted_to_where_the_child_starts() -> None:
    curve = curve_of(
        "optimizer: {lr: 1.0}\nscheduler:\n  type: sequential\n  milestones: [10]\n"
        "  schedulers:\n    - {type: constant, factor: 0.5, total_iters: 4}\n"
        "    - {type: multistep, milestones: [20, 200], gamma: 0.5}\n"
    )
    # ConstantLR ends at 4; MultiStepLR starts at 10, so its milestone 20 lands at 30 (200: never)
    assert summary(curve) == [
        ("warmup", "warmup ends @ 4"),
        ("boundary", "→ MultiStepLR @ 10"),
        ("milestone", "×0.5 @ 30"),
    ]
    assert curve.lr[0, 29] == 1.0 and curve.lr[0, 30] == 0.5


def test_a_milestone_the_curve_does_not_show_gets_no_marker() -> None:
    # LambdaLR is closed-form: stepped after StepLR in a ChainedScheduler it overwrites the lr,
    # so StepLR's milestones never reach the optimizer.
    curve = curve_of(
        "scheduler:\n  type: chained\n  schedulers:\n"
        "    - {type: step, step_size: 10, gamma: 0.5}\n    - {type: lambda, lr_lambda: '1'}\n"
    )
    assert float(curve.lr.max() - curve.lr.min()) == 0
    assert markers(curve) == []


def test_plateau_reductions_are_where_torch_reduced() -> None:
    curve = lrplot.simulate(lrplot.load_spec(CONFIGS / "plateau.yaml"))
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.001)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=3)
    expected = []
    for epoch, loss in enumerate(metric_values(MetricSpec(), 100)):
        before = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step(float(loss))
        if optimizer.param_groups[0]["lr"] != before and epoch + 1 < 100:
            expected.append(epoch + 1)
    found = markers(curve)
    assert expected and [m.row for m in found] == expected
    assert {(m.kind, m.text) for m in found} == {("reduction", "×0.1")}


def test_onecycle_warmup_ends_at_the_peak() -> None:
    curve = lrplot.simulate(lrplot.load_spec(CONFIGS / "onecycle.yaml"))
    assert summary(curve) == [("warmup", "warmup ends @ 2.9")]
    assert curve.lr[0, 29] == pytest.approx(0.1)


def test_stepped_lambda_is_marked_from_the_curve_smooth_curves_are_not() -> None:
    stepped = curve_of("scheduler: {type: lambda, lr_lambda: '0.1 ** (epoch // 30)'}")
    assert summary(stepped) == [
        ("jump", "×0.1 @ 30"),
        ("jump", "×0.1 @ 60"),
        ("jump", "×0.1 @ 90"),
    ]
    for text in ("{type: exponential, gamma: 0.9}", "{type: cyclic, base_lr: 0.01, max_lr: 0.1}"):
        assert markers(curve_of(f"optimizer: {{momentum: 0.9}}\nscheduler: {text}")) == []


def test_too_many_milestones_are_texture_not_landmarks() -> None:
    curve = curve_of("scheduler: {type: step, step_size: 2, gamma: 0.9}")
    assert markers(curve) == []
    assert jumps(curve) == []  # 49 changes: not piecewise constant either


def test_every_classic_config_gets_the_markers_it_should() -> None:
    expected = {
        "lambda": [],
        "exponential": [],
        "cosine": [],  # the run is T_max epochs, so T_max itself is past its last row
        "cyclic": [],
        "step": [
            ("milestone", "×0.1 @ 30"),
            ("milestone", "×0.1 @ 60"),
            ("milestone", "×0.1 @ 90"),
        ],
        "linear": [("end", "decay ends @ 80")],
        "constant": [("warmup", "warmup ends @ 20")],
        "swa": [("end", "swa_lr reached @ 30")],
    }
    for name, want in expected.items():
        curve = lrplot.simulate(lrplot.load_spec(CONFIGS / f"{name}.yaml"))
        assert summary(curve) == want, name
