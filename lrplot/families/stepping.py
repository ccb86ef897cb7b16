"""How training loops step a scheduler, for every family that builds one of these kinds.

- :func:`plain_stepping`: torch's way, ``scheduler.step()`` after each epoch or optimizer step,
  or ``scheduler.step(metric)`` for a plateau-like scheduler;
- :func:`timm_stepping`: timm's ``train.py``, ``step_update(num_updates=n)`` after every
  optimizer update and ``step(epoch + 1, metric)`` at the end of every epoch.

Row ``t`` is always the lr before optimizer step ``t``: the simulation reads it, then calls
``advance(t)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrplot.families.base import StepCode, Stepping
from lrplot.families.torch_init import PLATEAU_INIT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lrplot.model import CurveSpec

PLATEAU_FACTS = ("mode", "threshold", "threshold_mode", "patience", "cooldown")
METRIC_INIT = tuple(PLATEAU_INIT)
"""``lrplot init`` lines for a scheduler stepped with a metric."""


def facts_of(scheduler: Any) -> dict[str, Any]:
    """A plateau-like scheduler's settings as the object holds them, for drawing."""
    return {name: getattr(scheduler, name) for name in PLATEAU_FACTS if hasattr(scheduler, name)}


def plain_stepping(scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None) -> Stepping:
    """``step()`` (or ``step(metric[k])``) once per scheduler step of the run, after the
    optimizer steps the run's loop says (:attr:`CurveSpec.loop`): every one, every epoch's last,
    or Lightning's frequency pattern."""
    step = scheduler.step
    loop = curve.loop
    period = loop.period
    shape: dict[str, Any] = {
        "advances": loop.scheduler_steps,
        "counts": None if period is not None else loop.counts(),
    }
    if metric is None:

        def advance(k: int) -> object:
            return step()

        return Stepping(advance, loop.records, period or 1, **shape)
    values = metric

    def advance_with_metric(k: int) -> object:
        return step(values[k])

    return Stepping(advance_with_metric, loop.records, period or 1, facts_of(scheduler), **shape)


def plain_step_code(curve: CurveSpec, needs_metric: bool) -> StepCode:
    per_step = curve.interval == "step"
    if not needs_metric:
        return StepCode("scheduler.step()", per_step)
    index = f"epoch * {curve.steps_per_epoch} + batch" if per_step else "epoch"
    return StepCode(f"scheduler.step(float(metric[{index}]))", per_step, needs_metric=True)


def timm_stepping(scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None) -> Stepping:
    """timm's train.py: after optimizer update ``t`` (0-based), ``step_update(num_updates=t +
    1)``; after the last update of epoch ``e``, ``step(e + 1, metric[e])``. ``None`` (timm's
    ``sched: none``) leaves the lr alone."""
    per_epoch = curve.steps_per_epoch
    facts: dict[str, Any] = {}
    if scheduler is None:

        def advance_nothing(k: int) -> object:
            return None

        return Stepping(advance_nothing, curve.total_steps, metric_repeat=per_epoch)
    step_update, step = scheduler.step_update, scheduler.step
    values = metric
    if metric is not None:
        # timm's plateau wraps a torch ReduceLROnPlateau, which holds the settings.
        facts = facts_of(getattr(scheduler, "lr_scheduler", scheduler))

    def advance(k: int) -> object:
        updates = k + 1
        step_update(num_updates=updates)
        if updates % per_epoch == 0:
            epoch = updates // per_epoch
            step(epoch, None if values is None else values[epoch - 1])
        return None

    return Stepping(advance, curve.total_steps, 1, facts, metric_repeat=per_epoch)


def timm_step_code(curve: CurveSpec, needs_metric: bool) -> StepCode:
    """The exported loop's calls for a timm scheduler, as train.py makes them."""
    epoch_end = "scheduler.step(epoch + 1" + (", float(metric[epoch]))" if needs_metric else ")")
    update = f"scheduler.step_update(num_updates=epoch * {curve.steps_per_epoch} + batch + 1)"
    return StepCode(epoch_end, per_step=False, needs_metric=needs_metric, per_update=update)
