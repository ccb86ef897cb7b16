"""Spec -> Curve: build the real torch optimizer and scheduler and step them.

Row ``t`` of a curve is the learning rate in effect during optimizer step ``t``, read from
``param_groups`` *before* that step, so row 0 is what the scheduler's constructor set. The loop is
the one a training script runs::

    for t in range(N):
        record(param_groups)          # row t
        optimizer.step()              # (see _mark_stepped)
        if end of epoch (or every step with interval: step):
            scheduler.step()          # ReduceLROnPlateau: scheduler.step(metric)

Nothing here draws or writes files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import LrplotError, SimulationError
from .expr import lr_lambda
from .families import torch_catalog as registry
from .families.torch_catalog import Kind
from .metrics import metric_values
from .spec.checker import PLATEAU, CurveSpec, FigureSpec, MetricSpec, OptimizerSpec, SchedulerSpec

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, eq=False)
class Curve:
    """One simulated curve. Arrays have one entry per optimizer step (CSV row).

    ``momentum`` is a read-only broadcast view when it never changes (most schedules): it holds
    the same values as a full array without its 8 bytes per row.
    """

    spec: CurveSpec
    lr: np.ndarray  # float64, shape (param groups, N)
    momentum: np.ndarray | None  # float64, shape (param groups, N): momentum or betas[0]
    metric: np.ndarray | None = None  # float64, N: what ReduceLROnPlateau saw for each row's epoch

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def groups(self) -> int:
        return int(self.lr.shape[0])

    def __len__(self) -> int:
        return int(self.lr.shape[1])

    # step and epoch are made on demand, not stored: at 10M rows each would be 80 MB.

    @property
    def step(self) -> np.ndarray:
        """int64, 0..N-1."""
        import numpy as np

        return np.arange(len(self), dtype=np.int64)

    @property
    def epoch(self) -> np.ndarray:
        """float64, step / steps_per_epoch."""
        return self.epoch_range(0, len(self))

    def epoch_range(self, start: int, stop: int) -> np.ndarray:
        """``epoch[start:stop]`` without making the whole column."""
        import numpy as np

        return np.arange(start, stop, dtype=np.int64) / self.spec.steps_per_epoch


Progress = Callable[[int, int], None]
"""``progress(done, total)``: scheduler steps done, every PROGRESS_EVERY steps and at the end."""

PROGRESS_EVERY = 1 << 16


def simulate(spec: CurveSpec | FigureSpec, *, progress: Progress | None = None) -> Curve:
    """Simulate one curve (a CurveSpec, or a FigureSpec that holds exactly one).

    ``progress(done, total)``, if given, is called every 65,536 scheduler steps and once at the
    end with ``done == total`` (for a progress bar).
    """
    if isinstance(spec, FigureSpec):
        if len(spec.curves) != 1:
            raise LrplotError(
                f"the spec has {len(spec.curves)} curves; use simulate_figure()", source=spec.source
            )
        try:
            return _simulate(spec.curves[0], progress)
        except LrplotError as exc:
            raise exc.located(source=spec.source, line=spec.line(exc.path)) from None
    return _simulate(spec, progress)


def simulate_figure(spec: FigureSpec, *, progress: Progress | None = None) -> tuple[Curve, ...]:
    """Simulate every curve of a figure, each with a fresh optimizer."""
    try:
        return tuple(_simulate(curve, progress) for curve in spec.curves)
    except LrplotError as exc:
        raise exc.located(source=spec.source, line=spec.line(exc.path)) from None


def _simulate(spec: CurveSpec, progress: Progress | None = None) -> Curve:
    import numpy as np

    # A fresh optimizer for every curve: schedulers store `initial_lr` with setdefault, so a
    # reused optimizer would silently distort the next curve.
    optimizer = build_optimizer(spec.optimizer)
    scheduler = build_scheduler(spec.scheduler, optimizer, spec)
    groups = optimizer.param_groups
    count = len(groups)
    steps = spec.scheduler_steps
    momentum_key = next((key for key in ("momentum", "betas") if key in groups[0]), None)

    lr = np.empty((count, steps), dtype=np.float64)
    metric = None
    if spec.scheduler.type == PLATEAU:
        metric = metric_values(spec.metric or MetricSpec(), steps)

    _mark_stepped(optimizer)
    momentum = _record(scheduler, groups, momentum_key, lr, metric, spec.scheduler.path, progress)

    _check_finite(lr, spec)
    if spec.interval == "epoch" and spec.steps_per_epoch > 1:
        lr = np.repeat(lr, spec.steps_per_epoch, axis=1)
        if momentum is not None:
            momentum = _repeat(momentum, spec.steps_per_epoch)
        if metric is not None:
            metric = np.repeat(metric, spec.steps_per_epoch)
    return Curve(spec=spec, lr=lr, momentum=momentum, metric=metric)


# Progress is reported between chunks, so one chunk is one progress interval.
CHUNK_STEPS = PROGRESS_EVERY


def _record(
    scheduler: Any,
    groups: list[dict[str, Any]],
    momentum_key: str | None,
    lr: np.ndarray,
    metric: np.ndarray | None,
    path: str,
    progress: Progress | None = None,
) -> np.ndarray | None:
    """Step ``scheduler`` once per column of ``lr``, reading every group's lr into it first.

    Returns the momentum (or betas[0]) rows, or None when the optimizer has neither. Values are
    appended to plain lists for CHUNK_STEPS steps, then copied into numpy: a list append is a
    fraction of a numpy item assignment, and the chunks keep a constant momentum from ever
    needing a full-length array. ``progress(done, steps)`` is called before each chunk and at
    the end.
    """
    import numpy as np

    count, steps = lr.shape
    momentum = _Rows(count, steps) if momentum_key else None
    metrics = None if metric is None else metric.tolist()
    key = momentum_key or ""
    step = scheduler.step
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
                if metrics is None:
                    step()
                else:
                    step(metrics[k])
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


class _Rows:
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


def _repeat(rows: np.ndarray, times: int) -> np.ndarray:
    """``np.repeat(rows, times, axis=1)`` that keeps a broadcast (constant) view a view."""
    import numpy as np

    if rows.strides[1] == 0:
        return np.broadcast_to(rows[:, :1], (rows.shape[0], rows.shape[1] * times))
    return np.repeat(rows, times, axis=1)


def _check_finite(lr: np.ndarray, spec: CurveSpec) -> None:
    """An lr that overflows (ExponentialLR with a huge gamma, a growing MultiplicativeLR, ...)
    is an error, not a curve: no axis or CSV reader does anything useful with inf."""
    import numpy as np

    bad = np.argwhere(~np.isfinite(lr))
    if bad.size:
        group, k = (int(i) for i in bad[0])
        where = f" (param group {group})" if lr.shape[0] > 1 else ""
        raise SimulationError(
            f"the lr becomes {lr[group, k]} at scheduler step {k}{where}", path=spec.scheduler.path
        )


def _mark_stepped(optimizer: Any) -> None:
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


def build_optimizer(spec: OptimizerSpec) -> Any:
    """A real torch optimizer holding one dummy single-element tensor per param group."""
    import torch

    info = spec.info
    cls = registry.optimizer_class(info)

    def convert(kwargs: Any) -> dict[str, Any]:
        out = {}
        for name, value in kwargs.items():
            param = info.param(name)
            out[name] = tuple(value) if param and param.kind is Kind.FLOAT_TUPLE else value
        return out

    def tensor() -> torch.Tensor:
        # 2-D, because Muon only takes matrices; one element is all a schedule needs.
        return torch.zeros(1, 1, requires_grad=True)

    params: Any
    if spec.param_groups:
        params = [{"params": [tensor()], **convert(group)} for group in spec.param_groups]
    else:
        params = [tensor()]
    try:
        return cls(params, **convert(spec.kwargs))
    except (ValueError, TypeError, RuntimeError) as exc:
        raise SimulationError(f"torch rejected {spec.type}: {exc}", path="optimizer") from None


def build_scheduler(spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
    """The real torch scheduler for ``spec`` on ``optimizer`` (nested schedulers included)."""
    if spec.recipe is not None:
        from .families.recipes import build

        return build(spec.recipe, spec.kwargs, optimizer, spec.path)
    info = spec.info
    cls = registry.scheduler_class(info)
    kwargs: dict[str, Any] = dict(spec.kwargs)
    for param in info.params:
        value = kwargs.get(param.name)
        if value is None or param.kind not in (Kind.EXPR, Kind.EXPR_OR_LIST):
            continue
        variable = "x" if param.name == "scale_fn" else "epoch"
        path = f"{spec.path}.{param.name}"
        if isinstance(value, list):
            kwargs[param.name] = [
                lr_lambda(text, variable=variable, path=f"{path}[{i}]")
                for i, text in enumerate(value)
            ]
        else:
            kwargs[param.name] = lr_lambda(value, variable=variable, path=path)
    if spec.type == "OneCycleLR" and all(
        kwargs.get(key) is None for key in ("total_steps", "epochs", "steps_per_epoch")
    ):
        kwargs["total_steps"] = curve.scheduler_steps
    if spec.children:
        kwargs["schedulers"] = [build_scheduler(child, optimizer, curve) for child in spec.children]
    try:
        # By keyword: ChainedScheduler takes (schedulers, optimizer=None), others (optimizer, ...)
        return cls(optimizer=optimizer, **kwargs)
    except LrplotError:
        raise
    except (ValueError, TypeError, ArithmeticError, RuntimeError, IndexError) as exc:
        raise SimulationError(f"torch rejected {spec.type}: {exc}", path=spec.path) from None
