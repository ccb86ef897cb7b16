"""The one rule for file names that come from a config: they stay inside their folder.

A config may name files it reads (``metric.file``, next to the config) and files it writes
(``outputs:``, inside ``--out-dir``). Either way the name must not be absolute, contain ``..`` or a
NUL byte, or lead out of the folder through a symlink. A path the user types on the command line
is theirs to choose and is not checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_NAME = 255  # bytes in one path component
MAX_PATH = 1024  # bytes in a whole name from a config
RESERVED_PREFIX = ".lrplot"  # lrplot's own files in an output folder: the manifest, its lock
TEMP = re.compile(r"\..+\.tmp", re.IGNORECASE)  # lrplot's temp files, .x.csv.a1b2c3.tmp


def lexical_problem(name: str, why: str, *, home: bool = False) -> str | None:
    """What is wrong with ``name`` as written (before any file system look-up), or None.

    ``why`` ends the message: ``outputs stay inside the output folder``. With ``home``, a name
    starting with ``~`` counts as absolute (it would be expanded where the name is the user's own).
    """
    if "\0" in name:
        return "a file name cannot contain a NUL byte"
    starts = ("/", "\\", "~") if home else ("/", "\\")
    if name.startswith(starts) or (len(name) > 1 and name[1] == ":"):
        return f"{name!r} is absolute; {why}"
    if ".." in parts(name):
        return f"{name!r} contains '..'; {why}"
    return None


def parts(name: str) -> list[str]:
    return name.replace("\\", "/").split("/")


def reserved_problem(name: str) -> str | None:
    """An output name one of whose parts is a name lrplot keeps for itself (its manifest, or
    its temp files, which it may clean up), or a bare extension such as ``.csv``."""
    for part in parts(name):
        if part.lower().startswith(RESERVED_PREFIX) or TEMP.fullmatch(part):
            return f"{name!r}: {part!r} is a name lrplot keeps for its own files"
    stem, dot, suffix = parts(name)[-1].rpartition(".")
    if dot and not stem.strip("."):
        return f"{name!r} is only an extension; name the file, such as lr.{suffix}"
    return None


def size_problem(name: str) -> str | None:
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME for part in parts(name)):
        return f"a file name is longer than {MAX_NAME} bytes"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_PATH:
        return f"the name is longer than {MAX_PATH} bytes"
    return None


def escapes(base: str | Path, name: str, *, parent_only: bool = False) -> bool:
    """Whether ``base / name`` resolves outside ``base`` (a symlink on the way leads out).

    With ``parent_only`` only the folders on the way count: a file about to be replaced by an
    atomic write is replaced, not followed.
    """
    root = Path(base).resolve()
    target = Path(base) / name
    found = target.parent.resolve() if parent_only else target.resolve()
    return found != root and root not in found.parents


def themed(path: str | Path, theme: str) -> str | Path:
    """The file a figure in ``theme`` goes to beside ``path``: ``x.png`` -> ``x-dark.png``
    (the light figure keeps the plain name). A ``Path`` stays a ``Path``."""
    text = str(path)
    folder, sep, name = text.replace("\\", "/").rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    new = f"{text[: len(folder) + len(sep)]}{stem}-{theme}{dot}{suffix}"
    return Path(new) if isinstance(path, Path) else new
