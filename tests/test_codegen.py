"""`lrplot code`: the emitted script, executed, reproduces lrplot's CSV exactly.

The round trip is parametrized over every file in configs/, so an example someone adds is
covered without touching this file.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES_ALLOW, examples
from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.config import load_spec, spec_from_text
from lrplot.describe.code import python_code, python_expression
from lrplot.expr import lr_lambda
from lrplot.model import FigureSpec
from lrplot.outputs.csv import csv_lines
from lrplot.simulate import simulate_figure

CONFIGS = examples()


def csv_curves(spec: FigureSpec) -> dict[str, list[list[float]]]:
    """lrplot's CSV for the spec, as {label: rows of per-group lrs}."""
    text = "".join(csv_lines(simulate_figure(spec)))
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = [c for c in rows[0] if c == "lr" or c.startswith("lr_")]
    curves: dict[str, list[list[float]]] = {}
    for row in rows:
        values = [float(row[c]) for c in columns if row[c] != ""]
        curves.setdefault(row.get("curve", ""), []).append(values)
    return curves


def run_code(code: str) -> dict[str, list[list[float]]]:
    # lrplot's own generated code, executed in the test (never done by lrplot itself).
    namespace: dict[str, Any] = {"__name__": "lrplot_code_test"}
    exec(compile(code, "<lrplot code>", "exec"), namespace)
    if "curves" in namespace:
        return dict(namespace["curves"])
    return {"": namespace["lrs"]}


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_code_round_trips_every_example(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # configs/import-*.yaml: the script imports schedules.py from the config's folder.
    monkeypatch.syspath_prepend(str(path.parent))
    spec = load_spec(path, allow_import=EXAMPLES_ALLOW)
    assert run_code(python_code(spec)) == csv_curves(spec)


EXTRA = {
    "groups-and-lambdas": """
epochs: 40
optimizer:
  {type: SGD, lr: 0.1, momentum: 0.9, param_groups: [{lr: 0.1}, {lr: 0.02, momentum: 0.5}]}
scheduler:
  type: lambda
  lr_lambda:
    - "max(0.01, cos(pi * epoch / 80)) if epoch > 2 and not epoch >= 30 else 0.5 ** (epoch // 7)"
    - "min(1, (epoch + 1) / 5) * exp(-epoch / 20) + abs(sin(epoch)) * 1e-3 + floor(epoch / 9) % 2"
""",
    "cyclic-scale-fn": """
epochs: 60
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
scheduler:
  {type: cyclic, base_lr: 0.01, max_lr: 0.1, step_size_up: 5, scale_fn: "1 / (2 ** (x - 1))"}
""",
    "curves-mixed": """
epochs: 30
steps_per_epoch: 3
optimizer: {type: Adam, lr: 0.01}
curves:
  - {label: plateau, interval: step, scheduler: {type: plateau, patience: 2},
     metric: {noise: 0.05, seed: 3}}
  - {label: values, scheduler: {type: plateau, patience: 1},
     metric: {values: [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                       1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}
  - {label: onecycle, interval: step, scheduler: {type: onecycle, max_lr: 0.1}}
  - label: recipes
    scheduler:
      type: sequential
      milestones: [10]
      schedulers:
        - {recipe: constant_with_warmup, num_warmup_steps: 10}
        - {recipe: polynomial, num_training_steps: 20, lr_end: 1e-4, power: 2}
  - {label: timm, optimizer: {type: SGD, lr: 0.1, param_groups: [{lr: 0.1}, {lr: 0.05}]},
     scheduler: {recipe: timm_cosine, t_initial: 8, cycle_limit: 3, warmup_t: 2, lr_min: 0.01}}
""",
    "lbfgs-swa": """
epochs: 20
optimizer: {type: LBFGS, lr: 0.5}
scheduler: {type: swa, swa_lr: 0.05, anneal_epochs: 5}
""",
}


@pytest.mark.parametrize("name", EXTRA)
def test_code_round_trips_harder_specs(name: str) -> None:
    spec = spec_from_text(EXTRA[name], f"{name}.yaml")
    assert run_code(python_code(spec)) == csv_curves(spec)


@pytest.mark.parametrize(
    "text",
    [
        "0.95 ** epoch",
        "epoch // 3 % 2",
        "-epoch / 7 + 10",
        "1 if 3 < epoch <= 9 or epoch == 20 else 0.5",
        "round(epoch / 3) + trunc(epoch / 4) + ceil(epoch / 5)",
        "pow(0.9, epoch) + log(epoch + 1, 2) + hypot(epoch, 1) + atan2(1, epoch + 1) + e + tau",
        "max(1, 2, epoch) - min(epoch, 3, 4, 5) + fmod(epoch, 3) + copysign(1, -epoch)",
    ],
)
def test_expressions_translate_to_the_same_numbers(text: str) -> None:
    import math

    source = python_expression(text, "epoch")
    function = eval("lambda epoch: " + source, {"math": math})  # test-only: our generated code
    checked = lr_lambda(text, path="t")
    for step in range(40):
        try:
            expected: float | None = checked(step)
        except Exception:
            expected = None  # negative results are refused by lrplot; nothing to compare
        if expected is not None:
            assert function(step) == expected, (text, step)


def test_cli_code_prints_the_script_and_it_runs(tmp_path: Path) -> None:
    path = Path(__file__).resolve().parent.parent / "configs" / "warmup-cosine.yaml"
    result = CliRunner().invoke(app, ["code", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == python_code(load_spec(path))
    script = tmp_path / "snippet.py"
    script.write_text(result.stdout)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "100 steps; lr at the first: [0.001], at the last: " + (
        f"[{csv_curves(load_spec(path))[''][-1][0]!r}]\n"
    )


def test_cli_code_bad_spec_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheduler: {recipe: cosin, num_training_steps: 5}\n")
    result = CliRunner().invoke(app, ["code", str(bad)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {bad}: scheduler.recipe (line 1): unknown recipe 'cosin'; did you mean cosine?\n"
    )
    assert result.stdout == ""
