"""Leave the CLI process without tearing torch down.

Once torch and torch._dynamo are imported, the interpreter's own shutdown (freeing thousands of
modules, running their atexit hooks) takes about 0.9 s here: a quarter of
``lrplot cosine --T-max 20 -o x.png``. By then the command's work is done: every output file
was written, closed and moved into place by ``atomic_write``, and the progress bar is closed.
So after flushing stdout and stderr, ``os._exit`` loses nothing. Only the console entry point
does this; the library and in-process callers (tests, CliRunner) exit the normal way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn

HEAVY = ("torch", "matplotlib")


def run_and_exit(app: Callable[[], object]) -> NoReturn:
    """Run the CLI app and exit with its status, skipping teardown when torch was loaded."""
    code: str | int | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    if not any(name in sys.modules for name in HEAVY):
        sys.exit(code)  # nothing slow to tear down (--help, list, errors): the normal way
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # what sys.exit("message") does
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe (`lrplot ... -o - | head`) has nothing left to flush
    os._exit(status)
