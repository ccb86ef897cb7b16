"""What a framework block (``lightning:``, ``huggingface:``) says about a curve's run: a
:class:`Frame`. An empty Frame is a plain training loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrplot.config.data import Given

if TYPE_CHECKING:
    from lrplot.config.context import Checker
    from lrplot.model import DataSpec

Finish = Callable[["Checker", "Frame", int, "DataSpec | None"], "Frame"]
"""``finish(ck, frame, steps_per_epoch, data)``: the frame completed once the steps per epoch
are known (the Trainer's total steps, warmup and scheduler)."""


@dataclass(frozen=True)
class Frame:
    """What a framework block says about the loop (an empty Frame: a plain loop)."""

    name: str = ""  # "", "lightning", "huggingface"
    given: Given = field(default_factory=Given)
    interval: str | None = None  # None: the run's own interval (top level, or the family's)
    frequency: int = 1
    epochs: int | None = None
    max_steps: int | None = None
    monitor: str | None = None
    path: str = ""  # the key path of the block
    notes: tuple[str, ...] = ()  # how the run was derived, for the summary and `show`
    remarks: tuple[tuple[str, str], ...] = ()  # warnings found while checking: (key path, text)
    optimizer: dict[str, Any] | None = None  # the optimizer mapping the framework builds
    optimizer_path: str = ""
    scheduler: dict[str, Any] | None = None  # the scheduler mapping the framework builds
    scheduler_path: str = ""
    steps_per_epoch: int | None = None  # when the framework counts them its own way
    settings: dict[str, Any] = field(default_factory=dict)  # the block's checked values
    finish: Finish | None = None  # the rest, once the steps per epoch are known
