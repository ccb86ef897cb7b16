"""lrplot against a REAL Lightning ``Trainer.fit`` (lightning 2.6.6, CPU).

Each test runs a tiny model on a random dataset, records ``optimizer.param_groups[0]["lr"]`` in
a Callback's ``on_before_optimizer_step`` (once per real optimizer step, before torch reads the
lr), and requires lrplot's rows to equal those values exactly. A world size above 1 is simulated
the way Lightning shards: rank 0's ``DistributedSampler`` (padded, no drop_last) under the
DataLoader's own drop_last, which Lightning leaves alone on one device.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app

pl = pytest.importorskip("lightning.pytorch")
runner = CliRunner()

Factory = Callable[[torch.optim.Optimizer], Any]


def real_lrs(
    dataset_size: int,
    batch_size: int,
    scheduler: Factory | None,
    *,
    optimizer: Callable[[Any], torch.optim.Optimizer] = lambda p: torch.optim.SGD(p, lr=0.1),
    world_size: int = 1,
    drop_last: bool = False,
    accumulate: int = 1,
    max_epochs: int | None = None,
    max_steps: int = -1,
    limit_train_batches: int | float = 1.0,
    lr_scheduler: dict[str, Any] | None = None,
    metrics: list[float] | None = None,
    configure: Callable[[Any], Any] | None = None,
) -> list[float]:
    """The lr of every optimizer step of a real ``Trainer.fit``."""
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    torch.manual_seed(0)
    seen: list[float] = []

    class Record(pl.Callback):
        def on_before_optimizer_step(self, trainer: Any, module: Any, opt: Any) -> None:
            seen.append(opt.param_groups[0]["lr"])

    class Tiny(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def validation_step(self, batch: Any, batch_idx: int) -> None:
            if metrics:
                self.log("val_loss", float(metrics[self.current_epoch]), on_epoch=True)

        def configure_optimizers(self) -> Any:
            if configure is not None:
                return configure(self.parameters())
            opt = optimizer(self.parameters())
            assert scheduler is not None
            return {"optimizer": opt, "lr_scheduler": {"scheduler": scheduler(opt), **(
                lr_scheduler or {})}}  # fmt: skip

    x, y = torch.randn(dataset_size, 4), torch.randn(dataset_size, 1)
    data = TensorDataset(x, y)
    sampler = None
    if world_size > 1:
        sampler = DistributedSampler(data, num_replicas=world_size, rank=0, shuffle=False)
    loader = DataLoader(data, batch_size=batch_size, drop_last=drop_last, sampler=sampler)
    val = DataLoader(TensorDataset(x[:4], y[:4]), batch_size=4) if metrics else None
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        callbacks=[Record()],
        accumulate_grad_batches=accumulate,
        max_epochs=max_epochs,
        max_steps=max_steps,
        limit_train_batches=limit_train_batches,
        **({} if metrics else {"limit_val_batches": 0}),
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        warnings.filterwarnings("ignore", message=".*val_dataloader.*")
        warnings.filterwarnings("ignore", message=".*max_epochs.*was not set.*")
        trainer.fit(Tiny(), loader, val)
    return seen


def planned(text: str) -> list[float]:
    spec = lrplot.spec_from_text(text)
    return lrplot.simulate(spec).lr[0].tolist()


def sched(cls: str, **kwargs: Any) -> Factory:
    return lambda opt: getattr(torch.optim.lr_scheduler, cls)(opt, **kwargs)


def test_accumulation_that_does_not_divide_the_batches() -> None:
    # 103 samples / 8 -> 13 batches; accumulation 3 -> steps on batches 3, 6, 9, 12, 13
    real = real_lrs(
        103, 8, sched("ExponentialLR", gamma=0.8), accumulate=3, max_epochs=3,
        lr_scheduler={"interval": "step"},
    )  # fmt: skip
    assert len(real) == 15
    assert real == planned(
        "lightning: {interval: step, accumulate_grad_batches: 3, max_epochs: 3}\n"
        "data: {dataset_size: 103, batch_size: 8}\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: exponential, gamma: 0.8}"
    )


@pytest.mark.parametrize(("world", "drop_last"), [(2, False), (3, True), (4, False)])
def test_world_size_through_the_distributed_sampler(world: int, drop_last: bool) -> None:
    real = real_lrs(
        103, 8, sched("CosineAnnealingLR", T_max=20), world_size=world, drop_last=drop_last,
        accumulate=2, max_epochs=4, lr_scheduler={"interval": "step"},
    )  # fmt: skip
    assert real == planned(
        "lightning: {interval: step, accumulate_grad_batches: 2, max_epochs: 4}\n"
        f"data: {{dataset_size: 103, batch_size: 8, world_size: {world}, "
        f"drop_last: {str(drop_last).lower()}}}\n"
        "optimizer: {lr: 0.1}\nscheduler: {type: cosine, T_max: 20}"
    )


def test_drop_last() -> None:
    # 23 samples / 4 with drop_last: 5 batches, not 6
    real = real_lrs(23, 4, sched("StepLR", step_size=2, gamma=0.5), drop_last=True, max_epochs=4)
    assert len(real) == 20
    assert real == planned(
        "lightning: {max_epochs: 4}\ndata: {dataset_size: 23, batch_size: 4, drop_last: true}\n"
        "optimizer: {lr: 0.1}\nscheduler: {type: step, step_size: 2, gamma: 0.5}"
    )


def test_max_steps_cuts_an_epoch_short() -> None:
    real = real_lrs(
        103, 8, sched("ExponentialLR", gamma=0.9), accumulate=3, max_epochs=10, max_steps=11,
        lr_scheduler={"interval": "step"},
    )  # fmt: skip
    assert len(real) == 11
    assert real == planned(
        "lightning: {interval: step, accumulate_grad_batches: 3, max_epochs: 10, max_steps: 11}\n"
        "data: {dataset_size: 103, batch_size: 8}\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: exponential, gamma: 0.9}"
    )


def test_interval_step_frequency_2_accumulation_3_as_the_issue_writes_it() -> None:
    text = (
        "lightning: {interval: step, frequency: 2, accumulate_grad_batches: 3, max_epochs: 2}\n"
        "data: {dataset_size: 103, batch_size: 8}\n"
        "optimizer: {type: AdamW, lr: 1e-3}\nscheduler: {type: onecycle, max_lr: 1e-2}"
    )
    spec = lrplot.spec_from_text(text)
    # frequency counts the batch index within the epoch: of the steps on batches 3, 6, 9, 12,
    # 13, only 6 and 12 are followed by scheduler.step(); 4 calls, and a 5th value after them
    assert spec.curves[0].scheduler_steps == 4
    records = spec.curves[0].loop.records
    real = real_lrs(
        103, 8, sched("OneCycleLR", max_lr=1e-2, total_steps=records),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3), accumulate=3, max_epochs=2,
        lr_scheduler={"interval": "step", "frequency": 2},
    )  # fmt: skip
    assert real == lrplot.simulate(spec).lr[0].tolist()
    assert len(set(real)) == 5
    # ...and lrplot says so, since most modules pass estimated_stepping_batches (10)
    assert any("estimated_stepping_batches is 10" in str(w) for w in spec.warnings)


@pytest.mark.parametrize("frequency", [1, 2])
def test_interval_epoch(frequency: int) -> None:
    real = real_lrs(
        64, 8, sched("StepLR", step_size=1, gamma=0.5), max_epochs=6,
        lr_scheduler={"interval": "epoch", "frequency": frequency},
    )  # fmt: skip
    assert real == planned(
        f"lightning: {{interval: epoch, frequency: {frequency}, max_epochs: 6}}\n"
        "data: {dataset_size: 64, batch_size: 8}\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: step, step_size: 1, gamma: 0.5}"
    )


def test_frequency_3_restarts_its_count_every_epoch() -> None:
    # 10 batches: scheduler steps after batches 3, 6, 9 of every epoch (Lightning#17544)
    real = real_lrs(
        80, 8, sched("ExponentialLR", gamma=0.5), max_epochs=3,
        lr_scheduler={"interval": "step", "frequency": 3},
    )  # fmt: skip
    assert real == planned(
        "lightning: {interval: step, frequency: 3, max_epochs: 3}\n"
        "data: {dataset_size: 80, batch_size: 8}\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: exponential, gamma: 0.5}"
    )


def test_limit_train_batches() -> None:
    real = real_lrs(
        103, 8, sched("ExponentialLR", gamma=0.9), accumulate=2, max_epochs=2,
        limit_train_batches=0.5, drop_last=True, lr_scheduler={"interval": "step"},
    )  # fmt: skip
    assert real == planned(
        "lightning: {interval: step, accumulate_grad_batches: 2, max_epochs: 2, "
        "limit_train_batches: 0.5}\n"
        "data: {dataset_size: 103, batch_size: 8, drop_last: true}\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: exponential, gamma: 0.9}"
    )


def test_plateau_with_a_monitor_steps_after_each_epoch() -> None:
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    real = real_lrs(
        32, 8, sched("ReduceLROnPlateau", patience=1, factor=0.5), max_epochs=8,
        lr_scheduler={"monitor": "val_loss"}, metrics=metrics,
    )  # fmt: skip
    assert real == planned(
        "lightning: {monitor: val_loss, max_epochs: 8}\n"
        "data: {dataset_size: 32, batch_size: 8}\noptimizer: {lr: 0.1}\n"
        "scheduler: {type: plateau, patience: 1, factor: 0.5}\n"
        f"metric: {{values: {metrics}}}"
    )


CLI_CONFIG = """\
seed_everything: 0
trainer:
  accelerator: cpu
  devices: 1
  max_epochs: 3
  accumulate_grad_batches: 3
  logger: false
  enable_checkpointing: false
  enable_progress_bar: false
  enable_model_summary: false
data:
  batch_size: 8
optimizer:
  class_path: torch.optim.SGD
  init_args: {lr: 0.1, momentum: 0.9}
lr_scheduler:
  class_path: torch.optim.lr_scheduler.StepLR
  init_args: {step_size: 1, gamma: 0.5}
"""


def test_a_lightningcli_config_against_a_real_lightningcli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jsonargparse")
    monkeypatch.setattr("sys.argv", ["train.py"])  # LightningCLI warns about pytest's own args
    # Lightning 2.6.6 calls a jsonargparse 4.53 API that jsonargparse deprecates
    monkeypatch.setenv("JSONARGPARSE_DEPRECATION_WARNINGS", "off")
    from lightning.pytorch.cli import LightningCLI
    from torch.utils.data import DataLoader, TensorDataset

    config = tmp_path / "cli.yaml"
    config.write_text(CLI_CONFIG)
    seen: list[float] = []

    class Record(pl.Callback):
        def on_before_optimizer_step(self, trainer: Any, module: Any, opt: Any) -> None:
            seen.append(opt.param_groups[0]["lr"])

    class Tiny(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            return torch.nn.functional.mse_loss(self.layer(batch[0]), batch[1])

    class Data(pl.LightningDataModule):
        def __init__(self, batch_size: int = 8) -> None:
            super().__init__()
            self.batch_size = batch_size

        def train_dataloader(self) -> Any:
            torch.manual_seed(0)
            return DataLoader(TensorDataset(torch.randn(103, 4), torch.randn(103, 1)),
                              batch_size=self.batch_size)  # fmt: skip

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        LightningCLI(
            Tiny, Data, args=["fit", "--config", str(config)],
            trainer_defaults={"callbacks": [Record()]}, save_config_callback=None,
        )  # fmt: skip
    assert len(seen) == 15
    out = tmp_path / "cli.csv"
    result = runner.invoke(app, ["lightning", str(config), "--dataset-size", "103", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [float(line.split(",")[2]) for line in out.read_text().splitlines()[1:]]
    assert rows == seen
    assert "note: " in result.stderr and "data.batch_size" in result.stderr


def test_lightningcli_interval_is_refused_where_the_cli_refuses_it(tmp_path: Path) -> None:
    config = tmp_path / "cli.yaml"
    config.write_text(
        CLI_CONFIG.replace("init_args: {step_size", "interval: step\n  init_args: {step_size")
    )
    result = runner.invoke(app, ["lightning", str(config), "--dataset-size", "103"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {config}: lr_scheduler.interval (line 18): LightningCLI does not accept 'interval'"
    )
