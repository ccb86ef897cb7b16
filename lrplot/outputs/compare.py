"""Comparing what would be written with the file already there, a chunk at a time, so that
``lrplot render --check`` never holds a whole output (or the file) in memory."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

CHUNK = 2**20


def compare_file(path: str | Path, chunks: Iterable[bytes | str]) -> str:
    """``"same"`` when the file at ``path`` holds exactly ``chunks`` (text as UTF-8),
    ``"missing"`` when there is no file, else ``"stale"`` (also for a folder, a FIFO or a file
    that cannot be read, and for a symlink, which a render replaces: a FIFO is never opened
    for a blocking read)."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "stale"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "stale"
        with os.fdopen(fd, "rb", closefd=False) as stream:
            for chunk in chunks:
                data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                for start in range(0, len(data), CHUNK):
                    part = data[start : start + CHUNK]
                    if stream.read(len(part)) != part:
                        return "stale"
            return "same" if stream.read(1) == b"" else "stale"
    except OSError:
        return "stale"
    finally:
        os.close(fd)
