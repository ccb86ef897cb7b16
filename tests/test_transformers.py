"""The transformers family against the installed transformers, stepped directly.

The oracle is ``transformers.get_scheduler`` on a plain torch optimizer, stepped the way a Trainer
steps it: ``scheduler.step()`` after every optimizer step, or ``scheduler.step(metric)`` for the
schedulers that need one. lrplot's recipes are held to the same oracle.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.families.recipe_catalog import RECIPES

transformers = pytest.importorskip("transformers")
from transformers import get_scheduler  # noqa: E402
from transformers.trainer_utils import SchedulerType  # noqa: E402

runner = CliRunner()

# Settings get_scheduler accepts for each name (besides num_warmup_steps / num_training_steps).
# A name a newer transformers adds gets {} and fails here until it is given its own.
SPECIFIC: dict[str, list[dict[str, Any]]] = {
    "linear": [{}],
    "cosine": [{}, {"num_cycles": 1.5}],
    "cosine_with_restarts": [{"num_cycles": 3}],
    "polynomial": [{"lr_end": 1e-5, "power": 2.0}],
    "constant": [{}],
    "constant_with_warmup": [{}],
    "inverse_sqrt": [{}, {"timescale": 7}],
    "reduce_lr_on_plateau": [{"patience": 2, "factor": 0.5}, {"mode": "max", "patience": 0}],
    "cosine_with_min_lr": [{"min_lr": 1e-4}, {"min_lr_rate": 0.2, "num_cycles": 1.0}],
    "cosine_warmup_with_min_lr": [{"min_lr_rate": 0.1}, {"min_lr": 2e-4, "warmup_lr_rate": 0.3}],
    "warmup_stable_decay": [
        {"num_decay_steps": 10},
        {
            "num_decay_steps": 8,
            "warmup_type": "1-sqrt",
            "decay_type": "linear",
            "min_lr_ratio": 0.1,
        },
    ],
    "greedy": [
        {"patience": 1, "min_lr": 1e-5, "factor": 0.8},
        {"patience": 2, "min_lr": [1e-5, 1e-6], "max_lr": 0.002, "smooth": True, "window_size": 4},
    ],
}
METRIC_NAMES = {"reduce_lr_on_plateau", "greedy"}
# A loss that improves, stalls, improves again, rises: every branch of plateau and greedy.
METRIC = [1.0 / (1 + k) if k < 12 or k > 25 else 0.08 + 0.001 * (k % 3) for k in range(60)]


def direct(
    name: str,
    groups: list[float],
    warmup: int | None,
    training: int | None,
    specific: dict[str, Any],
    steps: int,
    metric: list[float] | None = None,
) -> list[list[float]]:
    """lr of every group before each optimizer step, get_scheduler stepped as a Trainer does."""
    params = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in groups]
    optimizer = torch.optim.SGD(params, lr=groups[0])
    scheduler = get_scheduler(
        name,
        optimizer,
        num_warmup_steps=warmup,
        num_training_steps=training,
        scheduler_specific_kwargs=dict(specific),
    )
    rows = []
    for t in range(steps):
        rows.append([float(group["lr"]) for group in optimizer.param_groups])
        optimizer.step()
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric[t])
    return rows


def csv_rows(path: Path) -> list[list[float]]:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c == "lr" or c.startswith("lr_")]
    return [[float(row[c]) for c in columns] for row in rows]


def render_csv(config: dict[str, Any], tmp_path: Path) -> list[list[float]]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(config))
    result = runner.invoke(app, ["render", str(path), "-d", str(tmp_path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    return csv_rows(tmp_path / "spec.csv")


def test_every_installed_name_is_in_the_catalogue() -> None:
    names = {
        entry.name for entry in lrplot.families.family_for_key("transformers").entries().values()
    }
    assert names == {member.value for member in SchedulerType}
    assert names <= set(SPECIFIC)


CASES = [
    (name, i, specific)
    for name, settings in SPECIFIC.items()
    for i, specific in enumerate(settings)
]


@pytest.mark.parametrize(("name", "i", "specific"), CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_csv_equals_get_scheduler_stepped_directly(
    name: str, i: int, specific: dict[str, Any], tmp_path: Path
) -> None:
    groups = [1e-3, 2e-4]
    steps, warmup, training = 40, 5, 36  # the run goes past num_training_steps
    config: dict[str, Any] = {
        "epochs": steps,
        "optimizer": {"type": "SGD", "lr": groups[0], "param_groups": [{"lr": g} for g in groups]},
        "scheduler": {"transformers": name, **specific},
    }
    metric = None
    if name in METRIC_NAMES:
        metric = METRIC[:steps]
        config["metric"] = {"values": metric}
    else:
        config["scheduler"].update(num_warmup_steps=warmup, num_training_steps=training)
        config["interval"] = "step"
    expected = direct(name, groups, warmup, training, specific, steps, metric)
    assert render_csv(config, tmp_path) == expected
    assert len({tuple(row) for row in expected}) > 1 or name == "constant"


def test_training_steps_default_to_the_run_and_warmup_fractions_round_up(tmp_path: Path) -> None:
    # TrainingArguments.get_warmup_steps: ceil(0.13 x 50) = 7.
    config = {
        "epochs": 10,
        "steps_per_epoch": 5,
        "optimizer": {"type": "AdamW", "lr": 5e-4},
        "scheduler": {"transformers": "cosine", "num_warmup_steps": 0.13},
    }
    rows = render_csv(config, tmp_path)
    optimizer_lr = [5e-4]
    assert rows == direct("cosine", optimizer_lr, 7, 50, {}, 50)
    spec = lrplot.spec_from_mapping(config)
    assert (spec.curves[0].interval, spec.curves[0].total_steps) == ("step", 50)
    # Given num_training_steps sets the run's length when epochs does not.
    alone = lrplot.spec_from_text("scheduler: {transformers: linear, num_training_steps: 321}")
    assert (alone.curves[0].epochs, alone.curves[0].interval) == (321, "step")
    stable = lrplot.spec_from_text(
        "scheduler: {transformers: warmup_stable_decay, num_warmup_steps: 5, "
        "num_stable_steps: 20, num_decay_steps: 10}"
    )
    assert stable.curves[0].total_steps == 35
    lrs = lrplot.simulate(stable).lr.T.tolist()
    specific = {"num_stable_steps": 20, "num_decay_steps": 10}
    assert lrs == direct("warmup_stable_decay", [1e-3], 5, None, specific, 35)


def test_the_cli_command_takes_every_parameter_as_a_flag(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(
        app,
        ["transformers", "cosine-with-min-lr", "--num-warmup-steps", "0.1", "-n", "30",
         "--min-lr-rate", "0.1", "--lr", "0.01", "--optimizer", "AdamW", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert csv_rows(out) == direct("cosine_with_min_lr", [0.01], 3, 30, {"min_lr_rate": 0.1}, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scheduler:\n  transformers: cosine\n  num_cycle: 2\n",
            "scheduler.num_cycle (line 3): unknown argument 'num_cycle' for cosine; "
            "did you mean num_cycles?",
        ),
        (
            "scheduler: {transformers: cosine_annealing}\n",
            "scheduler.transformers (line 1): unknown transformers scheduler 'cosine_annealing'",
        ),
        (
            "scheduler:\n  transformers: linear\n  num_warmup_steps: 2.5\n",
            "scheduler.num_warmup_steps (line 3): must be an integer >= 0, or a fraction < 1 "
            "of num_training_steps, got 2.5",
        ),
        (
            "scheduler:\n  transformers: warmup_stable_decay\n",
            "scheduler (line 1): warmup_stable_decay needs 'num_decay_steps'",
        ),
        (
            "scheduler:\n  transformers: cosine_with_min_lr\n",
            "scheduler (line 1): transformers rejected cosine_with_min_lr: One of min_lr or "
            "min_lr_rate should be set through the `lr_scheduler_kwargs`",
        ),
    ],
)
def test_bad_arguments_are_one_line_errors_at_their_key(
    text: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["render", str(path), "-d", str(tmp_path), "-f", "csv"])
    assert result.exit_code == 2
    assert f"error: {path}: {message}" in result.stderr
    assert not (tmp_path / "bad.csv").exists()


def test_arguments_get_scheduler_ignores_are_warnings() -> None:
    spec = lrplot.spec_from_text(
        "scheduler:\n  transformers: constant\n  num_warmup_steps: 10\n", "c.yaml"
    )
    assert [str(w) for w in spec.warnings] == [
        "c.yaml: scheduler.num_warmup_steps (line 3): transformers' get_scheduler ignores "
        "num_warmup_steps for 'constant'"
    ]


def test_an_overlay_mixes_torch_and_transformers(tmp_path: Path) -> None:
    config = {
        "epochs": 50,
        "interval": "step",
        "optimizer": {"type": "SGD", "lr": 0.1},
        "curves": [
            {"label": "torch", "scheduler": {"type": "CosineAnnealingLR", "T_max": 50}},
            {"label": "hf", "scheduler": {"transformers": "cosine", "num_warmup_steps": 5}},
        ],
    }
    path = tmp_path / "mix.yaml"
    path.write_text(yaml.safe_dump(config))
    result = runner.invoke(app, ["render", str(path), "-d", str(tmp_path), "-f", "csv,png"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "mix.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hf = [float(r["lr"]) for r in rows if r["curve"] == "hf"]
    assert hf == [row[0] for row in direct("cosine", [0.1], 5, 50, {}, 50)]
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=50)
    expected = []
    for _ in range(50):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        cosine.step()
    assert [float(r["lr"]) for r in rows if r["curve"] == "torch"] == expected


def test_code_export_calls_get_scheduler_and_reproduces_the_csv() -> None:
    from lrplot.describe.code import python_code

    spec = lrplot.spec_from_text(
        "epochs: 30\noptimizer: {type: AdamW, lr: 0.001}\n"
        "scheduler: {transformers: greedy, patience: 1, min_lr: 0.0001}\n"
        "metric: {profile: plateau, seed: 1}\n"
    )
    code = python_code(spec)
    assert "from transformers import get_scheduler" in code
    assert "get_scheduler(\n    'greedy'," in code
    namespace: dict[str, Any] = {"__name__": "lrplot_code_test"}
    exec(compile(code, "<lrplot code>", "exec"), namespace)  # our own generated code
    assert [row[0] for row in namespace["lrs"]] == lrplot.simulate(spec).lr[0].tolist()


def test_list_show_init_and_schema_know_the_family(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["list"]).stdout
    assert f"transformers {transformers.__version__} get_scheduler" in listed
    shown = runner.invoke(app, ["show", "transformers:warmup-stable-decay"])
    assert shown.exit_code == 0, shown.output
    assert "num_decay_steps" in shown.stdout and "lrplot transformers warmup-stable-decay" in (
        shown.stdout
    )
    for name in SPECIFIC:
        text = runner.invoke(app, ["init", f"transformers:{name}"]).stdout
        (tmp_path / "init.yaml").write_text(text)
        spec = lrplot.load_spec(tmp_path / "init.yaml")
        assert spec.curves[0].scheduler.type == name
        assert len(lrplot.simulate(spec)) > 0
    schema = runner.invoke(app, ["schema"]).stdout
    assert '"transformers cosine_with_min_lr"' in schema


# -- lrplot's recipes against the real get_scheduler ---------------------------------------------

RECIPE_SETTINGS: dict[str, list[dict[str, Any]]] = {
    "linear": [
        {"num_warmup_steps": 0, "num_training_steps": 10},
        {"num_warmup_steps": 4, "num_training_steps": 37},
        {"num_warmup_steps": 10, "num_training_steps": 10},
    ],
    "cosine": [
        {"num_warmup_steps": 3, "num_training_steps": 10},
        {"num_warmup_steps": 4, "num_training_steps": 37, "num_cycles": 2.25},
        {"num_warmup_steps": 0, "num_training_steps": 1, "num_cycles": 1.0},
    ],
    "cosine_with_restarts": [
        {"num_warmup_steps": 3, "num_training_steps": 10},
        {"num_warmup_steps": 4, "num_training_steps": 37, "num_cycles": 3},
    ],
    "polynomial": [
        {"num_warmup_steps": 3, "num_training_steps": 10},
        {"num_warmup_steps": 4, "num_training_steps": 37, "lr_end": 1e-5, "power": 3.0},
    ],
    "constant": [{}],
    "constant_with_warmup": [{"num_warmup_steps": 0}, {"num_warmup_steps": 7}],
    "inverse_sqrt": [{"num_warmup_steps": 0}, {"num_warmup_steps": 4}, {"timescale": 13}],
    "cosine_with_min_lr": [
        {"num_warmup_steps": 3, "num_training_steps": 10, "min_lr": 1e-5},
        {"num_warmup_steps": 4, "num_training_steps": 37, "min_lr_rate": 0.3, "num_cycles": 1.5},
    ],
    "cosine_warmup_with_min_lr": [
        {"num_warmup_steps": 3, "num_training_steps": 10, "min_lr": 1e-5},
        {
            "num_warmup_steps": 6,
            "num_training_steps": 37,
            "min_lr_rate": 0.3,
            "warmup_lr_rate": 0.2,
        },
        {"num_warmup_steps": 0, "num_training_steps": 20, "min_lr_rate": 0.0, "num_cycles": 1.0},
    ],
    "warmup_stable_decay": [
        {"num_warmup_steps": 3, "num_training_steps": 30, "num_decay_steps": 10},
        {
            "num_warmup_steps": 4,
            "num_stable_steps": 9,
            "num_decay_steps": 12,
            "warmup_type": "cosine",
            "decay_type": "1-sqrt",
            "min_lr_ratio": 0.05,
        },
    ],  # fmt: skip
    "reduce_lr_on_plateau": [
        {},
        {"patience": 1, "factor": 0.5, "cooldown": 2, "threshold_mode": "abs", "threshold": 0.01},
        {"mode": "max", "patience": 0, "min_lr": [1e-4, 1e-5]},
    ],
    "greedy": [
        {},
        {"patience": 1, "factor": 0.7, "min_lr": 1e-5, "cooldown": 1, "warmup": 2},
        {
            "patience": 0,
            "min_lr": [1e-4, 1e-6],
            "max_lr": [0.003, 0.001],
            "smooth": True,
            "window_size": 3,
            "reset_start": 4,
            "threshold_mode": "rel",
            "mode": "max",
        },
    ],  # fmt: skip
}
RECIPE_CASES = [
    (name, i, settings)
    for name, options in RECIPE_SETTINGS.items()
    for i, settings in enumerate(options)
]


def test_every_transformers_recipe_has_settings() -> None:
    from_transformers = {n for n, r in RECIPES.items() if r.origin.startswith("transformers")}
    assert from_transformers == set(RECIPE_SETTINGS)
    assert from_transformers <= {member.value for member in SchedulerType}


@pytest.mark.parametrize(
    ("name", "i", "settings"), RECIPE_CASES, ids=[f"{n}-{i}" for n, i, _ in RECIPE_CASES]
)
def test_recipe_equals_the_real_get_scheduler(name: str, i: int, settings: dict[str, Any]) -> None:
    groups = [3e-4, 1e-3]
    steps = 60
    metric = METRIC[:steps] if RECIPES[name].uses_metric else None
    text = yaml.safe_dump(
        {
            "epochs": steps,
            "interval": "step",
            "optimizer": {
                "type": "SGD",
                "lr": groups[0],
                "param_groups": [{"lr": g} for g in groups],
            },
            "scheduler": {"recipe": name, **settings},
            **({"metric": {"values": metric}} if metric else {}),
        }
    )
    ours = lrplot.simulate(lrplot.spec_from_text(text)).lr.T.tolist()
    specific = dict(settings)
    warmup = specific.pop("num_warmup_steps", 0)
    training = specific.pop("num_training_steps", None)
    theirs = direct(name, groups, warmup, training, specific, steps, metric)
    for t, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert a == pytest.approx(b, rel=1e-12, abs=0), f"step {t}"
    assert not any(math.isnan(v) for row in ours for v in row)
