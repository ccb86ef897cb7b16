"""What a training log says about the lr: logged points, and which planned row each one is.

A reader (one module per format) turns a file into a :class:`LoggedLr`: the steps as the log
numbers them, the values, and the *row shift* of the framework that wrote it (the planned row
that log step ``s`` holds is ``s + row_shift``). Nothing here imports torch or reads the spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

FORMATS = ("csv", "hf", "lightning", "tensorboard", "wandb")
"""``--format`` choices: a plain CSV, HF ``trainer_state.json``, Lightning ``metrics.csv``, a
TensorBoard event file or folder, a Weights & Biases CSV export."""

HF_CONVENTIONS = ("old", "new")

# A column or tag is an lr by default when it is named lr or learning_rate, starts with lr-
# (Lightning's LearningRateMonitor: lr-SGD, lr-AdamW/pg1), or ends with /lr or /learning_rate
# (transformers' TensorBoard and W&B callbacks log train/learning_rate).
_LR_NAME = re.compile(r"(?:.*/)?(?:lr|learning_rate)|lr-.*", re.IGNORECASE)
_PARAM_GROUP = re.compile(r"/pg(\d+)$")


def is_lr_name(name: str) -> bool:
    return _LR_NAME.fullmatch(name.strip()) is not None


def group_of(name: str) -> int:
    """The param group a column logs: Lightning names the second one ``lr-SGD/pg2``."""
    found = _PARAM_GROUP.search(name)
    return max(0, int(found.group(1)) - 1) if found else 0


@dataclass(frozen=True)
class LogOptions:
    """How to read a log; ``None`` means "detect it" or "the format's default"."""

    format: str | None = None
    column: str | None = None  # the lr column of a CSV (or a W&B metric)
    step_column: str | None = None
    tag: str | None = None  # the TensorBoard scalar tag
    hf_convention: str | None = None  # "old" (transformers < 4.51) or "new"
    group: int | None = None  # the param group the log holds (default: from the column name)


@dataclass(frozen=True, eq=False)
class LoggedLr:
    """The lr one run logged, sorted by step (duplicates kept, restarts purged).

    ``low``/``high`` are set when the log gives a range per point (a W&B export's ``__MIN`` and
    ``__MAX`` of a bucket): a planned value inside the range matches.
    """

    source: str
    format: str
    name: str  # the column or tag that was read
    step: np.ndarray  # int64, the step as the log numbers it
    value: np.ndarray  # float64
    row_shift: int = 0  # planned row of log step s = s + row_shift
    group: int = 0  # the param group it logs
    float32: bool = False  # values were stored as float32 (TensorBoard's simple_value)
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    purged: int = 0  # entries dropped because a restarted run logged their steps again
    convention: str = ""  # how a step maps to a row, for messages

    @property
    def rows(self) -> np.ndarray:
        """The planned row each point holds."""
        return self.step + self.row_shift

    def __len__(self) -> int:
        return int(self.step.shape[0])


@dataclass
class Points:
    """What a reader collects before the points become a :class:`LoggedLr` (lists, or arrays
    from a reader that decodes many at once)."""

    steps: Any = field(default_factory=list)
    values: Any = field(default_factory=list)
    lows: Any = field(default_factory=list)
    highs: Any = field(default_factory=list)
