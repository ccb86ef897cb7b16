"""The one parameter model: every value a spec takes is a :class:`Param`.

Constructor arguments of torch's schedulers and optimizers (read from torch's source), the
parameters of lrplot's recipes and of the metric profiles are all Params. From a Param come:

- validation of a YAML or command-line value (:func:`validate`), with the one-line messages the
  user reads;
- the JSON Schema fragment of ``lrplot schema`` (:func:`json_schema`);
- the command-line option of ``lrplot NAME --option`` (``lrplot.cli.options`` reads ``kind``,
  ``doc`` and ``default_note``).

Nothing here imports torch, and no name of a scheduler appears here: rules that depend on the
name (``step_size`` must be positive) are set by the family that builds the Param.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lrplot.errors import ExprError, SpecError, close_match, digits
from lrplot.expr import Expression


class Kind(enum.Enum):
    """How a value is written in YAML and on the command line."""

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


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The default of a Param that has none lrplot can name as a value (required, or computed)."""

PER_GROUP = (Kind.FLOAT_OR_LIST, Kind.EXPR_OR_LIST)

Fail = Callable[..., SpecError]
"""``fail(path, message, hint=None)``: a SpecError located at a key path (with its line or flag)."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    doc: str = ""
    default: Any = MISSING  # the Python value of the default, where it is a plain value
    required: bool = False
    optional: bool = False  # None is a legal value
    choices: tuple[str, ...] = ()
    length: int = 0  # FLOAT_TUPLE arity
    variable: str = "epoch"  # the variable of an EXPR
    # Bounds on a number (and on the items of an INT_LIST); `rule` is how a message says them.
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    rule: str = ""
    type_text: str = ""  # what a value of the wrong type is told to be (default: from kind)
    terse: bool = False  # a wrong type is shown without its type name ("got True")
    annotation: str = ""  # the annotation in torch's source, for `lrplot show`
    default_text: str = ""  # the default as shown: torch's source text, or a repr
    default_note: str = ""  # how --help shows the default: "torch default: 0.1", "required"

    @property
    def per_group(self) -> bool:
        return self.kind in PER_GROUP

    @property
    def expected(self) -> str:
        """What a value of the wrong type must be: ``an integer``, ``true or false``, ..."""
        if self.type_text:
            return self.type_text
        if self.kind is Kind.CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        names = {Kind.INT: "an integer", Kind.FLOAT: "a number", Kind.BOOL: "true or false"}
        return names.get(self.kind, "a " + str(self.kind.value))


def typename(value: Any) -> str:
    """How messages name the type of a YAML value."""
    if value is None:
        return "null"
    names: dict[type, str] = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
    }
    return names.get(type(value), type(value).__name__)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- validation --------------------------------------------------------------------------------


def validate(param: Param, value: Any, path: str, fail: Fail) -> Any:
    """``value`` checked against ``param`` and normalised (floats for FLOAT, lists for lists).

    SCHEDULERS values are the family's to check; they are returned as they are.
    """
    if value is None:
        if param.optional:
            return None
        raise fail(path, f"must be {param.expected}, got null")
    check = _CHECKS.get(param.kind, _plain)
    return check(param, value, path, fail)


def _wrong_type(param: Param, value: Any, path: str, fail: Fail) -> SpecError:
    got = repr(value) if param.terse else f"{typename(value)} {value!r}"
    return fail(path, f"must be {param.expected}, got {got}")


def _in_bounds(param: Param, number: float) -> bool:
    if param.low is not None and (number <= param.low if param.low_open else number < param.low):
        return False
    return param.high is None or number <= param.high


def whole(value: Any) -> Any:
    """A float that is an integer, as that integer (``1e4`` -> 10000); anything else as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def too_large(value: int, path: str, fail: Fail) -> None:
    """Refuse an integer outside 64 bits (it would overflow wherever it meets a float), naming
    its size rather than printing it."""
    if abs(value) > 2**63 - 1:
        raise fail(path, f"is too large: an integer of {digits(value)} digits")


def _int(param: Param, value: Any, path: str, fail: Fail) -> int:
    value = whole(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(param, value, path, fail)
    too_large(value, path, fail)
    if not _in_bounds(param, value):
        raise fail(path, f"must be {param.rule}, got {value}")
    return value


def number(param: Param, value: Any, path: str, fail: Fail) -> float:
    """A finite float within the param's bounds."""
    if not is_number(value):
        raise _wrong_type(param, value, path, fail)
    try:
        result = float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise fail(path, f"is too large: an integer of {digits(value)} digits") from None
    if not math.isfinite(result):
        raise fail(path, f"must be a finite number, got {result}")
    if not _in_bounds(param, result):
        raise fail(path, f"must be {param.rule}, got {value!r}")
    return result


def _bool(param: Param, value: Any, path: str, fail: Fail) -> bool:
    if not isinstance(value, bool):
        raise fail(path, f"must be true or false, got {typename(value)} {value!r}")
    return value


def _str(param: Param, value: Any, path: str, fail: Fail) -> str:
    if not isinstance(value, str):
        raise fail(path, f"must be a string, got {typename(value)}")
    return value


def _choice(param: Param, value: Any, path: str, fail: Fail) -> Any:
    if value not in param.choices:
        choices = param.rule or "one of " + ", ".join(repr(c) for c in param.choices)
        hint = close_match(str(value), param.choices)
        raise fail(path, f"must be {choices}, got {value!r}", hint=hint)
    return value


def _int_list(param: Param, value: Any, path: str, fail: Fail) -> list[int]:
    if not isinstance(value, list) or not value:
        raise fail(
            path,
            f"must be a list of integers such as [30, 60], got {typename(value)} {value!r}",
        )
    value = [whole(item) for item in value]
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int):
            raise fail(f"{path}[{i}]", f"must be an integer, got {typename(item)} {item!r}")
        too_large(item, f"{path}[{i}]", fail)
        if item < (param.low or 0):
            raise fail(f"{path}[{i}]", f"must be {param.rule or '>= 0'}, got {item}")
    for i in range(1, len(value)):
        if value[i] <= value[i - 1]:
            what = "repeats" if value[i] == value[i - 1] else "is smaller than the one before"
            raise fail(
                f"{path}[{i}]", f"{param.name} must be strictly increasing; {value[i]} {what}"
            )
    return list(value)


def _float_or_list(param: Param, value: Any, path: str, fail: Fail) -> Any:
    if isinstance(value, list):
        if not value:
            raise fail(path, "must be a number or a non-empty list of numbers")
        return [number(param, v, f"{path}[{i}]", fail) for i, v in enumerate(value)]
    return number(param, value, path, fail)


def _float_tuple(param: Param, value: Any, path: str, fail: Fail) -> list[float]:
    if not isinstance(value, list) or (param.length and len(value) != param.length):
        size = f"{param.length} " if param.length else ""
        raise fail(path, f"must be a list of {size}numbers, got {value!r}")
    return [number(param, v, f"{path}[{i}]", fail) for i, v in enumerate(value)]


def _expression(param: Param, value: Any, path: str, fail: Fail) -> Any:
    several = isinstance(value, list) and param.kind is Kind.EXPR_OR_LIST
    texts = value if several else [value]
    for i, text in enumerate(texts):
        where = f"{path}[{i}]" if several else path
        if not isinstance(text, str):
            raise fail(
                where,
                f'must be an expression string such as "0.95 ** {param.variable}", '
                f"got {typename(text)}",
            )
        try:
            Expression(text, param.variable)
        except ExprError as exc:
            raise fail(where, exc.message) from None
    return list(value) if isinstance(value, list) else value


def _schedulers(param: Param, value: Any, path: str, fail: Fail) -> Any:
    return value


def _plain(param: Param, value: Any, path: str, fail: Fail) -> Any:
    if isinstance(value, dict | list):
        raise fail(path, f"must be a plain value, got {typename(value)}")
    return value


_CHECKS: dict[Kind, Callable[[Param, Any, str, Fail], Any]] = {
    Kind.INT: _int,
    Kind.FLOAT: number,
    Kind.BOOL: _bool,
    Kind.STR: _str,
    Kind.CHOICE: _choice,
    Kind.INT_LIST: _int_list,
    Kind.FLOAT_OR_LIST: _float_or_list,
    Kind.FLOAT_TUPLE: _float_tuple,
    Kind.EXPR: _expression,
    Kind.EXPR_OR_LIST: _expression,
    Kind.SCHEDULERS: _schedulers,
}


# -- JSON Schema -------------------------------------------------------------------------------


def _bounded(schema: dict[str, Any], param: Param) -> dict[str, Any]:
    if param.low is not None:
        schema["exclusiveMinimum" if param.low_open else "minimum"] = _plain_number(param.low)
    if param.high is not None:
        schema["maximum"] = _plain_number(param.high)
    return schema


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def json_schema(param: Param, scheduler_ref: str = "#/definitions/scheduler") -> dict[str, Any]:
    """The draft-07 schema of one parameter (shapes and simple bounds; lrplot stays the judge)."""
    kind = param.kind
    schema: dict[str, Any]
    if kind is Kind.INT:
        schema = _bounded({"type": "integer"}, param)
    elif kind is Kind.FLOAT:
        schema = _bounded({"type": "number"}, param)
    elif kind is Kind.BOOL:
        schema = {"type": "boolean"}
    elif kind is Kind.STR:
        schema = {"type": "string"}
    elif kind is Kind.CHOICE:
        schema = {"enum": list(param.choices)}
    elif kind is Kind.INT_LIST:
        least = int(param.low) if param.low is not None else 0
        schema = {"type": "array", "items": {"type": "integer", "minimum": least}, "minItems": 1}
    elif kind is Kind.FLOAT_OR_LIST:
        item = _bounded({"type": "number"}, param)
        schema = {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}
    elif kind is Kind.FLOAT_TUPLE:
        schema = {"type": "array", "items": {"type": "number"}}
        if param.length:
            schema.update(minItems=param.length, maxItems=param.length)
    elif kind is Kind.EXPR:
        schema = {"type": "string", "description": f"an expression in {param.variable}"}
    elif kind is Kind.EXPR_OR_LIST:
        text = {"type": "string"}
        schema = {"anyOf": [text, {"type": "array", "items": text, "minItems": 1}]}
    elif kind is Kind.SCHEDULERS:
        schema = {"type": "array", "items": {"$ref": scheduler_ref}, "minItems": 1}
    else:
        schema = {}
    if param.optional and schema:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if param.doc:
        schema["description"] = param.doc
    if not param.required and isinstance(param.default, bool | int | float | str):
        schema["default"] = param.default
    return schema


# -- building Params ---------------------------------------------------------------------------


def bound_rule(kind: Kind, low: float | None, low_open: bool, high: float | None) -> str:
    """``an integer >= 0``, ``a number > 0``, ``a number in [0, 1]``."""
    what = "an integer" if kind is Kind.INT else "a number"
    if low is not None and high is not None:
        return f"{what} in [{_num(low)}, {_num(high)}]"
    if low is not None:
        return f"{what} {'>' if low_open else '>='} {_num(low)}"
    if high is not None:
        return f"{what} <= {_num(high)}"
    return what


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def declared(
    name: str,
    kind: Kind,
    doc: str,
    default: Any = MISSING,
    *,
    low: float | None = None,
    above: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] = (),
) -> Param:
    """A Param lrplot declares itself (a recipe's, a metric profile's): messages state the whole
    rule, ``must be an integer >= 0, got 'x'``. No default means required; a None default means
    that None is allowed."""
    open_low = above is not None
    bound = above if open_low else low
    rule = "" if kind in (Kind.BOOL, Kind.CHOICE) else bound_rule(kind, bound, open_low, high)
    required = default is MISSING
    if required:
        text = "required"
    elif default is None:
        text = "unset"
    elif isinstance(default, bool):
        text = str(default).lower()
    else:
        text = repr(default)
    return Param(
        name=name,
        kind=kind,
        doc=doc,
        default=None if required else default,
        required=required,
        optional=default is None,
        choices=choices,
        low=bound,
        low_open=open_low,
        high=high,
        rule=rule,
        type_text=rule,
        default_text=text,
        default_note=text,
    )
