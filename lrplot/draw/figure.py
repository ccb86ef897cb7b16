"""Curves -> a matplotlib Figure. Never saves a file and never imports torch.

The drawing is split into small steps (:func:`_axes`, :func:`_draw_lines`, :func:`_draw_markers`,
:func:`_finish`) so that other features can hook into one of them without touching the rest.
"""

from __future__ import annotations

import contextlib
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from lrplot.draw.decimate import decimate
from lrplot.draw.plateau import draw_metric
from lrplot.draw.resume import draw_resumes
from lrplot.errors import SpecError, close_match
from lrplot.families import family_of
from lrplot.model import FigureSpec
from lrplot.plotoptions import X_CHOICES, PlotOptions, check_canvas, parse_x
from lrplot.style import rc

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from lrplot.model import Curve

__all__ = ["X_CHOICES", "LogScaleWarning", "mask_nonpositive", "plot", "plot_figure"]

MAX_LABELS = 12  # beyond this, markers are drawn without text
LABEL_SIZE = 7.5  # points
LABEL_ROW = 0.075  # headroom per row of labels, as a fraction of the y range (or decades)


class LogScaleWarning(UserWarning):
    """Points with lr <= 0 were left out of a log-scale plot."""


def plot(
    curves: Curve | Sequence[Curve],
    *,
    title: str | None = None,
    x: str = "epoch",
    log_y: bool = False,
    ax: Axes | None = None,
    annotate: bool = True,
    style: str | None = None,
    size: tuple[float, float] | None = None,
    dpi: int | None = None,
) -> Figure:
    """Draw the learning rate of ``curves``: one line per curve and param group, with a legend.

    - A second panel shows momentum (or Adam's beta1) when it varies.
    - ``annotate`` marks milestones, restarts, warmup ends, SequentialLR boundaries and
      ReduceLROnPlateau reductions (see :mod:`lrplot.annotate`).
    - ``title=None`` builds the title from a single curve's scheduler; ``title=""`` has none.
    - ``x`` is ``"epoch"`` (fractional with several steps per epoch) or ``"step"``.
    - ``log_y`` leaves out points with lr <= 0 and warns (:class:`LogScaleWarning`).
    - ``style`` is a matplotlib style sheet name or file, applied over lrplot's own style;
      ``size`` is (width, height) in inches and ``dpi`` the resolution.
    - With ``ax`` the lr is drawn into that Axes (no momentum panel) and its figure is returned.
    """
    items = [curves] if not isinstance(curves, Sequence) else list(curves)
    if not items:
        raise SpecError("nothing to plot: no curves given")
    options = PlotOptions(annotate, log_y, parse_x(x), style, size, dpi)
    check_canvas(options)
    if title is None:
        title = _auto_title(items)
    return draw(items, options, title=title, ax=ax)


def plot_figure(
    spec: FigureSpec, curves: Sequence[Curve], options: PlotOptions | None = None
) -> Figure:
    """The figure for a whole spec, titled from the spec, drawn with ``options`` (default: the
    spec's own ``plot:`` options)."""
    return draw(list(curves), options or spec.plot, title=spec.display_title)


def draw(
    items: list[Curve], options: PlotOptions, *, title: str = "", ax: Axes | None = None
) -> Figure:
    import matplotlib

    with matplotlib.rc_context(rc()), _style(options.style):
        fig, lr_ax, mom_ax = _axes(items, options, ax)
        lines = _draw_lines(lr_ax, mom_ax, items, options)
        draw_resumes(lr_ax, items, lines, options.x)  # resume_at: the uninterrupted run dashed
        if options.log_y:
            lr_ax.set_yscale("log")
        if options.annotate:
            _draw_markers(lr_ax, mom_ax, items, lines, options)
        _finish(lr_ax, mom_ax, items, options, title)
        draw_metric(lr_ax, items, options.x)  # ReduceLROnPlateau: metric, reductions, patience
    return cast("Figure", fig)


def mask_nonpositive(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``values`` with every point <= 0 replaced by NaN (a gap in the line), and how many."""
    import numpy as np

    bad = ~(values > 0)
    count = int(np.count_nonzero(bad & ~np.isnan(values)))
    if not count:
        return values, 0
    return np.where(bad, np.nan, values), count


# -- steps -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _style(name: str | None) -> Iterator[None]:
    if not name:
        yield
        return
    import matplotlib.style

    try:
        context = matplotlib.style.context(name)
        context.__enter__()
    except (OSError, ValueError):
        hint = close_match(name, matplotlib.style.available)
        raise SpecError(f"unknown matplotlib style {name!r}", hint=hint) from None
    try:
        yield
    finally:
        context.__exit__(None, None, None)


def _varies(curve: Curve) -> bool:
    return curve.momentum is not None and float(curve.momentum.max() - curve.momentum.min()) > 0


def _axes(items: list[Curve], options: PlotOptions, ax: Axes | None) -> tuple[Any, Axes, Any]:
    from matplotlib.figure import Figure

    if ax is not None:
        return ax.figure, ax, None
    fig = Figure(figsize=options.size, dpi=options.dpi, layout="constrained")
    if any(_varies(c) for c in items):
        lr_ax, mom_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        return fig, lr_ax, mom_ax
    return fig, fig.subplots(), None


def _draw_lines(
    lr_ax: Axes, mom_ax: Axes | None, items: list[Curve], options: PlotOptions
) -> list[list[Line2D]]:
    """One line per curve and param group; returns them by curve.

    A staircase (StepLR, ReduceLROnPlateau, ...) is drawn with ``steps-post``: row t's lr holds
    for the whole of step t, so the jump is vertical and sits exactly at the milestone.
    """
    from lrplot.draw.markers import is_stepped

    multi = len(items) > 1
    masked = 0
    lines: list[list[Line2D]] = []
    for i, curve in enumerate(items):
        xs = curve.epoch if options.x == "epoch" else curve.step
        drawn = []
        drawstyle = "steps-post" if is_stepped(curve) else "default"
        for g in range(curve.groups):
            label = _label(curve, g, multi)
            ys = curve.lr[g]
            if options.log_y:
                ys, count = mask_nonpositive(ys)
                masked += count
            (line,) = lr_ax.plot(
                *decimate(xs, ys), label=label, drawstyle=drawstyle, gid=f"lrplot-lr-{i}-{g}"
            )
            drawn.append(line)
            if mom_ax is not None and curve.momentum is not None and _varies(curve):
                mom_ax.plot(
                    *decimate(xs, curve.momentum[g]),
                    color=line.get_color(),
                    label=label,
                    gid=f"lrplot-momentum-{i}-{g}",
                )
        lines.append(drawn)
    if masked:
        warnings.warn(
            f"log scale: {masked} point(s) with lr <= 0 are not drawn",
            LogScaleWarning,
            stacklevel=4,
        )
    return lines


def _draw_markers(
    lr_ax: Axes,
    mom_ax: Axes | None,
    items: list[Curve],
    lines: list[list[Line2D]],
    options: PlotOptions,
) -> None:
    """Dashed verticals at each marker; small labels at the top, stacked where they'd overlap."""
    from lrplot.draw.markers import markers

    found = [
        (curve, drawn[0].get_color(), markers(curve))
        for curve, drawn in zip(items, lines, strict=False)
    ]
    total = sum(len(m) for _, _, m in found)
    spans = [_x_of(c, options.x) for c in items]
    labels = _Labels(lr_ax, min(s[0] for s in spans), max(s[1] for s in spans))
    n = 0
    for curve, color, marks in found:
        for marker in marks:
            x = marker.x(curve, options.x)
            style: dict[str, Any] = {"color": color, "linestyle": (0, (3, 2)), "linewidth": 0.9}
            if marker.kind == "reduction" and curve.metric is not None:
                # draw_metric marks plateau reductions (line and triangle) and puts its legend
                # top right, so the ratio goes beside the triangle instead of at the top.
                _beside(lr_ax, x, float(curve.lr[0, marker.row]), marker.text, color, n)
                n += 1
                continue
            lr_ax.axvline(x, alpha=0.75, zorder=1, gid=f"lrplot-marker-{n}", **style)
            if mom_ax is not None:
                mom_ax.axvline(x, alpha=0.5, zorder=1, gid=f"lrplot-marker-{n}-momentum", **style)
            n += 1
            if total <= MAX_LABELS:
                labels.add(x, marker.label(curve, options.x), color, f"lrplot-label-{n - 1}")
    if labels.used:
        _headroom(lr_ax, labels.used)


class _Labels:
    """Marker labels along the top of the lr axes, in rows so that they do not overlap."""

    def __init__(self, ax: Axes, low: float, high: float) -> None:
        self.ax = ax
        self.low, self.high = low, high
        figure = ax.get_figure(root=True)
        self.width_in = (figure.get_figwidth() if figure is not None else 8.0) * 0.85
        self.rows: list[float] = []  # right end (axes fraction) of the last label in each row
        self.used = 0

    def add(self, x: float, text: str, color: str, gid: str) -> None:
        low, high = self.low, self.high
        where = (x - low) / (high - low) if high > low else 0.0
        span = len(text) * LABEL_SIZE * 0.55 / 72 / self.width_in + 0.01
        right = where > 0.8
        start, end = (where - span, where) if right else (where, where + span)
        row = next((r for r, last in enumerate(self.rows) if last < start), len(self.rows))
        if row == len(self.rows):
            self.rows.append(end)
        self.rows[row] = end
        self.used = max(self.used, row + 1)
        self.ax.annotate(
            text,
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-3 if right else 3, -3 - row * (LABEL_SIZE + 3)),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            fontsize=LABEL_SIZE,
            color=color,
            gid=gid,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": self.ax.get_facecolor(),
                "edgecolor": "none",
                "alpha": 0.8,
            },
        )


def _beside(ax: Axes, x: float, y: float, text: str, color: str, n: int) -> None:
    ax.annotate(
        text,
        xy=(x, y),
        xytext=(3, 3),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=LABEL_SIZE,
        color=color,
        gid=f"lrplot-label-{n}",
    )


def _headroom(ax: Axes, rows: int) -> None:
    """Raise the top of the lr axis so that the labels sit above the curves."""
    low, high = ax.get_ylim()
    if ax.get_yscale() == "log":
        ax.set_ylim(low, high * (high / low) ** (LABEL_ROW * rows * 1.3))
    else:
        ax.set_ylim(low, high + (high - low) * LABEL_ROW * rows * 1.3)


def _finish(
    lr_ax: Axes, mom_ax: Axes | None, items: list[Curve], options: PlotOptions, title: str
) -> None:
    lr_ax.set_ylabel("learning rate")
    xlabel = "epoch" if options.x == "epoch" else "optimizer step"
    if mom_ax is not None:
        mom_ax.set_ylabel(_momentum_name(items))
        mom_ax.set_xlabel(xlabel)
    else:
        lr_ax.set_xlabel(xlabel)
    if title:
        lr_ax.set_title(_fit(title, lr_ax))
    multi = len(items) > 1
    labels = any(_label(c, g, multi) for c in items for g in range(c.groups))
    if labels or any(c.uninterrupted is not None for c in items):
        lr_ax.legend(loc="best")
    lr_ax.margins(x=0.01)


def _fit(title: str, ax: Axes) -> str:
    """Wrap a long title to the figure's width (bold text is ~0.7 em per character)."""
    import matplotlib

    figure = ax.get_figure(root=True)
    if figure is None or "$" in title:  # never split mathtext
        return title
    size = matplotlib.font_manager.FontProperties(size=matplotlib.rcParams["axes.titlesize"])
    chars = max(20, int(figure.get_figwidth() * 72 / (size.get_size_in_points() * 0.7)))
    lines = []
    for line in title.split("\n"):
        # balanced: two lines of 40 read better than one of 75 and one of 5
        count = -(-len(line) // chars)
        lines += textwrap.wrap(line, max(20, -(-len(line) // max(1, count)) + 8))
    return "\n".join(lines) or title


def _x_of(curve: Curve, axis: str) -> tuple[float, float]:
    xs = curve.epoch if axis == "epoch" else curve.step
    return float(xs[0]), float(xs[-1])


def _momentum_name(items: list[Curve]) -> str:
    names = [curve.momentum_name for curve in items if curve.momentum is not None]
    return " / ".join(dict.fromkeys(names))


def _auto_title(items: list[Curve]) -> str:
    if len(items) != 1:
        return ""
    scheduler = items[0].spec.scheduler
    return "\n".join(textwrap.wrap(family_of(scheduler).describe(scheduler), 90))


def _label(curve: Curve, group: int, multi: bool) -> str:
    parts = []
    if multi:
        parts.append(curve.label)
    if curve.groups > 1:
        parts.append(f"group {group}")
    return " / ".join(parts)
