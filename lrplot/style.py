"""The pinned matplotlib settings every lrplot figure is drawn and saved under, and its themes.

Starting from matplotlib's built-in defaults (not the user's ``matplotlibrc``) and fixing the SVG
hash salt makes the same spec give the same bytes on every run and machine with the same versions.

The size is chosen for where figures are read: a README or a gallery shows them 560-900 CSS
pixels wide, so a figure of 6.4 x 3.6 inches keeps 10 pt text at 12-17 px there, and 250 dpi
(1600 x 900 pixels) stays sharp on a 2x (retina) screen at full README width.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lrplot.errors import SpecError, close_match

SIZE = (6.4, 3.6)  # inches
DPI = 250
THEMES = ("light", "dark")
FONTS = [
    "DejaVu Sans",
    "Verdana",
    "Arial",
    "Helvetica",
]  # DejaVu draws; the rest name SVG fallbacks

OVERRIDES: dict[str, Any] = {
    "figure.figsize": SIZE,
    "figure.dpi": DPI,
    "savefig.dpi": "figure",  # so that --dpi (the figure's dpi) is what gets saved
    "savefig.bbox": None,
    "font.size": 10,
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "axes.grid": True,
    "grid.linestyle": "-",
    "grid.linewidth": 0.6,
    "grid.alpha": 1.0,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    # Tick labels are plain text (lrplot.draw.ticks): no mathtext, no "x10^-3" offset to miss.
    "axes.formatter.use_mathtext": False,
    "axes.formatter.useoffset": False,
    "legend.frameon": False,
    "legend.fontsize": 9.5,
    "lines.linewidth": 1.8,
    "svg.hashsalt": "lrplot",
    "svg.fonttype": "none",  # text stays text: selectable, small, read by screen readers
    "pdf.fonttype": 42,
    "path.simplify": True,
}


@dataclass(frozen=True)
class Palette:
    """Colours of one theme, for what lrplot draws beyond matplotlib's rc settings."""

    background: str
    text: str
    muted: str  # subtitle, shared markers, a constant momentum
    grid: str
    spine: str
    lines: tuple[str, ...]
    metric: str  # ReduceLROnPlateau: the metric it was fed
    reduction: str
    band: str  # the patience window
    band_alpha: float
    bar: str  # the bar a metric had to beat


LIGHT = Palette(
    background="#ffffff",
    text="#1f2328",
    muted="#656d76",
    grid="#e4e6e9",
    spine="#57606a",
    lines=(
        "#1f77b4", "#e66100", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#c44e9b", "#7f7f7f", "#8f8f1a", "#0f8a9a",
    ),
    metric="#595959",
    reduction="#d62728",
    band="#ff7f0e",
    band_alpha=0.13,
    bar="#b35806",
)  # fmt: skip
# matplotlib's tab10, with orange, pink, olive and cyan darkened to 3:1 against white (WCAG's
# bar for lines). GitHub's dark page is #0d1117; there the lines are lighter tints.
DARK = Palette(
    background="#0d1117",
    text="#e6edf3",
    muted="#9198a1",
    grid="#262c36",
    spine="#9198a1",
    lines=(
        "#58a6ff", "#ffa657", "#56d364", "#ff7b72", "#bc8cff",
        "#e3b341", "#ff9bce", "#a5d6ff", "#d2ff7a", "#39d0d8",
    ),
    metric="#b1bac4",
    reduction="#ff7b72",
    band="#ffa657",
    band_alpha=0.2,
    bar="#ffa657",
)  # fmt: skip
PALETTES = {"light": LIGHT, "dark": DARK}


def palette(theme: str | None) -> Palette:
    return PALETTES.get(theme or "light", LIGHT)


def rc(theme: str | None = None) -> dict[str, Any]:
    """matplotlib's built-in defaults plus lrplot's overrides, in ``theme``'s colours."""
    import matplotlib
    from cycler import cycler

    params = {
        key: value
        for key, value in matplotlib.rcParamsDefault.items()
        if key not in ("backend", "backend_fallback", "interactive")
    }
    params.update(OVERRIDES)
    colors = palette(theme)
    params.update(
        {
            "figure.facecolor": colors.background,
            "savefig.facecolor": "auto",
            "axes.facecolor": colors.background,
            "axes.edgecolor": colors.spine,
            "axes.labelcolor": colors.text,
            "axes.titlecolor": colors.text,
            "text.color": colors.text,
            "xtick.color": colors.spine,
            "ytick.color": colors.spine,
            "xtick.labelcolor": colors.text,
            "ytick.labelcolor": colors.text,
            "grid.color": colors.grid,
            "legend.labelcolor": colors.text,
            "axes.prop_cycle": cycler(color=list(colors.lines)),
        }
    )
    return params


@contextlib.contextmanager
def style_sheet(name: str | dict[str, str] | None) -> Iterator[None]:
    """A matplotlib style sheet over lrplot's settings: rc settings lrplot read
    (:mod:`lrplot.stylesheet`), or a name; SpecError if unknown."""
    if not name:
        yield
        return
    import matplotlib.style

    try:
        context = matplotlib.style.context(name)
        context.__enter__()
    except (OSError, ValueError):
        hint = close_match(str(name), matplotlib.style.available)
        raise SpecError(f"unknown matplotlib style {name!r}", hint=hint) from None
    try:
        yield
    finally:
        context.__exit__(None, None, None)
