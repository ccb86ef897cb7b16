"""A LightningCLI config (``fit --config config.yaml``) as an lrplot spec.

LightningCLI (lightning 2.6.6, ``lightning/pytorch/cli.py``) instantiates ``optimizer:`` and
``lr_scheduler:`` (each ``class_path`` + ``init_args``, or a short class name) before fit, and its
``configure_optimizers`` returns ``[optimizer], [lr_scheduler]``: a bare scheduler, so Lightning
steps it once per **epoch**, frequency 1 (``LRSchedulerConfig`` defaults). ``interval`` cannot be
set in the YAML ("Option 'interval' is not accepted"); a LightningCLI subclass that overrides
``configure_optimizers`` can return ``interval: step``, and ``lrplot lightning --interval step``
says so. ``lightning.pytorch.cli.ReduceLROnPlateau`` takes its ``monitor`` as an init argument.
``trainer:`` holds the loop: ``max_epochs`` (unset: 1000, or no limit when ``max_steps`` is set),
``max_steps``, ``accumulate_grad_batches``, ``limit_train_batches``, ``devices`` x
``num_nodes``. The dataset size is not in the config (the user's DataModule loads it), and the
batch size only by the user's own name for it (``data.batch_size`` is common).

:func:`translate` turns the mapping into an lrplot spec mapping, with the path each key was
written at (for messages) and a note of what it read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrplot.errors import SpecError
from lrplot.frameworks.lightning import DEFAULT_MAX_EPOCHS

OPTIMIZER_MODULES = ("torch.optim.",)
SCHEDULER_MODULES = (
    "torch.optim.lr_scheduler.",
    "torch.optim.swa_utils.",
    "lightning.pytorch.cli.",
    "pytorch_lightning.cli.",
)
TRAINER_KEYS = ("max_epochs", "max_steps", "accumulate_grad_batches", "limit_train_batches")
NOT_IN_CLI = {
    "interval": (
        "LightningCLI does not accept 'interval' here (jsonargparse: Option 'interval' is not "
        "accepted): it steps its lr_scheduler once per epoch. If your LightningCLI subclass "
        "overrides configure_optimizers to return interval 'step', remove this key and run "
        "lrplot lightning with --interval step"
    ),
    "frequency": (
        "LightningCLI does not accept 'frequency' here: its lr_scheduler steps every epoch. If "
        "your configure_optimizers returns a frequency, remove this key and pass --frequency"
    ),
}


@dataclass
class Translation:
    """The spec mapping, where each of its key paths was written, and what was read."""

    spec: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Fail = Callable[[str, str], SpecError]


def _class(
    value: Any, path: str, modules: tuple[str, ...], what: str, fail: Fail
) -> tuple[str, dict[str, Any], str]:
    """``(class name, init_args, the path of the name)`` of a ``class_path`` mapping or a short
    class name."""
    if isinstance(value, str):
        return _short(value, path, modules, what, fail), {}, path
    if not isinstance(value, dict):
        raise fail(path, f"must be a class name or {{class_path, init_args}}, got {value!r}")
    for key in value:
        if key in NOT_IN_CLI and what == "scheduler":
            raise fail(f"{path}.{key}", NOT_IN_CLI[key])
        if key not in ("class_path", "init_args"):
            raise fail(f"{path}.{key}", f"unknown key {key!r} (LightningCLI takes class_path, "
                       "init_args)")  # fmt: skip
    if "class_path" not in value:
        raise fail(path, "missing class_path")
    args = value.get("init_args") or {}
    if not isinstance(args, dict):
        raise fail(f"{path}.init_args", "must be a mapping of the constructor's arguments")
    for key in args:
        if key in NOT_IN_CLI and what == "scheduler":
            raise fail(f"{path}.init_args.{key}", NOT_IN_CLI[key])
    name = _short(value["class_path"], f"{path}.class_path", modules, what, fail)
    return name, dict(args), f"{path}.class_path"


def _short(value: Any, path: str, modules: tuple[str, ...], what: str, fail: Fail) -> str:
    if not isinstance(value, str) or not value:
        raise fail(path, f"must be a class path such as {modules[0]}X, got {value!r}")
    if "." in value and not value.startswith(modules):
        raise fail(
            path,
            f"{value} is not a torch {what} (lrplot draws the classes of {', '.join(modules)})",
        )
    return value.rsplit(".", 1)[-1]


def _world_size(trainer: dict[str, Any], given: int | None, out: Translation) -> int:
    if given is not None:
        return given
    devices, nodes = trainer.get("devices", 1), trainer.get("num_nodes", 1)
    if isinstance(devices, list):
        devices = len(devices)
    if isinstance(devices, str) and devices.isdigit():
        devices = int(devices)
    if not isinstance(devices, int) or isinstance(devices, bool) or devices < 1:
        out.notes.append(
            f"trainer.devices is {devices!r}: lrplot counts 1 device; pass --world-size"
        )
        devices = 1
    if not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 1:
        nodes = 1
    return devices * nodes


def translate(data: Any, options: dict[str, Any], fail: Fail) -> Translation:
    """A LightningCLI config mapping as an lrplot spec. ``options``: the command line's
    ``dataset_size``, ``batch_size``, ``world_size``, ``drop_last``, ``interval``, ``frequency``
    (None where not given)."""
    if not isinstance(data, dict):
        raise fail("", "a LightningCLI config is a mapping (trainer:, optimizer:, lr_scheduler:)")
    out = Translation()
    for key, what in (("optimizer", "an optimizer"), ("lr_scheduler", "an lr_scheduler")):
        if data.get(key) is None:
            raise fail(
                "",
                f"the config has no {key}: the LightningModule's own configure_optimizers "
                f"builds {what}, and lrplot cannot read Python; add {key}: {{class_path: ..., "
                "init_args: ...}}",
            )
    opt, opt_args, opt_path = _class(data["optimizer"], "optimizer", OPTIMIZER_MODULES,
                                     "optimizer", fail)  # fmt: skip
    sched, sched_args, sched_path = _class(
        data["lr_scheduler"], "lr_scheduler", SCHEDULER_MODULES, "scheduler", fail
    )
    lightning: dict[str, Any] = {"interval": options.get("interval") or "epoch"}
    monitor = sched_args.pop("monitor", None)  # lightning.pytorch.cli.ReduceLROnPlateau's
    if monitor is not None:
        lightning["monitor"] = monitor
        out.aliases["lightning.monitor"] = "lr_scheduler.init_args.monitor"
    if options.get("frequency") is not None:
        lightning["frequency"] = options["frequency"]
    trainer = data.get("trainer") or {}
    if not isinstance(trainer, dict):
        raise fail("trainer", "must be a mapping of Trainer arguments")
    for key in TRAINER_KEYS:
        if trainer.get(key) is not None:
            lightning[key] = trainer[key]
            out.aliases[f"lightning.{key}"] = f"trainer.{key}"
            out.read.append(f"trainer.{key}")
    if trainer.get("max_epochs") is None and trainer.get("max_steps", -1) in (-1, None):
        lightning["max_epochs"] = DEFAULT_MAX_EPOCHS
        out.notes.append(
            "trainer.max_epochs is not set: Lightning trains 1000 epochs (it warns "
            "'max_epochs was not set'); set trainer.max_epochs"
        )
    out.spec = {
        "optimizer": {"type": opt, **opt_args},
        "scheduler": {"type": sched, **sched_args},
        "lightning": lightning,
        "data": _data(data, options, trainer, out),
    }
    out.aliases.update(
        {
            "optimizer.type": opt_path,
            "optimizer": "optimizer.init_args",
            "scheduler.type": sched_path,
            "scheduler": "lr_scheduler.init_args",
            "lightning": "trainer",
        }
    )
    out.read[:0] = [opt_path, sched_path]
    return out


def _data(
    data: dict[str, Any], options: dict[str, Any], trainer: dict[str, Any], out: Translation
) -> dict[str, Any]:
    """``data:`` from the flags, the batch size also from the config's ``data.batch_size``."""
    found: dict[str, Any] = {}
    if options.get("dataset_size") is not None:
        found["dataset_size"] = options["dataset_size"]
    batch = options.get("batch_size")
    if batch is None:
        module = data.get("data")
        if isinstance(module, dict):
            inner = module.get("init_args")
            args: dict[str, Any] = inner if isinstance(inner, dict) else module
            if "batch_size" in args:
                batch = args["batch_size"]
                where = "data.init_args" if args is not module else "data"
                out.aliases["data.batch_size"] = f"{where}.batch_size"
                out.read.append(f"{where}.batch_size")
    if batch is not None:
        found["batch_size"] = batch
    found["world_size"] = _world_size(trainer, options.get("world_size"), out)
    if options.get("world_size") is None:
        out.aliases["data.world_size"] = "trainer.devices"
    if options.get("drop_last"):
        found["drop_last"] = True
    return found
