"""CSV: one row per optimizer step, floats as ``repr`` (round-trip exact), written in chunks so a
10M-row curve never exists as one string."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrplot.model import Curve

CHUNK_ROWS = 16_384


def csv_header(curves: Sequence[Curve]) -> list[str]:
    """``[curve,]step,epoch,lr[,lr_1...][,momentum[,momentum_1...]][,metric]``."""
    groups = max(c.groups for c in curves)
    columns = ["curve"] if len(curves) > 1 else []
    columns += ["step", "epoch"] + _numbered("lr", groups)
    if any(c.momentum is not None for c in curves):
        columns += _numbered("momentum", groups)
    if any(c.metric is not None for c in curves):
        columns.append("metric")  # ReduceLROnPlateau: the value scheduler.step() got that epoch
    return columns


def _numbered(name: str, count: int) -> list[str]:
    return [name] + [f"{name}_{i}" for i in range(1, count)]


def csv_lines(curves: Sequence[Curve]) -> Iterator[str]:
    """The CSV text in chunks: floats as ``repr`` (round-trip exact), rows in step order."""
    header = csv_header(curves)
    yield ",".join(header) + "\n"
    groups = max(c.groups for c in curves)
    with_momentum = "momentum" in header
    with_metric = "metric" in header
    for curve in curves:
        prefix = [curve.label] if len(curves) > 1 else []
        for start in range(0, len(curve), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, len(curve))
            count = stop - start
            columns: list[Iterable[str]] = [[p] * count for p in prefix]
            columns.append(map(str, range(start, stop)))
            columns.append(map(repr, curve.epoch_range(start, stop).tolist()))
            columns += _group_columns(curve.lr, groups, start, stop)
            if with_momentum:
                columns += _group_columns(curve.momentum, groups, start, stop)
            if with_metric:
                metric = curve.metric
                columns.append(
                    [""] * count if metric is None else map(repr, metric[start:stop].tolist())
                )
            yield "".join(",".join(row) + "\n" for row in zip(*columns, strict=True))


def _group_columns(values: object, groups: int, start: int, stop: int) -> list[Iterable[str]]:
    import numpy as np

    out: list[Iterable[str]] = []
    for g in range(groups):
        if isinstance(values, np.ndarray) and g < values.shape[0]:
            out.append(map(repr, values[g, start:stop].tolist()))
        else:
            out.append([""] * (stop - start))
    return out
