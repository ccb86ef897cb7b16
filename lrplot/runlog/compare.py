"""A log beside a plan: which logged points match the planned lr, and where they first do not.

The planned value of a point at log step s is the plan's row ``s + row_shift`` of the log's param
group. Row N (one past the plan's last row) is the lr after the run's last ``scheduler.step()``:
a loop that logs after stepping shows it at its last step. A point is **close** when
``|logged - planned| <= rtol * |planned|``, against the planned value rounded to float32 when the
log stored float32 (TensorBoard), so that any ``--rtol`` (even 0) means the same for every
format. A W&B bucket (``__MIN``/``__MAX``) matches when the planned value lies inside it.

Only logged points are compared: a sparse log (every 50 steps, HF's ``logging_steps``) is checked
where it has values, and a log that ends before the plan is not a divergence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrplot.runlog.model import LoggedLr

if TYPE_CHECKING:
    import numpy as np

DEFAULT_RTOL = 1e-6


@dataclass(frozen=True, eq=False)
class Comparison:
    log: LoggedLr
    planned: np.ndarray  # per logged point; NaN where the plan has no such row
    close: np.ndarray  # bool per logged point
    plan_rows: int  # rows in the plan
    rtol: float

    @property
    def matches(self) -> bool:
        return bool(self.close.all())

    @property
    def first(self) -> int | None:
        """The index (in the log) of the first point that does not match."""
        import numpy as np

        bad = np.flatnonzero(~self.close)
        return int(bad[0]) if bad.size else None

    def coverage(self) -> str | None:
        """How much of the plan the log covers, when it ends before the plan does."""
        last = int(self.log.rows[-1])
        if last >= self.plan_rows - 1:
            return None
        share = 100 * (last + 1) / self.plan_rows
        return (
            f"the log ends at step {int(self.log.step[-1])}: it covers {share:.3g}% of the "
            f"plan's {self.plan_rows} optimizer steps"
        )


def planned_values(plan: np.ndarray, after: float, rows: np.ndarray) -> np.ndarray:
    """``plan[rows]``, with ``after`` at row ``len(plan)`` and NaN outside."""
    import numpy as np

    extended = np.append(plan, after)
    inside = (rows >= 0) & (rows < extended.shape[0])
    out = np.full(rows.shape[0], np.nan)
    out[inside] = extended[rows[inside]]
    return out


def close_to(log: LoggedLr, planned: np.ndarray, rtol: float) -> np.ndarray:
    import numpy as np

    target = planned.astype(np.float32).astype(np.float64) if log.float32 else planned
    with np.errstate(invalid="ignore", over="ignore"):
        if log.low is not None and log.high is not None:
            slack = rtol * np.abs(target)
            inside: np.ndarray = (target >= log.low - slack) & (target <= log.high + slack)
            return inside
        near: np.ndarray = np.abs(log.value - target) <= rtol * np.abs(target)
        return near


def compare(
    plan: np.ndarray, after: float, log: LoggedLr, rtol: float = DEFAULT_RTOL
) -> Comparison:
    """Compare ``log`` with ``plan`` (the planned lr of the log's param group, one per row)."""
    planned = planned_values(plan, after, log.rows)
    return Comparison(log, planned, close_to(log, planned, rtol), int(plan.shape[0]), rtol)
