"""A Unicode (braille) chart of curves, for a quick look in the terminal without writing a file.

Plain text, no colours and no terminal queries beyond the width, so it reads the same in a pipe,
a CI log or ``CliRunner`` as on a TTY. Each character cell holds 2 x 4 braille dots; each dot
column covers a slice of the steps and is filled from that slice's minimum to its maximum (and
joined to its neighbour), so a jump between two steps is never lost however long the run is.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrplot.draw import numbers
from lrplot.draw.xaxis import XAxis

if TYPE_CHECKING:
    import numpy as np

    from lrplot.model import Curve

HEIGHT = 10  # text rows of plot area
MIN_WIDTH, MAX_WIDTH = 20, 160


@dataclass(frozen=True)
class Charset:
    """How cells and axes are drawn: each cell holds ``bits[dot row][dot col]`` dots."""

    bits: tuple[tuple[int, ...], ...]
    glyph: Callable[[int], str]
    tick: str  # the y axis beside a label
    rule: str  # the y axis elsewhere
    corner: str
    axis: str  # the x axis
    marker: str  # a marker on the x axis


BRAILLE = Charset(
    bits=((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80)),
    glyph=lambda bits: chr(0x2800 + bits),
    tick="┤",
    rule="│",
    corner="└",
    axis="─",
    marker="┴",
)
# For a stream that cannot encode braille (a cp1252 console, output redirected on Windows):
# one dot column per cell, two dot rows: ' (top), . (bottom), : (both).
ASCII = Charset(
    bits=((0x01,), (0x02,)),
    glyph=lambda bits: " '.:"[bits],
    tick="+",
    rule="|",
    corner="+",
    axis="-",
    marker="^",
)


def charset_for(stream: object) -> Charset:
    """Braille where ``stream`` can encode it, ASCII otherwise."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    sample = "".join(
        [BRAILLE.glyph(0xFF), BRAILLE.tick, BRAILLE.rule, BRAILLE.corner, BRAILLE.marker]
    )
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII
    return BRAILLE


def terminal_width() -> int:
    """The terminal's columns (``COLUMNS`` wins, as ``shutil`` reads it), 80 when unknown."""
    return shutil.get_terminal_size((80, 24)).columns


def _fmt(value: float) -> str:
    return numbers.lr(value)


def chart(
    curves: Sequence[Curve],
    *,
    width: int | None = None,
    height: int = HEIGHT,
    x: str | XAxis = "epoch",
    log_y: bool = False,
    annotate: bool = True,
    charset: Charset = BRAILLE,
) -> str:
    """The curves' lr as a braille chart at most ``width`` columns wide (default: the terminal).

    Markers (milestones, restarts, ...) show as ``┴`` on the x axis. With ``charset=ASCII``
    the same chart is drawn in ASCII, at half the resolution.
    """
    import numpy as np

    total = min(MAX_WIDTH, width or terminal_width())
    series = [curve.lr[g] for curve in curves for g in range(curve.groups)]
    values = np.concatenate(series)
    if log_y:
        values = values[values > 0]
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "(nothing to draw: no finite lr" + (" > 0)" if log_y else ")")
    low, high = float(finite.min()), float(finite.max())
    labels = [_fmt(high), _fmt(low) if low != high else ""]
    pad = max(len(label) for label in labels)
    xaxis = XAxis.of(x)
    name = xaxis.name
    cols = max(MIN_WIDTH, total - pad - 2 - len(name) - 1)  # the axis name ends the last line
    grid = _Grid(cols, height, low, high, log_y, charset.bits)
    for ys in series:
        grid.line(ys)
    lines = []
    for r, cells in enumerate(grid.cells):
        label = labels[0] if r == 0 else labels[1] if r == height - 1 else ""
        tick = charset.tick if label else charset.rule
        lines.append(f"{label:>{pad}} {tick}" + "".join(map(charset.glyph, cells)).rstrip())
    lines.append(" " * pad + " " + charset.corner + _axis(curves, cols, annotate, charset))
    lines.append(" " * (pad + 2) + _x_labels(curves, cols, xaxis) + f" {name}")
    if len(series) > 1:
        # One colourless grid cannot tell the lines apart; say what is drawn over what.
        names = [
            " / ".join(p for p in (c.label, f"group {g}" if c.groups > 1 else "") if p)
            for c in curves
            for g in range(c.groups)
        ]
        lines.append(f"{len(series)} lines overlaid: " + ", ".join(names))
    return "\n".join(lines)


class _Grid:
    """Cells of dots (braille: two wide and four high) over the lr range [low, high]."""

    def __init__(
        self,
        cols: int,
        height: int,
        low: float,
        high: float,
        log_y: bool,
        bits: tuple[tuple[int, ...], ...] = BRAILLE.bits,
    ) -> None:
        self.cells = [[0] * cols for _ in range(height)]
        self.bits = bits
        self.rows, self.wide = len(bits), len(bits[0])
        self.dots_x, self.dots_y = cols * self.wide, height * self.rows
        self.log_y = log_y
        self.low, self.high = (math.log10(low), math.log10(high)) if log_y else (low, high)

    def level(self, value: float) -> float:
        if self.log_y:
            value = math.log10(value)
        if self.high == self.low:
            return (self.dots_y - 1) / 2
        return (value - self.low) / (self.high - self.low) * (self.dots_y - 1)

    def dot(self, px: int, py: float) -> None:
        row = self.dots_y - 1 - int(round(py))
        self.cells[row // self.rows][px // self.wide] |= self.bits[row % self.rows][px % self.wide]

    def line(self, ys: np.ndarray) -> None:
        """One series: each dot column spans the range of the values it covers."""
        import numpy as np

        previous: float | None = None  # level of the previous column's last point
        for px in range(self.dots_x):
            start = px * len(ys) // self.dots_x
            stop = max(start + 1, (px + 1) * len(ys) // self.dots_x)
            chunk = ys[start:stop]
            chunk = chunk[np.isfinite(chunk) & ((chunk > 0) if self.log_y else True)]
            if chunk.size == 0:
                previous = None
                continue
            lo, hi = self.level(float(chunk.min())), self.level(float(chunk.max()))
            if previous is not None:
                # join to the neighbour so a steep drop draws as a line, not two dots
                lo, hi = min(lo, previous), max(hi, previous)
            for py in range(int(round(lo)), int(round(hi)) + 1):
                self.dot(px, py)
            previous = self.level(float(chunk[-1]))


def _axis(curves: Sequence[Curve], cols: int, annotate: bool, charset: Charset) -> str:
    """The x axis, with ``┴`` where a marker is."""
    axis = [charset.axis] * cols
    length = max(len(curve) for curve in curves)
    if annotate:
        from lrplot.draw.markers import markers

        for curve in curves:
            for marker in markers(curve):
                axis[min(cols - 1, marker.row * cols // max(1, length))] = charset.marker
    return "".join(axis)


def _x_labels(curves: Sequence[Curve], cols: int, axis: XAxis) -> str:
    curve = max(curves, key=len)
    xs = axis.values(curve)
    span = float(xs[-1])
    first, last = numbers.count(float(xs[0]), span), numbers.count(span, span)
    middle = numbers.count(float(xs[len(xs) // 2]), span) if len(xs) > 2 else ""
    row = [" "] * cols
    row[: len(first)] = first
    mid = cols // 2 - len(middle) // 2
    if mid > len(first) + 1 and mid + len(middle) < cols - len(last) - 1:
        row[mid : mid + len(middle)] = middle
    if len(xs) > 1:
        row[cols - len(last) :] = last
    return "".join(row)
