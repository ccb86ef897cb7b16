"""Importing ``module:attribute`` for the import family, and telling how its product steps.

Callers check the allow-list first: :func:`load` imports (runs code) unconditionally.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from lrplot.errors import SpecError, close_match


class ImportProblem(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@contextlib.contextmanager
def _importable(folders: list[str]) -> Iterator[None]:
    """``folders`` first on ``sys.path`` while importing, and as before afterwards."""
    saved = list(sys.path)
    sys.path[:0] = [f for f in dict.fromkeys(folders) if f not in sys.path]
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path[:] = saved


def load(target: str, folder: str) -> tuple[Any, str | None]:
    """The attribute ``target`` (``module:attr.sub``) names, with ``folder`` (the config's) and
    the current folder importable; and the file of the module that holds it."""
    module_name, _, attribute = target.partition(":")
    with _importable([folder, os.getcwd()]):
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # its own code runs here: any failure is reported, not raised
            raise ImportProblem(
                f"cannot import {module_name!r}: {type(exc).__name__}: {exc}"
            ) from None
    obj: Any = module
    for i, part in enumerate(attribute.split(".")):
        if not hasattr(obj, part):
            owner = ".".join([module_name, *attribute.split(".")[:i]])
            names = [n for n in dir(obj) if not n.startswith("_")]
            raise ImportProblem(f"{owner} has no attribute {part!r}", close_match(part, names))
        obj = getattr(obj, part)
    if not callable(obj):
        raise ImportProblem(f"{target} is a {type(obj).__name__}, not a class or a function")
    return obj, getattr(module, "__file__", None)


def classify(product: Any, name: str, fail: Callable[[str], SpecError]) -> dict[str, Any]:
    """How a built scheduler is stepped: ``steps`` is "timm" (``step_update`` and
    ``step(epoch)``), "metric" (``step`` needs an argument: ReduceLROnPlateau, GreedyLR) or
    "step"; ``metric`` whether it is fed one; ``lr_scheduler`` whether it is a torch
    ``LRScheduler`` (SequentialLR can hold it)."""
    from torch.optim.lr_scheduler import LRScheduler

    step = getattr(product, "step", None)
    if not callable(step):
        raise fail(f"{name} returned a {type(product).__name__}, which has no step() method")
    is_torch = isinstance(product, LRScheduler)
    if callable(getattr(product, "step_update", None)):
        # timm feeds step(epoch, metric) a metric; only its plateau scheduler looks at it.
        plateau = any("Plateau" in cls.__name__ for cls in type(product).__mro__)
        return {"steps": "timm", "metric": plateau, "lr_scheduler": is_torch}
    try:
        params = list(inspect.signature(step).parameters.values())
    except (TypeError, ValueError):
        params = []
    needs = [
        p
        for p in params
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if needs:
        return {"steps": "metric", "metric": True, "lr_scheduler": is_torch}
    return {"steps": "step", "metric": False, "lr_scheduler": is_torch}
