"""Planning a batch: load every config first (no torch), name its outputs, and refuse two configs
that would write one file before anything is written."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lrplot.batch.inputs import BatchOptions, Reporter
from lrplot.batch.manifest import inputs_sha256, manifest_key, sha256_file
from lrplot.errors import LrplotError, SpecError, shown
from lrplot.model import FigureSpec
from lrplot.plotoptions import PlotOptions


class OutputCollision(SpecError):
    """Two configs would write the same file; the whole batch stops before writing anything."""


@dataclass(frozen=True)
class Job:
    config: Path
    spec: FigureSpec
    targets: tuple[Path, ...]
    options: PlotOptions  # the config's `plot:` with the command line's flags over it
    inputs_sha256: str  # see inputs_sha256(): everything but the versions the outputs depend on
    themes: tuple[str, ...] = ()  # the theme each target is drawn in (x-dark.png: dark)


def plan(
    configs: Sequence[Path], options: BatchOptions, reporter: Reporter
) -> tuple[list[Job], int]:
    """Load every config and name its outputs. Returns the jobs and the number of configs that
    failed to load (each reported). Two configs writing one file raise SpecError."""
    from lrplot.config import load_spec
    from lrplot.outputs.files import check_regular, confined_outputs
    from lrplot.render import themed_outputs

    jobs: list[Job] = []
    failed = 0
    owners: dict[str, tuple[Path, Path]] = {}  # written_as(target): (config, target)
    options_flags = dict(options.plot)
    for config in configs:
        try:
            spec = load_spec(config, allow_import=options.allow_import)
            for note in spec.notes:  # a value lrplot translated (momentum as Adam's beta1)
                reporter.message(f"note: {note}")
            for warning in spec.warnings:  # legal but suspicious: said on every run
                reporter.message(f"warning: {warning}")
            if spec.outputs:
                base = confined_outputs(options.out_dir, spec)
            else:
                base = [options.out_dir / f"{config.stem}.{fmt}" for fmt in options.formats]
            figure_options = spec.plot.merged(**options_flags)
            pairs = themed_outputs(base, figure_options)
            targets = [Path(path) for path, _ in pairs]
            for target in targets:
                check_regular(target)  # a FIFO would block --check and the manifest's hash
                key = written_as(target)
                if key in owners:
                    raise _collision(config, target, *owners[key])
                owners[key] = (config, target)
            try:
                config_bytes = config.read_bytes()
            except OSError as exc:
                raise SpecError(f"cannot read: {exc.strerror}", source=str(config)) from None
            digest = inputs_sha256(config_bytes, spec, figure_options)
            themes = tuple(theme for _, theme in pairs)
            jobs.append(Job(config, spec, tuple(targets), figure_options, digest, themes))
        except OutputCollision:
            raise
        except LrplotError as exc:
            failed += 1
            reporter.message(f"error: {exc.located(source=str(config))}")
            if options.fail_fast:
                break
    return jobs, failed


def written_as(target: Path) -> str:
    """The file ``target`` really is, to compare with other outputs: its folder resolved (two
    names through a symlinked folder, ``out/b -> out/a``, are one file) and case-folded (so are
    ``X.png`` and ``x.png`` on a case-insensitive file system). The name itself is not resolved:
    a symlink there is replaced, not followed."""
    return os.path.join(os.path.realpath(target.parent), target.name).lower()


def _collision(config: Path, target: Path, other: Path, its_target: Path) -> OutputCollision:
    same = shown(target) if target == its_target else f"{shown(its_target)} (as {shown(target)})"
    return OutputCollision(
        f"{shown(config)} and {shown(other)} would both write {same}; rename one or set `outputs:`"
    )


def stale_targets(
    job: Job, out_dir: Path, entries: dict[str, dict[str, str]], env_sha256: str
) -> list[Path]:
    """The outputs of ``job`` that the manifest does not vouch for in this environment, or whose
    file changed (a symlink in an output's place counts as changed: a render replaces it)."""
    stale = []
    for target in job.targets:
        entry = entries.get(manifest_key(target, out_dir))
        if (
            entry is None
            or entry["inputs"] != job.inputs_sha256
            or entry["environment"] != env_sha256
            or entry["sha256"] != sha256_file(target, follow=False)
        ):
            stale.append(target)
    return stale
