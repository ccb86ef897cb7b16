"""One command per catalogue entry of every family, and the one runner behind all of them.

``lrplot cosine --T-max 20`` (torch family) and ``lrplot recipe cosine --num-training-steps 1000``
(recipe family) are the same code: the entry's flags become a spec mapping plus the flag behind
each key path (:func:`lrplot.cli.options.document`), the spec is validated, then simulated and
drawn or written. Nothing here knows a scheduler by name.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

import typer

from lrplot.cli.edge import EXIT_CODES, errors_exit, print_warnings, warnings_to_stderr
from lrplot.cli.options import (
    Flag,
    allowed_imports,
    command_flags,
    document,
    figure_overrides,
)
from lrplot.cli.progress import SimulationProgress
from lrplot.errors import SpecError
from lrplot.families import families
from lrplot.families.base import Entry, Family


def run_entry(family: Family, entry: Entry, flags: list[Flag], values: dict[str, Any]) -> None:
    from lrplot.config import spec_from_document
    from lrplot.config.yamlload import Document

    group = f"{family.command_group} " if family.command_group else ""
    source = f"lrplot {group}{entry.command}"
    with errors_exit(source):
        raw, names = document(entry, family.key, flags, values)
        doc = Document(raw, source, flags=names)
        # --metric-file is the user's own
        spec = spec_from_document(doc, confine=False, allow_import=allowed_imports(values))
        write_or_summarize(spec, values.get("output") or [], figure_overrides(values), source)
        print_warnings(spec.warnings)  # after the run, so that an error stays the only line


def write_or_summarize(
    spec: Any, outputs: list[str], plot: dict[str, Any], source: str = ""
) -> None:
    """Write the outputs, or without any draw the curve in the terminal with a summary."""
    options = spec.plot.merged(**plot)
    progress = SimulationProgress()
    try:
        with warnings_to_stderr(source):
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


def _command(family: Family, entry: Entry) -> Callable[..., None]:
    flags = command_flags(entry, family.key)

    def command(**values: Any) -> None:
        run_entry(family, entry, flags, values)

    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [flag.parameter() for flag in flags]
    )
    command.__name__ = entry.command.replace("-", "_")
    return command


def _unavailable(family: Family, why: str) -> Callable[..., None]:
    """The command that stands in for the group of a family that cannot be used (an optional
    library that is not installed): any use is the one-line error, exit 2."""

    def command(ctx: typer.Context) -> None:
        with errors_exit(f"lrplot {family.command_group}"):
            raise SpecError(why)

    command.__name__ = str(family.command_group)
    return command


def register(app: typer.Typer) -> None:
    """Add every family's commands: top-level, or under the family's group (``lrplot recipe``)."""
    for family in families():
        target = app
        why = family.missing()
        if why is not None:
            if family.command_group is not None:
                app.command(
                    name=family.command_group,
                    help=f"{family.group_help}\n\nNot available here: {why}.\n\n{EXIT_CODES}",
                    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                    add_help_option=True,
                )(_unavailable(family, why))
            continue
        if family.command_group is not None:
            target = typer.Typer(
                name=family.command_group,
                help=f"{family.group_help}\n\n{EXIT_CODES}",
                no_args_is_help=True,
                rich_markup_mode=None,
            )
            app.add_typer(target)
        for entry in family.entries().values():
            summary = entry.summary if family.command_group else entry.name
            text = f"{entry.name}: {entry.summary}"
            if family.command_group:
                text = f"{entry.name}: {entry.summary} (after {entry.origin})."
            target.command(name=entry.command, help=f"{text}\n\n{EXIT_CODES}", short_help=summary)(
                _command(family, entry)
            )
