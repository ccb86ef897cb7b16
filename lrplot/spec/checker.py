"""The run spec: frozen dataclasses, built from YAML or from the command line, validated whole.

Everything the simulation needs is checked here, against the installed torch's signatures and
against rules torch itself does not enforce, before torch is imported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lrplot import metrics
from lrplot.errors import ExprError, LrplotError, LrplotWarning, SpecError, close_match
from lrplot.expr import Expression
from lrplot.families import recipes
from lrplot.families import torch_catalog as registry
from lrplot.families.torch_catalog import ClassInfo, Kind, Param
from lrplot.plotoptions import PlotOptions, options_from_yaml

from .yamlload import Document, line_of, load_bytes

MAX_STEPS = 20_000_000
"""The most optimizer steps one curve may take (epochs x steps_per_epoch)."""
MAX_VALUES = MAX_STEPS
"""The most lr values one figure may compute: steps x param groups, summed over its curves."""
MAX_CURVES = 100
MAX_GROUPS = 100
MAX_TEXT = 1000  # characters in a title or a curve label
MAX_OUTPUT_PATH = 1024  # bytes in an output name from a config

DEFAULT_EPOCHS = 100
INTERVALS = ("epoch", "step")
RUN_KEYS = ("epochs", "steps_per_epoch", "interval", "optimizer", "scheduler", "metric")
FIGURE_KEYS = ("title", *RUN_KEYS, "curves", "outputs", "plot")
FORMATS = ("png", "svg", "pdf", "csv")
MAX_NAME = 255
CURVE_KEYS = ("label", *RUN_KEYS)
METRIC_SOURCES = ("values", "file", "profile")
METRIC_OPTIONS = ("column", "pad", "seed", "patience_band")
METRIC_KEYS = (*METRIC_SOURCES, *METRIC_OPTIONS, *metrics.PARAM_NAMES)
PLATEAU = "ReduceLROnPlateau"
CYCLING = ("OneCycleLR", "CyclicLR")

# Rules torch does not check, or checks only at the first step(): name -> (test, what it must be)
_INT_RULES: dict[str, tuple[int, str]] = {
    "step_size": (1, "a positive integer"),
    "T_max": (1, "a positive integer"),
    "T_0": (1, "a positive integer"),
    "T_mult": (1, "an integer >= 1"),
    "total_iters": (1, "a positive integer"),
    "step_size_up": (1, "a positive integer"),
    "step_size_down": (1, "a positive integer"),
    "anneal_epochs": (1, "a positive integer"),
    "total_steps": (1, "a positive integer"),
    "epochs": (1, "a positive integer"),
    "steps_per_epoch": (1, "a positive integer"),
    "patience": (0, "an integer >= 0"),
    "cooldown": (0, "an integer >= 0"),
}
_POSITIVE = {"gamma", "factor", "start_factor", "max_lr", "base_lr", "swa_lr", "lr", "div_factor"}
_POSITIVE |= {"final_div_factor"}
_NON_NEGATIVE = {"eta_min", "min_lr", "power", "end_factor", "threshold", "eps", "momentum"}
_NON_NEGATIVE |= {"base_momentum", "max_momentum"}


@dataclass(frozen=True)
class SchedulerSpec:
    type: str  # torch class name
    kwargs: Mapping[str, Any]  # validated constructor arguments, without nested schedulers
    children: tuple[SchedulerSpec, ...] = ()
    path: str = "scheduler"
    recipe: str | None = None  # a recipe name (lrplot/recipes.py); kwargs are its parameters

    @property
    def info(self) -> ClassInfo:
        return registry.schedulers()[self.type]

    def walk(self) -> list[SchedulerSpec]:
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found

    def describe(self) -> str:
        """``CosineAnnealingLR(T_max=20, eta_min=1e-05)``."""
        if self.recipe is not None:
            return recipes.describe(self.recipe, self.kwargs)
        parts = []
        if self.children:
            parts.append("[" + ", ".join(child.describe() for child in self.children) + "]")
        parts += [f"{name}={_short(value)}" for name, value in self.kwargs.items()]
        return f"{self.type}({', '.join(parts)})"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class OptimizerSpec:
    type: str = "SGD"
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    param_groups: tuple[Mapping[str, Any], ...] = ()  # per-group overrides; () is one group

    @property
    def info(self) -> ClassInfo:
        return registry.resolve_optimizer(self.type)

    @property
    def group_count(self) -> int:
        return max(1, len(self.param_groups))


@dataclass(frozen=True)
class MetricSpec:
    """What ReduceLROnPlateau is fed: explicit or replayed values, or a seeded synthetic profile.

    ``lrplot.metrics.metric_values(spec, count)`` turns it into numbers.
    """

    values: tuple[float, ...] | None = None  # explicit or replayed, already padded to the run
    profile: str = metrics.DEFAULT_PROFILE
    params: Mapping[str, float] = field(default_factory=dict)  # overrides of the profile's defaults
    seed: int = 0
    file: str | None = None  # the replayed CSV, as the config or flag named it
    column: str | None = None
    padded_from: int | None = None  # the first index `pad: last` filled in
    patience_band: bool = False  # shade the patience window before each reduction

    def describe(self) -> str:
        """``val_loss from data/val_loss.csv``, ``plateau profile, seed 0`` or ``values``."""
        if self.file is not None:
            return f"{self.column} from {self.file}"
        if self.values is not None:
            return "values"
        return f"{self.profile} profile, seed {self.seed}"


@dataclass(frozen=True)
class CurveSpec:
    scheduler: SchedulerSpec
    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    epochs: int = DEFAULT_EPOCHS
    steps_per_epoch: int = 1
    interval: str = "epoch"
    metric: MetricSpec | None = None
    label: str = ""

    @property
    def total_steps(self) -> int:
        """Optimizer steps, i.e. CSV rows."""
        return self.epochs * self.steps_per_epoch

    @property
    def scheduler_steps(self) -> int:
        """How many times ``scheduler.step()`` is called in the run."""
        return self.total_steps if self.interval == "step" else self.epochs


@dataclass(frozen=True)
class FigureSpec:
    curves: tuple[CurveSpec, ...]
    title: str | None = None
    source: str = "<spec>"
    outputs: tuple[str, ...] = ()  # file names relative to the output folder, from `outputs:`
    plot: PlotOptions = field(default_factory=PlotOptions)  # from `plot:`; CLI flags override
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    warnings: tuple[LrplotWarning, ...] = field(default=(), compare=False, repr=False)
    """Legal but suspicious input (see lrplot.warn): the CLI prints them, callers read them."""

    def line(self, path: str | None) -> int | None:
        """The YAML line of a key path (or of its nearest ancestor), if the spec came from YAML."""
        return line_of(self.lines, path) if path else None

    @property
    def display_title(self) -> str:
        if self.title is not None:
            return self.title
        if len(self.curves) == 1:
            import textwrap

            return "\n".join(textwrap.wrap(self.curves[0].scheduler.describe(), 90))
        return ", ".join(curve.label for curve in self.curves)


# ---------------------------------------------------------------------------------------------


def load_spec(path: str | Path) -> FigureSpec:
    """Read and validate a YAML spec file."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError("no such file", source=source) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a YAML file", source=source) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", source=source) from None
    return spec_from_document(load_bytes(raw, source), base_dir=path.parent)


def spec_from_text(
    text: str, source: str = "<string>", *, base_dir: str | Path | None = None
) -> FigureSpec:
    # surrogatepass: a lone surrogate (from surrogateescape) is then "not valid UTF-8", not a crash
    raw = text.encode("utf-8", "surrogatepass")
    return spec_from_document(load_bytes(raw, source), base_dir=base_dir)


def spec_from_mapping(
    data: Any, source: str = "<spec>", *, base_dir: str | Path | None = None, confine: bool = True
) -> FigureSpec:
    return spec_from_document(Document(data, source), base_dir=base_dir, confine=confine)


def spec_from_document(
    doc: Document, *, base_dir: str | Path | None = None, confine: bool = True
) -> FigureSpec:
    """Validate a loaded document. Files it names (``metric.file``) are read relative to
    ``base_dir`` (default: the current folder) and, with ``confine``, must stay inside it."""
    try:
        spec = _Checker(doc, Path(base_dir or "."), confine).figure()
    except LrplotError as exc:
        raise exc.located(source=doc.source) from None
    from .warnings import spec_warnings

    spec = replace(spec, lines=doc.lines)
    return replace(spec, warnings=spec_warnings(spec))


class _Checker:
    def __init__(self, doc: Document, base_dir: Path = Path("."), confine: bool = True) -> None:
        self.doc = doc
        self.base_dir = base_dir
        self.confine = confine

    def fail(self, path: str, message: str, hint: str | None = None) -> SpecError:
        return SpecError(
            message, source=self.doc.source, path=path or None, line=self.doc.line(path), hint=hint
        )

    # -- structure ------------------------------------------------------------------------------

    def mapping(self, value: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            what = "the top level" if not path else "this"
            raise self.fail(path, f"{what} must be a mapping (key: value), got {_typename(value)}")
        for key in value:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(
                    where, f"unknown key {key!r}", hint=close_match(key, allowed) or None
                )
        return value

    def figure(self) -> FigureSpec:
        data = self.mapping(self.doc.data, "", FIGURE_KEYS)
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            raise self.fail("title", f"must be a string, got {_typename(title)}")
        if title is not None and len(title) > MAX_TEXT:
            raise self.fail("title", f"is longer than {MAX_TEXT} characters")
        outputs = self.outputs(data.get("outputs"))
        plot = options_from_yaml(data.get("plot"), self.fail)
        if "curves" in data:
            if "scheduler" in data:
                raise self.fail("curves", "give either 'scheduler' or 'curves', not both")
            curves = data["curves"]
            if not isinstance(curves, list) or not curves:
                raise self.fail("curves", "must be a non-empty list of curves")
            if len(curves) > MAX_CURVES:
                raise self.fail("curves", f"has {len(curves)} curves, more than {MAX_CURVES}")
            built = []
            labels: dict[str, int] = {}
            for i, item in enumerate(curves):
                path = f"curves[{i}]"
                item = self.mapping(item, path, CURVE_KEYS)
                merged = {k: v for k, v in data.items() if k in RUN_KEYS}
                merged.update(item)
                label = item.get("label")
                if not isinstance(label, str) or not label.strip():
                    raise self.fail(f"{path}.label", "every curve needs a label (a string)")
                if len(label) > MAX_TEXT:
                    raise self.fail(f"{path}.label", f"is longer than {MAX_TEXT} characters")
                if label in labels:
                    raise self.fail(
                        f"{path}.label",
                        f"label {label!r} is already used by curves[{labels[label]}]",
                    )
                labels[label] = i
                owner = {k: (f"{path}.{k}" if k in item else k) for k in RUN_KEYS}
                built.append(self.curve(merged, owner, label))
            self.check_size(built, "curves")
            return FigureSpec(tuple(built), title, self.doc.source, outputs, plot)
        if "scheduler" not in data:
            raise self.fail("", "missing key 'scheduler' (or a 'curves' list)")
        curve = self.curve(data, {k: k for k in RUN_KEYS}, "")
        self.check_size([curve], "optimizer.param_groups")
        return FigureSpec((curve,), title, self.doc.source, outputs, plot)

    def check_size(self, curves: list[CurveSpec], path: str) -> None:
        """Bound the work and memory of one figure, whatever the shape of the config."""
        total = sum(c.total_steps * c.optimizer.group_count for c in curves)
        if total > MAX_VALUES:
            raise self.fail(
                path,
                f"the figure would compute {total} lr values (steps x param groups, over all "
                f"curves), more than the limit of {MAX_VALUES}",
            )

    def outputs(self, value: Any) -> tuple[str, ...]:
        """Output names from a config: relative paths that stay inside the output folder."""
        if value is None:
            return ()
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            raise self.fail("outputs", "must be a file name or a non-empty list of file names")
        seen: set[str] = set()
        for i, name in enumerate(names):
            path = f"outputs[{i}]" if isinstance(value, list) else "outputs"
            if not isinstance(name, str) or not name.strip():
                raise self.fail(path, f"must be a file name, got {_typename(name)}")
            if "\0" in name:
                raise self.fail(path, "a file name cannot contain a NUL byte")
            parts = name.replace("\\", "/").split("/")
            if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
                raise self.fail(
                    path, f"{name!r} is absolute; outputs stay inside the output folder"
                )
            if ".." in parts:
                raise self.fail(
                    path, f"{name!r} contains '..'; outputs stay inside the output folder"
                )
            if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME for part in parts):
                raise self.fail(path, f"a file name is longer than {MAX_NAME} bytes")
            if len(name.encode("utf-8", "surrogatepass")) > MAX_OUTPUT_PATH:
                raise self.fail(path, f"the name is longer than {MAX_OUTPUT_PATH} bytes")
            suffix = name.rsplit(".", 1)[-1].lower() if "." in parts[-1] else ""
            if suffix not in FORMATS:
                what = f"'.{suffix}'" if suffix else "no extension"
                formats = ", ".join("." + f for f in FORMATS)
                raise self.fail(path, f"{name!r} has {what}; use one of {formats}")
            if name in seen:
                raise self.fail(path, f"{name!r} is listed twice")
            seen.add(name)
        return tuple(names)

    def curve(self, data: dict[str, Any], owner: dict[str, str], label: str) -> CurveSpec:
        data = {**self.recipe_defaults(data), **data}
        epochs = self.count(data.get("epochs", DEFAULT_EPOCHS), owner["epochs"])
        steps_per_epoch = self.count(data.get("steps_per_epoch", 1), owner["steps_per_epoch"])
        if epochs * steps_per_epoch > MAX_STEPS:
            raise self.fail(
                owner["epochs"],
                f"{epochs} epochs x {steps_per_epoch} steps is {epochs * steps_per_epoch} steps, "
                f"more than the limit of {MAX_STEPS}",
            )
        interval = data.get("interval", "epoch")
        if interval not in INTERVALS:
            raise self.fail(
                owner["interval"],
                f"must be 'epoch' or 'step', got {interval!r}",
                hint=close_match(str(interval), INTERVALS),
            )
        optimizer = self.optimizer(data.get("optimizer"), owner["optimizer"])
        if data.get("scheduler") is None:
            raise self.fail(owner["scheduler"], "missing scheduler")
        scheduler = self.scheduler(data["scheduler"], owner["scheduler"], optimizer)
        curve = CurveSpec(
            scheduler=scheduler,
            optimizer=optimizer,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            interval=interval,
            label=label,
        )
        metric = self.metric(data.get("metric"), owner["metric"], curve)
        curve = CurveSpec(**{**curve.__dict__, "metric": metric})
        self.check_run(curve, owner)
        return curve

    def count(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be a positive integer, got {_typename(value)} {value!r}")
        if value < 1:
            raise self.fail(path, f"must be a positive integer, got {value}")
        return value

    # -- optimizer ------------------------------------------------------------------------------

    def optimizer(self, value: Any, path: str) -> OptimizerSpec:
        if value is None:
            return OptimizerSpec()
        if isinstance(value, str):
            value = {"type": value}
        if not isinstance(value, dict):
            raise self.fail(
                path, f"must be a mapping such as {{type: SGD, lr: 0.1}}, got {_typename(value)}"
            )
        name = value.get("type", "SGD")
        try:
            info = registry.resolve_optimizer(name)
        except SpecError as exc:
            raise exc.located(
                source=self.doc.source, path=f"{path}.type", line=self.doc.line(f"{path}.type")
            ) from None
        allowed = tuple(p.name for p in info.params)
        kwargs = {}
        for key, item in value.items():
            if key in ("type", "param_groups"):
                continue
            kwargs[key] = self.argument(info, key, item, f"{path}.{key}", allowed)
        groups: list[dict[str, Any]] = []
        raw_groups = value.get("param_groups")
        if raw_groups is not None:
            if not isinstance(raw_groups, list) or not raw_groups:
                raise self.fail(f"{path}.param_groups", "must be a non-empty list of mappings")
            if len(raw_groups) > MAX_GROUPS:
                raise self.fail(
                    f"{path}.param_groups",
                    f"has {len(raw_groups)} param groups, more than {MAX_GROUPS}",
                )
            for i, group in enumerate(raw_groups):
                gpath = f"{path}.param_groups[{i}]"
                if not isinstance(group, dict):
                    raise self.fail(
                        gpath, f"must be a mapping such as {{lr: 0.01}}, got {_typename(group)}"
                    )
                groups.append(
                    {
                        k: self.argument(info, k, v, f"{gpath}.{k}", allowed)
                        for k, v in group.items()
                    }
                )
        for required in (p for p in info.params if p.required):
            if required.name not in kwargs and not all(required.name in g for g in groups or [{}]):
                raise self.fail(path, f"{info.name} needs {required.name!r}")
        return OptimizerSpec(info.name, kwargs, tuple(groups))

    # -- scheduler ------------------------------------------------------------------------------

    def scheduler(self, value: Any, path: str, optimizer: OptimizerSpec) -> SchedulerSpec:
        if isinstance(value, dict) and "recipe" in value:
            recipe, params = recipes.check(value, path, _default_lr(optimizer), self.fail)
            return SchedulerSpec("LambdaLR", params, (), path, recipe.name)
        if isinstance(value, str):
            value = {"type": value}
        if not isinstance(value, dict):
            raise self.fail(
                path,
                f"must be a mapping such as {{type: cosine, T_max: 20}}, got {_typename(value)}",
            )
        if "type" not in value:
            raise self.fail(path, "missing key 'type' (the scheduler's class name or alias)")
        try:
            info = registry.resolve_scheduler(value["type"])
        except SpecError as exc:
            raise exc.located(
                source=self.doc.source, path=f"{path}.type", line=self.doc.line(f"{path}.type")
            ) from None
        allowed = tuple(p.name for p in info.params)
        kwargs: dict[str, Any] = {}
        children: tuple[SchedulerSpec, ...] = ()
        groups = optimizer.group_count
        for key, item in value.items():
            if key == "type":
                continue
            arg_path = f"{path}.{key}"
            param = info.param(key)
            if param is not None and param.kind is Kind.SCHEDULERS:
                children = self.children(item, arg_path, optimizer)
                continue
            kwargs[key] = self.argument(info, key, item, arg_path, allowed)
            if (
                param is not None
                and isinstance(kwargs[key], list)
                and param.kind
                in (
                    Kind.FLOAT_OR_LIST,
                    Kind.EXPR_OR_LIST,
                )
            ):
                if len(kwargs[key]) != groups:
                    raise self.fail(
                        arg_path,
                        f"has {len(kwargs[key])} values but the optimizer has "
                        f"{groups} param group(s)",
                    )
        for param in info.params:
            if (
                param.required
                and param.name not in kwargs
                and not (param.kind is Kind.SCHEDULERS and children)
            ):
                raise self.fail(path, f"{info.name} needs {param.name!r}")
        spec = SchedulerSpec(info.name, kwargs, children, path)
        self.check_scheduler(spec, optimizer)
        return spec

    def children(
        self, value: Any, path: str, optimizer: OptimizerSpec
    ) -> tuple[SchedulerSpec, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, "must be a non-empty list of schedulers")
        built = []
        for i, item in enumerate(value):
            child = self.scheduler(item, f"{path}[{i}]", optimizer)
            if child.type == PLATEAU:
                raise self.fail(
                    f"{path}[{i}]",
                    "ReduceLROnPlateau cannot be nested in SequentialLR or ChainedScheduler "
                    "(torch rejects it)",
                )
            built.append(child)
        return tuple(built)

    def argument(
        self, info: ClassInfo, key: str, value: Any, path: str, allowed: tuple[str, ...]
    ) -> Any:
        param = info.param(key)
        if param is None:
            hint = close_match(key, allowed)
            extra = "" if hint else f" ({info.name} takes: {', '.join(allowed) or 'nothing'})"
            raise self.fail(path, f"unknown argument {key!r} for {info.name}{extra}", hint=hint)
        return self.value(param, value, path)

    def value(self, param: Param, value: Any, path: str) -> Any:
        kind = param.kind
        if value is None:
            if param.optional:
                return None
            raise self.fail(path, f"must be {_kind_text(param)}, got null")
        if kind is Kind.INT:
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(path, f"must be an integer, got {_typename(value)} {value!r}")
            rule = _INT_RULES.get(param.name)
            if rule and value < rule[0]:
                raise self.fail(path, f"must be {rule[1]}, got {value}")
            return value
        if kind is Kind.FLOAT:
            return self.number(param.name, value, path)
        if kind is Kind.BOOL:
            if not isinstance(value, bool):
                raise self.fail(path, f"must be true or false, got {_typename(value)} {value!r}")
            return value
        if kind is Kind.STR:
            if not isinstance(value, str):
                raise self.fail(path, f"must be a string, got {_typename(value)}")
            return value
        if kind is Kind.CHOICE:
            if value not in param.choices:
                choices = ", ".join(repr(c) for c in param.choices)
                hint = close_match(str(value), param.choices)
                raise self.fail(path, f"must be one of {choices}, got {value!r}", hint=hint)
            return value
        if kind is Kind.INT_LIST:
            if not isinstance(value, list) or not value:
                raise self.fail(
                    path,
                    "must be a list of integers such as [30, 60], "
                    f"got {_typename(value)} {value!r}",
                )
            for i, item in enumerate(value):
                if isinstance(item, bool) or not isinstance(item, int):
                    raise self.fail(
                        f"{path}[{i}]", f"must be an integer, got {_typename(item)} {item!r}"
                    )
                if item < 0:
                    raise self.fail(f"{path}[{i}]", f"must be >= 0, got {item}")
            for i in range(1, len(value)):
                if value[i] <= value[i - 1]:
                    what = (
                        "repeats" if value[i] == value[i - 1] else "is smaller than the one before"
                    )
                    raise self.fail(
                        f"{path}[{i}]",
                        f"milestones must be strictly increasing; {value[i]} {what}",
                    )
            return list(value)
        if kind is Kind.FLOAT_OR_LIST:
            if isinstance(value, list):
                if not value:
                    raise self.fail(path, "must be a number or a non-empty list of numbers")
                return [self.number(param.name, v, f"{path}[{i}]") for i, v in enumerate(value)]
            return self.number(param.name, value, path)
        if kind is Kind.FLOAT_TUPLE:
            if not isinstance(value, list) or (param.length and len(value) != param.length):
                size = f"{param.length} " if param.length else ""
                raise self.fail(path, f"must be a list of {size}numbers, got {value!r}")
            return [self.number(param.name, v, f"{path}[{i}]") for i, v in enumerate(value)]
        if kind in (Kind.EXPR, Kind.EXPR_OR_LIST):
            texts = value if isinstance(value, list) and kind is Kind.EXPR_OR_LIST else [value]
            variable = "x" if param.name == "scale_fn" else "epoch"
            for i, text in enumerate(texts):
                where = f"{path}[{i}]" if texts is value else path
                if not isinstance(text, str):
                    raise self.fail(
                        where,
                        f'must be an expression string such as "0.95 ** {variable}", '
                        f"got {_typename(text)}",
                    )
                try:
                    Expression(text, variable)
                except ExprError as exc:
                    raise self.fail(where, exc.message) from None
            return list(value) if isinstance(value, list) else value
        if isinstance(value, dict | list):
            raise self.fail(path, f"must be a plain value, got {_typename(value)}")
        return value

    def number(self, name: str, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"must be a number, got {_typename(value)} {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(path, f"must be a finite number, got {number}")
        if name in _POSITIVE and number <= 0:
            raise self.fail(path, f"must be > 0, got {value!r}")
        if name in _NON_NEGATIVE and number < 0:
            raise self.fail(path, f"must be >= 0, got {value!r}")
        return number

    def recipe_defaults(self, data: dict[str, Any]) -> dict[str, Any]:
        """A recipe's run length and interval, for a run that does not set them (recipes.py)."""
        scheduler = data.get("scheduler")
        if not isinstance(scheduler, dict) or "recipe" not in scheduler:
            return {}
        try:
            lr = _default_lr(self.optimizer(data.get("optimizer"), "optimizer"))
        except SpecError:
            return {}
        per_epoch = data.get("steps_per_epoch", 1)
        limit = None if "epochs" in data else MAX_STEPS  # given epochs are checked as usual
        return recipes.run_defaults(scheduler, per_epoch, lr, self.fail, limit)

    # -- cross-field rules ------------------------------------------------------------------------

    def check_scheduler(self, spec: SchedulerSpec, optimizer: OptimizerSpec) -> None:
        kw = spec.kwargs
        path = spec.path
        if spec.type == "SequentialLR":
            milestones = kw.get("milestones", [])
            if len(milestones) != len(spec.children) - 1:
                raise self.fail(
                    f"{path}.milestones",
                    f"SequentialLR with {len(spec.children)} schedulers needs "
                    f"{len(spec.children) - 1} milestone(s), got {len(milestones)}",
                )
        if spec.type == "CyclicLR":
            base, top = kw.get("base_lr"), kw.get("max_lr")
            pairs = zip(_as_list(base), _as_list(top), strict=False)
            if base is not None and top is not None and any(b > t for b, t in pairs):
                raise self.fail(f"{path}.base_lr", f"base_lr {base} is above max_lr {top}")
        if spec.type == "ConstantLR" and "factor" in kw and kw["factor"] > 1:
            raise self.fail(f"{path}.factor", f"must be in (0, 1], got {kw['factor']!r}")
        if spec.type == PLATEAU and "factor" in kw and kw["factor"] >= 1:
            raise self.fail(f"{path}.factor", f"must be < 1, got {kw['factor']!r}")
        if spec.type == "OneCycleLR" and "pct_start" in kw and not 0 < kw["pct_start"] < 1:
            raise self.fail(
                f"{path}.pct_start", f"must be between 0 and 1, got {kw['pct_start']!r}"
            )
        if spec.type in CYCLING and kw.get("cycle_momentum", True):
            names = {p.name for p in optimizer.info.params}
            if not names & {"momentum", "betas"}:
                raise self.fail(
                    f"{path}.cycle_momentum" if "cycle_momentum" in kw else path,
                    f"{spec.type} cycles momentum by default, but {optimizer.type} has no "
                    "momentum or betas; set cycle_momentum: false or use SGD/Adam",
                )

    def check_run(self, curve: CurveSpec, owner: dict[str, str]) -> None:
        for spec in curve.scheduler.walk():
            if spec.type != "OneCycleLR":
                continue
            kw = spec.kwargs
            total = kw.get("total_steps")
            if (
                total is None
                and kw.get("epochs") is not None
                and kw.get("steps_per_epoch") is not None
            ):
                total = kw["epochs"] * kw["steps_per_epoch"]
            elif total is None and (kw.get("epochs") is None) != (
                kw.get("steps_per_epoch") is None
            ):
                raise self.fail(
                    spec.path, "OneCycleLR needs total_steps, or both epochs and steps_per_epoch"
                )
            if spec is curve.scheduler and total is not None and total < curve.scheduler_steps:
                raise self.fail(
                    spec.path,
                    f"OneCycleLR allows {total} scheduler steps, but the run takes "
                    f"{curve.scheduler_steps} ({curve.interval} interval); leave total_steps out "
                    "to fit the run",
                )

    def metric(self, value: Any, path: str, curve: CurveSpec) -> MetricSpec | None:
        is_plateau = curve.scheduler.type == PLATEAU
        if value is None:
            return MetricSpec() if is_plateau else None
        if not is_plateau:
            raise self.fail(path, "'metric' is only used by ReduceLROnPlateau")
        data = self.mapping(value, path, METRIC_KEYS)
        sources = [key for key in METRIC_SOURCES if key in data]
        if len(sources) > 1:
            raise self.fail(
                f"{path}.{sources[1]}", "give one of 'values', 'file' or 'profile', not both"
            )
        source = sources[0] if sources else "profile"
        band = data.get("patience_band", False)
        if not isinstance(band, bool):
            raise self.fail(f"{path}.patience_band", f"must be true or false, got {band!r}")
        if source == "profile":
            return self.metric_profile(data, path, band)
        misplaced = [k for k in data if k not in (source, "column", "pad", "patience_band")]
        if source == "values" and "column" in data:
            misplaced.insert(0, "column")
        if misplaced:
            raise self.fail(
                f"{path}.{misplaced[0]}", f"{misplaced[0]!r} does not apply to a '{source}' metric"
            )
        pad = data.get("pad")
        if pad is not None and pad != "last":
            raise self.fail(f"{path}.pad", f"must be 'last', got {pad!r}")
        steps = curve.scheduler_steps
        file = column = None
        if source == "values":
            values = data["values"]
            if not isinstance(values, list) or not values:
                got = "an empty list" if values == [] else _typename(values)
                raise self.fail(f"{path}.values", f"must be a list of numbers, got {got}")
            numbers = []
            for i, item in enumerate(values):
                if isinstance(item, bool) or not isinstance(item, int | float):
                    raise self.fail(
                        f"{path}.values[{i}]", f"must be a number, got {_typename(item)} {item!r}"
                    )
                numbers.append(float(item))
            what = f"has {len(numbers)} values"
        else:
            file, column, numbers = self.metric_file(data, path, steps)
            what = f"{file} has {len(numbers)} {column!r} values"
        padded_from = None
        if len(numbers) < steps:
            if pad is None:
                where = f"{path}.values" if source == "values" else f"{path}.file"
                raise self.fail(
                    where,
                    f"{what} but the run takes {steps} scheduler steps (one value per "
                    f"{curve.interval}); shorten the run, or set pad: last to repeat the last "
                    "value",
                )
            padded_from = len(numbers)
            numbers += [numbers[-1]] * (steps - len(numbers))
        return MetricSpec(
            values=tuple(numbers),
            file=file,
            column=column,
            padded_from=padded_from,
            patience_band=band,
        )

    def metric_file(
        self, data: dict[str, Any], path: str, steps: int
    ) -> tuple[str, str, list[float]]:
        from .replay import ReplayError, read_column, resolve

        name, column = data["file"], data.get("column")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{path}.file", f"must be a CSV file name, got {_typename(name)}")
        if column is None:
            raise self.fail(path, "missing key 'column' (the CSV column to replay)")
        if not isinstance(column, str) or not column.strip():
            raise self.fail(f"{path}.column", f"must be a column name, got {_typename(column)}")
        try:
            target = resolve(name, self.base_dir, self.confine)
            return name, column, read_column(target, name, column, steps)
        except ReplayError as exc:
            raise self.fail(f"{path}.{exc.key}", exc.message, exc.hint) from None

    def metric_profile(self, data: dict[str, Any], path: str, band: bool) -> MetricSpec:
        name = data.get("profile", metrics.DEFAULT_PROFILE)
        profile = metrics.PROFILES.get(name) if isinstance(name, str) else None
        if profile is None:
            raise self.fail(
                f"{path}.profile",
                f"unknown profile {name!r} (profiles: {', '.join(metrics.PROFILES)})",
                hint=close_match(str(name), metrics.PROFILES),
            )
        params: dict[str, float] = {}
        for key, item in data.items():
            if key in ("profile", "seed", "patience_band"):
                continue
            where = f"{path}.{key}"
            param = profile.param(key)
            if key in ("column", "pad"):
                needs = "'file'" if key == "column" else "'values' or 'file'"
                raise self.fail(where, f"{key!r} only applies with {needs}, not to a profile")
            if param is None:
                takes = ", ".join(p.name for p in profile.params)
                raise self.fail(
                    where,
                    f"{key!r} does not apply to profile {profile.name!r} (it takes {takes}, seed)",
                )
            if param.rule in ("count", "positive-count"):
                least = 1 if param.rule == "positive-count" else 0
                if isinstance(item, bool) or not isinstance(item, int) or item < least:
                    raise self.fail(where, f"must be an integer >= {least}, got {item!r}")
                params[key] = item
                continue
            number = self.number(key, item, where)
            if param.rule == "positive" and number <= 0:
                raise self.fail(where, f"must be > 0, got {item!r}")
            if param.rule == "non-negative" and number < 0:
                raise self.fail(where, f"must be >= 0, got {item!r}")
            params[key] = number
        seed = data.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise self.fail(f"{path}.seed", f"must be an integer >= 0, got {seed!r}")
        return MetricSpec(profile=profile.name, params=params, seed=seed, patience_band=band)


def _default_lr(optimizer: OptimizerSpec) -> float:
    """``optimizer.defaults["lr"]``: the lr given for the optimizer, or its class default."""
    lr = optimizer.kwargs.get("lr")
    if lr is None:
        param = optimizer.info.param("lr")
        lr = param.default if param is not None else None
    return float(lr) if isinstance(lr, int | float) and not isinstance(lr, bool) else math.nan


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _typename(value: Any) -> str:
    if value is None:
        return "null"
    names: dict[type, str] = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
    }
    return names.get(type(value), type(value).__name__)


def _kind_text(param: Param) -> str:
    if param.kind is Kind.CHOICE:
        return "one of " + ", ".join(repr(c) for c in param.choices)
    names: dict[Kind, str] = {
        Kind.INT: "an integer",
        Kind.FLOAT: "a number",
        Kind.BOOL: "true or false",
    }
    return names.get(param.kind, "a " + str(param.kind.value))
