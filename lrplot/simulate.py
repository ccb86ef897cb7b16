"""Spec -> Curve: build the real torch optimizer and scheduler and step them.

Row ``t`` of a curve is the learning rate in effect during optimizer step ``t``, read from
``param_groups`` *before* that step, so row 0 is what the scheduler's constructor set. The loop is
the one a training script runs::

    for t in range(N):
        record(param_groups)          # row t
        optimizer.step()              # (see lrplot.recording.mark_stepped)
        if end of epoch (or every step with interval: step):
            scheduler.step()          # ReduceLROnPlateau: scheduler.step(metric)

How a scheduler is built and stepped is its family's to say (``Family.build`` and
``Family.stepping``); this module knows no scheduler by name. Nothing here draws or writes files.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lrplot.errors import CurveWarning, LrplotError, SpecError
from lrplot.families import family_of
from lrplot.families.base import StepCode
from lrplot.metrics import Feed, metric_values
from lrplot.model import Curve, CurveSpec, FigureSpec, MetricSpec, SchedulerSpec
from lrplot.origins import Origins
from lrplot.recording import (
    CHUNK_STEPS,
    PROGRESS_EVERY,
    Progress,
    Recorder,
    build_optimizer,
    check_finite,
    lr_after,
    mark_stepped,
    metric_rows,
    numbers,
    planned_advances,
    record_series,
    repeat_rows,
)

__all__ = ["PROGRESS_EVERY", "build_optimizer", "build_scheduler", "simulate", "simulate_figure"]


def simulate(
    spec: CurveSpec | FigureSpec,
    *,
    progress: Progress | None = None,
    build_as: CurveSpec | None = None,
) -> Curve:
    """Simulate one curve (a CurveSpec, or a FigureSpec that holds exactly one).

    ``progress(done, total)``, if given, is called every 65,536 scheduler steps and once at the
    end with ``done == total`` (for a progress bar). A resumed run (``resume_at``) whose lr
    differs from the uninterrupted one warns with a :class:`lrplot.resume.ResumeWarning`.
    ``build_as`` (a CurveSpec only) builds the scheduler as that run would, and steps it as
    ``spec`` says: a run-length default (OneCycleLR's ``total_steps``) stays the other run's.
    """
    if isinstance(spec, FigureSpec):
        if len(spec.curves) != 1:
            raise LrplotError(
                f"the spec has {len(spec.curves)} curves; use simulate_figure()", source=spec.source
            )
        return simulate_figure(spec, progress=progress)[0]
    curve = _simulate(spec, progress, build_as=build_as)
    _warn_collapse(curve, spec.scheduler.path, None)
    _warn_resumed(curve, Origins(), "resume_at")
    return curve


def simulate_figure(spec: FigureSpec, *, progress: Progress | None = None) -> tuple[Curve, ...]:
    """Simulate every curve of a figure, each with a fresh optimizer."""
    curves = []
    for i, curve in enumerate(spec.curves):
        owner = f"curves[{i}]." if f"curves[{i}].resume_at" in spec.origins.lines else ""
        try:
            curves.append(_simulate(curve, progress, spec))
        except LrplotError as exc:
            if exc.path in ("resume_at", "resume_mode"):
                exc.path = owner + exc.path
            raise exc.relocated(spec.origins, source=spec.source) from None
    for i, done in enumerate(curves):
        owner = f"curves[{i}]." if f"curves[{i}].resume_at" in spec.origins.lines else ""
        path, line = spec.origins.locate(done.spec.scheduler.path)
        _warn_collapse(done, path, line)
        _warn_resumed(done, spec.origins, owner + "resume_at")
    return tuple(curves)


COLLAPSE = 1e-12
"""An lr below this fraction of its start is no lr at all: training has stopped."""


def collapse(curve: Curve) -> str | None:
    """Why the curve's lr collapses (positive, but below COLLAPSE x its start, for at least 1 %
    of the run and 2 steps), or None. An lr of exactly 0 is a schedule's deliberate end, and a
    decay to 0 sampled finely touches the band only in its last few steps: neither counts."""
    import numpy as np

    rows = len(curve)
    for g in range(curve.groups):
        lr = curve.lr[g]
        start = float(lr[0])
        if not start > 0:
            continue
        count, first = 0, -1
        for begin in range(0, rows, CHUNK_STEPS):  # masks of the whole run: 3 bytes a value
            part = lr[begin : begin + CHUNK_STEPS]
            low = (part > 0) & (part < start * COLLAPSE)
            found = int(np.count_nonzero(low))
            if found and first < 0:
                first = begin + int(np.argmax(low))
            count += found
        if count >= max(2, rows // 100):
            group = f" (param group {g})" if curve.groups > 1 else ""
            return (
                f"the lr{group} falls below 1e-12 of its start {start:g} at step {first} "
                f"({float(lr[first]):.3g}) and {count} of the {rows} steps are that low: "
                "training has effectively stopped; slow the decay (the factor applied at each "
                "step), or shorten the run"
            )
    return None


def _warn_collapse(curve: Curve, path: str | None, line: int | None) -> None:
    import warnings

    message = collapse(curve)
    if message is not None:
        warnings.warn(CurveWarning(message, path=path, line=line), stacklevel=3)


def _warn_resumed(curve: Curve, origins: Origins, path: str) -> None:
    import warnings

    from lrplot.resume import ResumeWarning, resume_warning

    found = resume_warning(curve)
    if found is not None:
        shown, line = origins.locate(f"{path}[{found[0]}]")
        warnings.warn(ResumeWarning(found[1], path=shown, line=line), stacklevel=3)


def _simulate(
    spec: CurveSpec,
    progress: Progress | None = None,
    figure: FigureSpec | None = None,
    *,
    build_as: CurveSpec | None = None,
) -> Curve:
    """One curve. ``build_as`` builds the scheduler as another run would (the plan's), while
    ``spec`` says how it is stepped: a run-length default such as OneCycleLR's ``total_steps``
    then stays what the plan computed (lrplot.checklog tests "stepped per epoch" that way)."""

    if spec.resume_at:
        from lrplot.resume import simulate_resumed

        resumed = simulate_resumed(spec, progress, build_as)
        plain = _simulate(dataclasses.replace(spec, resume_at=()), None, figure, build_as=build_as)
        return dataclasses.replace(resumed, uninterrupted=plain.lr, figure=figure)
    curve, changed = _run(spec, progress, (), figure, build_as)
    if changed:
        curve, _ = _run(spec, None, tuple(sorted(changed)), figure, build_as)
    return curve


def _run(
    spec: CurveSpec,
    progress: Progress | None,
    watch: tuple[str, ...],
    figure: FigureSpec | None,
    build_as: CurveSpec | None,
) -> tuple[Curve, set[str]]:
    """One run, recording the lr, momentum and the ``watch`` keys; returns the curve and the
    param group keys a scheduler changed besides those (seen by comparing the groups with their
    start every chunk). Watching every write instead would cost a Python call per step."""
    import numpy as np

    # A fresh optimizer for every curve: schedulers store `initial_lr` with setdefault, so a
    # reused optimizer would silently distort the next curve.
    optimizer = build_optimizer(spec.optimizer)
    family = family_of(spec.scheduler)
    scheduler = family.build(spec.scheduler, optimizer, build_as or spec)
    groups = optimizer.param_groups
    momentum_key = next((key for key in ("momentum", "betas") if key in groups[0]), None)
    metric = None
    if family.uses_metric(spec.scheduler):
        metric = metric_values(spec.metric or MetricSpec(), spec.scheduler_steps)
    stepping = family.stepping(
        spec.scheduler, scheduler, spec, None if metric is None else Feed(metric)
    )
    lr = np.empty((len(groups), stepping.records), dtype=np.float64)

    mark_stepped(optimizer)
    start = numbers(groups, momentum_key)
    keys = ([momentum_key] if momentum_key else []) + [k for k in watch if k != momentum_key]
    recorder = Recorder(groups, keys, start, lr.shape)
    series = record_series(planned_advances(stepping), recorder, lr, spec.scheduler.path, progress)
    after = lr_after(groups)

    check_finite(lr, spec)
    extra = {key: series[key] for key in watch if key in series}
    if "weight_decay" in start and "weight_decay" not in extra:
        values = np.array([[start["weight_decay"][g]] for g in range(len(groups))], np.float64)
        extra["weight_decay"] = np.broadcast_to(values, lr.shape)
    momentum = series.get(momentum_key) if momentum_key else None
    rows = spec.total_steps
    times = stepping.counts if stepping.counts is not None else stepping.repeat
    lr = repeat_rows(lr, times, rows)
    if momentum is not None:
        momentum = repeat_rows(momentum, times, rows)
    extra = {key: repeat_rows(values, times, rows) for key, values in extra.items()}
    if metric is not None:
        metric = metric_rows(metric, stepping, rows)
    curve = Curve(
        spec=spec,
        lr=lr,
        momentum=momentum,
        metric=metric,
        momentum_name="beta1" if momentum_key == "betas" else "momentum",
        facts=stepping.facts,
        extra=extra,
        figure=figure,
        after=after,
    )
    return curve, recorder.changed - set(watch)


def loop_source(curve: CurveSpec, target: str) -> list[str]:
    """The training loop a run steps, as the Python source ``lrplot code`` prints: it records
    ``target[t][g]``, the lr of param group ``g`` during optimizer step ``t``. It lives beside
    the loop lrplot runs, so that a change to how a run steps changes both."""
    stepping = family_of(curve.scheduler).step_code(curve.scheduler, curve)
    if curve.frequency > 1:
        return _lightning_loop(curve, target, stepping)
    step = "optimizer.step(lambda: torch.zeros(()))" if curve.optimizer.type == "LBFGS" else None
    cut = curve.max_steps is not None
    lines = [
        f"{target} = []  # {target}[t][g]: the lr of param group g during optimizer step t",
        f"for epoch in range({curve.epochs}):",
        f"    for batch in range({curve.steps_per_epoch}):",
    ]
    if cut:
        lines += [
            f"        if len({target}) == {curve.total_steps}:  # max_steps",
            "            break",
        ]
    lines += [
        f"        {target}.append([float(group['lr']) for group in optimizer.param_groups])",
        "        # training: loss = ...; loss.backward()",
        f"        {step or 'optimizer.step()'}",
        "        optimizer.zero_grad()",
    ]
    if stepping.per_update:
        lines.append(f"        {stepping.per_update}")
    if stepping.per_step:
        lines += _indented(8, stepping.call)
    elif cut:
        lines += ["    else:  # an epoch cut short by max_steps ends without it"]
        lines += _indented(8, stepping.call)
    else:
        lines += _indented(4, stepping.call)
    return lines


def _indented(spaces: int, call: str) -> list[str]:
    """The scheduler's step code (one line, or a hand-written loop's if/else) at ``spaces``."""
    return [" " * spaces + line for line in call.splitlines()]


def _lightning_loop(curve: CurveSpec, target: str, stepping: StepCode) -> list[str]:
    """Lightning's loop: an optimizer step every `accumulate` batches and on an epoch's last
    batch; scheduler.step() on every frequency-th batch index of the epoch, or epoch."""
    if stepping.needs_metric:
        raise SpecError(
            "lrplot code does not write a metric-driven scheduler with a Lightning frequency"
        )
    data = curve.data
    batches = data.batches if data else curve.steps_per_epoch
    accumulate = data.accumulate if data else 1
    frequency = curve.frequency
    lines = [
        f"{target} = []  # {target}[t][g]: the lr of param group g during optimizer step t",
        f"# Lightning: {batches} batches an epoch, accumulate_grad_batches {accumulate}, "
        f"{curve.interval} interval, frequency {frequency}",
        f"for epoch in range({curve.epochs}):",
        f"    for batch in range({batches}):",
        f"        if (batch + 1) % {accumulate} and batch + 1 < {batches}:",
        "            continue  # accumulating gradients: no optimizer step",
        f"        if len({target}) == {curve.total_steps}:  # max_steps",
        "            break",
        f"        {target}.append([float(group['lr']) for group in optimizer.param_groups])",
        "        optimizer.step()",
        "        optimizer.zero_grad()",
    ]
    if stepping.per_update:
        lines.append(f"        {stepping.per_update}")
    if curve.interval == "step":
        lines += [f"        if (batch + 1) % {frequency} == 0:", *_indented(12, stepping.call)]
    else:
        lines += [
            "    else:  # an epoch cut short by max_steps ends without it",
            f"        if (epoch + 1) % {frequency} == 0:",
            *_indented(12, stepping.call),
        ]
    return lines


def build_scheduler(spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
    """The real scheduler for ``spec`` on ``optimizer``, built by its family."""
    return family_of(spec).build(spec, optimizer, curve)
