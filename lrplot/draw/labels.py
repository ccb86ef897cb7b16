"""Text above the plot: marker labels in a band over the axes, then a subtitle and the title.

Marker labels sit above the plotting area, each centred over its dashed line (moved in just
enough to stay inside the figure at the edges), in as many rows as they need not to overlap. Up
there they never cover a curve or a spine, and a label near the right edge still reads as its
own line's, not as the previous interval's. Widths are estimated from the text, not measured:
measuring text is what makes matplotlib slow.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrplot.draw import numbers

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from lrplot.draw.xaxis import XAxis
    from lrplot.model import Curve

LABEL_SIZE = 9.0  # points: 11 px at the gallery's 560 px, 16 px at a README's 830 px
SUBTITLE_SIZE = 9.0
CHAR_WIDTH = 0.58  # DejaVu Sans, average advance per character, in ems (bold: x BOLD)
BOLD = 1.12
ROW_GAP = 2.5  # points between label rows
AXES_SHARE = 0.86  # the part of the figure width the axes take, about


class LabelBand:
    """Marker labels above the lr axes, in rows so that they do not overlap."""

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        figure = ax.get_figure(root=True)
        width = figure.get_figwidth() if figure is not None else 6.4
        self.width_pt = width * 72 * AXES_SHARE
        self.rows: list[float] = []  # right end (points from the axes' left) of each row
        self.height = 0.0  # points the band takes above the axes

    def add(self, x: float, text: str, color: str, gid: str) -> None:
        low, high = self.ax.get_xlim()
        where = (x - low) / (high - low) * self.width_pt if high > low else 0.0
        half = len(text) * LABEL_SIZE * CHAR_WIDTH / 2 + 2
        centre = min(max(where, half), self.width_pt - half)
        start, end = centre - half, centre + half
        row = next((r for r, last in enumerate(self.rows) if last + 4 < start), len(self.rows))
        if row == len(self.rows):
            self.rows.append(end)
        self.rows[row] = end
        rise = 3 + row * (LABEL_SIZE * 1.2 + ROW_GAP)
        self.height = max(self.height, rise + LABEL_SIZE * 1.2)
        self.ax.annotate(
            text,
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(centre - where, rise),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=LABEL_SIZE,
            color=color,
            gid=gid,
            annotation_clip=False,
        )


def fit(text: str, ax: Axes, size: float, bold: bool = False) -> str:
    """Wrap ``text`` to the figure's width, between words only (never inside a number)."""
    figure = ax.get_figure(root=True)
    if figure is None or "$" in text:  # never split mathtext
        return text
    em = size * CHAR_WIDTH * (BOLD if bold else 1.0)
    chars = max(20, int(figure.get_figwidth() * 72 * 0.9 / em))
    lines = []
    for line in text.split("\n"):
        count = -(-len(line) // chars)  # balanced: two lines of 40 read better than 75 and 5
        width = max(20, -(-len(line) // max(1, count)) + 8)
        lines += textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) or text


def _pack(line: str, ax: Axes) -> str:
    """A subtitle line broken between its `` · `` parts, never inside one."""
    figure = ax.get_figure(root=True)
    width = figure.get_figwidth() if figure is not None else 6.4
    chars = int(width * 72 * 0.9 / (SUBTITLE_SIZE * CHAR_WIDTH))
    rows: list[str] = []
    for part in line.split(" · "):
        if rows and len(rows[-1]) + 3 + len(part) <= chars:
            rows[-1] += " · " + part
        else:
            rows.append(part)
    return "\n".join(rows)


def heading(ax: Axes, title: str, subtitle: str, band: float, muted: str) -> None:
    """The title (bold) and a small subtitle, left-aligned above the marker label band."""
    import matplotlib

    lift = band + 4
    if subtitle:
        text = "\n".join(_pack(line, ax) for line in subtitle.split("\n"))
        ax.annotate(
            text,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, lift),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=SUBTITLE_SIZE,
            color=muted,
            gid="lrplot-subtitle",
        )
        lift += (text.count("\n") + 1) * SUBTITLE_SIZE * 1.25 + 2
    if title:
        # a style sheet may give a named size ('x-large'), relative to font.size
        from matplotlib.font_manager import FontProperties

        size = FontProperties(size=matplotlib.rcParams["axes.titlesize"]).get_size_in_points()
        ax.set_title(fit(title, ax, size, bold=True), loc="left", pad=lift + 3)


def subtitle(items: Sequence[Curve], xaxis: XAxis) -> str:
    """What a reader needs besides the shape: the optimizer, the peak lr, the run length and
    the stepping interval (each said once, where every curve agrees)."""
    import numpy as np

    parts = []
    optimizers = {c.spec.optimizer.type for c in items}
    if len(optimizers) == 1:
        parts.append(optimizers.pop())
    peaks = [float(np.nanmax(c.lr)) for c in items if len(c)]
    if peaks:
        parts.append(f"peak lr {numbers.lr(max(peaks))}")
    runs = {
        (c.spec.epochs, c.spec.steps_per_epoch, c.spec.interval, c.spec.frequency) for c in items
    }
    if len(runs) == 1:
        epochs, per_epoch, interval, frequency = runs.pop()
        if interval == "step" and per_epoch == 1:
            parts.append(numbers.plural(epochs, "step"))
        elif per_epoch == 1:
            parts.append(numbers.plural(epochs, "epoch"))
        else:
            parts.append(f"{numbers.plural(epochs, 'epoch')} × {per_epoch:,} steps")
        every = interval if frequency == 1 else f"{numbers.ordinal(frequency)} {interval}"
        parts.append(f"scheduler.step() every {every}")
    if xaxis.name in ("samples", "tokens"):
        parts.append(f"{numbers.short(xaxis.per_step)} {xaxis.name}/step")
    return " · ".join(parts)
