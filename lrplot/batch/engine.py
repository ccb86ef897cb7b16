"""The whole batch: plan, skip what is up to date, render or check the rest, keep the manifest."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lrplot.batch.inputs import (
    BatchOptions,
    BatchResult,
    QuietReporter,
    Reporter,
    auto_jobs,
    collect,
)
from lrplot.batch.manifest import (
    environment,
    manifest_key,
    read_manifest,
    write_manifest,
)
from lrplot.batch.plan import Job, plan, stale_targets
from lrplot.batch.work import Outcome, Task, execute
from lrplot.errors import LrplotError, SpecError, shown

Todo = list[tuple[Job, tuple[Path, ...]]]
Entries = dict[str, dict[str, str]]


def run(
    configs: Sequence[Path],
    options: BatchOptions,
    reporter: Reporter | None = None,
) -> BatchResult:
    """Render (or check) ``configs`` into ``options.out_dir``. Bad configs are reported and
    counted, the others still run. Raises SpecError only when two configs would write one file
    or the output folder cannot be created, before anything is written."""
    reporter = reporter or QuietReporter()
    result = BatchResult(check=options.check)
    jobs, result.failed = plan(configs, options, reporter)
    if options.fail_fast and result.failed:
        result.skipped = len(configs) - result.failed
        return result
    env: dict[str, str] = {}
    entries: Entries = {}
    if options.check:
        todo: Todo = [(job, job.targets) for job in jobs]
    else:
        env = environment()
        entries = read_manifest(options.out_dir, env)
        todo = _stale(jobs, options, entries)
    outcomes = _execute(todo, options, reporter)
    changed = _tally(todo, outcomes, options, reporter, result, entries)
    result.skipped = len(configs) - result.rendered - result.failed
    if changed:
        try:
            write_manifest(options.out_dir, env, entries)
        except LrplotError as exc:
            # The figures are written; without a manifest the next run just renders again.
            reporter.message(f"warning: {exc}")
    return result


def _stale(jobs: list[Job], options: BatchOptions, entries: Entries) -> Todo:
    """The outputs to render: every one with --force, else those the manifest does not vouch
    for. Creates the output folder when there is anything to write."""
    todo: Todo = []
    for job in jobs:
        targets = (
            job.targets if options.force else tuple(stale_targets(job, options.out_dir, entries))
        )
        if targets:
            todo.append((job, targets))
    if todo:
        try:
            options.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpecError(
                f"{options.out_dir}: cannot create the output folder: {exc.strerror}"
            ) from None
    return todo


def _execute(todo: Todo, options: BatchOptions, reporter: Reporter) -> list[Outcome | None]:
    tasks = [
        Task(job.spec, targets, job.options, options.check, _themes_of(job, targets))
        for job, targets in todo
    ]
    if not tasks:
        return []
    reporter.start(len(tasks))
    try:
        workers = options.jobs if options.jobs is not None else auto_jobs(len(tasks))
        return execute(tasks, workers, options.fail_fast, reporter)
    finally:
        reporter.stop()


def _themes_of(job: Job, targets: tuple[Path, ...]) -> tuple[str, ...]:
    """The theme of each target to render (a subset of the job's, when some are up to date)."""
    theme = dict(zip(job.targets, job.themes, strict=True))
    return tuple(theme.get(target, job.options.themes[0]) for target in targets)


def _tally(
    todo: Todo,
    outcomes: list[Outcome | None],
    options: BatchOptions,
    reporter: Reporter,
    result: BatchResult,
    entries: Entries,
) -> bool:
    """Report each outcome, count it in ``result`` and record what was written in ``entries``.
    Returns whether the manifest changed."""
    changed = False
    for (job, _), outcome in zip(todo, outcomes, strict=True):
        if outcome is None:
            continue
        for line in outcome.warnings:
            reporter.message(line)
        if outcome.error:
            result.failed += 1
            reporter.message(outcome.error)
            continue
        if options.check:
            if outcome.stale:
                result.rendered += 1
            else:
                result.current += 1
            for target, why in outcome.stale:
                result.stale.append((target, why))
                reporter.message(f"{why}: {shown(target)} (from {shown(job.config)})")
            continue
        result.rendered += 1
        for target, digest in outcome.written:
            entries[manifest_key(target, options.out_dir)] = {
                "inputs": job.inputs_sha256,
                "sha256": digest,
            }
            changed = True
    return changed


def run_paths(
    paths: Sequence[str],
    options: BatchOptions,
    reporter: Reporter | None = None,
) -> BatchResult:
    """:func:`run` over the configs that :func:`collect` finds in ``paths``."""
    return run(collect(paths), options, reporter)
