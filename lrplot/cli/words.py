"""A scheduler command given as words (``cosine --T-max 100``), for ``lrplot code`` and
``lrplot compare``: parsed by the very command ``lrplot cosine --T-max 100`` would run, so every
alias, spelling and flag of that command works here too."""

from __future__ import annotations

import shlex
from typing import Any

import typer

from lrplot.cli.group import ARGV, LrplotGroup
from lrplot.cli.schedulers import COMMANDS, entry_document
from lrplot.errors import SpecError


def split(text: str) -> list[str]:
    """A quoted command line as words, as the shell would split it."""
    try:
        return shlex.split(text)
    except ValueError as exc:  # an unbalanced quote
        raise SpecError(f"cannot split {text!r} into words: {exc}") from None


def document_from_words(ctx: typer.Context, words: list[str]) -> tuple[Any, dict[str, Any]]:
    """The spec Document of ``lrplot WORDS``, and the values of the flags it was given."""
    parent: Any = ctx.find_root()
    parent.meta[ARGV] = [*parent.meta.get(ARGV, []), *words]  # for an unknown option's message
    command: Any = parent.command
    group: str | None = None
    rest = list(words)
    while isinstance(command, LrplotGroup):
        if not rest:
            raise SpecError("expected a scheduler command such as: cosine --T-max 100")
        _, found, rest = command.resolve_command(parent, rest)
        if isinstance(found, LrplotGroup):
            parent = typer.Context(found, info_name=found.name, parent=parent)
            group = found.name
        command = found
    key = (group, command.name)
    if key not in COMMANDS:
        raise SpecError(f"{words[0]!r} is not a scheduler command (lrplot list shows them)")
    family, entry, flags = COMMANDS[key]
    values = dict(command.make_context(command.name, rest, parent=parent).params)
    return entry_document(family, entry, flags, values), values
