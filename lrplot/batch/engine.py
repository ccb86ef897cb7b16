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
from lrplot.batch.lock import folder_lock
from lrplot.batch.manifest import (
    Entries,
    config_ref,
    environment,
    environment_sha256,
    manifest_key,
    read_manifest,
    write_manifest,
)
from lrplot.batch.plan import Job, plan, stale_targets
from lrplot.batch.tidy import orphans, prune, remove, stale_temps
from lrplot.batch.work import Outcome, Task, execute, start_workers_early
from lrplot.errors import LrplotError, SpecError, shown

Todo = list[tuple[Job, tuple[Path, ...]]]


def run(
    configs: Sequence[Path],
    options: BatchOptions,
    reporter: Reporter | None = None,
) -> BatchResult:
    """Render (or check) ``configs`` into ``options.out_dir``. Bad configs are reported and
    counted, the others still run. Raises SpecError only when two configs would write one file
    or the output folder cannot be created, before anything is written."""
    reporter = reporter or QuietReporter()
    start_workers_early(options.jobs, len(configs))
    result = BatchResult(check=options.check)
    jobs, result.failed = plan(configs, options, reporter)
    if options.fail_fast and result.failed:
        result.skipped = len(configs) - result.failed
        return result
    notes: list[str] = []
    entries = read_manifest(options.out_dir, notes)
    for note in notes:
        reporter.message(f"note: {note}")
    leftovers = stale_temps(options.out_dir, jobs, entries)
    env = ""
    if options.check:
        todo: Todo = [(job, job.targets) for job in jobs]
        result.leftovers = leftovers
        for path in leftovers:
            reporter.message(f"stale temp file: {shown(path)}")
    else:
        for path in remove(leftovers):
            reporter.message(f"note: removed a stale temp file: {shown(path)}")
        env = environment_sha256(environment()) if jobs else ""  # ~50 ms; none when all failed
        todo = _stale(jobs, options, entries, env)
    outcomes = _execute(todo, options, reporter)
    updates = _tally(todo, outcomes, options, reporter, result, env)
    result.skipped = len(configs) - result.rendered - result.failed
    forget = _orphans(jobs, options, reporter, result, entries)
    if not options.check and (updates or forget) and options.out_dir.is_dir():
        _save(options.out_dir, updates, forget, reporter)
    return result


def _orphans(
    jobs: list[Job],
    options: BatchOptions,
    reporter: Reporter,
    result: BatchResult,
    entries: Entries,
) -> list[str]:
    """Report (or with --prune, remove) the orphans; returns the manifest keys to forget."""
    out_dir = options.out_dir
    found, forget = orphans(jobs, out_dir, entries)
    if options.prune and not options.check:
        removed, found = prune(out_dir, found, entries)
        result.pruned = len(removed)
        forget += removed
        for key in removed:
            reporter.message(f"pruned: {shown(out_dir / key)}")
    for key in found:
        name = shown(out_dir / key)
        if options.check:
            reporter.message(f"orphan: {name}")
        elif options.prune:
            reporter.message(f"warning: {name}: orphan kept: edited since lrplot wrote it")
        else:
            reporter.message(f"orphan: {name} (no config writes it; --prune removes it)")
    result.orphans = [out_dir / key for key in found]
    return forget


def _save(out_dir: Path, updates: Entries, forget: list[str], reporter: Reporter) -> None:
    """Merge this run's changes into the manifest as it is now: another render into the same
    folder may have written it since this run read it."""
    with folder_lock(out_dir):
        entries = read_manifest(out_dir)
        for key in forget:
            entries.pop(key, None)
        entries.update(updates)
        try:
            write_manifest(out_dir, entries)
        except LrplotError as exc:
            # The figures are written; without a manifest the next run just renders again.
            reporter.message(f"warning: {exc}")


def _stale(jobs: list[Job], options: BatchOptions, entries: Entries, env: str) -> Todo:
    """The outputs to render: every one with --force, else those the manifest does not vouch
    for. Creates the output folder when there is anything to write."""
    todo: Todo = []
    for job in jobs:
        targets = (
            job.targets
            if options.force
            else tuple(stale_targets(job, options.out_dir, entries, env))
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
    env: str,
) -> Entries:
    """Report each outcome and count it in ``result``. Returns the manifest entries of what was
    written."""
    updates: Entries = {}
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
        config = config_ref(job.config, options.out_dir)
        for target, digest in outcome.written:
            updates[manifest_key(target, options.out_dir)] = {
                "inputs": job.inputs_sha256,
                "sha256": digest,
                "environment": env,
                "config": config,
            }
    return updates


def run_paths(
    paths: Sequence[str],
    options: BatchOptions,
    reporter: Reporter | None = None,
) -> BatchResult:
    """:func:`run` over the configs that :func:`collect` finds in ``paths``."""
    return run(collect(paths), options, reporter)
