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

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrplot.families import family_of
from lrplot.families.base import Event

if TYPE_CHECKING:
    from lrplot.model import Curve

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


def markers(curve: Curve) -> list[Marker]:
    """The markers for one curve, sorted by row, at most one per row.

    The scheduler's family says where to look (``Family.events``); the curve confirms each.
    """
    spec = curve.spec
    found: list[Marker] = []
    events = list(family_of(spec.scheduler).events(spec.scheduler, spec.scheduler_steps))
    for event in events:
        row = spec.row_of(event.at) if event.how == "at" else None
        if row is None or not 0 < row < len(curve):
            continue
        marker = _confirm(curve, event, row)
        if marker is not None:
            found.append(marker)
    for event in events:
        if event.how == "peak":
            found.extend(_peak(curve, event))
    measured = [e for e in events if e.how == "jumps"]
    for event in measured:
        found.extend(jumps(curve, kind=event.kind, limit=None))
    if not measured and not found:
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


def _confirm(curve: Curve, event: Event, row: int) -> Marker | None:
    """The marker for ``event`` if the curve agrees it happened at ``row``."""
    changed = bool((curve.lr[:, row] != curve.lr[:, row - 1]).any())
    if event.kind in ("milestone", "restart") and not changed:
        return None  # e.g. overwritten by another scheduler of a ChainedScheduler
    text = event.text or _ratio_text(curve, row)
    return Marker(row, event.kind, text)


def _peak(curve: Curve, event: Event) -> list[Marker]:
    """Where the lr actually peaks (OneCycleLR's pct_start lands between steps)."""
    import numpy as np

    row = int(np.argmax(curve.lr[0]))
    return [Marker(row, event.kind, event.text)] if 0 < row < len(curve) - 1 else []


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
