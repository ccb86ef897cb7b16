"""Spec -> Curve: build the real torch optimizer and scheduler and step them.

Row ``t`` of a curve is the learning rate in effect during optimizer step ``t``, read from
``param_groups`` *before* that step, so row 0 is what the scheduler's constructor set. The loop is
the one a training script runs::

    for t in range(N):
        record(param_groups)          # row t
        optimizer.step()              # (see _mark_stepped)
        if end of epoch (or every step with interval: step):
            scheduler.step()          # ReduceLROnPlateau: scheduler.step(metric)

The rows are read and stored by :func:`lrplot.recording.record`. How a scheduler is built and
stepped is its family's to say (``Family.build`` and ``Family.stepping``); this module knows no
scheduler by name. Nothing here draws or writes files.
The script ``lrplot code`` prints takes its optimizer and loop from here (:func:`optimizer_source`,
:func:`loop_source`), so that the loop that runs and the loop that is printed live side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotError, SimulationError
from lrplot.families import family_of
from lrplot.families import torch_source as torchsource
from lrplot.metrics import metric_values
from lrplot.model import Curve, CurveSpec, FigureSpec, MetricSpec, OptimizerSpec, SchedulerSpec
from lrplot.params import Kind
from lrplot.pycode import call_source
from lrplot.recording import Progress, record, repeat_columns

if TYPE_CHECKING:
    import numpy as np


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
    momentum = record(stepping.advance, groups, momentum_key, lr, spec.scheduler.path, progress)

    _check_finite(lr, spec)
    if stepping.repeat > 1:
        lr = np.repeat(lr, stepping.repeat, axis=1)
        if momentum is not None:
            momentum = repeat_columns(momentum, stepping.repeat)
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
