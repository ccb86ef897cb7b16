"""The points a curve is drawn through.

Row t of a curve is the lr during optimizer step t, so the lr is constant from x(t) to x(t+1).
A smooth schedule sampled every step reads best as a line through its points; a jump (a StepLR
milestone, a warm restart, the epoch boundaries of a per-epoch schedule plotted in steps) must be
vertical, exactly at the row where the new lr takes effect, whatever the number of jumps.
:func:`jump_rows` tells the two apart and :func:`points` adds a corner before each jump.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrplot.draw.decimate import COLUMNS, decimate

if TYPE_CHECKING:
    import numpy as np

    from lrplot.model import Curve

RAMP = 4.0  # neighbouring changes within this ratio (same sign) belong to one smooth stretch


def jump_rows(ys: np.ndarray) -> np.ndarray:
    """The rows where the lr jumps: a change that is not part of a smooth stretch.

    A smooth stretch is three or more consecutive changes of one sign whose sizes stay within
    :data:`RAMP` of their neighbours' (a cosine, a linear warmup, an exponential decay). Any
    other change is a jump: the drops of a staircase (their neighbours are 0), a restart (its
    neighbours go the other way), two milestones in a row.
    """
    import numpy as np

    with np.errstate(invalid="ignore"):
        d = np.diff(ys)
        changed = np.isfinite(d) & (d != 0)
        a, b = np.abs(d[:-1]), np.abs(d[1:])
        link = (
            changed[:-1]
            & changed[1:]
            & (np.sign(d[:-1]) == np.sign(d[1:]))
            & (a <= RAMP * b)
            & (b <= RAMP * a)
        )
    smooth = np.zeros(d.size, dtype=bool)
    triple = link[:-1] & link[1:]  # changes i, i+1, i+2 form a stretch
    for shift in (0, 1, 2):
        smooth[shift : shift + triple.size] |= triple
    return np.flatnonzero(changed & ~smooth) + 1


def points(xs: np.ndarray, ys: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` to draw: a corner before each jump; a single row as one step wide.

    Past ``4 * COLUMNS`` rows a line is decimated instead (:mod:`lrplot.draw.decimate`): a row
    is then far narrower than a pixel, and a slant across it looks exactly like a corner.
    """
    import numpy as np

    if len(ys) == 1:
        return np.array([float(xs[0]), float(xs[0]) + step]), np.repeat(ys, 2)
    if len(ys) > 4 * COLUMNS:
        return decimate(xs, ys)
    rows = jump_rows(ys)
    if rows.size == 0:
        return xs, ys
    return (
        np.insert(xs.astype(np.float64), rows, xs[rows]),
        np.insert(ys, rows, ys[rows - 1]),
    )


def distinct_groups(curve: Curve, panels: Sequence[np.ndarray]) -> list[list[int]]:
    """The param groups that draw different lines, each with the groups identical to it
    (same lr and the same values in every panel): ``[[0, 1, 2]]`` when all three agree."""
    import numpy as np

    found: list[list[int]] = []
    for g in range(curve.groups):
        for same in found:
            h = same[0]
            if np.array_equal(curve.lr[g], curve.lr[h], equal_nan=True) and all(
                np.array_equal(p[g], p[h], equal_nan=True) for p in panels
            ):
                same.append(g)
                break
        else:
            found.append([g])
    return found


def group_label(curve: Curve, same: list[int]) -> str:
    """``group 1``, ``backbone``, or ``groups 0–2 (identical)``."""
    names = curve.group_names
    if len(same) == 1:
        return names[same[0]] if curve.named_groups else f"group {same[0]}"
    if curve.named_groups:
        return f"{', '.join(names[g] for g in same)} (identical)"
    if same == list(range(same[0], same[-1] + 1)):
        return f"groups {same[0]}–{same[-1]} (identical)"
    return f"groups {', '.join(map(str, same))} (identical)"


def line_label(curve: Curve, same: list[int], multi: bool) -> str:
    """A line's legend entry: the curve's label (in an overlay) and the group's name."""
    parts = []
    if multi:
        parts.append(curve.label)
    if curve.groups > 1:
        parts.append(group_label(curve, same))
    return " / ".join(parts)
