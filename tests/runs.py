"""Real training runs that write real logs, for check-log's tests. No lrplot code runs here.

``hand_loop`` trains a tiny model on random data with a real optimizer and scheduler, the way a
hand-written PyTorch loop does, and logs the lr to CSV and/or TensorBoard (torch's own
``SummaryWriter``). Its options make the mistakes check-log diagnoses: stepping per epoch or per
step, gradient accumulation, logging after ``scheduler.step()``, resuming with a fresh
scheduler, a scaled lr. ``hf_trainer_run`` and ``lightning_run`` run the real frameworks.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

Factory = Callable[[torch.optim.Optimizer], Any]


@dataclass
class Loop:
    scheduler: Factory
    lr: float = 0.1
    epochs: int = 4
    batches: int = 10  # per epoch
    interval: str = "step"  # when the loop calls scheduler.step()
    accumulate: int = 1  # batches per optimizer step (a last, short window still steps)
    log_after: bool = False  # log get_last_lr() after scheduler.step() (the off-by-one pattern)
    resume_at: int | None = None  # optimizer step before which it restarts: fresh scheduler
    momentum: float = 0.9
    csv: Path | None = None
    tensorboard: Path | None = None
    seed: int = 0
    logged: list[tuple[int, float]] = field(default_factory=list)
    used: list[float] = field(default_factory=list)  # the lr every optimizer step really used


def _model_and_optimizer(loop: Loop) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=loop.lr, momentum=loop.momentum)
    return model, optimizer


def hand_loop(loop: Loop) -> Loop:
    """Train, logging the lr at every optimizer step; returns ``loop`` with ``logged`` and
    ``used`` filled in."""
    torch.manual_seed(loop.seed)
    data = torch.randn(loop.batches, 8, 4), torch.randn(loop.batches, 8, 1)
    model, optimizer = _model_and_optimizer(loop)
    scheduler = loop.scheduler(optimizer)
    writer = _writer(loop)
    step = 0
    for _ in range(loop.epochs):
        for b in range(loop.batches):
            loss = torch.nn.functional.mse_loss(model(data[0][b]), data[1][b])
            loss.backward()
            if (b + 1) % loop.accumulate and b + 1 < loop.batches:
                continue  # accumulating gradients
            if step == loop.resume_at:
                model, optimizer, scheduler, writer = _restart(loop, model, optimizer, writer)
            lr = optimizer.param_groups[0]["lr"]
            loop.used.append(lr)
            if not loop.log_after:
                _log(loop, writer, step, lr)
            optimizer.step()
            optimizer.zero_grad()
            if loop.interval == "step":
                scheduler.step()
            if loop.log_after:
                _log(loop, writer, step, scheduler.get_last_lr()[0])
            step += 1
        if loop.interval == "epoch":
            scheduler.step()
    _close(loop, writer)
    return loop


def _restart(loop: Loop, model: Any, optimizer: Any, writer: Any) -> tuple[Any, Any, Any, Any]:
    """Save a checkpoint, "crash", and resume: the optimizer's state is loaded, the scheduler
    is built anew without its state (the mistake ``resumed-at-N`` names)."""
    import io

    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
    buffer.seek(0)
    checkpoint = torch.load(buffer)
    _close(loop, writer)
    model, optimizer = _model_and_optimizer(loop)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return model, optimizer, loop.scheduler(optimizer), _writer(loop)


def _writer(loop: Loop) -> Any:
    if loop.tensorboard is None:
        return None
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(log_dir=str(loop.tensorboard))


def _log(loop: Loop, writer: Any, step: int, lr: float) -> None:
    loop.logged.append((step, lr))
    if writer is not None:
        writer.add_scalar("lr", lr, step)


def _close(loop: Loop, writer: Any) -> None:
    if writer is not None:
        writer.close()
    if loop.csv is not None:
        with open(loop.csv, "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["step", "lr"])
            out.writerows((s, repr(v)) for s, v in loop.logged)


# -- transformers.Trainer ------------------------------------------------------------------------


def hf_trainer_run(out: Path, dataset_size: int, **arguments: Any) -> list[float]:
    """A real Trainer on a one-layer model; writes ``out/trainer_state.json`` and returns the lr
    of every optimizer step (read in ``on_pre_optimizer_step``)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import (
        PreTrainedConfig,
        PreTrainedModel,
        Trainer,
        TrainerCallback,
        TrainingArguments,
    )
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    class TinyConfig(PreTrainedConfig):
        model_type = "lrplot_tiny"

    class TinyModel(PreTrainedModel):
        config_class = TinyConfig

        def __init__(self, config: Any) -> None:
            super().__init__(config)
            self.lin = torch.nn.Linear(4, 1)
            self.post_init()

        def forward(self, x: Any, labels: Any = None) -> dict[str, Any]:
            out = self.lin(x).squeeze(-1)
            return {"loss": torch.nn.functional.mse_loss(out, labels), "logits": out}

    class Data(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
        def __init__(self) -> None:
            g = torch.Generator().manual_seed(0)
            self.x = torch.randn(dataset_size, 4, generator=g)
            self.y = torch.randn(dataset_size, generator=g)

        def __len__(self) -> int:
            return dataset_size

        def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
            return {"x": self.x[i], "labels": self.y[i]}

    used: list[float] = []

    class Recorder(TrainerCallback):
        def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            used.append(kw["optimizer"].param_groups[0]["lr"])

    settings: dict[str, Any] = {
        "output_dir": str(out),
        "use_cpu": True,
        "report_to": [],
        "save_strategy": "no",
        "eval_strategy": "no",
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        "seed": 42,
    }
    torch.manual_seed(0)
    trainer = Trainer(
        model=TinyModel(TinyConfig()),
        args=TrainingArguments(**{**settings, **arguments}),
        train_dataset=Data(),
        callbacks=[Recorder()],
    )
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.train()
    trainer.save_state()
    (out / "training_args.json").write_text(trainer.args.to_json_string())
    return used


# -- Lightning -----------------------------------------------------------------------------------


def lightning_run(
    out: Path,
    scheduler: Factory,
    *,
    samples: int = 64,
    batch_size: int = 8,
    epochs: int = 2,
    accumulate: int = 1,
    interval: str = "step",
    log_every: int = 1,
    logging_interval: str | None = "step",
    tensorboard: bool = False,
) -> tuple[Path, list[float]]:
    """A real ``Trainer.fit`` with LearningRateMonitor and a CSVLogger (or TensorBoardLogger);
    returns the log folder and the lr of every optimizer step."""
    import logging

    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    used: list[float] = []

    class Recorder(pl.Callback):
        def on_before_optimizer_step(self, trainer: Any, module: Any, optimizer: Any) -> None:
            used.append(optimizer.param_groups[0]["lr"])

    class Module(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.lin = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, index: int) -> Any:
            return torch.nn.functional.mse_loss(self.lin(batch[0]), batch[1])

        def configure_optimizers(self) -> Any:
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
            config = {"scheduler": scheduler(optimizer), "interval": interval}
            return {"optimizer": optimizer, "lr_scheduler": config}

    torch.manual_seed(0)
    logger: Any = (
        TensorBoardLogger(str(out), name="run", version=0)
        if tensorboard
        else CSVLogger(str(out), name="run", version=0)
    )
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        logger=logger,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        max_epochs=epochs,
        accumulate_grad_batches=accumulate,
        limit_val_batches=0,
        log_every_n_steps=log_every,
        callbacks=[Recorder(), LearningRateMonitor(logging_interval=logging_interval)],
    )
    data = torch.utils.data.TensorDataset(torch.randn(samples, 4), torch.randn(samples, 1))
    trainer.fit(Module(), torch.utils.data.DataLoader(data, batch_size=batch_size))
    return out / "run" / "version_0", used
