"""The metric fed to ReduceLROnPlateau: explicit values, a replayed log, or a seeded profile.

Every synthetic profile is a closed formula in ``k`` (the scheduler step: 0, 1, ...) plus
``noise * eps[k]``, where ``eps`` is ``numpy.random.Generator(PCG64(seed)).standard_normal(count)``.
So the same profile, parameters and seed give the same values on every machine with the same
numpy, and :func:`metric_values` is a pure function of a ``MetricSpec`` and a count (recipes and
code export call it rather than copy it).

This module is plain data at import time; numpy is imported inside :func:`metric_values`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from lrplot.model import DEFAULT_PROFILE, MetricSpec
from lrplot.params import Kind, Param

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_PROFILE",
    "PARAM_NAMES",
    "PROFILES",
    "SEED",
    "Feed",
    "Profile",
    "metric_values",
]


@dataclass(frozen=True)
class Profile:
    name: str
    formula: str  # as documented in the README
    params: tuple[Param, ...]
    summary: str
    rises: bool = False  # an accuracy, better when higher (ReduceLROnPlateau's mode: max)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}


def _p(name: str, default: float, rule: str, doc: str) -> Param:
    """A profile parameter. ``rule``: "number" (any finite), "positive" (> 0), "non-negative"
    (>= 0), "count" (an integer >= 0) or "positive-count" (an integer >= 1)."""
    if rule.endswith("count"):
        least = 1 if rule == "positive-count" else 0
        text = f"an integer >= {least}"
        return Param(name, Kind.INT, doc, default, low=least, rule=text, type_text=text, terse=True)
    bounds: dict[str, Any] = {}
    if rule == "positive":
        bounds = {"low": 0, "low_open": True, "rule": "> 0"}
    elif rule == "non-negative":
        bounds = {"low": 0, "rule": ">= 0"}
    return Param(name, Kind.FLOAT, doc, default, **bounds)


_START = _p("start", 1.0, "number", "the loss at k = 0")
_FLOOR = _p("floor", 0.1, "number", "the value the loss decays toward")
_TAU = _p("tau", 20.0, "positive", "the decay time constant, in scheduler steps")
_NOISE = _p("noise", 0.01, "non-negative", "the standard deviation of the Gaussian noise")

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "exp-decay",
            "floor + (start - floor) * exp(-k / tau) + noise * eps[k]",
            (_START, _FLOOR, _TAU, _NOISE),
            "a loss decaying exponentially toward a floor (the default)",
        ),
        Profile(
            "plateau",
            "exp-decay evaluated at k' = k - clip(k - flat_from + 1, 0, flat_for): the steps "
            "flat_from ... flat_from + flat_for - 1 repeat the value of step flat_from - 1",
            (
                _START,
                _FLOOR,
                _TAU,
                _p("flat_from", 20, "positive-count", "the first step that does not improve"),
                _p("flat_for", 15, "count", "how many steps in a row do not improve"),
                _NOISE,
            ),
            "a decaying loss that stalls for flat_for steps, then improves again",
        ),
        Profile(
            "noisy-flat",
            "level + noise * eps[k]",
            (
                _p("level", 1.0, "number", "the constant the loss hovers around"),
                _p("noise", 0.05, "non-negative", "the standard deviation of the Gaussian noise"),
            ),
            "a loss that never improves, only jitters",
        ),
        Profile(
            "spike",
            "exp-decay + height * exp(-(k - spike_at) / recover) for k >= spike_at",
            (
                _START,
                _FLOOR,
                _TAU,
                _p("spike_at", 40, "count", "the step where the loss jumps"),
                _p("height", 0.5, "non-negative", "how far it jumps"),
                _p("recover", 5.0, "positive", "the time constant of the recovery, in steps"),
                _NOISE,
            ),
            "a decaying loss with a sudden spike that decays away again",
        ),
        Profile(
            "accuracy",
            "ceiling - (ceiling - start) * exp(-k / tau) + noise * eps[k]",
            (
                _p("start", 0.1, "number", "the accuracy at k = 0"),
                _p("ceiling", 0.9, "number", "the value the accuracy saturates at"),
                _TAU,
                _p("noise", 0.005, "non-negative", "the standard deviation of the Gaussian noise"),
            ),
            "a rising, saturating accuracy, for mode: max",
            rises=True,
        ),
    )
}
SEED = _p("seed", 0, "count", "the seed of the profile's noise")
PARAM_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(p.name for profile in PROFILES.values() for p in profile.params)
)


def profile_params(spec: MetricSpec) -> dict[str, float]:
    """The profile's defaults, overridden by the spec's parameters."""
    return {**PROFILES[spec.profile].defaults, **spec.params}


def metric_values(spec: MetricSpec, count: int) -> np.ndarray:
    """``count`` metric values, one per scheduler step (float64).

    Explicit or replayed ``values`` are taken as they are (the spec has already checked that they
    cover ``count``), and with ``pad: last`` (``padded_from``) their last value repeats up to
    ``count``; profiles follow the formulas in :data:`PROFILES`.
    """
    import numpy as np

    if spec.values is not None:
        given = np.asarray(spec.values[:count], dtype=np.float64)
        if spec.padded_from is None or given.size >= count:
            return given
        padded = np.empty(count, dtype=np.float64)
        padded[: given.size] = given
        padded[given.size :] = given[-1]
        return padded
    params = profile_params(spec)
    rng = np.random.Generator(np.random.PCG64(spec.seed))
    noise = params["noise"] * rng.standard_normal(count)
    k = np.arange(count, dtype=np.float64)
    if spec.profile == "noisy-flat":
        return params["level"] + noise
    if spec.profile == "accuracy":
        ceiling = params["ceiling"]
        return ceiling - (ceiling - params["start"]) * np.exp(-k / params["tau"]) + noise
    if spec.profile == "plateau":
        k = k - np.clip(k - params["flat_from"] + 1, 0, params["flat_for"])
    start, floor = params["start"], params["floor"]
    base = floor + (start - floor) * np.exp(-k / params["tau"])
    if spec.profile == "spike":
        since = np.arange(count, dtype=np.float64) - params["spike_at"]
        bump = params["height"] * np.exp(-np.maximum(since, 0.0) / params["recover"])
        base = base + np.where(since >= 0, bump, 0.0)
    return base + noise


class Feed(Sequence[float]):
    """The metric as the scheduler reads it, ``feed[k]`` a Python float, without a Python list
    of the whole run: ``tolist()`` of 20M values holds 20M float objects (640 MB). Values are
    converted one chunk of FEED_CHUNK at a time, as the run reaches them."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values
        self._first = -1
        self._chunk: list[float] = []

    def __len__(self) -> int:
        return int(self._values.shape[0])

    @overload
    def __getitem__(self, k: int) -> float: ...
    @overload
    def __getitem__(self, k: slice) -> list[float]: ...
    def __getitem__(self, k: int | slice) -> float | list[float]:
        if isinstance(k, slice):
            found: list[float] = self._values[k].tolist()
            return found
        if k < 0:
            k += len(self)
        first = k - k % FEED_CHUNK
        if first != self._first:
            if not 0 <= k < len(self):
                raise IndexError(k)
            self._chunk = self._values[first : first + FEED_CHUNK].tolist()
            self._first = first
        return self._chunk[k - first]


FEED_CHUNK = 1 << 16
