"""The family protocol: everything lrplot knows about one source of schedulers, in one place.

A *family* is a source of schedulers: torch's own classes, lrplot's recipes, and later the
schedulers of other libraries or a user's own code. Each family owns

- its catalogue (:class:`Entry`: names, aliases, summary, parameters as :class:`Param`);
- how a spec mapping is checked (:meth:`Family.check`) and what run it implies by default;
- how the scheduler is built on an optimizer and how a training loop *steps* it
  (:class:`Stepping`: ``step()``, ``step(metric)``, or whatever the library's API is);
- where its schedule does something worth marking (:class:`Event`), what looks suspicious
  (:meth:`Family.warnings`), how it reads as a title, and how it is written as code.

Nothing outside ``lrplot.families`` asks for a scheduler by name: the spec, the simulation, the
drawing and the code export ask the family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from lrplot.errors import SpecError
    from lrplot.model import CurveSpec, OptimizerSpec, SchedulerSpec
    from lrplot.params import Param


@dataclass(frozen=True)
class Entry:
    """One named scheduler of a family's catalogue."""

    family: str
    name: (
        str  # the catalogue key, as the library spells it: CosineAnnealingLR, cosine_with_restarts
    )
    command: str  # the CLI command: cosine, cosine-with-restarts
    params: tuple[Param, ...]
    summary: str = ""
    doc: str = ""
    aliases: tuple[str, ...] = ()
    origin: str = ""  # where it comes from: torch.optim.lr_scheduler.CosineAnnealingLR
    uses_metric: bool = False  # stepped with a metric (a plateau scheduler)
    interval: str = "epoch"  # what a run steps it by when the spec does not say
    length_note: str = "100"  # how --help states the default run length
    # The command takes the family's key as a positional argument with this metavar
    # (``lrplot import MODULE:ATTR``) instead of fixing it to the entry's name.
    target: str = ""
    # It takes keyword arguments beyond ``params`` (an imported callable's): ``--kw KEY=VALUE``.
    any_keywords: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the entry answers to, the command first."""
        return tuple(dict.fromkeys([self.command, *self.aliases, self.name]))

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class CheckContext(Protocol):
    """What a family's :meth:`Family.check` may ask of the spec being checked."""

    optimizer: OptimizerSpec
    base_dir: Path  # the config's folder (files it names are relative to it)
    allow_import: frozenset[str]  # top-level packages the user allows a spec to import

    def fail(self, path: str, message: str, hint: str | None = None) -> SpecError:
        """A SpecError located at ``path`` (its YAML line, or the flag it came from)."""

    def name(self, path: str) -> str:
        """How a message names the key at ``path``: ``'T_max'``, or ``--T-max`` from the CLI."""

    def scheduler(self, value: Any, path: str) -> SchedulerSpec:
        """Check a nested scheduler mapping, of any family."""


@dataclass(frozen=True)
class RunDefaults:
    """What a family says about a run that does not set its length or interval itself."""

    length: int | None = None  # the schedule's own length in scheduler steps; None: none
    interval: str | None = None  # None: lrplot's default ("epoch")
    what: str = ""  # how a message names the schedule: "recipe cosine"
    fills: str = ""  # an argument lrplot fills in from the run when it is left out
    per_step: bool = False  # the schedule is meant to step after every optimizer step


@dataclass(frozen=True)
class Event:
    """Something a schedule does at a scheduler step, for annotations.

    ``at`` is the number of scheduler steps taken when it happens. ``how`` says how drawing
    confirms it: ``"at"`` (the lr should change there), ``"peak"`` (the lr peaks at ``at`` or the
    step after, and falls afterwards), ``"jumps"`` (mark every change, each one a ``kind``).
    ``every`` marks one of a regular series (StepLR's drops every ``step_size`` steps): drawing
    labels the series once ("×0.5 every 10 epochs") instead of at every drop.
    """

    at: int
    kind: str
    text: str = ""
    how: str = "at"
    every: int = 0


@dataclass(frozen=True)
class Stepping:
    """How a run advances one scheduler.

    The loop reads the lr of every param group, then calls ``advance(k)`` (for the first
    ``advances`` reads; default: all), ``records`` times; each row read stands for ``repeat``
    optimizer steps (an epoch-interval scheduler is read once per epoch), or for ``counts[k]``
    when that varies (Lightning's frequency). Rows past the run's end are dropped. ``facts`` is
    what the built scheduler reports that drawing needs.

    A metric holds one value per scheduler step of the curve; each value stands for
    ``metric_repeat`` rows (default: as the lr). A scheduler read after every optimizer step but
    fed its metric once per epoch (timm's ``step(epoch + 1, metric)``) sets it to the rows of
    an epoch.
    """

    advance: Callable[[int], object]
    records: int
    repeat: int = 1
    facts: Mapping[str, Any] = field(default_factory=dict)
    metric_repeat: int | None = None
    advances: int | None = None
    counts: Any = None  # numpy int array, one per record, when the rows per record vary


@dataclass(frozen=True)
class StepCode:
    """How the code export calls the scheduler in its loop: ``call`` after every optimizer
    step (``per_step``) or after every epoch; ``needs_metric`` adds the metric list.
    ``per_update``, if set, is called after every optimizer step as well (timm's
    ``step_update``); ``epoch`` and ``batch`` are the loop's counters."""

    call: str
    per_step: bool
    needs_metric: bool = False
    per_update: str = ""


Warn = Callable[[str, str], None]
"""``warn(key path, message)``."""


class Family(Protocol):
    name: str  # "torch", "recipe"
    key: str  # the YAML key that selects it: scheduler: {type: ...} / {recipe: ...}
    command_group: str | None  # None: `lrplot NAME`; "recipe": `lrplot recipe NAME`
    group_help: str  # --help of the command group, when there is one

    @property
    def title(self) -> str:
        """How ``lrplot list`` heads the family's section."""

    def missing(self) -> str | None:
        """None when the family can be used; else why not and how to install it (an optional
        library that is not installed): the one-line error every use of the family gives."""

    def entries(self) -> Mapping[str, Entry]:
        """The catalogue, by entry name."""

    def resolve(self, name: Any) -> Entry:
        """An entry by any of its names; SpecError with a close match otherwise."""

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        """Validate ``scheduler: {<key>: NAME, ...}`` (the key included) into a SchedulerSpec."""

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        """The run a top-level scheduler implies when the spec sets no epochs or interval."""

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        """Rules that need the whole run (OneCycleLR's total_steps against the run's length)."""

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        """Whether this scheduler is stepped with a metric."""

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        """For a scheduler stepped with a metric: "min" when lower is better, "max" when higher
        is; None when it does not say."""

    def nests(self, spec: SchedulerSpec) -> bool:
        """Whether it is a torch ``LRScheduler`` that SequentialLR and ChainedScheduler can hold
        (not a plateau scheduler, not one with its own stepping API)."""

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        """The real scheduler on ``optimizer`` (raises SimulationError when the library refuses)."""

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        """How the run steps what :meth:`build` returned."""

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        """Events within the first ``span`` scheduler steps of this scheduler (nested ones too)."""

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        """Warnings for a scheduler that runs ``steps`` scheduler steps (nested ones too)."""

    def describe(self, spec: SchedulerSpec) -> str:
        """The spec as one line: ``CosineAnnealingLR(T_max=20, eta_min=1e-05)``."""

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        """The Python expression that builds the scheduler (``optimizer`` is in scope)."""

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        """Source blocks the expression needs (functions defined before it), nested ones too."""

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        """How the exported loop steps the scheduler."""

    def init_lines(self, entry: Entry) -> list[str]:
        """The body of ``lrplot init NAME`` (run, optimizer, scheduler): it renders as it is."""

    def list_details(self, entry: Entry) -> list[str]:
        """Extra lines under the entry in ``lrplot list`` (a recipe's parameters)."""


# -- the families lrplot knows -------------------------------------------------------------------

_REGISTERED: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Add a family (``lrplot.families`` registers the built-in ones at import)."""
    _REGISTERED[family.name] = family
    return family


def registered() -> list[Family]:
    return list(_REGISTERED.values())


def family_of(spec: SchedulerSpec) -> Family:
    """The family that checked ``spec`` and so knows how to build, step and describe it."""
    return _REGISTERED[spec.family]


def rebuild(spec: SchedulerSpec, optimizer: Any, curve: CurveSpec, last_epoch: int) -> Any:
    """The scheduler built as a resuming script builds it: with ``last_epoch`` and no state.

    A family offers this with an optional ``rebuild(spec, optimizer, curve, last_epoch)``
    method (``resume_mode: rebuild``); one without it cannot be built that way.
    """
    from lrplot.errors import SimulationError

    family = family_of(spec)
    method = getattr(family, "rebuild", None)
    if method is None:
        raise SimulationError(
            f"{family.describe(spec)} takes no last_epoch, so it cannot be rebuilt; "
            "use resume_mode: state_dict",
            path="resume_mode",
        )
    return method(spec, optimizer, curve, last_epoch)
