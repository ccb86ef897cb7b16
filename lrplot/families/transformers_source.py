"""The schedules of the *installed* transformers' ``get_scheduler``, read from its source.

As for torch (:mod:`lrplot.families.torch_source`), the catalogue is read with :mod:`ast`, not by
importing transformers (several seconds): ``SchedulerType`` in ``trainer_utils.py`` gives the
names, ``TYPE_TO_SCHEDULER_FUNCTION`` in ``optimization.py`` the function behind each, and each
function's signature and docstring its parameters. A function that passes ``**kwargs`` on to a
class (``GreedyLR``, torch's ``ReduceLROnPlateau``) takes that class's parameters, and is stepped
with a metric when the class's ``step`` needs one. A name a newer transformers adds is listed,
checked and drawn with no change here.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from dataclasses import dataclass, replace
from pathlib import Path

from lrplot.families.torch_signature import arg_docs, params_of, with_docs
from lrplot.params import Param

WARMUP = "num_warmup_steps"
TRAINING = "num_training_steps"


@dataclass(frozen=True)
class Schedule:
    name: str  # the SchedulerType value: "cosine_with_min_lr"
    function: str  # "get_cosine_with_min_lr_schedule_with_warmup"
    params: tuple[Param, ...]  # what scheduler_specific_kwargs may hold
    warmup: bool  # the function takes num_warmup_steps
    training: bool  # the function takes num_training_steps
    metric: bool  # stepped with step(metrics)
    doc: str  # the docstring's first paragraph
    forwards: str = ""  # the class its **kwargs go to

    @property
    def summary(self) -> str:
        first = self.doc.split(". ")[0].strip().rstrip(".")
        return first + "." if first else ""


def package_dir(name: str) -> Path | None:
    """The folder of an installed package, found without importing it; None if absent."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):  # a parent failed to import, or sys.modules[name] is None
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown version"


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.strip().split("\n\n")[0].split())


def _enum_values(tree: ast.Module, name: str) -> dict[str, str]:
    """``SchedulerType.LINEAR`` -> ``"linear"``, from the enum's class body."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return {
                item.targets[0].id: item.value.value
                for item in node.body
                if isinstance(item, ast.Assign)
                and isinstance(item.targets[0], ast.Name)
                and isinstance(item.value, ast.Constant)
                and isinstance(item.value.value, str)
            }
    return {}


def _mapping(tree: ast.Module, name: str) -> dict[str, str]:
    """``TYPE_TO_SCHEDULER_FUNCTION``: enum member -> function name."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
            and isinstance(node.value, ast.Dict)
        ):
            return {
                key.attr: value.id
                for key, value in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(key, ast.Attribute) and isinstance(value, ast.Name)
            }
    return {}


def _forwarded(function: ast.FunctionDef) -> str:
    """The class a ``def f(optimizer, **kwargs): return Cls(optimizer, **kwargs)`` returns."""
    if function.args.kwarg is None:
        return ""
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            call = node.value.func
            if isinstance(call, ast.Name) and any(k.arg is None for k in node.value.keywords):
                return call.id
    return ""


def _method(node: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    return next(
        (item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == name),
        None,
    )


def _needs_metric(step: ast.FunctionDef | None) -> bool:
    """``def step(self, metrics, epoch=None)``: a positional argument without a default."""
    if step is None:
        return False
    positional = step.args.posonlyargs + step.args.args
    return len(positional) - len(step.args.defaults) > 1


def _noted(params: tuple[Param, ...]) -> tuple[Param, ...]:
    return tuple(
        replace(p, default_note=f"transformers default: {p.default_text}") if p.default_text else p
        for p in params
    )


def _schedule(name: str, function: ast.FunctionDef, tree: ast.Module) -> Schedule:
    doc = ast.get_docstring(function) or ""
    params = with_docs(params_of(function), arg_docs(doc))
    target = _forwarded(function)
    metric = False
    if target:
        classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        if target in classes:
            init = _method(classes[target], "__init__")
            class_doc = ast.get_docstring(classes[target]) or ""
            params = with_docs(params_of(init), arg_docs(class_doc)) if init else ()
            metric = _needs_metric(_method(classes[target], "step"))
        else:  # a torch class: ReduceLROnPlateau
            from lrplot.families import torch_rules, torch_source

            info = torch_source.schedulers().get(target)
            if info is not None:
                params = tuple(torch_rules.with_rules(p) for p in info.params)
                metric = target == torch_rules.PLATEAU
    names = {p.name for p in params}
    own = tuple(p for p in params if p.name not in (WARMUP, TRAINING))
    return Schedule(
        name=name,
        function=function.name,
        params=_noted(own),
        warmup=WARMUP in names,
        training=TRAINING in names,
        metric=metric,
        doc=_first_paragraph(doc),
        forwards=target,
    )


@functools.lru_cache(maxsize=1)
def schedules() -> dict[str, Schedule]:
    """Every ``get_scheduler`` name of the installed transformers, in its order; ``{}`` when
    transformers is not installed."""
    root = package_dir("transformers")
    if root is None:
        return {}
    types = _parse(root / "trainer_utils.py")
    optimization = _parse(root / "optimization.py")
    if types is None or optimization is None:
        return {}
    values = _enum_values(types, "SchedulerType")
    functions = {node.name: node for node in optimization.body if isinstance(node, ast.FunctionDef)}
    found = {}
    for member, function in _mapping(optimization, "TYPE_TO_SCHEDULER_FUNCTION").items():
        if member in values and function in functions:
            found[values[member]] = _schedule(values[member], functions[function], optimization)
    return found
