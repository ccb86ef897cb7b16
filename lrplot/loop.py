"""The training loop around a scheduler, as arithmetic: batches, optimizer steps, and after which
optimizer steps ``scheduler.step()`` runs.

Two questions, answered the way the frameworks answer them (the sources are cited where each
rule is applied):

- **How many optimizer steps an epoch has** (:func:`batches_per_device`,
  :func:`steps_per_epoch`): a dataset of N samples is sharded over W devices, batched by B, and
  every A batches (and the last, incomplete window of an epoch) take one optimizer step.
- **Which optimizer steps a** ``scheduler.step()`` **follows** (:class:`Loop`): after every one,
  after the last one of every epoch, or Lightning's ``frequency``, which counts the batch index
  within the epoch, so that with accumulation the pattern need not be regular.

Plain Python and no imports from lrplot: the model, the spec, the simulation and the drawing all
ask this module, so that they agree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SAMPLER = "sampler"
"""A DataLoader over torch's DistributedSampler (a plain loop, Lightning): every device gets
ceil(N / W) samples, padded by repeating some, then its own batches."""
ACCELERATE = "accelerate"
"""transformers' Trainer: accelerate's BatchSamplerShard hands whole batches of the full dataset
round the devices (even_batches=True), so drop_last acts on batches, not samples."""
SHARDINGS = (SAMPLER, ACCELERATE)


def batches_per_device(
    dataset_size: int,
    batch_size: int,
    world_size: int = 1,
    drop_last: bool = False,
    sharding: str = SAMPLER,
) -> int:
    """The batches one device sees in an epoch (``len(train_dataloader)`` on each rank).

    ``SAMPLER``: torch ``DistributedSampler(drop_last=False)`` pads to ``ceil(N / W)`` samples a
    rank (torch/utils/data/distributed.py), then the DataLoader makes ``floor`` (drop_last) or
    ``ceil`` batches of them. Lightning injects exactly this sampler (its DataLoader keeps its own
    drop_last). ``ACCELERATE``: ``L0 = floor|ceil(N / B)`` batches, then ``floor|ceil(L0 / W)``
    per rank (accelerate/data_loader.py, BatchSamplerShard.__len__): 23 samples, batch 4, 2
    devices and drop_last give 2 batches a device here and 3 with the sampler.
    """

    def split(count: int, size: int) -> int:
        return count // size if drop_last else -(-count // size)

    if sharding == ACCELERATE:
        whole = split(dataset_size, batch_size)
        return split(whole, world_size) if world_size > 1 else whole
    per_rank = -(-dataset_size // world_size) if world_size > 1 else dataset_size
    return split(per_rank, batch_size)


def steps_per_epoch(batches: int, accumulate: int) -> int:
    """Optimizer steps in an epoch of ``batches``: one every ``accumulate`` batches, and one for
    the last, incomplete window (transformers ``_run_epoch``, Lightning ``_should_accumulate``,
    timm's train loop all step it): 98 batches with accumulation 4 give 25 steps."""
    return -(-batches // accumulate)


def limit_batches(batches: int, limit: int | float | None) -> int:
    """Lightning's ``limit_train_batches``: an int caps the batches, a float keeps that
    fraction, rounded down (``_parse_num_batches``)."""
    if limit is None:
        return batches
    if isinstance(limit, int):
        return min(batches, limit)
    return int(batches * limit)


def derivation(
    dataset_size: int,
    batch_size: int,
    world_size: int,
    drop_last: bool,
    accumulate: int,
    sharding: str = SAMPLER,
    limit: int | float | None = None,
) -> str:
    """The arithmetic in one line: ``50000 samples / 8 devices -> 6250 per device / 64 -> 98
    batches / accumulate 4 -> 25 optimizer steps per epoch``."""
    cut = " (drop_last)" if drop_last else ""
    parts = [f"{dataset_size} samples"]
    if sharding == ACCELERATE and world_size > 1:
        whole = batches_per_device(dataset_size, batch_size, 1, drop_last, sharding)
        batches = batches_per_device(dataset_size, batch_size, world_size, drop_last, sharding)
        parts.append(f" / {batch_size}{cut} -> {whole} batches")
        parts.append(f" / {world_size} devices (accelerate) -> {batches} batches per device")
    else:
        if world_size > 1:
            per = -(-dataset_size // world_size)
            parts.append(f" / {world_size} devices -> {per} per device")
        batches = batches_per_device(dataset_size, batch_size, world_size, drop_last, sharding)
        parts.append(f" / {batch_size}{cut} -> {batches} batches")
    limited = limit_batches(batches, limit)
    if limited != batches or limit not in (None, 1.0):
        parts.append(f" / limit_train_batches {limit} -> {limited} batches")
    steps = steps_per_epoch(limited, accumulate)
    if accumulate > 1:
        parts.append(f" / accumulate {accumulate}")
    parts.append(f" -> {steps} optimizer steps per epoch")
    return "".join(parts)


@dataclass(frozen=True)
class Loop:
    """After which optimizer steps (rows) of a run ``scheduler.step()`` runs.

    A row is *marked* when a scheduler step follows its optimizer step. ``interval: step`` marks
    every row, ``interval: epoch`` the last row of every epoch. Lightning's ``frequency`` f
    (``training_epoch_loop.py``, ``update_lr_schedulers``) marks, for ``step``, the optimizer
    step taken on batch b (1-based within the epoch) only when ``b % f == 0``, where the optimizer
    steps on batches ``min(j * accumulate, batches)``, j = 1, 2, ...; for ``epoch``, the end of
    epoch e (0-based) only when ``(e + 1) % f == 0``. The run stops after ``rows`` optimizer steps
    (``max_steps`` may cut an epoch short).
    """

    steps_per_epoch: int
    rows: int
    interval: str = "epoch"
    frequency: int = 1
    batches: int = 0  # batches per epoch, for a step frequency; 0: one batch per optimizer step
    accumulate: int = 1

    # Within an epoch of U optimizer steps, with a step frequency: the step on batch j * A
    # (j < U) is marked when j is a multiple of q = f / gcd(A, f); the last step (on the last
    # batch) when the batch count is a multiple of f.

    @functools.cached_property
    def _q(self) -> int:
        accumulate = self.accumulate if self.batches else 1
        return self.frequency // math.gcd(accumulate, self.frequency)

    @functools.cached_property
    def _last(self) -> bool:
        batches = self.batches or self.steps_per_epoch
        return batches % self.frequency == 0

    @functools.cached_property
    def _inner(self) -> int:
        """Marked steps of an epoch before its last one."""
        return (self.steps_per_epoch - 1) // self._q

    @property
    def pattern(self) -> bool:
        """True when the marks follow Lightning's within-epoch pattern, not a fixed period."""
        return self.interval == "step" and self.period is None

    @property
    def period(self) -> int | None:
        """Rows between two scheduler steps when that is constant, else None."""
        if self.interval != "step":
            return self.steps_per_epoch * self.frequency
        if self.frequency == 1:
            return 1
        if self._last and self.steps_per_epoch % self._q == 0:
            return self._q
        return None

    @property
    def per_epoch(self) -> int:
        """Scheduler steps in one whole epoch (0 when a step frequency never fires)."""
        if self.interval != "step":
            return 1 if self.frequency == 1 else 0
        return self._inner + self._last if self.frequency > 1 else self.steps_per_epoch

    @property
    def never(self) -> bool:
        """True when ``scheduler.step()`` never runs: a step frequency above every batch index
        that steps the optimizer (Lightning counts it within the epoch)."""
        return self.interval == "step" and self.per_epoch == 0

    @property
    def scheduler_steps(self) -> int:
        """How many times ``scheduler.step()`` runs: the marked rows."""
        period = self.period
        if period is not None:
            return self.rows // period
        full, rest = divmod(self.rows, self.steps_per_epoch)
        return full * self.per_epoch + min(rest // self._q, self._inner)

    @property
    def records(self) -> int:
        """Distinct lr values a run reads: one per stretch of rows between scheduler steps."""
        if self.rows == 0:
            return 0
        return self.scheduler_steps + (0 if self.marked(self.rows - 1) else 1)

    def marked(self, row: int) -> bool:
        period = self.period
        if period is not None:
            return (row + 1) % period == 0
        j = row % self.steps_per_epoch
        if j == self.steps_per_epoch - 1:
            return self._last
        return (j + 1) % self._q == 0

    def row_of(self, k: int) -> int | None:
        """The first row after ``k`` scheduler steps (0 for k = 0), even past the run's end;
        None when the scheduler never steps."""
        if k <= 0:
            return 0
        period = self.period
        if period is not None:
            return k * period
        if self.never:
            return None
        epoch, index = divmod(k - 1, self.per_epoch)
        position = (index + 1) * self._q - 1 if index < self._inner else self.steps_per_epoch - 1
        return epoch * self.steps_per_epoch + position + 1

    def rows_for(self, steps: int) -> int | None:
        """The run length whose last row is followed by scheduler step number ``steps`` (a
        schedule's horizon, in scheduler steps); None when the scheduler never steps."""
        return self.row_of(steps)

    def starts(self) -> np.ndarray:
        """The first row of every record (int64); ``np.diff`` with ``rows`` gives the rows each
        recorded lr stands for."""
        import numpy as np

        period = self.period
        if period is not None:
            return np.arange(0, self.rows, period, dtype=np.int64)
        size = self.steps_per_epoch
        positions = np.arange(self._q - 1, size - 1, self._q, dtype=np.int64)
        if self._last:
            positions = np.append(positions, size - 1)
        epochs = -(-self.rows // size)
        after = (np.arange(epochs, dtype=np.int64)[:, None] * size + positions[None, :] + 1).ravel()
        return np.concatenate([np.zeros(1, np.int64), after[after < self.rows]])

    def counts(self) -> np.ndarray:
        """Rows per record: ``np.repeat(recorded, counts)`` gives one value per row."""
        import numpy as np

        return np.diff(np.append(self.starts(), self.rows))
