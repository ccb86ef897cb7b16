"""``lightning:`` and ``huggingface:``: a framework's settings as the loop of a run.

A framework block says how the training loop around the scheduler runs: its interval and
frequency, its epochs and ``max_steps``, its batch size and accumulation (which ``data:`` then
need not repeat), and how it shards the data over devices. What each framework does is
:mod:`lrplot.frameworks`' to say; this module validates the block and hands back a :class:`Frame`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrplot import loop
from lrplot.config.context import Checker
from lrplot.config.data import Given
from lrplot.frameworks import lightning
from lrplot.params import validate

FRAMEWORK_KEYS = ("lightning",)


@dataclass(frozen=True)
class Frame:
    """What a framework block says about the loop (an empty Frame: a plain loop)."""

    name: str = ""  # "", "lightning", "huggingface"
    given: Given = field(default_factory=Given)
    interval: str | None = None  # None: the run's own interval (top level, or the family's)
    frequency: int = 1
    epochs: int | None = None
    max_steps: int | None = None
    monitor: str | None = None
    path: str = ""  # the key path of the block
    notes: tuple[str, ...] = ()


def misplaced(ck: Checker, data: dict[str, Any], path: str) -> None:
    """A framework key written beside the scheduler instead of in its block (an unknown key
    otherwise, with no useful suggestion)."""
    for key in data:
        if key in lightning.MISPLACED and key != "interval":
            where = f"{path}.{key}" if path else key
            raise ck.fail(where, f"unknown key {key!r}: {lightning.MISPLACED[key]}")


def check_frame(
    ck: Checker, data: dict[str, Any], owner: dict[str, str], given: dict[str, Any]
) -> Frame:
    """The framework block of a curve, if it has one."""
    chosen = [key for key in FRAMEWORK_KEYS if data.get(key) is not None]
    if len(chosen) > 1:
        raise ck.fail(owner[chosen[1]], f"give one of {' or '.join(chosen)}, not both")
    if not chosen:
        return Frame()
    return _lightning(ck, data, owner, given)


def _lightning(
    ck: Checker, data: dict[str, Any], owner: dict[str, str], given: dict[str, Any]
) -> Frame:
    path = owner["lightning"]
    block = ck.mapping(data["lightning"], path, lightning.KEYS)
    values: dict[str, Any] = {}
    for param in lightning.LIGHTNING_PARAMS:
        if param.name not in block:
            values[param.name] = param.default
        elif param.name == "config":
            continue  # read by lrplot.config.include
        elif param.name == "limit_train_batches":
            problem = lightning.limit_problem(block[param.name])
            if problem:
                raise ck.fail(f"{path}.{param.name}", problem)
            values[param.name] = block[param.name]
        else:
            values[param.name] = validate(param, block[param.name], f"{path}.{param.name}", ck.fail)
    if "interval" in given:
        raise ck.fail(owner["interval"], lightning.MISPLACED["interval"])
    epochs, max_steps = values["max_epochs"], values["max_steps"]
    if "epochs" in given and epochs is not None:
        raise ck.fail(owner["epochs"], f"give epochs or {ck.name(path + '.max_epochs')}, not both")
    if epochs is None:
        epochs = given.get("epochs")
    for name, value in (("max_epochs", epochs), ("max_steps", max_steps)):
        if value == 0:
            raise ck.fail(f"{path}.{name}", f"{name} 0 trains nothing")
    if epochs == -1 and max_steps == -1:
        raise ck.fail(f"{path}.max_epochs", "max_epochs -1 needs max_steps: the run has no end")
    accumulate = values["accumulate_grad_batches"]
    return Frame(
        name="lightning",
        given=Given(
            loop.SAMPLER,
            {"accumulate": accumulate} if "accumulate_grad_batches" in block else {},
            {"accumulate": f"{path}.accumulate_grad_batches"},
            values["limit_train_batches"],
        ),
        interval=values["interval"],
        frequency=values["frequency"],
        epochs=None if epochs == -1 else epochs,
        max_steps=None if max_steps == -1 else max_steps,
        monitor=values["monitor"],
        path=path,
        notes=tuple(ck.doc.notes.get(path, ())),
    )
