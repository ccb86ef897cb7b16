"""One command per catalogue entry of every family, and the one runner behind all of them.

``lrplot cosine --T-max 20`` (torch family) and ``lrplot recipe cosine --num-training-steps 1000``
(recipe family) are the same code: the entry's flags become a spec mapping plus the flag behind
each key path (:func:`lrplot.cli.options.document`), the spec is validated, then simulated and
drawn or written. Nothing here knows a scheduler by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer

from lrplot.cli.edge import EXIT_CODES, errors_exit
from lrplot.cli.flag import Flag
from lrplot.cli.group import LrplotGroup
from lrplot.cli.imports import allowed_imports
from lrplot.cli.options import command_flags, document
from lrplot.errors import SpecError
from lrplot.families import families
from lrplot.families.base import Entry, Family

# Every scheduler command, by (command group, command): what `lrplot code NAME ...` and
# `lrplot compare "NAME ..."` parse their words against.
COMMANDS: dict[tuple[str | None, str], tuple[Family, Entry, list[Flag]]] = {}


def source_of(family: Family, entry: Entry) -> str:
    """How messages name a command line: ``lrplot cosine``, ``lrplot recipe linear``."""
    group = f"{family.command_group} " if family.command_group else ""
    return f"lrplot {group}{entry.command}"


def entry_document(family: Family, entry: Entry, flags: list[Flag], values: dict[str, Any]) -> Any:
    """The spec the flags describe, as a Document that knows the flag behind each key path."""
    from lrplot.config.yamlload import Document

    raw, names = document(entry, family.key, flags, values)
    return Document(raw, source_of(family, entry), flags=names)


def run_entry(family: Family, entry: Entry, flags: list[Flag], values: dict[str, Any]) -> None:
    from lrplot.cli.running import run_spec
    from lrplot.config import spec_from_document

    with errors_exit(source_of(family, entry)):
        doc = entry_document(family, entry, flags, values)
        # --metric-file is the user's own
        spec = spec_from_document(doc, confine=False, allow_import=allowed_imports(values))
        outputs = list(values.get("output") or [])
        run_spec(spec, outputs, save=values.get("save_spec"), raw=doc.data)


def _command(family: Family, entry: Entry) -> Callable[..., None]:
    flags = command_flags(entry, family.key)
    COMMANDS[(family.command_group, entry.command)] = (family, entry, flags)

    def command(**values: Any) -> None:
        run_entry(family, entry, flags, values)

    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [flag.parameter() for flag in flags]
    )
    command.__name__ = entry.command.replace("-", "_")
    return command


def _outline(entry: Entry) -> Callable[..., None]:
    """A command with no options, for a process that will not run it: its name and help are
    what ``lrplot --help`` lists, and building the full options of ~60 commands (about 1,900
    of them) would cost ``lrplot --help``, ``list`` or ``render`` a quarter of a second."""

    def command() -> None:  # pragma: no cover - never invoked (see outline_only)
        raise SystemExit(2)

    command.__name__ = entry.command.replace("-", "_")
    return command


def own_commands(app: typer.Typer) -> set[str]:
    """The names of the commands registered on ``app`` so far (``list``, ``render``, ...)."""
    return {
        info.name or getattr(info.callback, "__name__", "").replace("_", "-")
        for info in app.registered_commands
    }


def outline_only(own: set[str], argv: list[str]) -> bool:
    """Whether this process can only run one of the ``own`` commands (``list``, ``render``,
    ...) or the top-level help, so that the scheduler commands need not be built in full. Any
    doubt (another program's argv, a scheduler name, completion, ``code``/``compare``/
    ``watch``, which parse scheduler command lines) builds everything."""
    if not _runs_lrplot(argv):
        return False
    words = _words(argv)
    if not words:
        return all(word in ("-h", "--help") for word in argv[1:]) and len(argv) > 1
    return words[0] in own - {"code", "compare", "watch"}


def built_in_full(own: set[str], argv: list[str] | None) -> Callable[[str | None, str], bool]:
    """Which scheduler commands, by (command group, command), this process builds with all
    their options. A process that runs one scheduler (``lrplot cosine ...``, ``lrplot
    CosineAnnealingLR ...``, ``lrplot recipe linear ...``) builds that one, and the other ~60 in
    outline: their options cost such a run a fifth of a second and ~10 MB. A process that runs
    none of them (:func:`outline_only`) builds none; any doubt builds all."""
    from lrplot.cli.group import entry_command, normalize

    if argv is None:
        return lambda group, command: True
    if outline_only(own, argv):
        return lambda group, command: False
    words = _words(argv)
    if not words or not _runs_lrplot(argv):
        return lambda group, command: True
    found = entry_command(None, words[0])
    if found is not None:
        return lambda group, command: group is None and command == found
    group = normalize(words[0])
    if len(words) > 1 and any(family.command_group == group for family in families()):
        found = entry_command(group, words[1])
        if found is not None:
            return lambda g, command: g == group and command == found
    return lambda group, command: True


def _runs_lrplot(argv: list[str]) -> bool:
    """Whether ``argv`` is lrplot's own command line (not another program that imported the
    CLI), outside shell completion, which needs every command."""
    import os

    program = argv[0].replace("\\", "/") if argv else ""
    if not (program.endswith("/lrplot") or program == "lrplot"
            or program.endswith("lrplot/__main__.py")):  # fmt: skip
        return False
    return not any(name.startswith("_LRPLOT_COMPLETE") for name in os.environ)


def _words(argv: list[str]) -> list[str]:
    return [word for word in argv[1:] if not word.startswith("-")]


def _unavailable(family: Family, why: str) -> Callable[..., None]:
    """The command that stands in for the group of a family that cannot be used (an optional
    library that is not installed): any use is the one-line error, exit 2."""

    def command(ctx: typer.Context) -> None:
        with errors_exit(f"lrplot {family.command_group}"):
            raise SpecError(why)

    command.__name__ = str(family.command_group)
    return command


def register(app: typer.Typer, argv: list[str] | None = None) -> None:
    """Add every family's commands: top-level, or under the family's group (``lrplot recipe``).
    With ``argv`` (the process's command line), only in outline when it cannot run them."""
    own = own_commands(app)
    if argv is not None and outline_only(own, argv) and _words(argv):
        return  # `lrplot render ...`, `lrplot list`: no scheduler command can run or be listed
    full = built_in_full(own, argv)
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
                cls=LrplotGroup,
            )
            app.add_typer(target)
        for entry in family.entries().values():
            text = f"{entry.name}: {entry.summary}"
            if family.command_group:
                text = f"{entry.name}: {entry.summary} (after {entry.origin})."
            target.command(
                name=entry.command, help=f"{text}\n\n{EXIT_CODES}", short_help=entry.summary
            )(
                _command(family, entry)
                if full(family.command_group, entry.command)
                else _outline(entry)
            )
