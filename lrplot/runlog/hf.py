"""Hugging Face ``trainer_state.json``: the ``log_history`` entries with a ``learning_rate``.

Which lr an entry holds is transformers' convention, and it changed:

- since 4.51 (PR #36973, "Log the correct learning rate"), ``Trainer`` reads the lr after
  ``optimizer.step()`` and before ``lr_scheduler.step()``, and logs it after ``global_step += 1``:
  the entry at step s holds the lr optimizer step s used, lrplot's row **s - 1**;
- up to 4.50 it read the lr after ``lr_scheduler.step()``: the entry at step s holds row **s**,
  and the last one the lr after the final step.

The file records no version, so the convention is the installed transformers' (read from its
package metadata, without importing it), ``--hf-convention old|new`` overrides it, and with no
transformers installed the current ("new") convention applies.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from lrplot.runlog.files import LogError, finish, read_text
from lrplot.runlog.model import LoggedLr, LogOptions, Points

FIRST_NEW = (4, 51)
"""The first transformers release whose Trainer logs the lr an optimizer step used."""


def installed_convention() -> tuple[str, str]:
    """(``old`` or ``new``, how it was decided) from the installed transformers."""
    from importlib import metadata

    try:
        version = metadata.version("transformers")
    except metadata.PackageNotFoundError:
        return "new", "transformers is not installed: the convention of transformers >= 4.51"
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    chosen = "new" if numbers >= FIRST_NEW else "old"
    return chosen, f"the convention of the installed transformers {version}"


def state_file(path: Path, shown: str) -> tuple[Path, str]:
    """``trainer_state.json`` itself, or the one in an output folder (else its newest
    ``checkpoint-N``)."""
    if not path.is_dir():
        return path, shown
    direct = path / "trainer_state.json"
    if direct.is_file():
        return direct, f"{shown.rstrip('/')}/trainer_state.json"
    checkpoints = []
    for child in path.glob("checkpoint-*/trainer_state.json"):
        number = child.parent.name.removeprefix("checkpoint-")
        if number.isdigit():
            checkpoints.append((int(number), child))
    if not checkpoints:
        raise LogError(f"{shown}: a folder without trainer_state.json or checkpoint-*/")
    newest = max(checkpoints)[1]
    return newest, f"{shown.rstrip('/')}/{newest.parent.name}/trainer_state.json"


def read_hf(path: Path, shown: str, options: LogOptions) -> LoggedLr:
    path, shown = state_file(path, shown)
    try:
        state = json.loads(read_text(path, shown))
    except json.JSONDecodeError as exc:
        raise LogError(f"{shown} line {exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise LogError(f"{shown}: nested too deeply") from None
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise LogError(f"{shown}: no 'log_history' list (not a transformers trainer_state.json)")
    key = options.column or "learning_rate"
    points = Points()
    for i, entry in enumerate(history):
        if not isinstance(entry, dict) or key not in entry:
            continue  # evaluation entries and the final summary carry no lr
        points.steps.append(_number(entry.get("step"), f"log_history[{i}].step", shown, True))
        points.values.append(_number(entry[key], f"log_history[{i}].{key}", shown, False))
    if not points.steps:
        raise LogError(f"{shown}: no log_history entry has a {key!r}")
    if options.hf_convention is not None:
        convention, why = options.hf_convention, "--hf-convention"
    else:
        convention, why = installed_convention()
    if convention == "new":
        shift, text = (
            -1,
            "the entry at step s is the lr of optimizer step s-1 (transformers >= 4.51)",
        )
    else:
        shift, text = (
            0,
            "the entry at step s is the lr after optimizer step s (transformers < 4.51)",
        )
    return finish(
        points,
        source=shown,
        format="hf",
        name=key,
        row_shift=shift,
        group=options.group or 0,
        notes=(f"{text}: {why}",),
        convention=text,
    )


def _number(value: Any, where: str, shown: str, whole: bool) -> Any:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and whole:
        ok = isinstance(value, int) or (math.isfinite(value) and value == int(value))
    if not ok:
        what = "a whole step" if whole else "a number"
        raise LogError(f"{shown}: {where} is {value!r}, not {what}")
    return int(value) if whole else float(value)
