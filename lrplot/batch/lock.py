"""An exclusive lock on an output folder while its manifest is re-read, merged and replaced, so
that two renders into one folder at once keep each other's entries."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_TIMEOUT = 60.0  # seconds; then the manifest is merged without the lock


@contextlib.contextmanager
def folder_lock(folder: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[bool]:
    """Hold ``flock(LOCK_EX)`` on the folder itself (no lock file to leave behind); yields
    whether it is held. Without ``fcntl`` (Windows), on a file system that refuses it, or after
    ``timeout``, yields False and the caller goes on: the manifest is a cache."""
    if sys.platform == "win32":
        yield False
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield False
        return
    try:
        yield _acquire(fd, time.monotonic() + timeout)
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, deadline: float) -> bool:
    import fcntl

    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        except OSError:
            return False
