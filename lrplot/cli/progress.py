"""Progress bars on stderr, only on a terminal: one while a long simulation runs, one while a
batch renders. Messages go to stderr either way."""

from __future__ import annotations

import os
import sys
from typing import Any


class SimulationProgress:
    """A rich progress bar on stderr, shown only on a terminal and only once a simulation has
    run for DELAY seconds: short runs (nearly all) never flash a bar."""

    DELAY = 1.0

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._start = self._clock()
        self._enabled = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._start < self.DELAY:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("simulating", total=total)
        self._bar.update(self._task, completed=done, total=total)
        if done >= total:  # this curve is done: clear the bar before "wrote ..." is printed
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class BatchProgress:
    """A rich progress bar on stderr, for a terminal; messages go to stderr either way."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("rendering"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        )
        self.task: Any = None

    def message(self, text: str) -> None:
        from lrplot.errors import one_line

        print(one_line(text), file=sys.stderr)  # a name in it cannot forge a line

    def start(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("render", total=total)

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()


def reporter() -> Any:
    from lrplot.batch import QuietReporter

    if sys.stderr.isatty() and not os.environ.get("CI"):
        return BatchProgress()
    return QuietReporter()
