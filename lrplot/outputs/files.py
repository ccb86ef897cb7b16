"""Writing files: atomically, all or nothing, inside the folder a config may write to.

Every file is produced completely in a temporary file in the destination folder, flushed to disk
(``fsync``), then moved into place with ``os.replace``, and the folder is flushed too, so that a
crash right after a render cannot leave a zero-length file; a failed render leaves an existing file
exactly as it was and leaves no temporary file behind. A target that is not a regular file (a
FIFO, a socket, a device) is refused before anything is rendered: reading or writing it could block.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from lrplot import paths
from lrplot.errors import OutputError, shown
from lrplot.model import FigureSpec


def confined(out_dir: str | Path, name: str) -> Path:
    """``out_dir / name`` for a name that came from a config, refusing any escape.

    The spec already refused absolute names and ``..``; this also refuses a folder on the way that
    is a symlink leading outside ``out_dir``, and a target that is a FIFO, socket or device
    (:func:`check_regular`). (A symlink at the target itself is replaced, not followed, by the
    atomic write.)
    """
    if paths.escapes(out_dir, name, parent_only=True):
        raise OutputError(f"{name!r} escapes the output folder {out_dir} through a symlink")
    target = Path(out_dir) / name
    check_regular(target)
    return target


def confined_outputs(out_dir: str | Path, spec: FigureSpec) -> list[Path]:
    """:func:`confined` for every name in a spec's ``outputs:``; errors name the config line."""
    targets = []
    for i, name in enumerate(spec.outputs):
        try:
            targets.append(confined(out_dir, name))
        except OutputError as exc:
            path = f"outputs[{i}]" if f"outputs[{i}]" in spec.lines or not spec.lines else "outputs"
            raise exc.located(source=spec.source, path=path, line=spec.line(path)) from None
    return targets


def atomic_write(path: str | Path, chunks: Iterable[bytes | str]) -> None:
    """Write ``chunks`` to ``path`` through a temp file in the same folder and ``os.replace``.

    The file ends up with mode 0644. On any failure the temp file is removed and an existing
    ``path`` is untouched.
    """
    atomic_write_all([(path, chunks)])


def atomic_write_all(
    items: Sequence[tuple[str | Path, Iterable[bytes | str]]],
    *,
    parents: bool = False,
    digests: dict[str, str] | None = None,
) -> None:
    """Write several files all-or-nothing, as far as a file system allows.

    Every target is checked first, then every file is written completely to its own temp file
    (this is where a full disk or a failing writer shows up), and only then are the temp files
    moved into place with ``os.replace``, which does not fail for lack of space. So a failure
    leaves every existing file byte for byte as it was and no temp file behind. With
    ``parents``, missing folders are created first (``-o newdir/x.png``). With ``digests``,
    each file's SHA-256 is stored there under ``str(path)``, hashed as it is written: reading a
    20M-row CSV back to hash it would hold all of it in memory.
    """
    targets = [Path(path) for path, _ in items]
    check_targets(targets, parents=parents)
    if parents:
        for target in targets:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                message = f"{target}: cannot create {target.parent}: {_reason(exc)}"
                raise OutputError(message) from None
    staged: list[tuple[str, Path]] = []
    try:
        for target, (_, chunks) in zip(targets, items, strict=True):
            temp, digest = _stage(target, chunks)
            staged.append((temp, target))
            if digests is not None:
                digests[str(target)] = digest
        for i, (temp, target) in enumerate(staged):
            try:
                os.replace(temp, target)
            except OSError as exc:
                staged = staged[i:]
                raise OutputError(f"{target}: cannot write: {_reason(exc)}") from None
        staged = []
    finally:
        for temp, _ in staged:
            _unlink(temp)
    for folder in dict.fromkeys(target.parent for target in targets):
        _fsync_folder(folder)


def check_targets(paths: Iterable[str | Path], *, parents: bool = False) -> None:
    """OutputError for the first path that cannot be a file: a folder, or a missing folder
    (with ``parents``, a folder may be missing if it can be created: no file is in the way)."""
    for path in paths:
        _check_target(Path(path), parents)


def check_regular(target: Path) -> None:
    """OutputError if ``target`` (or what a symlink there leads to) exists and is a FIFO, a
    socket or a device: reading it (``--check``, the manifest's hash) or writing it could block
    forever, and it is not lrplot's to replace."""
    try:
        mode = os.stat(target).st_mode
    except (OSError, ValueError):  # missing (or a dangling symlink): a new file; other errors later
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    raise OutputError(f"{shown(target)}: is {kind}, not a regular file; lrplot writes only files")


def _check_target(target: Path, parents: bool) -> None:
    check_regular(target)
    try:
        if target.is_dir():
            raise OutputError(f"{target}: is a directory")
        if target.parent.is_dir():
            return
        if not parents:
            raise OutputError(f"{target}: the folder {target.parent} does not exist")
        folder = target.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise OutputError(f"{target}: {folder} is a file, not a folder")
    except OSError as exc:  # e.g. ENAMETOOLONG, which is_dir() does not swallow
        raise OutputError(f"{target}: cannot write: {_reason(exc)}") from None


def _stage(target: Path, chunks: Iterable[bytes | str]) -> tuple[str, str]:
    """Write ``chunks`` to a new 0644 temp file beside ``target``; return its name and the
    SHA-256 of what was written."""
    folder = target.parent
    try:
        # The pid lets a later render tell a killed writer's leftover (lrplot.batch.tidy).
        prefix = f".{target.name[:40]}.{os.getpid()}."
        handle, temp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write to {folder}: {_reason(exc)}") from None
    digest = hashlib.sha256()
    try:
        try:
            with os.fdopen(handle, "wb", closefd=False) as stream:
                for chunk in chunks:
                    data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                    digest.update(data)
                    stream.write(data)
            _fsync(handle)  # the bytes on disk before os.replace puts the name on them
        finally:
            os.close(handle)
        os.chmod(temp, 0o644)
    except BaseException as exc:
        _unlink(temp)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write: {_reason(exc)}") from None
        raise
    return temp, digest.hexdigest()


def _fsync(handle: int) -> None:
    """``os.fsync``; a file system that cannot (EINVAL, ENOTSUP) is no error, a failing disk is."""
    try:
        os.fsync(handle)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (the renames just made) to disk, where the OS lets us open a
    folder (not Windows); the files are already written, so any failure here is skipped."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_stdout(chunks: Iterable[str], stream: IO[str] | None = None) -> None:
    out = stream or sys.stdout
    try:
        for chunk in chunks:
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        # `lrplot cosine -o - | head` closes the pipe early; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
