"""What lrplot knows about torch's scheduler classes beyond their signatures.

- Rules torch does not check (or checks only at the first ``step()``), by argument name:
  :func:`with_rules` turns them into bounds on the Param, for schedulers and optimizers alike.
- Rules across arguments, per class (:func:`check_class`, :func:`check_run`).
- Where each class does something worth marking on a figure (:func:`own_events`).
- Legal but suspicious settings (:func:`own_warnings`).
- Starter values for ``lrplot init`` (:data:`EXAMPLES`, :data:`NESTED`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lrplot.params import Kind, Param, is_number

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec, SchedulerSpec

PLATEAU = "ReduceLROnPlateau"
SEQUENTIAL = "SequentialLR"
CHAINED = "ChainedScheduler"
ONECYCLE = "OneCycleLR"
CYCLING = (ONECYCLE, "CyclicLR")

# Short names users type. A scheduler without an alias gets a kebab-case command name.
ALIASES: dict[str, str] = {
    "lambda": "LambdaLR",
    "multiplicative": "MultiplicativeLR",
    "step": "StepLR",
    "multistep": "MultiStepLR",
    "constant": "ConstantLR",
    "linear": "LinearLR",
    "exponential": "ExponentialLR",
    "polynomial": "PolynomialLR",
    "cosine": "CosineAnnealingLR",
    "cosine-warm-restarts": "CosineAnnealingWarmRestarts",
    "cyclic": "CyclicLR",
    "onecycle": "OneCycleLR",
    "plateau": PLATEAU,
    "swa": "SWALR",
    "sequential": SEQUENTIAL,
    "chained": CHAINED,
}

# name -> (least value, how a message says it)
_INT_RULES: dict[str, tuple[int, str]] = {
    "step_size": (1, "a positive integer"),
    "T_max": (1, "a positive integer"),
    "T_0": (1, "a positive integer"),
    "T_mult": (1, "an integer >= 1"),
    "total_iters": (1, "a positive integer"),
    "step_size_up": (1, "a positive integer"),
    "step_size_down": (1, "a positive integer"),
    "anneal_epochs": (1, "a positive integer"),
    "total_steps": (1, "a positive integer"),
    "epochs": (1, "a positive integer"),
    "steps_per_epoch": (1, "a positive integer"),
    "patience": (0, "an integer >= 0"),
    "cooldown": (0, "an integer >= 0"),
}
_POSITIVE = {"gamma", "factor", "start_factor", "max_lr", "base_lr", "swa_lr", "lr", "div_factor"}
_POSITIVE |= {"final_div_factor"}
_NON_NEGATIVE = {"eta_min", "min_lr", "power", "end_factor", "threshold", "eps", "momentum"}
_NON_NEGATIVE |= {"base_momentum", "max_momentum"}


def with_rules(param: Param) -> Param:
    """``param`` with lrplot's bounds for its name (``step_size`` >= 1, ``gamma`` > 0, ...)."""
    if param.kind is Kind.INT and param.name in _INT_RULES:
        least, text = _INT_RULES[param.name]
        return replace(param, low=least, rule=text)
    if param.kind in (Kind.FLOAT, Kind.FLOAT_OR_LIST, Kind.FLOAT_TUPLE):
        if param.name in _POSITIVE:
            return replace(param, low=0, low_open=True, rule="> 0")
        if param.name in _NON_NEGATIVE:
            return replace(param, low=0, rule=">= 0")
    return param


# -- rules across arguments ----------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def check_class(spec: SchedulerSpec, ctx: CheckContext, momentum_capable: bool) -> None:
    kw = spec.kwargs
    path = spec.path
    if spec.type == SEQUENTIAL:
        milestones = kw.get("milestones", [])
        if len(milestones) != len(spec.children) - 1:
            raise ctx.fail(
                f"{path}.milestones",
                f"SequentialLR with {len(spec.children)} schedulers needs "
                f"{len(spec.children) - 1} milestone(s), got {len(milestones)}",
            )
    if spec.type == "CyclicLR":
        base, top = kw.get("base_lr"), kw.get("max_lr")
        pairs = zip(_as_list(base), _as_list(top), strict=False)
        if base is not None and top is not None and any(b > t for b, t in pairs):
            raise ctx.fail(f"{path}.base_lr", f"base_lr {base} is above max_lr {top}")
    if spec.type == "ConstantLR" and "factor" in kw and kw["factor"] > 1:
        raise ctx.fail(f"{path}.factor", f"must be in (0, 1], got {kw['factor']!r}")
    if spec.type == PLATEAU and "factor" in kw and kw["factor"] >= 1:
        raise ctx.fail(f"{path}.factor", f"must be < 1, got {kw['factor']!r}")
    if spec.type == ONECYCLE and "pct_start" in kw and not 0 < kw["pct_start"] < 1:
        raise ctx.fail(f"{path}.pct_start", f"must be between 0 and 1, got {kw['pct_start']!r}")
    if spec.type in CYCLING and kw.get("cycle_momentum", True) and not momentum_capable:
        optimizer = ctx.optimizer.type
        raise ctx.fail(
            f"{path}.cycle_momentum" if "cycle_momentum" in kw else path,
            f"{spec.type} cycles momentum by default, but {optimizer} has no "
            "momentum or betas; set cycle_momentum: false or use SGD/Adam",
        )


def onecycle_total(kw: Mapping[str, Any]) -> int | None:
    """OneCycleLR's own length, from total_steps or epochs x steps_per_epoch, if given."""
    total = kw.get("total_steps")
    if total is None and kw.get("epochs") is not None and kw.get("steps_per_epoch") is not None:
        total = kw["epochs"] * kw["steps_per_epoch"]
    return total if isinstance(total, int) else None


# The argument that is a class's own run length (its horizon), in scheduler steps.
HORIZONS = {"CosineAnnealingLR": "T_max", ONECYCLE: "total_steps", "PolynomialLR": "total_iters"}
# Classes documented to step after every batch, not every epoch.
PER_STEP = CYCLING


def horizon(
    node: SchedulerSpec,
    arg: Callable[[SchedulerSpec, str], Any],
    other: Callable[[SchedulerSpec], int | None],
) -> int | None:
    """The scheduler steps a schedule is made for: T_max, OneCycleLR's total_steps,
    PolynomialLR's total_iters; SequentialLR's last milestone plus its last scheduler's horizon;
    the longest horizon in a ChainedScheduler. None: it has none (a StepLR goes on forever).
    ``arg(node, name)`` reads an argument or its default; ``other(node)`` asks another family."""
    if node.family != "torch":
        return other(node)
    if node.type == ONECYCLE:
        return onecycle_total(node.kwargs)
    if node.type in HORIZONS:
        value = arg(node, HORIZONS[node.type])
        return value if isinstance(value, int) else None
    if node.type == SEQUENTIAL and node.children:
        milestones = node.kwargs.get("milestones") or []
        last = horizon(node.children[-1], arg, other)
        return None if last is None or not milestones else milestones[-1] + last
    if node.type == CHAINED:
        found = [h for h in (horizon(c, arg, other) for c in node.children) if h is not None]
        return max(found) if found else None
    return None


def check_run(spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
    for node in spec.walk():
        if node.type != ONECYCLE or node.family != "torch":
            continue
        kw = node.kwargs
        total = onecycle_total(kw)
        if total is None and (kw.get("epochs") is None) != (kw.get("steps_per_epoch") is None):
            raise ctx.fail(
                node.path, "OneCycleLR needs total_steps, or both epochs and steps_per_epoch"
            )
        if node is spec and total is not None and total < curve.scheduler_steps:
            raise ctx.fail(
                node.path,
                f"OneCycleLR allows {total} scheduler steps, but the run takes "
                f"{curve.scheduler_steps} ({curve.interval} interval); leave total_steps out "
                "to fit the run",
            )


# -- events --------------------------------------------------------------------------------------


def own_events(kind: str, kw: Mapping[str, Any], span: int) -> Iterator[tuple[int, str, str]]:
    """(scheduler step, kind, text) relative to where the scheduler starts."""
    if kind == "MultiStepLR":
        for milestone in kw.get("milestones", []):
            yield int(milestone), "milestone", ""
    elif kind == "StepLR":
        size = int(kw.get("step_size", 0))
        if size > 0:
            for at in range(size, span + 1, size):
                yield at, "milestone", ""
    elif kind == "CosineAnnealingWarmRestarts":
        period, mult = int(kw.get("T_0", 0)), int(kw.get("T_mult", 1) or 1)
        at = period
        while 0 < period and at <= span:
            yield at, "restart", "restart"
            period *= mult
            at += period
    elif kind == "LinearLR":
        start, end = float(kw.get("start_factor", 1 / 3)), float(kw.get("end_factor", 1.0))
        text = "warmup ends" if start < end else "decay ends"
        yield int(kw.get("total_iters", 5)), "warmup" if start < end else "end", text
    elif kind == "ConstantLR":
        yield int(kw.get("total_iters", 5)), "warmup", "warmup ends"
    elif kind == "PolynomialLR":
        yield int(kw.get("total_iters", 5)), "end", "decay ends"
    elif kind == "CosineAnnealingLR":
        yield int(kw.get("T_max", 0)), "end", "T_max"
    elif kind == "SWALR":
        yield int(kw.get("anneal_epochs", 10)), "end", "swa_lr reached"


# -- warnings ------------------------------------------------------------------------------------

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


# -- lrplot init ---------------------------------------------------------------------------------

# Values for arguments torch requires, chosen to give a sensible 100-epoch curve. A required
# argument not listed here (a future torch's) is written as a placeholder to fill in.
EXAMPLES: dict[str, Any] = {
    "lr_lambda": '"0.95 ** epoch"',
    "step_size": 30,
    "milestones": "[30, 60, 80]",
    "gamma": 0.95,
    "T_max": 100,
    "T_0": 20,
    "base_lr": 0.01,
    "max_lr": 0.1,
    "swa_lr": 0.0002,
}
# Values `lrplot init` writes for one class, required or not: MultiplicativeLR multiplies by its
# factor at *every* step, so "0.95 ** epoch" would compound to 0.95^(n(n+1)/2); CyclicLR's default
# step_size_up of 2000 would draw a ramp on a 100-epoch run.
CLASS_EXAMPLES: dict[tuple[str, str], Any] = {
    ("MultiplicativeLR", "lr_lambda"): '"0.95"',
    ("CyclicLR", "step_size_up"): 10,
    ("PolynomialLR", "total_iters"): 100,
}
NESTED: dict[str, list[str]] = {
    SEQUENTIAL: [
        "  milestones: [5]",
        "  schedulers:",
        "    - {type: linear, start_factor: 0.01, total_iters: 5}   # warmup",
        "    - {type: cosine, T_max: 95, eta_min: 1.0e-5}",
    ],
    CHAINED: [
        "  schedulers:",
        "    - {type: constant, factor: 0.1, total_iters: 10}",
        "    - {type: exponential, gamma: 0.97}",
    ],
}
PLATEAU_INIT = [
    "# metric: {profile: exp-decay, seed: 0}   # what step(metric) gets; the default.",
    "#   or {values: [...]} (one per scheduler step),",
    "#   or {file: losses.csv, column: val_loss} to replay a logged metric",
]
