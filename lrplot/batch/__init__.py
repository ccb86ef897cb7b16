"""Many configs at once: the engine behind ``lrplot render``.

- **Plan.** Every config is loaded and validated first (no torch: the registry reads torch's
  source), so that two configs writing one file are refused before anything is written.
- **Skip.** A manifest in the output folder (:data:`MANIFEST_NAME`) records, for each output, the
  SHA-256 of its inputs (:func:`inputs_sha256`: the config, what it reads, the figure flags) and
  of the file itself, plus the versions of everything that shapes the bytes (:func:`environment`).
  An output is up to date when its inputs, the environment and the file on disk all still hash
  the same; a run where every output is up to date never imports torch or matplotlib.
- **Check.** ``check=True`` writes nothing. It ignores the manifest's hashes and renders every
  config in memory, then compares those bytes with the files on disk a chunk at a time, so it
  verifies the files themselves, not a record of them. It also reports orphans and stale temp
  files (:mod:`lrplot.batch.tidy`), which a render prunes (with ``prune``) and removes.
- **Parallel.** ``jobs > 1`` renders in worker processes. On Linux they fork from a forkserver
  that imported torch, torch._dynamo, matplotlib and lrplot once (:mod:`lrplot.batch.warm`), so
  each starts warm; elsewhere they are spawned and import once each. Neither inherits the
  parent's state. Workers and forkserver die with the process that started them
  (:mod:`lrplot.batch.lifeline`), even when it is killed with SIGKILL.

The CLI only parses flags, calls :func:`run` and turns the :class:`BatchResult` into an exit code.
"""

from lrplot.batch.engine import run, run_paths
from lrplot.batch.inputs import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STALE,
    BatchOptions,
    BatchResult,
    QuietReporter,
    Reporter,
    auto_jobs,
    collect,
    default_jobs,
)
from lrplot.batch.manifest import MANIFEST_NAME, environment
from lrplot.batch.plan import OutputCollision

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_STALE",
    "MANIFEST_NAME",
    "BatchOptions",
    "BatchResult",
    "OutputCollision",
    "QuietReporter",
    "Reporter",
    "auto_jobs",
    "collect",
    "default_jobs",
    "environment",
    "run",
    "run_paths",
]
