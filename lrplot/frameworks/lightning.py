"""PyTorch Lightning's ``Trainer.fit``: when it steps the optimizer and the scheduler.

Read from lightning 2.6.6 (``lightning/pytorch/...``; constraints.txt pins it):

- ``configure_optimizers`` may return the scheduler in a dict, ``{"scheduler", "interval",
  "frequency", "monitor", ...}`` (``core/optimizer.py:250-302``; ``LRSchedulerConfig`` defaults:
  interval "epoch", frequency 1). A bare scheduler, and every LightningCLI one, gets those
  defaults. ``interval`` must be "step" or "epoch" (anything else raises
  MisconfigurationException); ``frequency`` is not checked at all (0 fails with
  ZeroDivisionError at the first scheduler step). A key beside ``"optimizer"`` such as
  ``"interval"`` is dropped with "Found unsupported keys in the optimizer configuration".
- The optimizer steps on batch b (1-based within the epoch) when ``b % accumulate_grad_batches
  == 0`` or b is the epoch's last batch (``loops/training_epoch_loop.py:438-454``).
- ``update_lr_schedulers`` (``:456-486``) steps an ``interval: step`` scheduler after an
  optimizer step when ``(batch_idx + 1) % frequency == 0`` (the batch index *within the epoch*,
  so the phase restarts every epoch: Lightning#17544), and an ``interval: epoch`` scheduler inside
  the epoch's last batch when ``(current_epoch + 1) % frequency == 0`` (before validation).
- ``max_steps`` counts optimizer steps and may stop inside an epoch; ``max_epochs=None`` means
  1000 (or no limit when ``max_steps`` is set), with a warning (``loops/utilities.py:71-80``).
- ``trainer.estimated_stepping_batches`` is ``ceil(batches / accumulate) * max(max_epochs, 1)``,
  capped by ``max_steps`` (``trainer/trainer.py:1748-1786``): optimizer steps, not scheduler
  steps.
- Under DDP, Lightning wraps the data in a ``DistributedSampler`` (``data_connector.py``): every
  device gets ``ceil(N / devices)`` samples, then the DataLoader's own drop_last applies.

:mod:`lrplot.loop` holds the arithmetic; this module holds the settings and the LightningCLI
format.
"""

from __future__ import annotations

from lrplot.model import INTERVALS
from lrplot.params import Kind, Param

VERSION = "lightning 2.6.6"
DEFAULT_MAX_EPOCHS = 1000  # Trainer(max_epochs=None) with max_steps == -1

LIGHTNING_PARAMS: tuple[Param, ...] = (
    Param(
        "config",
        Kind.ANY,
        "a LightningCLI config (a file name, relative to this file, or the config itself) to "
        "read optimizer:, lr_scheduler: and trainer: from",
        None,
        optional=True,
        default_text="unset",
    ),
    Param(
        "interval",
        Kind.CHOICE,
        "when scheduler.step() runs: after the optimizer step of a batch, or at an epoch's end",
        "epoch",
        choices=INTERVALS,
        rule="'step' or 'epoch' (Lightning raises MisconfigurationException otherwise)",
        default_text="epoch",
        default_note="epoch",
    ),
    Param(
        "frequency",
        Kind.INT,
        "scheduler.step() only on every frequency-th batch index within the epoch (interval "
        "step) or every frequency-th epoch",
        1,
        low=1,
        high=1_000_000,
        rule="a positive integer (Lightning does not check it: 0 fails with ZeroDivisionError "
        "at the first scheduler step)",
        type_text="a positive integer",
        default_text="1",
        default_note="1",
    ),
    Param(
        "monitor",
        Kind.STR,
        "the logged metric a plateau scheduler is stepped with (Lightning requires it for one)",
        None,
        optional=True,
        default_text="unset",
    ),
    Param(
        "accumulate_grad_batches",
        Kind.INT,
        "batches per optimizer step; an epoch's last, incomplete window still takes one",
        1,
        low=1,
        high=1_000_000,
        rule="a positive integer",
        default_text="1",
        default_note="1",
    ),
    Param(
        "max_epochs",
        Kind.INT,
        "epochs to train; -1: no limit (then max_steps ends the run)",
        None,
        optional=True,
        low=-1,
        rule="a positive integer, or -1 for no limit",
        default_text="the schedule's horizon, else 100",
    ),
    Param(
        "max_steps",
        Kind.INT,
        "optimizer steps to train; the run may stop inside an epoch; -1: no limit",
        -1,
        low=-1,
        rule="a positive integer, or -1 for no limit",
        default_text="-1",
    ),
    Param(
        "limit_train_batches",
        Kind.ANY,
        "batches per epoch: an int caps them, a float in [0, 1] keeps that fraction",
        None,
        optional=True,
        default_text="1.0",
    ),
)
"""The keys of ``lightning:``: the ``lr_scheduler`` dict of ``configure_optimizers`` and the
``Trainer`` arguments that shape the schedule, spelled as Lightning spells them."""

KEYS = tuple(param.name for param in LIGHTNING_PARAMS)

# What users put beside the scheduler instead of in the lr_scheduler dict (Lightning#4929,
# #9475): where each belongs.
MISPLACED = {
    "interval": (
        "with lightning:, put the interval in the lr_scheduler dict, lightning.interval: Lightning "
        "drops an 'interval' beside 'optimizer' ('Found unsupported keys in the optimizer "
        "configuration') and steps per epoch"
    ),
    "frequency": "the lr_scheduler dict's frequency goes in lightning: {frequency: N}",
    "monitor": "the lr_scheduler dict's monitor goes in lightning: {monitor: NAME}",
    "accumulate_grad_batches": "Trainer arguments go in lightning: {accumulate_grad_batches: N}",
    "max_epochs": "Trainer arguments go in lightning: {max_epochs: N}",
    "max_steps": "Trainer arguments go in lightning: {max_steps: N}",
}


def limit_problem(value: object) -> str | None:
    """Why ``limit_train_batches`` is not one Lightning takes, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be an integer or a number in [0, 1], got {value!r}"
    if isinstance(value, float) and not 0 < value <= 1:
        return f"a fraction must be in (0, 1], got {value!r}"
    if isinstance(value, int) and value < 1:
        return f"must be at least 1 batch, got {value}"
    return None


def estimated_stepping_batches(steps_per_epoch: int, epochs: int, max_steps: int | None) -> int:
    """``trainer.estimated_stepping_batches``: optimizer steps of the whole run."""
    total = steps_per_epoch * max(epochs, 1)
    return total if max_steps is None else min(total, max_steps)
