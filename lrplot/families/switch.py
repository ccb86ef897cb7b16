"""The switch family: a hand-written loop that steps one scheduler at a time.

```yaml
scheduler:
  type: switch
  milestones: [5]             # scheduler-step indices at which the next scheduler takes over
  schedulers:
    - {type: linear, start_factor: 0.1, total_iters: 5}
    - {type: plateau, patience: 3}
```

Every scheduler is built up front, in list order, on the one optimizer, as a hand-written loop
builds them. At the e-th scheduler step (0-based) only ``schedulers[j].step()`` is called, where j
is the number of milestones <= e; a plateau phase gets ``metric[e]`` (row k feeds scheduler step
k). Torch's documented SWA loop (``if i > swa_start: swa_scheduler.step() else:
scheduler.step()``) is ``milestones: [swa_start + 1]``. Unlike SequentialLR, nothing is reset or
re-stepped at a milestone, and a ReduceLROnPlateau phase is allowed (pytorch#68978).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lrplot.errors import SpecError, close_match
from lrplot.families.base import Entry, Event, RunDefaults, StepCode, Stepping, family_of, rebuild
from lrplot.model import SchedulerSpec
from lrplot.params import Kind, Param, validate

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec

NAME = "switch"
ENDS = ("warmup", "end")  # kinds still marked when they fall exactly on the next milestone
PARAMS = (
    Param(
        "milestones",
        Kind.INT_LIST,
        "scheduler-step indices at which the next scheduler takes over",
        required=True,
        low=1,
        rule="a positive integer",
        default_note="required",
    ),
    Param(
        "schedulers",
        Kind.SCHEDULERS,
        "the schedulers, built in this order on the one optimizer; only one steps at a time",
        required=True,
        default_note="required",
    ),
)


class Switched:
    """What :meth:`SwitchFamily.build` returns: the schedulers, each saved and loaded in turn."""

    def __init__(self, schedulers: list[Any]) -> None:
        self.schedulers = schedulers

    def state_dict(self) -> dict[str, Any]:
        return {"schedulers": [s.state_dict() for s in self.schedulers]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        for scheduler, saved in zip(self.schedulers, state["schedulers"], strict=True):
            scheduler.load_state_dict(saved)


class SwitchFamily:
    name = NAME
    key = "type"
    command_group: str | None = None
    title = "hand-written loops (lrplot switch --help; YAML: scheduler: {type: switch, ...})"
    group_help = ""

    @functools.cached_property
    def _entry(self) -> Entry:
        return Entry(
            family=self.name,
            name=NAME,
            command=NAME,
            params=PARAMS,
            summary="A hand-written loop: one scheduler after another, only one stepped at a "
            "time (torch's SWA loop, warmup then ReduceLROnPlateau)",
            doc=(
                "Every scheduler is built up front, in list order, on the one optimizer. At the "
                "e-th scheduler step (0-based) only schedulers[j].step() is called, where j is "
                "the number of milestones <= e; a ReduceLROnPlateau phase gets metric[e]. "
                "Torch's documented SWA loop (if i > swa_start: swa_scheduler.step() else: "
                "scheduler.step()) is milestones: [swa_start + 1]. Unlike SequentialLR, nothing "
                "is reset or stepped again at a milestone, and a plateau phase is allowed."
            ),
            origin="a hand-written training loop",
            uses_metric=True,
        )

    def missing(self) -> str | None:
        return None

    def entries(self) -> Mapping[str, Entry]:
        return {NAME: self._entry}

    def resolve(self, name: Any) -> Entry:
        if name == NAME:
            return self._entry
        raise SpecError(f"unknown scheduler {name!r}", hint=close_match(str(name), [NAME]))

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        if path.endswith("]"):
            raise ctx.fail(
                path,
                "a switch steps its schedulers by hand, so it can only be the run's own "
                "scheduler, not nested in another",
            )
        for key in value:
            if key not in ("type", "milestones", "schedulers"):
                hint = close_match(str(key), ["milestones", "schedulers"])
                raise ctx.fail(f"{path}.{key}", f"unknown argument {key!r} for switch", hint)
        for param in PARAMS:
            if param.name not in value:
                raise ctx.fail(path, f"switch needs {ctx.name(f'{path}.{param.name}')}")
        milestones = validate(PARAMS[0], value["milestones"], f"{path}.milestones", ctx.fail)
        items = value["schedulers"]
        where = f"{path}.schedulers"
        if not isinstance(items, list) or len(items) < 2:
            raise ctx.fail(where, "must be a list of two or more schedulers")
        children = tuple(ctx.scheduler(item, f"{where}[{i}]") for i, item in enumerate(items))
        if len(milestones) != len(children) - 1:
            raise ctx.fail(
                f"{path}.milestones",
                f"switch with {len(children)} schedulers needs {len(children) - 1} "
                f"milestone(s), got {len(milestones)}",
            )
        return SchedulerSpec(self.name, NAME, {"milestones": milestones}, children, path)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        return RunDefaults()

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        for child in spec.children:
            family_of(child).check_run(child, curve, ctx)

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return any(family_of(child).uses_metric(child) for child in spec.children)

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        for child in spec.children:
            mode = family_of(child).metric_mode(child)
            if mode is not None:
                return mode
        return None

    def nests(self, spec: SchedulerSpec) -> bool:
        return False  # a list of schedulers stepped by hand, not one LRScheduler

    # -- running -------------------------------------------------------------------------------

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        return Switched([family_of(c).build(c, optimizer, curve) for c in spec.children])

    def rebuild(
        self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec, last_epoch: int
    ) -> Any:
        """Each scheduler rebuilt with the steps *it* took (one that has not started yet is
        built as new), as a resuming hand-written loop would."""
        done = last_epoch + 1
        bounds = [0, *spec.kwargs["milestones"]]
        built = []
        for j, child in enumerate(spec.children):
            end = bounds[j + 1] if j + 1 < len(bounds) else done
            steps = max(0, min(done, end) - bounds[j])
            if steps:
                built.append(rebuild(child, optimizer, curve, steps - 1))
            else:
                built.append(family_of(child).build(child, optimizer, curve))
        return Switched(built)

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        steppings = []
        for child, built in zip(spec.children, scheduler.schedulers, strict=True):
            family = family_of(child)
            fed = metric if family.uses_metric(child) else None
            steppings.append(family.stepping(child, built, curve, fed))
        advances = [s.advance for s in steppings]
        milestones = list(spec.kwargs["milestones"])

        def advance(k: int) -> object:
            return advances[bisect.bisect_right(milestones, k)](k)

        facts: dict[str, Any] = {}
        for s in steppings:
            facts.update(s.facts)
        # Every phase is stepped by the run's one loop, so the first phase's shape is the run's.
        first = steppings[0]
        return dataclasses.replace(first, advance=advance, facts=facts)

    # -- describing ----------------------------------------------------------------------------

    def _phases(self, spec: SchedulerSpec, steps: int) -> Iterator[tuple[SchedulerSpec, int, int]]:
        """(scheduler, first step, end) of each phase, cut at ``steps``."""
        bounds = [0, *spec.kwargs["milestones"], steps]
        for j, child in enumerate(spec.children):
            yield child, min(bounds[j], steps), min(max(bounds[j + 1], bounds[j]), steps)

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        for j, (child, start, end) in enumerate(self._phases(spec, span)):
            if j and start < span:
                yield Event(start, "boundary", f"→ {self._name(child)}")
            for event in family_of(child).events(child, end - start):
                at = start + event.at
                if event.how == "peak" and start < end:
                    yield event  # measured on the curve (OneCycleLR's peak)
                elif event.how == "at" and (at < end or (at == end and event.kind in ENDS)):
                    yield Event(at, event.kind, event.text)
                # A plateau's "jumps" would mark every change of the whole curve (the warmup's
                # too); its reductions are marked by the metric panel instead.

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        for i, milestone in enumerate(spec.kwargs["milestones"]):
            if milestone >= steps:
                warn(
                    f"{spec.path}.milestones[{i}]",
                    f"milestone {milestone} is never reached: the scheduler runs {steps} steps "
                    f"(0 to {steps - 1})",
                )
                break
        for child, start, end in self._phases(spec, steps):
            if end > start:
                family_of(child).warnings(child, end - start, lrs, warn)

    def describe(self, spec: SchedulerSpec) -> str:
        inner = ", ".join(family_of(child).describe(child) for child in spec.children)
        return f"switch([{inner}], milestones={list(spec.kwargs['milestones'])})"

    @staticmethod
    def _name(spec: SchedulerSpec) -> str:
        return family_of(spec).describe(spec).split("(")[0]

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        inner = indent + "    "
        items = "".join(f"{inner}{family_of(c).code(c, curve, inner, 0)},\n" for c in spec.children)
        return f"[  # a hand-written loop steps one of these at a time\n{items}{indent}]"

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        found: list[str] = []
        for child in spec.children:
            found += [b for b in family_of(child).code_helpers(child) if b not in found]
        return found

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        per_step = curve.interval == "step"
        index = f"epoch * {curve.steps_per_epoch} + batch" if per_step else "epoch"
        milestones = list(spec.kwargs["milestones"])
        lines = ["# the scheduler steps taken so far decide which one steps now", f"k = {index}"]
        needs = False
        for j, child in enumerate(spec.children):
            call = family_of(child).step_code(child, curve)
            needs = needs or call.needs_metric
            text = call.call.replace("scheduler.", f"scheduler[{j}].", 1)
            text = text.replace(f"metric[{index}]", "metric[k]")
            if j == 0:
                lines.append(f"if k < {milestones[0]}:")
            elif j < len(milestones):
                lines.append(f"elif k < {milestones[j]}:")
            else:
                lines.append("else:")
            lines.append(f"    {text}")
        return StepCode("\n".join(lines), per_step, needs_metric=needs)

    def init_lines(self, entry: Entry) -> list[str]:
        return [
            "epochs: 100",
            "steps_per_epoch: 1",
            "interval: epoch                 # epoch | step (when scheduler.step() runs)",
            "optimizer: {type: SGD, lr: 0.1}",
            "scheduler:",
            "  type: switch",
            "  milestones: [5]               # scheduler steps before the next one takes over",
            "  schedulers:",
            "    - {type: linear, start_factor: 0.1, total_iters: 5}   # warmup",
            "    - {type: plateau, factor: 0.5, patience: 5}",
            "metric: {profile: plateau}      # what the plateau phase is fed",
        ]

    def list_details(self, entry: Entry) -> list[str]:
        return []
