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
(:func:`jumps`). A regular series (StepLR's drops) is labelled once, "×0.5 every 10 epochs".
Nothing here draws: :func:`markers` is plain data, used by the figure and the terminal chart alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lrplot.draw.xaxis import XAxis
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
    every: int = 0  # rows between the markers of a regular series; its first one names it
    quiet: bool = False  # one of a series already named: a line, no label

    def x(self, curve: Curve, axis: str | XAxis) -> float:
        return XAxis.of(axis).at(curve, self.row)

    def label(self, curve: Curve, axis: str | XAxis) -> str:
        xaxis = XAxis.of(axis)
        if self.every:
            return f"{self.text} every {xaxis.period(curve, self.every)}"
        return f"{self.text} @ {xaxis.text(self.x(curve, xaxis))}"


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
            found.extend(_peak(curve, event, max(1, spec.rows_per_scheduler_step)))
    measured = [e for e in events if e.how == "jumps"]
    for event in measured:
        found.extend(jumps(curve, kind=event.kind, limit=None))
    if not measured and not found:
        found.extend(jumps(curve))
    found = _thin(_series(found))
    return _merge(found)


def jumps(curve: Curve, *, kind: str = "jump", limit: int | None = MAX_JUMPS) -> list[Marker]:
    """A marker at every row where the lr of any group changes, labelled with the ratio.

    With ``limit``, only a staircase gets them: at most ``limit`` changes, and at most one
    scheduler step in four changing (a short smooth run changes at every step and gets none).
    ReduceLROnPlateau uses this with ``limit=None``: each change is a reduction.
    """
    import numpy as np

    if len(curve) < 2:
        return []
    changed = np.flatnonzero((np.diff(curve.lr, axis=1) != 0).any(axis=0)) + 1
    if limit is not None:
        steps = curve.spec.scheduler_steps
        if changed.size > limit or 4 * changed.size > max(steps - 1, 1):
            return []
    return [Marker(int(row), kind, _ratio_text(curve, int(row))) for row in changed]


def _confirm(curve: Curve, event: Event, row: int) -> Marker | None:
    """The marker for ``event`` if the curve agrees it happened at ``row``."""
    changed = bool((curve.lr[:, row] != curve.lr[:, row - 1]).any())
    if event.kind in ("milestone", "restart") and not changed:
        return None  # e.g. overwritten by another scheduler of a ChainedScheduler
    text = event.text or _ratio_text(curve, row)
    return Marker(row, event.kind, text, every=event.every * curve.spec.rows_per_scheduler_step)


def _peak(curve: Curve, event: Event, per: int) -> list[Marker]:
    """Where the lr actually peaks near ``event.at`` (OneCycleLR's pct_start lands between
    steps), if it falls afterwards: a run that stops while still rising has no warmup end."""
    import numpy as np

    first = event.at * per
    window = curve.lr[0, first : first + 2 * per]
    if window.size == 0:
        return []
    row = first + int(np.argmax(window))
    after = row + per
    if not 0 < row or after >= len(curve) or not curve.lr[0, after] < curve.lr[0, row]:
        return []
    return [Marker(row, event.kind, event.text)]


def _series(found: list[Marker]) -> list[Marker]:
    """A regular series (same period, same measured ratio) keeps its first marker, which names
    the series, and the others as quiet lines; with more than MAX_MARKERS, only the first."""
    by_period: dict[tuple[str, int], list[Marker]] = {}
    for marker in found:
        if marker.every:
            by_period.setdefault((marker.kind, marker.every), []).append(marker)
    out = [m for m in found if not m.every]
    for series in by_period.values():
        if len(series) < 2 or len({m.text for m in series}) > 1:
            out += [replace(m, every=0) for m in series]  # not regular after all: label each
            continue
        out.append(series[0])
        if len(series) <= MAX_MARKERS:
            out += [replace(m, quiet=True) for m in series[1:]]
    return sorted(out, key=lambda m: m.row)


def _ratio_text(curve: Curve, row: int) -> str:
    before, after = float(curve.lr[0, row - 1]), float(curve.lr[0, row])
    if before == 0 or after == before:
        return "change"
    return f"×{after / before:.3g}"


def _thin(found: list[Marker]) -> list[Marker]:
    counts: dict[str, int] = {}
    for marker in found:
        if not marker.quiet and not marker.every:
            counts[marker.kind] = counts.get(marker.kind, 0) + 1
    return [m for m in found if m.quiet or m.every or counts[m.kind] <= MAX_MARKERS]


def _merge(found: list[Marker]) -> list[Marker]:
    """One marker per row: the highest kind, its text joined with the others'."""
    by_row: dict[int, list[Marker]] = {}
    for marker in found:
        by_row.setdefault(marker.row, []).append(marker)
    merged = []
    for row in sorted(by_row):
        group = sorted(by_row[row], key=lambda m: KINDS.index(m.kind))
        if len(group) == 1:
            merged.append(group[0])
            continue
        loud = [m for m in group if not m.quiet] or group
        texts = list(dict.fromkeys(m.text for m in reversed(loud)))
        text = texts[0]
        for extra in texts[1:]:
            text += (" " if extra.startswith("→") else ", ") + extra
        every = next((m.every for m in loud if m.every), 0) if len(loud) == 1 else 0
        merged.append(
            Marker(row, loud[0].kind, text, every, quiet=loud is group and group[0].quiet)
        )
    return merged
