"""The work one config takes, in this process or in a worker (``--jobs``)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrplot.batch.inputs import Reporter
from lrplot.batch.manifest import sha256_file
from lrplot.errors import LrplotError, OutputError, one_line, shown
from lrplot.model import FigureSpec
from lrplot.plotoptions import PlotOptions


@dataclass(frozen=True)
class Task:
    spec: FigureSpec
    targets: tuple[Path, ...]
    options: PlotOptions
    check: bool
    themes: tuple[str, ...] = ()  # one per target; () draws each in the options' first theme


@dataclass(frozen=True)
class Outcome:
    error: str | None = None
    warnings: tuple[str, ...] = ()  # "warning: <config>: ..." lines
    written: tuple[tuple[Path, str], ...] = ()  # (output, sha256) after a render
    stale: tuple[tuple[Path, str], ...] = ()  # (output, "missing"/"stale") in a check


def work(task: Task) -> Outcome:
    """Render one config, collecting its warnings (a worker's stderr would interleave them)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = _work(task)
    source = shown(task.spec.source)
    lines = tuple(one_line(f"warning: {source}: {item.message}") for item in caught)
    return dataclasses.replace(outcome, warnings=lines)


def _work(task: Task) -> Outcome:
    """Write the outputs of one config, or with ``check`` compare them without writing."""
    from lrplot.render import render

    try:
        if task.check:
            verdicts: dict[str, str] = {}
            themes = _themes(task)
            render(task.spec, task.targets, options=task.options, compare=verdicts, themes=themes)
            stale = tuple(
                (target, verdicts[str(target)])
                for target in task.targets
                if verdicts[str(target)] != "same"
            )
            return Outcome(stale=stale)
        # parents: a missing folder is made once all is rendered; a file in its way is an error.
        # Hashed as written: reading a 20M-row CSV back would hold all of it in memory.
        digests: dict[str, str] = {}
        render(
            task.spec,
            task.targets,
            options=task.options,
            themes=_themes(task),
            parents=True,
            digests=digests,
        )
        written = []
        for target in task.targets:
            digest = digests.get(str(target)) or sha256_file(target, follow=False)
            if digest is None:
                raise OutputError(f"{target}: cannot read back what was written")
            written.append((target, digest))
        return Outcome(written=tuple(written))
    except LrplotError as exc:
        return Outcome(error=f"error: {exc.located(source=task.spec.source)}")
    except OSError as exc:  # name the file: "cannot write: File exists" alone says nothing
        where = f"{shown(exc.filename)}: " if exc.filename else ""
        reason = exc.strerror or type(exc).__name__
        return Outcome(error=f"error: {shown(task.spec.source)}: {where}cannot write: {reason}")


def _themes(task: Task) -> tuple[str, ...]:
    return task.themes or tuple(task.options.themes[0] for _ in task.targets)


def _warm_up() -> None:
    # spawn: pay torch's and matplotlib's import once per worker, before its first config.
    import lrplot.batch.warm  # noqa: F401


def _pool_context() -> tuple[Any, Callable[[], None] | None]:
    """How workers start: on Linux, forked from a forkserver that has imported everything once
    (lrplot.batch.warm), so each starts warm and leaves without tearing torch down; elsewhere
    spawned, each importing for itself. Neither inherits the parent's state. Each worker, and
    the forkserver, dies with its parent (lrplot.batch.lifeline)."""
    import multiprocessing

    if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods():
        from lrplot.batch.lifeline import die_with_parent

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["lrplot.batch.warm"])
        return context, die_with_parent
    return multiprocessing.get_context("spawn"), _warm_up


def start_workers_early(jobs: int | None, configs: int) -> None:
    """With ``--jobs N`` (N >= 2) and several configs, start the forkserver now, so that its
    imports (seconds) overlap this process's planning and manifest work instead of following
    them. Auto jobs wait: they depend on how many configs are stale. If no worker is ever
    needed, the server dies with this process."""
    if jobs is None or jobs < 2 or configs < 2:
        return
    context, _ = _pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def execute(
    tasks: list[Task], jobs: int, fail_fast: bool, reporter: Reporter
) -> list[Outcome | None]:
    """Run ``tasks``; None for a task not run because of ``fail_fast``."""
    outcomes: list[Outcome | None] = [None] * len(tasks)
    workers = min(jobs, len(tasks))
    if workers <= 1:
        for i, task in enumerate(tasks):
            outcome = outcomes[i] = work(task)
            reporter.advance()
            if fail_fast and outcome.error:
                break
        return outcomes
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    context, initializer = _pool_context()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer) as pool:
        pending: dict[Future[Outcome], int] = {pool.submit(work, t): i for i, t in enumerate(tasks)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            stop = False
            for future in done:
                index = pending.pop(future)
                if future.cancelled():
                    continue
                outcome = outcomes[index] = future.result()
                reporter.advance()
                stop = stop or bool(fail_fast and outcome.error)
            if stop:
                for future in pending:
                    future.cancel()
    return outcomes
