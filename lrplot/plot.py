"""Curves -> a matplotlib Figure. Never saves a file and never imports torch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from .decimate import decimate
from .metricplot import draw_metric
from .spec import FigureSpec
from .style import rc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .simulate import Curve

X_CHOICES = ("epoch", "step")


def plot(
    curves: Curve | Sequence[Curve],
    *,
    title: str | None = None,
    x: str = "epoch",
    log_y: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Draw the learning rate of ``curves`` (one line per curve and param group).

    A second panel shows momentum (or Adam's beta1) when it varies. With ``ax`` the lr is drawn
    into that Axes and its figure is returned.
    """
    import matplotlib
    from matplotlib.figure import Figure

    items = [curves] if not isinstance(curves, Sequence) else list(curves)
    if x not in X_CHOICES:
        raise ValueError(f"x must be one of {X_CHOICES}, got {x!r}")
    with matplotlib.rc_context(rc()):
        varying = [
            c
            for c in items
            if c.momentum is not None and float(c.momentum.max() - c.momentum.min()) > 0
        ]
        if ax is not None:
            fig = ax.figure
            lr_ax, mom_ax = ax, None
        else:
            fig = Figure(layout="constrained")
            if varying:
                lr_ax, mom_ax = fig.subplots(
                    2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
                )
            else:
                lr_ax, mom_ax = fig.subplots(), None
        multi = len(items) > 1
        for curve in items:
            xs = curve.epoch if x == "epoch" else curve.step
            for g in range(curve.groups):
                label = _label(curve, g, multi)
                (line,) = lr_ax.plot(*decimate(xs, curve.lr[g]), label=label)
                if mom_ax is not None and curve in varying and curve.momentum is not None:
                    mom_ax.plot(
                        *decimate(xs, curve.momentum[g]), color=line.get_color(), label=label
                    )
        lr_ax.set_ylabel("learning rate")
        if log_y:
            lr_ax.set_yscale("log")
        if mom_ax is not None:
            mom_ax.set_ylabel("momentum")
            mom_ax.set_xlabel(x)
        else:
            lr_ax.set_xlabel(x)
        if title:
            lr_ax.set_title(title)
        if any(_label(c, g, multi) for c in items for g in range(c.groups)):
            lr_ax.legend(loc="best")
        draw_metric(lr_ax, items, x)  # ReduceLROnPlateau: metric, reductions, patience windows
        lr_ax.margins(x=0.01)
    return cast("Figure", fig)


def _label(curve: Curve, group: int, multi: bool) -> str:
    parts = []
    if multi:
        parts.append(curve.label)
    if curve.groups > 1:
        parts.append(f"group {group}")
    return " / ".join(parts)


def plot_figure(spec: FigureSpec, curves: Sequence[Curve], **options: Any) -> Figure:
    """The figure for a whole spec, titled from the spec."""
    return plot(curves, title=spec.display_title, **options)
