"""The timm family against the installed timm, driven as timm's train.py drives it.

The oracle builds the scheduler with ``timm.scheduler.create_scheduler_v2`` on a plain torch
optimizer and runs train.py's loop: for every epoch of the *returned* ``num_epochs``, per update
``optimizer.step()`` then ``step_update(num_updates=n)``, and at the epoch's end
``step(epoch + 1, metric)``. Runs in .venv-timm (make test).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from conftest import examples
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.describe.code import python_code

pytestmark = pytest.mark.timm
timm_scheduler = pytest.importorskip("timm.scheduler")

runner = CliRunner()


def train_py(
    settings: dict[str, Any],
    groups: list[float],
    updates_per_epoch: int,
    metric: list[float] | None = None,
    epochs: int | None = None,
) -> list[list[float]]:
    """lr of every group before each optimizer update, as timm's train.py runs it."""
    params = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in groups]
    optimizer = torch.optim.SGD(params, lr=groups[0], momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # plateau is deprecated in timm
        scheduler, num_epochs = timm_scheduler.create_scheduler_v2(
            optimizer, updates_per_epoch=updates_per_epoch, **settings
        )
    rows = []
    for epoch in range(num_epochs if epochs is None else epochs):
        num_updates = epoch * updates_per_epoch
        for _ in range(updates_per_epoch):
            rows.append([float(g["lr"]) for g in optimizer.param_groups])
            optimizer.step()
            num_updates += 1
            if scheduler is not None:
                scheduler.step_update(num_updates=num_updates)
        if scheduler is not None:
            scheduler.step(epoch + 1, None if metric is None else metric[epoch])
    return rows


def render_csv(config: dict[str, Any], tmp_path: Path) -> list[list[float]]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(config))
    result = runner.invoke(app, ["render", str(path), "-d", str(tmp_path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "spec.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c == "lr" or c.startswith("lr_")]
    return [[float(row[c]) for c in columns] for row in rows]


SETTINGS: dict[str, dict[str, Any]] = {
    "cosine-epochs": {"sched": "cosine", "num_epochs": 12, "warmup_epochs": 2, "min_lr": 1e-3},
    "cosine-updates": {"sched": "cosine", "num_epochs": 12, "warmup_epochs": 2,
                       "step_on_epochs": False, "warmup_lr": 1e-3},
    "cosine-prefix-cooldown-cycles": {"sched": "cosine", "num_epochs": 5, "warmup_epochs": 2,
                                      "warmup_prefix": True, "cooldown_epochs": 2,
                                      "cycle_limit": 3, "cycle_mul": 1.5, "cycle_decay": 0.5},
    "cosine-noise": {"sched": "cosine", "num_epochs": 10, "noise": [0.2, 0.8], "noise_pct": 0.3,
                     "noise_std": 0.5, "noise_seed": 7, "step_on_epochs": False},
    "tanh": {"sched": "tanh", "num_epochs": 10, "warmup_epochs": 1, "warmup_lr": 0.0},
    "step": {"sched": "step", "num_epochs": 10, "decay_epochs": 3, "decay_rate": 0.5},
    "multistep-updates": {"sched": "multistep", "num_epochs": 10, "decay_milestones": [2, 5],
                          "step_on_epochs": False},
    "poly": {"sched": "poly", "num_epochs": 8, "decay_rate": 2.0, "k_decay": 1.5},
    "wsd": {"sched": "wsd", "num_epochs": 10, "warmup_epochs": 2, "decay_epochs": 0.3},
    "rsqrt": {"sched": "rsqrt", "num_epochs": 10, "warmup_epochs": 2, "step_on_epochs": False},
    "constant": {"sched": "constant", "num_epochs": 6, "warmup_epochs": 2},
    "none": {"sched": "none", "num_epochs": 4},
    "plateau": {"sched": "plateau", "num_epochs": 10, "patience_epochs": 1, "decay_rate": 0.5,
                "warmup_epochs": 1, "warmup_lr": 0.01, "plateau_mode": "min"},
}  # fmt: skip
METRIC = [1.0, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6]


@pytest.mark.parametrize("case", SETTINGS)
def test_csv_equals_timm_driven_as_train_py(case: str, tmp_path: Path) -> None:
    settings = dict(SETTINGS[case])
    name = settings.pop("sched")
    groups, per_epoch = [0.1, 0.02], 3
    config: dict[str, Any] = {
        "steps_per_epoch": per_epoch,
        "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9,
                      "param_groups": [{"lr": g} for g in groups]},
        "scheduler": {"timm": name, **settings},
    }  # fmt: skip
    metric = None
    if name == "plateau":
        metric = METRIC[:10]
        config["metric"] = {"values": metric}
    expected = train_py({"sched": name, **settings}, groups, per_epoch, metric)
    assert render_csv(config, tmp_path) == expected  # and so the run's length too
    assert len({tuple(row) for row in expected}) > 1 or name == "none"


def test_the_run_lasts_the_num_epochs_timm_returns() -> None:
    spec = lrplot.spec_from_text(
        "steps_per_epoch: 7\nscheduler: {timm: cosine, num_epochs: 10, warmup_epochs: 3, "
        "warmup_prefix: true, cooldown_epochs: 2}"
    )
    assert (spec.curves[0].epochs, spec.curves[0].total_steps) == (15, 105)
    updates = lrplot.spec_from_text(
        "steps_per_epoch: 7\nscheduler: {timm: cosine, num_epochs: 4, cycle_limit: 2, "
        "cycle_mul: 1.5, cooldown_epochs: 1, step_on_epochs: false}"
    )
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    _, returned = timm_scheduler.create_scheduler_v2(
        optimizer, num_epochs=4, cycle_limit=2, cycle_mul=1.5, cooldown_epochs=1,
        step_on_epochs=False, updates_per_epoch=7,
    )  # fmt: skip
    assert updates.curves[0].epochs == returned
    explicit = lrplot.spec_from_text("epochs: 3\nscheduler: {timm: cosine, num_epochs: 50}")
    assert explicit.curves[0].epochs == 3
    default = lrplot.spec_from_text("scheduler: {timm: step}")
    assert default.curves[0].epochs == 300  # timm's own num_epochs default


def test_noise_is_seeded() -> None:
    def lrs(seed: int) -> list[float]:
        text = (
            "steps_per_epoch: 5\nscheduler: {timm: cosine, num_epochs: 10, noise: 0.1, "
            f"noise_seed: {seed}, step_on_epochs: false}}"
        )
        return lrplot.simulate(lrplot.spec_from_text(text)).lr[0].tolist()

    assert lrs(3) == lrs(3) != lrs(4)
    settings = {"sched": "cosine", "num_epochs": 10, "noise": 0.1, "noise_seed": 3,
                "step_on_epochs": False}  # fmt: skip
    assert [[v] for v in lrs(3)] == train_py(settings, [0.001], 5)


def test_the_example_renders_as_timm_and_its_code_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in examples(timm=True):
        spec = lrplot.load_spec(path)
        config = yaml.safe_load(path.read_text())
        settings = dict(config["scheduler"])
        settings["sched"] = settings.pop("timm")
        settings["warmup_lr"] = float(settings["warmup_lr"])
        settings["min_lr"] = float(settings["min_lr"])
        groups = [config["optimizer"]["lr"]]
        expected = train_py(settings, groups, config["steps_per_epoch"])
        assert lrplot.simulate(spec).lr.T.tolist() == expected, path.name
        namespace: dict[str, Any] = {"__name__": "lrplot_code_test"}
        exec(compile(python_code(spec), "<lrplot code>", "exec"), namespace)  # our own code
        assert namespace["lrs"] == expected, path.name
        assert not spec.warnings


def test_a_plateau_code_export_feeds_the_metric_per_epoch() -> None:
    spec = lrplot.spec_from_text(
        "steps_per_epoch: 2\nepochs: 12\noptimizer: {type: SGD, lr: 0.1}\n"
        "scheduler: {timm: plateau, patience_epochs: 1, plateau_mode: min, decay_rate: 0.5}\n"
        f"metric: {{values: {METRIC}}}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        curve = lrplot.simulate(spec)
        namespace: dict[str, Any] = {"__name__": "lrplot_code_test"}
        exec(compile(python_code(spec), "<lrplot code>", "exec"), namespace)
    assert namespace["lrs"] == curve.lr.T.tolist()
    assert curve.metric is not None and curve.metric.tolist() == [v for v in METRIC for _ in "ab"]
    assert curve.facts["patience"] == 1 and curve.lr[0][-1] < 0.1


def test_an_imported_timm_class_is_stepped_as_train_py() -> None:
    spec = lrplot.spec_from_text(
        "epochs: 8\nsteps_per_epoch: 3\noptimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {import: 'timm.scheduler:CosineLRScheduler', t_initial: 24, "
        "t_in_epochs: false, warmup_t: 4, warmup_lr_init: 0.001}",
        allow_import=["timm"],
    )
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    scheduler = timm_scheduler.CosineLRScheduler(
        optimizer, t_initial=24, t_in_epochs=False, warmup_t=4, warmup_lr_init=0.001
    )
    expected = []
    for t in range(24):
        expected.append([optimizer.param_groups[0]["lr"]])
        optimizer.step()
        scheduler.step_update(num_updates=t + 1)
        if (t + 1) % 3 == 0:
            scheduler.step((t + 1) // 3)
    assert lrplot.simulate(spec).lr.T.tolist() == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scheduler: {timm: cosin}", "scheduler.timm (line 1): unknown timm scheduler 'cosin'"),
        ("scheduler: {timm: cosine, warmup_epoch: 3}",
         "scheduler.warmup_epoch (line 1): unknown argument 'warmup_epoch' for timm; "
         "did you mean warmup_epochs?"),
        ("scheduler: {timm: cosine, updates_per_epoch: 3}",
         "scheduler.updates_per_epoch (line 1): updates_per_epoch comes from the run"),
        ("interval: step\nscheduler: {timm: cosine}",
         "scheduler (line 2): timm schedulers are stepped as train.py steps them"),
        ("scheduler: {timm: wsd, num_epochs: 10, decay_epochs: 20}",
         "scheduler (line 1): timm rejected wsd: wsd schedule requires 0 < decay_epochs"),
        ("scheduler: {timm: plateau, step_on_epochs: false}",
         "scheduler (line 1): timm rejected plateau: Plateau LR only supports step per epoch."),
        ("scheduler: {timm: cosine, noise: [0.1, 0.2, 0.3]}",
         "scheduler.noise (line 1): must be a fraction or [start, end] fractions"),
    ],
)  # fmt: skip
def test_mistakes_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(lrplot.LrplotError) as caught:
        lrplot.spec_from_text(text, "x.yaml")
    assert str(caught.value).startswith(f"x.yaml: {message}")


def test_cli_list_show_init(tmp_path: Path) -> None:
    import timm

    assert f"timm {timm.__version__} create_scheduler_v2" in runner.invoke(app, ["list"]).stdout
    shown = runner.invoke(app, ["show", "timm:cosine"])
    assert shown.exit_code == 0 and "noise_seed" in shown.stdout
    out = tmp_path / "x.csv"
    result = runner.invoke(
        app,
        ["timm", "multistep", "--num-epochs", "6", "--decay-milestones", "2,4",
         "--steps-per-epoch", "2", "--lr", "0.1", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    settings = {"sched": "multistep", "num_epochs": 6, "decay_milestones": [2, 4]}
    expected = train_py(settings, [0.1], 2)
    with open(out, newline="") as handle:
        assert [[float(r["lr"])] for r in csv.DictReader(handle)] == expected
    for name in ("cosine", "plateau", "none"):
        (tmp_path / "init.yaml").write_text(runner.invoke(app, ["init", f"timm:{name}"]).stdout)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            assert len(lrplot.simulate(lrplot.load_spec(tmp_path / "init.yaml"))) > 0
