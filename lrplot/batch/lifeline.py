"""Worker processes die with the process that started them.

``render --jobs N`` starts a forkserver (Linux) that forks the workers, or spawns them. If the
``lrplot`` process is killed (SIGKILL, the OOM killer, a CI timeout), nothing tells them: each
waits forever on its task queue, holding its ~340 MB of torch and matplotlib. So each of them, and
the forkserver, asks to die with its parent: on Linux the kernel sends SIGKILL when the parent
ends (``PR_SET_PDEATHSIG``); elsewhere a thread watches for the parent's pid to change.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 1.0


def die_with_parent() -> None:
    """End this process (SIGKILL) when its parent ends. Call it first thing in a child."""
    parent = os.getppid()
    if sys.platform.startswith("linux") and _prctl_deathsig():
        if os.getppid() != parent:  # the parent ended before the request was made
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), name="lrplot-lifeline", daemon=True).start()


def _prctl_deathsig() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    """Poll the parent's pid: a child whose parent ended is handed to another (pid 1 or a
    subreaper). Windows keeps reporting the old pid, so this does not help there."""
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)
