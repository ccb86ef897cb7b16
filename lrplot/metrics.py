"""The metric fed to ReduceLROnPlateau: explicit values or a seeded synthetic loss."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .spec import MetricSpec

if TYPE_CHECKING:
    import numpy as np


def metric_values(spec: MetricSpec, count: int) -> np.ndarray:
    """``count`` metric values, one per scheduler step.

    The default profile ``exp-decay`` is ``floor + (start - floor) * exp(-k / tau)`` plus Gaussian
    noise of standard deviation ``noise`` from numpy's PCG64 generator seeded with ``seed``: the
    same seed gives the same values on every machine.
    """
    import numpy as np

    if spec.values is not None:
        return np.asarray(spec.values[:count], dtype=np.float64)
    rng = np.random.Generator(np.random.PCG64(spec.seed))
    k = np.arange(count, dtype=np.float64)
    base = spec.floor + (spec.start - spec.floor) * np.exp(-k / spec.tau)
    return base + spec.noise * rng.standard_normal(count)
