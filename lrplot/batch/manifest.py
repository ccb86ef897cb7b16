"""The manifest: what lrplot wrote into an output folder, and from which inputs.

For each output it records the SHA-256 of its inputs (:func:`inputs_sha256`: the config, what it
reads, the figure flags), of the file itself and of everything else that shapes the bytes
(:func:`environment`: versions, lrplot's source, the user's matplotlib style library), and the
config that wrote it. An output is up to date when all of these still hash the same.

The manifest is a local cache that anything may have scribbled on: a file that cannot be read
(corrupt, the wrong types, nested too deep, too large, a FIFO, a folder, a symlink) counts as
empty, so every output renders again; it is never a reason to stop.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lrplot.errors import shown
from lrplot.model import FigureSpec

if TYPE_CHECKING:
    from lrplot.plotoptions import PlotOptions

MANIFEST_NAME = ".lrplot-manifest.json"
MANIFEST_VERSION = 3
MANIFEST_MAX_BYTES = 64 * 2**20  # a larger file is not read (about 300,000 outputs)
CHUNK = 2**20  # files are hashed and compared this many bytes at a time
# Distributions whose version can change the bytes of an output (pillow encodes PNGs, fonttools
# subsets the fonts embedded in PDFs, PyYAML reads the configs; transformers and timm build the
# schedulers of their families).
DISTRIBUTIONS = (
    "lrplot", "torch", "matplotlib", "numpy", "pillow", "fonttools", "PyYAML", "transformers",
    "timm",
)  # fmt: skip

Entry = dict[str, str]
Entries = dict[str, Entry]
FIELDS = ("inputs", "sha256", "environment")  # every entry has these; "config" is optional


def environment() -> dict[str, str]:
    """Versions of everything that shapes an output's bytes, read without importing any of it.

    lrplot's own source is hashed too: a figure changes when plot.py does, even if the version
    number did not move. So is the user's matplotlib configuration (:func:`matplotlib_config`):
    a style library there can redefine a style name a config uses.
    """
    from importlib import metadata

    found = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    digest = hashlib.sha256()
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    found["lrplot-source"] = digest.hexdigest()
    found["matplotlib-config"] = matplotlib_config()
    return found


def environment_sha256(env: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(env, sort_keys=True).encode()).hexdigest()


def matplotlib_config_dir() -> Path:
    """Where matplotlib looks for ``matplotlibrc`` and ``stylelib/`` (as
    ``matplotlib.get_configdir()`` does, without importing matplotlib)."""
    if os.environ.get("MPLCONFIGDIR"):
        return Path(os.environ["MPLCONFIGDIR"])
    if sys.platform == "darwin":
        return Path.home() / ".matplotlib"
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "matplotlib"


def matplotlib_config() -> str:
    """A hash of the files in the user's matplotlib configuration that can reach a figure:
    the ``matplotlibrc`` files matplotlib would read and every ``stylelib/*.mplstyle``."""
    folder = matplotlib_config_dir()
    candidates = [Path("matplotlibrc"), folder / "matplotlibrc"]
    if os.environ.get("MATPLOTLIBRC"):
        candidates.insert(0, Path(os.environ["MATPLOTLIBRC"]))
    try:
        candidates += sorted((folder / "stylelib").glob("*.mplstyle"))
    except OSError:
        pass
    digest = hashlib.sha256()
    for path in candidates:
        digest.update(str(path).encode() + b"\0" + (sha256_file(path) or "-").encode() + b"\0")
    return digest.hexdigest()


def _open_regular(path: Path) -> int | None:
    """A read-only descriptor of ``path`` if it is a regular file, without following a symlink
    at ``path`` or blocking on a FIFO; None otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def sha256_file(path: Path, *, follow: bool = True) -> str | None:
    """The file's SHA-256, read a chunk at a time, or None when it is missing, unreadable or
    not a regular file (a FIFO is never opened for a blocking read). With ``follow=False`` a
    symlink at ``path`` counts as unreadable."""
    if follow:
        try:
            path = path.resolve()
        except (OSError, RuntimeError):
            return None
    fd = _open_regular(path)
    if fd is None:
        return None
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def read_manifest(out_dir: Path, notes: list[str] | None = None) -> Entries:
    """The manifest's well-formed entries (of every environment). A manifest that cannot be
    used counts as empty, with a reason appended to ``notes``; a missing one is just empty."""
    path = out_dir / MANIFEST_NAME
    if not os.path.lexists(path):
        return {}
    try:
        entries = _entries(_load(path))
    except _Unusable as exc:
        if notes is not None:
            notes.append(f"{shown(path)}: ignored ({exc}); its outputs render again")
        return {}
    found: Entries = {}
    for key, value in entries.items():
        if isinstance(key, str) and isinstance(value, dict) and _well_formed(key, value):
            found[key] = {name: value[name] for name in (*FIELDS, "config") if name in value}
    return found


def _entries(data: object) -> dict[object, object]:
    if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
        raise _Unusable("not a manifest of this lrplot version")
    entries = data.get("outputs")
    if not isinstance(entries, dict):
        raise _Unusable("no `outputs` mapping")
    return entries


class _Unusable(Exception):
    pass


def _load(path: Path) -> object:
    fd = _open_regular(path)
    if fd is None:
        raise _Unusable("not a regular file")
    parts: list[bytes] = []
    size = 0
    with os.fdopen(fd, "rb") as stream:
        try:  # a chunk at a time: read(n) would set aside n bytes up front
            while (chunk := stream.read(CHUNK)) and size <= MANIFEST_MAX_BYTES:
                parts.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise _Unusable(f"cannot read: {exc.strerror}") from None
    if size > MANIFEST_MAX_BYTES:
        raise _Unusable(f"larger than {MANIFEST_MAX_BYTES // 2**20} MiB")
    data = b"".join(parts)
    try:
        return json.loads(data)
    except RecursionError:
        raise _Unusable("nested too deep") from None
    except ValueError:
        raise _Unusable("not valid JSON") from None


def safe_key(key: object) -> bool:
    """Whether a manifest key names a file inside the output folder: relative, no ``..``."""
    if not isinstance(key, str) or not key or "\\" in key or "\0" in key:
        return False
    parts = PurePosixPath(key).parts
    return not PurePosixPath(key).is_absolute() and ".." not in parts and "." not in parts


def _well_formed(key: object, value: object) -> bool:
    return (
        safe_key(key)
        and isinstance(value, dict)
        and all(isinstance(value.get(name), str) for name in FIELDS)
        and isinstance(value.get("config", ""), str)
    )


def write_manifest(out_dir: Path, entries: Entries) -> None:
    """Replace the manifest (atomically: a symlink or FIFO in its place is replaced, not
    followed or opened)."""
    from lrplot.outputs.files import atomic_write

    data = {"manifest": MANIFEST_VERSION, "outputs": entries}
    path = out_dir / MANIFEST_NAME
    try:  # the name is lrplot's: a FIFO, socket or symlink there goes (the writer would refuse it)
        if not stat.S_ISREG(mode := path.lstat().st_mode) and not stat.S_ISDIR(mode):
            path.unlink()
    except OSError:
        pass
    atomic_write(path, [json.dumps(data, indent=1, sort_keys=True) + "\n"])


def inputs_sha256(config_bytes: bytes, spec: FigureSpec, options: PlotOptions) -> str:
    """The hash an output's manifest entry must match: the config file's bytes, the loaded spec
    (which holds what the config pulls in from other files, such as a replayed metric CSV), the
    figure options the command line put over it (with the settings of a style sheet file, which
    lrplot read into ``options.sheet``: no file is opened here)."""
    digest = hashlib.sha256(config_bytes)
    digest.update(b"\0" + repr(spec).encode())
    digest.update(b"\0" + json.dumps(dataclasses.asdict(options), sort_keys=True).encode())
    return digest.hexdigest()


def manifest_key(target: Path, out_dir: Path) -> str:
    return target.relative_to(out_dir).as_posix()


def config_ref(config: Path, out_dir: Path) -> str:
    """How an entry names the config that wrote it: relative to the output folder, so that the
    manifest stays true when the whole project moves."""
    try:
        return Path(os.path.relpath(config.resolve(), out_dir.resolve())).as_posix()
    except (OSError, ValueError, RuntimeError):  # another drive on Windows
        return str(config.resolve())


def config_of(entry: Entry, out_dir: Path) -> Path | None:
    """The config an entry says wrote it (None for an entry that does not say)."""
    ref = entry.get("config")
    return (out_dir / ref) if ref else None
