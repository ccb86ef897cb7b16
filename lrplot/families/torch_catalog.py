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
import enum
import functools
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrplot.errors import SpecError, close_match

# Short names users type. A scheduler without an alias gets a kebab-case command name.
ALIASES: dict[str, str] = {
    "lambda": "LambdaLR",
    "multiplicative": "MultiplicativeLR",
    "step": "StepLR",
    "multistep": "MultiStepLR",
    "constant": "ConstantLR",
    "linear": "LinearLR",
    "exponential": "ExponentialLR",
    "polynomial": "PolynomialLR",
    "cosine": "CosineAnnealingLR",
    "cosine-warm-restarts": "CosineAnnealingWarmRestarts",
    "cyclic": "CyclicLR",
    "onecycle": "OneCycleLR",
    "plateau": "ReduceLROnPlateau",
    "swa": "SWALR",
    "sequential": "SequentialLR",
    "chained": "ChainedScheduler",
}

# Constructor arguments lrplot supplies itself and never takes from the user.
_SUPPLIED = {"self", "optimizer", "params", "last_epoch", "verbose"}


class Kind(enum.Enum):
    """How a constructor argument is written in YAML and on the command line."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STR = "str"
    CHOICE = "choice"
    INT_LIST = "list of ints"
    FLOAT_OR_LIST = "float or list of floats (one per param group)"
    FLOAT_TUPLE = "list of floats"
    EXPR = "expression"
    EXPR_OR_LIST = "expression or list of expressions (one per param group)"
    SCHEDULERS = "list of schedulers"
    ANY = "value"


_MISSING: Any = object()


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    annotation: str
    default: Any = _MISSING  # the Python value of the default, where it is a plain literal
    default_text: str = ""  # the default as written in torch's source
    optional: bool = False  # None is a legal value
    choices: tuple[str, ...] = ()
    length: int = 0  # FLOAT_TUPLE arity

    @property
    def required(self) -> bool:
        return self.default_text == ""


@dataclass(frozen=True)
class ClassInfo:
    name: str  # the class name in torch, e.g. "CosineAnnealingLR"
    module: str  # e.g. "torch.optim.lr_scheduler"
    params: tuple[Param, ...]
    doc: str  # the docstring's first paragraph
    param_docs: tuple[tuple[str, str], ...] = ()  # (argument, description) from the "Args:" section

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(alias for alias, name in ALIASES.items() if name == self.name)

    @property
    def command(self) -> str:
        aliases = self.aliases
        return aliases[0] if aliases else kebab(self.name)

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


def option_name(param: str) -> str:
    """The CLI spelling of a constructor argument, as torch spells it: ``T_max`` -> ``--T-max``."""
    return "--" + param.replace("_", "-")


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


def _docstring(node: ast.ClassDef) -> str:
    doc = ast.get_docstring(node) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _arg_docs(doc: str) -> tuple[tuple[str, str], ...]:
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
        return _MISSING


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


def make_param(name: str, annotation: str, default: Any, default_text: str) -> Param:
    kind, optional, choices, length = _kind(annotation, default)
    return Param(
        name=name,
        kind=kind,
        annotation=annotation,
        default=default,
        default_text=default_text,
        optional=optional,
        choices=choices,
        length=length,
    )


def _params_of(function: ast.FunctionDef) -> tuple[Param, ...]:
    args = function.args
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    pairs = list(zip(positional, defaults, strict=True))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    params = []
    for arg, default_node in pairs:
        if arg.arg in _SUPPLIED:
            continue
        default = _literal(default_node) if default_node is not None else _MISSING
        params.append(
            make_param(arg.arg, _unparse(arg.annotation), default, _unparse(default_node))
        )
    return tuple(params)


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
        params = _params_of(init) if init is not None else ()
        docs = _arg_docs(ast.get_docstring(node) or "")
        found[name] = ClassInfo(name, module, params, _docstring(node), docs)
    return found


def _from_inspect(objects: dict[str, Any], module: str) -> dict[str, ClassInfo]:
    import inspect

    found = {}
    for name, cls in objects.items():
        params = []
        for p in inspect.signature(cls).parameters.values():
            if p.name in _SUPPLIED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            annotation = "" if p.annotation is p.empty else str(p.annotation)
            default = _MISSING if p.default is p.empty else p.default
            text = "" if p.default is p.empty else repr(p.default)
            params.append(make_param(p.name, annotation, default, text))
        full = inspect.getdoc(cls) or ""
        doc = " ".join(full.split("\n\n")[0].split())
        found[name] = ClassInfo(name, module, tuple(params), doc, _arg_docs(full))
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
                params = _params_of(init)
            else:
                params = parents[0].params if parents else ()
            docs = _arg_docs(ast.get_docstring(classes[name]) or "")
            return ClassInfo(name, "torch.optim", params, _docstring(classes[name]), docs)
    if not _optimizer_modules():  # no source: ask torch itself
        import torch.optim

        cls = getattr(torch.optim, name, None)
        if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer):
            return _from_inspect({name: cls}, "torch.optim")[name]
    return None


def optimizer_names() -> list[str]:
    return sorted(name for name in _optimizer_modules() if optimizer(name) is not None)


def resolve_scheduler(name: Any) -> ClassInfo:
    """A scheduler by class name or alias; SpecError with a suggestion otherwise."""
    catalogue = schedulers()
    if not isinstance(name, str):
        raise SpecError(f"the scheduler type must be a name, got {type(name).__name__}")
    if name in catalogue:
        return catalogue[name]
    if name in ALIASES and ALIASES[name] in catalogue:
        return catalogue[ALIASES[name]]
    by_command = {info.command: info for info in catalogue.values()}
    if name in by_command:
        return by_command[name]
    choices = [*catalogue, *ALIASES, *by_command]
    raise SpecError(f"unknown scheduler {name!r}", hint=close_match(name, choices))


def resolve_optimizer(name: Any) -> ClassInfo:
    if not isinstance(name, str):
        raise SpecError(f"the optimizer type must be a name, got {type(name).__name__}")
    info = optimizer(name)
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
