"""``lightning:``: the ``lr_scheduler`` dict of ``configure_optimizers`` and the Trainer
arguments that shape the schedule, checked into a :class:`~lrplot.config.frame.Frame`
(what Lightning does is :mod:`lrplot.frameworks.lightning`'s to say)."""

from __future__ import annotations

from typing import Any

from lrplot import loop
from lrplot.config.context import Checker
from lrplot.config.data import Given
from lrplot.config.frame import Frame
from lrplot.frameworks import lightning
from lrplot.params import validate


def check_lightning(
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
            {"accumulate": f"{path}.accumulate_grad_batches"}
            if "accumulate_grad_batches" in block
            else {},
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
