"""Replay a training log: one numeric column of a CSV file, read with the standard library.

A path from a config is resolved relative to the config's folder and must stay inside it, by the
rule of :mod:`lrplot.paths` that outputs follow too. A path typed
on the command line is the user's own choice and is taken as it is.
"""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path
from typing import Any

from lrplot import paths
from lrplot.errors import SpecError, close_match

MAX_CSV_BYTES = 100_000_000
"""A metric log larger than this is refused before it is read (issue 3: a config cannot hang)."""


class ReplayError(SpecError):
    """A replay problem; ``key`` names the metric key it belongs to (``file`` or ``column``)."""

    def __init__(self, message: str, key: str = "file", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.key = key


def resolve(name: str, base: Path, confine: bool) -> Path:
    """The file ``name`` names, relative to ``base``; with ``confine``, refuse any escape
    (:mod:`lrplot.paths`)."""
    why = "a config reads files inside its own folder"
    if "\0" in name:
        raise ReplayError("a file name cannot contain a NUL byte")
    if not confine:
        return base / Path(name).expanduser()
    problem = paths.lexical_problem(name, why, home=True)
    if problem:
        raise ReplayError(problem)
    if paths.escapes(base, name):
        raise ReplayError(f"{name!r} leads outside the config's folder through a symlink")
    return base / name


def read_column(path: Path, shown: str, column: str, limit: int) -> list[float]:
    """The first ``limit`` numbers of ``column`` (fewer if the file is shorter).

    ``shown`` is the file name as the user wrote it, for messages. Blank lines are skipped; rows
    after the first ``limit`` are not read. ``nan`` and ``inf`` are numbers (a diverged run logs
    them, and torch accepts them).
    """
    try:
        # A FIFO or a device would block or never end: only a regular file of bounded size.
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise ReplayError(f"{shown}: is not a regular file")
        if info.st_size > MAX_CSV_BYTES:
            raise ReplayError(f"{shown}: is larger than {MAX_CSV_BYTES} bytes")
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _read(csv.reader(handle), shown, column, limit)
    except FileNotFoundError:
        raise ReplayError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise ReplayError(f"{shown}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise ReplayError(f"{shown}: is not UTF-8 text") from None
    except OSError as exc:
        raise ReplayError(f"{shown}: cannot read: {exc.strerror}") from None


def _read(reader: Any, shown: str, column: str, limit: int) -> list[float]:
    try:
        header = next((row for row in reader if row), None)
        if header is None:
            raise ReplayError(f"{shown}: the file is empty (expected a header line)")
        names = [name.strip() for name in header]
        if column not in names:
            raise ReplayError(
                f"{shown} has no column {column!r} (its columns: {', '.join(names)})",
                key="column",
                hint=close_match(column, names),
            )
        if names.count(column) > 1:
            raise ReplayError(f"{shown} has the column {column!r} twice", key="column")
        index = names.index(column)
        values: list[float] = []
        for row in reader:
            if len(values) >= limit:
                break
            if not row:
                continue
            where = f"{shown} line {reader.line_num}"
            if index >= len(row):
                raise ReplayError(f"{where}: has {len(row)} field(s), no {column!r} value")
            cell = row[index].strip()
            if not cell:
                raise ReplayError(f"{where}: the {column!r} cell is empty")
            try:
                values.append(float(cell))
            except ValueError:
                raise ReplayError(f"{where}: {column!r} is {cell[:40]!r}, not a number") from None
        if not values:
            raise ReplayError(f"{shown} has a header but no rows")
        return values
    except csv.Error as exc:
        raise ReplayError(f"{shown} line {reader.line_num}: {exc}") from None
