"""The one exception family lrplot raises for bad input.

The library raises these; only the CLI edge turns them into ``error: ...`` on stderr and exit
code 2. ``str(err)`` is exactly what the user reads.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrplot.origins import Origins

# A quoted value longer than this is shortened in messages, so that a 1 MB string in a config
# still gives a readable one-line error.
MAX_QUOTED = 80
_QUOTED = re.compile(r"'[^'\n]{" + str(MAX_QUOTED + 1) + ",}'")
# A run of digits longer than this (an integer with hundreds of digits) is shown clipped.
MAX_DIGITS = 30
_DIGITS = re.compile(r"\d{" + str(MAX_DIGITS + 1) + ",}")


def shown(name: object) -> str:
    """A name as printed (a file, a path, a value): every character that is not printable
    escaped as Python writes it (``\\n``, ``\\r``, ``\\x1b``), so that a file name cannot forge
    lines in a CI log (``x\\n::error::y.yaml``) or send terminal escape sequences.

    Every name lrplot prints goes through here (or through :func:`one_line`, which uses it)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(name))


def one_line(text: str) -> str:
    """A message as one line: line breaks become spaces and other control characters escapes,
    so that a config cannot break the one-line format. Names in it should be :func:`shown`
    first, so that their line breaks show as ``\\n``."""
    return shown(" ".join(text.splitlines()))


def _clip_quoted(message: str) -> str:
    return _QUOTED.sub(lambda m: m.group(0)[: MAX_QUOTED - 4] + "...'", message)


def clip_digits(text: str) -> str:
    """``1234567890…(400 digits)`` for every run of more than :data:`MAX_DIGITS` digits."""
    return _DIGITS.sub(lambda m: f"{m.group(0)[:10]}…({len(m.group(0))} digits)", text)


def digits(value: int) -> int:
    """How many decimal digits ``value`` has, also beyond Python's limit on int-to-str."""
    try:
        return len(str(abs(value)))
    except ValueError:  # over sys.get_int_max_str_digits() (a long hex literal)
        return int(abs(value).bit_length() * 0.30103) + 1


class _Located:
    """Where a message points (file, key path, line) and the one-line format both errors and
    warnings are printed in: ``<file>: <key path> (line N): <what>[; did you mean X?]``."""

    def _locate(
        self,
        message: str,
        source: str | None,
        path: str | None,
        line: int | None,
        hint: str | None,
    ) -> None:
        self.message = message
        self.source = source
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(shown(self.source))
        if self.path:
            path = self.path if len(self.path) <= 2 * MAX_QUOTED else self.path[:MAX_QUOTED] + "..."
            where.append(path + (f" (line {self.line})" if self.line else ""))
        elif self.line:
            where.append(f"line {self.line}")
        text = ": ".join([*where, _clip_quoted(clip_digits(self.message))])
        if self.hint:
            text += f"; did you mean {self.hint}?"
        return one_line(text)


class LrplotError(_Located, Exception):
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
        self._locate(message, source, path, line, hint)

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

    def relocated(self, origins: Origins, *, source: str | None = None) -> LrplotError:
        """Name the key path as the user typed it (a flag, or the path with its YAML line), and
        fill in ``source`` if unknown; return self. For errors raised after validation."""
        if self.source is None:
            self.source = source
        if self.path is not None and self.line is None:
            self.path, self.line = origins.locate(self.path)
        return self


class LrplotWarning(_Located, UserWarning):
    """Legal but suspicious input. ``str()`` is the one-line message, in the error's format.

    lrplot never passes these to :func:`warnings.warn`: a spec carries them in ``.warnings``, the
    CLI prints them as ``warning: ...``, and a caller who wants Python warnings may warn with them.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self._locate(message, source, path, line, None)


class CurveWarning(LrplotWarning):
    """What only the simulated curve shows: an lr that collapses to nothing. Unlike a spec's
    warnings it is issued with :func:`warnings.warn` by ``lrplot.simulate`` (as drawing issues
    ``LogScaleWarning``), and the CLI prints it as a ``warning:`` line."""


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
