"""The torch family: every scheduler class of the *installed* torch, plus ``SWALR``.

The catalogue comes from torch's source (:mod:`lrplot.families.torch_source`), so a class a newer
torch adds is drawn, listed and checked with no change here. What lrplot knows beyond the signatures
(bounds, rules across arguments, events, warnings) is in :mod:`lrplot.families.torch_rules`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lrplot.errors import LrplotError, SimulationError, SpecError, close_match
from lrplot.families import torch_rules as rules
from lrplot.families import torch_source as torchsource
from lrplot.families.base import (
    Entry,
    Event,
    RunDefaults,
    StepCode,
    Stepping,
    family_of,
    rebuild,
)
from lrplot.families.stepping import plain_step_code, plain_stepping
from lrplot.families.torch_init import init_lines
from lrplot.families.torch_warnings import own_warnings
from lrplot.model import SchedulerSpec
from lrplot.params import MISSING, Kind, validate
from lrplot.pycode import call_source, lambda_source, literal

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec


def _length_note(name: str) -> str:
    if name in rules.HORIZONS:
        return f"{rules.HORIZONS[name]}, the schedule's own length"
    if name == rules.SEQUENTIAL:
        return "the last milestone + the last scheduler's horizon, if it has one; else 100"
    if name == rules.CHAINED:
        return "the longest horizon of its schedulers, if any; else 100"
    return "100"


def _command(name: str) -> str:
    aliases = [alias for alias, target in rules.ALIASES.items() if target == name]
    return aliases[0] if aliases else torchsource.kebab(name)


class TorchFamily:
    name = "torch"
    key = "type"
    command_group: str | None = None
    title = "schedulers (lrplot NAME --help, lrplot show NAME, lrplot init NAME)"
    group_help = ""

    @functools.cached_property
    def _entries(self) -> dict[str, Entry]:
        found = {}
        for info in torchsource.schedulers().values():
            aliases = tuple(a for a, target in rules.ALIASES.items() if target == info.name)
            found[info.name] = Entry(
                family=self.name,
                name=info.name,
                command=_command(info.name),
                params=tuple(rules.with_rules(p) for p in info.params),
                summary=rules.SUMMARIES.get(info.name, info.summary),
                doc=info.doc,
                aliases=aliases,
                origin=f"{info.module}.{info.name}",
                uses_metric=info.name == rules.PLATEAU,
                length_note=_length_note(info.name),
            )
        return found

    def missing(self) -> str | None:
        return None

    def entries(self) -> Mapping[str, Entry]:
        return self._entries

    def resolve(self, name: Any) -> Entry:
        catalogue = self._entries
        if not isinstance(name, str):
            raise SpecError(f"the scheduler type must be a name, got {type(name).__name__}")
        if name in catalogue:
            return catalogue[name]
        if name in rules.ALIASES and rules.ALIASES[name] in catalogue:
            return catalogue[rules.ALIASES[name]]
        by_command = {entry.command: entry for entry in catalogue.values()}
        if name in by_command:
            return by_command[name]
        # Case and _/- do not matter where the name stays unambiguous: cosineannealinglr.
        loose = _loose(name)
        same = {e.name for e in catalogue.values() if any(_loose(n) == loose for n in e.names)}
        if len(same) == 1:
            return catalogue[same.pop()]
        choices = [*catalogue, *rules.ALIASES, *by_command]
        raise SpecError(f"unknown scheduler {name!r}", hint=close_match(name, choices))

    # -- checking ------------------------------------------------------------------------------

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        try:
            entry = self.resolve(value["type"])
        except SpecError as exc:
            raise ctx.fail(f"{path}.type", exc.message, exc.hint) from None
        allowed = tuple(p.name for p in entry.params)
        kwargs: dict[str, Any] = {}
        children: tuple[SchedulerSpec, ...] = ()
        groups = ctx.optimizer.group_count
        for key, item in value.items():
            if key == "type":
                continue
            arg_path = f"{path}.{key}"
            param = entry.param(key)
            if param is None:
                hint = close_match(key, allowed)
                takes = "" if hint else f" ({entry.name} takes: {', '.join(allowed) or 'nothing'})"
                raise ctx.fail(arg_path, f"unknown argument {key!r} for {entry.name}{takes}", hint)
            if param.kind is Kind.SCHEDULERS:
                children = self._children(item, arg_path, ctx)
                continue
            kwargs[key] = validate(param, item, arg_path, ctx.fail)
            if param.per_group and isinstance(kwargs[key], list) and len(kwargs[key]) != groups:
                raise ctx.fail(
                    arg_path,
                    f"has {len(kwargs[key])} values but the optimizer has {groups} param group(s)",
                )
        for param in entry.params:
            given = param.name in kwargs or (param.kind is Kind.SCHEDULERS and children)
            if param.required and not given:
                raise ctx.fail(path, f"{entry.name} needs {ctx.name(f'{path}.{param.name}')}")
        spec = SchedulerSpec(self.name, entry.name, kwargs, children, path)
        rules.check_class(spec, ctx, _momentum_capable(ctx.optimizer.type))
        return spec

    def _children(self, value: Any, path: str, ctx: CheckContext) -> tuple[SchedulerSpec, ...]:
        if not isinstance(value, list) or not value:
            raise ctx.fail(path, "must be a non-empty list of schedulers")
        built = []
        for i, item in enumerate(value):
            child = ctx.scheduler(item, f"{path}[{i}]")
            family = family_of(child)
            if family.uses_metric(child):
                raise ctx.fail(
                    f"{path}[{i}]",
                    "ReduceLROnPlateau cannot be nested in SequentialLR or ChainedScheduler "
                    "(torch rejects it)",
                )
            if not family.nests(child):
                raise ctx.fail(
                    f"{path}[{i}]",
                    f"{family.describe(child).split('(')[0]} is not a torch LRScheduler; "
                    "SequentialLR and ChainedScheduler cannot hold it",
                )
            built.append(child)
        return tuple(built)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        """A schedule with a horizon (T_max, total_steps, total_iters, ...) runs for it."""
        length = rules.horizon(spec, self.argument, _other_length)
        what = spec.type
        if spec.type in rules.HORIZONS and length is not None:
            what = f"{spec.type}'s {rules.HORIZONS[spec.type]} {length}"
        fills = ""
        if spec.type == rules.ONECYCLE and _no_length(spec.kwargs):
            fills = "total_steps"
        return RunDefaults(length, what=what, fills=fills, per_step=spec.type in rules.PER_STEP)

    def argument(self, spec: SchedulerSpec, name: str) -> Any:
        """An argument as given, else the installed torch's default (None if it has none)."""
        if name in spec.kwargs:
            return spec.kwargs[name]
        param = self._entries[spec.type].param(name)
        return None if param is None or param.default is MISSING else param.default

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        rules.check_run(spec, curve, ctx)

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return spec.type == rules.PLATEAU

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        return str(self.argument(spec, "mode")) if spec.type == rules.PLATEAU else None

    def nests(self, spec: SchedulerSpec) -> bool:
        return not self.uses_metric(spec)

    # -- running -------------------------------------------------------------------------------

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        return self._build(spec, optimizer, curve, None)

    def rebuild(
        self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec, last_epoch: int
    ) -> Any:
        """Built with ``last_epoch`` (its nested schedulers too), as a script that resumes
        without the scheduler's state does; a class without the argument is built as it is."""
        return self._build(spec, optimizer, curve, last_epoch)

    def _build(
        self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec, last_epoch: int | None
    ) -> Any:
        import inspect

        from lrplot.expr import lr_lambda

        entry = self._entries[spec.type]
        kwargs: dict[str, Any] = dict(spec.kwargs)
        for param in entry.params:
            value = kwargs.get(param.name)
            if value is None or param.kind not in (Kind.EXPR, Kind.EXPR_OR_LIST):
                continue
            path = f"{spec.path}.{param.name}"
            if isinstance(value, list):
                kwargs[param.name] = [
                    lr_lambda(text, variable=param.variable, path=f"{path}[{i}]")
                    for i, text in enumerate(value)
                ]
            else:
                kwargs[param.name] = lr_lambda(value, variable=param.variable, path=path)
        if spec.type == rules.ONECYCLE and _no_length(spec.kwargs):
            kwargs["total_steps"] = curve.loop.records  # the steps whose lr the run uses
        if spec.children:
            kwargs["schedulers"] = [
                family_of(child).build(child, optimizer, curve)
                if last_epoch is None
                else rebuild(child, optimizer, curve, last_epoch)
                for child in spec.children
            ]
        cls = torchsource.scheduler_class(torchsource.schedulers()[spec.type])
        if last_epoch is not None and "last_epoch" in inspect.signature(cls).parameters:
            kwargs["last_epoch"] = last_epoch
        try:
            # By keyword: ChainedScheduler takes (schedulers, optimizer=None), the rest optimizer
            return cls(optimizer=optimizer, **kwargs)
        except LrplotError:
            raise
        except (ValueError, TypeError, ArithmeticError, RuntimeError, IndexError) as exc:
            raise SimulationError(f"torch rejected {spec.type}: {exc}", path=spec.path) from None

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        return plain_stepping(scheduler, curve, metric)

    # -- describing ----------------------------------------------------------------------------

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        yield from _events(spec, 0, span)
        if spec.type == rules.PLATEAU:
            yield Event(0, "reduction", how="jumps")

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        own_warnings(spec, steps, lrs, warn, self.argument)
        milestones = spec.kwargs.get("milestones")
        if spec.type == rules.SEQUENTIAL and isinstance(milestones, list):
            bounds = [0, *milestones, steps]
            for i, child in enumerate(spec.children):
                length = min(bounds[i + 1], steps) - min(bounds[i], steps)
                if length > 0:
                    family_of(child).warnings(child, length, lrs, warn)
        else:
            for child in spec.children:
                family_of(child).warnings(child, steps, lrs, warn)

    def describe(self, spec: SchedulerSpec) -> str:
        parts = []
        if spec.children:
            inner = ", ".join(family_of(child).describe(child) for child in spec.children)
            parts.append(f"[{inner}]")
        parts += [f"{name}={_short(value)}" for name, value in spec.kwargs.items()]
        return f"{spec.type}({', '.join(parts)})"

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        entry = self._entries[spec.type]
        kwargs: dict[str, str] = {}
        for name, item in spec.kwargs.items():
            param = entry.param(name)
            if param is not None and param.kind in (Kind.EXPR, Kind.EXPR_OR_LIST):
                if isinstance(item, list):
                    texts = ", ".join(lambda_source(t, param.variable) for t in item)
                    kwargs[name] = f"[{texts}]"
                else:
                    kwargs[name] = lambda_source(item, param.variable)
            else:
                kwargs[name] = literal(item)
        if spec.type == rules.ONECYCLE and _no_length(spec.kwargs):
            kwargs["total_steps"] = repr(curve.loop.records)
        if spec.children:
            inner = indent + "        "
            items = "".join(
                f"{inner}{family_of(c).code(c, curve, inner, 1)},\n" for c in spec.children
            )
            kwargs["schedulers"] = f"[\n{items}{indent}    ]"
        arguments = ["optimizer=optimizer"] + [f"{k}={v}" for k, v in kwargs.items()]
        return call_source(entry.origin, arguments, indent, used)

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        found: list[str] = []
        for child in spec.children:
            found += family_of(child).code_helpers(child)
        return found

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        return plain_step_code(curve, self.uses_metric(spec))

    def init_lines(self, entry: Entry) -> list[str]:
        return init_lines(entry)

    def list_details(self, entry: Entry) -> list[str]:
        return []


def _other_length(spec: SchedulerSpec) -> int | None:
    """The horizon of a scheduler of another family nested in SequentialLR/ChainedScheduler."""
    return family_of(spec).run_defaults(spec, 1).length


def _loose(name: str) -> str:
    return name.replace("_", "-").lower()


def _no_length(kw: Mapping[str, Any]) -> bool:
    return all(kw.get(key) is None for key in ("total_steps", "epochs", "steps_per_epoch"))


@functools.cache
def _momentum_capable(optimizer: str) -> bool:
    try:
        info = torchsource.resolve_optimizer(optimizer)
    except SpecError:
        return True  # the optimizer check reports it
    return bool({p.name for p in info.params} & {"momentum", "betas"})


def _events(spec: SchedulerSpec, start: int, stop: int) -> Iterator[Event]:
    """Events of ``spec`` started at scheduler step ``start``, before ``stop`` (absolute)."""
    kw = spec.kwargs
    if spec.family != "torch":
        yield from (
            replace(e, at=start + e.at)
            for e in family_of(spec).events(spec, stop - start)
            if e.how in ("at", "peak")
        )
        return
    if spec.type == rules.SEQUENTIAL:
        bounds = [start, *(start + int(m) for m in kw.get("milestones", []))]
        for i, child in enumerate(spec.children):
            begin = bounds[i]
            end = min(stop, bounds[i + 1]) if i + 1 < len(bounds) else stop
            if i > 0:
                yield Event(begin, "boundary", f"→ {_class_name(child)}")
            if begin < end:
                yield from _events(child, begin, end)
        return
    if spec.type == rules.CHAINED:
        for child in spec.children:
            yield from _events(child, start, stop)
        return
    for event in rules.own_events(spec.type, kw, stop - start):
        # A warmup that ends exactly where SequentialLR moves on still ended there.
        at = start + event.at
        if at < stop or (event.kind in ("warmup", "end") and event.how == "at" and at == stop):
            yield replace(event, at=at)


def _class_name(spec: SchedulerSpec) -> str:
    """The class a boundary label names: the scheduler object the family builds."""
    return spec.type if spec.family == "torch" else family_of(spec).describe(spec).split("(")[0]


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return str(value)
