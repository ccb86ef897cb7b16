"""Legal but suspicious settings of torch's scheduler classes: a warning each, saying what to
change (an lr that grows, eta_min above the lr, a horizon the run does not fit, ...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lrplot.families.torch_rules import ONECYCLE, PLATEAU, SEQUENTIAL, onecycle_total
from lrplot.params import is_number

if TYPE_CHECKING:
    from lrplot.families.base import Warn
    from lrplot.model import SchedulerSpec

# Schedulers whose `gamma` multiplies the lr (CyclicLR's only in mode exp_range).
_GAMMA = ("StepLR", "MultiStepLR", "ExponentialLR", "CyclicLR")
_COSINE = ("CosineAnnealingLR", "CosineAnnealingWarmRestarts")


def _number(value: Any) -> float:
    """``value`` as a float, or -inf when it is absent (so that no rule fires)."""
    return float(value) if is_number(value) else float("-inf")


Arg = Callable[["SchedulerSpec", str], Any]


def own_warnings(node: SchedulerSpec, steps: int, lrs: list[float], warn: Warn, arg: Arg) -> None:
    """Warnings about one scheduler that runs ``steps`` scheduler steps (not its children).
    ``arg(node, name)`` reads an argument, or the installed torch's default for it."""
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
    if node.type == PLATEAU:
        _plateau_warnings(kw, path, lrs, warn)
    if node.type == "CosineAnnealingLR":
        _cosine_warnings(kw["T_max"], path, steps, warn)
    _horizon_warnings(node, steps, warn, arg)
    milestones = kw.get("milestones")
    if node.type in ("MultiStepLR", SEQUENTIAL) and isinstance(milestones, list):
        for i, milestone in enumerate(milestones):
            if milestone >= steps:
                warn(
                    f"{path}.milestones[{i}]",
                    f"milestone {milestone} is never reached: the scheduler runs {steps} steps "
                    f"(0 to {steps - 1}); lower it, or lengthen the run",
                )
                break
        if node.type == SEQUENTIAL and milestones and milestones[0] == 0:
            warn(f"{path}.milestones[0]", "milestone 0 skips the first scheduler entirely")


def _runs(steps: int) -> str:
    return f"the scheduler runs only {steps} step{'s' if steps != 1 else ''}"


def _horizon_warnings(node: SchedulerSpec, steps: int, warn: Warn, arg: Arg) -> None:
    """A schedule whose own length does not fit the run it is given."""
    path, kind = node.path, node.type
    if kind == "StepLR":
        size = arg(node, "step_size")
        if isinstance(size, int) and size >= steps:
            warn(
                f"{path}.step_size",
                f"step_size is {size} but {_runs(steps)}, so the lr never changes; lower "
                "step_size, or lengthen the run",
            )
    elif kind == "CyclicLR":
        up = arg(node, "step_size_up")
        down = arg(node, "step_size_down")
        down = up if down is None else down
        if isinstance(up, int) and isinstance(down, int) and up + down > steps:
            given = [k for k in ("step_size_up", "step_size_down") if k in node.kwargs]
            where = f"{path}.{given[0]}" if given else path
            warn(
                where,
                f"one cycle takes {up + down} steps (step_size_up {up} + step_size_down {down}) "
                f"but {_runs(steps)}, so you see only part of a cycle; lower step_size_up and "
                "step_size_down until a cycle fits the run (the CyclicLR paper suggests 2-8 "
                "epochs of optimizer steps each)",
            )
    elif kind == ONECYCLE:
        total = onecycle_total(node.kwargs)
        if total is not None and total > steps:
            key = "total_steps" if "total_steps" in node.kwargs else "epochs"
            warn(
                f"{path}.{key}",
                f"OneCycleLR's cycle is {total} steps long but {_runs(steps)}, so you see "
                "only its start; leave total_steps out to fit the cycle to the run",
            )
    elif kind == "CosineAnnealingWarmRestarts":
        first = arg(node, "T_0")
        if isinstance(first, int) and first > steps:
            warn(
                f"{path}.T_0",
                f"T_0 is {first} but {_runs(steps)}, so the first restart never comes; "
                "lower T_0, or use CosineAnnealingLR with T_max for one decay",
            )
    elif kind in ("PolynomialLR", "LinearLR", "ConstantLR"):
        iters = arg(node, "total_iters")
        if isinstance(iters, int) and iters > steps:
            ends = {"PolynomialLR": "decay", "LinearLR": "ramp", "ConstantLR": "constant phase"}
            warn(
                f"{path}.total_iters",
                f"total_iters is {iters} but {_runs(steps)}, so the {ends[kind]} never "
                "finishes; lower total_iters to the run length, or lengthen the run",
            )


def _plateau_warnings(kw: Mapping[str, Any], path: str, lrs: list[float], warn: Warn) -> None:
    floors = kw.get("min_lr")
    floors = floors if isinstance(floors, list) else [floors] * len(lrs)
    for floor, lr in zip(floors, lrs, strict=False):
        if _number(floor) >= lr:
            warn(
                f"{path}.min_lr",
                f"min_lr {_number(floor):g} is not below the lr {lr:g}, so the lr is never reduced",
            )
            break


def _cosine_warnings(t_max: int, path: str, steps: int, warn: Warn) -> None:
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
            "reaches eta_min; lower T_max to the run length, or leave epochs out to run T_max",
        )
