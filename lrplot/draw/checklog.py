"""``check-log -o fig.png``: the plan as a line, the log as points, the first divergence marked,
and the likely cause's curve dotted when one was found. Never saves a file.

The x axis is the optimizer step of the plan (its row); a logged point sits at the row it holds
by its framework's convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrplot.draw.decimate import decimate
from lrplot.style import rc

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure

    from lrplot.plotoptions import PlotOptions

MAX_POINTS = 4000  # logged points drawn; a longer log is thinned evenly (the divergence is kept)
BAD_COLOR = "tab:red"
CAUSE_COLOR = "tab:green"


@dataclass(frozen=True, eq=False)
class CheckPicture:
    """What the figure shows, as plain arrays."""

    plan: np.ndarray  # planned lr by row
    rows: np.ndarray  # the row each logged point holds
    values: np.ndarray  # the logged lr
    close: np.ndarray  # bool per point
    log_label: str  # "lr-SGD in metrics.csv"
    title: str
    first: int | None = None  # index of the first divergence
    first_text: str = ""  # "diverged at step 12"
    cause_lr: np.ndarray | None = None
    cause_shift: int = 0
    cause_label: str = ""
    stepped: bool = False  # a staircase, drawn as one


def draw_check(picture: CheckPicture, options: PlotOptions) -> Figure:
    import matplotlib
    import numpy as np
    from matplotlib.figure import Figure

    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=options.size, dpi=options.dpi, layout="constrained")
        ax = fig.subplots()
        rows = np.arange(picture.plan.shape[0])
        style = "steps-post" if picture.stepped else "default"
        ax.plot(*decimate(rows, picture.plan), color="tab:blue", label="plan", drawstyle=style,
                gid="lrplot-plan")  # fmt: skip
        if picture.cause_lr is not None:
            cause_rows = np.arange(picture.cause_lr.shape[0]) - picture.cause_shift
            ax.plot(
                *decimate(cause_rows, picture.cause_lr),
                color=CAUSE_COLOR,
                linestyle=(0, (1.5, 1.5)),
                linewidth=1.4,
                label=picture.cause_label,
                drawstyle=style,
                gid="lrplot-cause",
            )
        shown = _thinned(picture)
        good = shown[picture.close[shown]]
        bad = shown[~picture.close[shown]]
        ax.plot(picture.rows[good], picture.values[good], marker="o", linestyle="none",
                markersize=3.5, color="0.15", label=picture.log_label,
                gid="lrplot-log")  # fmt: skip
        if bad.size:
            ax.plot(picture.rows[bad], picture.values[bad], marker="o", linestyle="none",
                    markersize=3.5, color=BAD_COLOR, label="logged, not as planned",
                    gid="lrplot-log-diverged")  # fmt: skip
        if picture.first is not None:
            _mark(ax, picture)
        if options.log_y:
            ax.set_yscale("log")
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("learning rate")
        ax.set_title(picture.title)
        ax.legend(loc="best")
        ax.margins(x=0.01)
    return fig


def _thinned(picture: CheckPicture) -> np.ndarray:
    import numpy as np

    count = picture.rows.shape[0]
    if count <= MAX_POINTS:
        return np.arange(count)
    keep = np.unique(np.linspace(0, count - 1, MAX_POINTS).astype(np.int64))
    if picture.first is not None:
        keep = np.union1d(keep, [picture.first])
    return keep


def _mark(ax: object, picture: CheckPicture) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes) and picture.first is not None
    x = float(picture.rows[picture.first])
    y = float(picture.values[picture.first])
    ax.axvline(x, color=BAD_COLOR, linestyle=(0, (3, 2)), linewidth=0.9, gid="lrplot-divergence")
    ax.plot([x], [y], "o", markersize=9, markerfacecolor="none", markeredgecolor=BAD_COLOR,
            markeredgewidth=1.5, gid="lrplot-divergence-point")  # fmt: skip
    ax.annotate(
        picture.first_text,
        xy=(x, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8,
        color=BAD_COLOR,
        gid="lrplot-divergence-label",
    )
