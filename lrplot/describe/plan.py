"""``lrplot show SPEC.yaml``: the run a spec describes, without simulating it.

Per curve: the scheduler as a call, the run's length and when ``scheduler.step()`` runs, where
the steps per epoch come from (``data:``), what a framework block derived, and the warnings.
"""

from __future__ import annotations

from lrplot.draw.summary import run_lines
from lrplot.families import family_of
from lrplot.model import FigureSpec


def plan_text(spec: FigureSpec) -> str:
    title = f": {' '.join(spec.title.split())}" if spec.title else ""
    lines = [f"{spec.source}{title}"]
    for curve in spec.curves:
        head = f"{curve.label}: " if len(spec.curves) > 1 else ""
        scheduler = curve.scheduler
        lines.append(f"{head}{family_of(scheduler).describe(scheduler)}")
        where = f" ({curve.framework}'s loop)" if curve.framework else ""
        run = run_lines(curve)
        lines.append(f"  {run[0]}{where}")
        lines += [f"  {line}" for line in run[1:]]
    lines += [f"warning: {warning}" for warning in spec.warnings]
    return "\n".join(lines) + "\n"
