"""Warnings: legal input that is probably not what the user meant.

A warning never stops a run and never changes the exit code. These are not routed through
:func:`warnings.warn` (pytest's ``filterwarnings = error`` and a caller's filters would turn a
suspicious-but-valid config into an exception); instead :func:`spec_warnings` runs during
validation, its result is ``FigureSpec.warnings``, and the CLI prints each as
``warning: <file>: <key path> (line N): <what>`` on stderr. (What only drawing shows, lr <= 0 on a
log axis, is :class:`lrplot.plot.LogScaleWarning`, a Python warning the CLI prints too.)

Each is an :class:`~lrplot.errors.LrplotWarning` (a ``UserWarning``), so a caller who prefers
Python warnings can ``warnings.warn(w)`` them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotWarning

if TYPE_CHECKING:
    from .checker import FigureSpec, OptimizerSpec, SchedulerSpec

# Schedulers whose `gamma` multiplies the lr (CyclicLR's only in mode exp_range).
_GAMMA = ("StepLR", "MultiStepLR", "ExponentialLR", "CyclicLR")
_COSINE = ("CosineAnnealingLR", "CosineAnnealingWarmRestarts")


def spec_warnings(spec: FigureSpec) -> tuple[LrplotWarning, ...]:
    """Every warning for a validated spec, in the order of the config."""
    found: list[LrplotWarning] = []

    def warn(path: str, message: str) -> None:
        found.append(LrplotWarning(message, source=spec.source, path=path, line=spec.line(path)))

    for curve in spec.curves:
        lrs = _group_lrs(curve.optimizer)
        _check(curve.scheduler, curve.scheduler_steps, lrs, warn)
    return tuple(found)


def _check(node: SchedulerSpec, steps: int, lrs: list[float], warn: Any) -> None:
    """Check one scheduler that runs for ``steps`` scheduler steps, then its children."""
    kw = node.kwargs
    path = node.path
    if node.type in _GAMMA and _number(kw.get("gamma")) > 1:
        if node.type != "CyclicLR" or kw.get("mode") == "exp_range":
            warn(
                f"{path}.gamma",
                f"gamma {kw['gamma']:g} is above 1, so the lr grows instead of decaying "
                "(fine for an LR range test)",
            )
    if node.type in _COSINE:
        eta_min = _number(kw.get("eta_min"))
        above = [lr for lr in lrs if eta_min > lr]
        if above:
            warn(
                f"{path}.eta_min",
                f"eta_min {eta_min:g} is above the lr {above[0]:g}, so the curve rises "
                "instead of falling",
            )
    if node.type == "ReduceLROnPlateau":
        floors = kw.get("min_lr")
        floors = floors if isinstance(floors, list) else [floors] * len(lrs)
        for floor, lr in zip(floors, lrs, strict=False):
            if _number(floor) >= lr:
                warn(
                    f"{path}.min_lr",
                    f"min_lr {_number(floor):g} is not below the lr {lr:g}, so the lr is never "
                    "reduced",
                )
                break
    if node.type == "CosineAnnealingLR":
        t_max = kw["T_max"]
        if steps > t_max + 1:
            warn(
                f"{path}.T_max",
                f"T_max is {t_max} but the scheduler runs {steps} steps: past step {t_max} the "
                "lr rises again (cosine's period is 2 x T_max); set T_max to the run length, "
                "or use CosineAnnealingWarmRestarts for restarts",
            )
        elif t_max > steps:
            warn(
                f"{path}.T_max",
                f"T_max is {t_max} but the scheduler runs only {steps} steps, so the lr never "
                "reaches eta_min",
            )
    milestones = kw.get("milestones")
    if node.type in ("MultiStepLR", "SequentialLR") and isinstance(milestones, list):
        for i, milestone in enumerate(milestones):
            if milestone >= steps:
                warn(
                    f"{path}.milestones[{i}]",
                    f"milestone {milestone} is never reached: the scheduler runs {steps} steps "
                    f"(0 to {steps - 1})",
                )
                break
        if node.type == "SequentialLR" and milestones and milestones[0] == 0:
            warn(f"{path}.milestones[0]", "milestone 0 skips the first scheduler entirely")
    if node.type == "SequentialLR" and isinstance(milestones, list):
        bounds = [0, *milestones, steps]
        for i, child in enumerate(node.children):
            length = min(bounds[i + 1], steps) - min(bounds[i], steps)
            if length > 0:
                _check(child, length, lrs, warn)
    else:
        for child in node.children:
            _check(child, steps, lrs, warn)


def _group_lrs(optimizer: OptimizerSpec) -> list[float]:
    """The initial lr of each param group, where the spec or the optimizer's default gives one."""
    default = optimizer.kwargs.get("lr")
    if default is None:
        param = optimizer.info.param("lr")
        default = param.default if param is not None else None
    groups = optimizer.param_groups or ({},)
    lrs = [group.get("lr", default) for group in groups]
    return [float(lr) for lr in lrs if isinstance(lr, int | float) and not isinstance(lr, bool)]


def _number(value: Any) -> float:
    """``value`` as a float, or -inf when it is absent (so that no rule fires)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float("-inf")
