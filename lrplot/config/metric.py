"""``metric:``: what a plateau scheduler is fed, one value per scheduler step.

Explicit ``values``, a replayed CSV ``file`` (confined to the config's folder), or a seeded
synthetic ``profile`` (:mod:`lrplot.metrics`), whose parameters are Params like any other.
"""

from __future__ import annotations

from typing import Any

from lrplot import metrics
from lrplot.config.context import Checker
from lrplot.errors import digits
from lrplot.model import CurveSpec, MetricSpec
from lrplot.params import is_number, typename, validate

SOURCES = ("values", "file", "profile")
OPTIONS = ("column", "pad", "seed", "patience_band")
KEYS = (*SOURCES, *OPTIONS, *metrics.PARAM_NAMES)


def check_metric(
    ck: Checker, value: Any, path: str, curve: CurveSpec, uses: bool
) -> MetricSpec | None:
    """The metric of a curve whose scheduler ``uses`` one (``None`` otherwise)."""
    if value is None:
        return MetricSpec() if uses else None
    if not uses:
        raise ck.fail(path, "'metric' is only used by ReduceLROnPlateau")
    data = ck.mapping(value, path, KEYS)
    sources = [key for key in SOURCES if key in data]
    if len(sources) > 1:
        raise ck.fail(f"{path}.{sources[1]}", "give one of 'values', 'file' or 'profile', not both")
    source = sources[0] if sources else "profile"
    band = data.get("patience_band", False)
    if not isinstance(band, bool):
        raise ck.fail(f"{path}.patience_band", f"must be true or false, got {band!r}")
    if source == "profile":
        return _profile(ck, data, path, band)
    misplaced = [k for k in data if k not in (source, "column", "pad", "patience_band")]
    if source == "values" and "column" in data:
        misplaced.insert(0, "column")
    if misplaced:
        raise ck.fail(
            f"{path}.{misplaced[0]}", f"{misplaced[0]!r} does not apply to a '{source}' metric"
        )
    pad = data.get("pad")
    if pad is not None and pad != "last":
        raise ck.fail(f"{path}.pad", f"must be 'last', got {pad!r}")
    steps = curve.scheduler_steps
    file = column = None
    if source == "values":
        numbers = _values(ck, data["values"], f"{path}.values")
        what = f"has {len(numbers)} values"
    else:
        file, column, numbers = _file(ck, data, path, steps)
        what = f"{file} has {len(numbers)} {column!r} values"
    padded_from = None
    if len(numbers) < steps:
        if pad is None:
            raise ck.fail(
                f"{path}.{source}",
                f"{what} but the run takes {steps} scheduler steps (one value per "
                f"{curve.interval}); shorten the run, or set {ck.setting(f'{path}.pad', 'last')} "
                "to repeat the "
                "last value",
            )
        # Kept unpadded: metric_values() repeats the last value when asked for more. A list of
        # 20M copies would cost 160 MB, and the tuple made from it as much again.
        padded_from = len(numbers)
    return MetricSpec(
        values=tuple(numbers),
        file=file,
        column=column,
        padded_from=padded_from,
        patience_band=band,
    )


def _values(ck: Checker, values: Any, path: str) -> list[float]:
    if not isinstance(values, list) or not values:
        got = "an empty list" if values == [] else typename(values)
        raise ck.fail(path, f"must be a list of numbers, got {got}")
    numbers = []
    for i, item in enumerate(values):
        if not is_number(item):
            raise ck.fail(f"{path}[{i}]", f"must be a number, got {typename(item)} {item!r}")
        try:
            numbers.append(float(item))
        except OverflowError:  # an integer with hundreds of digits
            raise ck.fail(
                f"{path}[{i}]", f"is too large: an integer of {digits(item)} digits"
            ) from None
    return numbers


def _file(ck: Checker, data: dict[str, Any], path: str, steps: int) -> tuple[str, str, list[float]]:
    from lrplot.config.replay import ReplayError, read_column, resolve

    name, column = data["file"], data.get("column")
    if not isinstance(name, str) or not name.strip():
        raise ck.fail(f"{path}.file", f"must be a CSV file name, got {typename(name)}")
    if column is None:
        raise ck.fail(path, "missing key 'column' (the CSV column to replay)")
    if not isinstance(column, str) or not column.strip():
        raise ck.fail(f"{path}.column", f"must be a column name, got {typename(column)}")
    try:
        target = resolve(name, ck.base_dir, ck.confine)
        return name, column, read_column(target, name, column, steps)
    except ReplayError as exc:
        raise ck.fail(f"{path}.{exc.key}", exc.message, exc.hint) from None


def _profile(ck: Checker, data: dict[str, Any], path: str, band: bool) -> MetricSpec:
    from lrplot.errors import close_match

    name = data.get("profile", metrics.DEFAULT_PROFILE)
    profile = metrics.PROFILES.get(name) if isinstance(name, str) else None
    if profile is None:
        raise ck.fail(
            f"{path}.profile",
            f"unknown profile {name!r} (profiles: {', '.join(metrics.PROFILES)})",
            hint=close_match(str(name), metrics.PROFILES),
        )
    params: dict[str, float] = {}
    for key, item in data.items():
        if key in ("profile", "seed", "patience_band"):
            continue
        where = f"{path}.{key}"
        param = profile.param(key)
        if key in ("column", "pad"):
            needs = "'file'" if key == "column" else "'values' or 'file'"
            raise ck.fail(where, f"{key!r} only applies with {needs}, not to a profile")
        if param is None:
            takes = ", ".join(p.name for p in profile.params)
            raise ck.fail(
                where,
                f"{key!r} does not apply to profile {profile.name!r} (it takes {takes}, seed)",
            )
        params[key] = validate(param, item, where, ck.fail)
    seed = validate(metrics.SEED, data.get("seed", 0), f"{path}.seed", ck.fail)
    return MetricSpec(profile=profile.name, params=params, seed=seed, patience_band=band)
