"""The import family: a scheduler class or factory of the user's own, and its allow-list.

The oracle is the user's object stepped directly, the documented way: ``step()`` after each
epoch (or optimizer step), ``step(metric)`` when its ``step`` takes one, and timm's train.py calls
for a timm-style object.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import torch
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.describe.code import python_code

runner = CliRunner()
HERE = "test_import"  # this module, as pytest imports it (tests/ is on sys.path)


class WarmupCosine(LRScheduler):
    """The test suite's own scheduler class: warmup, then a cosine to a floor."""

    def __init__(self, optimizer: Any, warmup: int, total: int, floor: float = 0.0) -> None:
        self.warmup, self.total, self.floor = warmup, total, floor
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t < self.warmup:
            factor = (t + 1) / self.warmup
        else:
            progress = min(1.0, (t - self.warmup) / max(1, self.total - self.warmup))
            factor = self.floor + (1 - self.floor) * (1 + math.cos(math.pi * progress)) / 2
        return [base * factor for base in self.base_lrs]


def plateau(optimizer: Any, patience: int = 2, **settings: Any) -> ReduceLROnPlateau:
    return ReduceLROnPlateau(optimizer, patience=patience, **settings)


class TimmStyle:
    """A scheduler with timm's API: step_update(num_updates) and step(epoch, metric=None)."""

    def __init__(self, optimizer: Any, per_update: float = 0.99, per_epoch: float = 0.5) -> None:
        self.optimizer, self.per_update, self.per_epoch = optimizer, per_update, per_epoch
        self.base = [group["lr"] for group in optimizer.param_groups]
        self.updates = self.epochs = 0

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base, strict=True):
            group["lr"] = base * self.per_update**self.updates * self.per_epoch**self.epochs

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        self.updates = num_updates
        self._apply()

    def step(self, epoch: int, metric: float | None = None) -> None:
        self.epochs = epoch
        self._apply()


def not_a_scheduler(optimizer: Any) -> object:
    return object()


def broken(optimizer: Any) -> object:
    raise RuntimeError("boom")


def stepped(scheduler: Any, optimizer: Any, epochs: int, per_epoch: int = 1, **how: Any) -> list:
    """lr of every group before each optimizer step: a training loop, stepping per epoch."""
    metric = how.get("metric")
    rows = []
    for t in range(epochs * per_epoch):
        rows.append([float(g["lr"]) for g in optimizer.param_groups])
        optimizer.step()
        if how.get("timm"):
            scheduler.step_update(num_updates=t + 1)
            if (t + 1) % per_epoch == 0:
                scheduler.step((t + 1) // per_epoch)
        elif (t + 1) % per_epoch == 0:
            epoch = (t + 1) // per_epoch - 1
            scheduler.step(metric[epoch]) if metric else scheduler.step()
    return rows


def sgd(*lrs: float) -> torch.optim.SGD:
    params = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(params, lr=lrs[0])


def csv_rows(path: Path) -> list[list[float]]:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c == "lr" or c.startswith("lr_")]
    return [[float(row[c]) for c in columns] for row in rows]


def render(tmp_path: Path, text: str, *flags: str) -> tuple[int, str, list[list[float]] | None]:
    config = tmp_path / "spec.yaml"
    config.write_text(textwrap.dedent(text))
    result = runner.invoke(app, ["render", str(config), "-d", str(tmp_path), "-f", "csv", *flags])
    out = tmp_path / "spec.csv"
    return result.exit_code, result.stderr, csv_rows(out) if out.exists() else None


# -- the documented way, for each kind of scheduler ----------------------------------------------


def test_a_test_class_equals_itself_stepped_directly(tmp_path: Path) -> None:
    code, err, rows = render(
        tmp_path,
        f"""\
        epochs: 40
        steps_per_epoch: 3
        optimizer: {{type: SGD, lr: 0.1, param_groups: [{{lr: 0.1}}, {{lr: 0.02}}]}}
        scheduler: {{import: "{HERE}:WarmupCosine", warmup: 5, total: 30, floor: 0.1}}
        """,
        "--allow-import",
        HERE,
    )
    assert code == 0, err
    optimizer = sgd(0.1, 0.02)
    expected = stepped(WarmupCosine(optimizer, 5, 30, 0.1), optimizer, 40, 3)
    assert rows == expected
    assert len({row[0] for row in expected}) == 30  # warmup 5 + cosine to step 30, then flat


def test_interval_step_steps_after_every_optimizer_step() -> None:
    spec = lrplot.spec_from_text(
        f"epochs: 4\nsteps_per_epoch: 5\ninterval: step\n"
        f"scheduler: {{import: '{HERE}:WarmupCosine', warmup: 3, total: 20}}",
        allow_import=[HERE],
    )
    optimizer = sgd(0.001)
    expected = stepped(WarmupCosine(optimizer, 3, 20), optimizer, 20)
    assert lrplot.simulate(spec).lr.T.tolist() == expected


def test_a_factory_of_reduce_lr_on_plateau_gets_the_metric(tmp_path: Path) -> None:
    metric = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    code, err, rows = render(
        tmp_path,
        f"""\
        epochs: 12
        optimizer: {{type: SGD, lr: 0.1}}
        scheduler: {{import: "{HERE}:plateau", patience: 1, factor: 0.5}}
        metric: {{values: {metric}}}
        """,
        "--allow-import",
        HERE,
    )
    assert code == 0, err
    optimizer = sgd(0.1)
    expected = stepped(plateau(optimizer, 1, factor=0.5), optimizer, 12, metric=metric)
    assert rows == expected and expected[-1][0] < 0.1
    spec = lrplot.load_spec(tmp_path / "spec.yaml", allow_import=[HERE])
    assert lrplot.simulate(spec).facts["patience"] == 1  # the plateau panel reads these


def test_a_timm_style_object_is_stepped_as_timm_train_py_does() -> None:
    spec = lrplot.spec_from_text(
        f"epochs: 6\nsteps_per_epoch: 4\nscheduler: {{import: '{HERE}:TimmStyle'}}",
        allow_import=[HERE],
    )
    optimizer = sgd(0.001)
    expected = stepped(TimmStyle(optimizer), optimizer, 6, 4, timm=True)
    assert lrplot.simulate(spec).lr.T.tolist() == expected
    with pytest.raises(lrplot.LrplotError, match="'interval: step' does not apply"):
        lrplot.spec_from_text(
            f"interval: step\nscheduler: {{import: '{HERE}:TimmStyle'}}", allow_import=[HERE]
        )


def test_the_cli_command_takes_keywords_and_env_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.csv"
    args = ["import", f"{HERE}:WarmupCosine", "--kw", "warmup=4", "--kw", "total=20", "-n", "20"]
    monkeypatch.setenv("LRPLOT_ALLOW_IMPORT", f"other, {HERE}")
    result = runner.invoke(app, [*args, "--lr", "0.5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    optimizer = sgd(0.5)
    assert csv_rows(out) == stepped(WarmupCosine(optimizer, 4, 20), optimizer, 20)
    monkeypatch.delenv("LRPLOT_ALLOW_IMPORT")
    refused = runner.invoke(app, [*args])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: lrplot import: MODULE:ATTR: importing '{HERE}' would run its code; allow it "
        f"with --allow-import {HERE} (or LRPLOT_ALLOW_IMPORT={HERE})\n"
    )
    typo = runner.invoke(app, [*args, "--kw", "flor=0.1", "--allow-import", HERE])
    assert typo.stderr == (
        "error: lrplot import: --kw flor: unknown argument 'flor' for WarmupCosine; "
        "did you mean floor?\n"
    )
    bad = runner.invoke(app, [*args, "--kw", "floor", "--allow-import", HERE])
    assert bad.exit_code == 2 and "must be KEY=VALUE" in bad.stderr


# -- the allow-list ----------------------------------------------------------------------------

TRAP = """\
from pathlib import Path
Path(__file__).with_name("ran.txt").write_text("imported")
from torch.optim.lr_scheduler import ConstantLR
"""


@pytest.mark.parametrize(
    "allow", [[], ["other"], ["trapmod"]], ids=["nothing", "another", "a-prefix"]
)
def test_a_refused_import_runs_no_code(tmp_path: Path, allow: list[str]) -> None:
    name = "trapmod_" + ("_".join(allow) or "none")  # "trapmod" allows only itself
    (tmp_path / f"{name}.py").write_text(TRAP)
    (tmp_path / "spec.yaml").write_text(f'scheduler:\n  import: "{name}:ConstantLR"\n')
    flags = [f"--allow-import={a}" for a in allow]
    result = runner.invoke(
        app, ["render", str(tmp_path / "spec.yaml"), "-d", str(tmp_path), *flags]
    )
    assert result.exit_code == 2
    assert f"spec.yaml: scheduler.import (line 2): importing '{name}' would run its code" in (
        result.stderr
    )
    assert "--allow-import" in result.stderr
    assert not (tmp_path / "ran.txt").exists()
    assert name not in sys.modules
    assert list(tmp_path.glob("spec.*")) == [tmp_path / "spec.yaml"]


def test_a_refused_import_runs_no_code_in_a_fresh_process(tmp_path: Path) -> None:
    (tmp_path / "trapmod_fresh.py").write_text(TRAP)
    (tmp_path / "spec.yaml").write_text('scheduler: {import: "trapmod_fresh:ConstantLR"}\n')
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "render", "spec.yaml", "-d", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "LRPLOT_ALLOW_IMPORT": "trapmod"},  # not the package
    )
    assert done.returncode == 2, done.stderr
    assert "--allow-import trapmod_fresh" in done.stderr
    assert not (tmp_path / "ran.txt").exists() and not (tmp_path / "out").exists()
    allowed = subprocess.run(
        [sys.executable, "-m", "lrplot", "render", "spec.yaml", "-d", "out", "-f", "csv",
         "--allow-import", "trapmod_fresh"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert (tmp_path / "ran.txt").read_text() == "imported"  # the same file, allowed, does run


def test_the_config_folder_and_the_current_folder_are_importable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = tmp_path / "configs"
    nested.mkdir()
    (nested / "own_sched_a.py").write_text("from torch.optim.lr_scheduler import StepLR\n")
    (tmp_path / "own_sched_b.py").write_text("from torch.optim.lr_scheduler import StepLR\n")
    monkeypatch.chdir(tmp_path)
    for module in ("own_sched_a", "own_sched_b"):
        (nested / "spec.yaml").write_text(
            f"epochs: 10\nscheduler: {{import: '{module}:StepLR', step_size: 3}}\n"
        )
        spec = lrplot.load_spec(nested / "spec.yaml", allow_import=[module])
        assert lrplot.simulate(spec).lr[0][3] == pytest.approx(0.0001)
    assert str(tmp_path) not in sys.path and str(nested) not in sys.path


# -- mistakes, each one line at its key ----------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduler", "message"),
    [
        ('{import: "nocolon"}', "scheduler.import (line 1): must be 'module:attribute'"),
        (f'{{import: "{HERE}:WarmupCosin", warmup: 1, total: 2}}',
         f"scheduler.import (line 1): {HERE} has no attribute 'WarmupCosin'; "
         "did you mean WarmupCosine?"),
        (f'{{import: "{HERE}:WarmupCosine", warmup: 1}}',
         "scheduler (line 1): WarmupCosine needs 'total'"),
        (f'{{import: "{HERE}:WarmupCosine", warmup: 1, total: 3, flor: 0}}',
         "scheduler.flor (line 1): unknown argument 'flor' for WarmupCosine; did you mean floor?"),
        (f'{{import: "{HERE}:broken"}}',
         "scheduler (line 1): test_import:broken failed: RuntimeError: boom"),
        (f'{{import: "{HERE}:not_a_scheduler"}}',
         "scheduler (line 1): test_import:not_a_scheduler returned a object, which has no step()"),
        (f'{{import: "{HERE}:HERE"}}', "scheduler.import (line 1): test_import:HERE is a str"),
        ('{import: "no_such_module_here:X"}',
         "scheduler.import (line 1): cannot import 'no_such_module_here': ModuleNotFoundError"),
    ],
)  # fmt: skip
def test_mistakes_are_one_line_errors(scheduler: str, message: str) -> None:
    allow = [HERE, "nocolon", "no_such_module_here"]
    with pytest.raises(lrplot.LrplotError) as caught:
        lrplot.spec_from_text(f"scheduler: {scheduler}\n", "x.yaml", allow_import=allow)
    assert str(caught.value).startswith(f"x.yaml: {message}")


def test_nesting_only_torch_lr_schedulers() -> None:
    text = """
epochs: 30
scheduler:
  type: sequential
  milestones: [10]
  schedulers:
    - {import: "test_import:WarmupCosine", warmup: 2, total: 10}
    - %s
"""
    spec = lrplot.spec_from_text(text % "{type: cosine, T_max: 20}", allow_import=[HERE])
    optimizer = sgd(0.001)
    sequential = torch.optim.lr_scheduler.SequentialLR(
        optimizer,
        [WarmupCosine(optimizer, 2, 10), torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 20)],
        milestones=[10],
    )
    assert lrplot.simulate(spec).lr.T.tolist() == stepped(sequential, optimizer, 30)
    with pytest.raises(lrplot.LrplotError, match="cannot be nested|cannot hold it"):
        lrplot.spec_from_text(text % '{import: "test_import:TimmStyle"}', allow_import=[HERE])


# -- Python: a factory needs no allow-list ---------------------------------------------------------


def test_simulate_and_plot_take_a_factory() -> None:
    curve = lrplot.simulate(
        lambda opt: WarmupCosine(opt, 5, 90), epochs=90, optimizer="AdamW", lr=3e-4
    )
    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=3e-4)
    assert curve.lr.T.tolist() == stepped(WarmupCosine(optimizer, 5, 90), optimizer, 90)
    assert curve.momentum_name == "beta1"
    plateau_curve = lrplot.simulate(
        lambda opt: ReduceLROnPlateau(opt, patience=0), epochs=20, metric={"profile": "noisy-flat"}
    )
    assert plateau_curve.metric is not None and plateau_curve.lr[0][-1] < 0.001
    figure = lrplot.plot(lambda opt: WarmupCosine(opt, 5, 30), epochs=30, title="mine")
    assert figure.axes[0].get_title() == "mine"
    with pytest.raises(TypeError, match="run keywords"):
        lrplot.simulate(curve.spec, epochs=3)


def test_code_export_imports_the_class(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = lrplot.spec_from_text(
        f"epochs: 12\nsteps_per_epoch: 2\n"
        f"scheduler: {{import: '{HERE}:TimmStyle', per_epoch: 0.7}}",
        allow_import=[HERE],
    )
    code = python_code(spec)
    assert f"from {HERE} import TimmStyle" in code and "scheduler.step_update(num_updates=" in code
    namespace: dict[str, Any] = {"__name__": "lrplot_code_test"}
    exec(compile(code, "<lrplot code>", "exec"), namespace)  # our own generated code
    assert namespace["lrs"] == lrplot.simulate(spec).lr.T.tolist()


def test_a_batch_renders_imports_in_workers_and_sees_the_module_change(tmp_path: Path) -> None:
    module = tmp_path / "own_sched_batch.py"
    module.write_text("from torch.optim.lr_scheduler import StepLR as Sched\n")
    for i in range(2):
        (tmp_path / f"c{i}.yaml").write_text(
            f"epochs: 10\nscheduler: {{import: 'own_sched_batch:Sched', step_size: {i + 2}}}\n"
        )
    args = ["render", str(tmp_path / "c0.yaml"), str(tmp_path / "c1.yaml"), "-d",
            str(tmp_path / "out"), "-f", "csv", "--allow-import", "own_sched_batch"]  # fmt: skip
    result = runner.invoke(app, [*args, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert csv_rows(tmp_path / "out" / "c1.csv")[3] == [pytest.approx(1e-4)]
    assert "rendered 0, skipped 2" in runner.invoke(app, [*args, "-j", "1"]).stderr
    module.write_text("from torch.optim.lr_scheduler import MultiStepLR\n\n\n" +
                      "def Sched(optimizer, step_size):\n" +
                      "    return MultiStepLR(optimizer, [step_size], gamma=0.5)\n")  # fmt: skip
    sys.modules.pop("own_sched_batch", None)
    assert "rendered 2, skipped 0" in runner.invoke(app, [*args, "-j", "1"]).stderr
    assert csv_rows(tmp_path / "out" / "c1.csv")[3] == [pytest.approx(5e-4)]
