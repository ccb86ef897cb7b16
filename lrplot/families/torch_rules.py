"""What lrplot knows about torch's scheduler classes beyond their signatures.

- Rules torch does not check (or checks only at the first ``step()``), by argument name:
  :func:`with_rules` turns them into bounds on the Param, for schedulers and optimizers alike.
- Rules across arguments, per class (:func:`check_class`, :func:`check_run`).
- Where each class does something worth marking on a figure (:func:`own_events`).
- Legal but suspicious settings: :mod:`lrplot.families.torch_warnings`.
- Starter values for ``lrplot init``: :mod:`lrplot.families.torch_init`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lrplot.families.base import Event
from lrplot.params import Kind, Param

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext
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

# lrplot's one-line summary where the first sentence of torch's docstring does not tell the
# classes apart (LambdaLR's reads "Sets the initial learning rate."; both cosines read alike).
# A class not listed here, such as one a newer torch adds, is summarised by torch's sentence.
SUMMARIES: dict[str, str] = {
    "LambdaLR": "lr = initial lr x lr_lambda(epoch), a function of the step you give",
    "MultiplicativeLR": "multiplies the lr by lr_lambda(epoch) at every step (compounding)",
    "ConstantLR": "scales the lr by factor until total_iters, then restores it (a flat warmup)",
    "LinearLR": (
        "scales the lr by a factor that moves linearly from start_factor to end_factor over "
        "total_iters (a warmup or a decay)"
    ),
    "SequentialLR": "runs schedulers one after another, handing over at each milestone",
    "CosineAnnealingLR": (
        "half a cosine from the lr down to eta_min over T_max steps (then back up: period 2 x "
        "T_max)"
    ),
    "ChainedScheduler": "steps several schedulers together, their factors multiplied",
    "CosineAnnealingWarmRestarts": (
        "cosine from the lr down to eta_min, restarting at the lr every T_0 steps (each period "
        "T_mult times longer)"
    ),
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


def own_events(kind: str, kw: Mapping[str, Any], span: int) -> Iterator[Event]:
    """Events relative to where the scheduler starts (``at`` in its own scheduler steps)."""
    if kind == "MultiStepLR":
        for milestone in kw.get("milestones", []):
            yield Event(int(milestone), "milestone")
    elif kind == "StepLR":
        size = int(kw.get("step_size", 0))
        if size > 0:
            # One note for the lot ("x0.5 every 10 epochs"), not the same label at every drop.
            for at in range(size, span + 1, size):
                yield Event(at, "milestone", every=size)
    elif kind == "CosineAnnealingWarmRestarts":
        period, mult = int(kw.get("T_0", 0)), int(kw.get("T_mult", 1) or 1)
        at = period
        while 0 < period and at <= span:
            yield Event(at, "restart", "restart")
            period *= mult
            at += period
    elif kind == "LinearLR":
        start, end = float(kw.get("start_factor", 1 / 3)), float(kw.get("end_factor", 1.0))
        text = "warmup ends" if start < end else "decay ends"
        yield Event(int(kw.get("total_iters", 5)), "warmup" if start < end else "end", text)
    elif kind == "ConstantLR":
        yield Event(int(kw.get("total_iters", 5)), "warmup", "warmup ends")
    elif kind == "PolynomialLR":
        yield Event(int(kw.get("total_iters", 5)), "end", "decay ends")
    elif kind == "CosineAnnealingLR":
        yield Event(int(kw.get("T_max", 0)), "end", "T_max")
    elif kind == "SWALR":
        yield Event(int(kw.get("anneal_epochs", 10)), "end", "swa_lr reached")
    elif kind == ONECYCLE:
        # torch's warmup phase ends at step pct_start * total_steps - 1; a run that stops
        # before that is still rising, and its last (highest) row is no "warmup end".
        total = onecycle_total(kw) or span
        end = float(kw.get("pct_start", 0.3)) * total - 1
        if end >= 0:
            yield Event(int(end), "warmup", "warmup ends", how="peak")
