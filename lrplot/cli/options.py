"""Command-line options as data: groups of :class:`Flag` and the options of a catalogue entry.

A Flag is one option: its spellings, its type and help, and the spec key it fills
(``optimizer.lr``). Every scheduler command takes the RUN, OUTPUT and FIGURE groups (plus METRIC
for a plateau scheduler) and one option per parameter of its entry; ``render`` takes FIGURE too.
From the same flags comes :func:`document`: the spec mapping the flags describe, and for each key
path the flag it came from, so that errors name ``--T-max`` and not ``scheduler.T_max``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lrplot import formats
from lrplot.cli import complete
from lrplot.cli.flag import Flag, option_name
from lrplot.cli.flagtext import from_flag
from lrplot.cli.imports import IMPORTS, KEYWORDS, TARGET_HELP, allowed_imports, keyword
from lrplot.config.run import DATA_PARAMS, RUN_PARAMS
from lrplot.errors import LrplotError, SpecError
from lrplot.families.base import Entry
from lrplot.metrics import PROFILES, SEED
from lrplot.params import Kind, Param

Profile = enum.Enum("Profile", {name: name for name in PROFILES}, type=str)  # type: ignore[misc]


class Pad(str, enum.Enum):
    last = "last"


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
    return flags + OPTIMIZER + [
        Flag("title", ("--title",), str | None, "Figure title [built from the spec].",
             key="title"),
    ]  # fmt: skip


OPTIMIZER = [
    Flag("optimizer", ("--optimizer",), str, "Any torch.optim class (any case: adamw).", "SGD",
         key="optimizer.type", show_default=True, complete=complete.optimizers),
    Flag("lr", ("--lr",), float | None, "Optimizer lr [optimizer's default].",
         key="optimizer.lr"),
    Flag("momentum", ("--momentum",), float | None,
         "Optimizer momentum (SGD, RMSprop); for the Adam family, beta1 (with a note) "
         "[optimizer's default].", key="optimizer.momentum"),
    Flag("betas", ("--betas",), str | None,
         "Adam-family betas, e.g. 0.9,0.95 [optimizer's default].", key="optimizer.betas",
         metavar="FLOATS", param=Param("betas", Kind.FLOAT_TUPLE)),
    Flag("weight_decay", ("--weight-decay",), float | None,
         "Optimizer weight_decay [optimizer's default].", key="optimizer.weight_decay"),
    Flag("param_groups", ("--param-groups",), str | None,
         "Per-group overrides as YAML, e.g. '[{lr: 0.1}, {lr: 0.01}]' (one mapping per group).",
         key="optimizer.param_groups", metavar="YAML", param=Param("param_groups", Kind.ANY)),
]  # fmt: skip


OUTPUT = [
    Flag(
        "output",
        ("--output", "-o"),
        list[str] | None,
        f"Write to this file; the format comes from the suffix ({formats.SUFFIXES}); '-' "
        "writes CSV to stdout; missing folders are created. Repeat for several. Without -o, draw "
        "the curve in the terminal and print a summary.",
        metavar="FILE",
    ),
    Flag(
        "save_spec",
        ("--save-spec",),
        str | None,
        "Also write these flags as a YAML spec ('-': to stdout), which `lrplot render` "
        "turns into the same files.",
        metavar="FILE",
    ),
]

# Each figure flag fills the `plot:` key of its name, so --save-spec writes it and a spec built
# from flags carries it; `render` applies them over each config's `plot:` (figure_overrides).
FIGURE = [
    Flag("annotate", ("--annotate/--no-annotate",), bool | None,
         "Mark milestones, restarts, warmup ends, SequentialLR boundaries and "
         "ReduceLROnPlateau reductions [on]."),
    Flag("log_y", ("--log-y/--linear-y",), bool | None,
         "Log or linear lr axis; points with lr <= 0 are left out of a log axis, with a warning "
         "[log when a fifth of the curve lies 100x or more below its peak]."),
    Flag("x", ("--x",), str | None,
         "x axis: epochs (fractional with --steps-per-epoch > 1), optimizer steps, samples "
         "(needs --samples-per-step) or tokens (needs --tokens-per-step) [step when the "
         "scheduler steps every optimizer step, else epoch].",
         metavar="epoch|step|samples|tokens"),
    Flag("samples_per_step", ("--samples-per-step",), int | None,
         "Samples per optimizer step (the global batch size), for --x samples."),
    Flag("tokens_per_step", ("--tokens-per-step",), int | None,
         "Tokens per optimizer step (global batch size x sequence length), for --x tokens."),
    Flag("xlim", ("--xlim",), str | None,
         "x axis limits in its units; leave a side empty to keep it automatic (,500).",
         metavar="LOW,HIGH"),
    Flag("ylim", ("--ylim",), str | None,
         "lr axis limits, e.g. 1e-6,1e-3 [0 to the peak; on a log axis, down to peak x 1e-4].",
         metavar="LOW,HIGH"),
    Flag("panels", ("--panel",), list[str] | None,
         "A panel under the lr: momentum, weight_decay, effective_decay (lr x weight_decay) "
         "or none; repeat for several [momentum, when it varies].", metavar="NAME"),
    Flag("theme", ("--theme",), str | None,
         "Colours: light, dark, or both (each figure also as NAME-dark.png) [light].",
         metavar="light|dark|both"),
    Flag("transparent", ("--transparent",), bool | None, "No background [off]."),
    Flag("style", ("--style",), str | None,
         "A matplotlib style sheet name (e.g. ggplot, seaborn-v0_8) or .mplstyle file, "
         "applied over lrplot's style (a package.style name needs --allow-import PACKAGE)."),
    Flag("size", ("--size",), str | None, "Figure size in inches [6.4x3.6].", metavar="WxH"),
    Flag("dpi", ("--dpi",), int | None, "Figure resolution [250: 1600x900 pixels]."),
]  # fmt: skip
# Each is also a key of the spec's `plot:` mapping (so --save-spec keeps it).
FIGURE = [
    replace(
        flag,
        key=f"plot.{flag.name}",
        complete={"x": complete.x_axes, "style": complete.styles}.get(flag.name),
    )
    for flag in FIGURE
]


def metric_flags() -> list[Flag]:
    """The metric a plateau scheduler is fed: a profile (and its parameters) or a replayed CSV."""
    names = ", ".join(PROFILES)
    found = [
        Flag("metric_profile", ("--metric",), Profile | None,
             f"Synthetic metric profile fed to scheduler.step(): {names} [exp-decay].",
             key="metric.profile"),
        Flag("metric_seed", ("--seed",), str | None, f"{SEED.doc[:1].upper()}{SEED.doc[1:]} [0].",
             key="metric.seed", metavar="INT", param=SEED),
    ]  # fmt: skip
    seen: set[str] = set()
    for profile in PROFILES.values():
        for param in profile.params:
            if param.name in seen:
                continue
            seen.add(param.name)
            users = [p.name for p in PROFILES.values() if p.param(param.name)]
            text = f"Metric profile parameter: {param.doc} ({', '.join(users)})."
            found.append(
                Flag(f"metric_{param.name}", (option_name(param.name),),
                     _KIND_TYPES.get(param.kind, str | None), text, key=f"metric.{param.name}",
                     metavar=_KIND_METAVARS.get(param.kind), param=param)
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
    Kind.INT: "INT",
    Kind.INT_LIST: "INTS",
    Kind.FLOAT_OR_LIST: "FLOATS",
    Kind.FLOAT_TUPLE: "FLOATS",
    Kind.EXPR: "EXPR",
    Kind.EXPR_OR_LIST: "EXPR",
    Kind.SCHEDULERS: "YAML",
}
# An integer arrives as text, so that 1e4 is read as 10000 (params.whole) and a wrong value gets
# lrplot's own one-line message naming the flag.
_KIND_TYPES: dict[Kind, Any] = {
    Kind.INT: str | None,
    Kind.FLOAT: float | None,
    Kind.BOOL: bool | None,
    Kind.STR: str | None,
    Kind.EXPR_OR_LIST: list[str] | None,
}
_KIND_HELP = {
    Kind.INT_LIST: "integers, e.g. 30,60,80 or '30 60 80' or '[30, 60, 80]'",
    Kind.FLOAT_OR_LIST: "a number, or one per param group: 0.1,0.01",
    Kind.FLOAT_TUPLE: "numbers, e.g. 0.9,0.95",
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
    names.update(fill(raw, flags, values))
    for text in values.get(KEYWORDS.name) or []:
        name, value = keyword(text)
        if name in raw["scheduler"]:
            raise SpecError(f"--kw {name}: {name!r} is given twice")
        raw["scheduler"][name] = value
        names[f"scheduler.{name}"] = f"--kw {name}"
    return raw, names


def fill(raw: dict[str, Any], flags: Sequence[Flag], values: dict[str, Any]) -> dict[str, str]:
    """Put the value of every flag that was given under its key path in ``raw``; return the
    flag behind each key path."""
    names: dict[str, str] = {}
    for flag in flags:
        if flag.key is None:
            continue
        names[flag.key] = flag.flag
        value = values.get(flag.name)
        if value is None or value is False and flag.key.startswith("metric."):
            continue
        if isinstance(value, list | tuple) and not value:  # a repeatable option not given
            continue
        try:
            value = from_flag(flag.param, value, flag.flag) if flag.param else _plain(value)
        except LrplotError as exc:
            raise exc.located(path=flag.flag) from None
        _put(raw, flag.key, value)
    return names


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
    from lrplot.plotoptions import PARSERS

    given = {flag.name: values.get(flag.name) for flag in FIGURE}
    if given["style"] is not None:
        from lrplot.stylesheet import from_flag as style_from_flag

        given["style"], given["sheet"] = style_from_flag(given["style"], allowed_imports(values))
    for flag in FIGURE:
        value = given[flag.name]
        if value is None or flag.name in ("annotate", "log_y", "transparent", "style"):
            continue
        if flag.name == "panels":
            value = ",".join(value)
        try:
            given[flag.name] = PARSERS[flag.name](value)
        except LrplotError as exc:
            exc.message = f"{flag.flag}: {exc.message}"
            raise
    return given
