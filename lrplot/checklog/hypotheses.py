"""Why a run's logged lr left its plan: six common mistakes, each *simulated* with the real
scheduler (the spec run again, changed the way the mistake changes the run) and accepted only
when the simulation reproduces every logged point. In order of precedence:

- ``stepped-per-epoch`` / ``stepped-per-step``: the other interval, the scheduler built as the
  plan builds it (a run-length default such as OneCycleLR's ``total_steps`` stays the plan's);
- ``accumulation-xK``: ``steps_per_epoch`` divided by K (rounded up: a last, incomplete window
  still steps), every run-length default recomputed for the shorter run;
- ``offset-N``: log step t holds the plan's row t + N (logging after ``scheduler.step()`` is
  ``offset-1``);
- ``resumed-at-N``: before step N the run built a fresh scheduler on its resumed optimizer,
  without the scheduler's state (``resume_mode: fresh``);
- ``lr-scaled-xF``: the optimizer's lr (and every group's) times F.

Each hypothesis first simulates only as far as a few points past the divergence (a cheap
screen), then as far as the log goes.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrplot.errors import LrplotError
from lrplot.families import family_of
from lrplot.model import Curve, CurveSpec
from lrplot.runlog.compare import close_to, planned_values
from lrplot.runlog.model import LoggedLr

if TYPE_CHECKING:
    import numpy as np

MAX_ACCUMULATION = 64  # distinct steps_per_epoch / K tried
MAX_OFFSETS = 20  # offset candidates simulated
MAX_RESUMES = 256  # resume points tried, the nearest to the divergence
SCREEN_POINTS = 3  # logged points past the divergence a screen covers


@dataclass(frozen=True, eq=False)
class Cause:
    """A hypothesis that reproduces the whole log: its id, one sentence, and its lr (of the
    log's param group, drawn at row - ``shift``)."""

    id: str
    sentence: str
    lr: np.ndarray
    shift: int = 0


@dataclass
class Context:
    spec: CurveSpec
    plan: Curve
    log: LoggedLr
    rtol: float
    first: int  # index of the first logged point that does not match the plan

    @property
    def screen(self) -> int:
        """How many points (from the first) the cheap screen checks."""
        return min(len(self.log), self.first + 1 + SCREEN_POINTS)

    def run(
        self, spec: CurveSpec, build_as: CurveSpec | None, rows: int, extend: bool = False
    ) -> tuple[np.ndarray, float] | None:
        """The lr of the log's group for rows 0..``rows`` (the last one may be the lr after the
        run), simulating no further than needed; None if torch refuses or the run is shorter."""
        from lrplot.simulate import simulate

        total = spec.total_steps
        if rows > total and not extend:
            return None
        wanted = max(1, rows if extend else min(rows, total))
        epochs = -(-wanted // spec.steps_per_epoch)
        if epochs != spec.epochs:
            build_as = build_as or spec
            resume_at = tuple(k for k in spec.resume_at if k < epochs * spec.steps_per_epoch)
            spec = dataclasses.replace(spec, epochs=epochs, resume_at=resume_at)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                curve = simulate(spec, build_as=build_as)
        except LrplotError:
            return None
        after = curve.after[self.log.group] if curve.after is not None else math.nan
        return curve.lr[self.log.group], float(after)

    def fits(self, lr: np.ndarray, after: float, shift: int = 0, upto: int | None = None) -> bool:
        log = self.log
        stop = len(log) if upto is None else upto
        rows = log.rows[:stop] + shift
        planned = planned_values(lr, after, rows)
        part = dataclasses.replace(
            log,
            step=log.step[:stop],
            value=log.value[:stop],
            low=None if log.low is None else log.low[:stop],
            high=None if log.high is None else log.high[:stop],
        )
        return bool(close_to(part, planned, self.rtol).all())

    def reproduces(
        self,
        spec: CurveSpec,
        build_as: CurveSpec | None = None,
        shift: int = 0,
        extend: bool = False,
    ) -> np.ndarray | None:
        """The hypothesis' lr if it reproduces every logged point (screen first)."""
        lr = None
        for upto in (self.screen, len(self.log)):
            rows = int(self.log.rows[:upto].max()) + shift
            got = self.run(spec, build_as, rows, extend)
            if got is None or not self.fits(got[0], got[1], shift, upto):
                return None
            lr = got[0]
        return lr


def diagnose(ctx: Context) -> Cause | None:
    """The first hypothesis, in order of precedence, that reproduces the whole log."""
    tests: list[Callable[[Context], Cause | None]] = [
        _stepped_per_epoch,
        _stepped_per_step,
        _accumulation,
        _offset,
        _resumed,
        _scaled,
    ]
    for test in tests:
        cause = test(ctx)
        if cause is not None:
            return cause
    return None


def _stepped_per_epoch(ctx: Context) -> Cause | None:
    spec = ctx.spec
    if spec.interval != "step" or spec.steps_per_epoch == 1:
        return None
    lr = ctx.reproduces(dataclasses.replace(spec, interval="epoch"), build_as=spec)
    text = (
        f"the scheduler stepped once per epoch (every {spec.steps_per_epoch} optimizer steps), "
        "where the plan steps it after every optimizer step"
    )
    return None if lr is None else Cause("stepped-per-epoch", text, lr)


def _stepped_per_step(ctx: Context) -> Cause | None:
    spec = ctx.spec
    if spec.interval != "epoch" or spec.steps_per_epoch == 1:
        return None
    lr = ctx.reproduces(dataclasses.replace(spec, interval="step"), build_as=spec)
    text = (
        "the scheduler stepped after every optimizer step, where the plan steps it once per "
        f"epoch (every {spec.steps_per_epoch} optimizer steps)"
    )
    return None if lr is None else Cause("stepped-per-step", text, lr)


def _accumulation(ctx: Context) -> Cause | None:
    spec = ctx.spec
    batches = spec.steps_per_epoch
    by_steps: dict[int, int] = {}  # optimizer steps per epoch -> K (one dividing exactly first)
    for k in range(2, batches + 1):
        steps = -(-batches // k)
        if steps not in by_steps or (batches % k == 0 and batches % by_steps[steps]):
            by_steps[steps] = k
    last_row = int(ctx.log.rows.max())
    tried = 0
    for steps, k in sorted(by_steps.items(), key=lambda item: item[1]):
        if last_row > spec.epochs * steps or tried >= MAX_ACCUMULATION:
            continue
        tried += 1
        lr = ctx.reproduces(dataclasses.replace(spec, steps_per_epoch=steps))
        if lr is not None:
            text = (
                f"the run took one optimizer step per {k} batches ({steps} per epoch, not "
                f"{batches}): the plan counted batches where the run accumulated gradients"
            )
            return Cause(f"accumulation-x{k}", text, lr)
    return None


def _offset(ctx: Context) -> Cause | None:
    import numpy as np

    plan = ctx.plan.lr[ctx.log.group]
    after = ctx.plan.after[ctx.log.group] if ctx.plan.after is not None else math.nan
    extended = np.append(plan, after)
    last = extended.shape[0] - 1
    rows = ctx.log.rows
    candidates = np.arange(1, max(1, last - int(rows[ctx.first]) + 1), dtype=np.int64)
    order = [ctx.first, *range(len(ctx.log))]
    for j in order:
        if not candidates.size:
            return None
        at = rows[j] + candidates
        inside = at <= last
        keep = np.ones(candidates.size, dtype=bool)
        keep[inside] = _close_one(ctx, j, extended[at[inside]])
        candidates = candidates[keep]
    for shift in candidates[:MAX_OFFSETS].tolist():
        lr = ctx.reproduces(ctx.spec, build_as=ctx.spec, shift=shift, extend=True)
        if lr is not None:
            text = f"log step t holds the planned lr of step t+{shift}"
            if shift == 1:
                text += " (the loop logged the lr after scheduler.step(), not before the step)"
            return Cause(f"offset-{shift}", text, lr, shift)
    return None


def _close_one(ctx: Context, j: int, planned: np.ndarray) -> np.ndarray:
    """Whether logged point ``j`` matches each value of ``planned``."""
    log = ctx.log
    one = dataclasses.replace(
        log,
        step=log.step[j : j + 1].repeat(planned.shape[0]),
        value=log.value[j : j + 1].repeat(planned.shape[0]),
        low=None if log.low is None else log.low[j : j + 1].repeat(planned.shape[0]),
        high=None if log.high is None else log.high[j : j + 1].repeat(planned.shape[0]),
    )
    return close_to(one, planned, ctx.rtol)


def _resumed(ctx: Context) -> Cause | None:
    import numpy as np

    from lrplot.resume import fresh_branches

    spec = ctx.spec
    diverged = int(ctx.log.rows[ctx.first])
    every = spec.rows_per_scheduler_step
    if spec.resume_at or diverged < 1:
        return None
    points = list(range(every, min(diverged, spec.total_steps - 1) + 1, every))
    points = points[-MAX_RESUMES:]
    if not points:
        return None
    group = ctx.log.group
    until = min(spec.total_steps, int(ctx.log.rows[: ctx.screen].max()) + 1)
    until = max(until, points[-1] + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        branches = fresh_branches(spec, points, until)
    plan = ctx.plan.lr[group]
    for at in reversed(points):
        if at not in branches:
            continue
        rows, after = branches[at]
        lr = np.concatenate((plan[:at], rows[group]))
        end = float(after[group]) if after is not None else math.nan
        if not ctx.fits(lr, end, upto=ctx.screen):
            continue
        full = ctx.reproduces(dataclasses.replace(spec, resume_at=(at,), resume_mode="fresh"))
        if full is not None:
            name = family_of(spec.scheduler).describe(spec.scheduler).split("(")[0]
            text = (
                f"before step {at} the run built a fresh {name} on its resumed optimizer, "
                "without loading the scheduler's state_dict"
            )
            return Cause(f"resumed-at-{at}", text, full)
    return None


def _scaled(ctx: Context) -> Cause | None:
    log = ctx.log
    plan = ctx.plan.lr[log.group]
    factor = None
    for j in [ctx.first, *range(len(log))]:
        row = int(log.rows[j])
        if 0 <= row < plan.shape[0] and plan[row] != 0 and log.value[j] != 0:
            factor = float(log.value[j] / plan[row])
            break
    if factor is None or not math.isfinite(factor) or abs(factor - 1) <= ctx.rtol:
        return None
    optimizer = ctx.spec.optimizer
    lr = optimizer.kwargs.get("lr", optimizer.default_lr)
    if not isinstance(lr, int | float) or not math.isfinite(lr):
        return None
    groups = tuple(
        {**group, "lr": group["lr"] * factor} if "lr" in group else group
        for group in optimizer.param_groups
    )
    scaled = dataclasses.replace(
        optimizer,
        kwargs={**optimizer.kwargs, "lr": lr * factor},
        param_groups=groups,
        default_lr=lr * factor,
    )
    found = ctx.reproduces(dataclasses.replace(ctx.spec, optimizer=scaled))
    if found is None:
        return None
    text = f"the base lr was {factor:.6g} times the plan's ({lr * factor:.6g} instead of {lr:.6g})"
    return Cause(f"lr-scaled-x{factor:.6g}", text, found)
