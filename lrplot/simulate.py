"""Spec -> Curve: build the real torch optimizer and scheduler and step them.

Row ``t`` of a curve is the learning rate in effect during optimizer step ``t``, read from
``param_groups`` *before* that step, so row 0 is what the scheduler's constructor set. The loop is
the one a training script runs::

    for t in range(N):
        record(param_groups)          # row t
        optimizer.step()              # (see _mark_stepped)
        if end of epoch (or every step with interval: step):
            scheduler.step()          # ReduceLROnPlateau: scheduler.step(metric)

How a scheduler is built and stepped is its family's to say (``Family.build`` and
``Family.stepping``); this module knows no scheduler by name. Nothing here draws or writes files.
The script ``lrplot code`` prints takes its optimizer and loop from here (:func:`optimizer_source`,
:func:`loop_source`), so that the loop that runs and the loop that is printed live side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotError, SimulationError
from lrplot.families import family_of
from lrplot.families import torch_source as torchsource
from lrplot.metrics import metric_values
from lrplot.model import Curve, CurveSpec, FigureSpec, MetricSpec, OptimizerSpec, SchedulerSpec
from lrplot.params import Kind
from lrplot.pycode import call_source

if TYPE_CHECKING:
    import numpy as np


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
            raise exc.relocated(spec.origins, source=spec.source) from None
    return _simulate(spec, progress)


def simulate_figure(spec: FigureSpec, *, progress: Progress | None = None) -> tuple[Curve, ...]:
    """Simulate every curve of a figure, each with a fresh optimizer."""
    try:
        return tuple(_simulate(curve, progress) for curve in spec.curves)
    except LrplotError as exc:
        raise exc.relocated(spec.origins, source=spec.source) from None


def _simulate(spec: CurveSpec, progress: Progress | None = None) -> Curve:
    import numpy as np

    # A fresh optimizer for every curve: schedulers store `initial_lr` with setdefault, so a
    # reused optimizer would silently distort the next curve.
    optimizer = build_optimizer(spec.optimizer)
    family = family_of(spec.scheduler)
    scheduler = family.build(spec.scheduler, optimizer, spec)
    groups = optimizer.param_groups
    momentum_key = next((key for key in ("momentum", "betas") if key in groups[0]), None)
    metric = None
    if family.uses_metric(spec.scheduler):
        metric = metric_values(spec.metric or MetricSpec(), spec.scheduler_steps)
    stepping = family.stepping(
        spec.scheduler, scheduler, spec, None if metric is None else metric.tolist()
    )
    lr = np.empty((len(groups), stepping.records), dtype=np.float64)

    _mark_stepped(optimizer)
    momentum = _record(stepping.advance, groups, momentum_key, lr, spec.scheduler.path, progress)

    _check_finite(lr, spec)
    if stepping.repeat > 1:
        lr = np.repeat(lr, stepping.repeat, axis=1)
        if momentum is not None:
            momentum = _repeat(momentum, stepping.repeat)
        if metric is not None:
            metric = np.repeat(metric, stepping.repeat)
    return Curve(
        spec=spec,
        lr=lr,
        momentum=momentum,
        metric=metric,
        momentum_name="beta1" if momentum_key == "betas" else "momentum",
        facts=stepping.facts,
    )


def loop_source(curve: CurveSpec, target: str) -> list[str]:
    """The loop :func:`_simulate` runs, as the Python source ``lrplot code`` prints: it records
    ``target[t][g]``, the lr of param group ``g`` during optimizer step ``t``. A change to how a
    run steps changes both."""
    stepping = family_of(curve.scheduler).step_code(curve.scheduler, curve)
    closure = _needs_closure(curve.optimizer)
    step = "optimizer.step(lambda: torch.zeros(()))" if closure else None
    lines = [
        f"{target} = []  # {target}[t][g]: the lr of param group g during optimizer step t",
        f"for epoch in range({curve.epochs}):",
        f"    for batch in range({curve.steps_per_epoch}):",
        f"        {target}.append([float(group['lr']) for group in optimizer.param_groups])",
        "        # training: loss = ...; loss.backward()",
        f"        {step or 'optimizer.step()'}",
        "        optimizer.zero_grad()",
    ]
    lines.append(f"        {stepping.call}" if stepping.per_step else f"    {stepping.call}")
    return lines


def _needs_closure(spec: OptimizerSpec) -> bool:
    """Whether the optimizer's ``step`` requires a closure (LBFGS does)."""
    import inspect

    cls = torchsource.optimizer_class(torchsource.resolve_optimizer(spec.type))
    closure = inspect.signature(cls.step).parameters.get("closure")
    return closure is not None and closure.default is inspect.Parameter.empty


# Progress is reported between chunks, so one chunk is one progress interval.
CHUNK_STEPS = PROGRESS_EVERY


def _record(
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
    momentum = _Rows(count, steps) if momentum_key else None
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

    info = torchsource.resolve_optimizer(spec.type)
    cls = torchsource.optimizer_class(info)

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


def optimizer_source(spec: OptimizerSpec) -> str:
    """The call :func:`build_optimizer` makes, as Python source (for ``lrplot code``)."""
    info = torchsource.resolve_optimizer(spec.type)

    def value(name: str, item: Any) -> str:
        param = info.param(name)
        if param is not None and param.kind is Kind.FLOAT_TUPLE:
            return repr(tuple(item))
        return repr(item)

    tensor = "torch.zeros(1, 1, requires_grad=True)"
    if spec.param_groups:
        groups = []
        for group in spec.param_groups:
            extra = "".join(f", {k!r}: {value(k, v)}" for k, v in group.items())
            groups.append(f"        {{'params': [{tensor}]{extra}}},\n")
        params = "[\n" + "".join(groups) + "    ]"
    else:
        params = f"[{tensor}]"
    args = [params] + [f"{k}={value(k, v)}" for k, v in spec.kwargs.items()]
    return call_source(f"torch.optim.{info.name}", args, "", len("optimizer = "))


def build_scheduler(spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
    """The real scheduler for ``spec`` on ``optimizer``, built by its family."""
    return family_of(spec).build(spec, optimizer, curve)
