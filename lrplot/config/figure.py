"""The top level of a spec: one scheduler or a list of ``curves``, the run around each, the
title, the ``outputs:`` names and the ``plot:`` options."""

from __future__ import annotations

import math
from typing import Any

from lrplot import formats, paths
from lrplot.config import run
from lrplot.config.context import Checker
from lrplot.config.metric import check_metric
from lrplot.config.optimizer import check_optimizer
from lrplot.families import family_of
from lrplot.model import (
    DEFAULT_EPOCHS,
    MAX_CURVES,
    MAX_STEPS,
    MAX_TEXT,
    MAX_VALUES,
    CurveSpec,
    FigureSpec,
)
from lrplot.params import typename, validate
from lrplot.plotoptions import options_from_yaml

RUN_KEYS = (*run.NAMES, "optimizer", "scheduler", "metric")
FIGURE_KEYS = ("title", *RUN_KEYS, "curves", "outputs", "plot")
CURVE_KEYS = ("label", *RUN_KEYS)


def check_figure(ck: Checker) -> FigureSpec:
    data = ck.mapping(ck.doc.data, "", FIGURE_KEYS)
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise ck.fail("title", f"must be a string, got {typename(title)}")
    if title is not None and len(title) > MAX_TEXT:
        raise ck.fail("title", f"is longer than {MAX_TEXT} characters")
    outputs = check_outputs(ck, data.get("outputs"))
    plot = options_from_yaml(data.get("plot"), ck.fail)
    if "curves" in data:
        if "scheduler" in data:
            raise ck.fail("curves", "give either 'scheduler' or 'curves', not both")
        curves = _curves(ck, data)
        _check_size(ck, curves, "curves")
    elif "scheduler" not in data:
        raise ck.fail("", "missing key 'scheduler' (or a 'curves' list)")
    else:
        curves = [check_curve(ck, data, {k: k for k in RUN_KEYS}, "")]
        _check_size(ck, curves, "optimizer.param_groups")
    return FigureSpec(tuple(curves), title, ck.doc.source, outputs, plot)


def _curves(ck: Checker, data: dict[str, Any]) -> list[CurveSpec]:
    curves = data["curves"]
    if not isinstance(curves, list) or not curves:
        raise ck.fail("curves", "must be a non-empty list of curves")
    if len(curves) > MAX_CURVES:
        raise ck.fail("curves", f"has {len(curves)} curves, more than {MAX_CURVES}")
    built = []
    labels: dict[str, int] = {}
    for i, item in enumerate(curves):
        path = f"curves[{i}]"
        item = ck.mapping(item, path, CURVE_KEYS)
        merged = {k: v for k, v in data.items() if k in RUN_KEYS}
        merged.update(item)
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ck.fail(f"{path}.label", "every curve needs a label (a string)")
        if len(label) > MAX_TEXT:
            raise ck.fail(f"{path}.label", f"is longer than {MAX_TEXT} characters")
        if label in labels:
            raise ck.fail(
                f"{path}.label", f"label {label!r} is already used by curves[{labels[label]}]"
            )
        labels[label] = i
        owner = {k: (f"{path}.{k}" if k in item else k) for k in RUN_KEYS}
        built.append(check_curve(ck, merged, owner, label))
    return built


def _check_size(ck: Checker, curves: list[CurveSpec], path: str) -> None:
    """Bound the work and memory of one figure, whatever the shape of the config."""
    total = sum(c.total_steps * c.optimizer.group_count for c in curves)
    if total > MAX_VALUES:
        raise ck.fail(
            path,
            f"the figure would compute {total} lr values (steps x param groups, over all "
            f"curves), more than the limit of {MAX_VALUES}",
        )


def check_outputs(ck: Checker, value: Any) -> tuple[str, ...]:
    """Output names from a config: relative paths that stay inside the output folder."""
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise ck.fail("outputs", "must be a file name or a non-empty list of file names")
    seen: set[str] = set()
    for i, name in enumerate(names):
        path = f"outputs[{i}]" if isinstance(value, list) else "outputs"
        if not isinstance(name, str) or not name.strip():
            raise ck.fail(path, f"must be a file name, got {typename(name)}")
        problem = (
            paths.lexical_problem(name, "outputs stay inside the output folder")
            or paths.size_problem(name)
            or formats.suffix_problem(name)
        )
        if problem:
            raise ck.fail(path, problem)
        if name in seen:
            raise ck.fail(path, f"{name!r} is listed twice")
        seen.add(name)
    return tuple(names)


def _check_steps(ck: Checker, epochs: int, steps_per_epoch: int, path: str) -> None:
    if epochs * steps_per_epoch > MAX_STEPS:
        raise ck.fail(
            path,
            f"{epochs} epochs x {steps_per_epoch} steps is {epochs * steps_per_epoch} steps, "
            f"more than the limit of {MAX_STEPS}",
        )


def _frozen(value: Any) -> Any:
    """A list from YAML as a tuple: a CurveSpec is frozen."""
    return tuple(value) if isinstance(value, list) else value


def _check_resume(ck: Checker, curve: CurveSpec, path: str) -> None:
    """Each resume point must fall inside the run: before step K, with K in 1..N-1."""
    for i, at in enumerate(curve.resume_at):
        if at >= curve.total_steps:
            raise ck.fail(
                f"{path}[{i}]",
                f"step {at} is not inside the run, which takes {curve.total_steps} optimizer "
                f"steps (resume before a step from 1 to {curve.total_steps - 1})",
            )


def check_curve(ck: Checker, data: dict[str, Any], owner: dict[str, str], label: str) -> CurveSpec:
    """One run: its length and interval, optimizer, scheduler and metric."""
    given = {
        p.name: validate(p, data[p.name], owner[p.name], ck.fail)
        for p in run.RUN_PARAMS
        if p.name in data
    }
    epochs: int | None = given.get("epochs")
    steps_per_epoch: int = given.get("steps_per_epoch", 1)
    if epochs is not None:
        _check_steps(ck, epochs, steps_per_epoch, owner["epochs"])
    interval: str | None = given.get("interval")
    ck.optimizer = check_optimizer(ck, data.get("optimizer"), owner["optimizer"])
    if data.get("scheduler") is None:
        raise ck.fail(owner["scheduler"], "missing scheduler")
    scheduler = ck.scheduler(data["scheduler"], owner["scheduler"])
    family = family_of(scheduler)
    defaults = family.run_defaults(scheduler, steps_per_epoch)
    if epochs is None:
        epochs = DEFAULT_EPOCHS
        if defaults.length is not None:
            if defaults.length > MAX_STEPS:
                raise ck.fail(
                    owner["scheduler"],
                    f"{defaults.what} runs {defaults.length} steps, more than the limit of "
                    f"{MAX_STEPS}; set epochs to plot part of it",
                )
            per_step = (defaults.interval or "epoch") == "step"
            epochs = math.ceil(defaults.length / steps_per_epoch) if per_step else defaults.length
        _check_steps(ck, epochs, steps_per_epoch, owner["epochs"])
    curve = CurveSpec(
        scheduler=scheduler,
        optimizer=ck.optimizer,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        interval=interval or defaults.interval or "epoch",
        label=label,
        **{p.name: _frozen(given.get(p.name, p.default)) for p in run.EXTRA},
    )
    _check_resume(ck, curve, owner["resume_at"])
    uses = family.uses_metric(scheduler)
    metric = check_metric(ck, data.get("metric"), owner["metric"], curve, uses)
    curve = CurveSpec(**{**curve.__dict__, "metric": metric})
    family.check_run(scheduler, curve, ck)
    return curve
