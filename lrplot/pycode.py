"""Python source text for the code export: allowlisted expressions as lambdas, and calls laid
out to fit 99 columns. Used by every family's ``code`` and by ``lrplot code``."""

from __future__ import annotations

import ast
import math
from typing import Any

from lrplot.expr import Expression

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
    Expression(text, variable)  # the text passed lrplot's checks, so the walk below is total
    return _source(ast.parse(text.strip(), mode="eval").body, variable)


def _source(node: ast.expr, variable: str) -> str:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return literal(float(node.value))
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


def lambda_source(text: str, variable: str) -> str:
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


def literal(value: Any) -> str:
    """``repr(value)`` as Python source that runs: ``repr`` writes a non-finite float as
    ``nan``/``inf``, names no script defines, so those become ``math.nan``/``math.inf`` (also
    inside lists, tuples and dicts). ``import math`` heads every emitted script."""
    if isinstance(value, float) and not math.isfinite(value):
        return "math.nan" if math.isnan(value) else ("-math.inf" if value < 0 else "math.inf")
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def call_source(head: str, args: list[str], indent: str, used: int) -> str:
    """``head(a, b)`` on one line if it fits in 99 columns after ``used`` characters, else one
    argument per line."""
    one = f"{head}({', '.join(args)})"
    if "\n" not in one and len(indent) + used + len(one) <= 99:
        return one
    inner = indent + "    "
    return f"{head}(\n" + "".join(f"{inner}{arg},\n" for arg in args) + f"{indent})"
