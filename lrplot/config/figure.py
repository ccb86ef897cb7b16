"""The top level of a spec: one scheduler or a list of ``curves``, the run around each, the
title, the ``outputs:`` names and the ``plot:`` options."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from lrplot import formats, paths, stylesheet
from lrplot.config import run
from lrplot.config.context import Checker
from lrplot.config.data import check_data
from lrplot.config.frame import Frame
from lrplot.config.framework import FRAMEWORK_KEYS, check_frame, misplaced
from lrplot.config.metric import check_metric
from lrplot.config.optimizer import check_optimizer
from lrplot.errors import SpecError
from lrplot.families import family_of
from lrplot.families.base import RunDefaults
from lrplot.loop import Loop
from lrplot.model import (
    DEFAULT_EPOCHS,
    MAX_CURVES,
    MAX_NESTING,
    MAX_SCHEDULERS,
    MAX_STEPS,
    MAX_TEXT,
    MAX_VALUES,
    MAX_WORK,
    CurveSpec,
    DataSpec,
    FigureSpec,
    SchedulerSpec,
)
from lrplot.params import typename, validate
from lrplot.plotoptions import PlotOptions, options_from_yaml

RUN_KEYS = (*run.NAMES, "data", *FRAMEWORK_KEYS, "optimizer", "scheduler", "metric")
FIGURE_KEYS = ("title", *RUN_KEYS, "curves", "outputs", "plot")
CURVE_KEYS = ("label", *RUN_KEYS)


def check_figure(ck: Checker) -> FigureSpec:
    if isinstance(ck.doc.data, dict):
        misplaced(ck, ck.doc.data, "")
    data = ck.mapping(ck.doc.data, "", FIGURE_KEYS)
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise ck.fail("title", f"must be a string, got {typename(title)}")
    if title is not None and len(title) > MAX_TEXT:
        raise ck.fail("title", f"is longer than {MAX_TEXT} characters")
    outputs = check_outputs(ck, data.get("outputs"))
    plot = _styled(ck, options_from_yaml(data.get("plot"), ck.fail))
    if "curves" in data:
        if "scheduler" in data:
            raise ck.fail("curves", "give either 'scheduler' or 'curves', not both")
        curves = _curves(ck, data)
        _check_size(ck, curves, "curves")
    elif "scheduler" not in data and "huggingface" not in data:
        raise ck.fail("", "missing key 'scheduler' (or a 'curves' list)")
    else:
        curves = [check_curve(ck, data, {k: k for k in RUN_KEYS}, "")]
        _check_size(ck, curves, "optimizer.param_groups")
    return FigureSpec(tuple(curves), title, ck.doc.source, outputs, plot)


def _styled(ck: Checker, plot: PlotOptions) -> PlotOptions:
    """The plot options with the style's rc settings read (:mod:`lrplot.stylesheet`): from a
    config, confined to matplotlib's built-in sheets and the config's own folder."""
    if plot.style is None:
        return plot
    try:
        style, sheet = stylesheet.resolve(
            plot.style, ck.base_dir, confine=ck.confine, allow_import=ck.allow_import
        )
    except SpecError as exc:
        raise ck.fail("plot.style", exc.message, exc.hint) from None
    return replace(plot, style=style, sheet=sheet)


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
        if isinstance(item, dict):
            misplaced(ck, item, path)
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
            or paths.reserved_problem(name)
            or formats.suffix_problem(name)
        )
        if problem:
            raise ck.fail(path, problem)
        if name in seen:
            raise ck.fail(path, f"{name!r} is listed twice")
        seen.add(name)
    return tuple(names)


def _check_steps(
    ck: Checker, epochs: int, steps_per_epoch: int, where: tuple[str | None, str | None]
) -> None:
    """The run's length within the cap. The error is blamed on the factor that makes it overflow:
    ``steps_per_epoch`` (or the ``data:`` it comes from) when the epochs were not given or are
    the smaller factor, else the epochs."""
    if epochs * steps_per_epoch <= MAX_STEPS:
        return
    epochs_path, steps_path = where
    blame_steps = steps_path is not None and (epochs_path is None or steps_per_epoch > epochs)
    path = steps_path if blame_steps else epochs_path
    other = epochs_path if blame_steps else steps_path
    also = ""
    if other is not None:
        shown, line = ck.origins.locate(other)
        also = f" (with {shown}" + (f" at line {line})" if line else ")")
    raise ck.fail(
        path or "epochs",
        f"{epochs} epochs x {steps_per_epoch} steps per epoch is {epochs * steps_per_epoch} "
        f"steps, more than the limit of {MAX_STEPS}{also}",
    )


def _check_work(ck: Checker, curve: CurveSpec, owner: dict[str, str]) -> None:
    """Bound what one optimizer step may cost: the schedulers stepped with it (every leaf of a
    SequentialLR or ChainedScheduler tree, at any depth), and LBFGS's inner iterations."""
    tree = curve.scheduler.walk()
    if len(tree) > MAX_SCHEDULERS:
        raise ck.fail(
            owner["scheduler"], f"has {len(tree)} schedulers in all, more than {MAX_SCHEDULERS}"
        )
    deepest = max(_depth(s) for s in tree)
    if deepest > MAX_NESTING:
        raise ck.fail(
            owner["scheduler"],
            f"nests schedulers {deepest} levels deep, more than {MAX_NESTING}",
        )
    leaves = sum(1 for s in tree if not s.children)
    if curve.total_steps * leaves > MAX_WORK:
        raise ck.fail(
            owner["scheduler"],
            f"{curve.total_steps} steps x {leaves} schedulers stepped together is "
            f"{curve.total_steps * leaves} scheduler steps, more than the limit of {MAX_WORK}",
        )
    optimizer = curve.optimizer
    if optimizer.type == "LBFGS":
        # each step may run max_iter iterations (fewer if max_eval stops it first)
        iters = int(optimizer.kwargs.get("max_iter", 20))
        evals = optimizer.kwargs.get("max_eval")
        inner = min(iters, int(evals)) if evals is not None else iters
        if curve.total_steps * inner > MAX_WORK:
            key = "max_eval" if evals is not None and int(evals) < iters else "max_iter"
            raise ck.fail(
                f"{owner['optimizer']}.{key}",
                f"LBFGS runs up to {inner} iterations a step: {curve.total_steps} steps x "
                f"{inner} is more than the limit of {MAX_WORK}; lower {key} or the run's length",
            )


def _depth(spec: SchedulerSpec) -> int:
    return 1 + max((_depth(child) for child in spec.children), default=0)


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
    """One run: its loop (framework, data, length, interval), optimizer, scheduler and metric."""
    given = {
        p.name: validate(p, data[p.name], owner[p.name], ck.fail)
        for p in run.RUN_PARAMS
        if p.name in data
    }
    frame = check_frame(ck, data, owner, given)
    spec_data = check_data(ck, data.get("data"), owner["data"], frame.given)
    steps_per_epoch = _steps_per_epoch(ck, given, spec_data, frame, owner)
    ck.optimizer = check_optimizer(
        ck, frame.optimizer or data.get("optimizer"), frame.optimizer_path or owner["optimizer"]
    )
    if frame.finish is not None:
        frame = frame.finish(ck, frame, steps_per_epoch, spec_data)
        steps_per_epoch = frame.steps_per_epoch or steps_per_epoch
    if frame.scheduler is not None:
        scheduler = ck.scheduler(frame.scheduler, frame.scheduler_path)
    elif data.get("scheduler") is None:
        raise ck.fail(owner["scheduler"], "missing scheduler")
    else:
        scheduler = ck.scheduler(data["scheduler"], owner["scheduler"])
    family = family_of(scheduler)
    defaults = family.run_defaults(scheduler, steps_per_epoch)
    interval = frame.interval or given.get("interval") or defaults.interval or "epoch"
    epochs, max_steps = _length(
        ck, frame, given, defaults, spec_data, interval, steps_per_epoch, owner
    )
    curve = CurveSpec(
        scheduler=scheduler,
        optimizer=ck.optimizer,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        interval=interval,
        label=label,
        data=spec_data,
        max_steps=max_steps,
        frequency=frame.frequency,
        framework=frame.name,
        framework_path=frame.path,
        notes=frame.notes,
        remarks=frame.remarks,
        **{p.name: _frozen(given.get(p.name, p.default)) for p in run.EXTRA},
    )
    for rule in run.RULES:
        rule(curve, owner.__getitem__, ck.fail)
    _check_resume(ck, curve, owner["resume_at"])
    _check_work(ck, curve, owner)
    uses = family.uses_metric(scheduler)
    if uses and frame.name == "lightning" and frame.monitor is None:
        raise ck.fail(
            frame.path,
            "Lightning needs a monitor with a plateau scheduler (MisconfigurationException: "
            "'The lr scheduler dict must include a monitor'); add monitor: val_loss",
        )
    metric = check_metric(ck, data.get("metric"), owner["metric"], curve, uses)
    curve = CurveSpec(**{**curve.__dict__, "metric": metric})
    family.check_run(scheduler, curve, ck)
    return curve


def _steps_path(
    given: dict[str, Any], data: DataSpec | None, frame: Frame, owner: dict[str, str]
) -> str | None:
    """The key the steps of an epoch come from, if the config set them."""
    if "steps_per_epoch" in given:
        return owner["steps_per_epoch"]
    if data is not None:
        return owner["data"]
    return None


def _steps_per_epoch(
    ck: Checker,
    given: dict[str, Any],
    data: DataSpec | None,
    frame: Frame,
    owner: dict[str, str],
) -> int:
    if data is None:
        accumulate = (frame.given.values or {}).get("accumulate", 1)
        if accumulate > 1 and frame.finish is None:
            path = (frame.given.paths or {})["accumulate"]
            raise ck.fail(
                path,
                "with accumulation, give data: {dataset_size, batch_size} so that lrplot "
                "knows the batches of an epoch (steps_per_epoch counts optimizer steps)",
            )
        return int(given.get("steps_per_epoch", 1))
    if "steps_per_epoch" in given:
        raise ck.fail(
            owner["steps_per_epoch"],
            f"give {ck.name(owner['steps_per_epoch'])} or the data it comes from "
            f"({ck.name(owner['data'] + '.dataset_size')}, ...), not both",
        )
    steps = data.steps_per_epoch
    if steps < 1:
        raise ck.fail(
            owner["data"],
            f"{data.derivation()}: an epoch has no batch; lower the batch size or drop_last",
        )
    return steps


def _length(
    ck: Checker,
    frame: Frame,
    given: dict[str, Any],
    defaults: RunDefaults,
    data: DataSpec | None,
    interval: str,
    steps_per_epoch: int,
    owner: dict[str, str],
) -> tuple[int, int | None]:
    """(epochs, max_steps): as given, else the schedule's own horizon, else 100 epochs."""
    steps_path = _steps_path(given, data, frame, owner)
    epochs = given["epochs"] if given.get("epochs") is not None else frame.epochs
    max_steps = frame.max_steps
    where = owner["epochs"] if frame.epochs is None else f"{frame.path}.max_epochs"
    blame = (where if epochs is not None else None, steps_path)
    if epochs is None and max_steps is not None:
        epochs = math.ceil(max_steps / steps_per_epoch)
    if epochs is None and defaults.length is not None:
        rows = Loop(
            steps_per_epoch,
            0,
            interval,
            frame.frequency,
            data.batches if data else 0,
            data.accumulate if data else 1,
        ).rows_for(defaults.length)
        if rows is not None:
            if rows > MAX_STEPS:
                raise ck.fail(
                    owner["scheduler"],
                    f"{defaults.what} runs {rows} steps, more than the limit of "
                    f"{MAX_STEPS}; set epochs to plot part of it",
                )
            epochs = math.ceil(rows / steps_per_epoch)
            max_steps = rows if rows % steps_per_epoch else None
    if epochs is None:
        epochs = DEFAULT_EPOCHS
    if max_steps is None or epochs * steps_per_epoch <= max_steps:
        _check_steps(ck, epochs, steps_per_epoch, blame)
        max_steps = None
    elif max_steps > MAX_STEPS:
        raise ck.fail(
            f"{frame.path}.max_steps", f"is more than the limit of {MAX_STEPS} optimizer steps"
        )
    return epochs, max_steps
