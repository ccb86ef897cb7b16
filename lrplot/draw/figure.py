"""Curves -> a matplotlib Figure. Never saves a file and never imports torch.

The drawing is split into steps (:func:`_axes`, :func:`_draw_lines`, :func:`_draw_panels`,
:func:`_scale`, :func:`_draw_markers`, :func:`_finish`); the modules beside this one hold what
each step knows: the x axis (``xaxis``), the lr scale (``scale``), tick labels (``ticks``), the
points of a line (``lines``), the panels (``panels``), the text above the plot (``labels``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from lrplot.draw import alt, labels, lines, scale, ticks
from lrplot.draw.panels import Panel, draw_panels, panels
from lrplot.draw.plateau import draw_metric
from lrplot.draw.resume import draw_resumes
from lrplot.draw.xaxis import XAxis, choose
from lrplot.errors import SpecError
from lrplot.families import family_of, short_title
from lrplot.model import FigureSpec, clipped_title
from lrplot.plotoptions import (
    PLOT_KEYS,
    X_CHOICES,
    PlotOptions,
    check_options,
    parse_limits,
    parse_panels,
    parse_theme,
    parse_x,
)
from lrplot.style import SIZE, palette, rc, style_sheet
from lrplot.stylesheet import rc_spec

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrplot.draw.markers import Marker
    from lrplot.model import Curve
    from lrplot.style import Palette

__all__ = ["X_CHOICES", "LogScaleWarning", "PanelWarning", "mask_nonpositive", "plot"]

MAX_LABELS = 12  # beyond this, markers are drawn without text
PANEL_HEIGHT = 0.9  # inches added to the default height for each panel past the first


class LogScaleWarning(UserWarning):
    """Points with lr <= 0 were left out of a log-scale plot."""


class PanelWarning(UserWarning):
    """A panel (momentum, ...) was wanted but ``ax=`` gave no Axes for it."""


def plot(
    curves: Curve | Sequence[Curve],
    *,
    title: str | None = None,
    subtitle: str | None = None,
    x: str | None = None,
    log_y: bool | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    annotate: bool | None = None,
    style: str | None = None,
    size: tuple[float, float] | None = None,
    dpi: int | None = None,
    theme: str | None = None,
    transparent: bool | None = None,
    xlim: Sequence[float | None] | None = None,
    ylim: Sequence[float | None] | None = None,
    panels: str | Sequence[str] | None = None,
    samples_per_step: int | None = None,
    tokens_per_step: int | None = None,
) -> Figure:
    """Draw the learning rate of ``curves``: one line per curve and param group, with a legend.

    Curves simulated from a spec (``lrplot.simulate(spec)``) are drawn with its ``title:`` and
    ``plot:`` options; every argument given here wins over them. None means "as the spec says,
    or as lrplot chooses": see the README's Figures section for each option.

    - ``ax`` draws into your Axes (the lr), or into a list of Axes: the lr, then one per panel.
    - ``panels`` names the panels under the lr (``"momentum"``, ``"weight_decay"``,
      ``"effective_decay"``; ``"none"``); by default momentum, when it varies.
    - ``log_y`` leaves out points with lr <= 0 and warns (:class:`LogScaleWarning`); when no
      lr is above 0 it raises :class:`~lrplot.errors.SpecError` (nothing would be drawn).
    - ``title=""`` draws no title (and no subtitle); ``subtitle=""`` no subtitle.
    """
    given = {key: value for key, value in locals().items() if key in PLOT_KEYS}
    items = [curves] if not isinstance(curves, Sequence) else list(curves)
    if not items:
        raise SpecError("nothing to plot: no curves given")
    spec = _common_spec(items)
    options = (spec.plot if spec is not None else PlotOptions()).merged(**_parsed(given))
    if options.theme == "both":
        raise SpecError("plot() draws one figure: theme must be 'light' or 'dark'")
    check_options(options)
    if title is None:
        title = spec.display_title if spec is not None else auto_title(items)
    figure = draw(items, options, title=title, subtitle=subtitle, ax=ax)
    if ax is None:
        from lrplot.draw.notebook import adopt

        adopt(figure)
    return figure


def plot_figure(
    spec: FigureSpec, curves: Sequence[Curve], options: PlotOptions | None = None
) -> Figure:
    """The figure for a whole spec, titled from the spec, drawn with ``options`` (default: the
    spec's own ``plot:`` options)."""
    return draw(list(curves), options or spec.plot, title=spec.display_title)


def auto_title(items: Sequence[Curve]) -> str:
    if len(items) == 1:
        return clipped_title(short_title(items[0].spec.scheduler))
    return clipped_title(", ".join(c.label for c in items if c.label))


def _common_spec(items: Sequence[Curve]) -> FigureSpec | None:
    specs = {id(c.figure): c.figure for c in items}
    found = next(iter(specs.values())) if len(specs) == 1 else None
    return found if isinstance(found, FigureSpec) else None


def _parsed(given: dict[str, Any]) -> dict[str, Any]:
    """plot()'s arguments as PlotOptions holds them (tuples as lists, as YAML gives them)."""
    parsers = {"x": parse_x, "theme": parse_theme, "xlim": parse_limits, "ylim": parse_limits,
               "panels": parse_panels}  # fmt: skip
    found = {}
    for key, value in given.items():
        if value is not None and key in parsers:
            value = parsers[key](value if isinstance(value, str) else list(value))
        found[key] = value
    return found


@dataclass
class _Drawn:
    """What one figure has drawn so far, for the steps that follow."""

    options: PlotOptions
    xaxis: XAxis
    colors: Palette
    log: bool
    panels: list[Panel]
    series: list[np.ndarray] = field(default_factory=list)  # every lr drawn, for the limits
    lines: list[list[tuple[Any, list[int]]]] = field(default_factory=list)  # per curve


def draw(
    items: list[Curve],
    options: PlotOptions,
    *,
    title: str = "",
    subtitle: str | None = None,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    import matplotlib

    theme = options.themes[0]
    with matplotlib.rc_context(rc(theme)), style_sheet(rc_spec(options.style, options.sheet)):
        xaxis = choose(items, options)
        chosen = panels(items, options.panels)
        fig, lr_ax, panel_axes = _axes(options, ax, len(chosen))
        log = scale.log_axis([c.lr[g] for c in items for g in range(c.groups)], options.log_y)
        drawn = _Drawn(options, xaxis, palette(theme), log, chosen[: len(panel_axes)])
        _draw_lines(lr_ax, items, drawn)
        draw_resumes(lr_ax, items, drawn.lines, xaxis, drawn.colors.muted)  # resume_at
        draw_panels(panel_axes, drawn.panels, items, drawn.lines, drawn.xaxis, drawn.colors)
        _scale(lr_ax, [lr_ax, *panel_axes], items, drawn)
        draw_metric(lr_ax, items, xaxis, drawn.colors, _colors(drawn))
        found = [_markers(c) if options.annotate else [] for c in items]
        band = _draw_markers(lr_ax, panel_axes, items, found, drawn)
        _finish(lr_ax, panel_axes, items, drawn, band)
        if title:
            text = _subtitle(items, xaxis, title) if subtitle is None else subtitle
            labels.heading(lr_ax, title, text, band, drawn.colors.muted)
        if options.transparent:
            fig.patch.set_alpha(0.0)
            for axes in fig.axes:
                axes.patch.set_alpha(0.0)
    alt.remember(fig, title, alt.describe(items, xaxis, log, found))
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


def _axes(
    options: PlotOptions, ax: Axes | Sequence[Axes] | None, wanted: int
) -> tuple[Any, Axes, list[Axes]]:
    """The figure, the lr axes and one axes per panel (fewer when ``ax`` has no room)."""
    from lrplot.draw.notebook import figure_class

    if ax is not None:
        # an Axes, or a list (or numpy array, from plt.subplots) of them
        given = cast("list[Axes]", [ax] if hasattr(ax, "plot") else list(ax))
        if len(given) - 1 < wanted:
            warnings.warn(
                f"{wanted} panel(s) (momentum, ...) are not drawn: pass ax=[lr_ax, "
                "panel_ax, ...] with one Axes per panel, or panels='none'",
                PanelWarning,
                stacklevel=4,
            )
        return given[0].figure, given[0], given[1 : 1 + wanted]
    size = options.size
    if size is None and wanted > 1:  # each panel past the first gets room of its own
        width, height = rc_size()
        size = (width, height + PANEL_HEIGHT * (wanted - 1))
    fig = figure_class()(figsize=size, dpi=options.dpi, layout="constrained")
    if not wanted:
        return fig, fig.subplots(), []
    ratios = [3] + [1] * wanted if wanted == 1 else [2.4] + [1] * wanted
    axes = fig.subplots(1 + wanted, 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    return fig, axes[0], list(axes[1:])


def rc_size() -> tuple[float, float]:
    return SIZE


def _draw_lines(lr_ax: Axes, items: list[Curve], drawn: _Drawn) -> None:
    """One line per curve and distinct param group (identical groups are drawn once)."""
    multi = len(items) > 1
    masked = 0
    for i, curve in enumerate(items):
        xs = drawn.xaxis.values(curve)
        step = drawn.xaxis.scale(curve)
        extra = [p.series[i] for p in drawn.panels if p.series[i] is not None]
        found = []
        for same in lines.distinct_groups(curve, extra):  # type: ignore[arg-type]
            g = same[0]
            ys = curve.lr[g]
            if drawn.log:
                ys, count = mask_nonpositive(ys)
                masked += count
            drawn.series.append(ys)
            label = lines.line_label(curve, same, multi)
            (line,) = lr_ax.plot(
                *lines.points(xs, ys, step),
                label=label,
                gid=f"lrplot-lr-{i}-{g}",
                marker="o" if len(curve) == 1 else None,
                markevery=[0] if len(curve) == 1 else None,
            )
            found.append((line, same))
        drawn.lines.append(found)
    if masked:
        warnings.warn(
            f"log scale: {masked} point(s) with lr <= 0 are not drawn",
            LogScaleWarning,
            stacklevel=5,
        )


def _scale(lr_ax: Axes, all_axes: list[Axes], items: list[Curve], drawn: _Drawn) -> None:
    """x limits (the run, or ``--xlim``), the lr scale and limits, and plain tick labels."""
    spans = [(drawn.xaxis.at(c, 0), drawn.xaxis.at(c, len(c) - 1)) for c in items]
    low = min(s[0] for s in spans)
    high = max(max(s[1] for s in spans), low + min(drawn.xaxis.scale(c) for c in items))
    pad = (high - low) * 0.01
    given = drawn.options.xlim or (None, None)
    lr_ax.set_xlim(
        given[0] if given[0] is not None else low - pad,
        given[1] if given[1] is not None else high + pad,
    )
    clip = scale.apply_limits(lr_ax, drawn.log, drawn.series, drawn.options.ylim or (None, None))
    ticks.lr_axis(lr_ax)
    for axes in all_axes:
        ticks.count_axis(axes.xaxis)
    if clip is not None:
        for i, curve in enumerate(items):
            for line, same in drawn.lines[i]:
                ys = curve.lr[same[0]]
                scale.mark_clipped(lr_ax, drawn.xaxis.values(curve), ys, clip, line.get_color())


def _colors(drawn: _Drawn) -> list[list[str]]:
    """Each curve's line colour per param group (identical groups share one)."""
    found = []
    for per_curve in drawn.lines:
        colors: dict[int, str] = {}
        for line, same in per_curve:
            for g in same:
                colors[g] = line.get_color()
        found.append([colors[g] for g in sorted(colors)])
    return found


def _markers(curve: Curve) -> list[Marker]:
    from lrplot.draw.markers import markers

    return markers(curve)


def _draw_markers(
    lr_ax: Axes,
    panel_axes: list[Axes],
    items: list[Curve],
    found: list[list[Marker]],
    drawn: _Drawn,
) -> float:
    """Dashed verticals at each marker and labels in a band above the plot; returns the
    band's height in points. A curve's markers are in its colour, or a neutral one when they
    are shared by several lines (param groups)."""
    total = sum(1 for marks in found for m in marks if not m.quiet)
    band = labels.LabelBand(lr_ax)
    placed: list[tuple[float, float]] = []  # left end and height of each plateau ratio label
    n = 0
    for curve, marks, per_curve in zip(items, found, drawn.lines, strict=True):
        color = drawn.colors.muted if len(per_curve) > 1 else per_curve[0][0].get_color()
        for marker in marks:
            x = marker.x(curve, drawn.xaxis)
            if marker.kind == "reduction" and curve.metric is not None:
                # draw_metric marks plateau reductions (line and triangle) and puts its legend
                # below, so the ratio goes beside the triangle.
                _beside(lr_ax, x, float(curve.lr[0, marker.row]), marker.text, color, n, placed)
                n += 1
                continue
            style: dict[str, Any] = {"color": color, "linestyle": (0, (3, 2)), "linewidth": 0.9}
            alpha = 0.45 if marker.quiet else 0.75
            lr_ax.axvline(x, alpha=alpha, zorder=1, gid=f"lrplot-marker-{n}", **style)
            for axes in panel_axes:
                axes.axvline(x, alpha=alpha * 0.7, zorder=1, **style)
            if total <= MAX_LABELS and not marker.quiet:
                band.add(x, marker.label(curve, drawn.xaxis), color, f"lrplot-label-{n}")
            n += 1
    return band.height


def _beside(
    ax: Axes, x: float, y: float, text: str, color: str, n: int, placed: list[tuple[float, float]]
) -> None:
    """The ratio of a plateau reduction, beside its triangle (before it, near the right edge);
    left out where it would overlap one already there (the triangle still marks it)."""
    fx, fy = (ax.transScale + ax.transLimits).transform((x, y))
    figure = ax.get_figure(root=True)
    width_in, height_in = figure.get_size_inches() if figure is not None else (6.4, 3.6)
    wide = (len(text) * labels.LABEL_SIZE * labels.CHAR_WIDTH + 6) / (width_in * 72 * 0.8)
    tall = labels.LABEL_SIZE * 1.3 / (height_in * 72 * 0.55)
    left = fx > 0.92
    start = fx - wide if left else fx
    if any(abs(start - other) < wide and abs(fy - py) < tall for other, py in placed):
        return
    placed.append((start, fy))
    ax.annotate(
        text,
        xy=(x, y),
        xytext=(-5 if left else 4, 3),
        textcoords="offset points",
        ha="right" if left else "left",
        va="bottom",
        fontsize=labels.LABEL_SIZE,
        color=color,
        gid=f"lrplot-label-{n}",
    )


def _finish(
    lr_ax: Axes, panel_axes: list[Axes], items: list[Curve], drawn: _Drawn, band: float
) -> None:
    lr_ax.set_ylabel("learning rate" + (" (log scale)" if drawn.log else ""))
    (panel_axes[-1] if panel_axes else lr_ax).set_xlabel(drawn.xaxis.label)
    if any(line.get_label() and not line.get_label().startswith("_") for per in drawn.lines
           for line, _ in per):  # fmt: skip
        lr_ax.legend(loc="best")


def _subtitle(items: list[Curve], xaxis: XAxis, title: str) -> str:
    """The facts line; when the title is a bare scheduler name (its call was too long for a
    title), the call's arguments go first, on their own line."""
    facts = labels.subtitle(items, xaxis)
    if len(items) != 1:
        return facts
    scheduler = items[0].spec.scheduler
    call = family_of(scheduler).describe(scheduler)
    if title != call.split("(")[0] or not call.startswith(f"{title}(") or scheduler.children:
        return facts
    return f"{call[len(title) + 1 : -1]}\n{facts}"
