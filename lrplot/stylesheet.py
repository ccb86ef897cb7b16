"""``plot: {style: ...}`` and ``--style``: which matplotlib style sheets lrplot applies, and how.

matplotlib's own ``style.use`` accepts a library name, a file path, a URL or a ``package.style``
name that it imports. From a config, which anyone may change in a pull request, lrplot takes
only two of them:

- the name of one of matplotlib's built-in sheets (``ggplot``, ``seaborn-v0_8``, ``default``),
  read from matplotlib's own folder, never from the user's ``MPLCONFIGDIR/stylelib``, so that a
  config means the same figure on every machine;
- an ``.mplstyle`` file inside the config's own folder (the rule of :mod:`lrplot.paths`).

On the command line (``--style``) a file may be anywhere, a library name may be the user's own,
and a ``package.style`` name is imported by matplotlib only when ``--allow-import`` names the
package. A URL is refused everywhere. Every file is read here, strictly (:func:`read_sheet`), and
handed to matplotlib as a mapping; matplotlib never opens it.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from lrplot import paths
from lrplot.errors import SpecError, close_match

MAX_SHEET_BYTES = 64_000  # matplotlib's largest built-in sheet, classic, is 25 kB
SUFFIX = ".mplstyle"
DEFAULT_NAMES = {"default": "default", "mpl20": "default"}  # matplotlib's rcParamsDefault
# Keys a style sheet may not set: what matplotlib's style.use ignores itself (not about style),
# what runs code or programs or reads files (figure.hooks imports modules, text.usetex runs
# LaTeX with a preamble that may \input any file, the ps distillers run ghostscript), and what
# sizes the canvas, which only plot.size and plot.dpi (under their caps) may do.
IGNORED = frozenset(
    {
        "backend", "backend_fallback", "interactive", "toolbar", "timezone", "tk.window_focus",
        "figure.max_open_warning", "figure.raise_window", "docstring.hardcopy", "date.epoch",
        "webagg.port", "webagg.address", "webagg.port_retries", "webagg.open_in_browser",
        "savefig.directory",
    }
)  # fmt: skip
"""What matplotlib's ``style.use`` ignores itself (its ``_STYLE_BLACKLIST``)."""
REFUSED = IGNORED | {
    "figure.hooks", "figure.figsize", "figure.dpi", "text.usetex", "text.latex.preamble",
}  # fmt: skip
REFUSED_PREFIXES = ("savefig.", "webagg.", "animation.", "keymap.", "pgf.", "ps.", "svg.hashsalt")
Sheet = tuple[tuple[str, str], ...]


class StyleError(SpecError):
    """A style that may not be used, or a sheet that does not read."""


def is_url(name: str) -> bool:
    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", name.strip()))


def _looks_like_path(name: str) -> bool:
    return name.endswith(SUFFIX) or any(c in name for c in "/\\~") or name.startswith(".")


def builtin_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "stylelib"


def builtin_names() -> list[str]:
    names = [p.stem for p in builtin_folder().glob("*" + SUFFIX)]
    return sorted({*names, *DEFAULT_NAMES, "mpl15"})


def resolve(
    name: str, base: Path, *, confine: bool, allow_import: frozenset[str] = frozenset()
) -> tuple[str, Sheet | None]:
    """(the style as written, its rc settings read by lrplot, or None for a name that
    matplotlib resolves itself: ``default``, or on the command line a library name or an
    allowed ``package.style``). StyleError for anything else."""
    why = "a config's style is a built-in matplotlib style or an .mplstyle file in its folder"
    if "\0" in name:
        raise StyleError("a style name cannot contain a NUL byte")
    if is_url(name):
        raise StyleError(f"{name!r} is a URL; lrplot does not fetch style sheets")
    if confine:
        if _looks_like_path(name):
            return name, _confined_file(name, base, why)
        return name, _builtin(name, why)
    path = Path(name).expanduser()
    if _looks_like_path(name) or path.is_file():
        return name, read_file(path, name)
    _command_line_name(name, allow_import)
    return name, None


def _confined_file(name: str, base: Path, why: str) -> Sheet:
    problem = paths.lexical_problem(name, why, home=True)
    if problem:
        raise StyleError(problem)
    if not name.endswith(SUFFIX):
        raise StyleError(f"{name!r} is not an {SUFFIX} file; {why}")
    if paths.escapes(base, name):
        raise StyleError(f"{name!r} leads outside the config's folder through a symlink")
    return read_file(base / name, name)


def _builtin(name: str, why: str) -> Sheet | None:
    if name in DEFAULT_NAMES:
        return None
    stem = "classic" if name == "mpl15" else name
    names = builtin_names()
    if stem not in names or stem.startswith("_"):
        if "." in name:
            raise StyleError(f"{name!r} would import a package; {why}")
        raise StyleError(
            f"unknown built-in matplotlib style {name!r}", hint=close_match(name, names)
        )
    return read_file(builtin_folder() / f"{stem}{SUFFIX}", name, trusted=True)


def _command_line_name(name: str, allow_import: frozenset[str]) -> None:
    import matplotlib.style

    if name in DEFAULT_NAMES or name in matplotlib.style.library:
        return
    if "." in name:
        package = name.split(".")[0]
        if package in allow_import:
            return
        raise StyleError(
            f"{name!r} would import the package {package!r} (importing runs its code); "
            f"allow it with --allow-import {package}"
        )
    hint = close_match(name, matplotlib.style.available)
    raise StyleError(f"unknown matplotlib style {name!r}", hint=hint)


def read_file(path: Path, shown: str, *, trusted: bool = False) -> Sheet:
    """A style sheet file: a regular file of at most :data:`MAX_SHEET_BYTES`, UTF-8."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block
            raise StyleError(f"{shown}: is not a regular file")
        if info.st_size > MAX_SHEET_BYTES:
            raise StyleError(f"{shown}: is larger than {MAX_SHEET_BYTES} bytes")
        with open(path, "rb") as handle:
            data = handle.read(MAX_SHEET_BYTES + 1)
    except FileNotFoundError:
        raise StyleError(f"{shown}: no such style sheet") from None
    except OSError as exc:
        raise StyleError(f"{shown}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_SHEET_BYTES:
        raise StyleError(f"{shown}: is larger than {MAX_SHEET_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StyleError(f"{shown}: is not UTF-8 text") from None
    return read_sheet(text, shown, trusted=trusted)


def read_sheet(text: str, shown: str, *, trusted: bool = False) -> Sheet:
    """``key: value`` lines (``#`` comments, blank lines) of known rcParams, each value checked
    by matplotlib's own validator. A ``trusted`` sheet (matplotlib's built-in) only loses what
    ``style.use`` ignores anyway."""
    from matplotlib import RcParams

    check = RcParams()
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        key, colon, value = (part.strip() for part in line.partition(":"))
        where = f"{shown}, line {number}"
        if not colon or not key:
            raise StyleError(f"{where}: must be 'key: value', got {raw.strip()!r}")
        if len(value) > 1 and value[0] == value[-1] == '"':
            value = value[1:-1]  # as matplotlib reads it
        if trusted and (key in IGNORED or key not in check.validate):
            continue
        if key not in check.validate:
            hint = close_match(key, list(check.validate))
            raise StyleError(f"{where}: unknown rc key {key!r}", hint=hint)
        if refused(key) and not trusted:
            raise StyleError(
                f"{where}: {key!r} may not be set by a style sheet (lrplot refuses keys that "
                "choose a backend, run programs, read files or size the canvas)"
            )
        try:
            check[key] = value
        except (ValueError, TypeError, KeyError) as exc:
            raise StyleError(f"{where}: {key!r}: {_first_line(exc)}") from None
        found[key] = value
    return tuple(found.items())


def refused(key: str) -> bool:
    return key in REFUSED or key.startswith(REFUSED_PREFIXES)


def _strip_comment(line: str) -> str:
    """The line up to a ``#`` outside quotes (``color: '#ff0000'`` keeps its colour)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[:i]
    return line


def _first_line(exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def from_flag(name: str, allow_import: tuple[str, ...]) -> tuple[str, Sheet | None]:
    """``--style NAME``: :func:`resolve` for the command line, the error naming the flag."""
    try:
        return resolve(name, Path("."), confine=False, allow_import=frozenset(allow_import))
    except SpecError as exc:
        raise exc.located(path="--style") from None


def rc_spec(style: str | None, sheet: Sheet | None) -> Any:
    """What matplotlib's ``style.context`` is given: the sheet as a mapping, or a name."""
    return dict(sheet) if sheet is not None else style
