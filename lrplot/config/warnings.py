"""Warnings: legal input that is probably not what the user meant.

A warning never stops a run and never changes the exit code. These are not routed through
:func:`warnings.warn` (pytest's ``filterwarnings = error`` and a caller's filters would turn a
suspicious-but-valid config into an exception); instead :func:`spec_warnings` runs during
validation, its result is ``FigureSpec.warnings``, and the CLI prints each as
``warning: <file>: <key path> (line N): <what>`` on stderr. What to warn about is each family's
to say (``Family.warnings``); this module walks the curves and locates each warning.

Each is an :class:`~lrplot.errors.LrplotWarning` (a ``UserWarning``), so a caller who prefers
Python warnings can ``warnings.warn(w)`` them.
"""

from __future__ import annotations

from lrplot.errors import LrplotWarning
from lrplot.families import family_of
from lrplot.model import FigureSpec


def spec_warnings(spec: FigureSpec) -> tuple[LrplotWarning, ...]:
    """Every warning for a validated spec, in the order of the config."""
    found: list[LrplotWarning] = []

    def warn(path: str, message: str) -> None:
        shown, line = spec.origins.locate(path)
        found.append(LrplotWarning(message, source=spec.source, path=shown, line=line))

    for curve in spec.curves:
        scheduler = curve.scheduler
        lrs = curve.optimizer.group_lrs()
        family_of(scheduler).warnings(scheduler, curve.scheduler_steps, lrs, warn)
    return tuple(found)
