"""Hugging Face ``transformers.Trainer``: the optimizer steps it takes and the schedule it builds.

Read from transformers 5.24.0 (constraints.txt pins it; the research notes cite every line):

- Batches per device: ``DataLoader(batch_size=per_device_train_batch_size,
  drop_last=dataloader_drop_last)`` over the whole dataset, sharded by accelerate's
  ``BatchSamplerShard`` (even_batches=True): ``floor|ceil(floor|ceil(N / B) / W)``
  (:mod:`lrplot.loop`, ``ACCELERATE``).
- ``set_initial_training_values`` (trainer.py:2495-2563): update steps per epoch ``U = max(ceil(L
  / GA), 1)``, the epoch's last, short accumulation window included (4.50 and older floored);
  ``max_steps > 0`` wins, else ``M = ceil(num_train_epochs x U)``; the run stops after M
  optimizer steps, inside an epoch if need be.
- ``get_warmup_steps`` (training_args.py:2154-2161): ``warmup_steps >= 1`` is truncated to an
  int, a value below 1 is a fraction of M rounded up. ``warmup_ratio`` was removed in 5.15 (4.x:
  ``warmup_steps if warmup_steps > 0 else ceil(M x warmup_ratio)``).
- ``create_scheduler``: ``get_scheduler(lr_scheduler_type, optimizer, num_warmup_steps,
  num_training_steps=M, scheduler_specific_kwargs=lr_scheduler_kwargs)``, stepped after every
  optimizer step (``on_pre_optimizer_step`` reads the lr of step t before it: lrplot's row t).
  The kwargs go to the schedule function with ``**``: a key it does not take raises TypeError
  when training starts, except for ``constant`` and ``constant_with_warmup``, which drop them.
- The optimizer (``optim``): AdamW (``adamw_torch``, ``adamw_torch_fused``, the default) with
  ``lr=learning_rate, betas=(adam_beta1, adam_beta2), eps=adam_epsilon``; ``sgd``, ``adagrad``,
  ``rmsprop`` their torch classes. A LambdaLR schedule does not depend on which.

This module knows the fields and the arithmetic; :mod:`lrplot.config.huggingface` checks a
``huggingface:`` block with them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrplot.errors import SpecError
from lrplot.params import Kind, Param, declared

VERSION = "transformers 5.24.0"

_TYPE = Param(
    "lr_scheduler_type",
    Kind.STR,
    "the get_scheduler name: linear, cosine, cosine_with_min_lr, ...",
    "linear",
    default_text="linear",
)
_KWARGS = Param(
    "lr_scheduler_kwargs",
    Kind.ANY,
    "scheduler_specific_kwargs: a mapping, or the JSON string TrainingArguments also takes",
    None,
    optional=True,
    default_text="{}",
)
_WARMUP_RULE = "a number >= 0: steps, or a fraction < 1 of the total"
HF_PARAMS: tuple[Param, ...] = (
    declared("learning_rate", Kind.FLOAT, "the peak lr", 5e-5, above=0),
    _TYPE,
    _KWARGS,
    Param(
        "warmup_steps",
        Kind.FLOAT,
        "warmup steps (>= 1, truncated) or a fraction < 1 of the total steps (rounded up)",
        0.0,
        low=0,
        rule=_WARMUP_RULE,
        type_text=_WARMUP_RULE,
        default_text="0",
    ),  # fmt: skip
    declared(
        "warmup_ratio",
        Kind.FLOAT,
        "transformers 4's spelling (removed in 5.15): a "
        "fraction of the total, used when warmup_steps is 0",
        None,
        low=0,
        high=1,
    ),  # fmt: skip
    declared(
        "num_train_epochs", Kind.FLOAT, "epochs (a fraction stops inside an epoch)", 3.0, above=0
    ),  # fmt: skip
    declared(
        "max_steps", Kind.INT, "optimizer steps; above 0 it wins over num_train_epochs", -1, low=-1
    ),  # fmt: skip
    declared("per_device_train_batch_size", Kind.INT, "batch size on each device", 8, low=1),
    declared("gradient_accumulation_steps", Kind.INT, "batches per optimizer step", 1, low=1),
    declared("dataloader_drop_last", Kind.BOOL, "drop the last, incomplete batch", False),
    declared(
        "optim",
        Kind.STR,
        "the optimizer (adamw_torch, adamw_torch_fused, sgd, ...)",
        "adamw_torch_fused",
    ),  # fmt: skip
    declared("weight_decay", Kind.FLOAT, "AdamW's weight decay (decay group)", 0.0, low=0),
    declared("adam_beta1", Kind.FLOAT, "AdamW's beta1", 0.9, low=0, high=1),
    declared("adam_beta2", Kind.FLOAT, "AdamW's beta2", 0.999, low=0, high=1),
    declared("adam_epsilon", Kind.FLOAT, "AdamW's eps", 1e-8, above=0),
)
"""The ``TrainingArguments`` fields that shape the schedule, spelled as transformers spells them.
Each is a key of ``huggingface:``; every other field of a TrainingArguments JSON is ignored."""

KEYS = tuple(param.name for param in HF_PARAMS)
FILE_KEY = "args"  # huggingface: {args: training_args.json}

# optim -> the torch class; anything else draws on AdamW (the lr does not depend on it).
OPTIMIZERS = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop"}
# What a torch or timm user writes, and transformers' name for it (a hint in the error).
SPELLINGS = {
    "eta_min": "min_lr",
    "lr_min": "min_lr",
    "min_lr_ratio": "min_lr_rate",
    "final_lr": "min_lr",
    "cycles": "num_cycles",
    "warmup_steps": "num_warmup_steps",
    "T_max": "num_training_steps",
    "total_steps": "num_training_steps",
    "end_lr": "lr_end",
}


def update_steps_per_epoch(batches: int, accumulation: int) -> int:
    """``max(ceil(L / GA), 1)``: the last, short window takes a step too."""
    return max(-(-batches // accumulation), 1)


def total_steps(per_epoch: int, epochs: float, max_steps: int) -> int:
    """``max_steps`` if above 0, else ``ceil(num_train_epochs x U)``."""
    return max_steps if max_steps > 0 else math.ceil(epochs * per_epoch)


def warmup(warmup_steps: float, ratio: float | None, total: int) -> int:
    """``num_warmup_steps`` as ``get_warmup_steps`` computes it (and transformers 4 with a
    ``warmup_ratio``)."""
    if warmup_steps == 0 and ratio:
        return math.ceil(total * ratio)
    return int(warmup_steps) if warmup_steps >= 1 else math.ceil(total * warmup_steps)


_DIGITS = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def parse_kwargs(value: Any) -> Any:
    """``lr_scheduler_kwargs`` as TrainingArguments.__post_init__ leaves it: a JSON string is
    parsed, and string values are converted as ``_convert_str_dict`` does ("true" -> True, "5"
    -> 5, "0.5" -> 0.5; "1e-5" stays a string)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not a JSON object: {exc.msg}") from None
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if isinstance(item, str):
            if item.lower() in ("true", "false"):
                item = item.lower() == "true"
            elif _DIGITS.match(item):
                item = int(item)
            elif _DECIMAL.match(item):
                item = float(item)
        out[key] = item
    return out


def optimizer(values: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The optimizer mapping the Trainer builds, and a note when lrplot draws on another one."""
    name = str(values["optim"])
    found = OPTIMIZERS.get(name)
    mapping: dict[str, Any] = {"type": found or "AdamW", "lr": values["learning_rate"]}
    if found is None:
        mapping.update(
            betas=[values["adam_beta1"], values["adam_beta2"]],
            eps=values["adam_epsilon"],
            weight_decay=values["weight_decay"],
        )
    note = None
    if found is None and not name.startswith("adamw"):
        note = f"optim {name}: lrplot draws the schedule on AdamW; the lr does not depend on it"
    return mapping, note


@dataclass
class Translation:
    """``lrplot hf ARGS.json``: the ``huggingface:`` keys a TrainingArguments file gives."""

    spec: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def translate(
    data: Any, options: dict[str, Any], fail: Callable[[str, str], SpecError]
) -> Translation:
    """A TrainingArguments mapping (``args.to_json_string()``) as a ``huggingface:`` block: the
    fields that shape the schedule; the rest are ignored, and a note says how many. The spec's
    own keys (``options``) are merged over it by the caller."""
    if not isinstance(data, dict):
        raise fail("", "a TrainingArguments file is a JSON object of its fields")
    out = Translation()
    block: dict[str, Any] = {}
    for key in KEYS:
        if key in data:
            block[key] = data[key]
            out.aliases[f"huggingface.{key}"] = key
            out.read.append(key)
    if not out.read:
        raise fail(
            "",
            "has none of the TrainingArguments fields that shape the schedule "
            f"({', '.join(KEYS[:4])}, ...); write it with args.to_json_string()",
        )
    if data.get("warmup_ratio") in (0, 0.0, None):
        block.pop("warmup_ratio", None)  # transformers 4's default, not a setting
    ignored = [key for key in data if key not in KEYS]
    if ignored:
        out.notes.append(f"ignored {len(ignored)} fields that do not shape the schedule")
    accel = data.get("accelerator_config")
    if isinstance(accel, dict) and (
        accel.get("split_batches") or accel.get("even_batches") is False
    ):
        out.notes.append(
            "accelerator_config changes how batches are split over devices; lrplot follows the "
            "default (split_batches false, even_batches true)"
        )
    out.spec = {"huggingface": block, "data": {}}
    return out
