"""``lrplot watch FILE.yaml [-o x.png]``: draw a config again every time it is saved.

The edit-and-look loop of the slider web apps, in a terminal, on the user's own config. The
process stays alive, so torch and matplotlib are imported once: after the first render, a
re-render costs the simulation and the drawing alone. A bad save prints the usual one-line
error (through the one error edge) and the loop keeps watching.

Where changes come from is :func:`file_changes` (polling the file's size, mtime and bytes: no
dependency, and it sees editors that save by renaming a new file into place). ``--count`` ends
the loop after N renders, for scripts and tests; tests may also replace ``file_changes``.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from lrplot.cli.edge import errors_exit
from lrplot.cli.flag import Flag
from lrplot.cli.group import LrplotCommand
from lrplot.cli.options import FIGURE, OUTPUT, figure_overrides
from lrplot.errors import shown

CLEAR = "\x1b[H\x1b[2J"  # cursor home, clear screen


def _state(path: str) -> tuple[int, int, bytes] | None:
    try:
        info = os.stat(path)
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError:
        return None  # missing for a moment while an editor replaces it, or gone
    return info.st_mtime_ns, info.st_size, data


def file_changes(path: str, poll: float) -> Iterator[None]:
    """Yield at once, then each time the file's bytes change and stay unchanged for one poll
    (an editor that writes in several steps is seen once, when it is done)."""
    last = _state(path)
    yield
    while True:
        time.sleep(poll)
        state = _state(path)
        if state is None or last is not None and state[2] == last[2]:
            last = state if state is not None else last
            continue
        time.sleep(poll)
        settled = _state(path)
        if settled != state:
            continue  # still being written: look again at the next poll
        last = state
        yield


WATCH = [
    Flag("poll", ("--poll",), float, "How often to look at the file, in seconds.", 0.2,
         metavar="SECONDS", show_default=True),
    Flag("count", ("--count",), int | None,
         "Stop after this many renders (for scripts and tests) [never: Ctrl-C stops]."),
]  # fmt: skip


def watch(path: str, **values: Any) -> None:
    from lrplot.cli.running import run_spec
    from lrplot.config import load_spec

    outputs = values.get("output") or []
    plot = figure_overrides(values)
    clear = not outputs and sys.stdout.isatty()
    status = 0
    renders = 0
    try:
        for _ in file_changes(path, max(0.01, values["poll"])):
            if clear:
                print(CLEAR, end="")
            started = time.perf_counter()
            status = 0
            try:
                with errors_exit():
                    run_spec(load_spec(path), outputs, plot)
            except typer.Exit as exc:  # the error is on stderr; keep watching
                status = exc.exit_code
            took = time.perf_counter() - started
            what = "rendered" if status == 0 else "failed"
            print(f"{what} {shown(path)} in {took:.2f} s; watching (Ctrl-C stops)", file=sys.stderr)
            renders += 1
            if values["count"] is not None and renders >= values["count"]:
                break
    except KeyboardInterrupt:
        pass
    if status:
        raise typer.Exit(status)


watch.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            "path",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[str, typer.Argument(help="A YAML spec.", metavar="FILE.yaml")],
        )
    ]
    + [flag.parameter() for flag in OUTPUT[:1] + FIGURE + WATCH]
)


def register(app: typer.Typer) -> None:
    app.command(
        help="Draw a config again every time it is saved: in the terminal, and to the -o files "
        "when given. torch stays loaded, so a re-render takes a fraction of a second. A bad "
        "save prints the one-line error and the watch goes on.\n\n"
        "Exit codes (with --count): 0 the last render worked; 2 it failed. Ctrl-C ends the "
        "watch the same way.",
        cls=LrplotCommand,
    )(watch)
