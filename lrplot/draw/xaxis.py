"""The x axis: epochs, optimizer steps, samples or tokens, and how each reads on a figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrplot.draw import numbers

if TYPE_CHECKING:
    import numpy as np

    from lrplot.model import Curve
    from lrplot.plotoptions import PlotOptions

LABELS = {"epoch": "epoch", "step": "optimizer step", "samples": "samples", "tokens": "tokens"}


@dataclass(frozen=True)
class XAxis:
    name: str = "epoch"
    per_step: int = 1  # samples or tokens per optimizer step

    @staticmethod
    def of(axis: str | XAxis) -> XAxis:
        return axis if isinstance(axis, XAxis) else XAxis(axis)

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def scale(self, curve: Curve) -> float:
        """x units per optimizer step (CSV row)."""
        if self.name == "epoch":
            return 1 / curve.spec.steps_per_epoch
        return 1.0 if self.name == "step" else float(self.per_step)

    def values(self, curve: Curve) -> np.ndarray:
        if self.name == "epoch":
            return curve.epoch
        if self.name == "step":
            return curve.step
        return curve.step * float(self.per_step)

    def at(self, curve: Curve, row: int) -> float:
        if self.name == "epoch":
            return row / curve.spec.steps_per_epoch
        return row * self.scale(curve)

    def text(self, value: float) -> str:
        return numbers.count(value)

    def period(self, curve: Curve, rows: int) -> str:
        """``10 epochs``, ``1,000 steps``, ``1.5M tokens``."""
        value = rows * self.scale(curve)
        if self.name in ("epoch", "step"):
            word = self.name
            if float(value).is_integer():
                return numbers.plural(int(value), word)
            return f"{numbers.count(value)} {word}s"
        return f"{numbers.count(value)} {self.name}"


def choose(items: Sequence[Curve], options: PlotOptions) -> XAxis:
    """The options' x axis; by default optimizer steps when every curve steps its scheduler
    every optimizer step (a recipe's 10,000 steps are not 10,000 epochs), else epochs."""
    name = options.x
    if name is None:
        name = "step" if all(c.spec.interval == "step" for c in items) else "epoch"
    if name == "samples":
        return XAxis(name, options.samples_per_step or 1)
    if name == "tokens":
        return XAxis(name, options.tokens_per_step or 1)
    return XAxis(name)
