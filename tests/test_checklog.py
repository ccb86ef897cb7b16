"""check-log against logs written by real runs: a hand loop (CSV and TensorBoard), a real
transformers.Trainer and a real Lightning Trainer.fit. Every run records the lr its optimizer
really used, and each test first checks the spec's plan against that, then runs check-log."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch
from runs import Loop, hand_loop, hf_trainer_run, lightning_run
from typer.testing import CliRunner

import lrplot
import lrplot.checklog
from lrplot.cli import app

L = torch.optim.lr_scheduler
runner = CliRunner()


def check(*args: object) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["check-log", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout.splitlines()


def plan(spec: Path) -> list[float]:
    return lrplot.simulate(lrplot.load_spec(spec)).lr[0].tolist()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


SGD = "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
WARMUP_COSINE = """\
epochs: 4
steps_per_epoch: 10
interval: step
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
scheduler:
  type: sequential
  milestones: [5]
  schedulers:
    - {type: linear, start_factor: 0.1, total_iters: 5}
    - {type: cosine, T_max: 35}
"""


def warmup_cosine(o: torch.optim.Optimizer) -> L.LRScheduler:
    return L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5), L.CosineAnnealingLR(o, T_max=35)], [5]
    )


# -- runs that follow their plan -----------------------------------------------------------------


def test_hand_loop_logging_to_tensorboard_and_csv_matches_its_spec(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec.yaml", WARMUP_COSINE)
    run = hand_loop(
        Loop(warmup_cosine, csv=tmp_path / "lr.csv", tensorboard=tmp_path / "tb", epochs=4)
    )
    assert plan(spec) == run.used  # the spec is the plan of this run
    for log in (tmp_path / "lr.csv", tmp_path / "tb", next((tmp_path / "tb").iterdir())):
        code, lines = check(spec, log)
        assert (code, lines[0]) == (0, "matches: 40 logged points within rtol 1e-6"), log
    # TensorBoard stored float32; the plan is rounded the same way, so even rtol 0 matches.
    assert check(spec, tmp_path / "tb", "--rtol", "0")[0] == 0
    assert check(spec, tmp_path / "lr.csv", "--rtol", "0")[0] == 0


def test_a_log_that_ends_early_is_not_a_divergence(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec.yaml", WARMUP_COSINE.replace("epochs: 4", "epochs: 8"))
    hand_loop(Loop(warmup_cosine, csv=tmp_path / "lr.csv", epochs=4))
    code, lines = check(spec, tmp_path / "lr.csv")
    assert code == 0
    assert lines == [
        "matches: 40 logged points within rtol 1e-6",
        "note: the log ends at step 39: it covers 50% of the plan's 80 optimizer steps",
    ]


@pytest.mark.parametrize("logging_steps", [1, 5])
def test_transformers_trainer_state_matches_its_spec(tmp_path: Path, logging_steps: int) -> None:
    used = hf_trainer_run(
        tmp_path / "out",
        40,
        per_device_train_batch_size=4,
        num_train_epochs=2,
        learning_rate=1e-3,
        lr_scheduler_type="cosine",
        warmup_steps=4,
        logging_steps=logging_steps,
    )
    spec = write(
        tmp_path / "spec.yaml",
        "steps_per_epoch: 10\noptimizer: {type: AdamW, lr: 1.0e-3}\n"
        "scheduler: {recipe: cosine, num_warmup_steps: 4, num_training_steps: 20}\n",
    )
    assert plan(spec) == pytest.approx(used, rel=1e-12)
    logged = 20 // logging_steps
    for log in (tmp_path / "out", tmp_path / "out" / "trainer_state.json"):
        code, lines = check(spec, log)
        assert code == 0, lines
        assert lines[0] == f"matches: {logged} logged points within rtol 1e-6"
        assert "note: the entry at step s is the lr of optimizer step s-1" in lines[1]
    # The pre-4.51 convention (the lr after the step) does not fit this log.
    assert check(spec, tmp_path / "out", "--hf-convention", "old")[0] == 1


@pytest.mark.parametrize(("accumulate", "log_every"), [(1, 1), (3, 1), (1, 50)])
def test_lightning_learning_rate_monitor_csv_matches_its_spec(
    tmp_path: Path, accumulate: int, log_every: int
) -> None:
    samples = 800 if log_every == 50 else 64  # 100 or 8 batches of 8
    size = 40 if log_every == 50 else 3  # StepLR's step_size
    folder, used = lightning_run(
        tmp_path,
        lambda o: L.StepLR(o, step_size=size, gamma=0.5),
        samples=samples,
        accumulate=accumulate,
        log_every=log_every,
        epochs=2,
    )
    steps = -(-(samples // 8) // accumulate)
    spec = write(
        tmp_path / "spec.yaml",
        f"epochs: 2\nsteps_per_epoch: {steps}\ninterval: step\n"
        "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        f"scheduler: {{type: step, step_size: {size}, gamma: 0.5}}\n",
    )
    assert plan(spec) == used
    lines = (folder / "metrics.csv").read_text().splitlines()
    entries = sum(1 for line in lines[1:] if line.split(",")[0])
    code, out = check(spec, folder)
    assert (code, out[0]) == (0, f"matches: {entries} logged points within rtol 1e-6")
    if accumulate > 1:  # one row per batch of each window, all with the window's step
        assert entries == samples // 8 * 2
    if log_every == 50:  # steps 49, 99, 149, 199 only
        assert entries == 4


def test_lightning_tensorboard_logger_matches_its_spec(tmp_path: Path) -> None:
    folder, used = lightning_run(
        tmp_path, lambda o: L.ExponentialLR(o, gamma=0.9), tensorboard=True, accumulate=2
    )
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 2\nsteps_per_epoch: 4\ninterval: step\n"
        + SGD
        + "scheduler: {type: exponential, gamma: 0.9}\n",
    )
    assert plan(spec) == used
    code, lines = check(spec, folder)
    assert (code, lines[0]) == (0, "matches: 16 logged points within rtol 1e-6")


# -- runs that made a mistake: check-log names it ------------------------------------------------


def first_difference(logged: list[tuple[int, float]], used: list[float], shift: int = 0) -> str:
    for step, value in logged:
        if value != used[step + shift]:
            return f"diverged at step {step}: planned {used[step + shift]!r}, logged {value!r}"
    raise AssertionError("the run followed the plan")


def test_stepped_per_epoch_lightning_onecycle(tmp_path: Path) -> None:
    """Lightning#3205: OneCycleLR sized for every optimizer step, left at interval "epoch"."""
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 2\nsteps_per_epoch: 8\ninterval: step\n"
        + SGD
        + "scheduler: {type: onecycle, max_lr: 0.1}\n",
    )
    with pytest.warns(RuntimeWarning, match="OneCycleLR.*interval.*epoch"):  # Lightning's hint
        folder, used = lightning_run(
            tmp_path, lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=16), interval="epoch"
        )
    planned = plan(spec)
    code, lines = check(spec, folder)
    assert code == 1
    step = next(t for t in range(16) if used[t] != planned[t])
    assert lines[0] == f"diverged at step {step}: planned {planned[step]!r}, logged {used[step]!r}"
    assert lines[1].startswith("likely cause: stepped-per-epoch: the scheduler stepped once per")


def test_stepped_per_step_hand_loop_tensorboard(tmp_path: Path) -> None:
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 6\nsteps_per_epoch: 5\noptimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: step, step_size: 2, gamma: 0.5}\n",
    )
    run = hand_loop(
        Loop(lambda o: L.StepLR(o, step_size=2, gamma=0.5), epochs=6, batches=5,
             tensorboard=tmp_path / "tb")
    )  # fmt: skip
    code, lines = check(spec, tmp_path / "tb")
    assert code == 1
    assert lines[0].startswith("diverged at step 2: planned 0.1, logged 0.05")
    assert lines[1].startswith("likely cause: stepped-per-step: ")
    assert run.used[2] == 0.05


def test_accumulation_hand_loop_onecycle(tmp_path: Path) -> None:
    """The plan counted 10 batches per epoch; the run took one optimizer step per 3 batches and
    sized OneCycleLR for its 4 optimizer steps per epoch."""
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 5\nsteps_per_epoch: 10\ninterval: step\n"
        + SGD
        + "scheduler: {type: onecycle, max_lr: 0.1}\n",
    )
    run = hand_loop(
        Loop(lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=20), epochs=5, batches=10,
             accumulate=3, csv=tmp_path / "lr.csv")
    )  # fmt: skip
    assert len(run.used) == 20
    code, lines = check(spec, tmp_path / "lr.csv")
    assert code == 1
    assert lines[0] == first_difference(run.logged, plan(spec))
    assert lines[1].startswith(
        "likely cause: accumulation-x3: the run took one optimizer step per 3"
    )


def test_offset_hand_loop_logging_after_scheduler_step(tmp_path: Path) -> None:
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 30\noptimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: step, step_size: 10, gamma: 0.5}\n",
    )
    run = hand_loop(
        Loop(lambda o: L.StepLR(o, step_size=10, gamma=0.5), epochs=30, batches=1,
             log_after=True, csv=tmp_path / "lr.csv")
    )  # fmt: skip
    assert plan(spec) == run.used
    code, lines = check(spec, tmp_path / "lr.csv")
    assert code == 1
    assert (
        lines[0]
        == first_difference(run.logged, run.used)
        == ("diverged at step 9: planned 0.1, logged 0.05")
    )
    assert lines[1] == (
        "likely cause: offset-1: log step t holds the planned lr of step t+1 (the loop logged "
        "the lr after scheduler.step(), not before the step)"
    )


def test_resumed_with_a_fresh_scheduler_hand_loop_tensorboard(tmp_path: Path) -> None:
    """pytorch#60265: a resumed run that builds its scheduler anew; TensorBoard gets a second
    event file from the restarted writer."""
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 40\noptimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: cosine, T_max: 40}\n",
    )
    run = hand_loop(
        Loop(lambda o: L.CosineAnnealingLR(o, T_max=40), epochs=40, batches=1, resume_at=15,
             tensorboard=tmp_path / "tb")
    )  # fmt: skip
    assert len(list((tmp_path / "tb").iterdir())) == 2
    code, lines = check(spec, tmp_path / "tb")
    assert code == 1
    assert lines[0].startswith("diverged at step 16: ")
    assert lines[1] == (
        "likely cause: resumed-at-15: before step 15 the run built a fresh CosineAnnealingLR on "
        "its resumed optimizer, without loading the scheduler's state_dict"
    )
    assert plan(spec)[:16] == run.used[:16] and plan(spec)[16] != run.used[16]


def test_lr_scaled_hand_loop(tmp_path: Path) -> None:
    """The linear scaling rule applied twice: lr 0.8 for 8 GPUs where the plan says 0.1."""
    spec = write(tmp_path / "spec.yaml", WARMUP_COSINE)
    run = hand_loop(Loop(warmup_cosine, lr=0.8, csv=tmp_path / "lr.csv"))
    code, lines = check(spec, tmp_path / "lr.csv")
    assert code == 1
    assert lines[0] == first_difference(run.logged, plan(spec))
    assert lines[1] == (
        "likely cause: lr-scaled-x8: the base lr was 8 times the plan's (0.8 instead of 0.1)"
    )


def test_a_divergence_no_hypothesis_explains_has_no_cause(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec.yaml", WARMUP_COSINE)
    hand_loop(Loop(lambda o: L.ExponentialLR(o, gamma=0.97), csv=tmp_path / "lr.csv"))
    code, lines = check(spec, tmp_path / "lr.csv")
    assert code == 1 and len(lines) == 1 and lines[0].startswith("diverged at step 0: ")


def test_figure_draws_plan_log_and_divergence(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec.yaml", WARMUP_COSINE)
    hand_loop(Loop(warmup_cosine, lr=0.8, csv=tmp_path / "lr.csv"))
    code, _ = check(spec, tmp_path / "lr.csv", "-o", tmp_path / "f.svg", "-o", tmp_path / "f.csv")
    assert code == 1
    ids = {e.get("id") for e in ET.parse(tmp_path / "f.svg").iter()}
    assert {"lrplot-plan", "lrplot-log-diverged", "lrplot-divergence", "lrplot-cause"} <= ids
    rows = (tmp_path / "f.csv").read_text().splitlines()
    assert rows[0] == "step,row,logged,planned,match" and len(rows) == 41
    assert rows[1] == "0,0,0.08000000000000002,0.010000000000000002,0"


def test_accumulation_transformers_trainer(tmp_path: Path) -> None:
    """transformers#35484: the plan counted 10 batches per epoch; the Trainer accumulated 3 and
    sized its cosine for its own 12 optimizer steps (num_training_steps is a run-length default
    of the transformers family, so the hypothesis recomputes it)."""
    used = hf_trainer_run(
        tmp_path / "out",
        40,
        per_device_train_batch_size=4,
        gradient_accumulation_steps=3,
        num_train_epochs=3,
        learning_rate=1e-3,
        lr_scheduler_type="cosine",
        warmup_steps=2,
        logging_steps=1,
    )
    assert len(used) == 12
    spec = write(
        tmp_path / "spec.yaml",
        "epochs: 3\nsteps_per_epoch: 10\ninterval: step\noptimizer: {type: AdamW, lr: 1.0e-3}\n"
        "scheduler: {transformers: cosine, num_warmup_steps: 2}\n",
    )
    code, lines = check(spec, tmp_path / "out")
    assert code == 1
    planned = plan(spec)
    step = next(t for t in range(12) if used[t] != planned[t])
    assert (
        lines[0] == f"diverged at step {step + 1}: planned {planned[step]!r}, logged {used[step]!r}"
    )
    assert lines[1].startswith(
        "likely cause: accumulation-x3: the run took one optimizer step per 3"
    )


# -- the plan as the framework's own file ---------------------------------------------------------


@pytest.mark.parametrize("accumulate", [1, 3])
def test_training_arguments_file_is_a_plan(tmp_path: Path, accumulate: int) -> None:
    """The TrainingArguments the run wrote (args.to_json_string()) are the plan itself."""
    used = hf_trainer_run(
        tmp_path / "out",
        40,
        per_device_train_batch_size=4,
        gradient_accumulation_steps=accumulate,
        num_train_epochs=3,
        learning_rate=1e-3,
        lr_scheduler_type="cosine_with_restarts",
        lr_scheduler_kwargs={"num_cycles": 2},
        warmup_steps=0.25,
        logging_steps=1,
    )
    args = tmp_path / "out" / "training_args.json"
    plan_spec = lrplot.checklog.load_plan(args, dataset_size=40)
    assert lrplot.simulate(plan_spec).lr[0].tolist() == pytest.approx(used, rel=1e-12)
    code, lines = check(args, tmp_path / "out", "--dataset-size", "40")
    assert (code, lines[0]) == (0, f"matches: {len(used)} logged points within rtol 1e-6")
    wrong = check(args, tmp_path / "out", "--dataset-size", "80")  # the plan is twice as long
    assert wrong[0] == 1


def test_lightning_cli_config_is_a_plan(tmp_path: Path) -> None:
    """A LightningCLI config (a bare scheduler: Lightning steps it once per epoch) against a
    real Trainer.fit configured the same way (jsonargparse, which LightningCLI needs, is not
    installed, so the run is built directly)."""
    config = write(
        tmp_path / "cli.yaml",
        "trainer:\n  max_epochs: 3\n  accumulate_grad_batches: 2\n"
        "optimizer:\n  class_path: torch.optim.SGD\n  init_args: {lr: 0.1, momentum: 0.9}\n"
        "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n"
        "  init_args: {step_size: 1, gamma: 0.5}\ndata:\n  batch_size: 8\n",
    )
    folder, used = lightning_run(
        tmp_path / "logs",
        lambda o: L.StepLR(o, step_size=1, gamma=0.5),
        epochs=3,
        accumulate=2,
        interval="epoch",
    )
    assert len(used) == 12
    code, lines = check(config, folder, "--dataset-size", "64")
    assert (code, lines[0]) == (0, "matches: 24 logged points within rtol 1e-6")
    stepped = check(config, folder, "--dataset-size", "64", "--interval", "step")
    assert stepped[0] == 1 and stepped[1][1].startswith("likely cause: stepped-per-epoch")


def test_framework_options_need_a_framework_file(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec.yaml", WARMUP_COSINE)
    log = write(tmp_path / "lr.csv", "step,lr\n0,0.01\n")
    result = runner.invoke(app, ["check-log", str(spec), str(log), "--dataset-size", "10"])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "--dataset-size: only for a TrainingArguments file or a LightningCLI config; an lrplot "
        "spec says it under data: (or lightning:)"
    )
