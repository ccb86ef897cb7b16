"""Recipes: values against the published formulas, validation, run defaults and the CLI."""

from __future__ import annotations

import csv
import io
import math
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
import torch
from recipe_reference import natural_length, reference_lr
from typer.testing import CliRunner

from lrplot import simulate
from lrplot.cli import app
from lrplot.config import spec_from_mapping, spec_from_text
from lrplot.errors import SpecError
from lrplot.families import recipes
from lrplot.simulate import build_optimizer, build_scheduler

CONFIGS = Path(__file__).resolve().parent.parent / "configs"

# (recipe parameters, optimizer lr, run overrides, {step: lr worked out by hand})
CASES: dict[str, tuple[dict[str, Any], float, dict[str, Any], dict[int, float]]] = {
    "linear": (
        {"num_warmup_steps": 4, "num_training_steps": 12},
        1.0,
        {},
        {0: 0.0, 2: 0.5, 3: 0.75, 4: 1.0, 8: 0.5, 11: 0.125},
    ),
    "cosine": (
        {"num_warmup_steps": 10, "num_training_steps": 110},
        1.0,
        {},
        {0: 0.0, 5: 0.5, 9: 0.9, 10: 1.0, 60: 0.5, 109: (1 + math.cos(math.pi * 0.99)) / 2},
    ),
    "cosine-full-wave": (
        {"num_training_steps": 100, "num_cycles": 1.0},
        1.0,
        {},
        {0: 1.0, 25: 0.5, 50: 0.0, 75: 0.5},
    ),
    "cosine_with_restarts": (
        {"num_warmup_steps": 10, "num_training_steps": 310, "num_cycles": 3},
        1.0,
        {"epochs": 320},
        {10: 1.0, 60: 0.5, 110: 1.0, 160: 0.5, 210: 1.0, 309: (1 + math.cos(math.pi * 0.99)) / 2}
        | {310: 0.0, 319: 0.0},
    ),
    "polynomial": (
        {"num_warmup_steps": 10, "num_training_steps": 110, "lr_end": 0.01, "power": 2},
        1.0,
        {"epochs": 120},
        {5: 0.5, 10: 1.0, 60: 0.99 * 0.25 + 0.01, 110: 0.01, 111: 0.01, 119: 0.01},
    ),
    "constant": ({}, 0.5, {}, {0: 0.5, 99: 0.5}),
    "constant_with_warmup": (
        {"num_warmup_steps": 10},
        1.0,
        {},
        {0: 0.0, 5: 0.5, 10: 1.0, 99: 1.0},
    ),
    "inverse_sqrt": (
        {"num_warmup_steps": 4},
        1.0,
        {},
        {2: 0.5, 4: 1.0, 16: 0.5, 36: 1 / 3},
    ),
    "inverse_sqrt-default-timescale": ({}, 1.0, {"epochs": 30001}, {0: 1.0, 30000: 0.5}),
    "cosine_with_min_lr": (
        {"num_warmup_steps": 10, "num_training_steps": 110, "min_lr": 0.1},
        1.0,
        {},
        {5: 0.5, 10: 1.0, 60: 0.55},
    ),
    "cosine_with_min_lr-rate": (
        {"num_training_steps": 100, "min_lr_rate": 0.2},
        0.5,
        {"epochs": 101},
        {0: 0.5, 50: 0.5 * 0.6, 100: 0.1},
    ),
    "cosine_warmup_with_min_lr": (
        {"num_warmup_steps": 10, "num_training_steps": 110, "min_lr": 0.1},
        1.0,
        {},
        {0: 0.1, 9: 1.0, 59: 0.55, 109: 0.1},
    ),
    "cosine_warmup_with_min_lr-rate": (
        {
            "num_warmup_steps": 5,
            "num_training_steps": 25,
            "min_lr_rate": 0.2,
            "warmup_lr_rate": 0.5,
        },
        0.5,
        {"epochs": 30},
        {0: 0.25, 2: 0.375, 4: 0.5, 24: 0.1},
    ),
    "warmup_stable_decay": (
        {
            "num_warmup_steps": 10,
            "num_decay_steps": 20,
            "num_training_steps": 100,
            "min_lr_ratio": 0.1,
        },
        1.0,
        {"epochs": 110},
        {0: 0.1, 5: 0.55, 10: 1.0, 79: 1.0, 80: 1.0, 90: 0.55, 100: 0.1, 109: 0.1},
    ),
    "warmup_stable_decay-shapes": (
        {
            "num_warmup_steps": 16,
            "num_stable_steps": 4,
            "num_decay_steps": 16,
            "warmup_type": "cosine",
            "decay_type": "1-sqrt",
        },
        1.0,
        {},
        {
            0: 0.0,
            8: 0.5,
            16: 1.0,
            19: 1.0,
            20: 1.0,
            24: 1 - math.sqrt(0.25),
            35: 1 - math.sqrt(15 / 16),
        },
    ),
    "warmup_stable_decay-linear": (
        {
            "num_warmup_steps": 4,
            "num_decay_steps": 10,
            "num_training_steps": 20,
            "warmup_type": "1-sqrt",
            "decay_type": "linear",
        },
        1.0,
        {},
        {0: 0.0, 3: 1 - math.sqrt(0.25), 4: 1.0, 10: 1.0, 15: 0.5, 19: 0.1},
    ),
    "timm_cosine": (
        {
            "t_initial": 10,
            "cycle_mul": 2.0,
            "cycle_limit": 3,
            "cycle_decay": 0.5,
            "warmup_t": 3,
            "warmup_lr_init": 0.01,
            "lr_min": 0.001,
        },
        1.0,
        {"epochs": 80},
        # No warmup_prefix: the warmup covers the cosine's first steps, so step 3 is already
        # part-way down the first cycle.
        {0: 0.01, 1: 0.34, 2: 0.67}
        | {3: 0.001 + 0.999 * (1 + math.cos(0.3 * math.pi)) / 2, 10: 0.5, 20: 0.2505}
        | {30: 0.25, 50: 0.1255, 70: 0.001, 79: 0.001},
    ),
    "timm_cosine-prefix": (
        {
            "t_initial": 10,
            "cycle_limit": 2,
            "warmup_t": 4,
            "warmup_prefix": True,
            "k_decay": 2.0,
        },
        0.1,
        {"epochs": 30},
        {0: 0.0, 2: 0.05, 4: 0.1, 14: 0.1, 4 + 5: 0.05 * (1 + math.cos(math.pi / 4)), 24: 0.0},
    ),
}


def _run(name: str, params: dict[str, Any], lr: float, run: dict[str, Any]) -> list[float]:
    recipe = name.split("-")[0]
    data = {"optimizer": {"lr": lr}, "scheduler": {"recipe": recipe, **params}, **run}
    return simulate(spec_from_mapping(data)).lr[0].tolist()


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_recipe_matches_published_formula_everywhere(case: str) -> None:
    params, lr, run, anchors = CASES[case]
    lrs = _run(case, params, lr, run)
    name = case.split("-")[0]
    expected = [reference_lr(name, params, lr, lr, t) for t in range(len(lrs))]
    assert lrs == pytest.approx(expected, rel=1e-12, abs=1e-15)
    for t, value in anchors.items():
        assert lrs[t] == pytest.approx(value, rel=1e-12, abs=1e-15), f"step {t}"


def test_every_recipe_is_tested_against_its_formula() -> None:
    # The recipes stepped with a metric have no closed form: tests/test_transformers.py
    # compares them (and every other transformers recipe) with the real get_scheduler.
    closed = {name for name, recipe in recipes.RECIPES.items() if not recipe.uses_metric}
    assert {case.split("-")[0] for case in CASES} == closed


def test_recipes_are_real_lambdalr_with_picklable_factors() -> None:
    spec = spec_from_text(
        "scheduler: {recipe: cosine, num_warmup_steps: 5, num_training_steps: 50}"
    )
    curve = spec.curves[0]
    optimizer = build_optimizer(curve.optimizer)
    scheduler = build_scheduler(curve.scheduler, optimizer, curve)
    assert type(scheduler) is torch.optim.lr_scheduler.LambdaLR
    factor = pickle.loads(pickle.dumps(scheduler.lr_lambdas[0]))
    assert [factor(t) for t in range(50)] == [scheduler.lr_lambdas[0](t) for t in range(50)]


def test_run_defaults_to_the_recipes_length_stepping_every_step() -> None:
    spec = spec_from_text(
        "scheduler: {recipe: cosine_with_restarts, num_warmup_steps: 500, "
        "num_training_steps: 10000, num_cycles: 3}"
    )
    curve = spec.curves[0]
    assert (curve.epochs, curve.steps_per_epoch, curve.interval) == (10000, 1, "step")
    spec = spec_from_text(
        "steps_per_epoch: 30\nscheduler: {recipe: linear, num_training_steps: 100}"
    )
    curve = spec.curves[0]
    # 100 steps exactly: the run stops inside its 4th epoch, as a Trainer's max_steps does
    assert (curve.epochs, curve.total_steps, curve.interval) == (4, 100, "step")
    lrs = simulate(spec).lr[0]
    assert len(lrs) == 100 and lrs[99] == pytest.approx(0.001 / 100)
    explicit = spec_from_text(
        "epochs: 7\ninterval: epoch\nscheduler: {recipe: linear, num_training_steps: 100}"
    )
    assert (explicit.curves[0].epochs, explicit.curves[0].interval) == (7, "epoch")
    timm = spec_from_text(
        "scheduler: {recipe: timm_cosine, t_initial: 10, cycle_mul: 2, cycle_limit: 3}"
    )
    assert (timm.curves[0].epochs, timm.curves[0].interval) == (70, "epoch")


def test_timm_cycle_index_quirk_is_reproduced() -> None:
    # timm finds the cycle with floor(log(...)): log base 3 of 243 comes out as 4.999..., so timm
    # puts step 1210 (the start of the 6th cycle) at the end of the 5th: lr_min, not the peak.
    params = {"t_initial": 10, "cycle_mul": 3.0, "cycle_limit": 6}
    lrs = _run("timm_cosine", params, 1.0, {"epochs": 1212})
    assert math.log(1 + 1210 / 10 * 2, 3) < 5
    assert lrs[1210] == 0.0
    assert lrs[1211] == pytest.approx((1 + math.cos(math.pi * 1 / 2430)) / 2, rel=1e-12)


def test_several_param_groups() -> None:
    # transformers divides absolute values by optimizer.defaults["lr"]; timm's are absolute for
    # every group.
    optimizer = "optimizer: {lr: 0.1, param_groups: [{lr: 0.1}, {lr: 0.01}]}\n"
    poly = {"num_training_steps": 20, "lr_end": 0.001, "power": 1.0}
    lrs = simulate(spec_from_text(optimizer + f"scheduler: {dict(recipe='polynomial', **poly)}")).lr
    for group, lr in enumerate((0.1, 0.01)):
        expected = [reference_lr("polynomial", poly, lr, 0.1, t) for t in range(20)]
        assert lrs[group].tolist() == pytest.approx(expected, rel=1e-12)
    assert lrs[1][19] == pytest.approx(0.01 * (0.099 * 0.05 + 0.001) / 0.1)
    timm = {"t_initial": 20, "lr_min": 0.005, "warmup_t": 2, "warmup_lr_init": 0.001}
    lrs = simulate(
        spec_from_text(optimizer + f"scheduler: {dict(recipe='timm_cosine', **timm)}")
    ).lr
    for group, lr in enumerate((0.1, 0.01)):
        expected = [reference_lr("timm_cosine", timm, lr, 0.1, t) for t in range(20)]
        assert lrs[group].tolist() == pytest.approx(expected, rel=1e-12)
    assert lrs[1][0] == pytest.approx(0.001) and lrs[1][10] == pytest.approx(0.0075)


def test_recipes_nest_in_sequential_and_chained() -> None:
    text = """
epochs: 60
optimizer: {lr: 0.1}
scheduler:
  type: chained
  schedulers:
    - type: sequential
      milestones: [20]
      schedulers:
        - {recipe: constant_with_warmup, num_warmup_steps: 10}
        - {recipe: cosine, num_training_steps: 40}
    - {type: exponential, gamma: 0.99}
"""
    lrs = simulate(spec_from_text(text)).lr[0].tolist()
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    L = torch.optim.lr_scheduler
    warm = L.LambdaLR(optimizer, lambda t: min(1.0, t / 10))
    cos = L.LambdaLR(optimizer, lambda t: 0.5 * (1 + math.cos(math.pi * t / 40)))
    chained = L.ChainedScheduler(
        [L.SequentialLR(optimizer, [warm, cos], milestones=[20]), L.ExponentialLR(optimizer, 0.99)]
    )
    expected = []
    for _ in range(60):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        chained.step()
    assert lrs == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scheduler: {recipe: cosine_with_restart, num_training_steps: 5}",
            "c.yaml: scheduler.recipe (line 1): unknown recipe 'cosine_with_restart'; "
            "did you mean cosine_with_restarts?",
        ),
        (
            "scheduler: {recipe: cosine, num_training_step: 5}",
            "c.yaml: scheduler.num_training_step (line 1): unknown parameter 'num_training_step' "
            "for recipe cosine; did you mean num_training_steps?",
        ),
        (
            "scheduler: {recipe: constant, T_max: 5}",
            "unknown parameter 'T_max' for recipe constant (constant takes: nothing)",
        ),
        (
            "scheduler: {recipe: cosine, num_training_steps: 5.5}",
            "scheduler.num_training_steps (line 1): must be an integer >= 1, got number 5.5",
        ),
        (
            "scheduler: {recipe: cosine, num_training_steps: '100'}",
            "must be an integer >= 1, got string '100'",
        ),
        (
            "scheduler: {recipe: cosine, num_training_steps: 100, num_cycles: 0}",
            "scheduler.num_cycles (line 1): must be a number > 0, got 0",
        ),
        (
            "scheduler: {recipe: linear}",
            "scheduler (line 1): recipe linear needs 'num_training_steps'",
        ),
        (
            "scheduler: {recipe: linear, num_training_steps: 10, num_warmup_steps: 20}",
            "num_warmup_steps 20 is more than num_training_steps 10",
        ),
        (
            "optimizer: {lr: 0.001}\n"
            "scheduler: {recipe: polynomial, num_training_steps: 10, lr_end: 0.01}",
            "scheduler.lr_end (line 2): lr_end (0.01) must be smaller than the optimizer's lr "
            "(0.001)",
        ),
        (
            "scheduler: {recipe: polynomial, num_training_steps: 10, num_warmup_steps: 10}",
            "polynomial needs num_training_steps > num_warmup_steps",
        ),
        (
            "scheduler: {recipe: cosine_with_min_lr, num_training_steps: 10, min_lr: 1e-5, "
            "min_lr_rate: 0.1}",
            "scheduler.min_lr_rate (line 1): give exactly one of min_lr and min_lr_rate",
        ),
        (
            "scheduler: {recipe: cosine_with_min_lr, num_training_steps: 10, min_lr_rate: 1.5}",
            "must be in [0, 1], got 1.5",
        ),
        (
            "scheduler: {recipe: warmup_stable_decay, num_decay_steps: 10}",
            "give exactly one of num_training_steps and num_stable_steps",
        ),
        (
            "scheduler: {recipe: warmup_stable_decay, num_decay_steps: 10, num_warmup_steps: 5, "
            "num_training_steps: 12}",
            "num_warmup_steps + num_decay_steps (15) is more than num_training_steps (12)",
        ),
        (
            "scheduler: {recipe: warmup_stable_decay, num_decay_steps: 10, num_stable_steps: 1, "
            "decay_type: cosin}",
            "scheduler.decay_type (line 1): must be one of 'linear', 'cosine', '1-sqrt', "
            "got 'cosin'; did you mean cosine?",
        ),
        (
            "scheduler: {recipe: timm_cosine, t_initial: 10, warmup_prefix: yes}",
            "scheduler.warmup_prefix (line 1): must be true or false, got string 'yes'",
        ),
        (
            "scheduler: {recipe: timm_cosine, t_initial: 10, lr_min: .nan}",
            "must be a finite number, got nan",
        ),
        (
            "scheduler: {recipe: timm_cosine, t_initial: 10, warmup_lr_init: 0.5}",
            "warmup_lr_init (0.5) is above the optimizer's lr (0.001)",
        ),
        (
            "scheduler: {type: sequential, milestones: [5], schedulers: "
            "[{recipe: constant_with_warmup, num_warmup_steps: 5}, "
            "{recipe: cosine, num_training_steps: 0}]}",
            "scheduler.schedulers[1].num_training_steps (line 1): must be an integer >= 1, got 0",
        ),
        ("scheduler: {recipe: [cosine]}", "scheduler.recipe (line 1): the recipe must be a name"),
        (
            "scheduler: {recipe: linear, num_training_steps: 30000000}",
            "scheduler (line 1): recipe linear runs 30000000 steps, more than the limit of "
            "20000000; set epochs to plot part of it",
        ),
        (
            "scheduler: {recipe: timm_cosine, t_initial: 10, cycle_mul: 0.5}",
            "scheduler.cycle_mul (line 1): must be a number >= 1, got 0.5",
        ),
    ],
)
def test_bad_recipes_get_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        spec_from_text(text, "c.yaml")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_recipe_failing_in_torch_is_a_one_line_error() -> None:
    from lrplot.errors import SimulationError

    spec = spec_from_text(
        "scheduler: {recipe: timm_cosine, t_initial: 10, k_decay: 1e300}", "c.yaml"
    )
    with pytest.raises(SimulationError) as info:
        simulate(spec)
    assert str(info.value) == (
        "c.yaml: scheduler (line 1): recipe timm_cosine fails at step 0: "
        "(34, 'Numerical result out of range')"
    )


def test_given_epochs_cut_a_recipe_longer_than_the_limit() -> None:
    spec = spec_from_text("epochs: 50\nscheduler: {recipe: linear, num_training_steps: 30000000}")
    assert spec.curves[0].total_steps == 50
    huge = spec_from_text(
        "scheduler: {recipe: timm_cosine, t_initial: 10, cycle_mul: 1e6, cycle_limit: 99}"
    )
    assert huge.curves[0].epochs == 100  # its length overflows a float: the usual default


def test_recipe_names_also_accept_kebab_case() -> None:
    spec = spec_from_text("scheduler: {recipe: cosine-with-restarts, num_training_steps: 9}")
    assert spec.curves[0].scheduler.type == "cosine_with_restarts"
    assert spec.display_title == "cosine_with_restarts(num_training_steps=9)"


# -- CLI ---------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_recipe_writes_the_same_csv_as_the_formula(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    args = ["recipe", "cosine-with-restarts", "--num-warmup-steps", "50", "--num-training-steps"]
    args += ["1000", "--num-cycles", "3", "--lr", "0.1", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 1000
    params = {"num_warmup_steps": 50, "num_training_steps": 1000, "num_cycles": 3}
    for t, row in enumerate(rows):
        assert float(row["lr"]) == pytest.approx(
            reference_lr("cosine_with_restarts", params, 0.1, 0.1, t), rel=1e-12, abs=1e-15
        )


def test_cli_recipe_choices_flags_and_errors() -> None:
    result = runner.invoke(
        app,
        ["recipe", "warmup-stable-decay", "--num-decay-steps", "10", "--num-stable-steps", "5"]
        + ["--decay-type", "linear", "--lr", "1", "-o", "-"],
    )
    assert result.exit_code == 0, result.output
    lrs = [float(r["lr"]) for r in csv.DictReader(io.StringIO(result.stdout))]
    assert lrs[:6] == [1.0] * 6 and lrs[10] == pytest.approx(0.5) and len(lrs) == 15
    result = runner.invoke(
        app,
        [
            "recipe",
            "timm-cosine",
            "--t-initial",
            "4",
            "--warmup-prefix",
            "--warmup-t",
            "2",
            "-o",
            "-",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 + 6
    result = runner.invoke(app, ["recipe", "linear", "--num-training-steps", "0"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: lrplot recipe linear: --num-training-steps: must be an integer >= 1, got 0\n"
    )


def test_list_shows_recipes_with_parameters() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    section = result.stdout.split("\nrecipes (")[1]
    for recipe in recipes.RECIPES.values():
        names = ", ".join(dict.fromkeys([recipe.command, recipe.name]))
        assert f"\n  {names} " in section
    row = r"cosine-with-restarts, cosine_with_restarts +linear warmup, then num_cycles"
    assert re.search(row, section)
    assert "  num_warmup_steps=0, num_training_steps=required, num_cycles=1\n" in section


# -- the recipe examples in configs/ ---------------------------------------------------------


RECIPE_CONFIGS = sorted(CONFIGS.glob("recipe-*.yaml"))


def test_there_are_recipe_examples() -> None:
    from lrplot.config.yamlload import load_text

    names = {load_text(p.read_text(), str(p)).data["scheduler"]["recipe"] for p in RECIPE_CONFIGS}
    assert {"cosine_with_restarts", "warmup_stable_decay", "timm_cosine"} <= names


@pytest.mark.parametrize("path", RECIPE_CONFIGS, ids=[p.stem for p in RECIPE_CONFIGS])
def test_recipe_examples_match_their_formula(path: Path) -> None:
    from lrplot.config import load_spec
    from lrplot.config.yamlload import load_text

    spec = load_spec(path)
    raw = load_text(path.read_text(), str(path)).data  # numbers such as 1e-5 read as floats
    params = {k: v for k, v in raw["scheduler"].items() if k != "recipe"}
    lr = raw.get("optimizer", {}).get("lr", 0.001)
    lrs = simulate(spec).lr[0].tolist()
    name = raw["scheduler"]["recipe"]
    assert len(lrs) == raw.get("epochs", natural_length(name, params))
    expected = [reference_lr(name, params, lr, lr, t) for t in range(len(lrs))]
    assert lrs == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_json_schema_knows_the_recipes() -> None:
    import jsonschema

    from lrplot.describe.schema import json_schema

    schema = json_schema()
    good = {"scheduler": {"recipe": "cosine-with-restarts", "num_training_steps": 9}}
    jsonschema.validate(good, schema)
    for bad in (
        {"recipe": "cosine", "num_training_step": 9},
        {"recipe": "cosine"},
        {"recipe": "warmup_stable_decay", "num_decay_steps": 3, "decay_type": "cosin"},
        {"recipe": "timm_cosine", "t_initial": 0},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"scheduler": bad}, schema)
