"""The transformers family: the installed ``transformers.get_scheduler``, called for real.

``scheduler: {transformers: NAME, num_warmup_steps: ..., num_training_steps: ..., KEY: ...}``
in YAML, ``lrplot transformers NAME --options`` on the command line. Every name of the installed
version works (:mod:`lrplot.families.transformers_source` reads them), each with its own
parameters, which go to ``scheduler_specific_kwargs``. lrplot calls ``get_scheduler`` the way a
``Trainer`` does:

- ``num_training_steps`` defaults to the run's scheduler steps (its optimizer steps, since
  transformers steps every optimizer step);
- ``num_warmup_steps`` defaults to 0; a fraction below 1 is ``ceil(fraction x
  num_training_steps)``, as ``TrainingArguments.get_warmup_steps`` computes it;
- both are always passed, and ``get_scheduler`` ignores them for the names that take none (a
  warning says so when the spec gives one).

A name whose scheduler steps with a metric (``reduce_lr_on_plateau``, ``greedy``) takes the
spec's ``metric:`` block, once per epoch unless ``interval: step``. transformers is an optional
extra: without it every use is one error that says how to install it.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lrplot.errors import SimulationError, SpecError, close_match
from lrplot.families import transformers_source as source
from lrplot.families.base import Entry, Event, RunDefaults, StepCode, Stepping
from lrplot.families.recipes import AFTER
from lrplot.families.stepping import METRIC_INIT, plain_step_code, plain_stepping
from lrplot.model import SchedulerSpec
from lrplot.params import Kind, Param, number, validate
from lrplot.pycode import call_source

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec

INSTALL = "pip install 'lrplot[transformers]'"
WARMUP_RULE = "an integer >= 0, or a fraction < 1 of num_training_steps"
STABLE = "num_stable_steps"  # warmup_stable_decay's alternative to num_training_steps

_WARMUP = Param(
    source.WARMUP,
    Kind.FLOAT,
    "warmup steps, or a fraction < 1 of num_training_steps (rounded up)",
    0,
    low=0,
    rule=WARMUP_RULE,
    type_text=WARMUP_RULE,
    default_text="0",
    default_note="0",
)
_TRAINING = Param(
    source.TRAINING,
    Kind.INT,
    "total steps of the schedule",
    None,
    optional=True,
    low=1,
    rule="an integer >= 1",
    type_text="an integer >= 1",
    default_text="the run's steps",
    default_note="the run's steps",
)
_EXAMPLES = {"num_decay_steps": "20", "min_lr_rate": "0.1"}


class TransformersFamily:
    name = "transformers"
    key = "transformers"
    command_group: str | None = "transformers"
    group_help = (
        "The installed transformers' get_scheduler, called for real (pip install "
        "'lrplot[transformers]').\n\nnum_training_steps defaults to the run's steps, "
        "num_warmup_steps to 0 (a fraction < 1 is a share of num_training_steps); every other "
        "option goes to scheduler_specific_kwargs. Stepped after every optimizer step "
        "(plateau and greedy: after every epoch, with a metric)."
    )

    @property
    def title(self) -> str:
        if self.missing() is not None:
            return "transformers get_scheduler (an optional extra)"
        where = "lrplot transformers NAME --help; YAML: scheduler: {transformers: NAME, ...}"
        return f"transformers {source.version('transformers')} get_scheduler ({where})"

    def missing(self) -> str | None:
        if source.package_dir("transformers") is None:
            return f"transformers is not installed; {INSTALL}"
        if not source.schedules():
            return "the installed transformers has no get_scheduler that lrplot can read"
        return None

    @functools.cached_property
    def _entries(self) -> dict[str, Entry]:
        found = {}
        for schedule in source.schedules().values():
            ignored = " (get_scheduler ignores it for this name)"
            warmup, training = _WARMUP, _TRAINING
            if not schedule.warmup:
                warmup = _with_doc(warmup, warmup.doc + ignored)
            if not schedule.training:
                training = _with_doc(training, training.doc + ignored)
            found[schedule.name] = Entry(
                family=self.name,
                name=schedule.name,
                command=schedule.name.replace("_", "-"),
                params=(warmup, training, *schedule.params),
                summary=schedule.function + (" (stepped with a metric)" if schedule.metric else ""),
                doc=schedule.doc,
                origin=f"transformers.get_scheduler({schedule.name!r}) -> {schedule.function}",
                uses_metric=schedule.metric,
                interval="epoch" if schedule.metric else "step",
                length_note="num_training_steps, or 100 epochs",
            )
        return found

    def entries(self) -> Mapping[str, Entry]:
        return {} if self.missing() else self._entries

    def resolve(self, name: Any) -> Entry:
        why = self.missing()
        if why is not None:
            raise SpecError(why)
        if not isinstance(name, str):
            raise SpecError(f"the transformers scheduler must be a name, got {type(name).__name__}")
        key = name.replace("-", "_")
        if key in self._entries:
            return self._entries[key]
        raise SpecError(
            f"unknown transformers scheduler {name!r} (transformers "
            f"{source.version('transformers')} has: {', '.join(self._entries)})",
            hint=close_match(key, self._entries),
        )

    # -- checking ------------------------------------------------------------------------------

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        try:
            entry = self.resolve(value[self.key])
        except SpecError as exc:
            raise ctx.fail(f"{path}.{self.key}", exc.message, exc.hint) from None
        names = [p.name for p in entry.params]
        kwargs: dict[str, Any] = {}
        groups = ctx.optimizer.group_count
        for key, item in value.items():
            if key == self.key:
                continue
            where = f"{path}.{key}"
            param = entry.param(key)
            if param is None:
                hint = close_match(str(key), names)
                takes = "" if hint else f" ({entry.name} takes: {', '.join(names)})"
                raise ctx.fail(where, f"unknown argument {key!r} for {entry.name}{takes}", hint)
            if key == source.WARMUP:
                kwargs[key] = _warmup(item, where, ctx)
                continue
            kwargs[key] = validate(param, item, where, ctx.fail)
            if param.per_group and isinstance(kwargs[key], list) and len(kwargs[key]) != groups:
                raise ctx.fail(
                    where,
                    f"has {len(kwargs[key])} values but the optimizer has {groups} param group(s)",
                )
        for param in entry.params:
            if param.required and param.name not in kwargs:
                raise ctx.fail(path, f"{entry.name} needs {ctx.name(f'{path}.{param.name}')}")
        return SchedulerSpec(self.name, entry.name, kwargs, (), path)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        """As long as ``num_training_steps`` (or warmup + stable + decay), else lrplot's 100
        epochs; every optimizer step (plateau and greedy: every epoch)."""
        kw = spec.kwargs
        length = kw.get(source.TRAINING)
        if length is None and STABLE in kw and isinstance(kw.get(source.WARMUP, 0), int):
            length = kw.get(source.WARMUP, 0) + kw[STABLE] + kw.get("num_decay_steps", 0)
        entry = self._entries[spec.type]
        fills = "" if length is not None or STABLE in kw else source.TRAINING
        if not source.schedules()[spec.type].training:
            fills = ""
        return RunDefaults(
            length=length,
            interval=entry.interval,
            what=f"transformers {spec.type}",
            fills=fills,
            per_step=entry.interval == "step",
        )

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        pass

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return source.schedules()[spec.type].metric

    def nests(self, spec: SchedulerSpec) -> bool:
        return not self.uses_metric(spec)

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        if not self.uses_metric(spec):
            return None
        return str(spec.kwargs.get("mode", "min"))  # ReduceLROnPlateau's and GreedyLR's default

    # -- running -------------------------------------------------------------------------------

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        warmup, training, specific = call_arguments(spec, curve)
        try:
            from transformers import get_scheduler
        except Exception as exc:  # a broken install fails in many ways; say which
            raise SimulationError(
                f"transformers could not be imported: {type(exc).__name__}: {exc}", path=spec.path
            ) from None
        try:
            return get_scheduler(
                spec.type,
                optimizer,
                num_warmup_steps=warmup,
                num_training_steps=training,
                scheduler_specific_kwargs=specific,
            )
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise SimulationError(
                f"transformers rejected {spec.type}: {exc}", path=spec.path
            ) from None

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        return plain_stepping(scheduler, curve, metric)

    # -- describing ----------------------------------------------------------------------------

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        if self.uses_metric(spec):
            yield Event(0, "reduction", how="jumps")

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        schedule = source.schedules()[spec.type]
        for name, taken in ((source.WARMUP, schedule.warmup), (source.TRAINING, schedule.training)):
            if name in spec.kwargs and not taken:
                warn(
                    f"{spec.path}.{name}",
                    f"transformers' get_scheduler ignores {name} for {spec.type!r}",
                )
        _horizon_warnings(spec, schedule, steps, warn)

    def describe(self, spec: SchedulerSpec) -> str:
        parts = [
            f"{key}={value:g}" if isinstance(value, float) else f"{key}={value!r}"
            for key, value in spec.kwargs.items()
        ]
        return f"transformers {spec.type}({', '.join(parts)})"

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        warmup, training, specific = call_arguments(spec, curve)
        arguments = [
            repr(spec.type),
            "optimizer",
            f"num_warmup_steps={warmup!r}",
            f"num_training_steps={training!r}",
        ]
        if specific:
            arguments.append(f"scheduler_specific_kwargs={specific!r}")
        return call_source("get_scheduler", arguments, indent, used)

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        return ["from transformers import get_scheduler"]

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        return plain_step_code(curve, self.uses_metric(spec))

    def init_lines(self, entry: Entry) -> list[str]:
        lines = [
            "# epochs: ...                  # default: num_training_steps, or 100",
            "optimizer: {type: AdamW, lr: 0.001}",
            "scheduler:",
            f"  transformers: {entry.name}",
        ]
        for param in entry.params:
            comment = f"   # {param.doc}" if param.doc else ""
            if param.required or param.name in _EXAMPLES:
                lines.append(f"  {param.name}: {_EXAMPLES.get(param.name, 100)}{comment}")
            else:
                lines.append(f"  # {param.name}: {param.default_text}{comment}")
        return lines + (list(METRIC_INIT) if entry.uses_metric else [])

    def list_details(self, entry: Entry) -> list[str]:
        schedule = source.schedules()[entry.name]
        ignored = {source.WARMUP} if not schedule.warmup else set()
        ignored |= {source.TRAINING} if not schedule.training else set()
        params = ", ".join(
            f"{p.name}={p.default_text or 'required'}"
            for p in entry.params
            if p.name not in ignored
        )
        return textwrap.wrap(params or "no parameters", 76)


def _horizon_warnings(spec: SchedulerSpec, schedule: Any, steps: int, warn: Warn) -> None:
    """A warmup the run never finishes; a num_training_steps that does not fit the run."""
    kw = spec.kwargs
    total = kw.get(source.TRAINING)
    if total is None and STABLE in kw:
        total = kw.get(source.WARMUP, 0) + kw[STABLE] + kw.get("num_decay_steps", 0)
    warmup = kw.get(source.WARMUP, 0)
    if isinstance(warmup, float):
        warmup = math.ceil(warmup * (total or steps))
    if schedule.warmup and warmup >= steps:
        warn(
            f"{spec.path}.{source.WARMUP}",
            f"{source.WARMUP} is {warmup} but the scheduler runs only {steps} steps, so the "
            f"warmup never ends; lower {source.WARMUP}, or lengthen the run",
        )
        return
    if total is None or not (schedule.training or STABLE in kw):
        return
    key = source.TRAINING if source.TRAINING in kw else STABLE
    after = AFTER.get(spec.type, "goes on past its end")
    if total < steps:
        warn(
            f"{spec.path}.{key}",
            f"transformers {spec.type} ends at step {total} but the scheduler runs {steps} "
            f"steps: past step {total} the lr {after}; leave {source.TRAINING} out to fit the "
            "run, or set it to the run length",
        )
    elif total > steps:
        warn(
            f"{spec.path}.{key}",
            f"transformers {spec.type} ends at step {total} but the scheduler runs only {steps} "
            f"steps, so its decay never finishes; leave {source.TRAINING} out to fit the run, "
            "or set it to the run length",
        )


def _with_doc(param: Param, doc: str) -> Param:
    from dataclasses import replace

    return replace(param, doc=doc)


def _warmup(value: Any, path: str, ctx: CheckContext) -> int | float:
    """``num_warmup_steps``: an integer, or a fraction below 1 of ``num_training_steps``."""
    found = number(_WARMUP, value, path, ctx.fail)
    if found < 1 and not float(found).is_integer():
        return found
    if not float(found).is_integer():
        raise ctx.fail(path, f"must be {WARMUP_RULE}, got {value!r}")
    return int(found)


def call_arguments(spec: SchedulerSpec, curve: CurveSpec) -> tuple[int, int | None, dict[str, Any]]:
    """What ``get_scheduler`` gets: (num_warmup_steps, num_training_steps, the rest).

    ``num_training_steps`` is the run's scheduler steps unless given (and unless
    warmup_stable_decay has ``num_stable_steps``, which fixes its length); a fractional warmup
    is ``ceil(fraction x num_training_steps)``, as ``TrainingArguments.get_warmup_steps``.
    """
    kw = dict(spec.kwargs)
    training = kw.pop(source.TRAINING, None)
    if training is None and STABLE not in kw:
        # the steps whose lr the run uses (one more than the calls when it ends between two)
        training = curve.loop.records
    warmup = kw.pop(source.WARMUP, 0)
    if isinstance(warmup, float):
        warmup = math.ceil(warmup * (training or curve.loop.records))
    return warmup, training, kw
