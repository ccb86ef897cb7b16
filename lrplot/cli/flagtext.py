"""An option's text as the YAML spec would hold it: ``1e4`` -> 10000, ``30,60`` -> [30, 60]."""

from __future__ import annotations

import enum
import re
from typing import Any

from lrplot.errors import SpecError
from lrplot.params import Kind, Param


def _number(text: str) -> int | float:
    """``30`` -> 30, ``1e4`` -> 10000.0 (the Param reads a whole float as an integer)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def _scalar(text: str) -> Any:
    """A number where the text is one; the text otherwise (the Param then names the type)."""
    try:
        return _number(text.strip())
    except ValueError:
        return text


def _parse_list(text: str, flag: str, what: str) -> list[Any]:
    """``30,60``, ``"30 60"`` or the YAML list ``"[30, 60]"``."""
    from lrplot.config.yamlload import load_text

    stripped = text.strip()
    if stripped.startswith("["):
        data = load_text(stripped, flag).data
        if isinstance(data, list):
            return data
    items = [item for item in re.split(r"[\s,]+", stripped) if item]
    try:
        return [_number(item) for item in items]
    except ValueError:
        raise SpecError(f"must be a comma-separated list of {what}, got {text!r}") from None


def from_flag(param: Param, value: Any, flag: str) -> Any:
    """An option's value as the YAML spec would hold it."""
    from lrplot.config.yamlload import load_text

    kind = param.kind
    if isinstance(value, enum.Enum):
        return value.value
    if kind is Kind.INT and isinstance(value, str):
        return _scalar(value)
    if kind is Kind.INT_LIST:
        text = ",".join(value) if isinstance(value, list) else value
        return _parse_list(text, flag, "integers")
    if kind is Kind.FLOAT_OR_LIST:
        numbers = _parse_list(value, flag, "numbers")
        return numbers[0] if len(numbers) == 1 else numbers
    if kind is Kind.FLOAT_TUPLE:
        return _parse_list(value, flag, "numbers")
    if kind is Kind.EXPR_OR_LIST:
        return value[0] if len(value) == 1 else list(value)
    if kind in (Kind.SCHEDULERS, Kind.ANY):
        return load_text(value, flag).data
    return value
