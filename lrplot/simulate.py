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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrplot.errors import CurveWarning, LrplotError, SimulationError
from lrplot.families import family_of
from lrplot.families.optimizers import build_optimizer
from lrplot.metrics import metric_values
from lrplot.model import Curve, CurveSpec, FigureSpec, MetricSpec, SchedulerSpec

if TYPE_CHECKING:
    import numpy as np

__all__ = ["build_optimizer", "build_scheduler", "simulate", "simulate_figure"]


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
        return simulate_figure(spec, progress=progress)[0]
    curve = _simulate(spec, progress)
    _warn_collapse(curve, spec.scheduler.path, None)
    return curve


def simulate_figure(spec: FigureSpec, *, progress: Progress | None = None) -> tuple[Curve, ...]:
    """Simulate every curve of a figure, each with a fresh optimizer."""
    try:
        curves = tuple(_simulate(curve, progress, spec) for curve in spec.curves)
    except LrplotError as exc:
        raise exc.relocated(spec.origins, source=spec.source) from None
    for curve in curves:
        path, line = spec.origins.locate(curve.spec.scheduler.path)
        _warn_collapse(curve, path, line)
    return curves


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
        low = (lr > 0) & (lr < start * COLLAPSE)
        count = int(np.count_nonzero(low))
        if count >= max(2, rows // 100):
            first = int(np.argmax(low))
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


def _simulate(
    spec: CurveSpec, progress: Progress | None = None, figure: FigureSpec | None = None
) -> Curve:
    """Run the spec; when a scheduler changed a param group key besides the lr and momentum
    (seen by comparing the groups with their start every chunk), run it again recording that
    key at every step. Watching every write instead would cost a Python call per step."""
    curve, changed = _run(spec, progress, (), figure)
    if changed:
        curve, _ = _run(spec, None, tuple(sorted(changed)), figure)
    return curve


def _run(
    spec: CurveSpec, progress: Progress | None, watch: tuple[str, ...], figure: FigureSpec | None
) -> tuple[Curve, set[str]]:
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
    advance = stepping.advance
    advances = stepping.records if stepping.advances is None else stepping.advances
    if advances < stepping.records:
        # The run ends between two scheduler steps: no scheduler.step() after the last row.
        inner = advance

        def advance(k: int) -> object:
            return inner(k) if k < advances else None

    start = _numbers(groups, momentum_key)
    keys = ([momentum_key] if momentum_key else []) + [k for k in watch if k != momentum_key]
    recorder = _Recorder(groups, keys, start, lr.shape)
    series = _record(advance, recorder, lr, spec.scheduler.path, progress)

    _check_finite(lr, spec)
    extra = {key: series[key] for key in watch if key in series}
    if "weight_decay" in start and "weight_decay" not in extra:
        values = np.array([[start["weight_decay"][g]] for g in range(len(groups))], np.float64)
        extra["weight_decay"] = np.broadcast_to(values, lr.shape)
    momentum = series.get(momentum_key) if momentum_key else None
    rows = spec.total_steps
    times = stepping.counts if stepping.counts is not None else stepping.repeat
    lr = _repeat(lr, times, rows)
    if momentum is not None:
        momentum = _repeat(momentum, times, rows)
    extra = {key: _repeat(values, times, rows) for key, values in extra.items()}
    if metric is not None:
        if stepping.metric_repeat is not None:  # fed once per epoch, read every step (timm)
            metric = np.repeat(metric, stepping.metric_repeat)[:rows]
        else:
            if len(metric) < stepping.records:
                # The last rows were never followed by a scheduler.step(): no metric was fed.
                metric = np.append(metric, np.full(stepping.records - len(metric), np.nan))
            metric = _repeat(metric[None, :], times, rows)[0]
    curve = Curve(
        spec=spec,
        lr=lr,
        momentum=momentum,
        metric=metric,
        momentum_name="beta1" if momentum_key == "betas" else "momentum",
        facts=stepping.facts,
        extra=extra,
        figure=figure,
    )
    return curve, recorder.changed - set(watch)


def _numbers(groups: list[dict[str, Any]], momentum_key: str | None) -> dict[str, list[float]]:
    """The plain numeric keys every param group has (not the lr, momentum or bookkeeping)."""
    skip = {"lr", "params", "initial_lr", momentum_key}
    keys = [
        key
        for key, value in groups[0].items()
        if key not in skip and isinstance(value, int | float) and not isinstance(value, bool)
    ]
    found = {}
    for key in keys:
        values = [group.get(key) for group in groups]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            found[key] = [float(v) for v in values]  # type: ignore[arg-type]
    return found


# Progress is reported between chunks, so one chunk is one progress interval.
CHUNK_STEPS = PROGRESS_EVERY


class _Recorder:
    """The series recorded besides the lr (momentum or betas[0], watched keys), and the keys a
    scheduler changed, seen by comparing every group with its start after each chunk."""

    def __init__(
        self,
        groups: list[dict[str, Any]],
        keys: list[str],
        start: dict[str, list[float]],
        shape: tuple[int, int],
    ) -> None:
        self.groups, self.keys, self.start = groups, keys, start
        self.rows = {key: _Rows(*shape) for key in keys}
        self.changed: set[str] = set()

    def check(self) -> None:
        for key, values in self.start.items():
            if key not in self.changed and any(
                group.get(key) != value for group, value in zip(self.groups, values, strict=True)
            ):
                self.changed.add(key)

    def store(self, key: str, begin: int, values: list[list[Any]], path: str) -> None:
        import numpy as np

        if key == "betas":
            values = [[betas[0] for betas in rows] for rows in values]
        count = len(values[0])
        block = np.empty((len(values), count), dtype=np.float64)
        for g, rows in enumerate(values):
            _store(block[g], 0, rows, path, offset=begin)
        self.rows[key].add(begin, block)


def _record(
    advance: Callable[[int], object],
    recorder: _Recorder,
    lr: np.ndarray,
    path: str,
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Call ``advance(k)`` once per column of ``lr``, reading every group's lr into it first.

    Returns the rows of each of the recorder's keys. Values are appended to plain lists for
    CHUNK_STEPS steps, then copied into numpy: a list append is a fraction of a numpy item
    assignment, and the chunks keep a constant series from ever needing a full-length array.
    ``progress(done, steps)`` is called before each chunk and at the end.
    """
    groups, keys = recorder.groups, recorder.keys
    count, steps = lr.shape
    begin = 0
    lrs: list[list[Any]] = []
    try:
        for begin in range(0, steps, CHUNK_STEPS):
            if progress is not None:
                progress(begin, steps)
            end = min(begin + CHUNK_STEPS, steps)
            lrs = [[] for _ in groups]
            seen: dict[str, list[list[Any]]] = {key: [[] for _ in groups] for key in keys}
            if len(keys) == 1:  # the common case (momentum or betas): one append, no inner loop
                (key,) = keys
                readers: list[tuple[Any, ...]] = [
                    (group, lrs[g].append, seen[key][g].append) for g, group in enumerate(groups)
                ]
                for k in range(begin, end):
                    for group, add_lr, add in readers:
                        add_lr(group["lr"])
                        add(group[key])
                    advance(k)
            else:
                readers = [
                    (group, lrs[g].append, [(key, seen[key][g].append) for key in keys])
                    for g, group in enumerate(groups)
                ]
                for k in range(begin, end):
                    for group, add_lr, adds in readers:
                        add_lr(group["lr"])
                        for key, add in adds:
                            add(group[key])
                    advance(k)
            for g in range(count):
                _store(lr[g], begin, lrs[g], path)
            for key in keys:
                recorder.store(key, begin, seen[key], path)
            recorder.check()
    except LrplotError:
        raise
    except (ArithmeticError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        k = begin + len(lrs[0]) - 1 if lrs else begin
        raise SimulationError(f"torch failed at scheduler step {k}: {exc}", path=path) from None
    if progress is not None:
        progress(steps, steps)
    return {key: rows.array() for key, rows in recorder.rows.items()}


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


def _repeat(rows: np.ndarray, times: int | np.ndarray, length: int) -> np.ndarray:
    """Each column ``times`` times (or ``times[k]`` times), cut to ``length`` columns; a
    broadcast (constant) view stays a view."""
    import numpy as np

    if rows.strides[1] == 0:
        return np.broadcast_to(rows[:, :1], (rows.shape[0], length))
    if isinstance(times, int) and times == 1:
        return rows[:, :length]
    return np.repeat(rows, times, axis=1)[:, :length]


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


def build_scheduler(spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
    """The real scheduler for ``spec`` on ``optimizer``, built by its family."""
    return family_of(spec).build(spec, optimizer, curve)
