"""The frozen dataclasses of a run: what a spec says, and what a simulation gives back.

Plain data with no catalogue look-ups: the spec package fills them in (validated), simulate and
draw read them. Caps on the work one spec may ask for live here too, so that every stage that
enforces one agrees on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrplot import loop
from lrplot.errors import LrplotWarning
from lrplot.origins import Origins
from lrplot.plotoptions import PlotOptions

if TYPE_CHECKING:
    import numpy as np

MAX_STEPS = 20_000_000
"""The most optimizer steps one curve may take (epochs x steps_per_epoch)."""
MAX_DATASET = 10**15  # samples in `data:`; any realistic dataset, and no bignum arithmetic
MAX_VALUES = MAX_STEPS
"""The most lr values one figure may compute: steps x param groups, summed over its curves."""
MAX_CURVES = 100
MAX_GROUPS = 100
MAX_TEXT = 1000  # characters in a title or a curve label
MAX_AUTO_TITLE = 200  # characters in a title lrplot makes up (from labels or a nested spec)
MAX_SCHEDULERS = 100  # schedulers in one scheduler's tree (SequentialLR, ChainedScheduler)
MAX_NESTING = 5  # levels of schedulers inside schedulers
MAX_WORK = 2 * MAX_STEPS
"""The most scheduler steps (or LBFGS iterations) one curve may take: optimizer steps x the
schedulers stepped at each (the leaves of its tree), or x LBFGS's inner iterations."""


def clipped_title(text: str) -> str:
    """An automatic title cut to :data:`MAX_AUTO_TITLE` characters, with an ellipsis."""
    return text if len(text) <= MAX_AUTO_TITLE else text[: MAX_AUTO_TITLE - 1].rstrip() + "…"


DEFAULT_EPOCHS = 100
INTERVALS = ("epoch", "step")
RESUME_MODES = ("state_dict", "rebuild", "fresh")
"""How a resumed run gets its scheduler back: load its state_dict, build it with
``last_epoch=K-1``, or build it anew (without its state) on the resumed optimizer."""
DEFAULT_PROFILE = "exp-decay"


@dataclass(frozen=True)
class SchedulerSpec:
    """One scheduler: ``type`` names an entry of its family's catalogue (a torch class name such
    as ``CosineAnnealingLR``, or a recipe name such as ``cosine_with_restarts``)."""

    family: str
    type: str
    kwargs: Mapping[str, Any]  # validated arguments, without nested schedulers
    children: tuple[SchedulerSpec, ...] = ()
    path: str = "scheduler"  # the key path in the spec, for messages
    # What the family settled while checking, beyond the arguments (how an imported callable is
    # stepped, the folder it is imported from): plain data, so that a spec still pickles.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def walk(self) -> list[SchedulerSpec]:
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass(frozen=True)
class OptimizerSpec:
    type: str = "SGD"
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    param_groups: tuple[Mapping[str, Any], ...] = ()  # per-group overrides; () is one group
    default_lr: float = float("nan")  # optimizer.defaults["lr"]: the given lr or the class's

    @property
    def group_count(self) -> int:
        return max(1, len(self.param_groups))

    def group_names(self) -> list[str]:
        """Each param group's ``name`` (``param_groups: [{name: backbone}]``), or ``""``."""
        groups = self.param_groups or ({},)
        return [str(group.get("name", "")) for group in groups]

    def group_lrs(self) -> list[float]:
        """Each param group's initial lr, where the spec or the optimizer's default gives one."""
        groups = self.param_groups or ({},)
        lrs = [group.get("lr", self.default_lr) for group in groups]
        return [float(lr) for lr in lrs if isinstance(lr, int | float) and lr == lr]


@dataclass(frozen=True)
class MetricSpec:
    """What a plateau scheduler is fed: explicit or replayed values, or a seeded synthetic profile.

    ``lrplot.metrics.metric_values(spec, count)`` turns it into numbers.
    """

    values: tuple[float, ...] | None = None  # explicit or replayed (as given: see padded_from)
    profile: str = DEFAULT_PROFILE
    params: Mapping[str, float] = field(default_factory=dict)  # overrides of the profile's defaults
    seed: int = 0
    file: str | None = None  # the replayed CSV, as the config or flag named it
    column: str | None = None
    padded_from: int | None = None  # `pad: last`: from this index on, the last value repeats
    patience_band: bool = False  # shade the patience window before each reduction

    def describe(self) -> str:
        """``val_loss from data/val_loss.csv``, ``plateau profile, seed 0`` or ``values``."""
        if self.file is not None:
            return f"{self.column} from {self.file}"
        if self.values is not None:
            return "values"
        return f"{self.profile} profile, seed {self.seed}"


@dataclass(frozen=True)
class DataSpec:
    """``data:``: the dataset and loader an epoch is made of (see :mod:`lrplot.loop`)."""

    dataset_size: int
    batch_size: int
    world_size: int = 1
    drop_last: bool = False
    accumulate: int = 1
    sharding: str = loop.SAMPLER  # how the framework splits the data over devices
    limit: int | float | None = None  # Lightning's limit_train_batches

    @property
    def batches(self) -> int:
        """Batches per device and epoch (after any limit)."""
        whole = loop.batches_per_device(
            self.dataset_size, self.batch_size, self.world_size, self.drop_last, self.sharding
        )
        return loop.limit_batches(whole, self.limit)

    @property
    def steps_per_epoch(self) -> int:
        return loop.steps_per_epoch(self.batches, self.accumulate)

    def derivation(self) -> str:
        """``50000 samples / 8 devices -> 6250 per device / 64 -> 98 batches / accumulate 4 ->
        25 optimizer steps per epoch``."""
        return loop.derivation(
            self.dataset_size,
            self.batch_size,
            self.world_size,
            self.drop_last,
            self.accumulate,
            self.sharding,
            self.limit,
        )


@dataclass(frozen=True)
class CurveSpec:
    scheduler: SchedulerSpec
    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    epochs: int = DEFAULT_EPOCHS
    steps_per_epoch: int = 1
    interval: str = "epoch"
    metric: MetricSpec | None = None
    label: str = ""
    data: DataSpec | None = None  # where steps_per_epoch came from, if from `data:`
    max_steps: int | None = None  # the run stops after this many optimizer steps (mid-epoch)
    frequency: int = 1  # Lightning's: scheduler.step() on every frequency-th batch or epoch
    framework: str = ""  # whose loop this is: "" (a plain one), "lightning", "huggingface"
    framework_path: str = ""  # the key path of the framework's block ("curves[1].lightning")
    notes: tuple[str, ...] = ()  # how the run was derived, for the summary and `show`
    remarks: tuple[tuple[str, str], ...] = ()  # warnings found while checking: (key path, text)
    resume_at: tuple[int, ...] = ()  # optimizer steps before which the run resumes
    resume_mode: str = "state_dict"

    @property
    def total_steps(self) -> int:
        """Optimizer steps, i.e. CSV rows."""
        whole = self.epochs * self.steps_per_epoch
        return whole if self.max_steps is None else min(whole, self.max_steps)

    @property
    def loop(self) -> loop.Loop:
        """Which rows a ``scheduler.step()`` follows."""
        data = self.data
        return loop.Loop(
            self.steps_per_epoch,
            self.total_steps,
            self.interval,
            self.frequency,
            data.batches if data else 0,
            data.accumulate if data else 1,
        )

    @property
    def scheduler_steps(self) -> int:
        """How many times ``scheduler.step()`` is called in the run."""
        return self.loop.scheduler_steps

    @property
    def rows_per_scheduler_step(self) -> int:
        """Optimizer steps (CSV rows) between two ``scheduler.step()`` calls; 0 when that
        varies (Lightning's frequency with accumulation: see ``loop.starts()``)."""
        return self.loop.period or 0

    def row_of(self, k: int) -> int | None:
        """The first row at which the lr of scheduler step ``k`` is in effect."""
        return self.loop.row_of(k)


@dataclass(frozen=True)
class FigureSpec:
    curves: tuple[CurveSpec, ...]
    title: str | None = None
    source: str = "<spec>"
    outputs: tuple[str, ...] = ()  # file names relative to the output folder, from `outputs:`
    plot: PlotOptions = field(default_factory=PlotOptions)  # from `plot:`; CLI flags override
    auto_title: str = ""  # built from the scheduler(s) when `title:` is not given
    origins: Origins = field(default_factory=Origins, compare=False, repr=False)
    warnings: tuple[LrplotWarning, ...] = field(default=(), compare=False, repr=False)
    """Legal but suspicious input (see lrplot.config.warnings): the CLI prints them."""
    notes: tuple[LrplotWarning, ...] = field(default=(), compare=False, repr=False)
    """How lrplot read a value it translated (``--momentum`` as Adam's beta1): ``note:`` lines."""

    @property
    def lines(self) -> Mapping[str, int]:
        return self.origins.lines

    def line(self, path: str | None) -> int | None:
        """The YAML line of a key path (or of its nearest ancestor), if the spec came from YAML."""
        return self.origins.line(path)

    @property
    def display_title(self) -> str:
        return self.title if self.title is not None else self.auto_title


@dataclass(frozen=True, eq=False)
class Curve:
    """One simulated curve. Arrays have one entry per optimizer step (CSV row).

    ``momentum`` is a read-only broadcast view when it never changes (most schedules): it holds
    the same values as a full array without its 8 bytes per row. ``facts`` holds what the real
    scheduler object reported that drawing needs (a plateau's patience, mode, threshold, ...).
    ``extra`` holds the other numeric param group keys by name, each shaped like ``lr``:
    ``weight_decay`` whenever the optimizer has it, and any key the scheduler changed.
    ``figure`` is the spec this curve was simulated for, when it came from one (its title and
    ``plot:`` options are what :func:`lrplot.plot` draws by default).
    """

    spec: CurveSpec
    lr: np.ndarray  # float64, shape (param groups, N)
    momentum: np.ndarray | None  # float64, shape (param groups, N): momentum or betas[0]
    metric: np.ndarray | None = None  # float64, N: what a plateau scheduler saw for each row
    momentum_name: str = "momentum"  # "momentum", or "beta1" for the Adam family
    facts: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)
    figure: FigureSpec | None = field(default=None, compare=False, repr=False)
    after: np.ndarray | None = None  # per group: the lr after the run's last scheduler step
    uninterrupted: np.ndarray | None = None  # with resume_at: the lr of the same run, never resumed

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def group_names(self) -> list[str]:
        """How the legend and the CSV name each param group: its ``name``, or its number."""
        names = self.spec.optimizer.group_names()
        names += [""] * (self.groups - len(names))
        return [name or str(g) for g, name in enumerate(names[: self.groups])]

    @property
    def named_groups(self) -> bool:
        return any(self.spec.optimizer.group_names())

    @property
    def groups(self) -> int:
        return int(self.lr.shape[0])

    def __len__(self) -> int:
        return int(self.lr.shape[1])

    # step and epoch are made on demand, not stored: at 10M rows each would be 80 MB.

    @property
    def step(self) -> np.ndarray:
        """int64, 0..N-1."""
        import numpy as np

        return np.arange(len(self), dtype=np.int64)

    @property
    def epoch(self) -> np.ndarray:
        """float64, step / steps_per_epoch."""
        return self.epoch_range(0, len(self))

    def epoch_range(self, start: int, stop: int) -> np.ndarray:
        """``epoch[start:stop]`` without making the whole column."""
        import numpy as np

        return np.arange(start, stop, dtype=np.int64) / self.spec.steps_per_epoch
