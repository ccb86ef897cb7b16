"""A TensorBoard log: one event file, or a folder of them (one run).

The tag is ``--tag``, or the first scalar tag with an lr name (``lr``, ``learning_rate``,
``lr-*``, ``*/lr``, ``*/learning_rate``). Which row a step holds is the writer's convention:

- Lightning's LearningRateMonitor (``lr-SGD``) and a hand loop that logs the lr before
  ``optimizer.step()``: the value at step s is row s;
- transformers' TensorBoardCallback logs ``train/learning_rate`` at ``global_step``, with the
  Trainer's convention (:mod:`lrplot.runlog.hf`).

Files are read in name order (the name starts with the creation time); a restarted run that logs
earlier steps again replaces them (:func:`lrplot.runlog.files.finish`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.errors import close_match
from lrplot.runlog import tbevents
from lrplot.runlog.files import LogError, finish, read_bytes
from lrplot.runlog.hf import installed_convention
from lrplot.runlog.model import LoggedLr, LogOptions, Points, group_of, is_lr_name

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RECORDS = 20_000  # records read to find the tags before the whole file is read
HF_TAG = "train/learning_rate"


def event_files(path: Path, shown: str) -> list[Path]:
    """The event files of one run: ``path`` itself, or those in a folder (and below it)."""
    if not path.is_dir():
        return [path]
    found = sorted((p for p in path.rglob("*tfevents*") if p.is_file()), key=_order)
    if not found:
        raise LogError(f"{shown}: a folder without TensorBoard event files (*tfevents*)")
    folders = sorted({str(p.parent.relative_to(path)) or "." for p in found})
    if len(folders) > 1:
        listed = ", ".join(folders[:5]) + (", ..." if len(folders) > 5 else "")
        raise LogError(f"{shown} holds {len(folders)} runs ({listed}): name one of them")
    return found


def _order(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """Folder, then name with its numbers compared as numbers (``...1.9`` before ``...1.10``):
    the name holds the writer's start time, host, pid and a counter."""
    parts = re.split(r"(\d+)", path.name)
    return str(path.parent), [(int(p), "") if p.isdigit() else (0, p) for p in parts]


def read_tensorboard(path: Path, shown: str, options: LogOptions) -> LoggedLr:
    files = event_files(path, shown)
    buffers = [(p, read_bytes(p, str(p))) for p in files]
    tag = options.tag or options.column or _default_tag(buffers, shown)
    import numpy as np

    steps: list[np.ndarray] = []
    values: list[np.ndarray] = []
    narrow = False
    for file, buf in buffers:
        fast = tbevents.fast_scalars(buf, tag)
        if fast is None:
            fast, is_narrow = _slow(file, buf, tag)
            narrow = narrow or is_narrow
        else:
            narrow = narrow or bool(len(fast[0]))
        steps.append(fast[0])
        values.append(fast[1])
    points = Points(np.concatenate(steps), np.concatenate(values))
    if not len(points.steps):
        tags = _all_tags(buffers)
        raise LogError(
            f"{shown} has no scalar {tag!r} (its tags: {', '.join(tags) or 'none'})",
            hint=close_match(tag, tags),
        )
    notes: tuple[str, ...] = ()
    shift, convention = 0, "the value at step s is the lr of optimizer step s"
    if tag.endswith(HF_TAG):
        chosen, why = options.hf_convention, "--hf-convention"
        if chosen is None:
            chosen, why = installed_convention()
        shift = -1 if chosen == "new" else 0
        convention = f"transformers logs {HF_TAG} with the Trainer's convention ({chosen})"
        notes = (f"{convention}: {why}",)
    return finish(
        points,
        source=shown,
        format="tensorboard",
        name=tag,
        row_shift=shift,
        group=options.group if options.group is not None else group_of(tag),
        float32=narrow,
        notes=notes,
        convention=convention,
    )


def _slow(file: Path, buf: bytes, tag: str) -> tuple[tuple[np.ndarray, np.ndarray], bool]:
    """Every record decoded: for tensor-style scalars and layouts the pattern does not know."""
    import numpy as np

    steps, values, narrow = [], [], False
    try:
        for name, step, value, is_narrow in tbevents.scalars(buf):
            if name == tag:
                steps.append(step)
                values.append(value)
                narrow = narrow or is_narrow
    except tbevents.BadEvents as exc:
        raise LogError(f"{file}: {exc}") from None
    arrays = (np.asarray(steps, dtype=np.int64), np.asarray(values, dtype=np.float64))
    return arrays, narrow


def _tags(buf: bytes, limit: int | None) -> list[str]:
    seen: dict[str, None] = {}
    try:
        for name, _, _, _ in tbevents.scalars(buf, limit):
            seen.setdefault(name)
    except tbevents.BadEvents:
        pass  # reported when the values are read
    return list(seen)


def _all_tags(buffers: list[tuple[Path, bytes]]) -> list[str]:
    found: dict[str, None] = {}
    for _, buf in buffers:
        found.update(dict.fromkeys(_tags(buf, None)))
    return list(found)


def _default_tag(buffers: list[tuple[Path, bytes]], shown: str) -> str:
    """The first lr-named tag: looked for in the first records, then in the whole log."""
    for limit in (SAMPLE_RECORDS, None):
        for _, buf in buffers:
            for name in _tags(buf, limit):
                if is_lr_name(name) and not name.endswith(("-momentum", "-weight_decay")):
                    return name
    tags = _all_tags(buffers)
    raise LogError(
        f"{shown} has no lr scalar (lr, learning_rate, lr-*); its tags: "
        f"{', '.join(tags) or 'none'}; choose one with --tag"
    )
