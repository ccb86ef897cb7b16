"""``huggingface:``: the TrainingArguments fields that shape a ``transformers.Trainer``'s
schedule, checked and turned into the run, the optimizer and the scheduler the Trainer builds.

The arithmetic is :mod:`lrplot.frameworks.hf`'s; the scheduler is the real ``get_scheduler``
(``scheduler: {transformers: NAME}``), or without transformers lrplot's recipe of that name.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from lrplot import loop
from lrplot.config.context import Checker
from lrplot.config.data import Given
from lrplot.config.frame import Frame
from lrplot.errors import close_match
from lrplot.families.trainer import TrainerCall, trainer_call, trainer_names
from lrplot.families.transformers_source import TRAINING, WARMUP, version
from lrplot.frameworks import hf
from lrplot.model import DataSpec
from lrplot.params import validate

# What the block decides, so that the spec must not say it a second time.
OWNED = {
    "optimizer": "learning_rate, optim, weight_decay, adam_*",
    "scheduler": "lr_scheduler_type, lr_scheduler_kwargs",
    "epochs": "num_train_epochs or max_steps",
    "steps_per_epoch": "the data and per_device_train_batch_size",
    "interval": "a Trainer steps the scheduler after every optimizer step",
}


def check_huggingface(ck: Checker, data: dict[str, Any], owner: dict[str, str]) -> Frame:
    path = owner["huggingface"]
    block = ck.mapping(data["huggingface"], path, (*hf.KEYS, hf.FILE_KEY))
    for key, what in OWNED.items():
        if key in data:
            raise ck.fail(owner[key], f"comes from huggingface: ({what}); remove it here")
    values = {
        p.name: validate(p, block[p.name], f"{path}.{p.name}", ck.fail)
        if p.name in block
        else p.default
        for p in hf.HF_PARAMS
        if p.name != "lr_scheduler_kwargs"
    }
    values["lr_scheduler_kwargs"] = block.get("lr_scheduler_kwargs")
    given = {
        "batch_size": "per_device_train_batch_size",
        "accumulate": "gradient_accumulation_steps",
        "drop_last": "dataloader_drop_last",
    }
    optimizer, note = hf.optimizer(values)
    remarks: list[tuple[str, str]] = []
    if values["warmup_ratio"]:
        remarks.append(
            (
                f"{path}.warmup_ratio",
                "warmup_ratio is transformers 4's spelling (5.15 removed it, and "
                "TrainingArguments now raises TypeError for it); lrplot reads it as transformers "
                "4 did, when warmup_steps is 0; in transformers 5 write warmup_steps: "
                f"{values['warmup_ratio']:g}",
            )
        )
    return Frame(
        name="huggingface",
        given=Given(
            loop.ACCELERATE,
            {key: values[field] for key, field in given.items()},
            {key: f"{path}.{field}" for key, field in given.items() if field in block},
        ),
        interval="step",
        path=path,
        notes=(*ck.doc.notes.get(path, ()), *((note,) if note else ())),
        optimizer=optimizer,
        optimizer_path=path,
        settings=values,
        remarks=tuple(remarks),
        finish=_finish,
    )


def _finish(ck: Checker, frame: Frame, steps_per_epoch: int, data: DataSpec | None) -> Frame:
    """The Trainer's steps, warmup and scheduler, now that the steps per epoch are known."""
    values, path = frame.settings, frame.path
    if data is None:
        if values["max_steps"] <= 0:
            size = ck.name(f"{path.removesuffix('huggingface')}data.dataset_size")
            raise ck.fail(
                f"{path}.max_steps",
                f"is not set, so give {size} (data: {{dataset_size: N}}): the Trainer's steps "
                "per epoch come from the dataset",
            )
        steps_per_epoch = values["max_steps"]
    else:
        steps_per_epoch = hf.update_steps_per_epoch(data.batches, data.accumulate)
    total = hf.total_steps(steps_per_epoch, values["num_train_epochs"], values["max_steps"])
    warmup = hf.warmup(values["warmup_steps"], values["warmup_ratio"], total)
    call = _call(ck, values["lr_scheduler_type"], f"{path}.lr_scheduler_type")
    kwargs, remarks = _kwargs(ck, values["lr_scheduler_kwargs"], call, path)
    scheduler: dict[str, Any] = {call.family: call.name}
    if call.warmup:
        scheduler[WARMUP] = warmup
    if call.training:
        scheduler[TRAINING] = total
    scheduler.update(kwargs)
    where = f"{path}.lr_scheduler_kwargs"
    length = "max_steps" if values["max_steps"] > 0 else "num_train_epochs"
    ck.doc.aliases.update(
        {
            f"{where}.{call.family}": f"{path}.lr_scheduler_type",
            f"{where}.{WARMUP}": f"{path}.warmup_steps",
            f"{where}.{TRAINING}": f"{path}.{length}",
        }
    )
    ck.origins = ck.doc.origins
    if call.family != "transformers":
        remarks.append(
            (
                f"{path}.lr_scheduler_type",
                "transformers is not installed, so lrplot draws its own recipe "
                f"{call.name} (equal to get_scheduler's to 1e-12); pip install "
                "'lrplot[transformers]' for the real one",
            )
        )
    return replace(
        frame,
        epochs=math.ceil(total / steps_per_epoch),
        max_steps=total,
        steps_per_epoch=steps_per_epoch,
        scheduler=scheduler,
        scheduler_path=where,
        notes=(*frame.notes, _line(values, steps_per_epoch, total, warmup, call)),
        remarks=(*frame.remarks, *remarks),
    )


def _call(ck: Checker, name: str, where: str) -> TrainerCall:
    call = trainer_call(name.replace("-", "_"))
    if call is None:
        names = trainer_names()
        raise ck.fail(
            where,
            f"unknown lr_scheduler_type {name!r} (this lrplot knows: {', '.join(names)})",
            close_match(name, names),
        )
    if call.metric:
        raise ck.fail(
            where,
            f"{call.name} steps only after each evaluation, with its eval metric: lrplot does "
            f"not plan that from TrainingArguments; draw scheduler: {{{call.family}: "
            f"{call.name}}} with a metric: block instead",
        )
    return call


def _kwargs(
    ck: Checker, value: Any, call: TrainerCall, path: str
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """``lr_scheduler_kwargs`` as get_scheduler sees them: dropped for the names that drop them
    (a warning), a key the function does not take an error (the Trainer would raise)."""
    where = f"{path}.lr_scheduler_kwargs"
    try:
        kwargs = hf.parse_kwargs(value if value is not None else {})
    except ValueError as exc:
        raise ck.fail(where, str(exc)) from None
    if not isinstance(kwargs, dict):
        raise ck.fail(where, f"must be a mapping (or a JSON object string), got {value!r}")
    if not kwargs:
        return {}, []
    if call.drops:
        keys = ", ".join(map(str, kwargs))
        return {}, [
            (
                where,
                f"get_scheduler drops lr_scheduler_kwargs for {call.name} ({call.function} "
                f"takes none), so {keys} {'changes' if len(kwargs) == 1 else 'change'} "
                "nothing; remove them, or pick a schedule that takes them",
            )
        ]
    for key in kwargs:
        at = f"{where}.{key}"
        if key in (WARMUP, TRAINING):
            source = "warmup_steps" if key == WARMUP else "num_train_epochs or max_steps"
            raise ck.fail(
                at,
                f"the Trainer passes {key} itself (from {source}); a second one makes "
                f"get_scheduler raise TypeError (got multiple values for keyword argument {key!r})",
            )
        if key not in call.keys:
            hint = hf.SPELLINGS.get(str(key))
            hint = hint if hint in call.keys else close_match(str(key), call.keys)
            takes = ", ".join(call.keys) or "no lr_scheduler_kwargs"
            raise ck.fail(
                at,
                f"{call.name} does not take {key}, so the Trainer would fail when training "
                f"starts (TypeError: {call.function}() got an unexpected keyword argument "
                f"{key!r}); it takes {takes}",
                hint,
            )
    return kwargs, []


def _line(values: dict[str, Any], per_epoch: int, total: int, warmup: int, call: Any) -> str:
    """``huggingface (transformers 5.24.0 arithmetic): 8 update steps per epoch x 3 epochs ->
    24 steps; warmup_steps 0.1 -> 3``."""
    if values["max_steps"] > 0:
        steps = f"max_steps {total} (wins over num_train_epochs)"
    else:
        epochs = values["num_train_epochs"]
        steps = f"{per_epoch} update steps per epoch x {epochs:g} epochs -> {total} steps"
    text = f"Trainer ({hf.VERSION} arithmetic): {steps}"
    if call.warmup:
        ratio = values["warmup_ratio"] if not values["warmup_steps"] else None
        given = f"warmup_ratio {ratio:g}" if ratio else f"warmup_steps {values['warmup_steps']:g}"
        text += f"; {given} -> {warmup} warmup steps"
    installed = version("transformers") if call.family == "transformers" else ""
    if installed:
        text += f"; get_scheduler of the installed transformers {installed}"
    return text
