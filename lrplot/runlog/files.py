"""Opening a log: regular files of bounded size only, with one-line errors, and the points a
reader found turned into a sorted :class:`LoggedLr` (a restarted run's re-logged steps purged)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from lrplot.errors import SpecError
from lrplot.runlog.model import LoggedLr, Points

MAX_LOG_BYTES = 4_000_000_000
"""A log larger than this is refused before it is read (a TensorBoard file holds ~42 bytes per
point, so this is ~95M points)."""


class LogError(SpecError):
    """A log that cannot be read as the format it is (or was said to be)."""


def check_file(path: Path, shown: str) -> int:
    """The size of a regular file at ``path``; LogError for anything else."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise LogError(f"{shown}: no such file or folder") from None
    except OSError as exc:
        raise LogError(f"{shown}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise LogError(f"{shown}: is not a regular file")
    if info.st_size > MAX_LOG_BYTES:
        raise LogError(f"{shown}: is larger than {MAX_LOG_BYTES} bytes")
    return info.st_size


def read_bytes(path: Path, shown: str) -> bytes:
    check_file(path, shown)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LogError(f"{shown}: cannot read: {exc.strerror}") from None


def read_text(path: Path, shown: str) -> str:
    raw = read_bytes(path, shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogError(f"{shown}: is not UTF-8 text") from None


def finish(points: Points, **fields: Any) -> LoggedLr:
    """The points as a LoggedLr, in step order.

    A step lower than the one before means the run restarted and logged those steps again:
    the earlier entries at or after that step are dropped, as TensorBoard's
    ``purge_orphaned_data`` does. Equal steps are kept (Lightning logs one row per batch of an
    accumulation window, all with the same step).
    """
    import numpy as np

    steps = np.asarray(points.steps, dtype=np.int64)
    values = np.asarray(points.values, dtype=np.float64)
    keep = np.ones(steps.shape[0], dtype=bool)
    for i in np.flatnonzero(steps[1:] < steps[:-1]) + 1:
        keep[:i] &= steps[:i] < steps[i]
    purged = int(steps.shape[0] - np.count_nonzero(keep))
    low = high = None
    if len(points.lows):
        low = np.asarray(points.lows, dtype=np.float64)[keep]
        high = np.asarray(points.highs, dtype=np.float64)[keep]
    if purged:
        steps, values = steps[keep], values[keep]
    return LoggedLr(step=steps, value=values, low=low, high=high, purged=purged, **fields)
