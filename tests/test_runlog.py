"""Reading logs (lrplot.runlog): every format, its step convention, and bad logs.

TensorBoard files are written here with torch's own SummaryWriter; tests/data/logs/ holds small
real files from real Lightning and transformers runs (/work/notes/logs, /work/notes/hf):
LambdaLR(1 / (1 + s)) on SGD(lr 0.1, momentum 0.9, weight_decay 1e-4), 8 batches x 2 epochs,
stepped every optimizer step; the transformers run is cosine_with_restarts (see the notes).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.runlog import LogError, LogOptions, read_log, tbevents
from lrplot.runlog.hf import installed_convention

DATA = Path(__file__).resolve().parent / "data" / "logs"
runner = CliRunner()


def write_tb(folder: Path, points: list[tuple[int, float]], tag: str = "lr", **kw: bool) -> None:
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(folder))
    for step, value in points:
        writer.add_scalar(tag, value, step, **kw)
    writer.close()


VALUES = [(s, 0.1 * 0.93**s) for s in range(50)]


@pytest.mark.parametrize(
    ("options", "float32"),
    [
        ({}, True),
        ({"new_style": True}, True),
        ({"new_style": True, "double_precision": True}, False),
    ],
)
def test_tensorboard_scalars_of_every_layout_torch_writes(
    tmp_path: Path, options: dict[str, bool], float32: bool
) -> None:
    write_tb(tmp_path, VALUES, **options)
    log = read_log(tmp_path)
    assert (log.format, log.name, log.float32) == ("tensorboard", "lr", float32)
    assert log.step.tolist() == [s for s, _ in VALUES]
    expected = [float(np.float32(v)) if float32 else v for _, v in VALUES]
    assert log.value.tolist() == expected


def test_tensorboard_fast_path_equals_reading_every_record(tmp_path: Path) -> None:
    # Steps of 0 (not written at all), 1, 2 and 3 bytes; values of 0.0 (written: a oneof).
    points = [(s, 1.0 / (1 + s) if s % 5 else 0.0) for s in range(0, 300_000, 97)]
    write_tb(tmp_path, points)
    buf = next(tmp_path.glob("*tfevents*")).read_bytes()
    fast = tbevents.fast_scalars(buf, "lr")
    assert fast is not None
    slow = [(step, value) for tag, step, value, _ in tbevents.scalars(buf) if tag == "lr"]
    assert list(zip(fast[0].tolist(), fast[1].tolist(), strict=True)) == slow
    assert slow == [(s, float(np.float32(v))) for s, v in points]


def test_tensorboard_restart_replaces_the_steps_it_logs_again(tmp_path: Path) -> None:
    write_tb(tmp_path, [(s, 1.0) for s in range(10)])
    write_tb(tmp_path, [(s, 2.0) for s in range(5, 15)])  # a restarted run from step 5
    log = read_log(tmp_path)
    assert log.step.tolist() == list(range(15))
    assert log.value.tolist() == [1.0] * 5 + [2.0] * 10
    assert log.purged == 5


def test_tensorboard_truncated_last_record_ends_the_file(tmp_path: Path) -> None:
    write_tb(tmp_path, VALUES[:10])
    path = next(tmp_path.glob("*tfevents*"))
    path.write_bytes(path.read_bytes()[:-7])  # a writer still running
    assert read_log(path).step.tolist() == list(range(9))


def test_tensorboard_default_tag_and_the_transformers_convention(tmp_path: Path) -> None:
    write_tb(tmp_path, [(s, 3.0) for s in range(1, 4)], tag="train/loss")
    write_tb(tmp_path, [(s, 0.5) for s in range(1, 4)], tag="train/learning_rate")
    log = read_log(tmp_path)
    assert log.name == "train/learning_rate"
    assert log.row_shift == (-1 if installed_convention()[0] == "new" else 0)
    assert read_log(tmp_path, LogOptions(hf_convention="old")).row_shift == 0
    with pytest.raises(LogError, match=r"has no scalar 'lr' \(its tags: train/loss"):
        read_log(tmp_path, LogOptions(tag="lr"))


def test_tensorboard_folder_of_several_runs_is_refused(tmp_path: Path) -> None:
    write_tb(tmp_path / "version_0", VALUES[:3])
    write_tb(tmp_path / "version_1", VALUES[:3])
    with pytest.raises(LogError, match=r"holds 2 runs \(version_0, version_1\): name one of them"):
        read_log(tmp_path)


def test_lightning_csv_two_param_groups() -> None:
    first = read_log(DATA / "lightning-two-groups.csv")
    second = read_log(DATA / "lightning-two-groups.csv", LogOptions(column="lr-SGD/pg2"))
    assert (first.format, first.name, first.group) == ("lightning", "lr-SGD/pg1", 0)
    assert (second.name, second.group) == ("lr-SGD/pg2", 1)
    assert first.value.tolist()[:3] == [0.1 * 1.0, 0.1 * (1 / 2), 0.1 * (1 / 3)]
    assert second.value.tolist()[:3] == [0.01 * 1.0, 0.01 * (1 / 2), 0.01 * (1 / 3)]


def test_lightning_csv_skips_rows_of_other_metrics_and_keeps_duplicates() -> None:
    loss = read_log(DATA / "lightning-with-loss.csv")
    assert loss.step.tolist() == [1, 3, 5, 7, 9, 11, 13, 15]
    accumulated = read_log(DATA / "lightning-every50-acc3.csv")
    assert accumulated.step.tolist() == [49, 49, 49, 99, 99, 99, 149, 149, 149]


def spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


LAMBDA_RUN = (
    "epochs: 2\nsteps_per_epoch: 8\ninterval: step\n"
    "optimizer: {type: SGD, momentum: 0.9, weight_decay: 1.0e-4, param_groups: "
    "[{lr: 0.1}, {lr: 0.01}]}\nscheduler: {type: lambda, lr_lambda: '1 / (1 + epoch)'}\n"
)


@pytest.mark.parametrize("column", [None, "lr-SGD/pg2"])
def test_check_log_of_each_param_group(tmp_path: Path, column: str | None) -> None:
    args = ["check-log", str(spec(tmp_path, LAMBDA_RUN)), str(DATA / "lightning-two-groups.csv")]
    result = runner.invoke(app, args + (["--column", column] if column else []))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "matches: 16 logged points within rtol 1e-6"


def test_hf_output_folder_reads_its_newest_checkpoint(tmp_path: Path) -> None:
    for step in (5, 12):
        (tmp_path / f"checkpoint-{step}").mkdir()
        text = (DATA / "hf-checkpoint-trainer-state.json").read_text()
        (tmp_path / f"checkpoint-{step}" / "trainer_state.json").write_text(
            text if step == 12 else text.replace('"step": 10', '"step": 9')
        )
    log = read_log(tmp_path)
    assert log.format == "hf" and log.source.endswith("checkpoint-12/trainer_state.json")
    assert log.step.tolist() == [5, 10]


def test_plain_csv_columns_by_name(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("iteration,loss,learning_rate,step2\n0,1.0,0.1,7\n1,0.9,0.2,8\n")
    log = read_log(path)
    assert (log.format, log.name, log.step.tolist()) == ("csv", "learning_rate", [0, 1])
    other = read_log(path, LogOptions(step_column="step2", column="loss"))
    assert (other.step.tolist(), other.value.tolist()) == ([7, 8], [1.0, 0.9])


def test_wandb_export_with_bucket_ranges(tmp_path: Path) -> None:
    """The panel export's layout (wandb/wandb#5349): x column, then <run> - <metric> with
    __MIN and __MAX. Written here by hand: wandb is not installed and has no offline export."""
    path = tmp_path / "wandb.csv"
    path.write_text(
        '"Step","run-1 - lr-SGD","run-1 - lr-SGD__MIN","run-1 - lr-SGD__MAX"\n'
        '"0","0.1","0.1","0.1"\n"10","0.05","0.03","0.09"\n"20","","",""\n'
    )
    log = read_log(path)
    assert (log.format, log.name, log.step.tolist()) == ("wandb", "run-1 - lr-SGD", [0, 10])
    assert log.low is not None and log.high is not None
    assert log.low.tolist() == [0.1, 0.03] and log.high.tolist() == [0.1, 0.09]
    plan = spec(tmp_path, "epochs: 20\noptimizer: {lr: 0.1}\nscheduler: {type: exponential, "
                "gamma: 0.95}\n")  # fmt: skip
    result = runner.invoke(app, ["check-log", str(plan), str(path)])
    assert result.exit_code == 0, result.output  # 0.1 * 0.95**10 = 0.0599 is inside the bucket


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "step,loss\n0,1\n", " has no lr column (lr, learning_rate or lr-*); its "
         "columns: step, loss; choose one with --column"),
        ("b.csv", "epoch,lr\n0,0.1\n", " has no step column (named step, global_step, "
         "trainer/global_step, iteration or _step); its columns: epoch, lr; choose one with "
         "--step-column"),
        ("c.csv", "step,lr\n0,0.1\n1,fast\n", " line 3: 'lr' is 'fast', not a number"),
        ("d.csv", "step,lr\n0.5,0.1\n", " line 2: 'step' is 0.5, not a whole step"),
        ("e.csv", "", ": the file is empty"),
        ("f.json", '{"global_step": 3}', ": no 'log_history' list (not a transformers "
         "trainer_state.json)"),
        ("g.json", '{"log_history": [{"step": "1", "learning_rate": 0.1}]}',
         ": log_history[0].step is '1', not a whole step"),
        ("h.json", '{"log_history": [{"step": 1, "loss": 0.1}]}',
         ": no log_history entry has a 'learning_rate'"),
        ("i.json", '{"log_history": [', " line 1: not JSON: Expecting value"),
    ],
)  # fmt: skip
def test_bad_logs_are_one_line_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    log = tmp_path / name
    log.write_text(content)
    plan = spec(tmp_path, "epochs: 3\nscheduler: {type: exponential, gamma: 0.9}\n")
    result = runner.invoke(app, ["check-log", str(plan), str(log)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {log}{message}"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "tensorbord"], "--format: unknown log format 'tensorbord'"),
        (["--hf-convention", "newer"], "--hf-convention: must be 'old' or 'new', got 'newer'"),
        (["--group", "1"], "the log holds param group 1 but the spec's optimizer has 1"),
        (["-o", "-"], "-o -: check-log prints its verdict on stdout; name a file"),
        (["-o", "x.jpeg"], "x.jpeg: cannot tell the format from '.jpeg'"),
        (["--rtol", "-1"], "--rtol: must be a number >= 0, got -1.0"),
    ],
)
def test_bad_check_log_options_are_one_line_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    log = tmp_path / "lr.csv"
    log.write_text("step,lr\n0,0.1\n")
    plan = spec(tmp_path, "epochs: 3\nscheduler: {type: exponential, gamma: 0.9}\n")
    result = runner.invoke(app, ["check-log", str(plan), str(log), *args])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr


def test_missing_log_and_curves_without_a_choice(tmp_path: Path) -> None:
    curves = "  - {label: a, scheduler: {type: exponential, gamma: 0.9}}\n"
    curves += "  - {label: b, scheduler: {type: exponential, gamma: 0.8}}\n"
    plan = spec(tmp_path, "epochs: 3\ncurves:\n" + curves)
    missing = runner.invoke(app, ["check-log", str(plan), str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv: no such file or folder" in missing.stderr
    log = tmp_path / "lr.csv"
    log.write_text("step,lr\n0,0.001\n1,0.0008\n")
    several = runner.invoke(app, ["check-log", str(plan), str(log)])
    assert several.exit_code == 2
    assert "the spec has 2 curves ('a', 'b'); choose one with --curve" in several.stderr
    chosen = runner.invoke(app, ["check-log", str(plan), str(log), "--curve", "b"])
    assert chosen.exit_code == 0, chosen.output


def test_a_binary_file_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(struct.pack("<Q", 1 << 40) + b"\0" * 20)
    with pytest.raises(LogError, match="a binary file that is not a TensorBoard event file"):
        read_log(path)
