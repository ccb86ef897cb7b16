"""The catalogue of schedulers and optimizers in the *installed* torch.

It is read from torch's source with :mod:`ast`, not by importing torch, so that ``lrplot --help``,
``lrplot list`` and spec errors never pay the 1+ s ``import torch``. A class is a scheduler when
its bases lead to ``LRScheduler`` inside ``torch/optim/lr_scheduler.py``; ``SWALR`` comes from
``torch/optim/swa_utils.py``. A newer torch's new schedulers therefore show up with no code change.
Where torch's source is not on disk, the same catalogue is built with ``inspect`` instead.
The test-suite checks the catalogue against ``inspect.signature`` of the real classes.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrplot.errors import SpecError, close_match
from lrplot.families.torch_signature import (
    SUPPLIED,
    arg_docs,
    docstring,
    make_param,
    params_of,
    with_docs,
)
from lrplot.params import MISSING, Param


@dataclass(frozen=True)
class ClassInfo:
    name: str  # the class name in torch, e.g. "CosineAnnealingLR"
    module: str  # e.g. "torch.optim.lr_scheduler"
    params: tuple[Param, ...]
    doc: str  # the docstring's first paragraph
    param_docs: tuple[tuple[str, str], ...] = ()  # (argument, description) from the "Args:" section

    @property
    def summary(self) -> str:
        first = self.doc.split(". ")[0].strip().rstrip(".")
        return first + "." if first else ""

    def param_doc(self, name: str) -> str:
        return dict(self.param_docs).get(name, "")

    def param(self, name: str) -> Param | None:
        for param in self.params:
            if param.name == name:
                return param
        return None


def kebab(name: str) -> str:
    """``CosineAnnealingLR`` -> ``cosine-annealing-lr``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


# ---------------------------------------------------------------------------------------------
# Reading torch's source


def _torch_dir() -> Path | None:
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SpecError("torch is not installed; install it with `pip install torch`")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _base_names(node: ast.ClassDef) -> list[str]:
    names = []
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.append(base.id)
        elif isinstance(base, ast.Attribute):
            names.append(base.attr)
    return names


def _init_of(name: str, classes: dict[str, ast.ClassDef]) -> ast.FunctionDef | None:
    """The ``__init__`` a class uses, following its bases inside the module."""
    seen = set()
    todo = [name]
    while todo:
        current = todo.pop(0)
        if current in seen or current not in classes:
            continue
        seen.add(current)
        for item in classes[current].body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                return item
        todo.extend(_base_names(classes[current]))
    return None


def _descends(name: str, root: str, classes: dict[str, ast.ClassDef]) -> bool:
    seen = set()
    todo = _base_names(classes[name])
    while todo:
        current = todo.pop()
        if current == root:
            return True
        if current in seen or current not in classes:
            continue
        seen.add(current)
        todo.extend(_base_names(classes[current]))
    return False


def _ancestors(name: str, classes: dict[str, ast.ClassDef]) -> list[str]:
    """Every base name reachable from ``name``, including bases defined in other modules."""
    found: list[str] = []
    todo = _base_names(classes[name])
    while todo:
        current = todo.pop(0)
        if current in found:
            continue
        found.append(current)
        if current in classes:
            todo.extend(_base_names(classes[current]))
    return found


def _public_class(name: str) -> bool:
    return not name.startswith("_")


def _from_source(
    tree: ast.Module, module: str, root: str, keep: Callable[[str], bool]
) -> dict[str, ClassInfo]:
    classes = _classes(tree)
    found = {}
    for name, node in classes.items():
        if name == root or not keep(name) or not _descends(name, root, classes):
            continue
        init = _init_of(name, classes)
        params = params_of(init) if init is not None else ()
        docs = arg_docs(ast.get_docstring(node) or "")
        found[name] = ClassInfo(name, module, with_docs(params, docs), docstring(node), docs)
    return found


def _from_inspect(objects: dict[str, Any], module: str) -> dict[str, ClassInfo]:
    import inspect

    found = {}
    for name, cls in objects.items():
        params = []
        for p in inspect.signature(cls).parameters.values():
            if p.name in SUPPLIED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            annotation = "" if p.annotation is p.empty else str(p.annotation)
            default = MISSING if p.default is p.empty else p.default
            text = "" if p.default is p.empty else repr(p.default)
            params.append(make_param(p.name, annotation, default, text))
        full = inspect.getdoc(cls) or ""
        doc = " ".join(full.split("\n\n")[0].split())
        docs = arg_docs(full)
        found[name] = ClassInfo(name, module, with_docs(tuple(params), docs), doc, docs)
    return found


@functools.lru_cache(maxsize=1)
def schedulers() -> dict[str, ClassInfo]:
    """Every scheduler class of the installed torch, by class name, in torch's order."""
    root = _torch_dir()
    assert root is not None
    main = _parse(root / "optim" / "lr_scheduler.py")
    swa = _parse(root / "optim" / "swa_utils.py")
    if main is None or swa is None:
        return _schedulers_by_import()
    found = _from_source(main, "torch.optim.lr_scheduler", "LRScheduler", _public_class)
    # ReduceLROnPlateau did not derive from LRScheduler before torch 2.2's refactor.
    if "ReduceLROnPlateau" not in found and "ReduceLROnPlateau" in _classes(main):
        found.update(
            _from_source(
                main, "torch.optim.lr_scheduler", "object", lambda n: n == "ReduceLROnPlateau"
            )
        )
    found.update(_from_source(swa, "torch.optim.swa_utils", "LRScheduler", _public_class))
    return found


def _schedulers_by_import() -> dict[str, ClassInfo]:
    import inspect

    import torch.optim.lr_scheduler as lr_scheduler
    import torch.optim.swa_utils as swa_utils

    def collect(module: Any) -> dict[str, Any]:
        return {
            name: obj
            for name, obj in vars(module).items()
            if inspect.isclass(obj)
            and _public_class(name)
            and obj.__module__ == module.__name__
            and obj is not lr_scheduler.LRScheduler
            and (issubclass(obj, lr_scheduler.LRScheduler) or name == "ReduceLROnPlateau")
        }

    found = _from_inspect(collect(lr_scheduler), lr_scheduler.__name__)
    found.update(_from_inspect(collect(swa_utils), swa_utils.__name__))
    return found


@functools.lru_cache(maxsize=1)
def _optimizer_modules() -> dict[str, str]:
    """Optimizer class name -> the torch.optim module file that defines it."""
    root = _torch_dir()
    assert root is not None
    init = _parse(root / "optim" / "__init__.py")
    if init is None:
        return {}
    names: dict[str, str] = {}
    for node in init.body:
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            module = node.module.removeprefix("torch.optim.").lstrip(".")
            for alias in node.names:
                if alias.name[:1].isupper():
                    names[alias.asname or alias.name] = module
    return names


@functools.cache
def optimizer(name: str) -> ClassInfo | None:
    """The optimizer class ``name`` of the installed torch, read from its source, or None."""
    module = _optimizer_modules().get(name)
    root = _torch_dir()
    assert root is not None
    if module is not None:
        tree = _parse(root / "optim" / (module.replace(".", "/") + ".py"))
        if tree is not None:
            classes = _classes(tree)
            if name not in classes:
                return None
            # A base may be another optimizer from a sibling module: AdamW(Adam).
            outside = [
                base
                for base in _ancestors(name, classes)
                if base not in classes and base != name and base in _optimizer_modules()
            ]
            parents = [info for info in map(optimizer, outside) if info is not None]
            if not (_descends(name, "Optimizer", classes) or parents):
                return None
            init = _init_of(name, classes)
            if init is not None:
                params = params_of(init)
            else:
                params = parents[0].params if parents else ()
            docs = arg_docs(ast.get_docstring(classes[name]) or "")
            doc = docstring(classes[name])
            return ClassInfo(name, "torch.optim", with_docs(params, docs), doc, docs)
    if not _optimizer_modules():  # no source: ask torch itself
        import torch.optim

        cls = getattr(torch.optim, name, None)
        if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer):
            return _from_inspect({name: cls}, "torch.optim")[name]
    return None


def optimizer_names() -> list[str]:
    return sorted(name for name in _optimizer_modules() if optimizer(name) is not None)


def resolve_optimizer(name: Any) -> ClassInfo:
    if not isinstance(name, str):
        raise SpecError(f"the optimizer type must be a name, got {type(name).__name__}")
    info = optimizer(name)
    if info is None:
        # Case does not matter where it is unambiguous: adam, ADAMW, sgd.
        same = [known for known in _optimizer_modules() if known.lower() == name.lower()]
        info = optimizer(same[0]) if len(same) == 1 else None
    if info is None:
        raise SpecError(f"unknown optimizer {name!r}", hint=close_match(name, optimizer_names()))
    return info


def scheduler_class(info: ClassInfo) -> Any:
    """The real torch class (imports torch)."""
    import importlib

    return getattr(importlib.import_module(info.module), info.name)


def optimizer_class(info: ClassInfo) -> Any:
    import torch.optim

    return getattr(torch.optim, info.name)
