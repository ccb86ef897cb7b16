"""The ``lrplot`` command line: parse -> spec -> simulate -> plot -> write. Nothing else lives here.

One subcommand per scheduler of the installed torch, with options built from its constructor
signature (``--T-max``, ``--eta-min``, ...), plus ``render`` for YAML files and ``list``.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from lrplot import __version__
from lrplot.errors import LrplotError, LrplotWarning, SpecError
from lrplot.families import torch_catalog as registry
from lrplot.families.torch_catalog import ClassInfo, Kind, Param, option_name

from .metric_options import metric_flag, metric_mapping, metric_options

EXIT_CODES = (
    "Exit codes: 0 ok; 2 bad input or a failed render.\n\n"
    "Suspicious but valid input gets a 'warning:' line and keeps exit code 0."
)

app = typer.Typer(
    name="lrplot",
    help=(
        "See a PyTorch learning-rate schedule before you spend GPU hours on it.\n\n"
        "Quick look: lrplot cosine --T-max 20 (a chart in the terminal), or add -o cos.png.\n\n"
        "Discover: lrplot list, lrplot show NAME, lrplot init NAME, lrplot schema.\n\n"
        "From YAML: lrplot render configs/ --out-dir out --format png,csv.\n\n" + EXIT_CODES
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Interval(str, enum.Enum):
    epoch = "epoch"
    step = "step"


# Figure options, shared by every scheduler command and `render`. None means "not given", so
# that a config's `plot:` mapping applies (CLI flag over YAML over default: PlotOptions.merged).
AnnotateOption = Annotated[
    bool | None,
    typer.Option(
        "--annotate/--no-annotate",
        help="Mark milestones, restarts, warmup ends, SequentialLR boundaries and "
        "ReduceLROnPlateau reductions [on].",
        show_default=False,
    ),
]
LogYOption = Annotated[
    bool | None,
    typer.Option(
        "--log-y/--no-log-y",
        help="Log-scale lr axis; points with lr <= 0 are left out, with a warning [off].",
        show_default=False,
    ),
]
XOption = Annotated[
    str | None,
    typer.Option(
        "--x",
        metavar="epoch|step",
        help="x axis: epochs (fractional with --steps-per-epoch > 1) or optimizer steps [epoch].",
        show_default=False,
    ),
]
StyleOption = Annotated[
    str | None,
    typer.Option(
        "--style",
        help="A matplotlib style sheet name (e.g. ggplot, seaborn-v0_8) or .mplstyle file, "
        "applied over lrplot's style.",
        show_default=False,
    ),
]
SizeOption = Annotated[
    str | None,
    typer.Option(
        "--size", metavar="WxH", help="Figure size in inches [8x4.5].", show_default=False
    ),
]
DpiOption = Annotated[
    int | None, typer.Option("--dpi", help="Figure resolution [100].", show_default=False)
]
_PLOT_FLAGS: dict[str, Any] = {
    "annotate": AnnotateOption,
    "log_y": LogYOption,
    "x": XOption,
    "style": StyleOption,
    "size": SizeOption,
    "dpi": DpiOption,
}


def _plot_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """The figure flags the user gave, parsed, as PlotOptions.merged() takes them."""
    from lrplot.plotoptions import check_dpi, parse_size, parse_x

    given = {key: values.get(key) for key in _PLOT_FLAGS}
    for key, parse in (("x", parse_x), ("size", parse_size), ("dpi", check_dpi)):
        if given[key] is not None:
            try:
                given[key] = parse(given[key])
            except LrplotError as exc:
                exc.message = f"--{key}: {exc.message}"
                raise
    return given


@contextlib.contextmanager
def _warnings_to_stderr(source: str = "") -> Iterator[None]:
    """Show warnings as one ``warning: [source: ]...`` line each on stderr, like errors."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for item in caught:
                where = f"{source}: " if source else ""
                print(f"warning: {where}{item.message}", file=sys.stderr)


class _Progress:
    """A rich progress bar on stderr, shown only on a terminal and only once a simulation has
    run for DELAY seconds: short runs (nearly all) never flash a bar."""

    DELAY = 1.0

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._start = self._clock()
        self._enabled = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._start < self.DELAY:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("simulating", total=total)
        self._bar.update(self._task, completed=done, total=total)
        if done >= total:  # this curve is done: clear the bar before "wrote ..." is printed
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def fail(error: LrplotError) -> NoReturn:
    """Print ``error: ...`` on stderr and exit 2. User errors never show a traceback."""
    print(f"error: {error}", file=sys.stderr)
    raise typer.Exit(2)


def warn(warnings: Iterable[LrplotWarning], *, cli: bool = False) -> None:
    """Print ``warning: ...`` on stderr for legal but suspicious input; never changes the exit."""
    for warning in warnings:
        if cli:  # name the flag, as errors do
            warning.path, warning.line = _cli_path(warning.path), None
        print(f"warning: {warning}", file=sys.stderr)


def _version(value: bool) -> None:
    if value:
        print(f"lrplot {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    pass


# -- scheduler subcommands ---------------------------------------------------------------------

_COMMON = {
    "epochs",
    "steps_per_epoch",
    "interval",
    "optimizer",
    "lr",
    "momentum",
    "title",
    "output",
    *("annotate", "log_y", "x", "style", "size", "dpi"),
}


def _parse_list(text: str, convert: Callable[[str], Any], what: str) -> list[Any]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    try:
        return [convert(item) for item in items]
    except ValueError:
        raise SpecError(f"must be a comma-separated list of {what}, got {text!r}") from None


def _parse_int(text: str) -> int:
    return int(text)


def _cli_value(param: Param, value: Any) -> Any:
    """Turn an option's string into the value the YAML spec would hold."""
    from lrplot.spec.yamlload import load_text

    kind = param.kind
    if kind is Kind.INT_LIST:
        return _parse_list(value, _parse_int, "integers")
    if kind is Kind.FLOAT_OR_LIST:
        numbers = _parse_list(value, float, "numbers")
        return numbers[0] if len(numbers) == 1 else numbers
    if kind is Kind.FLOAT_TUPLE:
        return _parse_list(value, float, "numbers")
    if kind is Kind.EXPR_OR_LIST:
        return value[0] if len(value) == 1 else list(value)
    if kind is Kind.CHOICE:
        return value.value if isinstance(value, enum.Enum) else value
    if kind is Kind.SCHEDULERS:
        return load_text(value, option_name(param.name)).data
    if kind is Kind.ANY:
        return load_text(value, option_name(param.name)).data
    return value


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


def _scheduler_option(info: ClassInfo, param: Param) -> inspect.Parameter:
    decl = option_name(param.name)
    text = info.param_doc(param.name)
    extra = _KIND_HELP.get(param.kind, "")
    default = f"torch default: {param.default_text}" if param.default_text else "required"
    parts = [part[:1].upper() + part[1:] for part in (text, extra) if part]
    help_text = ". ".join(parts) + f" [{default}]"
    if param.kind is Kind.BOOL:
        decl = f"{decl}/--no-{decl[2:]}"
    annotation: Any = _KIND_TYPES.get(param.kind, str | None)
    if param.kind is Kind.CHOICE:
        choices = enum.Enum(  # type: ignore[misc]
            f"{info.name}_{param.name}", {c: c for c in param.choices}, type=str
        )
        annotation = choices | None
    option = typer.Option(
        decl, help=help_text, show_default=False, metavar=_KIND_METAVARS.get(param.kind)
    )
    return inspect.Parameter(
        f"arg_{param.name}",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[annotation, option],
    )


def _common_options() -> list[inspect.Parameter]:
    def option(
        name: str,
        annotation: Any,
        default: Any,
        *decls: str,
        help: str,
        metavar: str | None = None,
    ) -> inspect.Parameter:
        return inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=default,
            annotation=Annotated[annotation, typer.Option(*decls, help=help, metavar=metavar)],
        )

    return [
        option("epochs", int, 100, "--epochs", "-n", help="Epochs to simulate."),
        option("steps_per_epoch", int, 1, "--steps-per-epoch", help="Optimizer steps per epoch."),
        option(
            "interval",
            Interval,
            Interval.epoch,
            "--interval",
            help="When scheduler.step() runs: after each epoch, or after every optimizer step.",
        ),
        option("optimizer", str, "SGD", "--optimizer", help="Any torch.optim class."),
        option("lr", float | None, None, "--lr", help="Optimizer lr [optimizer's default]."),
        option(
            "momentum",
            float | None,
            None,
            "--momentum",
            help="Optimizer momentum (SGD, RMSprop) [optimizer's default].",
        ),
        option("title", str | None, None, "--title", help="Figure title [built from the spec]."),
        option(
            "output",
            list[str] | None,
            None,
            "--output",
            "-o",
            help="Write to this file; the format comes from the suffix (.png .svg .pdf .csv); "
            "'-' writes CSV to stdout. Repeat for several. Without -o, draw the curve in the "
            "terminal and print a summary.",
            metavar="FILE",
        ),
        *(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=flag)
            for name, flag in _PLOT_FLAGS.items()
        ),
    ]


def _cli_path(path: str | None) -> str | None:
    """Name the flag a spec key path came from: ``scheduler.T_max`` -> ``--T-max``."""
    if not path:
        return path
    if path.split(".")[0] == "metric":
        return metric_flag(path)
    if path == "optimizer.type":
        return "--optimizer"
    for prefix in ("scheduler.", "optimizer."):
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            cut = min((i for i in (rest.find("."), rest.find("[")) if i >= 0), default=len(rest))
            return option_name(rest[:cut]) + rest[cut:]
    if path == "scheduler":
        return None
    return option_name(path.split(".")[0])


def _run_scheduler(info: ClassInfo, values: dict[str, Any]) -> None:
    from lrplot.spec.checker import spec_from_mapping

    source = f"lrplot {info.command}"
    arguments: dict[str, Any] = {"type": info.name}
    optimizer: dict[str, Any] = {"type": values["optimizer"]}
    for key in ("lr", "momentum"):
        if values[key] is not None:
            optimizer[key] = values[key]
    raw: dict[str, Any] = {
        "epochs": values["epochs"],
        "steps_per_epoch": values["steps_per_epoch"],
        "interval": values["interval"].value,
        "optimizer": optimizer,
        "scheduler": arguments,
    }
    if values["title"] is not None:
        raw["title"] = values["title"]
    metric = metric_mapping(values)
    if metric is not None:
        raw["metric"] = metric
    try:
        for param in info.params:
            value = values.get(f"arg_{param.name}")
            if value is not None:
                try:
                    arguments[param.name] = _cli_value(param, value)
                except LrplotError as exc:
                    raise exc.located(path=f"scheduler.{param.name}") from None
        spec = spec_from_mapping(raw, source, confine=False)  # --metric-file is the user's own
        _write_or_summarize(spec, values["output"] or [], _plot_overrides(values))
        warn(spec.warnings, cli=True)  # after the run, so that an error stays the only line
    except LrplotError as exc:
        exc.located(source=source)
        exc.path = _cli_path(exc.path)
        exc.line = None
        fail(exc)


def _write_or_summarize(spec: Any, outputs: list[str], plot: dict[str, Any]) -> None:
    options = spec.plot.merged(**plot)
    progress = _Progress()
    try:
        with _warnings_to_stderr():
            if outputs:
                from lrplot.render import render

                render(spec, outputs, options=options, progress=progress)
                for path in outputs:
                    if path != "-":
                        print(f"wrote {path}", file=sys.stderr)
                return
            from lrplot.simulate import simulate_figure

            curves = simulate_figure(spec, progress=progress)
    finally:
        progress.close()
    from lrplot.draw.summary import summarize
    from lrplot.draw.termchart import chart

    print(chart(curves, x=options.x, log_y=options.log_y, annotate=options.annotate))
    print(summarize(spec.display_title, curves))


def _scheduler_command(info: ClassInfo) -> Callable[..., None]:
    params = _common_options()
    for param in info.params:
        if param.name in _COMMON:
            continue  # e.g. OneCycleLR's own epochs/steps_per_epoch: the run's flags set those
        params.append(_scheduler_option(info, param))
    if info.name == "ReduceLROnPlateau":
        params += metric_options()

    def command(**values: Any) -> None:
        _run_scheduler(info, values)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = info.command.replace("-", "_")
    command.__doc__ = f"{info.name}: {info.summary}\n\n{EXIT_CODES}"
    return command


def _register() -> None:
    for info in registry.schedulers().values():
        app.command(
            name=info.command,
            help=f"{info.name}: {info.summary}\n\n{EXIT_CODES}",
            short_help=info.name,
        )(_scheduler_command(info))


# -- render ------------------------------------------------------------------------------------

RENDER_EXIT_CODES = (
    "Exit codes: 0 ok (with --check: every output is up to date); 1 --check found missing or "
    "stale outputs (each is listed); 2 bad input or a failed render."
)


class _ProgressReporter:
    """A rich progress bar on stderr, for a terminal; messages go to stderr either way."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("rendering"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        )
        self.task: Any = None

    def message(self, text: str) -> None:
        print(text, file=sys.stderr)

    def start(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("render", total=total)

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()


def _reporter() -> Any:
    from lrplot.batch import QuietReporter

    if sys.stderr.isatty() and not os.environ.get("CI"):
        return _ProgressReporter()
    return QuietReporter()


@app.command(
    help=(
        "Render YAML specs to DIR/<config stem>.<format> (or the config's `outputs:`).\n\n"
        "Outputs already up to date are skipped: DIR/.lrplot-manifest.json records the hashes "
        "of each config, its outputs and the versions of lrplot, torch, matplotlib and numpy. "
        "--check writes nothing: it renders every config in memory and compares the bytes with "
        "the files in DIR.\n\n" + RENDER_EXIT_CODES
    )
)
def render(
    paths: Annotated[
        list[str], typer.Argument(help="YAML files, folders (searched for *.yaml, *.yml) or globs.")
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out-dir", "-d", help="Folder for the outputs (created if missing)."),
    ] = Path("."),
    format: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            help="Comma list of png, svg, pdf, csv; may be repeated.",
            metavar="FORMATS",
        ),
    ] = ["png"],  # noqa: B006 - typer needs a literal default
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 and list each output that is missing or differs from "
            "what would be rendered now.",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Render every config, even if up to date.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes; 1 renders in this process. [default: number of CPUs, "
            "at most one per 4 configs to render]",
            show_default=False,
        ),
    ] = None,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Stop at the first failure.")
    ] = False,
    annotate: AnnotateOption = None,
    log_y: LogYOption = None,
    x: XOption = None,
    style: StyleOption = None,
    size: SizeOption = None,
    dpi: DpiOption = None,
) -> None:
    from lrplot.batch import BatchOptions, collect, parse_formats, run

    try:
        if jobs is not None and jobs < 1:
            raise SpecError(f"--jobs: must be at least 1, got {jobs}")
        flags = {
            "annotate": annotate,
            "log_y": log_y,
            "x": x,
            "style": style,
            "size": size,
            "dpi": dpi,
        }
        options = BatchOptions(
            out_dir=out_dir,
            formats=parse_formats(format),
            check=check,
            force=force,
            jobs=jobs,
            fail_fast=fail_fast,
            plot=_plot_overrides(flags),
        )
        result = run(collect(paths), options, _reporter())
    except LrplotError as exc:
        fail(exc)
    print(result.summary, file=sys.stderr)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


# -- list --------------------------------------------------------------------------------------


@app.command(name="list", help="List every scheduler of the installed torch, with its aliases.")
def list_schedulers() -> None:
    from lrplot.describe.catalog import list_text

    sys.stdout.write(list_text())


# -- recipes -------------------------------------------------------------------------------------

recipe_app = typer.Typer(
    name="recipe",
    help=(
        "Named schedules from Hugging Face transformers (get_scheduler) and timm, built from a "
        "real torch LambdaLR.\n\nWithout --epochs a recipe runs for its own length "
        "(num_training_steps for most), stepping after every optimizer step (timm_cosine: "
        "every epoch).\n\n" + EXIT_CODES
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(recipe_app)


def _recipe_options(recipe: Any) -> list[inspect.Parameter]:
    params = []
    for option in _common_options():
        if option.name == "epochs":
            help_text = "Epochs to simulate [the recipe's length]."
            option = option.replace(
                default=None,
                annotation=Annotated[int | None, typer.Option("--epochs", "-n", help=help_text)],
            )
        elif option.name == "interval":
            help_text = f"When scheduler.step() runs [{recipe.interval}]."
            option = option.replace(
                default=None,
                annotation=Annotated[Interval | None, typer.Option("--interval", help=help_text)],
            )
        params.append(option)
    for param in recipe.params:
        decl = option_name(param.name)
        help_text = f"{param.doc}; {param.rule} [{param.default_text}]"
        annotation: Any = {"int": int | None, "float": float | None, "bool": bool | None}.get(
            param.kind, str | None
        )
        if param.kind == "bool":
            decl = f"{decl}/--no-{decl[2:]}"
        if param.kind == "choice":
            choices = enum.Enum(  # type: ignore[misc]
                f"{recipe.name}_{param.name}", {c: c for c in param.choices}, type=str
            )
            annotation = choices | None
        params.append(
            inspect.Parameter(
                f"arg_{param.name}",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[annotation, typer.Option(decl, help=help_text)],
            )
        )
    return params


def _run_recipe(recipe: Any, values: dict[str, Any]) -> None:
    from lrplot.spec.checker import spec_from_mapping

    arguments: dict[str, Any] = {"recipe": recipe.name}
    for param in recipe.params:
        value = values.get(f"arg_{param.name}")
        if value is not None:
            arguments[param.name] = value.value if isinstance(value, enum.Enum) else value
    optimizer: dict[str, Any] = {"type": values["optimizer"]}
    for key in ("lr", "momentum"):
        if values[key] is not None:
            optimizer[key] = values[key]
    raw: dict[str, Any] = {
        "steps_per_epoch": values["steps_per_epoch"],
        "optimizer": optimizer,
        "scheduler": arguments,
    }
    if values["epochs"] is not None:
        raw["epochs"] = values["epochs"]
    if values["interval"] is not None:
        raw["interval"] = values["interval"].value
    if values["title"] is not None:
        raw["title"] = values["title"]
    try:
        spec = spec_from_mapping(raw, f"lrplot recipe {recipe.command}")
        _write_or_summarize(spec, values["output"] or [], _plot_overrides(values))
    except LrplotError as exc:
        exc.path = _cli_path(exc.path)
        exc.line = None
        fail(exc)


def _register_recipes() -> None:
    from lrplot.families.recipes import RECIPES

    for recipe in RECIPES.values():

        def command(recipe: Any = recipe, **values: Any) -> None:
            _run_recipe(recipe, values)

        command.__signature__ = inspect.Signature(_recipe_options(recipe))  # type: ignore[attr-defined]
        text = f"{recipe.name}: {recipe.summary} (after {recipe.origin}).\n\n{EXIT_CODES}"
        recipe_app.command(name=recipe.command, help=text, short_help=recipe.summary)(command)


# -- code ----------------------------------------------------------------------------------------


@app.command(
    name="code",
    help="Print a runnable PyTorch script that builds the spec's optimizer and scheduler and "
    "records the lr at every step, reproducing lrplot's CSV.\n\n" + EXIT_CODES,
)
def code(
    path: Annotated[Path, typer.Argument(help="A YAML spec.", show_default=False)],
) -> None:
    from lrplot.describe.code import python_code
    from lrplot.spec.checker import load_spec

    try:
        print(python_code(load_spec(path)), end="")
    except LrplotError as exc:
        fail(exc)


@app.command(help="Show a scheduler's arguments: types, torch defaults and torch's descriptions.")
def show(
    name: Annotated[str, typer.Argument(help="A scheduler: alias, command or class name.")],
) -> None:
    from lrplot.describe.catalog import show_text

    try:
        sys.stdout.write(show_text(name))
    except LrplotError as exc:
        fail(exc)


@app.command(help="Print a commented starter config: lrplot init cosine > cosine.yaml")
def init(
    name: Annotated[str, typer.Argument(help="A scheduler: alias, command or class name.")],
) -> None:
    from lrplot.describe.catalog import init_text

    try:
        sys.stdout.write(init_text(name))
    except LrplotError as exc:
        fail(exc)


@app.command(
    help="Print a JSON Schema of the YAML spec, for editor completion: "
    "lrplot schema > lrplot.schema.json (see the README for VS Code)."
)
def schema() -> None:
    import json

    from lrplot.describe.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


_register()
_register_recipes()


def main() -> None:
    from .fastexit import run_and_exit

    run_and_exit(app)  # skips torch's ~0.9 s interpreter teardown; see lrplot/fastexit.py
