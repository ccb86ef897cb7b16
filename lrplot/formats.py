"""The one table of output formats: what lrplot writes, and how each is made deterministic.

Everything that names formats (the spec's ``outputs:``, ``--format``, ``-o`` suffixes, the JSON
Schema, help texts, the writers) reads :data:`FORMATS`. Adding a format is a row here and, for a
new kind of file, a writer in ``lrplot.outputs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrplot.errors import OutputError, SpecError


@dataclass(frozen=True)
class Format:
    name: str  # the file suffix without the dot
    figure: bool  # drawn by matplotlib (else: data written by lrplot)
    # savefig metadata that keeps dates and software versions out of the bytes; leave it empty
    # for a format that holds none (matplotlib refuses the argument for JPEG)
    metadata: Mapping[str, Any] = field(default_factory=dict)


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("png", True, {"Software": None}),
        Format("svg", True, {"Date": None, "Creator": None}),
        Format(
            "pdf", True, {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
        ),
        Format("csv", False),
    )
}
NAMES = tuple(FORMATS)
FIGURES = tuple(name for name, fmt in FORMATS.items() if fmt.figure)
SUFFIXES = " ".join("." + name for name in NAMES)  # ".png .svg .pdf .csv", for help texts
SUFFIX_PATTERN = r"\.(" + "|".join(NAMES) + r")$"  # for the JSON Schema


def suffix_of(name: str) -> str:
    """The lower-case suffix of a file name, without the dot ("" when it has none)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def suffix_problem(name: str) -> str | None:
    """Why ``name`` does not name a format lrplot writes, or None."""
    suffix = suffix_of(name)
    if suffix in FORMATS:
        return None
    what = f"'.{suffix}'" if suffix else "no extension"
    return f"{name!r} has {what}; use one of {', '.join('.' + f for f in NAMES)}"


def format_of(path: str | Path) -> str:
    """The output format named by a path's suffix (``-`` is CSV on stdout)."""
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        what = f"'.{suffix}'" if suffix else "no extension"
        raise OutputError(
            f"{path}: cannot tell the format from {what}; use one of "
            + ", ".join("." + f for f in NAMES)
        )
    return suffix


def parse_formats(values: Sequence[str]) -> tuple[str, ...]:
    """``["png,csv", "svg"]`` -> ``("png", "csv", "svg")``; SpecError for an unknown format."""
    formats: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip().lower().lstrip(".")
            if not item:
                continue
            if item not in FORMATS:
                raise SpecError(f"--format: unknown format {item!r}; use {', '.join(NAMES)}")
            if item not in formats:
                formats.append(item)
    if not formats:
        raise SpecError("--format: no format given")
    return tuple(formats)
