"""``type: switch``: hand-written loops that step one scheduler at a time, each compared with the
loop written out by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.optim import lr_scheduler as L
from torch.optim.swa_utils import SWALR
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app

runner = CliRunner()


def lrs(text: str) -> list[float]:
    return lrplot.simulate(lrplot.spec_from_text(text)).lr[0].tolist()


def sgd(lr: float = 0.1) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)


SWA_DOC = """\
epochs: 300
optimizer: {type: SGD, lr: 0.1}
scheduler:
  type: switch
  milestones: [161]        # torch's loop: if i > swa_start (160)
  schedulers:
    - {type: cosine, T_max: 300}
    - {type: swa, swa_lr: 0.05}
"""


def test_switch_reproduces_torchs_documented_swa_loop() -> None:
    """The example of torch.optim.swa_utils.AveragedModel's docstring, written out."""
    optimizer = sgd()
    scheduler = L.CosineAnnealingLR(optimizer, T_max=300)
    swa_start = 160
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)
    by_hand = []
    for i in range(300):
        for _batch in range(1):
            by_hand.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        if i > swa_start:
            swa_scheduler.step()
        else:
            scheduler.step()
    assert lrs(SWA_DOC) == by_hand
    # SequentialLR cannot write this loop: its step(0) at the milestone shifts the anneal.
    sequential = SWA_DOC.replace("type: switch", "type: sequential")
    shifted = lrs(sequential)
    assert shifted[:161] == by_hand[:161] and shifted[161] != by_hand[161]


def test_switch_reproduces_swalrs_documented_loop() -> None:
    """SWALR's own docstring example: MultiplicativeLR until swa_start, then a linear anneal."""
    optimizer = sgd()
    scheduler = L.MultiplicativeLR(optimizer, lr_lambda=lambda epoch: 0.9)
    swa_scheduler = SWALR(optimizer, anneal_strategy="linear", anneal_epochs=20, swa_lr=0.05)
    swa_start = 160
    by_hand = []
    for i in range(300):
        by_hand.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if i > swa_start:
            swa_scheduler.step()
        else:
            scheduler.step()
    spec = (
        "epochs: 300\noptimizer: {type: SGD, lr: 0.1}\nscheduler:\n  type: switch\n"
        "  milestones: [161]\n  schedulers:\n"
        "    - {type: multiplicative, lr_lambda: '0.9'}\n"
        "    - {type: swa, swa_lr: 0.05, anneal_epochs: 20, anneal_strategy: linear}\n"
    )
    assert lrs(spec) == by_hand


WARMUP_PLATEAU = """\
epochs: 40
steps_per_epoch: 4
optimizer: {type: SGD, lr: 0.1}
scheduler:
  type: switch
  milestones: [5]
  schedulers:
    - {type: linear, start_factor: 0.1, total_iters: 5}
    - {type: plateau, factor: 0.5, patience: 3}
metric: {values: [%s]}
"""
VAL_LOSS = [1.0 - 0.04 * e if e < 15 else 0.45 + 0.001 * (e % 3) for e in range(40)]


def test_switch_reproduces_a_warmup_then_plateau_loop() -> None:
    """pytorch#68978 / Lightning#10759: warmup, then ReduceLROnPlateau on the validation loss."""
    optimizer = sgd()
    warmup = L.LinearLR(optimizer, start_factor=0.1, total_iters=5)
    plateau = L.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
    by_hand = []
    for epoch in range(40):
        for _batch in range(4):
            by_hand.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        if epoch < 5:
            warmup.step()
        else:
            plateau.step(VAL_LOSS[epoch])
    curve = lrplot.simulate(lrplot.spec_from_text(WARMUP_PLATEAU % ", ".join(map(repr, VAL_LOSS))))
    assert curve.lr[0].tolist() == by_hand
    assert min(by_hand) < 0.1 / 2  # the plateau really reduced it
    assert curve.metric is not None and curve.metric[::4].tolist() == VAL_LOSS


def test_switch_per_step_with_three_phases() -> None:
    optimizer = sgd()
    schedulers = [
        L.LinearLR(optimizer, start_factor=0.01, total_iters=10),
        L.ConstantLR(optimizer, factor=1.0, total_iters=1),
        L.ExponentialLR(optimizer, gamma=0.95),
    ]
    by_hand = []
    for step in range(60):
        by_hand.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedulers[0 if step < 10 else 1 if step < 30 else 2].step()
    spec = (
        "epochs: 6\nsteps_per_epoch: 10\ninterval: step\noptimizer: {lr: 0.1}\n"
        "scheduler:\n  type: switch\n  milestones: [10, 30]\n  schedulers:\n"
        "    - {type: linear, start_factor: 0.01, total_iters: 10}\n"
        "    - {type: constant, factor: 1.0, total_iters: 1}\n"
        "    - {type: exponential, gamma: 0.95}\n"
    )
    assert lrs(spec) == by_hand


@pytest.mark.parametrize("text", [SWA_DOC, WARMUP_PLATEAU % ", ".join(map(repr, VAL_LOSS))])
def test_code_export_writes_the_hand_loop_and_reproduces_it(text: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = runner.invoke(app, ["code", str(spec)])
    assert result.exit_code == 0, result.output
    script = result.stdout
    assert "if k < " in script and "scheduler[1].step(" in script
    namespace: dict[str, object] = {}
    exec(compile(script, "code.py", "exec"), namespace)  # noqa: S102 - our own export
    rows = [row[0] for row in namespace["lrs"]]  # type: ignore[attr-defined]
    assert rows == lrs(text)


def test_switch_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = runner.invoke(
        app,
        ["switch", "--milestones", "3", "-n", "10", "--lr", "0.1", "-o", str(out),
         "--schedulers", "[{type: linear, start_factor: 0.5, total_iters: 3}, "
         "{type: step, step_size: 2}]"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    optimizer = sgd()
    warmup = L.LinearLR(optimizer, start_factor=0.5, total_iters=3)
    then = L.StepLR(optimizer, step_size=2)
    by_hand = []
    for epoch in range(10):
        by_hand.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        (warmup if epoch < 3 else then).step()
    lines = out.read_text().splitlines()
    assert lines[0] == "step,epoch,lr,momentum"
    assert [float(line.split(",")[2]) for line in lines[1:]] == by_hand


def test_switch_resumes_from_its_state_dicts() -> None:
    text = WARMUP_PLATEAU % ", ".join(map(repr, VAL_LOSS))
    curve = lrplot.simulate(lrplot.spec_from_text("resume_at: [40, 100]\n" + text))
    assert curve.uninterrupted is not None
    assert curve.lr.tolist() == curve.uninterrupted.tolist()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "  milestones: [5, 8]\n  schedulers: [{type: cosine, T_max: 5}, {type: step, "
            "step_size: 3}]",
            "scheduler.milestones (line 4): switch with 2 schedulers needs 1 milestone(s), got 2",
        ),
        ("  milestones: [5]\n  schedulers: [{type: cosine, T_max: 5}]",
         "scheduler.schedulers (line 5): must be a list of two or more schedulers"),
        ("  milestones: [0]\n  schedulers: [{type: cosine, T_max: 5}, {type: step, step_size: 3}]",
         "scheduler.milestones[0] (line 4): must be a positive integer, got 0"),
        ("  milestone: [5]\n  schedulers: [{type: cosine, T_max: 5}, {type: step, step_size: 3}]",
         "scheduler.milestone (line 4): unknown argument 'milestone' for switch; did you mean "
         "milestones?"),
        ("  schedulers: [{type: cosine, T_max: 5}, {type: step, step_size: 3}]",
         "scheduler (line 2): switch needs 'milestones'"),
    ],
)  # fmt: skip
def test_bad_switch_specs_are_one_line_errors(body: str, message: str, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"epochs: 20\nscheduler:\n  type: switch\n{body}\n")
    result = runner.invoke(app, ["render", str(spec), "-d", str(tmp_path), "-f", "csv"])
    assert result.exit_code == 2
    assert f"error: {spec}: {message}" in result.stderr.splitlines()
    assert not (tmp_path / "bad.csv").exists()


def test_a_switch_cannot_be_nested(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "scheduler:\n  type: sequential\n  milestones: [3]\n  schedulers:\n"
        "    - {type: linear, total_iters: 3}\n"
        "    - {type: switch, milestones: [2], schedulers: [{type: cosine, T_max: 2}, "
        "{type: exponential, gamma: 0.9}]}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "lrplot", "render", str(spec), "-d", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert (
        "scheduler.schedulers[1] (line 6): a switch steps its schedulers by hand" in result.stderr
    )
    assert "Traceback" not in result.stderr
