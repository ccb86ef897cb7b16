"""The lr axis: linear or log, and its limits.

- **Which scale.** A linear axis hides multiplicative decays: the 1e-4 and 1e-5 levels of a
  plateau with factor 0.1 both look like 0. lrplot draws the lr on a log axis when at least
  :data:`LOG_SHARE` of the drawn points lie :data:`LOG_SPAN` times or more below the peak. A
  decay that only ends near 0 (linear or cosine to 0, a few percent of the run) stays linear.
- **Linear limits** include 0, so a flat or cyclic lr reads against its true size.
- **Log limits** stop at :data:`CLIP` times the peak: a decay to 0 passes 1e-12 on its last
  steps and would otherwise squash the whole curve into the top of the figure. A level the lr
  holds for :data:`HELD` of the run or more is no passing tail and stays in view (the last
  level of a plateau schedule). A clipped tail is marked where it leaves the axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrplot.draw import numbers
from lrplot.errors import SpecError

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes

LOG_SPAN = 100.0
LOG_SHARE = 0.2
CLIP = 1e-4
PAD = 0.04  # of the range (of the decades on a log axis), above and below
HELD = 0.05


def _positive(values: np.ndarray) -> np.ndarray:
    import numpy as np

    found: np.ndarray = values[np.isfinite(values) & (values > 0)]
    return found


def wants_log(series: Sequence[np.ndarray]) -> bool:
    """Whether a fifth or more of the drawn points lie 100x or more below the peak."""
    import numpy as np

    positive = [_positive(np.asarray(s)) for s in series]
    total = sum(p.size for p in positive)
    if not total:
        return False
    peak = max(float(p.max()) for p in positive if p.size)
    bar = peak / LOG_SPAN * (1 + 1e-9)  # 1e-3 * 0.1 * 0.1 is a hair above 1e-5
    low = sum(int(np.count_nonzero(p <= bar)) for p in positive)
    return low >= LOG_SHARE * total


def log_axis(series: Sequence[np.ndarray], given: bool | None) -> bool:
    """Whether the lr axis is log: as ``given``, else :func:`wants_log`. A log axis needs some
    lr above 0; with none, the figure would be an empty frame, so that is an error."""
    import numpy as np

    if given is None:
        return wants_log(series)
    if given and not any(_positive(np.asarray(s)).size for s in series):
        raise SpecError(
            "every lr of the run is <= 0, so a log axis has nothing to draw; "
            "draw it linear (--linear-y, or plot: {log_y: false})",
            path="plot.log_y",
        )
    return given


def choice(series: Sequence[np.ndarray], given: bool | None) -> tuple[bool, str]:
    """Whether to draw the lr on a log axis, and a line saying so for the summary ("" for a
    linear axis nobody asked about)."""
    if given is not None:
        return given, f"lr axis: log (--log-y); the lr spans {span_text(series)}" if given else ""
    if not wants_log(series):
        return False, ""
    return True, (
        f"lr axis: log, as the lr spans {span_text(series)} and a fifth of the run or more lies "
        "100x below its peak (--linear-y for a linear axis)"
    )


def span_text(series: Sequence[np.ndarray]) -> str:
    """``1e-3 to 1e-6 (1,000x)``: the range of the positive lr, for the summary."""
    import numpy as np

    positive = [p for p in (_positive(np.asarray(s)) for s in series) if p.size]
    if not positive:
        return "no lr above 0"
    peak = max(float(p.max()) for p in positive)
    low = min(float(p.min()) for p in positive)
    return f"{numbers.lr(peak)} to {numbers.lr(low)} ({numbers.count(round(peak / low))}x)"


def linear_limits(series: Sequence[np.ndarray]) -> tuple[float, float]:
    """From 0 (or below, for a negative lr) to the peak, with a little room on both sides."""
    import numpy as np

    finite = [s[np.isfinite(s)] for s in (np.asarray(v) for v in series)]
    finite = [f for f in finite if f.size]
    if not finite:
        return -1.0, 1.0
    top = max(float(f.max()) for f in finite)
    low = min(0.0, min(float(f.min()) for f in finite))
    span = top - low or abs(top) or 1.0
    return low - PAD * span, top + PAD * span


def log_limits(series: Sequence[np.ndarray]) -> tuple[float, float, float | None]:
    """``(bottom, top, clip)``: ``clip`` is the level below which the curve is cut off, or
    None when every point is drawn."""
    import numpy as np

    positive = [p for p in (_positive(np.asarray(s)) for s in series) if p.size]
    if not positive:
        return 1e-3, 1.0, None
    peak = max(float(p.max()) for p in positive)
    low = min(float(p.min()) for p in positive)
    floor = min([peak * CLIP, *(_held_below(np.asarray(s), peak * CLIP) for s in series)])
    clip = floor if low < floor else None
    bottom = clip if clip is not None else low
    decades = max(np.log10(peak / bottom), 0.3)
    return bottom / 10 ** (PAD * decades), peak * 10 ** (PAD * decades), clip


def _held_below(ys: np.ndarray, level: float) -> float:
    """The lowest positive value under ``level`` that ``ys`` holds for HELD of its length or
    more in a row (inf when there is none)."""
    import numpy as np

    candidates = np.isfinite(ys) & (ys > 0) & (ys < level)
    if not candidates.any():
        return float("inf")
    edges = np.flatnonzero(np.diff(ys) != 0) + 1
    starts = np.concatenate(([0], edges))
    lengths = np.diff(np.concatenate((starts, [ys.size])))
    held = starts[(lengths >= HELD * ys.size) & candidates[starts]]
    return float(ys[held].min()) if held.size else float("inf")


def mark_clipped(ax: Axes, xs: np.ndarray, ys: np.ndarray, clip: float, color: str) -> None:
    """A small ▼ where a line first drops below the axis, with its lowest value."""
    import numpy as np

    below = np.flatnonzero(np.isfinite(ys) & (ys > 0) & (ys < clip))
    if below.size == 0:
        return
    first = int(below[0])
    lowest = float(ys[below].min())
    x = float(xs[first])
    low, high = ax.get_xlim()
    left = (x - low) / (high - low) > 0.75 if high > low else False
    ax.annotate(
        f"to {numbers.lr(lowest)} ▼" if left else f"▼ to {numbers.lr(lowest)}",
        xy=(x, 0.0),
        xycoords=("data", "axes fraction"),
        xytext=(-2 if left else 2, 3),
        textcoords="offset points",
        ha="right" if left else "left",
        va="bottom",
        fontsize=8.5,
        color=color,
        annotation_clip=False,
        gid="lrplot-clipped",
    )


def apply_limits(
    ax: Axes, log: bool, series: Sequence[np.ndarray], given: tuple[float | None, float | None]
) -> float | None:
    """Set the lr axis' scale and limits; the user's ``--ylim`` sides win. Returns the clip
    level of a log axis, if any."""
    clip = None
    if log:
        ax.set_yscale("log")
        bottom, top, clip = log_limits(series)
    else:
        bottom, top = linear_limits(series)
    low, high = given
    if low is not None:
        bottom = low
        clip = low if log and low > 0 else None
    if high is not None:
        top = high
    if log and bottom <= 0:
        bottom = top * CLIP
    ax.set_ylim(bottom, top)
    return clip
