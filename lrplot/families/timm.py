"""The timm family: the installed timm's ``create_scheduler_v2``, stepped as its train.py does.

``scheduler: {timm: cosine, num_epochs: 50, warmup_epochs: 5, ...}`` in YAML, ``lrplot timm
cosine --options`` on the command line. Every ``sched`` name of the installed timm works
(:mod:`lrplot.families.timm_source` reads them), each taking the factory's arguments.

- ``updates_per_epoch`` comes from the run: its ``steps_per_epoch`` (the optimizer updates of an
  epoch; train.py counts them as ``ceil(batches / grad_accum_steps)``).
- The run is driven as timm's ``train.py`` drives it: ``step_update(num_updates=n)`` after every
  optimizer update and ``step(epoch + 1, metric)`` at the end of every epoch; row ``t`` is the lr
  before update ``t``. ``interval`` does not apply.
- Without ``epochs``, the run lasts the ``num_epochs`` that ``create_scheduler_v2`` returns
  (with warmup prefix, cycles and cooldown), as train.py's loop does. ``num_epochs`` itself
  defaults to timm's own default (300).
- ``plateau`` is fed the spec's ``metric:``, one value per epoch.

timm is an optional extra (it needs a torchvision that matches torch): without it every use is
one error that says how to install it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lrplot.errors import SimulationError, SpecError, close_match
from lrplot.families import timm_source as source
from lrplot.families.base import Entry, Event, RunDefaults, StepCode, Stepping
from lrplot.families.stepping import METRIC_INIT, timm_step_code, timm_stepping
from lrplot.families.transformers_source import package_dir, version
from lrplot.model import SchedulerSpec
from lrplot.params import is_number, validate
from lrplot.pycode import call_source

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec

INSTALL = "pip install 'lrplot[timm]'"
UPDATES = "updates_per_epoch"
_EXAMPLES = {"num_epochs": "50", "warmup_epochs": "5"}
_PLATEAU_EXAMPLES = {"plateau_mode": "min   # the metric below is a loss", "patience_epochs": "5"}


class TimmFamily:
    name = "timm"
    key = "timm"
    command_group: str | None = "timm"
    group_help = (
        "The installed timm's create_scheduler_v2, stepped as timm's train.py steps it "
        "(pip install 'lrplot[timm]').\n\nupdates_per_epoch is --steps-per-epoch; "
        "step_update(num_updates) runs after every optimizer step and step(epoch + 1) at the "
        "end of every epoch. Without --epochs the run lasts the num_epochs create_scheduler_v2 "
        "returns (warmup prefix and cooldown included)."
    )

    @property
    def title(self) -> str:
        if self.missing() is not None:
            return "timm create_scheduler_v2 (an optional extra)"
        where = "lrplot timm NAME --help; YAML: scheduler: {timm: NAME, ...}"
        return f"timm {version('timm')} create_scheduler_v2 ({where})"

    def missing(self) -> str | None:
        if package_dir("timm") is None:
            return f"timm is not installed; {INSTALL}"
        if source.factory() is None:
            return "the installed timm has no create_scheduler_v2 that lrplot can read"
        return None

    @functools.cached_property
    def _entries(self) -> dict[str, Entry]:
        factory = source.factory()
        assert factory is not None
        return {
            schedule.name: Entry(
                family=self.name,
                name=schedule.name,
                command=schedule.name,
                params=factory.params,
                summary=schedule.cls or "no scheduler: the optimizer's lr stays",
                doc=f"timm.scheduler.create_scheduler_v2(sched={schedule.name!r}) builds "
                + (f"a {schedule.cls}." if schedule.cls else "no scheduler."),
                origin=f"timm.scheduler.create_scheduler_v2(sched={schedule.name!r})",
                uses_metric=schedule.metric,
                length_note="the num_epochs create_scheduler_v2 returns",
            )
            for schedule in factory.schedules.values()
        }

    def entries(self) -> Mapping[str, Entry]:
        return {} if self.missing() else self._entries

    def resolve(self, name: Any) -> Entry:
        why = self.missing()
        if why is not None:
            raise SpecError(why)
        if name in self._entries:
            return self._entries[name]
        raise SpecError(
            f"unknown timm scheduler {name!r} (timm {version('timm')} has: "
            f"{', '.join(self._entries)})",
            hint=close_match(str(name), self._entries),
        )

    # -- checking ------------------------------------------------------------------------------

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        try:
            entry = self.resolve(value[self.key])
        except SpecError as exc:
            raise ctx.fail(f"{path}.{self.key}", exc.message, exc.hint) from None
        names = [p.name for p in entry.params]
        kwargs: dict[str, Any] = {}
        for key, item in value.items():
            if key == self.key:
                continue
            where = f"{path}.{key}"
            if key == UPDATES:
                raise ctx.fail(where, "updates_per_epoch comes from the run: set steps_per_epoch")
            param = entry.param(key)
            if param is None:
                hint = close_match(str(key), names)
                takes = "" if hint else f" (create_scheduler_v2 takes: {', '.join(names)})"
                raise ctx.fail(where, f"unknown argument {key!r} for timm{takes}", hint)
            kwargs[key] = (
                _noise(item, where, ctx)
                if key == "noise"
                else validate(param, item, where, ctx.fail)
            )
        return SchedulerSpec(self.name, entry.name, kwargs, (), path)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        """The ``num_epochs`` create_scheduler_v2 returns; check_run reports a failure."""
        created = _create(spec.type, _key(spec.kwargs), steps_per_epoch)
        length = created if isinstance(created, int) else None
        return RunDefaults(length=length, interval="epoch", what=f"timm {spec.type}")

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        if curve.interval != "epoch":
            raise ctx.fail(
                spec.path,
                "timm schedulers are stepped as train.py steps them (step_update after every "
                "optimizer step, step at the end of every epoch); 'interval: step' does not "
                "apply (timm's step_on_epochs: false steps per update)",
            )
        created = _create(spec.type, _key(spec.kwargs), curve.steps_per_epoch)
        if isinstance(created, str):
            raise ctx.fail(spec.path, created)

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return self._entries[spec.type].uses_metric

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        """timm's plateau compares with ``plateau_mode`` (its factory's default: "max")."""
        if not self.uses_metric(spec):
            return None
        return str(spec.kwargs.get("plateau_mode", "max"))

    def nests(self, spec: SchedulerSpec) -> bool:
        return False

    # -- running -------------------------------------------------------------------------------

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        create = _factory()
        try:
            scheduler, _ = create(
                optimizer, sched=spec.type, updates_per_epoch=curve.steps_per_epoch, **spec.kwargs
            )
        except (ValueError, TypeError, AssertionError, ArithmeticError) as exc:
            raise SimulationError(_rejected(spec.type, exc), path=spec.path) from None
        return scheduler

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        return timm_stepping(scheduler, curve, metric)

    # -- describing ----------------------------------------------------------------------------

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        if self.uses_metric(spec):
            yield Event(0, "reduction", how="jumps")

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        pass

    def describe(self, spec: SchedulerSpec) -> str:
        parts = [
            f"{key}={value:g}" if isinstance(value, float) else f"{key}={value!r}"
            for key, value in spec.kwargs.items()
        ]
        return f"timm {spec.type}({', '.join(parts)})"

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        arguments = [
            "optimizer",
            f"sched={spec.type!r}",
            f"updates_per_epoch={curve.steps_per_epoch}",
            *(f"{key}={value!r}" for key, value in spec.kwargs.items()),
        ]
        # create_scheduler_v2 returns (scheduler, num_epochs)
        return call_source("create_scheduler_v2", arguments, indent, used) + "[0]"

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        return ["from timm.scheduler import create_scheduler_v2"]

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        return timm_step_code(curve, self.uses_metric(spec))

    def init_lines(self, entry: Entry) -> list[str]:
        examples = _EXAMPLES | (_PLATEAU_EXAMPLES if entry.uses_metric else {})
        lines = [
            "# epochs: ...                  # default: the num_epochs create_scheduler_v2 returns",
            "steps_per_epoch: 10            # timm's updates_per_epoch",
            "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}",
            "scheduler:",
            f"  timm: {entry.name}",
        ]
        for param in entry.params:
            comment = f"   # {param.doc}" if param.doc else ""
            if param.name in examples:
                lines.append(f"  {param.name}: {examples[param.name]}")
            else:
                lines.append(f"  # {param.name}: {param.default_text}{comment}")
        return lines + (list(METRIC_INIT) if entry.uses_metric else [])

    def list_details(self, entry: Entry) -> list[str]:
        return []


def _noise(value: Any, path: str, ctx: CheckContext) -> Any:
    """timm's ``noise``: a fraction of the schedule, or ``[start, end]`` fractions."""
    if is_number(value) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list) and 1 <= len(value) <= 2 and all(map(is_number, value)):
        return [float(v) for v in value]
    raise ctx.fail(path, f"must be a fraction or [start, end] fractions, got {value!r}")


def _key(kwargs: Mapping[str, Any]) -> str:
    return repr(sorted(kwargs.items()))


def _factory() -> Any:
    """timm's ``create_scheduler_v2`` (imports timm, which imports torchvision)."""
    try:
        from timm.scheduler import create_scheduler_v2
    except Exception as exc:  # a broken install fails in many ways; say which
        raise SpecError(
            f"timm could not be imported ({type(exc).__name__}: {exc}); timm imports "
            "torchvision, which must be a build that matches the installed torch"
        ) from None
    return create_scheduler_v2


def _rejected(name: str, exc: BaseException) -> str:
    return f"timm rejected {name}: {str(exc) or type(exc).__name__}"


@functools.lru_cache(maxsize=64)
def _create(name: str, key: str, updates_per_epoch: int) -> int | str:
    """The ``num_epochs`` create_scheduler_v2 returns for these arguments, or why it fails."""
    import ast
    import warnings

    import torch

    kwargs = dict(ast.literal_eval(key))
    try:
        create = _factory()
    except SpecError as exc:
        return exc.message
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    try:
        with warnings.catch_warnings():  # plateau's deprecation: said when the run builds it
            warnings.simplefilter("ignore")
            _, epochs = create(optimizer, sched=name, updates_per_epoch=updates_per_epoch, **kwargs)
    except (ValueError, TypeError, AssertionError, ArithmeticError) as exc:
        return _rejected(name, exc)
    return int(epochs)
