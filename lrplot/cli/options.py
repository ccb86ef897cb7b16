"""Command-line options as data: groups of :class:`Flag` and the options of a catalogue entry.

A Flag is one option: its spellings, its type and help, and the spec key it fills
(``optimizer.lr``). Every scheduler command takes the RUN, OUTPUT and FIGURE groups (plus METRIC
for a plateau scheduler) and one option per parameter of its entry; ``render`` takes FIGURE too.
From the same flags comes :func:`document`: the spec mapping the flags describe, and for each key
path the flag it came from, so that errors name ``--T-max`` and not ``scheduler.T_max``.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from lrplot import formats
from lrplot.config.run import DATA_PARAMS, RUN_PARAMS
from lrplot.errors import LrplotError, SpecError
from lrplot.families.base import Entry
from lrplot.metrics import PROFILES, SEED
from lrplot.params import Kind, Param

Profile = enum.Enum("Profile", {name: name for name in PROFILES}, type=str)  # type: ignore[misc]


class Pad(str, enum.Enum):
    last = "last"


def option_name(name: str) -> str:
    """The CLI spelling of an argument, as torch spells it: ``T_max`` -> ``--T-max``."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class Flag:
    name: str  # the Python parameter the value arrives in
    decls: tuple[str, ...]  # ("--epochs", "-n")
    type: Any
    help: str
    default: Any = None
    key: str | None = None  # the spec key path it fills, if any
    metavar: str | None = None
    show_default: bool | str = False
    param: Param | None = None  # the Param whose value it gives, converted by its kind
    positional: bool = False  # an argument (``lrplot import MODULE:ATTR``), not an option

    @property
    def flag(self) -> str:
        """How messages name it: the first spelling, without a ``/--no-`` part."""
        return self.decls[0].split("/")[0]

    def parameter(self) -> inspect.Parameter:
        if self.positional:
            argument = typer.Argument(help=self.help, metavar=self.metavar, show_default=False)
            return inspect.Parameter(
                self.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=Annotated[self.type, argument],
            )
        option = typer.Option(
            *self.decls, help=self.help, metavar=self.metavar, show_default=self.show_default
        )
        return inspect.Parameter(
            self.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=self.default,
            annotation=Annotated[self.type, option],
        )


SHORT = {"epochs": "-n"}  # short spellings of run options


def run_flags(entry: Entry) -> list[Flag]:
    """How long the run is and how it steps (lrplot.config.run), then the optimizer."""
    notes = {"epochs": entry.length_note, "interval": entry.interval}
    flags = []
    for param in RUN_PARAMS:
        decls = (option_name(param.name), *([SHORT[param.name]] if param.name in SHORT else []))
        note = notes.get(param.name, param.default_note)
        text = f"{param.doc[:1].upper()}{param.doc[1:]} [{note}]."
        # A list of run options may be given as 10,20 or by repeating the flag.
        kind = list[str] | None if param.kind is Kind.INT_LIST else _annotation(entry, param)
        flags.append(
            Flag(
                param.name,
                decls,
                kind,
                text,
                key=param.name,
                metavar=_KIND_METAVARS.get(param.kind),
                param=param,
            )
        )
    for param in DATA_PARAMS:
        decl = option_name(param.name)
        if param.kind is Kind.BOOL:
            decl = f"{decl}/--no-{decl[2:]}"
        text = f"{param.doc[:1].upper()}{param.doc[1:]} [{param.default_note}]."
        flags.append(
            Flag(
                f"data_{param.name}",
                (decl,),
                _annotation(entry, param),
                text,
                key=f"data.{param.name}",
                param=param,
            )
        )
    return flags + [
        Flag("optimizer", ("--optimizer",), str, "Any torch.optim class.", "SGD",
             key="optimizer.type", show_default=True),
        Flag("lr", ("--lr",), float | None, "Optimizer lr [optimizer's default].",
             key="optimizer.lr"),
        Flag("momentum", ("--momentum",), float | None,
             "Optimizer momentum (SGD, RMSprop) [optimizer's default].", key="optimizer.momentum"),
        Flag("title", ("--title",), str | None, "Figure title [built from the spec].",
             key="title"),
    ]  # fmt: skip


OUTPUT = [
    Flag(
        "output",
        ("--output", "-o"),
        list[str] | None,
        f"Write to this file; the format comes from the suffix ({formats.SUFFIXES}); '-' "
        "writes CSV to stdout. Repeat for several. Without -o, draw the curve in the terminal "
        "and print a summary.",
        metavar="FILE",
    )
]

FIGURE = [
    Flag("annotate", ("--annotate/--no-annotate",), bool | None,
         "Mark milestones, restarts, warmup ends, SequentialLR boundaries and "
         "ReduceLROnPlateau reductions [on]."),
    Flag("log_y", ("--log-y/--no-log-y",), bool | None,
         "Log-scale lr axis; points with lr <= 0 are left out, with a warning [off]."),
    Flag("x", ("--x",), str | None,
         "x axis: epochs (fractional with --steps-per-epoch > 1) or optimizer steps [epoch].",
         metavar="epoch|step"),
    Flag("style", ("--style",), str | None,
         "A matplotlib style sheet name (e.g. ggplot, seaborn-v0_8) or .mplstyle file, "
         "applied over lrplot's style."),
    Flag("size", ("--size",), str | None, "Figure size in inches [8x4.5].", metavar="WxH"),
    Flag("dpi", ("--dpi",), int | None, "Figure resolution [100]."),
]  # fmt: skip


def metric_flags() -> list[Flag]:
    """The metric a plateau scheduler is fed: a profile (and its parameters) or a replayed CSV."""
    names = ", ".join(PROFILES)
    found = [
        Flag("metric_profile", ("--metric",), Profile | None,
             f"Synthetic metric profile fed to scheduler.step(): {names} [exp-decay].",
             key="metric.profile"),
        Flag("metric_seed", ("--seed",), int | None, f"{SEED.doc[:1].upper()}{SEED.doc[1:]} [0].",
             key="metric.seed"),
    ]  # fmt: skip
    seen: set[str] = set()
    for profile in PROFILES.values():
        for param in profile.params:
            if param.name in seen:
                continue
            seen.add(param.name)
            users = [p.name for p in PROFILES.values() if p.param(param.name)]
            kind = int if param.kind is Kind.INT else float
            text = f"Metric profile parameter: {param.doc} ({', '.join(users)})."
            found.append(
                Flag(f"metric_{param.name}", (option_name(param.name),), kind | None, text,
                     key=f"metric.{param.name}")
            )  # fmt: skip
    found += [
        Flag("metric_file", ("--metric-file",), str | None,
             "Replay a CSV training log instead of a profile (needs --metric-column).",
             key="metric.file"),
        Flag("metric_column", ("--metric-column",), str | None, "The CSV column to replay.",
             key="metric.column"),
        Flag("metric_pad", ("--metric-pad",), Pad | None,
             "'last' repeats the last value when the log is shorter than the run.",
             key="metric.pad"),
        Flag("metric_patience_band", ("--patience-band",), bool,
             "Shade the patience window before each reduction.", False,
             key="metric.patience_band"),
    ]  # fmt: skip
    return found


# -- an entry's own parameters -----------------------------------------------------------------

_KIND_METAVARS: dict[Kind, str] = {
    Kind.INT_LIST: "INTS",
    Kind.FLOAT_OR_LIST: "FLOATS",
    Kind.FLOAT_TUPLE: "FLOATS",
    Kind.EXPR: "EXPR",
    Kind.EXPR_OR_LIST: "EXPR",
    Kind.SCHEDULERS: "YAML",
}
_KIND_TYPES: dict[Kind, Any] = {
    Kind.INT: int | None,
    Kind.FLOAT: float | None,
    Kind.BOOL: bool | None,
    Kind.STR: str | None,
    Kind.EXPR_OR_LIST: list[str] | None,
}
_KIND_HELP = {
    Kind.INT_LIST: "comma-separated integers, e.g. 30,60,80",
    Kind.FLOAT_OR_LIST: "a number, or one per param group: 0.1,0.01",
    Kind.FLOAT_TUPLE: "comma-separated numbers",
    Kind.EXPR: "an expression in x, e.g. '1 / (2 ** (x - 1))'",
    Kind.EXPR_OR_LIST: "an expression in epoch, e.g. '0.95 ** epoch'; repeat for each param group",
    Kind.SCHEDULERS: (
        "a YAML list, e.g. '[{type: linear, total_iters: 5}, {type: cosine, T_max: 95}]'"
    ),
}


def _annotation(entry: Entry, param: Param) -> Any:
    """The Python type Typer parses an option of ``param`` as (None: not given)."""
    if param.kind is Kind.CHOICE:
        choices = enum.Enum(  # type: ignore[misc]
            f"{entry.name}_{param.name}", {c: c for c in param.choices}, type=str
        )
        return choices | None
    return _KIND_TYPES.get(param.kind, str | None)


def param_flag(entry: Entry, param: Param) -> Flag:
    """The option of one parameter of a catalogue entry (``--T-max``)."""
    decl = option_name(param.name)
    extra = _KIND_HELP.get(param.kind, "") or (param.rule if param.type_text else "")
    parts = [part[:1].upper() + part[1:] for part in (param.doc, extra) if part]
    help_text = ". ".join(parts) + f" [{param.default_note or 'required'}]"
    if param.kind is Kind.BOOL:
        decl = f"{decl}/--no-{decl[2:]}"
    return Flag(
        f"arg_{param.name}",
        (decl,),
        _annotation(entry, param),
        help_text,
        key=f"scheduler.{param.name}",
        metavar=_KIND_METAVARS.get(param.kind),
        param=param,
    )


def _parse_list(text: str, convert: Callable[[str], Any], what: str) -> list[Any]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    try:
        return [convert(item) for item in items]
    except ValueError:
        raise SpecError(f"must be a comma-separated list of {what}, got {text!r}") from None


def from_flag(param: Param, value: Any, flag: str) -> Any:
    """An option's value as the YAML spec would hold it."""
    from lrplot.config.yamlload import load_text

    kind = param.kind
    if isinstance(value, enum.Enum):
        return value.value
    if kind is Kind.INT_LIST:
        text = ",".join(value) if isinstance(value, list) else value
        return _parse_list(text, int, "integers")
    if kind is Kind.FLOAT_OR_LIST:
        numbers = _parse_list(value, float, "numbers")
        return numbers[0] if len(numbers) == 1 else numbers
    if kind is Kind.FLOAT_TUPLE:
        return _parse_list(value, float, "numbers")
    if kind is Kind.EXPR_OR_LIST:
        return value[0] if len(value) == 1 else list(value)
    if kind in (Kind.SCHEDULERS, Kind.ANY):
        return load_text(value, flag).data
    return value


# -- a command's flags -> a spec mapping, with where each value came from -----------------------


def command_flags(entry: Entry, key: str = "type") -> list[Flag]:
    """Every option of ``lrplot NAME``: run, output, figure, metric, imports, then the entry's
    own (``key`` is its family's YAML key, which a ``target`` argument fills)."""
    common = run_flags(entry) + OUTPUT + FIGURE
    if entry.uses_metric or entry.any_keywords:  # an imported callable may step with one
        common += metric_flags()
    common += IMPORTS
    taken = {decl for flag in common for decl in flag.decls}
    own = [param_flag(entry, p) for p in entry.params if option_name(p.name) not in taken]
    if entry.any_keywords:
        own.append(KEYWORDS)
    first = []  # the command's argument comes before every option
    if entry.target:
        first.append(Flag("target", (entry.target,), str, TARGET_HELP, key=f"scheduler.{key}",
                          metavar=entry.target, positional=True))  # fmt: skip
    return first + common + own


def document(
    entry: Entry, key: str, flags: Sequence[Flag], values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The spec mapping the given flags describe, and the flag behind every key path."""
    raw: dict[str, Any] = {"scheduler": {key: entry.name}}
    names = {"scheduler": "", "metric": "", "data": "", "optimizer": "--optimizer"}
    for flag in flags:
        if flag.key is None:
            continue
        names[flag.key] = flag.flag
        value = values.get(flag.name)
        if value is None or value is False and flag.key.startswith("metric."):
            continue
        try:
            value = from_flag(flag.param, value, flag.flag) if flag.param else _plain(value)
        except LrplotError as exc:
            raise exc.located(path=flag.flag) from None
        _put(raw, flag.key, value)
    for text in values.get(KEYWORDS.name) or []:
        name, value = keyword(text)
        if name in raw["scheduler"]:
            raise SpecError(f"--kw {name}: {name!r} is given twice")
        raw["scheduler"][name] = value
        names[f"scheduler.{name}"] = f"--kw {name}"
    return raw, names


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _put(raw: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def figure_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """The figure flags the user gave, parsed, as PlotOptions.merged() takes them."""
    from lrplot.plotoptions import check_dpi, parse_size, parse_x

    given = {flag.name: values.get(flag.name) for flag in FIGURE}
    for key, parse in (("x", parse_x), ("size", parse_size), ("dpi", check_dpi)):
        if given[key] is not None:
            try:
                given[key] = parse(given[key])
            except LrplotError as exc:
                exc.message = f"--{key}: {exc.message}"
                raise
    return given


# -- imports: what a spec may import, and the keyword arguments of an imported callable ----------

ALLOW_IMPORT_ENV = "LRPLOT_ALLOW_IMPORT"
TARGET_HELP = (
    "The scheduler class or factory to import, module:attribute (e.g. mypkg.schedules:Warmup); "
    "called as attribute(optimizer, **--kw). Its top-level package must be allowed with "
    "--allow-import."
)
IMPORTS = [
    Flag("allow_import", ("--allow-import",), list[str] | None,
         "Let `import:` schedulers import this top-level package (importing runs its code); "
         f"repeatable, or comma-separated. {ALLOW_IMPORT_ENV}=a,b adds more.", metavar="PKG"),
]  # fmt: skip
KEYWORDS = Flag(
    "keywords",
    ("--kw",),
    list[str] | None,
    "A keyword argument for the imported callable, KEY=VALUE (VALUE read as YAML: 5, 1e-3, "
    "[30, 60], true, text); repeatable.",
    metavar="KEY=VALUE",
)


def allowed_imports(values: dict[str, Any]) -> tuple[str, ...]:
    """The packages ``import:`` may import: ``--allow-import`` plus ``LRPLOT_ALLOW_IMPORT``."""
    import os

    given = list(values.get("allow_import") or []) + [os.environ.get(ALLOW_IMPORT_ENV, "")]
    names = [name.strip() for text in given for name in text.split(",")]
    return tuple(dict.fromkeys(name for name in names if name))


def keyword(text: str) -> tuple[str, Any]:
    """``--kw warmup=5`` -> ``("warmup", 5)``: the value is read as a YAML value."""
    from lrplot.config.yamlload import load_text

    name, equals, value = text.partition("=")
    name = name.strip()
    if not equals or not name.isidentifier():
        raise SpecError(f"--kw: must be KEY=VALUE with KEY a name, got {text!r}")
    try:
        return name, load_text(value, f"--kw {name}").data if value.strip() else ""
    except LrplotError as exc:
        raise exc.located(path=f"--kw {name}") from None
