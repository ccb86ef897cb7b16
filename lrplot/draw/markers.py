"""Where a schedule does something worth pointing at: milestones, restarts, warmup ends, ...

Markers come from two sources, and each checks the other:

- the scheduler's parameters say *where* to look (MultiStepLR milestones, StepLR every
  ``step_size``, CosineAnnealingWarmRestarts restarts, LinearLR/ConstantLR ``total_iters``,
  SequentialLR boundaries, nested schedulers shifted to where they start);
- the simulated curve says *what happened there*: a milestone is kept only if the lr really jumps
  at that row, and its label shows the measured ratio ("×0.5 @ 30"). ChainedScheduler can
  overwrite a child's jump, and then no marker claims it.

Where the parameters cannot know (ReduceLROnPlateau, whose reductions depend on the metric, or a
LambdaLR that steps), the jumps of a piecewise-constant curve are marked directly
(:func:`jumps`). Nothing here draws: :func:`markers` is plain data, used by ``plot.py`` and the
terminal chart alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrplot.spec.checker import PLATEAU, SchedulerSpec

if TYPE_CHECKING:
    from lrplot.simulate import Curve

MAX_MARKERS = 24  # more than this many of one kind is texture, not landmarks: draw none
MAX_JUMPS = 12  # a curve with more jumps than this is not "piecewise constant"

# When two markers share a row, the higher kind names it.
KINDS = ("boundary", "milestone", "reduction", "restart", "warmup", "end", "jump")


@dataclass(frozen=True)
class Marker:
    row: int  # the first optimizer step (CSV row) at which the new lr is in effect
    kind: str  # one of KINDS
    text: str  # "×0.5", "restart", "warmup ends", "→ CosineAnnealingLR"

    def x(self, curve: Curve, axis: str) -> float:
        return float(curve.epoch[self.row]) if axis == "epoch" else float(self.row)

    def label(self, curve: Curve, axis: str) -> str:
        return f"{self.text} @ {self.x(curve, axis):g}"


@dataclass(frozen=True)
class _Event:
    at: int  # scheduler steps taken (last_epoch) when it happens
    kind: str
    text: str = ""


def markers(curve: Curve) -> list[Marker]:
    """The markers for one curve, sorted by row, at most one per row."""
    spec = curve.spec
    horizon = spec.scheduler_steps
    per = spec.steps_per_epoch if spec.interval == "epoch" else 1
    found: list[Marker] = []
    for event in _events(spec.scheduler, 0, horizon):
        row = event.at * per
        if not 0 < row < len(curve):
            continue
        marker = _confirm(curve, event, row)
        if marker is not None:
            found.append(marker)
    if spec.scheduler.type == "OneCycleLR":
        found.extend(_peak(curve))
    if spec.scheduler.type == PLATEAU:
        found.extend(jumps(curve, kind="reduction", limit=None))
    elif not found:
        found.extend(jumps(curve))
    found = _thin(found)
    return _merge(found)


def is_stepped(curve: Curve) -> bool:
    """True when the lr changes at only a few rows: a staircase, best drawn as one."""
    import numpy as np

    changed = np.count_nonzero((np.diff(curve.lr, axis=1) != 0).any(axis=0))
    return bool(0 < changed <= MAX_JUMPS)


def jumps(curve: Curve, *, kind: str = "jump", limit: int | None = MAX_JUMPS) -> list[Marker]:
    """A marker at every row where the lr of any group changes, labelled with the ratio.

    With ``limit``, a curve that changes at more rows than that is smooth, not stepped, and gets
    none. ReduceLROnPlateau uses this with ``limit=None``: each change is a reduction.
    """
    import numpy as np

    if len(curve) < 2:
        return []
    changed = np.flatnonzero((np.diff(curve.lr, axis=1) != 0).any(axis=0)) + 1
    if limit is not None and changed.size > limit:
        return []
    return [Marker(int(row), kind, _ratio_text(curve, int(row))) for row in changed]


# -- from the parameters -----------------------------------------------------------------------


def _events(spec: SchedulerSpec, start: int, stop: int) -> Iterator[_Event]:
    """Events of ``spec`` started at scheduler step ``start``, before ``stop`` (absolute)."""
    kw = spec.kwargs
    kind = spec.type
    if kind == "SequentialLR":
        bounds = [start, *(start + int(m) for m in kw.get("milestones", []))]
        for i, child in enumerate(spec.children):
            begin = bounds[i]
            end = min(stop, bounds[i + 1]) if i + 1 < len(bounds) else stop
            if i > 0:
                yield _Event(begin, "boundary", f"→ {child.type}")
            if begin < end:
                yield from _events(child, begin, end)
        return
    if kind == "ChainedScheduler":
        for child in spec.children:
            yield from _events(child, start, stop)
        return
    for at, what, text in _own_events(kind, kw, stop - start):
        # A warmup that ends exactly where SequentialLR moves on still ended there.
        if start + at < stop or (what in ("warmup", "end") and start + at == stop):
            yield _Event(start + at, what, text)


def _own_events(kind: str, kw: Any, span: int) -> Iterator[tuple[int, str, str]]:
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


def _confirm(curve: Curve, event: _Event, row: int) -> Marker | None:
    """The marker for ``event`` if the curve agrees it happened at ``row``."""
    changed = bool((curve.lr[:, row] != curve.lr[:, row - 1]).any())
    if event.kind in ("milestone", "restart") and not changed:
        return None  # e.g. overwritten by another scheduler of a ChainedScheduler
    text = event.text or _ratio_text(curve, row)
    return Marker(row, event.kind, text)


def _peak(curve: Curve) -> list[Marker]:
    """OneCycleLR's end of warmup: where the lr actually peaks (pct_start lands between steps)."""
    import numpy as np

    row = int(np.argmax(curve.lr[0]))
    return [Marker(row, "warmup", "warmup ends")] if 0 < row < len(curve) - 1 else []


def _ratio_text(curve: Curve, row: int) -> str:
    before, after = float(curve.lr[0, row - 1]), float(curve.lr[0, row])
    if before == 0 or after == before:
        return "change"
    return f"×{after / before:.3g}"


def _thin(found: list[Marker]) -> list[Marker]:
    counts: dict[str, int] = {}
    for marker in found:
        counts[marker.kind] = counts.get(marker.kind, 0) + 1
    return [m for m in found if counts[m.kind] <= MAX_MARKERS]


def _merge(found: list[Marker]) -> list[Marker]:
    """One marker per row: the highest kind, its text joined with the others'."""
    by_row: dict[int, list[Marker]] = {}
    for marker in found:
        by_row.setdefault(marker.row, []).append(marker)
    merged = []
    for row in sorted(by_row):
        group = sorted(by_row[row], key=lambda m: KINDS.index(m.kind))
        texts = list(dict.fromkeys(m.text for m in reversed(group)))
        text = texts[0]
        for extra in texts[1:]:
            text += (" " if extra.startswith("→") else ", ") + extra
        merged.append(Marker(row, group[0].kind, text))
    return merged
