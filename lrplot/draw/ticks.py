"""Tick labels in plain text: ``1e-3`` and ``5e-4`` on an lr axis, ``4,000`` or ``250k`` on a
step axis. No "×10⁻³" offset that disappears when the figure is scaled down, and no mathtext:
parsing it was most of the time matplotlib spent saving a figure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrplot.draw import numbers

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _formatters() -> tuple[Any, Any]:
    from matplotlib.ticker import Formatter

    class CountFormatter(Formatter):
        """Steps, epochs, samples, tokens: one unit (k, M, ...) for the whole axis."""

        span: float | None = None

        def format_ticks(self, values: Any) -> list[str]:
            self.span = max((abs(float(v)) for v in values), default=0.0)
            return [numbers.count(float(v), self.span) for v in values]

        def __call__(self, x: float, pos: int | None = None) -> str:
            return numbers.count(float(x), self.span)

    class LrFormatter(Formatter):
        """Learning rates: e-notation on an axis whose ticks are all below 0.01."""

        log = False
        small = False

        def format_ticks(self, values: Any) -> list[str]:
            biggest = max((abs(float(v)) for v in values), default=0.0)
            self.small = biggest < 1e-2 or biggest >= 1e5
            return [self(float(v)) for v in values]

        def __call__(self, x: float, pos: int | None = None) -> str:
            if x == 0:
                return "0"
            if self.log:
                return numbers.lr(x)
            return numbers.sci(x) if self.small else f"{x:.6g}"

    return CountFormatter, LrFormatter


def plain(value: float) -> str:
    """A panel's value (momentum 0.9, weight decay 0.01 or 1e-4) as its tick would read."""
    return numbers.lr(value)


def count_axis(axis: Any) -> None:
    """Plain counts on an x axis (``axis`` is ``ax.xaxis``), at whole numbers: a scheduler that
    steps every epoch has no epoch 2.5."""
    from matplotlib.ticker import MaxNLocator

    count, _ = _formatters()
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
    axis.set_major_formatter(count())


def lr_axis(ax: Axes) -> None:
    """Plain learning rates on the y axis of ``ax``, linear or log."""
    from matplotlib.ticker import LogLocator, NullFormatter

    _, formatter = _formatters()
    chosen = formatter()
    chosen.log = ax.get_yscale() == "log"
    ax.yaxis.set_major_formatter(chosen)
    if chosen.log:
        low, high = ax.get_ylim()
        if high / low < 100:  # under two decades: label 1, 2 and 5 of each decade too
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())
