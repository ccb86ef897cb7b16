"""Many configs at once: the engine behind ``lrplot render``.

- **Plan.** Every config is loaded and validated first (no torch: the registry reads torch's
  source), so that two configs writing one file are refused before anything is written.
- **Skip.** A manifest in the output folder (:data:`MANIFEST_NAME`) records, for each output, the
  SHA-256 of its inputs (:func:`inputs_sha256`: the config, what it reads, the figure flags) and
  of the file itself, plus the versions of everything that shapes the bytes (:func:`environment`).
  An output is up to date when its inputs, the environment and the file on disk all still hash
  the same; a run where every output is up to date never imports torch or matplotlib.
- **Check.** ``check=True`` writes nothing. It ignores the manifest and renders every config in
  memory, then compares those bytes with the files on disk, so it verifies the files themselves,
  not a record of them.
- **Parallel.** ``jobs > 1`` renders in worker processes (``spawn``, so nothing the parent holds
  leaks in), each reused for many configs so torch and matplotlib are imported once per worker.

The CLI only parses flags, calls :func:`run` and turns the :class:`BatchResult` into an exit code.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import LrplotError, OutputError, SpecError
from .spec.checker import FORMATS, FigureSpec

if TYPE_CHECKING:
    from .plotoptions import PlotOptions

MANIFEST_NAME = ".lrplot-manifest.json"
MANIFEST_VERSION = 2
# Distributions whose version can change the bytes of an output (pillow encodes PNGs, fonttools
# subsets the fonts embedded in PDFs, PyYAML reads the configs).
DISTRIBUTIONS = ("lrplot", "torch", "matplotlib", "numpy", "pillow", "fonttools", "PyYAML")


class OutputCollision(SpecError):
    """Two configs would write the same file; the whole batch stops before writing anything."""


EXIT_OK = 0
EXIT_STALE = 1
EXIT_FAILED = 2


# -- inputs ------------------------------------------------------------------------------------


def collect(paths: Sequence[str]) -> list[Path]:
    """The config files named by ``paths``: files, folders (searched recursively for ``*.yaml``
    and ``*.yml``) and globs, in order, without duplicates."""
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not matches:
                raise SpecError(f"{text}: no file matches")
            found += [p for p in matches if p.is_file()]
        else:
            raise SpecError(f"{text}: no such file or folder")
    if not found:
        raise SpecError("no YAML files found in " + ", ".join(paths))
    return list(dict.fromkeys(found))


def parse_formats(values: Sequence[str]) -> tuple[str, ...]:
    """``["png,csv", "svg"]`` -> ``("png", "csv", "svg")``; SpecError for an unknown format."""
    formats: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip().lower().lstrip(".")
            if not item:
                continue
            if item not in FORMATS:
                raise SpecError(f"--format: unknown format {item!r}; use {', '.join(FORMATS)}")
            if item not in formats:
                formats.append(item)
    if not formats:
        raise SpecError("--format: no format given")
    return tuple(formats)


CONFIGS_PER_WORKER = 4


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def auto_jobs(tasks: int) -> int:
    """Workers when ``--jobs`` is not given: one per CPU, but at most one per
    :data:`CONFIGS_PER_WORKER` configs, since a worker first spends a second or two importing
    torch and matplotlib; with one worker the batch renders in this process."""
    return max(1, min(default_jobs(), tasks // CONFIGS_PER_WORKER))


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path = Path(".")
    formats: tuple[str, ...] = ("png",)
    check: bool = False
    force: bool = False
    jobs: int | None = 1  # None: auto_jobs()
    fail_fast: bool = False
    # Figure flags given on the command line (PlotOptions.merged() keywords; None = not given),
    # applied over each config's `plot:` mapping.
    plot: Mapping[str, Any] = field(default_factory=dict)


# -- reporting ---------------------------------------------------------------------------------


class Reporter(Protocol):
    """Where a batch sends its messages and progress; the CLI prints, tests may record."""

    def message(self, text: str) -> None: ...

    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...

    def stop(self) -> None: ...


class QuietReporter:
    """Messages to stderr, no progress bar."""

    def message(self, text: str) -> None:
        print(text, file=sys.stderr)

    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class BatchResult:
    check: bool = False
    rendered: int = 0  # configs rendered (with check: configs with a missing or stale output)
    skipped: int = 0  # configs already up to date, or not reached after --fail-fast
    failed: int = 0
    stale: list[tuple[Path, str]] = field(default_factory=list)  # (output, "missing"/"stale")

    @property
    def exit_code(self) -> int:
        if self.failed:
            return EXIT_FAILED
        if self.check and self.stale:
            return EXIT_STALE
        return EXIT_OK

    @property
    def summary(self) -> str:
        verb = "would render" if self.check else "rendered"
        return f"{verb} {self.rendered}, skipped {self.skipped}, failed {self.failed}"


# -- the manifest ------------------------------------------------------------------------------


def environment() -> dict[str, str]:
    """Versions of everything that shapes an output's bytes, read without importing any of it.

    lrplot's own source is hashed too: a figure changes when plot.py does, even if the version
    number did not move.
    """
    from importlib import metadata

    found = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    found["lrplot-source"] = digest.hexdigest()
    return found


def sha256_file(path: Path) -> str | None:
    """The file's SHA-256, or None when it is missing or unreadable."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_manifest(out_dir: Path, env: dict[str, str]) -> dict[str, dict[str, str]]:
    """The manifest's entries, or none when it is missing, unreadable or from another
    environment (then every output counts as stale)."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
        return {}
    if data.get("environment") != env:
        return {}
    entries = data.get("outputs")
    if not isinstance(entries, dict):
        return {}
    return {
        key: value
        for key, value in entries.items()
        if isinstance(value, dict)
        and isinstance(value.get("inputs"), str)
        and isinstance(value.get("sha256"), str)
    }


def write_manifest(out_dir: Path, env: dict[str, str], entries: dict[str, dict[str, str]]) -> None:
    from .outputs.write import atomic_write

    data = {"manifest": MANIFEST_VERSION, "environment": env, "outputs": entries}
    atomic_write(out_dir / MANIFEST_NAME, [json.dumps(data, indent=1, sort_keys=True) + "\n"])


# -- planning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    config: Path
    spec: FigureSpec
    targets: tuple[Path, ...]
    options: PlotOptions  # the config's `plot:` with the command line's flags over it
    inputs_sha256: str  # see inputs_sha256(): everything but the versions the outputs depend on


def inputs_sha256(config_bytes: bytes, spec: FigureSpec, options: PlotOptions) -> str:
    """The hash an output's manifest entry must match: the config file's bytes, the loaded spec
    (which holds what the config pulls in from other files, such as a replayed metric CSV), the
    figure options the command line put over it, and a style sheet file's bytes if one is used."""
    digest = hashlib.sha256(config_bytes)
    digest.update(b"\0" + repr(spec).encode())
    digest.update(b"\0" + json.dumps(dataclasses.asdict(options), sort_keys=True).encode())
    if options.style and Path(options.style).is_file():
        digest.update(b"\0" + Path(options.style).read_bytes())
    return digest.hexdigest()


def plan(
    configs: Sequence[Path], options: BatchOptions, reporter: Reporter
) -> tuple[list[Job], int]:
    """Load every config and name its outputs. Returns the jobs and the number of configs that
    failed to load (each reported). Two configs writing one file raise SpecError."""
    from .outputs.write import confined_outputs
    from .spec.checker import load_spec

    jobs: list[Job] = []
    failed = 0
    owners: dict[Path, Path] = {}
    options_flags = dict(options.plot)
    for config in configs:
        try:
            spec = load_spec(config)
            for warning in spec.warnings:  # legal but suspicious: said on every run
                reporter.message(f"warning: {warning}")
            if spec.outputs:
                targets = confined_outputs(options.out_dir, spec)
            else:
                targets = [options.out_dir / f"{config.stem}.{fmt}" for fmt in options.formats]
            for target in targets:
                key = Path(str(target).lower())  # case-insensitive file systems collide too
                if key in owners:
                    raise OutputCollision(
                        f"{config} and {owners[key]} would both write {target}; "
                        "rename one or set `outputs:`"
                    )
                owners[key] = config
            try:
                config_bytes = config.read_bytes()
            except OSError as exc:
                raise SpecError(f"cannot read: {exc.strerror}", source=str(config)) from None
            figure_options = spec.plot.merged(**options_flags)
            digest = inputs_sha256(config_bytes, spec, figure_options)
            jobs.append(Job(config, spec, tuple(targets), figure_options, digest))
        except OutputCollision:
            raise
        except LrplotError as exc:
            failed += 1
            reporter.message(f"error: {exc}")
            if options.fail_fast:
                break
    return jobs, failed


def _key(target: Path, out_dir: Path) -> str:
    return target.relative_to(out_dir).as_posix()


def stale_targets(job: Job, out_dir: Path, entries: dict[str, dict[str, str]]) -> list[Path]:
    """The outputs of ``job`` that the manifest does not vouch for, or whose file changed."""
    stale = []
    for target in job.targets:
        entry = entries.get(_key(target, out_dir))
        if (
            entry is None
            or entry["inputs"] != job.inputs_sha256
            or entry["sha256"] != sha256_file(target)
        ):
            stale.append(target)
    return stale


# -- the work one config takes (runs in a worker process with --jobs > 1) ----------------------


@dataclass(frozen=True)
class Task:
    spec: FigureSpec
    targets: tuple[Path, ...]
    options: PlotOptions
    check: bool


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
    lines = tuple(f"warning: {task.spec.source}: {item.message}" for item in caught)
    return dataclasses.replace(outcome, warnings=lines)


def _work(task: Task) -> Outcome:
    """Write the outputs of one config, or with ``check`` compare them without writing."""
    from .render import render

    try:
        if task.check:
            fresh: dict[str, bytes] = {}
            render(task.spec, task.targets, options=task.options, capture=fresh)
            stale = []
            for target in task.targets:
                try:
                    same = target.read_bytes() == fresh[str(target)]
                except FileNotFoundError:
                    stale.append((target, "missing"))
                    continue
                except OSError:
                    same = False
                if not same:
                    stale.append((target, "stale"))
            return Outcome(stale=tuple(stale))
        for target in task.targets:
            target.parent.mkdir(parents=True, exist_ok=True)
        render(task.spec, task.targets, options=task.options)
        written = []
        for target in task.targets:
            digest = sha256_file(target)
            if digest is None:
                raise OutputError(f"{target}: cannot read back what was written")
            written.append((target, digest))
        return Outcome(written=tuple(written))
    except LrplotError as exc:
        return Outcome(error=f"error: {exc.located(source=task.spec.source)}")
    except OSError as exc:
        return Outcome(error=f"error: {task.spec.source}: cannot write: {exc.strerror}")


def _warm_up() -> None:
    # Pay torch's and matplotlib's import once per worker, before its first config.
    import matplotlib.figure  # noqa: F401
    import torch  # noqa: F401


def _execute(
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
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_up) as pool:
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


# -- the whole batch ---------------------------------------------------------------------------


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
    entries: dict[str, dict[str, str]] = {}
    todo: list[tuple[Job, tuple[Path, ...]]] = []
    if options.check:
        todo = [(job, job.targets) for job in jobs]
    else:
        env = environment()
        entries = read_manifest(options.out_dir, env)
        for job in jobs:
            targets = (
                job.targets
                if options.force
                else tuple(stale_targets(job, options.out_dir, entries))
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

    tasks = [Task(job.spec, targets, job.options, options.check) for job, targets in todo]
    outcomes: list[Outcome | None] = []
    if tasks:
        reporter.start(len(tasks))
        try:
            workers = options.jobs if options.jobs is not None else auto_jobs(len(tasks))
            outcomes = _execute(tasks, workers, options.fail_fast, reporter)
        finally:
            reporter.stop()

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
            for target, why in outcome.stale:
                result.stale.append((target, why))
                reporter.message(f"{why}: {target} (from {job.config})")
            continue
        result.rendered += 1
        for target, digest in outcome.written:
            entries[_key(target, options.out_dir)] = {
                "inputs": job.inputs_sha256,
                "sha256": digest,
            }
            changed = True
    result.skipped = len(configs) - result.rendered - result.failed

    if changed:
        try:
            write_manifest(options.out_dir, env, entries)
        except LrplotError as exc:
            # The figures are written; without a manifest the next run just renders again.
            reporter.message(f"warning: {exc}")
    return result


def run_paths(
    paths: Sequence[str],
    options: BatchOptions,
    reporter: Reporter | None = None,
) -> BatchResult:
    """:func:`run` over the configs that :func:`collect` finds in ``paths``."""
    return run(collect(paths), options, reporter)


__all__ = [
    "MANIFEST_NAME",
    "BatchOptions",
    "BatchResult",
    "Reporter",
    "collect",
    "auto_jobs",
    "default_jobs",
    "environment",
    "parse_formats",
    "run",
    "run_paths",
]
