"""The command groups of the CLI: how a typed name finds its command, and how a typo is answered.

Every group of the app (``lrplot`` itself and ``lrplot recipe``) is a :class:`LrplotGroup`:

- Names are forgiving. :func:`normalize` is the app's ``token_normalize_func``, so option
  names, command names and choice values match whatever their case and ``_`` or ``-``
  (``--T_max``, ``--t-max`` and ``--T-max`` are one flag). Any flag of any group, including
  one added later, gets this for free; ``tests/test_cli_forgiving.py`` checks that no two
  spellings of one command collide.
- A catalogue entry answers to every one of its names: ``lrplot CosineAnnealingLR`` runs
  ``lrplot cosine``. Those aliases are hidden from ``--help`` and from completion.
- ``lrplot FILE.yaml`` previews a config (the hidden ``preview`` command).
- A name that is not a command gets an answer that helps: the close match, or where it lives
  (``it is a recipe: lrplot recipe cosine-with-restarts --help``).
- An unknown option is answered with the documented spelling of the closest flag.
"""

from __future__ import annotations

import difflib
import os
from typing import Any

from typer.core import TyperCommand, TyperGroup

from lrplot.families import families

ARGV = "lrplot.argv"  # the command line as typed, kept in the context's shared meta
PREVIEW = "preview"  # the hidden command behind `lrplot FILE.yaml`
YAML_SUFFIXES = (".yaml", ".yml")


def normalize(token: str) -> str:
    """How names are compared: case-insensitively, ``_`` and ``-`` alike."""
    return token.replace("_", "-").lower()


def _group_of(ctx: Any, group: TyperGroup) -> str | None:
    """The command group a family registers under: None for ``lrplot`` itself."""
    return None if ctx.parent is None else group.name


def entry_command(group: str | None, name: str) -> str | None:
    """The command of the catalogue entry of ``group`` that answers to ``name``, if any."""
    key = normalize(name)
    for family in families():
        if family.command_group != group:
            continue
        for entry in family.entries().values():
            if any(normalize(n) == key for n in entry.names):
                return entry.command
    return None


def grouped_command(name: str) -> str | None:
    """``lrplot recipe cosine-with-restarts`` for a name that lives in a command group."""
    for family in families():
        if family.command_group is None:
            continue
        command = entry_command(family.command_group, name)
        if command is not None:
            return f"lrplot {family.command_group} {command}"
    return None


def looks_like_a_file(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES) or os.path.isfile(name)


class LrplotGroup(TyperGroup):
    """A Typer group whose names forgive case, ``_`` and class names (see the module doc)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta.setdefault(ARGV, list(args))
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = self.commands.get(cmd_name)
        if found is not None:
            return found
        key = normalize(cmd_name)
        for name, command in self.commands.items():
            if normalize(name) == key:
                return command
        alias = entry_command(_group_of(ctx, self), cmd_name)
        return self.commands.get(alias) if alias is not None else None

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is not None:
            return command.name, command, args[1:]
        if ctx.resilient_parsing:  # completion: no errors
            return None, None, args[1:]
        root = ctx.parent is None
        if root and PREVIEW in self.commands and looks_like_a_file(name):
            return PREVIEW, self.commands[PREVIEW], args
        if name.startswith("-"):
            self.parse_args(ctx, args)  # an unknown option of the group itself
        raise ctx.fail(self._unknown(ctx, name, root))

    def _unknown(self, ctx: Any, name: str, root: bool) -> str:
        text = f"No such command {name!r}"
        elsewhere = grouped_command(name) if root else None
        if elsewhere is not None:
            group = elsewhere.split()[1]
            return f"{text}; it is a {group}: {elsewhere} --help"
        if root and os.path.isdir(name):
            return f"{text}; to render every config in a folder: lrplot render {name}"
        visible = [n for n, c in self.commands.items() if not c.hidden]
        lowered = {normalize(n): n for n in visible}
        close = difflib.get_close_matches(normalize(name), list(lowered), n=1, cutoff=0.6)
        if close:
            return f"{text}; did you mean {lowered[close[0]]}?"
        return f"{text}."

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _is_unknown_option(exc):
                _documented_suggestion(exc, ctx.meta.get(ARGV, []))
            raise


def _is_unknown_option(exc: Exception) -> bool:
    """Click's NoSuchOption (Typer vendors click; lrplot does not import it)."""
    return hasattr(exc, "option_name") and hasattr(exc, "possibilities")


def _documented_suggestion(exc: Any, argv: list[str]) -> None:
    """Name the option as typed, and suggest the closest flag as ``--help`` spells it.

    Click compares normalized names, so its own message would show ``--t-mx`` and suggest
    ``--t-max`` (and, matching on the ``--`` prefix alone, ``--x``).
    """
    typed = exc.option_name
    for token in argv:
        flag = token.split("=", 1)[0]
        if flag.startswith("-") and _normalized_flag(flag) == exc.option_name:
            typed = flag
            break
    command = exc.ctx.command if exc.ctx is not None else None
    spellings: dict[str, str] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "hidden", False):
            continue
        for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]:
            if opt.startswith("--"):
                spellings.setdefault(normalize(opt[2:]), opt)
    close = difflib.get_close_matches(normalize(typed.lstrip("-")), list(spellings), n=1)
    exc.option_name = typed
    exc.message = f"No such option: {typed}"
    if close:
        exc.message += f"; did you mean {spellings[close[0]]}?"
    exc.possibilities = None


def _normalized_flag(flag: str) -> str:
    dashes = len(flag) - len(flag.lstrip("-"))
    return flag[:dashes] + normalize(flag[dashes:])


class LrplotCommand(TyperCommand):
    """A command whose arguments read as their metavar (``PATH...``) in the usage line and in
    ``--help``, without Typer's ``{PATH}...`` braces and ``<list[str]>`` type."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(_argument_name(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments = [
            (_argument_name(p), getattr(p, "help", None) or "")
            for p in self.get_params(ctx)
            if p.param_type_name == "argument" and not getattr(p, "hidden", False)
        ]
        options = [
            record
            for p in self.get_params(ctx)
            if p.param_type_name == "option" and (record := p.get_help_record(ctx)) is not None
        ]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _argument_name(param: Any) -> str:
    name = param.metavar or param.name.upper()
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name if param.required else f"[{name}]"
