"""Where each value of a spec came from: a YAML line, or a command-line flag.

A spec built from YAML knows the line of every key path (``scheduler.milestones[1]``); a spec
built from flags knows the flag behind each key path (``scheduler.T_max`` -> ``--T-max``). Errors
and warnings are located through :meth:`Origins.locate`, so a message names what the user typed,
without rewriting any text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def _parent(path: str) -> str:
    """``scheduler.milestones[1]`` -> ``scheduler.milestones`` -> ``scheduler`` -> ``""``."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of ``path`` or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = _parent(path)
    return lines.get(path)


def flag_of(flags: Mapping[str, str], path: str) -> str | None:
    """The flag behind ``path`` or its nearest ancestor, with the rest of the path kept:
    ``scheduler.milestones[1]`` -> ``--milestones[1]``."""
    current = path
    while current:
        if current in flags:
            return flags[current] + path[len(current) :]
        current = _parent(current)
    return None


def alias_of(aliases: Mapping[str, str], path: str) -> str:
    """``path`` as the file wrote it, when the spec was translated from another format (a
    LightningCLI config): ``scheduler.T_max`` -> ``lr_scheduler.init_args.T_max``."""
    current = path
    while current:
        if current in aliases:
            return aliases[current] + path[len(current) :]
        current = _parent(current)
    return path


@dataclass(frozen=True)
class Origins:
    """YAML lines and command-line flags by key path, and (for a spec translated from another
    format) where each key path was written in the file."""

    lines: Mapping[str, int] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)

    def line(self, path: str | None) -> int | None:
        return line_of(self.lines, alias_of(self.aliases, path)) if path is not None else None

    def flag(self, path: str | None) -> str | None:
        return flag_of(self.flags, path) if path else None

    def locate(self, path: str | None) -> tuple[str | None, int | None]:
        """(what to call ``path`` in a message, its line): a flag has no line."""
        flag = self.flag(path)
        if flag is not None:
            return flag, None
        if path is None:
            return None, None
        return alias_of(self.aliases, path), self.line(path)

    def name(self, path: str) -> str:
        """How a message names the key at ``path``: ``--T-max`` or ``'T_max'``."""
        flag = self.flags.get(path)
        written = alias_of(self.aliases, path)
        if flag is not None:
            return flag
        if written != path:
            return repr(written)
        return repr(path.rsplit(".", 1)[-1])
