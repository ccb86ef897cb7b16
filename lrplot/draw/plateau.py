"""ReduceLROnPlateau on a figure: the metric it was fed, each reduction, and the patience window.

Called by ``plot()`` once the learning-rate lines are drawn; it only adds artists to that figure.
Never saves a file and never imports torch.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes

    from lrplot.model import Curve

METRIC_COLOR = "0.35"
REDUCTION_COLOR = "tab:red"
BAND_COLOR = "tab:orange"
BAR_COLOR = "#b35806"
MAX_MARKED = 200
"""Above this many reductions (say a NaN metric over a long run) lines and bands are left out:
thousands of them would only make the figure slow and unreadable. The markers stay."""


def reduction_rows(curve: Curve) -> np.ndarray:
    """The rows where a reduced lr takes effect: any param group's lr is lower than the row before.

    ReduceLROnPlateau only ever lowers the lr, so every drop is a reduction. One that ``eps`` or
    ``min_lr`` stops from changing any group's lr does not show, just as it does not in training.
    """
    import numpy as np

    drops = (curve.lr[:, 1:] < curve.lr[:, :-1]).any(axis=0)
    return np.flatnonzero(drops) + 1


def record_starts(curve: Curve) -> np.ndarray:
    """The first row of each scheduler step's stretch of rows (see ``lrplot.loop``)."""
    return curve.spec.loop.starts()


def _setting(curve: Curve, name: str, fallback: Any) -> Any:
    """A plateau scheduler's setting as the real object held it (``Curve.facts``)."""
    value = curve.facts.get(name, fallback)
    return value if isinstance(value, type(fallback)) else fallback


def patience_of(curve: Curve) -> int:
    return int(_setting(curve, "patience", 10))


def improvement_bars(curve: Curve) -> tuple[np.ndarray, str]:
    """For each scheduler step, the value its metric had to beat to count as an improvement,
    and how that bar is made (for the legend).

    This is torch's ``_is_better(a, best)`` with the same float operations: in ``min`` mode ``a <
    best * (1 - threshold)`` (``rel``) or ``a < best - threshold`` (``abs``); in ``max`` mode ``a >
    best * (threshold + 1)`` or ``a > best + threshold``. ``best`` starts at +-inf, so the first
    value always improves, and a NaN never does.
    """
    import numpy as np

    assert curve.metric is not None
    mode = _setting(curve, "mode", "min")
    threshold = float(_setting(curve, "threshold", 1e-4))
    relative = _setting(curve, "threshold_mode", "rel") == "rel"
    values = curve.metric[record_starts(curve)].tolist()
    minimizing = mode == "min"
    best = math.inf if minimizing else -math.inf
    bars = np.empty(len(values), dtype=np.float64)
    for k, value in enumerate(values):
        if minimizing:
            bar = best * (1.0 - threshold) if relative else best - threshold
            better = value < bar
        else:
            bar = best * (threshold + 1.0) if relative else best + threshold
            better = value > bar
        bars[k] = bar
        if better:
            best = value
    sign = "-" if minimizing else "+"
    how = f"best x (1 {sign} {threshold:g})" if relative else f"best {sign} {threshold:g}"
    return bars, how


def patience_windows(curve: Curve) -> list[tuple[int, int]]:
    """``(first row, reduction row)`` of the patience + 1 bad steps that led to each reduction.

    torch reduces when ``num_bad_epochs > patience``; the counter restarts at 0 after an
    improvement, a reduction and during cooldown, so a reduction always follows exactly
    ``patience + 1`` consecutive scheduler steps without improvement.
    """
    starts = record_starts(curve).tolist()
    span = patience_of(curve) + 1
    windows = []
    for row in reduction_rows(curve).tolist():
        k = bisect.bisect_right(starts, row) - 1  # the stretch that starts at this row
        windows.append((starts[max(0, k - span)], int(row)))
    return windows


def draw_metric(lr_ax: Axes, curves: Sequence[Curve], x: str) -> None:
    """Add the metric (second y-axis), reduction markers and, where asked, patience bands."""
    plateau = [(i, c) for i, c in enumerate(curves) if c.metric is not None]
    if not plateau:
        return
    lr_lines = lr_ax.get_lines()
    lr_handles, lr_labels = lr_ax.get_legend_handles_labels()
    if not lr_handles and lr_lines:
        lr_handles, lr_labels = [lr_lines[0]], ["learning rate"]
    old_legend = lr_ax.get_legend()
    if old_legend is not None:
        old_legend.remove()
    metric_ax = lr_ax.twinx()
    metric_ax.grid(False)
    metric_ax.spines["right"].set_visible(True)
    handles: list[Any] = []
    multi = len(curves) > 1
    legend = {"reduction": False, "band": False}  # each labelled once
    for index, curve in plateau:
        xs = curve.epoch if x == "epoch" else curve.step
        first_line = sum(c.groups for c in curves[:index])
        colors = [
            lr_lines[first_line + g].get_color() if first_line + g < len(lr_lines) else None
            for g in range(curve.groups)
        ]
        handles += _metric_lines(metric_ax, curve, xs, colors[0] if multi else METRIC_COLOR, multi)
        handles += _reductions(lr_ax, curve, xs, colors, multi, legend)
    names = {c.spec.metric.column if c.spec.metric else None for _, c in plateau}
    name = names.pop() if len(names) == 1 else None
    metric_ax.set_ylabel(name or "metric")
    _legend(metric_ax, list(lr_handles), list(lr_labels), handles)


def _metric_lines(ax: Axes, curve: Curve, xs: np.ndarray, color: Any, multi: bool) -> list[Any]:
    """The metric, its padded tail (dotted), and the bar it had to beat (with patience_band)."""
    import numpy as np

    assert curve.metric is not None and curve.spec.metric is not None
    metric_spec = curve.spec.metric
    metric = np.where(np.isfinite(curve.metric), curve.metric, np.nan)
    label = f"metric: {metric_spec.describe()}"
    if multi:
        label = f"{curve.label} {label}"
    padded = None
    if metric_spec.padded_from is not None:
        padded = curve.spec.row_of(metric_spec.padded_from)
    (line,) = ax.plot(
        xs[:padded], metric[:padded], color=color, linewidth=1.1, alpha=0.85, label=label
    )
    handles = [line]
    if padded is not None and padded < len(xs):
        # The repeated last value of a short log is drawn dotted: it is not data.
        (pad_line,) = ax.plot(
            xs[padded - 1 :],
            metric[padded - 1 :],
            color=color,
            linewidth=1.1,
            linestyle=":",
            label="metric: repeated last value (pad: last)",
        )
        handles.append(pad_line)
    if metric_spec.patience_band:
        bars, how = improvement_bars(curve)
        per_row = np.repeat(bars, curve.spec.loop.counts())[: len(xs)]
        (bar_line,) = ax.plot(
            xs,
            np.where(np.isfinite(per_row), per_row, np.nan),
            drawstyle="steps-post",
            linestyle="--",
            linewidth=1.0,
            color=BAR_COLOR,
            label=f"to improve, beat {how}",
        )
        handles.append(bar_line)
    return handles


def _reductions(
    lr_ax: Axes,
    curve: Curve,
    xs: np.ndarray,
    colors: list[Any],
    multi: bool,
    legend: dict[str, bool],
) -> list[Any]:
    """A triangle at each reduction, a dotted line through it, and the patience windows."""
    rows = reduction_rows(curve)
    if rows.size == 0:
        return []
    handles: list[Any] = []
    few = rows.size <= MAX_MARKED
    for g in range(curve.groups):
        dropped = rows[curve.lr[g, rows] < curve.lr[g, rows - 1]]
        (marks,) = lr_ax.plot(
            xs[dropped],
            curve.lr[g, dropped],
            linestyle="none",
            marker="v",
            markersize=6,
            color=REDUCTION_COLOR if not multi else colors[g],
            markeredgecolor="white",
            markeredgewidth=0.6,
            zorder=4,
            label="reduction" if not legend["reduction"] else "_nolegend_",
        )
        if not legend["reduction"]:
            handles.append(marks)
            legend["reduction"] = True
    if few:
        for row in rows:
            lr_ax.axvline(
                float(xs[row]), color=REDUCTION_COLOR, linewidth=0.7, linestyle=":", alpha=0.7
            )
    assert curve.spec.metric is not None
    if curve.spec.metric.patience_band and few:
        for first, row in patience_windows(curve):
            span = lr_ax.axvspan(
                float(xs[first]),
                float(xs[row]),
                color=BAND_COLOR,
                alpha=0.13,
                linewidth=0,
                label="patience window" if not legend["band"] else "_nolegend_",
            )
            if not legend["band"]:
                handles.append(span)
                legend["band"] = True
    return handles


def _legend(metric_ax: Axes, lr_handles: list[Any], lr_labels: list[str], extra: list[Any]) -> None:
    """One legend for both axes, below the plot.

    Inside the axes it always covered something: the lr starts at the top and drops late, the
    loss falls from the top left, and reductions cluster at the right.
    """
    handles = [*lr_handles, *extra]
    labels = [*lr_labels, *(str(h.get_label()) for h in extra)]
    figure = metric_ax.get_figure(root=True)
    assert figure is not None  # the axes were made on a figure
    figure.legend(
        handles=handles,
        labels=labels,
        loc="outside lower center",
        ncols=min(3, len(handles)),
        frameon=False,
    )
