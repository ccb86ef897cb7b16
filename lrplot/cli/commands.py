"""The commands that are not one scheduler: ``render``, ``list``, ``show``, ``init``, ``schema``
and ``code``. Each parses its flags, calls the library, and leaves errors to the edge."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lrplot import formats
from lrplot.cli.edge import EXIT_CODES, errors_exit
from lrplot.cli.options import FIGURE, IMPORTS, Flag, allowed_imports, figure_overrides
from lrplot.errors import SpecError

RENDER_EXIT_CODES = (
    "Exit codes: 0 ok (with --check: every output is up to date); 1 --check found missing or "
    "stale outputs (each is listed); 2 bad input or a failed render."
)
RENDER_HELP = (
    "Render YAML specs to DIR/<config stem>.<format> (or the config's `outputs:`).\n\n"
    "Outputs already up to date are skipped: DIR/.lrplot-manifest.json records the hashes "
    "of each config, its outputs and the versions of lrplot, torch, matplotlib and numpy. "
    "--check writes nothing: it renders every config in memory and compares the bytes with "
    "the files in DIR.\n\n" + RENDER_EXIT_CODES
)
RENDER = [
    Flag("out_dir", ("--out-dir", "-d"), Path, "Folder for the outputs (created if missing).",
         Path("."), show_default=True),
    Flag("format", ("--format", "-f"), list[str],
         f"Comma list of {', '.join(formats.NAMES)}; may be repeated.", ["png"],
         metavar="FORMATS", show_default=True),
    Flag("check", ("--check",), bool,
         "Write nothing; exit 1 and list each output that is missing or differs from what "
         "would be rendered now.", False),
    Flag("force", ("--force",), bool, "Render every config, even if up to date.", False),
    Flag("jobs", ("--jobs", "-j"), int | None,
         "Worker processes; 1 renders in this process. [default: number of CPUs, at most one "
         "per 4 configs to render]"),
    Flag("fail_fast", ("--fail-fast",), bool, "Stop at the first failure.", False),
]  # fmt: skip
PATHS = inspect.Parameter(
    "paths",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        list[str], typer.Argument(help="YAML files, folders (searched for *.yaml, *.yml) or globs.")
    ],
)


def render(paths: list[str], **values: Any) -> None:
    from lrplot.batch import BatchOptions, collect, run
    from lrplot.cli.progress import reporter

    with errors_exit():
        jobs = values["jobs"]
        if jobs is not None and jobs < 1:
            raise SpecError(f"--jobs: must be at least 1, got {jobs}")
        options = BatchOptions(
            out_dir=values["out_dir"],
            formats=formats.parse_formats(values["format"]),
            check=values["check"],
            force=values["force"],
            jobs=jobs,
            fail_fast=values["fail_fast"],
            plot=figure_overrides(values),
            allow_import=allowed_imports(values),
        )
        result = run(collect(paths), options, reporter())
    print(result.summary, file=sys.stderr)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


render.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [PATHS] + [flag.parameter() for flag in RENDER + FIGURE + IMPORTS]
)


def list_schedulers() -> None:
    from lrplot.describe.catalog import list_text

    sys.stdout.write(list_text())


def code(path: Path, **values: Any) -> None:
    from lrplot.config import load_spec
    from lrplot.describe.code import python_code

    with errors_exit():
        spec = load_spec(path, allow_import=allowed_imports(values))
        print(python_code(spec), end="")


code.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            "path",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[Path, typer.Argument(help="A YAML spec.", show_default=False)],
        )
    ]
    + [flag.parameter() for flag in IMPORTS]
)


def show(
    name: Annotated[
        str,
        typer.Argument(
            help="A scheduler or recipe (alias, command or name), or a YAML spec file: its run "
            "(length, steps per epoch and where they come from, warnings), not simulated."
        ),
    ],
) -> None:
    with errors_exit():
        if name.endswith((".yaml", ".yml", ".json")) or Path(name).is_file():
            from lrplot.config import load_spec
            from lrplot.describe.plan import plan_text

            sys.stdout.write(plan_text(load_spec(name)))
            return
        from lrplot.describe.catalog import show_text

        sys.stdout.write(show_text(name))


def init(
    name: Annotated[str, typer.Argument(help="A scheduler or recipe: alias, command or name.")],
) -> None:
    from lrplot.describe.catalog import init_text

    with errors_exit():
        sys.stdout.write(init_text(name))


def schema() -> None:
    import json

    from lrplot.describe.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command(help=RENDER_HELP)(render)
    app.command(name="list", help="List every scheduler of the installed torch, with its aliases.")(
        list_schedulers
    )
    app.command(
        name="code",
        help="Print a runnable PyTorch script that builds the spec's optimizer and scheduler and "
        "records the lr at every step, reproducing lrplot's CSV.\n\n" + EXIT_CODES,
    )(code)
    app.command(
        help="Show a scheduler's arguments (types, torch defaults and torch's descriptions), "
        "or the run a spec file describes: lrplot show my.yaml"
    )(show)
    app.command(help="Print a commented starter config: lrplot init cosine > cosine.yaml")(init)
    app.command(
        help="Print a JSON Schema of the YAML spec, for editor completion: "
        "lrplot schema > lrplot.schema.json (see the README for VS Code)."
    )(schema)
