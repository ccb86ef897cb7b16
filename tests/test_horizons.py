"""The run length defaults to the schedule's own horizon; runs that do not fit it warn.

The warnings themselves are golden cases (tests/cases/warnings/); here: the defaults, checked
against torch stepped directly, the collapse warning that only the simulated curve can give, and
that no example config warns.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from conftest import EXAMPLES_ALLOW, examples
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.errors import CurveWarning

CONFIGS = examples()  # the timm-* ones need timm, in .venv-timm
runner = CliRunner()


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_no_example_config_warns(config: Path) -> None:
    spec = lrplot.load_spec(config, allow_import=EXAMPLES_ALLOW)
    assert spec.warnings == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a CurveWarning (collapse) or anything else fails
        lrplot.simulate_figure(spec)


def _rows(text: str) -> tuple[int, int | None, int, list[float]]:
    spec = lrplot.spec_from_text(text)
    assert spec.warnings == (), [str(w) for w in spec.warnings]
    curve = spec.curves[0]
    return curve.epochs, curve.max_steps, curve.total_steps, lrplot.simulate(spec).lr[0].tolist()


def _torch(make: object, steps: int, lr: float = 0.1) -> list[float]:
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make(optimizer)  # type: ignore[operator]
    out = []
    for _ in range(steps):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return out


def test_cosine_runs_t_max_epochs() -> None:
    epochs, cut, total, lrs = _rows("optimizer: {lr: 0.1}\nscheduler: {type: cosine, T_max: 20}")
    assert (epochs, cut, total) == (20, None, 20)
    assert lrs == _torch(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 20), 20)


def test_polynomial_runs_total_iters_and_onecycle_total_steps() -> None:
    _, _, total, lrs = _rows("optimizer: {lr: 0.1}\nscheduler: {type: polynomial, total_iters: 30}")
    assert total == 30
    assert lrs == _torch(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, 30), 30)
    text = (
        "optimizer: {lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: onecycle, max_lr: 1, total_steps: 40}"
    )
    assert _rows(text)[2] == 40


def test_sequential_runs_its_last_milestone_plus_the_last_horizon() -> None:
    text = (
        "scheduler: {type: sequential, milestones: [5], schedulers: "
        "[{type: linear, start_factor: 0.1, total_iters: 5}, {type: cosine, T_max: 45}]}"
    )
    assert _rows(text)[2] == 50


def test_a_schedule_without_a_horizon_runs_100_epochs() -> None:
    assert _rows("scheduler: {type: step, step_size: 30}")[:3] == (100, None, 100)
    assert _rows("scheduler: {type: exponential, gamma: 0.95}")[2] == 100


def test_per_step_horizon_stops_inside_an_epoch_exactly_at_t_max() -> None:
    # 20 scheduler steps at 3 per epoch: 7 epochs, the last one cut after its 2nd step
    text = (
        "steps_per_epoch: 3\ninterval: step\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: cosine, T_max: 20}"
    )
    epochs, cut, total, lrs = _rows(text)
    assert (epochs, cut, total) == (7, 20, 20)
    assert lrs == _torch(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 20), 20)


def test_epoch_interval_horizon_counts_epochs() -> None:
    text = "steps_per_epoch: 4\noptimizer: {lr: 0.1}\nscheduler: {type: cosine, T_max: 10}"
    epochs, cut, total, lrs = _rows(text)
    assert (epochs, cut, total) == (10, None, 40)
    per_epoch = _torch(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10), 10)
    assert lrs == [lr for lr in per_epoch for _ in range(4)]


def test_explicit_epochs_win_and_still_warn() -> None:
    spec = lrplot.spec_from_text("epochs: 100\nscheduler: {type: cosine, T_max: 20}")
    assert spec.curves[0].epochs == 100
    assert [w.path for w in spec.warnings] == ["scheduler.T_max"]


def test_the_readme_first_example_draws_one_clean_cosine(tmp_path: Path) -> None:
    out = tmp_path / "cos.csv"
    result = runner.invoke(app, ["cosine", "--T-max", "20", "-o", str(out)])
    assert result.exit_code == 0 and result.stderr == f"wrote {out}\n"
    assert len(out.read_text().splitlines()) == 1 + 20


def test_an_lr_that_collapses_warns_with_the_step() -> None:
    spec = lrplot.spec_from_text(
        "optimizer: {lr: 0.001}\nscheduler: {type: multiplicative, lr_lambda: '0.95 ** epoch'}"
    )
    with pytest.warns(CurveWarning) as caught:
        curve = lrplot.simulate(spec)
    lr = curve.lr[0]
    first = next(t for t, value in enumerate(lr) if 0 < value < 0.001 * 1e-12)
    (warning,) = caught
    text = str(warning.message)
    assert text.startswith("scheduler (line 2): the lr falls below 1e-12 of its start 0.001 at")
    assert f"at step {first} " in text and "slow the decay" in text


def test_collapse_on_the_command_line_is_a_warning_line() -> None:
    result = runner.invoke(app, ["multiplicative", "--lr-lambda", "0.95 ** epoch"])
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1 and "falls below 1e-12 of its start" in lines[0]


@pytest.mark.parametrize(
    "text",
    [
        # a schedule that ends at exactly 0 on purpose
        "epochs: 100\nscheduler: {type: polynomial, total_iters: 80}",
        # a cosine to 0 sampled finely touches the band only in its last steps
        "optimizer: {lr: 1.0}\nscheduler: {recipe: cosine, num_training_steps: 3000000}",
        # the starter config lrplot init writes (it once compounded 0.95 ** epoch)
        "scheduler: {type: multiplicative, lr_lambda: '0.95'}",
    ],
)
def test_no_collapse_warning_for_deliberate_ends(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lrplot.simulate(lrplot.spec_from_text(text))


def test_init_multiplicative_does_not_compound() -> None:
    result = runner.invoke(app, ["init", "multiplicative"])
    assert 'lr_lambda: "0.95"' in result.stdout
