"""What a batch is given and gives back: the configs, the options, the reporter and the result."""

from __future__ import annotations

import fnmatch
import glob
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lrplot.errors import SpecError, one_line

EXIT_OK = 0
EXIT_STALE = 1
EXIT_FAILED = 2


def collect(paths: Sequence[str]) -> list[Path]:
    """The config files named by ``paths``: files, folders (searched recursively for ``*.yaml``
    and ``*.yml``) and globs, in order, each once. Neither a folder's search nor ``**`` enters a
    symlinked folder (``cfg/loop -> .`` would loop); a file reached twice through symlinked
    folders (``cfg/*/x.yaml``) counts once."""
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(text):
            matches = sorted(_glob(text))
            if not matches:
                raise SpecError(f"{text}: no file matches")
            found += [p for p in matches if p.is_file()]
        else:
            raise SpecError(f"{text}: no such file or folder")
    if not found:
        raise SpecError("no YAML files found in " + ", ".join(paths))
    unique: dict[str, Path] = {}
    for path in found:  # the folder resolved, the name not: a symlinked config is its own
        unique.setdefault(os.path.join(os.path.realpath(path.parent), path.name), path)
    return list(unique.values())


def _glob(pattern: str) -> list[Path]:
    """``glob.glob(pattern, recursive=True)``, except that ``**`` does not enter symlinked
    folders: glob's does, and a ``loop -> .`` link makes it run until names are too long."""
    parts = Path(pattern).parts
    literal = 0
    while literal < len(parts) and not glob.has_magic(parts[literal]):
        literal += 1
    found = [Path(*parts[:literal])] if literal else [Path()]
    for i, part in enumerate(parts[literal:], start=literal):
        last = i == len(parts) - 1
        step: list[Path] = []
        for base in found:
            if part == "**":
                step += _below(base, files=last)
            elif glob.has_magic(part):
                step += [base / name for name in _names(base, part) if fnmatch.fnmatch(name, part)]
            elif os.path.lexists(base / part):
                step.append(base / part)
        found = list(dict.fromkeys(step))
    return [path for path in found if path != Path()]


def _names(folder: Path, pattern: str) -> list[str]:
    """The names in ``folder`` that a glob part may match: hidden ones only if it asks."""
    try:
        with os.scandir(folder) as entries:
            return [e.name for e in entries if not e.name.startswith(".") or pattern[:1] == "."]
    except OSError:
        return []


def _below(folder: Path, *, files: bool) -> list[Path]:
    """``folder`` and every folder under it (with ``files``, every file too), not hidden and
    not through a symlink, as pathlib's ``rglob`` does."""
    found = [folder]
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))
        )
        found += [Path(root, d) for d in dirs]
        if files:
            found += [Path(root, n) for n in sorted(names) if not n.startswith(".")]
    return found


CONFIGS_PER_WORKER = 4


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def auto_jobs(tasks: int) -> int:
    """Workers when ``--jobs`` is not given: one per CPU, but at most one per
    :data:`CONFIGS_PER_WORKER` configs, since a worker first spends a second or two importing
    torch and matplotlib; with one worker the batch renders in this process."""
    return max(1, min(default_jobs(), tasks // CONFIGS_PER_WORKER))


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path = Path(".")
    formats: tuple[str, ...] = ("png",)
    check: bool = False
    force: bool = False
    jobs: int | None = 1  # None: auto_jobs()
    fail_fast: bool = False
    # Figure flags given on the command line (PlotOptions.merged() keywords; None = not given),
    # applied over each config's `plot:` mapping.
    plot: Mapping[str, Any] = field(default_factory=dict)
    # Top-level packages the configs' `import:` schedulers may import (--allow-import).
    allow_import: tuple[str, ...] = ()
    prune: bool = False  # remove orphans (lrplot.batch.tidy)


class Reporter(Protocol):
    """Where a batch sends its messages and progress; the CLI prints, tests may record."""

    def message(self, text: str) -> None: ...

    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...

    def stop(self) -> None: ...


class QuietReporter:
    """Messages to stderr, no progress bar."""

    def message(self, text: str) -> None:
        print(one_line(text), file=sys.stderr)

    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class BatchResult:
    check: bool = False
    rendered: int = 0  # configs rendered (with check: configs with a missing or stale output)
    skipped: int = 0  # configs already up to date, or not reached after --fail-fast
    failed: int = 0
    current: int = 0  # with check: configs whose outputs were compared and are all up to date
    stale: list[tuple[Path, str]] = field(default_factory=list)  # (output, "missing"/"stale")
    orphans: list[Path] = field(default_factory=list)  # outputs no config writes any more
    leftovers: list[Path] = field(default_factory=list)  # stale temp files (check: found)
    pruned: int = 0  # orphans removed by --prune

    @property
    def exit_code(self) -> int:
        if self.failed:
            return EXIT_FAILED
        if self.check and (self.stale or self.orphans or self.leftovers):
            return EXIT_STALE
        return EXIT_OK

    @property
    def summary(self) -> str:
        if not self.check:
            text = f"rendered {self.rendered}, skipped {self.skipped}, failed {self.failed}"
            text += f", pruned {self.pruned}" if self.pruned else ""
            return text + (f", orphans {len(self.orphans)}" if self.orphans else "")
        text = f"would render {self.rendered}, up to date {self.current}, failed {self.failed}"
        unchecked = self.skipped - self.current  # not reached after --fail-fast
        text += f", not checked {unchecked}" if unchecked > 0 else ""
        text += f", orphans {len(self.orphans)}" if self.orphans else ""
        return text + (f", stale temp files {len(self.leftovers)}" if self.leftovers else "")
