"""The manifest: what lrplot wrote into an output folder, and from which inputs.

For each output it records the SHA-256 of its inputs (:func:`inputs_sha256`: the config, what it
reads, the figure flags) and of the file itself, plus the versions of everything that shapes the
bytes (:func:`environment`). An output is up to date when all of these still hash the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.model import FigureSpec

if TYPE_CHECKING:
    from lrplot.plotoptions import PlotOptions

MANIFEST_NAME = ".lrplot-manifest.json"
MANIFEST_VERSION = 2
# Distributions whose version can change the bytes of an output (pillow encodes PNGs, fonttools
# subsets the fonts embedded in PDFs, PyYAML reads the configs; transformers and timm build the
# schedulers of their families).
DISTRIBUTIONS = (
    "lrplot", "torch", "matplotlib", "numpy", "pillow", "fonttools", "PyYAML", "transformers",
    "timm",
)  # fmt: skip


def environment() -> dict[str, str]:
    """Versions of everything that shapes an output's bytes, read without importing any of it.

    lrplot's own source is hashed too: a figure changes when plot.py does, even if the version
    number did not move.
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
    return found


def sha256_file(path: Path) -> str | None:
    """The file's SHA-256, or None when it is missing or unreadable."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_manifest(out_dir: Path, env: dict[str, str]) -> dict[str, dict[str, str]]:
    """The manifest's entries, or none when it is missing, unreadable or from another
    environment (then every output counts as stale)."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
        return {}
    if data.get("environment") != env:
        return {}
    entries = data.get("outputs")
    if not isinstance(entries, dict):
        return {}
    return {
        key: value
        for key, value in entries.items()
        if isinstance(value, dict)
        and isinstance(value.get("inputs"), str)
        and isinstance(value.get("sha256"), str)
    }


def write_manifest(out_dir: Path, env: dict[str, str], entries: dict[str, dict[str, str]]) -> None:
    from lrplot.outputs.files import atomic_write

    data = {"manifest": MANIFEST_VERSION, "environment": env, "outputs": entries}
    atomic_write(out_dir / MANIFEST_NAME, [json.dumps(data, indent=1, sort_keys=True) + "\n"])


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
