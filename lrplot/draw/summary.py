"""A short text summary of simulated curves, for a quick look without writing a file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrplot.draw.numbers import ordinal

if TYPE_CHECKING:
    from lrplot.model import Curve, CurveSpec

MAX_LISTED = 12


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def run_lines(spec: CurveSpec) -> list[str]:
    """The run in words: its length, when scheduler.step() runs, and where the numbers came
    from (the data's derivation, the framework's settings)."""
    steps, per = spec.total_steps, spec.steps_per_epoch
    length = f"{steps} steps = {spec.epochs} epochs x {per} steps/epoch"
    if spec.max_steps is not None:
        length = (
            f"{steps} steps = {steps // per} epochs x {per} steps/epoch + {steps % per} "
            f"(the run stops inside epoch {spec.epochs})"
        )
    when = f"scheduler.step() every {spec.interval}"
    if spec.frequency > 1:
        counted = "batch index within each epoch" if spec.interval == "step" else "epoch"
        when += f", on every {ordinal(spec.frequency)} {counted} (frequency {spec.frequency})"
    if spec.frequency > 1 or spec.max_steps is not None:
        when += f": {spec.scheduler_steps} calls"
    lines = [f"{length}; {when}; optimizer {spec.optimizer.type}"]
    if spec.data is not None:
        lines.append(f"  data: {spec.data.derivation()}")
    lines += [f"  {note}" for note in spec.notes]
    if spec.resume_at:
        at = ", ".join(str(k) for k in spec.resume_at)
        lines.append(
            f"  resumed from a checkpoint before step {at} (resume_mode: {spec.resume_mode})"
        )
    return lines


def summarize(title: str, curves: Sequence[Curve], scale: str = "", call: str = "") -> str:
    """Start, peak, minimum and final lr of every curve and param group, and where it changes.

    ``call`` is the scheduler as a constructor call, when the title is shorter; ``scale`` says
    how the lr axis is drawn and why.
    """
    import numpy as np

    lines = [title] + ([call] if call and call != title else [])
    if scale:
        lines.append(scale)
    for curve in curves:
        spec = curve.spec
        head = f"{curve.label}: " if len(curves) > 1 else ""
        run = run_lines(spec)
        lines += [head + run[0], *run[1:]]
        for g in range(curve.groups):
            lr = curve.lr[g]
            name = "  "
            if curve.groups > 1:
                group = curve.group_names[g]
                name = f"  {group}: " if curve.named_groups else f"  group {group}: "
            peak, low = int(np.argmax(lr)), int(np.argmin(lr))
            lines.append(
                f"{name}start {_fmt(lr[0])}  peak {_fmt(lr[peak])} (step {peak})  "
                f"min {_fmt(lr[low])} (step {low})  final {_fmt(lr[-1])}"
            )
            changes = np.flatnonzero(np.diff(lr) != 0) + 1
            if changes.size == 0:
                lines.append("  constant: the lr never changes")
            elif changes.size <= MAX_LISTED:
                listed = ", ".join(str(int(c)) for c in changes)
                lines.append(f"  changes at step {listed}")
            else:
                lines.append(
                    f"  changes at {changes.size} of {len(curve) - 1} steps, "
                    f"from step {int(changes[0])} to {int(changes[-1])}"
                )
    return "\n".join(lines)
