"""A Unicode (braille) chart of curves, for a quick look in the terminal without writing a file.

Plain text, no colours and no terminal queries beyond the width, so it reads the same in a pipe,
a CI log or ``CliRunner`` as on a TTY. Each character cell holds 2 x 4 braille dots; each dot
column covers a slice of the steps and is filled from that slice's minimum to its maximum (and
joined to its neighbour), so a jump between two steps is never lost however long the run is.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrplot.model import Curve

HEIGHT = 10  # text rows of plot area
MIN_WIDTH, MAX_WIDTH = 20, 160
_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [dot row][dot col]


def terminal_width() -> int:
    """The terminal's columns (``COLUMNS`` wins, as ``shutil`` reads it), 80 when unknown."""
    return shutil.get_terminal_size((80, 24)).columns


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def chart(
    curves: Sequence[Curve],
    *,
    width: int | None = None,
    height: int = HEIGHT,
    x: str = "epoch",
    log_y: bool = False,
    annotate: bool = True,
) -> str:
    """The curves' lr as a braille chart at most ``width`` columns wide (default: the terminal).

    Markers (milestones, restarts, ...) show as ``┴`` on the x axis.
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
    name = "epoch" if x == "epoch" else "step"
    cols = max(MIN_WIDTH, total - pad - 2 - len(name) - 1)  # the axis name ends the last line
    dots_x, dots_y = cols * 2, height * 4

    def level(value: float) -> float:
        if log_y:
            value = math.log10(value)
            lo, hi = math.log10(low), math.log10(high)
        else:
            lo, hi = low, high
        if hi == lo:
            return (dots_y - 1) / 2
        return (value - lo) / (hi - lo) * (dots_y - 1)

    grid = [[0] * cols for _ in range(height)]

    def dot(px: int, py: float) -> None:
        row = dots_y - 1 - int(round(py))
        grid[row // 4][px // 2] |= _BITS[row % 4][px % 2]

    length = max(len(s) for s in series)
    for ys in series:
        previous: float | None = None  # level of the previous column's last point
        for px in range(dots_x):
            start = px * len(ys) // dots_x
            stop = max(start + 1, (px + 1) * len(ys) // dots_x)
            chunk = ys[start:stop]
            chunk = chunk[np.isfinite(chunk) & ((chunk > 0) if log_y else True)]
            if chunk.size == 0:
                previous = None
                continue
            lo, hi = level(float(chunk.min())), level(float(chunk.max()))
            if previous is not None:
                # join to the neighbour so a steep drop draws as a line, not two dots
                lo, hi = min(lo, previous), max(hi, previous)
            for py in range(int(round(lo)), int(round(hi)) + 1):
                dot(px, py)
            previous = level(float(chunk[-1]))

    lines = []
    for r, cells in enumerate(grid):
        label = labels[0] if r == 0 else labels[1] if r == height - 1 else ""
        tick = "┤" if label else "│"
        lines.append(f"{label:>{pad}} {tick}" + "".join(chr(0x2800 + c) for c in cells).rstrip())
    axis = ["─"] * cols
    if annotate:
        from lrplot.draw.markers import markers

        for curve in curves:
            for marker in markers(curve):
                axis[min(cols - 1, marker.row * cols // max(1, length))] = "┴"
    lines.append(" " * pad + " └" + "".join(axis))
    lines.append(" " * (pad + 2) + _x_labels(curves, cols, x) + f" {name}")
    if len(series) > 1:
        # One colourless grid cannot tell the lines apart; say what is drawn over what.
        names = [
            " / ".join(p for p in (c.label, f"group {g}" if c.groups > 1 else "") if p)
            for c in curves
            for g in range(c.groups)
        ]
        lines.append(f"{len(series)} lines overlaid: " + ", ".join(names))
    return "\n".join(lines)


def _x_labels(curves: Sequence[Curve], cols: int, axis: str) -> str:
    curve = max(curves, key=len)
    xs = curve.epoch if axis == "epoch" else curve.step
    first, last = f"{float(xs[0]):g}", f"{float(xs[-1]):g}"
    middle = f"{float(xs[len(xs) // 2]):g}" if len(xs) > 2 else ""
    row = [" "] * cols
    row[: len(first)] = first
    mid = cols // 2 - len(middle) // 2
    if mid > len(first) + 1 and mid + len(middle) < cols - len(last) - 1:
        row[mid : mid + len(middle)] = middle
    if len(xs) > 1:
        row[cols - len(last) :] = last
    return "".join(row)
