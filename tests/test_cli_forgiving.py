"""A command line that forgives (issue 16, items 1-3, 6 and 7): spellings, numbers, lists and
names; errors that name the flag typed; the optimizer from flags; ``list``; completion.

Every test goes through the CLI (CliRunner); curves are checked against torch stepped directly.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.optim import lr_scheduler as L
from typer.main import get_command
from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.cli.group import normalize
from lrplot.families import family_for_key

runner = CliRunner()
TORCH = family_for_key("type")


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def rows(stdout: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(stdout)))


def column(stdout: str, name: str = "lr") -> list[float]:
    return [float(row[name]) for row in rows(stdout)]


def torch_run(
    make_optimizer: Callable[[list[Any]], torch.optim.Optimizer],
    make_scheduler: Callable[[torch.optim.Optimizer], Any],
    steps: int,
    groups: int = 1,
) -> tuple[list[list[float]], list[list[float]]]:
    """(lr per group, momentum or beta1 per group), read before each step, as a loop does."""
    params = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(groups)]
    optimizer = make_optimizer(params)
    scheduler = make_scheduler(optimizer)
    lrs: list[list[float]] = [[] for _ in range(groups)]
    momenta: list[list[float]] = [[] for _ in range(groups)]
    for _ in range(steps):
        for g, group in enumerate(optimizer.param_groups):
            lrs[g].append(float(group["lr"]))
            momenta[g].append(float(group["betas"][0] if "betas" in group else group["momentum"]))
        optimizer.step()
        scheduler.step()
    return lrs, momenta


def sgd(params: list[Any]) -> torch.optim.Optimizer:
    return torch.optim.SGD(params)


# -- 1. spellings where intent is obvious ----------------------------------------------------


@pytest.mark.parametrize("flag", ["--T-max", "--T_max", "--t-max", "--t_max", "--T-MAX"])
def test_torch_spelling_and_any_case_are_the_documented_flag(flag: str) -> None:
    result = invoke("cosine", flag, "10", "-n", "12", "-o", "-")
    assert result.exit_code == 0, result.output
    (expected,), _ = torch_run(sgd, lambda o: L.CosineAnnealingLR(o, T_max=10), 12)
    assert column(result.stdout) == expected


def test_an_unknown_flag_is_answered_with_the_documented_spelling() -> None:
    result = invoke("cosine", "--T-mx", "10")
    assert result.exit_code == 2
    assert "No such option: --T-mx; did you mean --T-max?" in result.output
    assert "--x" not in result.output and "--t-max" not in result.output


def test_no_two_spellings_of_one_command_collide() -> None:
    """Names are compared normalized (case, _ and -): a flag added later must stay unique."""
    root = get_command(app)
    seen = 0

    def walk(command: Any, where: str) -> None:
        nonlocal seen
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{where} {name}")
        spellings: dict[str, str] = {}
        for param in command.params:
            for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]:
                if not opt.startswith("-"):
                    continue
                dashes = len(opt) - len(opt.lstrip("-"))
                key = opt[:dashes] + normalize(opt[dashes:])
                assert key not in spellings, f"{where}: {opt} and {spellings[key]} collide"
                spellings[key] = opt
                seen += 1

    walk(root, "lrplot")
    assert seen > 500


def test_a_float_that_is_an_integer_is_an_integer() -> None:
    result = invoke("cosine", "--T-max", "1e4", "-n", "5", "-o", "-")
    assert result.exit_code == 0, result.output
    (expected,), _ = torch_run(sgd, lambda o: L.CosineAnnealingLR(o, T_max=10_000), 5)
    assert column(result.stdout) == expected
    assert invoke("step", "--step-size", "2.0", "-n", "3", "-o", "-").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cosine", "--T-max", "1.5"], "--T-max: must be an integer, got number 1.5"),
        (["cosine", "--T-max", "ten"], "--T-max: must be an integer, got string 'ten'"),
        (
            ["cosine", "--T-max", "5", "-n", "2.5"],
            "--epochs: must be a positive integer, got number 2.5",
        ),
    ],
)
def test_a_float_that_is_not_an_integer_names_the_flag(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: lrplot {args[0]}: {message}")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("milestones", ["30,60", "30 60", "[30, 60]", "30, 60", " 30  60 "])
def test_milestones_as_a_comma_list_a_space_list_or_a_yaml_list(milestones: str) -> None:
    result = invoke("multistep", "--milestones", milestones, "--gamma", "0.5", "-o", "-")
    assert result.exit_code == 0, result.output
    (expected,), _ = torch_run(sgd, lambda o: L.MultiStepLR(o, [30, 60], 0.5), 100)
    assert column(result.stdout) == expected


def test_a_yaml_list_of_non_integers_names_the_item() -> None:
    result = invoke("multistep", "--milestones", "[30, x]")
    assert result.exit_code == 2
    assert "--milestones[1]: must be an integer, got string 'x'" in result.stderr


@pytest.mark.parametrize("name", ["adam", "ADAM", "Adam"])
def test_optimizer_names_ignore_case(name: str) -> None:
    result = invoke("step", "--step-size", "3", "-n", "7", "--optimizer", name, "-o", "-")
    assert result.exit_code == 0, result.output
    (expected,), (beta1,) = torch_run(
        lambda p: torch.optim.Adam(p), lambda o: L.StepLR(o, step_size=3), 7
    )
    assert column(result.stdout) == expected
    assert column(result.stdout, "momentum") == beta1


def test_scheduler_names_ignore_case_in_yaml_and_on_the_command_line(tmp_path: Any) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("epochs: 6\nscheduler: {type: cosineannealinglr, T_max: 4}\n")
    result = invoke("render", str(config), "-o", "-")
    assert result.exit_code == 0, result.output
    (expected,), _ = torch_run(sgd, lambda o: L.CosineAnnealingLR(o, T_max=4), 6)
    assert column(result.stdout) == expected
    assert column(invoke("COSINE", "--T-max", "4", "-n", "6", "-o", "-").stdout) == expected


@pytest.mark.parametrize("entry", TORCH.entries().values(), ids=lambda e: e.name)
def test_class_names_are_hidden_command_aliases(entry: Any) -> None:
    result = invoke(entry.name, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: lrplot {entry.command} " in result.stdout
    commands = invoke("--help").stdout.split("Commands:")[1]
    listed = [line.split()[0] for line in commands.splitlines() if line[2:3].strip()]
    assert entry.command in listed and entry.name not in listed


def test_class_name_command_draws_what_the_command_draws() -> None:
    alias = invoke("CosineAnnealingLR", "--T-max", "7", "-n", "9", "-o", "-")
    assert alias.exit_code == 0, alias.output
    assert alias.stdout == invoke("cosine", "--T-max", "7", "-n", "9", "-o", "-").stdout


def test_an_unknown_command_gets_the_close_match() -> None:
    result = invoke("cosin", "--T-max", "5")
    assert result.exit_code == 2
    assert "No such command 'cosin'; did you mean cosine?" in result.output


# -- 2. errors name the flag the user typed --------------------------------------------------


def test_a_missing_argument_names_the_flag() -> None:
    result = invoke("cosine")
    assert result.exit_code == 2
    assert result.stderr == "error: lrplot cosine: CosineAnnealingLR needs --T-max\n"


def test_a_short_metric_file_says_metric_pad(tmp_path: Any) -> None:
    log = tmp_path / "log.csv"
    log.write_text("step,loss\n" + "".join(f"{i},{1 / (i + 1)}\n" for i in range(10)))
    result = invoke("plateau", "--metric-file", str(log), "--metric-column", "loss")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: lrplot plateau: --metric-file: {log} has 10 'loss' values but the run takes "
        "100 scheduler steps (one value per epoch); shorten the run, or set --metric-pad last "
        "to repeat the last value\n"
    )
    padded = invoke(
        "plateau", "--metric-file", str(log), "--metric-column", "loss", "--metric-pad", "last"
    )
    assert padded.exit_code == 0, padded.output


def test_a_recipe_name_at_the_top_level_says_where_it_lives() -> None:
    result = invoke("cosine-with-restarts", "--num-training-steps", "100")
    assert result.exit_code == 2
    assert (
        "No such command 'cosine-with-restarts'; it is a recipe: "
        "lrplot recipe cosine-with-restarts --help" in result.output
    )


def test_show_says_a_recipe_is_a_recipe() -> None:
    result = invoke("show", "cosine-with-restarts")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "cosine-with-restarts is a recipe: lrplot recipe cosine-with-restarts --help"


# -- 3. the optimizer from the command line ----------------------------------------------------


def test_betas_and_weight_decay_reach_adamw() -> None:
    args = ["onecycle", "--max-lr", "0.1", "-n", "20", "--optimizer", "adamw"]
    result = invoke(*args, "--betas", "0.8,0.95", "--weight-decay", "0.1", "-o", "-")
    assert result.exit_code == 0, result.output
    lrs, beta1 = torch_run(
        lambda p: torch.optim.AdamW(p, betas=(0.8, 0.95), weight_decay=0.1),
        lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=20),
        20,
    )
    assert column(result.stdout) == lrs[0]
    assert column(result.stdout, "momentum") == beta1[0]
    code = invoke("code", *args, "--betas", "0.8 0.95", "--weight-decay", "0.1")
    assert "torch.optim.AdamW(" in code.stdout and "betas=(0.8, 0.95)" in code.stdout
    assert "weight_decay=0.1" in code.stdout


def test_param_groups_from_yaml() -> None:
    groups = "[{lr: 0.1}, {lr: 0.01, momentum: 0.9}]"
    result = invoke("step", "--step-size", "2", "-n", "5", "--param-groups", groups, "-o", "-")
    assert result.exit_code == 0, result.output
    (lr0, lr1), (m0, m1) = torch_run(
        lambda p: torch.optim.SGD([{**p[0], "lr": 0.1}, {**p[1], "lr": 0.01, "momentum": 0.9}]),
        lambda o: L.StepLR(o, step_size=2),
        5,
        groups=2,
    )
    out = result.stdout
    assert column(out, "lr") == lr0 and column(out, "lr_1") == lr1
    assert column(out, "momentum_1") == m1 and m1[0] == 0.9


def test_betas_with_an_optimizer_that_has_none_names_the_flag() -> None:
    result = invoke("cosine", "--T-max", "5", "--betas", "0.9,0.95")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: lrplot cosine: --betas: unknown argument 'betas' for SGD"
    )


def test_momentum_with_adam_is_beta1_with_a_note() -> None:
    args = ["cyclic", "--base-lr", "0.001", "--max-lr", "0.01", "--step-size-up", "5", "-n", "20"]
    result = invoke(*args, "--optimizer", "adam", "--momentum", "0.85", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "note: lrplot cyclic: --momentum: Adam has no momentum; its beta1 plays that part "
        "(pytorch#73910), so this sets betas=(0.85, 0.999)"
    )
    lrs, beta1 = torch_run(
        lambda p: torch.optim.Adam(p, betas=(0.85, 0.999)),
        lambda o: L.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=5),
        20,
    )
    assert column(result.stdout) == lrs[0]
    assert column(result.stdout, "momentum") == beta1[0]
    both = invoke(*args, "--optimizer", "adam", "--momentum", "0.9", "--betas", "0.9,0.99")
    assert both.exit_code == 2
    assert "--momentum: give --momentum or --betas, not both" in both.stderr


# -- 5/6. list: recipes, clashes and lrplot's own summaries --------------------------------------


def test_list_tells_the_classes_apart() -> None:
    out = invoke("list").stdout
    summaries = [e.summary for e in TORCH.entries().values()]
    assert len(set(summaries)) == len(summaries)
    line = next(line for line in out.splitlines() if "LambdaLR" in line)
    assert "Sets the initial learning rate." not in line
    assert "lr_lambda" in line
    cosine = next(line for line in out.splitlines() if " CosineAnnealingLR " in line + " ")
    restarts = next(line for line in out.splitlines() if "CosineAnnealingWarmRestarts" in line)
    assert cosine.split("CosineAnnealingLR")[1].strip() != restarts.split("Restarts")[1].strip()
    assert "restart" in restarts.split("Restarts")[1]


def test_list_explains_names_that_are_a_scheduler_and_a_recipe() -> None:
    out = " ".join(invoke("list").stdout.split())
    assert (
        "Same name, different schedule: linear, cosine, polynomial, constant name both a "
        "scheduler above and a recipe. lrplot linear is the scheduler (YAML type: linear); "
        "lrplot recipe linear is the recipe (YAML recipe: linear)."
    ) in out


def test_show_and_init_take_a_recipe_whose_name_a_scheduler_has(tmp_path: Any) -> None:
    transformers = pytest.importorskip("transformers")  # not in .venv-timm, which runs only timm
    shown = invoke("show", "recipe", "linear")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("linear  (transformers get_linear_schedule_with_warmup)")
    assert "linear is also a scheduler: lrplot show linear" in shown.stdout
    assert "linear is also a recipe: lrplot show recipe linear" in invoke("show", "linear").stdout
    started = invoke("init", "recipe", "linear")
    assert started.exit_code == 0, started.output
    config = tmp_path / "linear.yaml"
    config.write_text(started.stdout)
    result = invoke("render", str(config), "-o", "-")
    assert result.exit_code == 0, result.output
    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=0.001)
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, 0, 1000)
    expected = []
    for _ in range(1000):
        expected.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    assert column(result.stdout) == pytest.approx(expected, rel=1e-12, abs=1e-18)


def test_warmup_ratio_is_hugging_face_s() -> None:
    transformers = pytest.importorskip("transformers")
    args = ["recipe", "cosine", "--num-training-steps", "250", "--lr", "0.1"]
    result = invoke(*args, "--warmup-ratio", "0.1", "-o", "-")
    assert result.exit_code == 0, result.output
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    warmup = math.ceil(0.1 * 250)  # TrainingArguments.get_warmup_steps
    scheduler = transformers.get_cosine_schedule_with_warmup(optimizer, warmup, 250)
    expected = []
    for _ in range(250):
        expected.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    assert column(result.stdout) == pytest.approx(expected, rel=1e-12, abs=1e-18)
    both = invoke(*args, "--warmup-ratio", "0.1", "--num-warmup-steps", "5")
    assert both.exit_code == 2
    assert "--warmup-ratio: give num_warmup_steps or warmup_ratio, not both" in both.stderr


# -- 7. completion, through Typer's completion machinery ---------------------------------------


def complete(line: str) -> list[str]:
    words = line.split(" ")
    env = {
        "_LRPLOT_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = runner.invoke(app, [], env=env, prog_name="lrplot")
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_completion_of_names_for_show_init_and_recipe() -> None:
    assert complete("lrplot show cos") == [
        "cosine",
        "cosine-warm-restarts",
        "cosine-with-restarts",
        "cosine-with-min-lr",
        "cosine-warmup-with-min-lr",
    ]
    assert "recipe" in complete("lrplot init ")
    assert complete("lrplot init recipe cosine-w") == [
        "cosine-with-restarts",
        "cosine-with-min-lr",
        "cosine-warmup-with-min-lr",
    ]
    assert complete("lrplot recipe warm") == ["warmup-stable-decay"]
    assert complete("lrplot Cosine") == []  # class names are hidden aliases


def test_completion_of_option_values() -> None:
    assert complete("lrplot cosine --optimizer Ada") == [
        n
        for n in ("Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax")
        if hasattr(torch.optim, n)
    ]
    assert complete("lrplot render configs --format png,s") == ["png,svg"]
    assert complete("lrplot render configs --format p") == ["png", "pdf"]
    assert complete("lrplot cosine --x ") == ["epoch", "step"]
    import matplotlib.style

    expected = sorted(s for s in matplotlib.style.available if s.startswith("seaborn-v0_8-d"))
    assert complete("lrplot cosine --style seaborn-v0_8-d") == expected
    assert "ggplot" in complete("lrplot render x --style gg")


def test_momentum_with_adam_in_yaml_gets_the_note_with_its_line(tmp_path: Any) -> None:
    config = tmp_path / "a.yaml"
    config.write_text(
        "epochs: 5\noptimizer: {type: adam, momentum: 0.8}\nscheduler: {type: cosine, T_max: 5}\n"
    )
    result = invoke("render", str(config), "-d", str(tmp_path), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"note: {config}: optimizer.momentum (line 2): Adam has no momentum; its beta1 plays "
        "that part (pytorch#73910), so this sets betas=(0.8, 0.999)"
    )
    lrs, beta1 = torch_run(
        lambda p: torch.optim.Adam(p, betas=(0.8, 0.999)),
        lambda o: L.CosineAnnealingLR(o, T_max=5),
        5,
    )
    out = (tmp_path / "a.csv").read_text()
    assert column(out) == lrs[0] and column(out, "momentum") == beta1[0]
