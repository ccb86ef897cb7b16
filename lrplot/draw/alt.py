"""A figure's text alternative: its title and a one-paragraph description, for the SVG's
``<title>``/``<desc>`` (what screen readers announce) and the metadata of PNG and PDF files."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrplot.draw import numbers

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrplot.draw.markers import Marker
    from lrplot.draw.xaxis import XAxis
    from lrplot.model import Curve

MAX_CHARS = 2000
_TEXTS: weakref.WeakKeyDictionary[Figure, tuple[str, str]] = weakref.WeakKeyDictionary()


def remember(figure: Figure, title: str, description: str) -> None:
    _TEXTS[figure] = (title, description[:MAX_CHARS])


def text_of(figure: Figure) -> tuple[str, str]:
    """``(title, description)`` of a figure lrplot drew, or two empty strings."""
    return _TEXTS.get(figure, ("", ""))


def describe(
    items: Sequence[Curve], xaxis: XAxis, log: bool, found: Sequence[Sequence[Marker]]
) -> str:
    """``Learning rate against epoch (log scale). StepLR: starts at 1e-3, ...``."""
    import numpy as np

    scale = " (log scale)" if log else ""
    parts = [f"Line chart of the learning rate against {xaxis.label}{scale}."]
    for curve, marks in zip(items, found, strict=False):
        for g in range(curve.groups):
            lr = curve.lr[g]
            if not len(lr):
                continue
            peak = int(np.nanargmax(lr))
            who = [curve.label, curve.group_names[g] if curve.groups > 1 else ""]
            name = " / ".join(p for p in who if p)
            head = f"{name}: s" if name else "S"

            def at(row: int, curve: Curve = curve) -> str:
                return f"{xaxis.label} {xaxis.text(xaxis.at(curve, row))}"

            first, top, last = (numbers.lr(float(lr[row])) for row in (0, peak, len(lr) - 1))
            parts.append(
                f"{head}tarts at {first}, peaks at {top} ({at(peak)}), "
                f"ends at {last} ({at(len(lr) - 1)})."
            )
        labels = [m.label(curve, xaxis) for m in marks if not m.quiet]
        if labels:
            parts.append("Marked: " + "; ".join(labels) + ".")
    return " ".join(parts)
