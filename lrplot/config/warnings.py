"""Warnings: legal input that is probably not what the user meant.

A warning never stops a run and never changes the exit code. These are not routed through
:func:`warnings.warn` (pytest's ``filterwarnings = error`` and a caller's filters would turn a
suspicious-but-valid config into an exception); instead :func:`spec_warnings` runs during
validation, its result is ``FigureSpec.warnings``, and the CLI prints each as
``warning: <file>: <key path> (line N): <what>`` on stderr. What to warn about is each family's
to say (``Family.warnings``); this module walks the curves and locates each warning.

Each is an :class:`~lrplot.errors.LrplotWarning` (a ``UserWarning``), so a caller who prefers
Python warnings can ``warnings.warn(w)`` them.
"""

from __future__ import annotations

from lrplot.errors import LrplotWarning
from lrplot.families import family_of
from lrplot.families.base import Warn
from lrplot.frameworks import lightning
from lrplot.metrics import PROFILES
from lrplot.model import CurveSpec, FigureSpec, MetricSpec


def spec_warnings(spec: FigureSpec) -> tuple[LrplotWarning, ...]:
    """Every warning for a validated spec, in the order of the config."""
    found: list[LrplotWarning] = []

    def warn(path: str, message: str) -> None:
        shown, line = spec.origins.locate(path)
        found.append(LrplotWarning(message, source=spec.source, path=shown, line=line))

    for curve in spec.curves:
        for path, message in curve.remarks:
            warn(path, message)
        scheduler = curve.scheduler
        lrs = curve.optimizer.group_lrs()
        if not curve.loop.never:  # else the loop's own warning says why nothing happens
            # the scheduler steps whose lr the run uses: one more than the calls when the run
            # ends between two of them (Lightning's frequency)
            family_of(scheduler).warnings(scheduler, curve.loop.records, lrs, warn)
            _metric_direction(curve, warn)
        if curve.framework == "lightning":
            _lightning_warnings(curve, warn)
    return tuple(found)


def _lightning_warnings(curve: CurveSpec, warn: Warn) -> None:
    """Where Lightning's loop and the schedule disagree."""
    block = curve.framework_path
    loop = curve.loop
    if loop.never:
        batches = curve.data.batches if curve.data else curve.steps_per_epoch
        warn(
            f"{block}.frequency",
            f"frequency {curve.frequency} never fires: Lightning counts it on the batch index "
            f"within each epoch (1 to {batches}), and no batch that steps the optimizer is a "
            f"multiple of {curve.frequency}, so scheduler.step() never runs; lower frequency "
            "below the batches of an epoch",
        )
    scheduler = curve.scheduler
    defaults = family_of(scheduler).run_defaults(scheduler, curve.steps_per_epoch)
    estimated = lightning.estimated_stepping_batches(
        curve.steps_per_epoch, curve.epochs, curve.max_steps
    )
    if defaults.fills and loop.records != estimated and not loop.never:
        warn(
            scheduler.path,
            f"{defaults.fills} is left out, so lrplot sets it to the {loop.records} scheduler "
            f"steps whose lr this run uses ({curve.interval} interval, frequency "
            f"{curve.frequency}); Lightning's trainer.estimated_stepping_batches is "
            f"{estimated} (optimizer steps), and a module that passes it would see only "
            f"{loop.records}/{estimated} of the schedule",
        )
    if defaults.per_step and curve.interval == "epoch":
        warn(
            f"{block}.interval",
            f"{defaults.what} is meant to step after every optimizer step, but Lightning steps "
            "it once per epoch here (interval epoch, its default); set interval: step (for "
            "OneCycleLR Lightning itself asks: are you sure you did not mean interval step?)",
        )


def _metric_direction(curve: CurveSpec, warn: Warn) -> None:
    """A synthetic metric that moves the way the scheduler calls worse (an accuracy with
    mode: min): every step after the first looks like no improvement."""
    scheduler = curve.scheduler
    family = family_of(scheduler)
    if not family.uses_metric(scheduler):
        return
    metric = curve.metric or MetricSpec()
    mode = family.metric_mode(scheduler)
    if metric.values is not None or mode not in ("min", "max"):
        return
    rises = PROFILES[metric.profile].rises
    if rises == (mode == "max"):
        return
    moves, wants = ("rises", "lower") if rises else ("falls", "higher")
    fix = "set mode: max, or feed a loss profile" if rises else "set mode: min"
    warn(
        f"{scheduler.path}.mode",
        f"mode is {mode!r} ({wants} is better) but the {metric.profile} metric profile {moves}, "
        f"so every step after the first counts as no improvement and the lr is cut every "
        f"patience + 1 steps; {fix}",
    )
