"""Spec -> a short, runnable PyTorch script that builds the same optimizer and scheduler.

``lrplot code SPEC.yaml`` prints it. Each scheduler's family writes its constructor call
(``Family.code``), any functions it needs (``Family.code_helpers``: a recipe brings its factor
function and factory) and how the loop steps it (``Family.step_code``). ``lr_lambda``/``scale_fn``
expressions, which passed lrplot's allowlist and so are plain arithmetic, become Python lambdas
with ``math.*`` functions; a plateau scheduler's metric becomes the list of values lrplot fed it.
The script ends with the training loop lrplot simulates, recording ``lrs[t][g]`` (the lr of param
group ``g`` during optimizer step ``t``), so running it reproduces lrplot's CSV exactly. The
test-suite checks that for every file in ``configs/``.
"""

from __future__ import annotations

import textwrap
from typing import Any

from lrplot.errors import SpecError
from lrplot.families import family_of
from lrplot.families import torch_source as torchsource
from lrplot.families.base import StepCode
from lrplot.model import CurveSpec, FigureSpec, MetricSpec, OptimizerSpec
from lrplot.params import Kind
from lrplot.pycode import call_source, python_expression

__all__ = ["python_code", "python_expression"]


def _optimizer(spec: OptimizerSpec) -> str:
    info = torchsource.resolve_optimizer(spec.type)

    def value(name: str, item: Any) -> str:
        param = info.param(name)
        if param is not None and param.kind is Kind.FLOAT_TUPLE:
            return repr(tuple(item))
        return repr(item)

    tensor = "torch.zeros(1, 1, requires_grad=True)"
    if spec.param_groups:
        groups = []
        for group in spec.param_groups:
            extra = "".join(f", {k!r}: {value(k, v)}" for k, v in group.items())
            groups.append(f"        {{'params': [{tensor}]{extra}}},\n")
        params = "[\n" + "".join(groups) + "    ]"
    else:
        params = f"[{tensor}]"
    args = [params] + [f"{k}={value(k, v)}" for k, v in spec.kwargs.items()]
    return call_source(f"torch.optim.{info.name}", args, "", len("optimizer = "))


def _metric(curve: CurveSpec) -> list[str]:
    from lrplot.metrics import metric_values

    spec = curve.metric or MetricSpec()
    values = metric_values(spec, curve.scheduler_steps).tolist()
    # The values themselves, not the formula or file that made them: exact, and self-contained.
    body = textwrap.wrap(", ".join(repr(v) for v in values) + ",", 95)
    return [
        "# The metric ReduceLROnPlateau watches, one value per scheduler step",
        f"# ({' '.join(spec.describe().split())}). In training, pass your validation loss.",
        "metric = [",
        *("    " + line for line in body),
        "]",
    ]


def _loop(curve: CurveSpec, target: str) -> list[str]:
    stepping = family_of(curve.scheduler).step_code(curve.scheduler, curve)
    if curve.frequency > 1:
        return _lightning_loop(curve, target, stepping)
    step = "optimizer.step(lambda: torch.zeros(()))" if curve.optimizer.type == "LBFGS" else None
    cut = curve.max_steps is not None
    lines = [
        f"{target} = []  # {target}[t][g]: the lr of param group g during optimizer step t",
        f"for epoch in range({curve.epochs}):",
        f"    for batch in range({curve.steps_per_epoch}):",
    ]
    if cut:
        lines += [
            f"        if len({target}) == {curve.total_steps}:  # max_steps",
            "            break",
        ]
    lines += [
        f"        {target}.append([float(group['lr']) for group in optimizer.param_groups])",
        "        # training: loss = ...; loss.backward()",
        f"        {step or 'optimizer.step()'}",
        "        optimizer.zero_grad()",
    ]
    if stepping.per_update:
        lines.append(f"        {stepping.per_update}")
    if stepping.per_step:
        lines += _indented(8, stepping.call)
    elif cut:
        lines += ["    else:  # an epoch cut short by max_steps ends without it"]
        lines += _indented(8, stepping.call)
    else:
        lines += _indented(4, stepping.call)
    return lines


def _indented(spaces: int, call: str) -> list[str]:
    """The scheduler's step code (one line, or a hand-written loop's if/else) at ``spaces``."""
    return [" " * spaces + line for line in call.splitlines()]


def _lightning_loop(curve: CurveSpec, target: str, stepping: StepCode) -> list[str]:
    """Lightning's loop: an optimizer step every `accumulate` batches and on an epoch's last
    batch; scheduler.step() on every frequency-th batch index of the epoch, or epoch."""
    if stepping.needs_metric:
        raise SpecError(
            "lrplot code does not write a metric-driven scheduler with a Lightning frequency"
        )
    data = curve.data
    batches = data.batches if data else curve.steps_per_epoch
    accumulate = data.accumulate if data else 1
    frequency = curve.frequency
    lines = [
        f"{target} = []  # {target}[t][g]: the lr of param group g during optimizer step t",
        f"# Lightning: {batches} batches an epoch, accumulate_grad_batches {accumulate}, "
        f"{curve.interval} interval, frequency {frequency}",
        f"for epoch in range({curve.epochs}):",
        f"    for batch in range({batches}):",
        f"        if (batch + 1) % {accumulate} and batch + 1 < {batches}:",
        "            continue  # accumulating gradients: no optimizer step",
        f"        if len({target}) == {curve.total_steps}:  # max_steps",
        "            break",
        f"        {target}.append([float(group['lr']) for group in optimizer.param_groups])",
        "        optimizer.step()",
        "        optimizer.zero_grad()",
    ]
    if stepping.per_update:
        lines.append(f"        {stepping.per_update}")
    if curve.interval == "step":
        lines += [f"        if (batch + 1) % {frequency} == 0:", *_indented(12, stepping.call)]
    else:
        lines += [
            "    else:  # an epoch cut short by max_steps ends without it",
            f"        if (epoch + 1) % {frequency} == 0:",
            *_indented(12, stepping.call),
        ]
    return lines


def _header(spec: FigureSpec, helpers: list[str]) -> list[str]:
    title = " ".join(spec.display_title.split())
    # Comments, not a docstring: a title may hold any characters.
    lines = ["# " + line for line in textwrap.wrap(title, 96) or [""]]
    lines += [
        f"# Generated by `lrplot code {' '.join(spec.source.split())}`: the same optimizer and",
        "# scheduler lrplot plots, and the loop it simulates. In training, pass",
        "# model.parameters() instead of the dummy tensor and compute the loss before",
        "# optimizer.step().",
        "",
    ]
    lines += ["import functools"] if helpers else []
    lines += ["import math"]
    lines += ["from typing import Any"] if helpers else []
    lines += ["", "import torch"]
    for block in helpers:
        lines += ["", "", *block.splitlines()]
    return lines


def python_code(spec: FigureSpec) -> str:
    """The whole script for a figure: one block per curve."""
    helpers: list[str] = []
    for curve in spec.curves:
        scheduler = curve.scheduler
        for block in family_of(scheduler).code_helpers(scheduler):
            if block not in helpers:
                helpers.append(block)
    lines = _header(spec, helpers) + ["", ""]
    several = len(spec.curves) > 1
    if several:
        lines += ["curves = {}  # label -> lrs"]
    for curve in spec.curves:
        family = family_of(curve.scheduler)
        if several:
            lines += ["", f"# -- curve {curve.label!r}"]
        built = family.code(curve.scheduler, curve, "", len("scheduler = "))
        lines += [
            "# A fresh optimizer for every scheduler: schedulers store initial_lr in it.",
            f"optimizer = {_optimizer(curve.optimizer)}",
            f"scheduler = {built}",
        ]
        if family.step_code(curve.scheduler, curve).needs_metric:
            lines += _metric(curve)
        lines += _loop(curve, "lrs")
        if several:
            lines += [f"curves[{curve.label!r}] = lrs"]
    lines += ["", 'if __name__ == "__main__":']
    if several:
        lines += [
            "    for label, lrs in curves.items():",
            "        print(f'{label}: {len(lrs)} steps; lr at the first: {lrs[0]}, "
            "at the last: {lrs[-1]}')",
        ]
    else:
        lines += [
            "    print(f'{len(lrs)} steps; lr at the first: {lrs[0]}, at the last: {lrs[-1]}')"
        ]
    return "\n".join(lines) + "\n"
