"""CSV: one row per optimizer step, floats as ``repr`` (round-trip exact), written in chunks so a
10M-row curve never exists as one string.

Text cells (a ``curves:`` label, a header) are quoted as RFC 4180 says and Python's ``csv``
module reads: a cell holding a comma, a quote or a line break is put in double quotes, with
every quote doubled, so ``csv.reader`` gives the label back exactly. Numbers never need it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrplot.model import Curve

CHUNK_ROWS = 16_384


def csv_header(curves: Sequence[Curve]) -> list[str]:
    """``[curve,]step,epoch,lr[,lr_1...][,momentum[,momentum_1...]][,<key>...][,metric]``.

    Named param groups (``param_groups: [{name: backbone}, ...]``) give ``lr_backbone``,
    ``lr_head``. A param group key other than the lr and momentum gets columns when some
    scheduler changed it (``weight_decay`` that stays as configured is left out).
    """
    groups = max(c.groups for c in curves)
    names = _group_names(curves, groups)
    columns = ["curve"] if len(curves) > 1 else []
    columns += ["step", "epoch"] + _numbered("lr", names)
    if any(c.momentum is not None for c in curves):
        columns += _numbered("momentum", names)
    for key in extra_keys(curves):
        columns += _numbered(key, names)
    if any(c.metric is not None for c in curves):
        columns.append("metric")  # ReduceLROnPlateau: the value scheduler.step() got that epoch
    return columns


def extra_keys(curves: Sequence[Curve]) -> list[str]:
    """The recorded param group keys that change in some curve, in a stable order."""
    found: dict[str, None] = {}
    for curve in curves:
        for key, values in curve.extra.items():
            if values.strides[1] != 0 and bool((values != values[:, :1]).any()):
                found[key] = None
    return sorted(found)


def _group_names(curves: Sequence[Curve], groups: int) -> list[str]:
    """Column suffixes per group: "" then 1, 2, ... ; or every group's name when the curves
    name their groups and agree on the names."""
    named = [c.group_names for c in curves if c.named_groups]
    if named and all(n == named[0] for n in named) and len(named[0]) == groups:
        return named[0]
    return [""] + [str(g) for g in range(1, groups)]


def _numbered(name: str, suffixes: list[str]) -> list[str]:
    return [f"{name}_{suffix}" if suffix else name for suffix in suffixes]


def csv_lines(curves: Sequence[Curve]) -> Iterator[str]:
    """The CSV text in chunks: floats as ``repr`` (round-trip exact), rows in step order."""
    header = csv_header(curves)
    yield ",".join(map(cell, header)) + "\n"
    groups = max(c.groups for c in curves)
    with_momentum = any(c.momentum is not None for c in curves)
    with_metric = "metric" in header
    keys = extra_keys(curves)
    for curve in curves:
        prefix = [cell(curve.label)] if len(curves) > 1 else []
        for start in range(0, len(curve), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, len(curve))
            count = stop - start
            columns: list[Iterable[str]] = [[p] * count for p in prefix]
            columns.append(map(str, range(start, stop)))
            columns.append(map(repr, curve.epoch_range(start, stop).tolist()))
            columns += _group_columns(curve.lr, groups, start, stop)
            if with_momentum:
                columns += _group_columns(curve.momentum, groups, start, stop)
            for key in keys:
                columns += _group_columns(curve.extra.get(key), groups, start, stop)
            if with_metric:
                metric = curve.metric
                columns.append(
                    [""] * count if metric is None else map(repr, metric[start:stop].tolist())
                )
            yield "".join(",".join(row) + "\n" for row in zip(*columns, strict=True))


def cell(text: str) -> str:
    """``text`` as one CSV cell: quoted (quotes doubled) when it holds a comma, a quote or a
    line break, else as it is. A leading ``=``, ``+``, ``-`` or ``@`` is kept as it is: the
    file is data for scripts, and the label must read back exactly (README, Safety)."""
    if any(c in text for c in _SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


_SPECIAL = (",", '"', "\n", "\r")


def _group_columns(values: object, groups: int, start: int, stop: int) -> list[Iterable[str]]:
    import numpy as np

    out: list[Iterable[str]] = []
    for g in range(groups):
        if isinstance(values, np.ndarray) and g < values.shape[0]:
            out.append(map(repr, values[g, start:stop].tolist()))
        else:
            out.append([""] * (stop - start))
    return out
