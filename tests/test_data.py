"""``data:``: steps per epoch from the dataset, checked against the real samplers, and the loop
arithmetic (which rows a scheduler.step() follows) against a port of Lightning's loop."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot import loop
from lrplot.cli import app

runner = CliRunner()


def _sampler_batches(n: int, batch: int, world: int, drop_last: bool) -> list[int]:
    """Batches per rank of a real DataLoader over a real DistributedSampler (its default
    drop_last=False: padded), as a plain DDP loop and Lightning build them."""
    from torch.utils.data import DataLoader, DistributedSampler

    data = list(range(n))
    counts = []
    for rank in range(world):
        sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=False)
        counts.append(sum(1 for _ in DataLoader(data, batch, sampler=sampler, drop_last=drop_last)))
    return counts


def _accelerate_batches(n: int, batch: int, world: int, drop_last: bool) -> list[int]:
    """Batches per rank of accelerate's BatchSamplerShard, as transformers' Trainer shards."""
    from accelerate.data_loader import BatchSamplerShard
    from torch.utils.data import BatchSampler, SequentialSampler

    counts = []
    for rank in range(world):
        sampler = BatchSampler(SequentialSampler(range(n)), batch, drop_last)
        shard = BatchSamplerShard(sampler, world, rank, split_batches=False, even_batches=True)
        counts.append(sum(1 for _ in shard))
    return counts


GRID = list(itertools.product(range(1, 41, 3), (1, 3, 4, 8), (1, 2, 3, 8), (False, True)))


@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_sharding_matches_torch(drop_last: bool) -> None:
    for n, batch, world, drop in GRID:
        if drop != drop_last:
            continue
        real = _sampler_batches(n, batch, world, drop)
        assert set(real) == {loop.batches_per_device(n, batch, world, drop)}, (n, batch, world)


@pytest.mark.parametrize("drop_last", [False, True])
def test_accelerate_sharding_matches_batch_sampler_shard(drop_last: bool) -> None:
    for n, batch, world, drop in GRID:
        if drop != drop_last:
            continue
        real = _accelerate_batches(n, batch, world, drop)
        ours = loop.batches_per_device(n, batch, world, drop, loop.ACCELERATE)
        assert set(real) == {ours}, (n, batch, world)


def test_the_two_shardings_differ_where_the_issue_says() -> None:
    # 23 samples, batch 4, 2 devices, drop_last: DistributedSampler 3 batches, accelerate 2
    assert _sampler_batches(23, 4, 2, True) == [3, 3]
    assert _accelerate_batches(23, 4, 2, True) == [2, 2]
    assert loop.batches_per_device(23, 4, 2, True) == 3
    assert loop.batches_per_device(23, 4, 2, True, loop.ACCELERATE) == 2


def test_a_last_incomplete_window_still_steps() -> None:
    assert loop.steps_per_epoch(98, 4) == 25
    assert loop.steps_per_epoch(13, 3) == 5
    assert loop.steps_per_epoch(5, 8) == 1


def test_derivation_line_of_the_issue() -> None:
    spec = lrplot.spec_from_text(
        "data: {dataset_size: 50000, batch_size: 64, world_size: 8, accumulate: 4}\n"
        "interval: step\nscheduler: {type: cosine, T_max: 500}"
    )
    curve = spec.curves[0]
    assert curve.data is not None and curve.steps_per_epoch == 25
    assert curve.data.derivation() == (
        "50000 samples / 8 devices -> 6250 per device / 64 -> 98 batches / accumulate 4 -> "
        "25 optimizer steps per epoch"
    )
    assert (curve.epochs, curve.total_steps) == (20, 500)


def test_summary_prints_the_derivation() -> None:
    args = ["cosine", "--T-max", "50", "--interval", "step", "--dataset-size", "1000"]
    result = runner.invoke(app, [*args, "--batch-size", "32", "--accumulate", "3", "--drop-last"])
    assert result.exit_code == 0, result.output
    assert (
        "  data: 1000 samples / 32 (drop_last) -> 31 batches / accumulate 3 -> "
        "11 optimizer steps per epoch"
    ) in result.stdout
    assert "50 steps = 4 epochs x 11 steps/epoch + 6 (the run stops inside epoch 5)" in (
        result.stdout
    )


def test_show_prints_the_derivation_of_a_spec(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(
        "data: {dataset_size: 1000, batch_size: 32, world_size: 3}\n"
        "epochs: 4\nscheduler: {type: step, step_size: 2}\n"
    )
    result = runner.invoke(app, ["show", str(config)])
    assert result.exit_code == 0, result.output
    assert "1000 samples / 3 devices -> 334 per device / 32 -> 11 batches -> 11 optimizer" in (
        result.stdout
    )


def test_the_curve_equals_torch_stepped_per_optimizer_step() -> None:
    import torch

    spec = lrplot.spec_from_text(
        "data: {dataset_size: 103, batch_size: 8, world_size: 2, drop_last: true}\n"
        "epochs: 3\ninterval: epoch\noptimizer: {lr: 0.1}\nscheduler: {type: step, step_size: 1}"
    )
    per_epoch = math.floor(math.ceil(103 / 2) / 8)  # 52 samples a device, 6 whole batches
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1)
    expected = []
    for _ in range(3):
        for _ in range(per_epoch):
            expected.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        scheduler.step()
    assert lrplot.simulate(spec).lr[0].tolist() == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "steps_per_epoch: 5\ndata: {dataset_size: 100, batch_size: 4}\nscheduler: step",
            "<s>: steps_per_epoch (line 1): give 'steps_per_epoch' or the data it comes from "
            "('dataset_size', ...), not both",
        ),
        (
            "data: {batch_size: 4}\nscheduler: step",
            "<s>: data (line 1): to derive the steps per epoch from the data, give 'dataset_size'",
        ),
        (
            "data: {dataset_size: 3, batch_size: 4, drop_last: true}\nscheduler: step",
            "<s>: data (line 1): 3 samples / 4 (drop_last) -> 0 batches -> 0 optimizer steps "
            "per epoch: an epoch has no batch; lower the batch size or drop_last",
        ),
        (
            "data: {dataset_size: 100, batch_size: 0}\nscheduler: step",
            "<s>: data.batch_size (line 1): must be a positive integer, got 0",
        ),
        (
            "data: {dataset_size: 100, batch_size: 4, shuffle: true}\nscheduler: step",
            "<s>: data.shuffle (line 1): unknown key 'shuffle'",
        ),
    ],
)
def test_bad_data_is_a_one_line_error(text: str, message: str) -> None:
    with pytest.raises(lrplot.LrplotError) as caught:
        lrplot.spec_from_text(text, source="<s>")
    assert str(caught.value) == message


def test_cli_names_the_flags() -> None:
    result = runner.invoke(app, ["step", "--batch-size", "4"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: lrplot step: to derive the steps per epoch from the data, give --dataset-size\n"
    )
    args = ["--steps-per-epoch", "3", "--dataset-size", "9", "--batch-size", "2"]
    result = runner.invoke(app, ["step", *args])
    assert result.stderr.startswith("error: lrplot step: --steps-per-epoch: give --steps-per")


def _lightning_marks(batches: int, accumulate: int, frequency: int, interval: str,
                     epochs: int, max_steps: int) -> list[bool]:  # fmt: skip
    """Lightning 2.6.6's training_epoch_loop, reduced to when each optimizer step happens and
    whether scheduler.step() follows it (/work/notes/lightning/pl_ref.py, stepping_plan)."""
    marks: list[bool] = []
    for epoch in range(epochs):
        for b in range(1, batches + 1):
            if max_steps != -1 and len(marks) >= max_steps:
                return marks
            if b % accumulate == 0 or b == batches:
                after = interval == "step" and b % frequency == 0
                after |= b == batches and interval == "epoch" and (epoch + 1) % frequency == 0
                marks.append(after)
    return marks


def test_loop_marks_match_lightnings_loop() -> None:
    for batches, accumulate, frequency, interval in itertools.product(
        range(1, 15), range(1, 5), range(1, 6), ("step", "epoch")
    ):
        per = loop.steps_per_epoch(batches, accumulate)
        for epochs, cut in ((1, -1), (3, -1), (3, 1), (3, per + 1), (3, 2 * per - 1)):
            marks = _lightning_marks(batches, accumulate, frequency, interval, epochs, cut)
            ours = loop.Loop(per, len(marks), interval, frequency, batches, accumulate)
            assert [ours.marked(r) for r in range(len(marks))] == marks
            assert ours.scheduler_steps == sum(marks)
            starts = [0] + [r + 1 for r, m in enumerate(marks) if m and r + 1 < len(marks)]
            assert ours.starts().tolist() == starts and ours.records == len(starts)
            after = [r + 1 for r, m in enumerate(marks) if m]
            assert [ours.row_of(k) for k in range(1, len(after) + 1)] == after
