"""Reading rows from a running optimizer: the loop every simulation shares.

:func:`record` calls a scheduler's ``advance(k)`` once per row, reading every param group's lr
(and momentum) before it; :func:`build_optimizer` makes the fresh optimizer on dummy tensors and
:func:`mark_stepped` satisfies torch's "optimizer.step() first" check honestly. The plain run
(:mod:`lrplot.simulate`) and a resumed one (:mod:`lrplot.resume`) both use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotError, SimulationError
from lrplot.families.optimizers import build_optimizer
from lrplot.model import CurveSpec

if TYPE_CHECKING:
    import numpy as np

    from lrplot.families.base import Stepping


Progress = Callable[[int, int], None]
"""``progress(done, total)``: scheduler steps done, every PROGRESS_EVERY steps and at the end."""

PROGRESS_EVERY = 1 << 16

__all__ = [
    "CHUNK_STEPS",
    "build_optimizer",
    "check_finite",
    "lr_after",
    "mark_stepped",
    "metric_rows",
    "planned_advances",
    "Recorder",
    "numbers",
    "record",
    "record_series",
    "record_ends",
    "repeat_rows",
]

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


def numbers(groups: list[dict[str, Any]], momentum_key: str | None) -> dict[str, list[float]]:
    """The plain numeric keys every param group has (not the lr, momentum or bookkeeping)."""
    skip = {"lr", "params", "initial_lr", momentum_key}
    keys = [
        key
        for key, value in groups[0].items()
        if key not in skip and isinstance(value, int | float) and not isinstance(value, bool)
    ]
    found = {}
    for key in keys:
        values = [group.get(key) for group in groups]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            found[key] = [float(v) for v in values]  # type: ignore[arg-type]
    return found


class Recorder:
    """The series recorded besides the lr (momentum or betas[0], watched keys), and the keys a
    scheduler changed, seen by comparing every group with its start after each chunk."""

    def __init__(
        self,
        groups: list[dict[str, Any]],
        keys: list[str],
        start: dict[str, list[float]],
        shape: tuple[int, int],
    ) -> None:
        self.groups, self.keys, self.start = groups, keys, start
        self.rows = {key: Rows(*shape) for key in keys}
        self.changed: set[str] = set()

    def check(self) -> None:
        for key, values in self.start.items():
            if key not in self.changed and any(
                group.get(key) != value for group, value in zip(self.groups, values, strict=True)
            ):
                self.changed.add(key)

    def store(self, key: str, begin: int, values: list[list[Any]], path: str) -> None:
        import numpy as np

        if key == "betas":
            values = [[betas[0] for betas in rows] for rows in values]
        count = len(values[0])
        block = np.empty((len(values), count), dtype=np.float64)
        for g, rows in enumerate(values):
            _store(block[g], 0, rows, path, offset=begin)
        self.rows[key].add(begin, block)


def record_series(
    advance: Callable[[int], object],
    recorder: Recorder,
    lr: np.ndarray,
    path: str,
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Call ``advance(k)`` once per column of ``lr``, reading every group's lr into it first.

    Returns the rows of each of the recorder's keys. Values are appended to plain lists for
    CHUNK_STEPS steps, then copied into numpy: a list append is a fraction of a numpy item
    assignment, and the chunks keep a constant series from ever needing a full-length array.
    ``progress(done, steps)`` is called before each chunk and at the end.
    """
    groups, keys = recorder.groups, recorder.keys
    count, steps = lr.shape
    begin = 0
    lrs: list[list[Any]] = []
    try:
        for begin in range(0, steps, CHUNK_STEPS):
            if progress is not None:
                progress(begin, steps)
            end = min(begin + CHUNK_STEPS, steps)
            lrs = [[] for _ in groups]
            seen: dict[str, list[list[Any]]] = {key: [[] for _ in groups] for key in keys}
            if len(keys) == 1:  # the common case (momentum or betas): one append, no inner loop
                (key,) = keys
                readers: list[tuple[Any, ...]] = [
                    (group, lrs[g].append, seen[key][g].append) for g, group in enumerate(groups)
                ]
                for k in range(begin, end):
                    for group, add_lr, add in readers:
                        add_lr(group["lr"])
                        add(group[key])
                    advance(k)
            else:
                readers = [
                    (group, lrs[g].append, [(key, seen[key][g].append) for key in keys])
                    for g, group in enumerate(groups)
                ]
                for k in range(begin, end):
                    for group, add_lr, adds in readers:
                        add_lr(group["lr"])
                        for key, add in adds:
                            add(group[key])
                    advance(k)
            for g in range(count):
                _store(lr[g], begin, lrs[g], path)
            for key in keys:
                recorder.store(key, begin, seen[key], path)
            recorder.check()
    except LrplotError:
        raise
    except (ArithmeticError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        k = begin + len(lrs[0]) - 1 if lrs else begin
        raise SimulationError(f"torch failed at scheduler step {k}: {exc}", path=path) from None
    if progress is not None:
        progress(steps, steps)
    return {key: rows.array() for key, rows in recorder.rows.items()}


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


def repeat_rows(rows: np.ndarray, times: int | np.ndarray, length: int) -> np.ndarray:
    """Each column ``times`` times (or ``times[k]`` times), cut to ``length`` columns; a
    broadcast (constant) view stays a view."""
    import numpy as np

    if rows.strides[1] == 0:
        return np.broadcast_to(rows[:, :1], (rows.shape[0], length))
    if isinstance(times, int) and times == 1:
        return rows[:, :length]
    return np.repeat(rows, times, axis=1)[:, :length]


def planned_advances(stepping: Stepping) -> Callable[[int], object]:
    """``stepping.advance``, called only for the first ``stepping.advances`` records: a run that
    ends between two scheduler steps takes no scheduler.step() after its last row."""
    advance = stepping.advance
    advances = stepping.records if stepping.advances is None else stepping.advances
    if advances >= stepping.records:
        return advance

    def limited(k: int) -> object:
        return advance(k) if k < advances else None

    return limited


def metric_rows(metric: np.ndarray, stepping: Stepping, rows: int) -> np.ndarray:
    """The metric a scheduler was fed, one value per row (NaN after the last scheduler step)."""
    import numpy as np

    if stepping.metric_repeat is not None:  # fed once per epoch, read every step (timm)
        repeated: np.ndarray = np.repeat(metric, stepping.metric_repeat)[:rows]
        return repeated
    if len(metric) < stepping.records:
        # The last rows were never followed by a scheduler.step(): no metric was fed.
        metric = np.append(metric, np.full(stepping.records - len(metric), np.nan))
    times = stepping.counts if stepping.counts is not None else stepping.repeat
    per_row: np.ndarray = repeat_rows(metric[None, :], times, rows)[0]
    return per_row


def record_ends(stepping: Stepping, rows: int) -> Callable[[int], int | None]:
    """For row t of the run: the record k whose last row t is, if a scheduler step (the k-th)
    follows it; else None. The row-by-row loop of a resumed run steps with it."""
    import numpy as np

    advances = stepping.records if stepping.advances is None else stepping.advances
    if stepping.counts is None:
        repeat = stepping.repeat

        def regular(t: int) -> int | None:
            k = t // repeat
            return k if (t + 1) % repeat == 0 and k < advances else None

        return regular
    ends = np.cumsum(stepping.counts)[:advances] - 1
    by_row = {int(row): k for k, row in enumerate(ends.tolist()) if row < rows}
    return by_row.get


def check_finite(lr: np.ndarray, spec: CurveSpec) -> None:
    """An lr that overflows (ExponentialLR with a huge gamma, a growing MultiplicativeLR, ...)
    is an error, not a curve: no axis or CSV reader does anything useful with inf."""
    import numpy as np

    # In chunks: a mask of the whole run would cost a byte per value (10 MB at 10M steps).
    for group in range(lr.shape[0]):
        for begin in range(0, lr.shape[1], CHUNK_STEPS):
            bad = np.flatnonzero(~np.isfinite(lr[group, begin : begin + CHUNK_STEPS]))
            if bad.size:
                k = begin + int(bad[0])
                where = f" (param group {group})" if lr.shape[0] > 1 else ""
                raise SimulationError(
                    f"the lr becomes {lr[group, k]} at scheduler step {k}{where}",
                    path=spec.scheduler.path,
                )


def mark_stepped(optimizer: Any) -> None:
    """Take one real ``optimizer.step()`` before the first ``scheduler.step()``.

    torch warns "Detected call of lr_scheduler.step() before optimizer.step()" when a scheduler's
    *first* step comes before any optimizer step (it looks only at ``_step_count == 1``). One real
    step satisfies that check honestly: the dummy parameters have no gradient, so the step changes
    nothing, and the remaining N-1 optimizer steps (11.6 us each, 4x a scheduler step) are skipped
    because they cannot change the learning rate. The closure is for LBFGS, which requires one.
    """
    import torch

    def closure() -> torch.Tensor:
        return torch.zeros(())

    optimizer.step(closure)


def lr_after(groups: list[dict[str, Any]]) -> np.ndarray | None:
    """Every group's lr after the run's last scheduler step (None if one is not a number)."""
    import numpy as np

    try:
        return np.array([float(group["lr"]) for group in groups], dtype=np.float64)
    except (TypeError, ValueError):
        return None
