"""Constructor signatures as lrplot reads them: an annotation and a default -> a :class:`Param`.

Used on torch's source (read with :mod:`ast`) and, where the source is missing, on
``inspect.signature``. ``Args:`` sections of docstrings give each argument its description.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Any

from lrplot.params import MISSING, Kind, Param

# Constructor arguments lrplot supplies itself and never takes from the user.
SUPPLIED = {"self", "optimizer", "params", "last_epoch", "verbose"}


def docstring(node: ast.ClassDef) -> str:
    doc = ast.get_docstring(node) or ""
    return " ".join(doc.split("\n\n")[0].split())


def arg_docs(doc: str) -> tuple[tuple[str, str], ...]:
    """(name, first sentence) for each entry of a Google-style ``Args:`` section."""
    match = re.search(r"^\s*Args:\s*$(.*?)(?=^\s*\w[\w ]*:\s*$|\Z)", doc, re.M | re.S)
    if not match:
        return ()
    found = []
    for entry in re.finditer(
        r"^\s{2,8}(\w+)\s*(?:\([^)]*\))?:\s*(.*?)(?=^\s{2,8}\w+\s*(?:\([^)]*\))?:|\Z)",
        match.group(1),
        re.M | re.S,
    ):
        text = " ".join(entry.group(2).split())
        text = re.sub(r"``?([^`]+)``?", r"\1", text).replace(":attr:", "").replace(":class:", "")
        found.append((entry.group(1), text.split(". ")[0].rstrip(".")))
    return tuple(found)


def _unparse(node: ast.expr | None) -> str:
    return ast.unparse(node) if node is not None else ""


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    from lrplot.expr import evaluate_constant  # e.g. ``factor: float = 1.0 / 3``

    try:
        return evaluate_constant(ast.unparse(node))
    except Exception:
        return MISSING


def _split_union(annotation: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in annotation:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def _kind(annotation: str, default: Any) -> tuple[Kind, bool, tuple[str, ...], int]:
    """(kind, optional, choices, tuple length) for an annotation string."""
    text = annotation.replace("typing.", "").replace("torch.", "").replace("collections.abc.", "")
    optional_match = re.fullmatch(r"Optional\[(.*)\]", text)
    if optional_match:
        text = optional_match.group(1) + " | None"
    parts = _split_union(text)
    optional = "None" in parts or default is None
    parts = [p for p in parts if p != "None"]
    joined = " | ".join(parts)
    if not parts:
        return _kind_of_value(default), default is None, (), 0
    if "Callable" in joined:
        return (Kind.EXPR_OR_LIST if "list[" in joined else Kind.EXPR), optional, (), 0
    if "LRScheduler" in joined:
        return Kind.SCHEDULERS, optional, (), 0
    literal = re.fullmatch(r"Literal\[(.*)\]", joined)
    if literal:
        choices = tuple(re.findall(r"['\"]([^'\"]*)['\"]", literal.group(1)))
        return Kind.CHOICE, optional, choices, 0
    if parts[0].startswith("tuple["):
        inner = _split_commas(parts[0][len("tuple[") : -1])
        if all(re.fullmatch(r"(float|int)( \| Tensor)?( \| None)?", p) for p in inner):
            return Kind.FLOAT_TUPLE, optional, (), len(inner)
        return Kind.ANY, optional, (), 0
    scalars = {p for p in parts if p in {"float", "int", "Tensor", "SupportsFloat", "bool", "str"}}
    lists = [p for p in parts if re.fullmatch(r"(list|Iterable|Sequence)\[(int|float)\]", p)]
    if lists and "float" in scalars | {lists[0][-6:-1]}:
        return Kind.FLOAT_OR_LIST, optional, (), 0
    if lists and not scalars:
        return (Kind.INT_LIST if "int" in lists[0] else Kind.FLOAT_TUPLE), optional, (), 0
    if scalars == {"int"}:
        return Kind.INT, optional, (), 0
    if scalars and scalars <= {"float", "int", "Tensor", "SupportsFloat"}:
        return Kind.FLOAT, optional, (), 0
    if scalars == {"bool"}:
        return Kind.BOOL, optional, (), 0
    if scalars == {"str"}:
        return Kind.STR, optional, (), 0
    return Kind.ANY, optional, (), 0


def _split_commas(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "["
        depth -= char == "]"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _kind_of_value(value: Any) -> Kind:
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, int):
        return Kind.INT
    if isinstance(value, float):
        return Kind.FLOAT
    if isinstance(value, str):
        return Kind.STR
    return Kind.ANY


def make_param(name: str, annotation: str, default: Any, default_text: str, doc: str = "") -> Param:
    """A Param for a constructor argument, from its annotation and default as torch writes them.

    Bounds are not known here: the family (or the optimizer check) adds lrplot's rules.
    """
    kind, optional, choices, length = _kind(annotation, default)
    return Param(
        name=name,
        kind=kind,
        doc=doc,
        default=default,
        required=default_text == "",
        optional=optional,
        choices=choices,
        length=length,
        variable="x" if name == "scale_fn" else "epoch",
        annotation=annotation,
        default_text=default_text,
        default_note=f"torch default: {default_text}" if default_text else "required",
    )


def params_of(function: ast.FunctionDef) -> tuple[Param, ...]:
    args = function.args
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    pairs = list(zip(positional, defaults, strict=True))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    params = []
    for arg, default_node in pairs:
        if arg.arg in SUPPLIED:
            continue
        default = _literal(default_node) if default_node is not None else MISSING
        params.append(
            make_param(arg.arg, _unparse(arg.annotation), default, _unparse(default_node))
        )
    return tuple(params)


def with_docs(params: tuple[Param, ...], docs: tuple[tuple[str, str], ...]) -> tuple[Param, ...]:
    """``params`` with each one's description from a docstring's ``Args:`` section."""
    found = dict(docs)
    return tuple(replace(p, doc=found.get(p.name, p.doc)) for p in params)
