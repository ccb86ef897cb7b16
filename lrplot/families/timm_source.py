"""The schedules of the *installed* timm's ``create_scheduler_v2``, read from its source.

timm takes seconds to import (it loads torchvision and its models), so, as for torch and
transformers, the catalogue is read with :mod:`ast` from ``timm/scheduler/scheduler_factory.py``:
the factory's parameters from its signature (with the descriptions of its ``Args:`` section),
and its ``sched`` names from the comparisons ``sched == 'cosine'`` / ``sched in ('wsd',
'rsqrt')`` in its body, each with the scheduler class its branch builds.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, replace

from lrplot.families.torch_signature import make_param
from lrplot.families.transformers_source import package_dir
from lrplot.params import MISSING, Kind, Param

FACTORY = "create_scheduler_v2"
FILLED = ("optimizer", "sched", "updates_per_epoch")  # what lrplot passes itself


@dataclass(frozen=True)
class Schedule:
    name: str  # the `sched` value: "cosine"
    cls: str  # the class its branch builds: "CosineLRScheduler" ("" for "none")

    @property
    def metric(self) -> bool:
        return "Plateau" in self.cls


@dataclass(frozen=True)
class Factory:
    params: tuple[Param, ...]
    schedules: dict[str, Schedule]
    doc: str


def _docs(doc: str) -> dict[str, str]:
    """``name: description`` lines of the docstring's ``Args:`` section (one paragraph each)."""
    body = doc.split("Args:", 1)[-1].split("Returns:", 1)[0]
    found: dict[str, str] = {}
    current = ""
    for line in body.splitlines():
        match = re.match(r"\s{4,8}(\w+):\s*(.*)", line)
        if match and match.group(1) not in found:
            current = match.group(1)
            found[current] = match.group(2)
        elif current and line.strip():
            found[current] += " " + line.strip()
    return found


def _annotation(text: str) -> str:
    """timm writes typing's ``List[int]`` and ``Union[a, b]``; lrplot reads ``list[int]``."""
    text = text.replace("List[", "list[")
    union = re.fullmatch(r"Union\[(.*)\]", text)
    if union:
        text = " | ".join(part.strip() for part in union.group(1).split(","))
    return text


def _params(function: ast.FunctionDef) -> tuple[Param, ...]:
    docs = _docs(ast.get_docstring(function) or "")
    args = function.args.args
    defaults = [None] * (len(args) - len(function.args.defaults)) + list(function.args.defaults)
    found = []
    for arg, node in zip(args, defaults, strict=True):
        if arg.arg in FILLED:
            continue
        text = ast.unparse(node) if node is not None else ""
        try:
            default = ast.literal_eval(node) if node is not None else MISSING
        except ValueError:
            default = MISSING
        if isinstance(default, tuple):
            default = list(default)
        annotation = _annotation(ast.unparse(arg.annotation) if arg.annotation else "")
        param = make_param(arg.arg, annotation, default, text, docs.get(arg.arg, ""))
        if arg.arg == "noise":  # a fraction of the schedule, or [start, end] fractions
            param = replace(param, kind=Kind.ANY)
        found.append(replace(param, default_note=f"timm default: {text}", required=False))
    return tuple(found)


def _compared(test: ast.expr) -> list[str]:
    """The names ``sched`` is compared with: ``sched == 'x'``, ``sched in ('a', 'b')``."""
    if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)):
        return []
    if test.left.id != "sched" or not isinstance(test.ops[0], ast.Eq | ast.In | ast.NotEq):
        return []
    right = test.comparators[0]
    values = right.elts if isinstance(right, ast.Tuple | ast.List) else [right]
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def _built(branch: list[ast.stmt]) -> str:
    for node in ast.walk(ast.Module(body=branch, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id.endswith("Scheduler"):
                return node.func.id
    return ""


def _schedules(function: ast.FunctionDef) -> dict[str, Schedule]:
    found: dict[str, Schedule] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.If):
            for name in _compared(node.test):
                if name not in found:
                    negated = isinstance(node.test, ast.Compare) and isinstance(
                        node.test.ops[0], ast.NotEq
                    )
                    found[name] = Schedule(name, "" if negated else _built(node.body))
    return found


@functools.lru_cache(maxsize=1)
def factory() -> Factory | None:
    """The installed timm's ``create_scheduler_v2``, or None (timm missing or unreadable)."""
    root = package_dir("timm")
    if root is None:
        return None
    try:
        tree = ast.parse((root / "scheduler" / "scheduler_factory.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == FACTORY:
            doc = ast.get_docstring(node) or ""
            return Factory(_params(node), _schedules(node), " ".join(doc.split("\n\n")[0].split()))
    return None
