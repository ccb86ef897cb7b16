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

from typing import TYPE_CHECKING, Any

from lrplot.config import load_spec, spec_from_mapping, spec_from_text
from lrplot.errors import LrplotError, LrplotWarning
from lrplot.model import Curve, CurveSpec, FigureSpec
from lrplot.render import render
from lrplot.simulate import simulate_figure

# isort: split
# After the submodule of the same name: these also take a factory f(optimizer) -> scheduler.
from lrplot.api import plot, simulate

if TYPE_CHECKING:
    from lrplot.checklog import CheckResult, check_log
    from lrplot.runlog import LoggedLr, LogOptions, read_log

# Imported on first use (PEP 562): a command that never reads a run's log (list, --help, a spec
# error, a render) does not pay for check-log's hypotheses and the log readers.
_LAZY = {
    "CheckResult": "lrplot.checklog",
    "check_log": "lrplot.checklog",
    "LoggedLr": "lrplot.runlog",
    "LogOptions": "lrplot.runlog",
    "read_log": "lrplot.runlog",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lrplot' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
