"""lrplot: see a PyTorch learning-rate schedule before you spend GPU hours on it.

>>> import lrplot
>>> spec = lrplot.spec_from_text("scheduler: {type: cosine, T_max: 20}")
>>> curve = lrplot.simulate(spec)        # numpy arrays: curve.step, curve.epoch, curve.lr, ...
>>> fig = lrplot.plot(curve)            # a matplotlib Figure
>>> fig = lrplot.plot(lambda opt: MyScheduler(opt, warmup=5), epochs=90)   # your own scheduler

torch and matplotlib are imported only when a curve is simulated or drawn.
"""

from __future__ import annotations

__version__ = "0.1.0"

from lrplot.checklog import CheckResult, check_log
from lrplot.config import load_spec, spec_from_mapping, spec_from_text
from lrplot.errors import LrplotError, LrplotWarning
from lrplot.model import Curve, CurveSpec, FigureSpec
from lrplot.render import render
from lrplot.runlog import LoggedLr, LogOptions, read_log
from lrplot.simulate import simulate_figure

# isort: split
# After the submodule of the same name: these also take a factory f(optimizer) -> scheduler.
from lrplot.api import plot, simulate

__all__ = [
    "CheckResult",
    "Curve",
    "CurveSpec",
    "FigureSpec",
    "LogOptions",
    "LoggedLr",
    "LrplotError",
    "LrplotWarning",
    "check_log",
    "load_spec",
    "plot",
    "read_log",
    "render",
    "simulate",
    "simulate_figure",
    "spec_from_mapping",
    "spec_from_text",
]
