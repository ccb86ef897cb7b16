"""The one exception family lrplot raises for bad input.

The library raises these; only the CLI edge turns them into ``error: ...`` on stderr and exit
code 2. ``str(err)`` is exactly what the user reads.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LrplotError(Exception):
    """Bad input or a failed render. ``str()`` is the user-facing one-line message."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.path = path
        self.line = line
        self.hint = hint

    def located(
        self, *, source: str | None = None, path: str | None = None, line: int | None = None
    ) -> LrplotError:
        """Fill in whatever location is still unknown, and return self."""
        if self.source is None:
            self.source = source
        if self.path is None:
            self.path = path
        if self.line is None:
            self.line = line
        return self

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.path:
            where.append(self.path + (f" (line {self.line})" if self.line else ""))
        elif self.line:
            where.append(f"line {self.line}")
        text = ": ".join([*where, self.message])
        if self.hint:
            text += f"; did you mean {self.hint}?"
        return " ".join(text.split("\n"))


class SpecError(LrplotError):
    """A config or command line that does not describe a valid run."""


class ExprError(LrplotError):
    """An ``lr_lambda`` expression that is not allowed or fails at some step."""


class SimulationError(LrplotError):
    """torch refused the spec while building or stepping the scheduler."""


class OutputError(LrplotError):
    """An output path that cannot or may not be written, or a render that failed."""


def close_match(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word``, case-insensitively, or None."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None
