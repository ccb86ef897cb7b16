"""``data:``: steps per epoch from the dataset, the batch, the devices and the accumulation, as
the framework that runs the loop shards them (:mod:`lrplot.loop`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrplot import loop
from lrplot.config.context import Checker
from lrplot.config.run import DATA_PARAMS
from lrplot.model import DataSpec
from lrplot.params import validate

KEYS = tuple(param.name for param in DATA_PARAMS)


@dataclass(frozen=True)
class Given:
    """What a framework's own settings say about the data (its batch size, its accumulation),
    and the key path of each, so that ``data:`` does not say it a second time."""

    sharding: str = loop.SAMPLER
    values: dict[str, Any] | None = None  # data key -> the framework's value
    paths: dict[str, str] | None = None  # data key -> the framework key path that gave it
    limit: int | float | None = None


def check_data(ck: Checker, value: Any, path: str, given: Given) -> DataSpec | None:
    """The ``data:`` mapping of a curve, merged with what the framework block said."""
    own = given.values or {}
    if value is None and not own.get("dataset_size"):
        return None
    data = ck.mapping(value if value is not None else {}, path, KEYS)
    checked: dict[str, Any] = {}
    for param in DATA_PARAMS:
        name = param.name
        where = f"{path}.{name}"
        if name in data and name in (given.paths or {}):
            other = (given.paths or {})[name]
            shown = ck.origins.locate(other)[0] or other
            raise ck.fail(where, f"is set twice: here and as {shown}; keep {shown}")
        if name in data:  # over a framework's default (the Trainer's batch size 8)
            checked[name] = validate(param, data[name], where, ck.fail)
        elif name in own:
            checked[name] = own[name]
        elif param.required:
            raise ck.fail(
                path, f"to derive the steps per epoch from the data, give {ck.name(where)}"
            )
        else:
            checked[name] = param.default
    return DataSpec(**checked, sharding=given.sharding, limit=given.limit)
