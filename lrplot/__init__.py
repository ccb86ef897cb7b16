"""lrplot: see a PyTorch learning-rate schedule before you spend GPU hours on it.

>>> import lrplot
>>> spec = lrplot.spec_from_text("scheduler: {type: cosine, T_max: 20}")
>>> curve = lrplot.simulate(spec)        # numpy arrays: curve.step, curve.epoch, curve.lr, ...
>>> fig = lrplot.plot(curve)            # a matplotlib Figure

torch and matplotlib are imported only when a curve is simulated or drawn.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .draw.figure import plot
from .errors import LrplotError, LrplotWarning
from .render import render
from .simulate import Curve, simulate, simulate_figure
from .spec.checker import CurveSpec, FigureSpec, load_spec, spec_from_mapping, spec_from_text

__all__ = [
    "Curve",
    "CurveSpec",
    "FigureSpec",
    "LrplotError",
    "LrplotWarning",
    "load_spec",
    "plot",
    "render",
    "simulate",
    "simulate_figure",
    "spec_from_mapping",
    "spec_from_text",
]
