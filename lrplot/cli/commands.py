"""The commands that are not one scheduler: ``render``, ``list``, ``show``, ``init``, ``schema``,
``code``, ``compare`` and the hidden ``preview`` behind ``lrplot FILE.yaml``. Each parses its
flags, calls the library, and leaves errors to the edge."""

from __future__ import annotations

import inspect
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer

from lrplot import formats
from lrplot.cli import complete
from lrplot.cli.edge import EXIT_CODES, errors_exit, print_notes
from lrplot.cli.flag import Flag
from lrplot.cli.group import PREVIEW, LrplotCommand, looks_like_a_file
from lrplot.cli.imports import IMPORTS, allowed_imports
from lrplot.cli.options import FIGURE, OUTPUT, figure_overrides
from lrplot.errors import SpecError

ALLOW_IMPORT: TypeAlias = Annotated[
    list[str] | None, typer.Option("--allow-import", help=IMPORTS[0].help, metavar="PKG")
]

RENDER_EXIT_CODES = (
    "Exit codes: 0 ok (with --check: every output is up to date); 1 --check found missing or "
    "stale outputs, orphans or stale temp files (each is listed); 2 bad input or a failed "
    "render."
)
RENDER_HELP = (
    "Render YAML specs to DIR/<config stem>.<format> (or the config's `outputs:`).\n\n"
    "Outputs already up to date are skipped: DIR/.lrplot-manifest.json records the hashes "
    "of each config, its outputs, the versions of lrplot, torch, matplotlib and numpy and "
    "the user's matplotlib style library. "
    "--check writes nothing: it renders every config in memory and compares the bytes with "
    "the files in DIR; it also lists orphans (outputs lrplot wrote that no config writes any "
    "more; --prune removes them) and stale temp files of a killed render (a render removes "
    "them).\n\n" + RENDER_EXIT_CODES
)
RENDER = [
    Flag("out_dir", ("--out-dir", "-d"), Path, "Folder for the outputs (created if missing).",
         Path("."), show_default=True),
    Flag("format", ("--format", "-f"), list[str],
         f"Comma list of {', '.join(formats.NAMES)}; may be repeated.", ["png"],
         metavar="FORMATS", show_default=True, complete=complete.formats),
    Flag("check", ("--check",), bool,
         "Write nothing; exit 1 and list each output that is missing or differs from what "
         "would be rendered now.", False),
    Flag("force", ("--force",), bool, "Render every config, even if up to date.", False),
    Flag("prune", ("--prune",), bool,
         "Remove orphans: outputs in DIR that lrplot wrote (says the manifest) and that no "
         "config writes any more (--check lists them).", False),
    Flag("jobs", ("--jobs", "-j"), int | None,
         "Worker processes; 1 renders in this process. [default: number of CPUs, at most one "
         "per 4 configs to render]"),
    Flag("fail_fast", ("--fail-fast",), bool, "Stop at the first failure.", False),
    Flag("output", ("--output", "-o"), list[str] | None,
         f"Render one config to this file instead (format from the suffix: {formats.SUFFIXES}; "
         "'-' writes CSV to stdout; missing folders are created). Repeat for several.",
         metavar="FILE"),
]  # fmt: skip
PATHS = inspect.Parameter(
    "paths",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        list[str],
        typer.Argument(
            help="YAML files, folders (searched for *.yaml, *.yml) or globs.", metavar="PATH..."
        ),
    ],
)


def render(paths: list[str], **values: Any) -> None:
    from lrplot.batch import BatchOptions, collect, run
    from lrplot.cli.progress import reporter

    if values.get("output"):
        render_one(paths, values)
        return
    with errors_exit():
        jobs = values["jobs"]
        if jobs is not None and jobs < 1:
            raise SpecError(f"--jobs: must be at least 1, got {jobs}")
        if values["check"] and values["prune"]:
            raise SpecError("--check writes nothing and --prune removes files; give one of them")
        options = BatchOptions(
            out_dir=values["out_dir"],
            formats=formats.parse_formats(values["format"]),
            check=values["check"],
            force=values["force"],
            jobs=jobs,
            fail_fast=values["fail_fast"],
            plot=figure_overrides(values),
            allow_import=allowed_imports(values),
            prune=values["prune"],
        )
        result = run(collect(paths), options, reporter())
    print(result.summary, file=sys.stderr)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


render.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [PATHS] + [flag.parameter() for flag in RENDER + FIGURE + IMPORTS]
)


def render_one(paths: list[str], values: dict[str, Any]) -> None:
    """``render FILE.yaml -o x.png``: one config to the files named, like a scheduler command."""
    from lrplot.batch import collect
    from lrplot.cli.running import run_spec
    from lrplot.config import load_spec

    with errors_exit():
        if values["check"]:
            raise SpecError("--check compares a folder of outputs (--out-dir), not -o files")
        configs = collect(paths)
        if len(configs) != 1:
            raise SpecError(
                f"-o writes one config, but {len(configs)} were given; use --out-dir for several"
            )
        spec = load_spec(configs[0], allow_import=allowed_imports(values))
        run_spec(spec, values["output"], figure_overrides(values))


def preview(path: str, **values: Any) -> None:
    """``lrplot FILE.yaml``: the config in the terminal, or written with -o."""
    from lrplot.cli.running import run_spec
    from lrplot.config import load_spec

    with errors_exit():
        spec = load_spec(path, allow_import=allowed_imports(values))
        run_spec(spec, values.get("output") or [], figure_overrides(values))


preview.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            "path",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[str, typer.Argument(help="A YAML spec.", metavar="FILE.yaml")],
        )
    ]
    + [flag.parameter() for flag in OUTPUT[:1] + FIGURE + IMPORTS]
)


def list_schedulers() -> None:
    from lrplot.describe.catalog import list_text

    sys.stdout.write(list_text())


def code(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            help="A YAML spec, or a scheduler command with its flags: cosine --T-max 100.",
            metavar="FILE.yaml | NAME [FLAGS]...",
            show_default=False,
        ),
    ],
    allow_import: ALLOW_IMPORT = None,
) -> None:
    from lrplot.config import load_spec, spec_from_document
    from lrplot.describe.code import python_code

    allowed = allowed_imports({"allow_import": allow_import})
    with errors_exit():
        if len(words) == 1 and looks_like_a_file(words[0]):
            spec = load_spec(Path(words[0]), allow_import=allowed)
        else:
            from lrplot.cli.words import document_from_words

            doc, _ = document_from_words(ctx, words)
            doc.source = shlex.join(words)  # `# Generated by lrplot code cosine --T-max 100`
            spec = spec_from_document(doc, confine=False, allow_import=allowed)
        print_notes(spec.notes)
        print(python_code(spec), end="")


NAMES = Annotated[
    list[str],
    typer.Argument(
        help="A scheduler or recipe (alias, command or name), or recipe NAME where a recipe "
        "shares its name with a scheduler (recipe linear).",
        metavar="NAME",
        autocompletion=complete.entry_names,
    ),
]


def show(names: NAMES) -> None:
    from lrplot.describe.catalog import show_text

    if len(names) == 1 and looks_like_a_file(names[0]):
        preview(names[0])
        return
    with errors_exit():
        sys.stdout.write(show_text(names))


def init(names: NAMES) -> None:
    from lrplot.describe.catalog import init_text

    with errors_exit():
        sys.stdout.write(init_text(names))


def schema() -> None:
    import json

    from lrplot.describe.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command(help=RENDER_HELP, cls=LrplotCommand)(render)
    app.command(
        name="list",
        help="List every scheduler of the installed torch and every recipe, with aliases.",
    )(list_schedulers)
    app.command(
        name="code",
        help="Print a runnable PyTorch script that builds the spec's optimizer and scheduler and "
        "records the lr at every step, reproducing lrplot's CSV: lrplot code my.yaml, or "
        "lrplot code cosine --T-max 100.\n\n" + EXIT_CODES,
        context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
        cls=LrplotCommand,
    )(code)
    app.command(
        help="Show a scheduler's arguments (types, torch defaults and torch's descriptions): "
        "lrplot show cosine, lrplot show recipe linear. Given a YAML file, draw it in the "
        "terminal, as lrplot FILE.yaml does.\n\n" + EXIT_CODES,
        cls=LrplotCommand,
    )(show)
    app.command(
        help="Print a commented starter config: lrplot init cosine > cosine.yaml, "
        "lrplot init recipe cosine > cosine.yaml.",
        cls=LrplotCommand,
    )(init)
    app.command(
        name=PREVIEW,
        hidden=True,
        help="lrplot FILE.yaml: draw a config in the terminal, or write it with -o.\n\n"
        + EXIT_CODES,
        cls=LrplotCommand,
    )(preview)
    app.command(
        help="Print a JSON Schema of the YAML spec, for editor completion: "
        "lrplot schema > lrplot.schema.json (see the README for VS Code)."
    )(schema)
