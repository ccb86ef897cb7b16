"""CSV logs: a plain ``step,lr`` CSV, Lightning's ``metrics.csv``, a Weights & Biases export.

- **Plain CSV**: a step column (``--step-column``; default the first named ``step``,
  ``global_step``, ``trainer/global_step``, ``iteration`` or ``_step``) and an lr column
  (``--column``; default the first lr name, :func:`lrplot.runlog.model.is_lr_name`). The value at
  step s is planned row s: the loop logged the lr it was about to use.
- **Lightning** ``metrics.csv`` (CSVLogger + LearningRateMonitor): ``lr-<Optimizer>`` columns and
  ``step`` = ``_batches_that_stepped``, so the value at step s is row s. Rows of other metrics
  leave the lr cell empty; with gradient accumulation one row per batch repeats the step.
- **W&B** panel export: the x-axis column first (``Step``, or the chart's x metric), then
  ``<run> - <metric>`` with ``__MIN`` and ``__MAX`` companions, the range of a bucket of points.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from lrplot.errors import close_match
from lrplot.runlog.files import LogError, finish, read_text
from lrplot.runlog.model import LoggedLr, LogOptions, Points, group_of, is_lr_name

STEP_NAMES = ("step", "global_step", "trainer/global_step", "iteration", "_step")
WANDB_SUFFIXES = ("__MIN", "__MAX")


def header_of(text: str) -> list[str]:
    """The first non-empty line's fields, stripped."""
    for row in csv.reader(io.StringIO(text[:65536])):
        if row:
            return [name.strip() for name in row]
    return []


def kind_of(header: list[str]) -> str:
    """Which CSV convention a header follows: ``wandb``, ``lightning`` or ``csv``."""
    if any(name.endswith(WANDB_SUFFIXES) for name in header):
        return "wandb"
    if len(header) > 1 and " - " in header[1] and header[0] not in STEP_NAMES:
        return "wandb"
    lowered = [name.lower() for name in header]
    if "step" in lowered and any(name.startswith("lr-") for name in lowered):
        return "lightning"
    return "csv"


def read_csv_log(path: Path, shown: str, fmt: str, options: LogOptions) -> LoggedLr:
    text = read_text(path, shown)
    header = header_of(text)
    if not header:
        raise LogError(f"{shown}: the file is empty (expected a header line)")
    if fmt == "wandb":
        return _wandb(text, header, shown, options)
    step_name = _step_column(header, shown, options)
    name = _lr_column(header, shown, options, fmt)
    step_i, value_i = header.index(step_name), header.index(name)
    points = Points()
    for line, row in _rows(text, shown):
        step = _cell(row, step_i, line, shown, step_name)
        value = _cell(row, value_i, line, shown, name)
        if value is None:
            continue  # a row of another metric (Lightning writes them to the same file)
        if step is None:
            raise LogError(f"{shown} line {line}: the {step_name!r} cell is empty")
        points.steps.append(_step(step, line, shown, step_name))
        points.values.append(value)
    convention = "the value at step s is the lr of optimizer step s"
    return _done(points, shown, fmt, name, options, convention)


def _done(
    points: Points, shown: str, fmt: str, name: str, options: LogOptions, convention: str
) -> LoggedLr:
    if not points.steps:
        raise LogError(f"{shown} has no {name!r} values")
    group = options.group if options.group is not None else group_of(name)
    return finish(points, source=shown, format=fmt, name=name, group=group, convention=convention)


def _step_column(header: list[str], shown: str, options: LogOptions) -> str:
    if options.step_column is not None:
        if options.step_column not in header:
            raise LogError(
                f"{shown} has no column {options.step_column!r} (its columns: {', '.join(header)})",
                hint=close_match(options.step_column, header),
            )
        return options.step_column
    lowered = [name.lower() for name in header]
    for wanted in STEP_NAMES:
        if wanted in lowered:
            return header[lowered.index(wanted)]
    raise LogError(
        f"{shown} has no step column (named {', '.join(STEP_NAMES[:-1])} or {STEP_NAMES[-1]}); "
        f"its columns: "
        f"{', '.join(header)}; choose one with --step-column"
    )


def _lr_column(header: list[str], shown: str, options: LogOptions, fmt: str) -> str:
    if options.column is not None:
        if options.column not in header:
            raise LogError(
                f"{shown} has no column {options.column!r} (its columns: {', '.join(header)})",
                hint=close_match(options.column, header),
            )
        return options.column
    for name in header:
        if is_lr_name(name) and not name.endswith(("-momentum", "-weight_decay")):
            return name
    raise LogError(
        f"{shown} has no lr column (lr, learning_rate or lr-*); its columns: "
        f"{', '.join(header)}; choose one with --column"
    )


def _rows(text: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        next((row for row in reader if row), None)  # the header
        for row in reader:
            if row:
                yield reader.line_num, row
    except csv.Error as exc:
        raise LogError(f"{shown} line {reader.line_num}: {exc}") from None


def _cell(row: list[str], index: int, line: int, shown: str, name: str) -> float | None:
    """The number in ``row[index]``; None for an empty cell."""
    if index >= len(row):
        return None
    cell = row[index].strip()
    if not cell:
        return None
    try:
        return float(cell)
    except ValueError:
        raise LogError(f"{shown} line {line}: {name!r} is {cell[:40]!r}, not a number") from None


def _step(value: float, line: int, shown: str, name: str) -> int:
    if not value == value or value in (float("inf"), float("-inf")) or value != int(value):
        raise LogError(f"{shown} line {line}: {name!r} is {value!r}, not a whole step")
    return int(value)


# -- Weights & Biases ----------------------------------------------------------------------------


def _wandb(text: str, header: list[str], shown: str, options: LogOptions) -> LoggedLr:
    """A W&B chart export. Long runs are exported in buckets: a row holds the bucket's last
    value and its ``__MIN`` / ``__MAX``, and a planned value inside that range matches."""
    x_name = options.step_column or header[0]
    if x_name not in header:
        raise LogError(
            f"{shown} has no column {x_name!r} (its columns: {', '.join(header)})",
            hint=close_match(x_name, header),
        )
    values = [name for name in header if name != x_name and not name.endswith(WANDB_SUFFIXES)]
    name = _wandb_column(values, shown, options)
    index, x_i = header.index(name), header.index(x_name)
    low_i = header.index(name + "__MIN") if name + "__MIN" in header else None
    high_i = header.index(name + "__MAX") if name + "__MAX" in header else None
    points = Points()
    for line, row in _rows(text, shown):
        value = _cell(row, index, line, shown, name)
        step = _cell(row, x_i, line, shown, x_name)
        if value is None or step is None:
            continue  # a run without a point in this bucket
        points.steps.append(_step(step, line, shown, x_name))
        points.values.append(value)
        if low_i is not None and high_i is not None:
            low = _cell(row, low_i, line, shown, header[low_i])
            high = _cell(row, high_i, line, shown, header[high_i])
            points.lows.append(value if low is None else low)
            points.highs.append(value if high is None else high)
    convention = f"the value at {x_name} s is the lr of optimizer step s"
    return _done(points, shown, "wandb", name, options, convention)


def _wandb_column(values: list[str], shown: str, options: LogOptions) -> str:
    def metric(name: str) -> str:
        return name.split(" - ", 1)[1] if " - " in name else name

    if options.column is not None:
        for name in values:
            if options.column in (name, metric(name)):
                return name
        raise LogError(
            f"{shown} has no column {options.column!r} (its columns: {', '.join(values)})",
            hint=close_match(options.column, values + [metric(v) for v in values]),
        )
    for name in values:
        if is_lr_name(metric(name)):
            return name
    raise LogError(
        f"{shown} has no lr column (<run> - lr, learning_rate or lr-*); its columns: "
        f"{', '.join(values)}; choose one with --column"
    )
