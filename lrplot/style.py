"""The pinned matplotlib settings every lrplot figure is drawn and saved under.

Starting from matplotlib's built-in defaults (not the user's ``matplotlibrc``) and fixing the SVG
hash salt makes the same spec give the same bytes on every run and machine with the same versions.
"""

from __future__ import annotations

from typing import Any

OVERRIDES: dict[str, Any] = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": "figure",  # so that --dpi (the figure's dpi) is what gets saved
    "savefig.bbox": None,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linestyle": "-",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.formatter.use_mathtext": True,
    "axes.formatter.limits": (-3, 4),
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "svg.hashsalt": "lrplot",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
}


def rc() -> dict[str, Any]:
    """matplotlib's built-in defaults plus lrplot's overrides."""
    import matplotlib

    params = {
        key: value
        for key, value in matplotlib.rcParamsDefault.items()
        if key not in ("backend", "backend_fallback", "interactive")
    }
    params.update(OVERRIDES)
    return params
