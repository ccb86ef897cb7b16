"""A run resumed from a checkpoint (``resume_at: [K, ...]``), the way training scripts do it.

Before optimizer step K, the run saves ``optimizer.state_dict()`` and ``scheduler.state_dict()``
(through ``torch.save``, as a checkpoint file holds them), builds a fresh optimizer and
scheduler from the spec, and continues with, by ``resume_mode``:

- ``state_dict``: both state dicts loaded into the fresh pair (Lightning's order: build both,
  then load the optimizer's, then the scheduler's);
- ``rebuild``: the optimizer's state loaded, the scheduler built with ``last_epoch=K-1`` (in
  scheduler steps) and no state of its own (:func:`lrplot.families.base.rebuild`);
- ``fresh``: the optimizer's state loaded, the scheduler built anew, without its state: a
  script that forgets ``scheduler.load_state_dict``.

The rows are the resumed run's. :mod:`lrplot.simulate` adds ``Curve.uninterrupted``, the same
spec run without a break, so a schedule that does not survive the round trip shows, and
:func:`resume_warning` says where.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotError, LrplotWarning, SimulationError
from lrplot.families import family_of
from lrplot.families.base import rebuild
from lrplot.metrics import Feed, metric_values
from lrplot.model import Curve, CurveSpec, MetricSpec
from lrplot.recording import (
    Progress,
    build_optimizer,
    check_finite,
    lr_after,
    mark_stepped,
    metric_rows,
    record,
    record_ends,
)

if TYPE_CHECKING:
    import numpy as np

    from lrplot.families.base import Stepping


class ResumeWarning(LrplotWarning):
    """A resumed run whose lr differs from the same run without the break."""


@dataclasses.dataclass
class _Run:
    optimizer: Any
    scheduler: Any
    stepping: Stepping
    ends: Callable[[int], int | None]  # row -> the scheduler step that follows it, if any
    done: int = 0  # scheduler steps taken


def simulate_resumed(
    spec: CurveSpec, progress: Progress | None = None, build_as: CurveSpec | None = None
) -> Curve:
    import numpy as np

    build = build_as or spec
    family = family_of(spec.scheduler)
    metric = None
    if family.uses_metric(spec.scheduler):
        metric = metric_values(spec.metric or MetricSpec(), spec.scheduler_steps)
    values = None if metric is None else Feed(metric)
    total = spec.total_steps
    bounds = [0, *spec.resume_at, total]
    run = _start(spec, build, values)
    first = run.stepping
    groups = run.optimizer.param_groups
    key = next((k for k in ("momentum", "betas") if k in groups[0]), None)
    lr = np.empty((len(groups), total), dtype=np.float64)
    moments = []
    for begin, end in zip(bounds, bounds[1:], strict=False):
        if begin:
            run = _resume(spec, build, run, begin, values)
        moments.append(_segment(run, begin, end, key, lr[:, begin:end], spec.scheduler.path))
        if progress is not None:
            progress(end, total)
    check_finite(lr, spec)
    momentum = None if key is None else np.concatenate(moments, axis=1)
    return Curve(
        spec=spec,
        lr=lr,
        momentum=momentum,
        metric=None if metric is None else metric_rows(metric, first, total),
        momentum_name="beta1" if key == "betas" else "momentum",
        facts=first.facts,
        after=lr_after(run.optimizer.param_groups),
    )


def _start(spec: CurveSpec, build: CurveSpec, metric: Sequence[float] | None) -> _Run:
    optimizer = build_optimizer(spec.optimizer)
    scheduler = family_of(spec.scheduler).build(spec.scheduler, optimizer, build)
    mark_stepped(optimizer)
    return _running(spec, optimizer, scheduler, metric)


def _running(
    spec: CurveSpec, optimizer: Any, scheduler: Any, metric: Sequence[float] | None, done: int = 0
) -> _Run:
    stepping = family_of(spec.scheduler).stepping(spec.scheduler, scheduler, spec, metric)
    return _Run(optimizer, scheduler, stepping, record_ends(stepping, spec.total_steps), done)


def _segment(
    run: _Run, begin: int, end: int, key: str | None, out: np.ndarray, path: str
) -> np.ndarray:
    """Rows ``begin`` to ``end`` into ``out`` (one column per row), each followed by the
    scheduler step the run's loop puts there. Returns the momentum rows (empty without)."""
    import numpy as np

    advance, ends = run.stepping.advance, run.ends

    def row(k: int) -> None:
        step = ends(begin + k)
        if step is not None:
            advance(step)
            run.done += 1

    momentum = record(row, run.optimizer.param_groups, key, out, path)
    if momentum is None:
        return np.empty((out.shape[0], 0))
    return np.array(momentum)


def fresh_branches(
    spec: CurveSpec, at: list[int], until: int
) -> dict[int, tuple[np.ndarray, np.ndarray | None]]:
    """For each K in ``at`` (ascending): rows K to ``until`` - 1 (every group) of the run
    resumed before step K with a fresh scheduler (``resume_mode: fresh``), and the lr after
    them. One pass over the run takes every checkpoint; a branch torch refuses is left out."""
    import numpy as np

    family = family_of(spec.scheduler)
    metric = None
    if family.uses_metric(spec.scheduler):
        metric = Feed(metric_values(spec.metric or MetricSpec(), spec.scheduler_steps))
    run = _start(spec, spec, metric)
    groups = len(run.optimizer.param_groups)
    path = spec.scheduler.path
    found: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
    reached = 0
    for k in at:
        _segment(run, reached, k, None, np.empty((groups, k - reached)), path)
        reached = k
        try:
            optimizer = build_optimizer(spec.optimizer)
            optimizer.load_state_dict(_round_trip(run.optimizer.state_dict()))
            scheduler = family.build(spec.scheduler, optimizer, spec)
            mark_stepped(optimizer)
            branch = _running(spec, optimizer, scheduler, metric)
            rows = np.empty((groups, until - k))
            _segment(branch, k, until, None, rows, path)
        except (LrplotError, ArithmeticError, ValueError, TypeError, RuntimeError, KeyError):
            continue
        found[k] = (rows, lr_after(optimizer.param_groups))
    return found


def _resume(spec: CurveSpec, build: CurveSpec, run: _Run, at: int, metric: Any) -> _Run:
    """The pair a script has after resuming from a checkpoint taken before step ``at``."""
    mode = spec.resume_mode
    where = f"resuming before step {at} (resume_mode: {mode})"
    try:
        saved_optimizer = _round_trip(run.optimizer.state_dict())
        saved_scheduler = _round_trip(run.scheduler.state_dict()) if mode == "state_dict" else None
    except Exception as exc:  # noqa: BLE001 - whatever torch.save raises is the user's to see
        raise SimulationError(f"{where}: saving the state failed: {_reason(exc)}") from None
    optimizer = build_optimizer(spec.optimizer)
    family = family_of(spec.scheduler)
    try:
        if mode == "state_dict":
            scheduler = family.build(spec.scheduler, optimizer, build)
            optimizer.load_state_dict(saved_optimizer)
            scheduler.load_state_dict(saved_scheduler)
        else:
            optimizer.load_state_dict(saved_optimizer)
            if mode == "rebuild":
                scheduler = rebuild(spec.scheduler, optimizer, build, run.done - 1)
            else:
                scheduler = family.build(spec.scheduler, optimizer, build)
        # The resumed run's first optimizer step comes before its first scheduler step.
        mark_stepped(optimizer)
    except LrplotError as exc:
        raise exc.located(path="resume_mode") from None
    except Exception as exc:  # noqa: BLE001 - show what torch does, as a clean error
        raise SimulationError(f"{where}: torch raised {_reason(exc)}", path="resume_mode") from None
    return _running(spec, optimizer, scheduler, metric, run.done)


def _round_trip(state: Any) -> Any:
    """``state`` saved and loaded as a checkpoint file would hold it."""
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)  # lrplot's own objects, not a user's file


def _times(factor: float) -> str:
    return f"{factor:.3g}x" if factor < 1000 else f"{factor:,.0f}x"


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 300 else text[:300] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def resume_warning(curve: Curve) -> tuple[int, str] | None:
    """(index into resume_at, message) when the resumed lr differs from the uninterrupted one."""
    import numpy as np

    if curve.uninterrupted is None or not curve.spec.resume_at:
        return None
    resumed, plain = curve.lr, curve.uninterrupted
    differ = (resumed != plain) & ~(np.isnan(resumed) & np.isnan(plain))
    columns = np.flatnonzero(differ.any(axis=0))
    if not columns.size:
        return None
    first = int(columns[0])
    group = int(np.flatnonzero(differ[:, first])[0])
    index = max(i for i, at in enumerate(curve.spec.resume_at) if at <= first)
    at = curve.spec.resume_at[index]
    was, got = float(plain[group, first]), float(resumed[group, first])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(resumed - plain)[:, columns] / np.abs(plain)[:, columns]
    worst = float(np.nanmax(rel)) if np.isfinite(rel).any() else float("inf")
    where = f" (param group {group})" if curve.groups > 1 else ""
    later = curve.lr.shape[1] - at
    message = (
        f"resuming before step {at} (resume_mode: {curve.spec.resume_mode}) changes the "
        f"schedule: at step {first}{where} the uninterrupted run has lr {was:.6g}, the "
        f"resumed one {got:.6g}; {columns.size} of the {later} steps from {at} on differ, "
        + (f"by up to {100 * worst:.3g}%" if worst < 1 else f"up to {_times(1 + worst)} as high")
    )
    return index, message
