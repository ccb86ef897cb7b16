"""Spec -> a short, runnable PyTorch script that builds the same optimizer and scheduler.

``lrplot code SPEC.yaml`` prints it. Built-in schedulers become their constructor calls;
recipes bring their factor function and factory along (copied from :mod:`lrplot.recipes`);
``lr_lambda``/``scale_fn`` expressions, which passed lrplot's allowlist and so are plain
arithmetic, become Python lambdas with ``math.*`` functions; ReduceLROnPlateau's metric
becomes the list of values lrplot fed it. The script ends with the training
loop lrplot simulates, recording ``lrs[t][g]`` (the lr of param group ``g`` during optimizer step
``t``), so running it reproduces lrplot's CSV exactly. The test-suite checks that for every file
in ``configs/``.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from lrplot.families import recipes
from lrplot.families.torch_catalog import Kind
from lrplot.spec.checker import (
    PLATEAU,
    CurveSpec,
    FigureSpec,
    MetricSpec,
    OptimizerSpec,
    SchedulerSpec,
)

_FUNCTIONS = {"min": "min", "max": "max", "abs": "abs", "pow": "math.pow"}
_TO_FLOAT = {"round": "round", "floor": "math.floor", "ceil": "math.ceil", "trunc": "math.trunc"}
_CONSTANTS = {"pi": "math.pi", "e": "math.e", "tau": "math.tau"}
_BINOPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def python_expression(text: str, variable: str) -> str:
    """An allowlisted expression as Python source (``cos`` -> ``math.cos``, ``2`` -> ``2.0``).

    The variable, integer literals and ``round``/``floor``/... become floats and ``and``/``or``
    become ``bool(...)``, as in lrplot's own evaluator, so the lambda computes the same numbers
    (down to the sign of a zero: ``copysign(1, -epoch)`` at 0).
    """
    from lrplot.expr import Expression

    Expression(text, variable)  # the text passed lrplot's checks, so the walk below is total
    return _source(ast.parse(text.strip(), mode="eval").body, variable)


def _source(node: ast.expr, variable: str) -> str:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return repr(float(node.value))
    if isinstance(node, ast.Name):
        return f"float({variable})" if node.id == variable else _CONSTANTS[node.id]
    if isinstance(node, ast.BinOp):
        op = _BINOPS[type(node.op)]
        return f"({_source(node.left, variable)} {op} {_source(node.right, variable)})"
    if isinstance(node, ast.UnaryOp):
        operand = _source(node.operand, variable)
        if isinstance(node.op, ast.USub):
            return f"(-{operand})"
        if isinstance(node.op, ast.Not):
            return f"(not {operand})"
        return operand
    if isinstance(node, ast.Compare):
        parts = [_source(node.left, variable)]
        for cmp, right in zip(node.ops, node.comparators, strict=True):
            parts += [_CMPOPS[type(cmp)], _source(right, variable)]
        return "(" + " ".join(parts) + ")"
    if isinstance(node, ast.BoolOp):
        joiner = " and " if isinstance(node.op, ast.And) else " or "
        return "bool(" + joiner.join(_source(v, variable) for v in node.values) + ")"
    if isinstance(node, ast.IfExp):
        body, test = _source(node.body, variable), _source(node.test, variable)
        return f"({body} if {test} else {_source(node.orelse, variable)})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in _TO_FLOAT:
            return f"float({_TO_FLOAT[node.func.id]}({_source(node.args[0], variable)}))"
        name = _FUNCTIONS.get(node.func.id, f"math.{node.func.id}")
        return f"{name}(" + ", ".join(_source(a, variable) for a in node.args) + ")"
    raise AssertionError(f"unexpected node {type(node).__name__} in a checked expression")


def _lambda(text: str, variable: str) -> str:
    body = python_expression(text, variable)
    if body.startswith("(") and body.endswith(")") and _balanced(body[1:-1]):
        body = body[1:-1]
    return f"lambda {variable}: {body}"


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


# -- building blocks -------------------------------------------------------------------------


def _call(head: str, args: list[str], indent: str, used: int) -> str:
    """``head(a, b)`` on one line if it fits in 99 columns after ``used`` characters, else one
    argument per line."""
    one = f"{head}({', '.join(args)})"
    if "\n" not in one and len(indent) + used + len(one) <= 99:
        return one
    inner = indent + "    "
    return f"{head}(\n" + "".join(f"{inner}{arg},\n" for arg in args) + f"{indent})"


def _optimizer(spec: OptimizerSpec) -> str:
    info = spec.info

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
    return _call(f"torch.optim.{info.name}", args, "", len("optimizer = "))


def _scheduler(spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
    if spec.recipe is not None:
        recipe = recipes.RECIPES[spec.recipe]
        args = recipes.call_arguments(spec.recipe, spec.kwargs)
        arguments = ["optimizer"] + [f"{k}={v!r}" for k, v in args.items()]
        return _call(recipe.factory.__name__, arguments, indent, used)
    info = spec.info
    kwargs: dict[str, str] = {}
    for name, item in spec.kwargs.items():
        param = info.param(name)
        if param is not None and param.kind in (Kind.EXPR, Kind.EXPR_OR_LIST):
            variable = "x" if name == "scale_fn" else "epoch"
            if isinstance(item, list):
                kwargs[name] = "[" + ", ".join(_lambda(t, variable) for t in item) + "]"
            else:
                kwargs[name] = _lambda(item, variable)
        else:
            kwargs[name] = repr(item)
    if spec.type == "OneCycleLR" and all(
        spec.kwargs.get(k) is None for k in ("total_steps", "epochs", "steps_per_epoch")
    ):
        kwargs["total_steps"] = repr(curve.scheduler_steps)
    if spec.children:
        inner = indent + "        "
        items = "".join(f"{inner}{_scheduler(c, curve, inner, 1)},\n" for c in spec.children)
        kwargs["schedulers"] = f"[\n{items}{indent}    ]"
    arguments = ["optimizer=optimizer"] + [f"{k}={v}" for k, v in kwargs.items()]
    return _call(f"{info.module}.{info.name}", arguments, indent, used)


def _metric(curve: CurveSpec) -> list[str]:
    import textwrap

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
    plateau = curve.scheduler.type == PLATEAU and curve.scheduler.recipe is None
    per_step = curve.interval == "step"
    if plateau:
        index = f"epoch * {curve.steps_per_epoch} + batch" if per_step else "epoch"
        call = f"scheduler.step(float(metric[{index}]))"
    else:
        call = "scheduler.step()"
    step = "optimizer.step(lambda: torch.zeros(()))" if curve.optimizer.type == "LBFGS" else None
    lines = [
        f"{target} = []  # {target}[t][g]: the lr of param group g during optimizer step t",
        f"for epoch in range({curve.epochs}):",
        f"    for batch in range({curve.steps_per_epoch}):",
        f"        {target}.append([float(group['lr']) for group in optimizer.param_groups])",
        "        # training: loss = ...; loss.backward()",
        f"        {step or 'optimizer.step()'}",
        "        optimizer.zero_grad()",
    ]
    lines.append(f"        {call}" if per_step else f"    {call}")
    return lines


# -- the script --------------------------------------------------------------------------------


def python_code(spec: FigureSpec) -> str:
    """The whole script for a figure: one block per curve."""
    used: list[recipes.Recipe] = []
    for curve in spec.curves:
        for item in curve.scheduler.walk():
            if item.recipe is not None and recipes.RECIPES[item.recipe] not in used:
                used.append(recipes.RECIPES[item.recipe])
    import textwrap

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
    lines += ["import functools"] if used else []
    lines += ["import math"]
    lines += ["from typing import Any"] if used else []
    lines += [""]
    lines += ["import torch"]
    for recipe in used:
        lines += ["", ""]
        lines += inspect.getsource(recipe.factor).rstrip().splitlines()
        lines += ["", ""]
        lines += inspect.getsource(recipe.factory).rstrip().splitlines()
    lines += ["", ""]
    several = len(spec.curves) > 1
    if several:
        lines += ["curves = {}  # label -> lrs"]
    for curve in spec.curves:
        if several:
            lines += ["", f"# -- curve {curve.label!r}"]
        lines += [
            "# A fresh optimizer for every scheduler: schedulers store initial_lr in it.",
            f"optimizer = {_optimizer(curve.optimizer)}",
            f"scheduler = {_scheduler(curve.scheduler, curve, '', len('scheduler = '))}",
        ]
        if curve.scheduler.type == PLATEAU:
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
