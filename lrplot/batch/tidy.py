"""What a batch leaves behind in its output folder: orphans and stale temp files.

- **Orphans.** An output the manifest says lrplot wrote, whose file is still there, but that no
  config writes any more: the config recorded in its entry is gone, or it was rendered in this
  run and no longer lists the output (another `outputs:`, other formats or themes). A config not
  named in this run says nothing, so ``render a.yaml`` after ``render a.yaml b.yaml`` leaves
  b's outputs alone. ``--prune`` removes an orphan only while it still holds the bytes lrplot
  wrote (never a file the user has since put there), and only inside the output folder.
- **Stale temp files.** lrplot writes each file to ``.<name>.<pid>.<random>.tmp`` beside it and
  moves it into place (:mod:`lrplot.outputs.files`); a killed render leaves the temp file. One is
  stale when the process named in it is gone (on this machine), or, without a pid (written by an
  older lrplot) or with a pid that is alive again, when it is older than
  :data:`STALE_TEMP_SECONDS`. Only names an output of this folder would get count.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from lrplot import paths
from lrplot.batch.manifest import (
    MANIFEST_NAME,
    Entries,
    config_of,
    manifest_key,
    sha256_file,
)
from lrplot.batch.plan import Job

STALE_TEMP_SECONDS = 3600
TEMP_NAME = re.compile(r"\.(?P<name>.+?)\.(?:(?P<pid>[0-9]{1,10})\.)?[a-z0-9_]{8}\.tmp")


def orphans(jobs: Iterable[Job], out_dir: Path, entries: Entries) -> tuple[list[str], list[str]]:
    """The manifest keys of the orphans whose file is still a regular file in ``out_dir``, and
    of those whose file is gone (entries to forget)."""
    jobs = list(jobs)
    written = {manifest_key(t, out_dir) for job in jobs for t in job.targets}
    ran = {_resolved(job.config) for job in jobs}
    found: list[str] = []
    gone: list[str] = []
    for key, entry in sorted(entries.items()):
        config = config_of(entry, out_dir)
        if key in written or config is None:
            continue
        resolved = _resolved(config)
        if resolved not in ran and config.is_file():
            continue  # a config not in this run: it may still write the output
        kind = _kind(out_dir, key)
        if kind == "file":
            found.append(key)
        elif kind == "gone":
            gone.append(key)
    return found, gone


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _kind(out_dir: Path, key: str) -> str:
    """ "file" for a regular file inside ``out_dir`` (no symlink on the way), "gone" when
    nothing is there, else "other" (left alone)."""
    if paths.escapes(out_dir, key, parent_only=True):
        return "other"
    try:
        mode = os.lstat(out_dir / key).st_mode
    except FileNotFoundError:
        return "gone"
    except OSError:
        return "other"
    return "file" if stat.S_ISREG(mode) else "other"


def prune(out_dir: Path, keys: Iterable[str], entries: Entries) -> tuple[list[str], list[str]]:
    """Remove each orphan that still holds the bytes lrplot wrote. Returns the keys removed
    and the keys kept (edited since, or could not be removed)."""
    removed, kept = [], []
    for key in keys:
        path = out_dir / key
        if (
            _kind(out_dir, key) != "file"
            or sha256_file(path, follow=False) != (entries[key]["sha256"])
        ):
            kept.append(key)
            continue
        try:
            path.unlink()
        except OSError:
            kept.append(key)
            continue
        removed.append(key)
    return removed, kept


def stale_temps(out_dir: Path, jobs: Iterable[Job], entries: Entries) -> list[Path]:
    """The stale temp files beside the outputs of ``jobs``, the manifest's entries and the
    manifest itself."""
    names: dict[Path, set[str]] = {out_dir: {MANIFEST_NAME[:40]}}
    targets = [t for job in jobs for t in job.targets]
    targets += [out_dir / key for key in entries]
    for target in targets:
        names.setdefault(target.parent, set()).add(target.name[:40])
    found = []
    now = time.time()
    for folder, wanted in sorted(names.items()):
        if paths.escapes(out_dir, str(folder.relative_to(out_dir))):
            continue
        try:
            with os.scandir(folder) as items:
                for item in items:
                    match = TEMP_NAME.fullmatch(item.name)
                    if match and match["name"] in wanted and _stale(item, match["pid"], now):
                        found.append(Path(item.path))
        except OSError:
            continue
    return sorted(found)


def _stale(item: os.DirEntry[str], pid: str | None, now: float) -> bool:
    try:
        info = item.stat(follow_symlinks=False)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if pid is not None and not _alive(int(pid)):
        return True
    return now - info.st_mtime > STALE_TEMP_SECONDS


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (unknown counts as alive)."""
    if os.name != "posix" or pid <= 0:
        return True  # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def remove(files: Iterable[Path]) -> list[Path]:
    """Remove ``files``; returns those removed."""
    removed = []
    for path in files:
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
