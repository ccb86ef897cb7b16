"""Fewer points for a long curve's line, with the same pixels (M4 aggregation).

A figure is at most a few thousand pixels wide, so a million-point line mostly redraws the same
pixel columns: matplotlib needs about 1 s to save it as PNG. Splitting the curve into runs of
consecutive points that are each narrower than a pixel column and keeping, per run, the first,
lowest, highest and last point (in x order) draws the same vertical extent in every column and the
same joins between columns (Jugel et al., "M4: a visualization-oriented time series data
aggregation", VLDB 2014).

Only what is *drawn* is decimated: the Curve's arrays and the CSV keep every row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Runs per line: at most 4 * COLUMNS points are drawn, which matplotlib saves in a fraction of the
# time of the full line. lrplot's figures are 1600 px wide, so a run is about a twentieth of a
# pixel column. Fewer, wider runs still keep every extreme, but then matplotlib's own path
# simplification and antialiasing meet a different set of collinear points: at 1600 px, 16384
# runs let a sawtooth of 200k points differ from the full line by up to 0.40 at its apexes (of
# 1.0), 32768 runs by 0.01 (tests/test_decimate.py).
COLUMNS = 32_768


def decimate(x: np.ndarray, y: np.ndarray, columns: int = COLUMNS) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` reduced to the points that draw the same line: at most ``4 * columns``, plus
    the edges of any gap.

    ``x`` must be evenly spaced and increasing (a curve's ``step`` or ``epoch``), so runs of equal
    length are columns of equal width. Short lines are returned unchanged. NaN (a point a log
    scale leaves out) breaks a line in matplotlib, so every NaN next to a number, and every number
    next to a NaN, is kept: the gaps stay exactly where they were.
    """
    import numpy as np

    count = len(y)
    if count <= 4 * columns:
        return x, y
    finite = np.isfinite(y)
    gaps = not finite.all()
    lowest_of = np.where(finite, y, np.inf) if gaps else y
    highest_of = np.where(finite, y, -np.inf) if gaps else y
    run = -(-count // columns)  # ceil: at most `columns` runs
    full = count // run
    starts = np.arange(full + (count > full * run), dtype=np.int64) * run
    lowest = starts[:full] + lowest_of[: full * run].reshape(full, run).argmin(axis=1)
    highest = starts[:full] + highest_of[: full * run].reshape(full, run).argmax(axis=1)
    last = starts[:full] + (run - 1)
    if count > full * run:  # a shorter final run
        base = full * run
        lowest = np.append(lowest, base + int(lowest_of[base:].argmin()))
        highest = np.append(highest, base + int(highest_of[base:].argmax()))
        last = np.append(last, count - 1)
    keep = np.sort(np.stack([starts, lowest, highest, last], axis=1), axis=1).ravel()
    if gaps:
        edge = np.flatnonzero(finite[1:] != finite[:-1])  # between edge and edge + 1
        keep = np.union1d(keep, np.concatenate((edge, edge + 1)))
    else:
        # Runs are in x order, so only neighbours can repeat (e.g. a flat run's first == lowest).
        keep = keep[np.concatenate(([True], keep[1:] != keep[:-1]))]
    return x[keep], y[keep]
