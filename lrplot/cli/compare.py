"""``lrplot compare "cosine --T-max 100" "step --step-size 30" -o cmp.png``: an overlay of
scheduler commands, one curve per quoted command line, labelled as typed.

Each command line is parsed by its own command (:mod:`lrplot.cli.words`) and checked on its own,
so an error names the command line and the flag; then the curves become one ``curves:`` spec,
which ``--save-spec`` writes as YAML.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Annotated, Any

import typer

from lrplot.cli.edge import EXIT_CODES, errors_exit, print_notes, print_warnings
from lrplot.cli.flag import Flag
from lrplot.cli.group import LrplotCommand
from lrplot.cli.options import FIGURE, OUTPUT, fill
from lrplot.errors import SpecError

TITLE = Flag("title", ("--title",), str | None, "Figure title [the command lines].", key="title")
FLAGS = [TITLE, *OUTPUT, *FIGURE]


def compare(ctx: typer.Context, lines: list[str], **values: Any) -> None:
    from lrplot.cli.running import run_spec
    from lrplot.cli.words import document_from_words, split
    from lrplot.config import spec_from_document
    from lrplot.config.figure import CURVE_KEYS
    from lrplot.config.yamlload import Document

    with errors_exit("lrplot compare"):
        if len(lines) < 2:
            raise SpecError("give two or more quoted scheduler commands to overlay")
        curves = []
        for line in lines:
            doc, given = document_from_words(ctx, split(line))
            doc.source = f'"{line}"'
            misplaced = [k for k in doc.data if k not in CURVE_KEYS] + [
                k for k in ("output", "save_spec") if given.get(k)
            ]
            if misplaced:
                raise SpecError(
                    f'"{line}": figure options (title, plot, -o, --save-spec) go after the '
                    "quoted command lines"
                )
            spec = spec_from_document(doc, confine=False)
            print_notes(spec.notes)
            print_warnings(spec.warnings)
            curves.append({"label": line, **doc.data})
        raw: dict[str, Any] = {"curves": curves}
        names = fill(raw, FLAGS, values)
        spec = spec_from_document(Document(raw, "lrplot compare", flags=names), confine=False)
        # Each curve's notes and warnings were said above, naming its command line.
        spec = replace(spec, warnings=(), notes=())
        run_spec(spec, values.get("output") or [], save=values.get("save_spec"), raw=raw)


compare.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        inspect.Parameter(
            "lines",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[
                list[str],
                typer.Argument(
                    help='Scheduler commands, each quoted: "cosine --T-max 100".',
                    metavar="'NAME [FLAGS]'...",
                ),
            ],
        ),
    ]
    + [flag.parameter() for flag in FLAGS]
)


def register(app: typer.Typer) -> None:
    app.command(
        help='Overlay scheduler commands in one figure: lrplot compare "cosine --T-max 100" '
        '"step --step-size 30" -o cmp.png. Each quoted command line is one curve, labelled as '
        "typed; without -o, the curves are drawn in the terminal.\n\n" + EXIT_CODES,
        cls=LrplotCommand,
    )(compare)
