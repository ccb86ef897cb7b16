"""Writers: CSV and figures, atomically and with deterministic bytes.

Every file is produced completely in a temporary file in the destination folder, then moved into
place with ``os.replace``; a failed render leaves an existing file exactly as it was and leaves no
temporary file behind. Figures are rendered to memory first, so a title whose mathtext does not
parse never touches the disk.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from lrplot.draw.style import SAVE_METADATA, rc
from lrplot.errors import OutputError
from lrplot.spec.checker import FORMATS, FigureSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrplot.simulate import Curve

FIGURE_FORMATS = ("png", "svg", "pdf")
CHUNK_ROWS = 16_384


def format_of(path: str | Path) -> str:
    """The output format named by a path's suffix; OutputError if it is not one lrplot writes."""
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        what = f"'.{suffix}'" if suffix else "no extension"
        raise OutputError(
            f"{path}: cannot tell the format from {what}; use one of "
            + ", ".join("." + f for f in FORMATS)
        )
    return suffix


def confined(out_dir: str | Path, name: str) -> Path:
    """``out_dir / name`` for a name that came from a config, refusing any escape.

    The spec already refused absolute names and ``..``; this also refuses a folder on the way that
    is a symlink leading outside ``out_dir``. (A symlink at the target itself is replaced, not
    followed, by the atomic write.)
    """
    root = Path(out_dir).resolve()
    target = Path(out_dir) / name
    parent = target.parent.resolve()
    if parent != root and root not in parent.parents:
        raise OutputError(f"{name!r} escapes the output folder {out_dir} through a symlink")
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


# -- CSV ---------------------------------------------------------------------------------------


def csv_header(curves: Sequence[Curve]) -> list[str]:
    """``[curve,]step,epoch,lr[,lr_1...][,momentum[,momentum_1...]][,metric]``."""
    groups = max(c.groups for c in curves)
    columns = ["curve"] if len(curves) > 1 else []
    columns += ["step", "epoch"] + _numbered("lr", groups)
    if any(c.momentum is not None for c in curves):
        columns += _numbered("momentum", groups)
    if any(c.metric is not None for c in curves):
        columns.append("metric")  # ReduceLROnPlateau: the value scheduler.step() got that epoch
    return columns


def _numbered(name: str, count: int) -> list[str]:
    return [name] + [f"{name}_{i}" for i in range(1, count)]


def csv_lines(curves: Sequence[Curve]) -> Iterator[str]:
    """The CSV text in chunks: floats as ``repr`` (round-trip exact), rows in step order."""
    header = csv_header(curves)
    yield ",".join(header) + "\n"
    groups = max(c.groups for c in curves)
    with_momentum = "momentum" in header
    with_metric = "metric" in header
    for curve in curves:
        prefix = [curve.label] if len(curves) > 1 else []
        for start in range(0, len(curve), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, len(curve))
            count = stop - start
            columns: list[Iterable[str]] = [[p] * count for p in prefix]
            columns.append(map(str, range(start, stop)))
            columns.append(map(repr, curve.epoch_range(start, stop).tolist()))
            columns += _group_columns(curve.lr, groups, start, stop)
            if with_momentum:
                columns += _group_columns(curve.momentum, groups, start, stop)
            if with_metric:
                metric = curve.metric
                columns.append(
                    [""] * count if metric is None else map(repr, metric[start:stop].tolist())
                )
            yield "".join(",".join(row) + "\n" for row in zip(*columns, strict=True))


def _group_columns(values: object, groups: int, start: int, stop: int) -> list[Iterable[str]]:
    import numpy as np

    out: list[Iterable[str]] = []
    for g in range(groups):
        if isinstance(values, np.ndarray) and g < values.shape[0]:
            out.append(map(repr, values[g, start:stop].tolist()))
        else:
            out.append([""] * (stop - start))
    return out


# -- figures -----------------------------------------------------------------------------------


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """The figure encoded as ``fmt``, with no dates or versions in it."""
    import matplotlib

    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context(rc()):
            figure.savefig(buffer, format=fmt, metadata=SAVE_METADATA[fmt])
    except (ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())
        reason = reason if len(reason) <= 200 else reason[:200] + "..."
        raise OutputError(f"cannot draw the figure: {reason}") from None
    return buffer.getvalue()


# -- writing -----------------------------------------------------------------------------------


def atomic_write(path: str | Path, chunks: Iterable[bytes | str]) -> None:
    """Write ``chunks`` to ``path`` through a temp file in the same folder and ``os.replace``.

    The file ends up with mode 0644. On any failure the temp file is removed and an existing
    ``path`` is untouched.
    """
    atomic_write_all([(path, chunks)])


def atomic_write_all(items: Sequence[tuple[str | Path, Iterable[bytes | str]]]) -> None:
    """Write several files all-or-nothing, as far as a file system allows.

    Every target is checked first, then every file is written completely to its own temp file
    (this is where a full disk or a failing writer shows up), and only then are the temp files
    moved into place with ``os.replace``, which does not fail for lack of space. So a failure
    leaves every existing file byte for byte as it was and no temp file behind.
    """
    targets = [Path(path) for path, _ in items]
    check_targets(targets)
    staged: list[tuple[str, Path]] = []
    try:
        for target, (_, chunks) in zip(targets, items, strict=True):
            staged.append((_stage(target, chunks), target))
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


def check_targets(paths: Iterable[str | Path]) -> None:
    """OutputError for the first path that cannot be a file: a folder, or a missing folder."""
    for path in paths:
        _check_target(Path(path))


def _check_target(target: Path) -> None:
    try:
        if target.is_dir():
            raise OutputError(f"{target}: is a directory")
        if not target.parent.is_dir():
            raise OutputError(f"{target}: the folder {target.parent} does not exist")
    except OSError as exc:  # e.g. ENAMETOOLONG, which is_dir() does not swallow
        raise OutputError(f"{target}: cannot write: {_reason(exc)}") from None


def _stage(target: Path, chunks: Iterable[bytes | str]) -> str:
    """Write ``chunks`` to a new 0644 temp file beside ``target``; return its name."""
    folder = target.parent
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write to {folder}: {_reason(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(temp, 0o644)
    except BaseException as exc:
        _unlink(temp)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write: {_reason(exc)}") from None
        raise
    return temp


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
