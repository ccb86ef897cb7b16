"""The CLI's one error edge: an :class:`LrplotError` becomes ``error: <one line>`` on stderr and
exit code 2, with no traceback. Warnings become ``warning: ...`` lines and never change the exit.

Every command runs its work inside :func:`errors_exit`; nothing else in the CLI catches
LrplotError.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterable, Iterator

import typer

from lrplot.errors import LrplotError, LrplotWarning, one_line, shown

EXIT_CODES = (
    "Exit codes: 0 ok; 2 bad input or a failed render.\n\n"
    "Suspicious but valid input gets a 'warning:' line and keeps exit code 0."
)
ALL_EXIT_CODES = (
    "Exit codes: 0 ok; 1 render --check found missing or stale outputs; 2 bad input or a "
    "failed render.\n\n"
    "Suspicious but valid input gets a 'warning:' line and keeps exit code 0."
)


@contextlib.contextmanager
def errors_exit(source: str | None = None) -> Iterator[None]:
    """Run a command's work: an LrplotError is printed as one line and exits 2."""
    try:
        yield
    except LrplotError as exc:
        if source is not None:
            exc.located(source=source)
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


def print_warnings(found: Iterable[LrplotWarning]) -> None:
    """``warning: ...`` on stderr for legal but suspicious input; never changes the exit code."""
    for warning in found:
        print(f"warning: {warning}", file=sys.stderr)


def print_notes(found: Iterable[LrplotWarning]) -> None:
    """``note: ...`` on stderr where lrplot translated a value (``--momentum`` as beta1)."""
    for note in found:
        print(f"note: {note}", file=sys.stderr)


@contextlib.contextmanager
def warnings_to_stderr(source: str = "") -> Iterator[None]:
    """Show Python warnings (a log axis that leaves points out) as ``warning:`` lines too."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for item in caught:
                where = f"{shown(source)}: " if source else ""
                print(one_line(f"warning: {where}{item.message}"), file=sys.stderr)
