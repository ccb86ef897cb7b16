"""Recording a run: every group's lr (and momentum) read before each step, in chunks.

:func:`record` is the inner loop of :mod:`lrplot.simulate`: it reads the rows and calls the
family's ``advance(k)``, and keeps what it reads compact (a momentum that never changes stays
one value per group).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotError, SimulationError

if TYPE_CHECKING:
    import numpy as np

Progress = Callable[[int, int], None]
"""``progress(done, total)``: scheduler steps done, every PROGRESS_EVERY steps and at the end."""

PROGRESS_EVERY = 1 << 16

# Progress is reported between chunks, so one chunk is one progress interval.
CHUNK_STEPS = PROGRESS_EVERY


def record(
    advance: Callable[[int], object],
    groups: list[dict[str, Any]],
    momentum_key: str | None,
    lr: np.ndarray,
    path: str,
    progress: Progress | None = None,
) -> np.ndarray | None:
    """Call ``advance(k)`` once per column of ``lr``, reading every group's lr into it first.

    Returns the momentum (or betas[0]) rows, or None when the optimizer has neither. Values are
    appended to plain lists for CHUNK_STEPS steps, then copied into numpy: a list append is a
    fraction of a numpy item assignment, and the chunks keep a constant momentum from ever
    needing a full-length array. ``progress(done, steps)`` is called before each chunk and at
    the end.
    """
    import numpy as np

    count, steps = lr.shape
    momentum = Rows(count, steps) if momentum_key else None
    key = momentum_key or ""
    begin = 0
    lrs: list[list[Any]] = []
    try:
        for begin in range(0, steps, CHUNK_STEPS):
            if progress is not None:
                progress(begin, steps)
            end = min(begin + CHUNK_STEPS, steps)
            lrs = [[] for _ in groups]
            moments: list[list[Any]] = [[] for _ in groups]
            readers = [
                (group, lrs[g].append, moments[g].append if momentum_key else None)
                for g, group in enumerate(groups)
            ]
            for k in range(begin, end):
                for group, add_lr, add_momentum in readers:
                    add_lr(group["lr"])
                    if add_momentum is not None:
                        add_momentum(group[key])
                advance(k)
            for g in range(count):
                _store(lr[g], begin, lrs[g], path)
            if momentum is not None:
                if key == "betas":
                    moments = [[betas[0] for betas in rows] for rows in moments]
                block = np.empty((count, end - begin), dtype=np.float64)
                for g in range(count):
                    _store(block[g], 0, moments[g], path, offset=begin)
                momentum.add(begin, block)
    except LrplotError:
        raise
    except (ArithmeticError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        k = begin + len(lrs[0]) - 1 if lrs else begin
        raise SimulationError(f"torch failed at scheduler step {k}: {exc}", path=path) from None
    if progress is not None:
        progress(steps, steps)
    return None if momentum is None else momentum.array()


def _store(row: np.ndarray, begin: int, values: list[Any], path: str, offset: int = 0) -> None:
    """``row[begin:begin + len(values)] = values``, naming the step of a value that is no number."""
    try:
        row[begin : begin + len(values)] = values
    except (TypeError, ValueError):
        for i, value in enumerate(values):
            try:
                float(value)
            except (TypeError, ValueError) as exc:
                k = offset + begin + i
                raise SimulationError(
                    f"torch failed at scheduler step {k}: {exc}", path=path
                ) from None
        raise


class Rows:
    """Per-group rows that stay one value per group for as long as they never change.

    A schedule that does not cycle momentum leaves it constant, and a full copy would cost 8 bytes
    per step and group (80 MB at 10M steps). Equality is bitwise, so -0.0 and NaN survive exactly.
    """

    def __init__(self, groups: int, steps: int) -> None:
        self.shape = (groups, steps)
        self.first: np.ndarray | None = None
        self.full: np.ndarray | None = None

    def add(self, begin: int, block: np.ndarray) -> None:
        import numpy as np

        if self.full is None:
            if self.first is None:
                self.first = block[:, :1].copy()
            if (block.view(np.uint64) == self.first.view(np.uint64)).all():
                return
            self.full = np.empty(self.shape, dtype=np.float64)
            self.full[:, :begin] = self.first
        self.full[:, begin : begin + block.shape[1]] = block

    def array(self) -> np.ndarray:
        import numpy as np

        if self.full is not None:
            return self.full
        assert self.first is not None
        return np.broadcast_to(self.first, self.shape)


def repeat_columns(rows: np.ndarray, times: int) -> np.ndarray:
    """``np.repeat(rows, times, axis=1)`` that keeps a broadcast (constant) view a view."""
    import numpy as np

    if rows.strides[1] == 0:
        return np.broadcast_to(rows[:, :1], (rows.shape[0], rows.shape[1] * times))
    return np.repeat(rows, times, axis=1)
