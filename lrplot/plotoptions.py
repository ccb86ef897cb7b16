"""How a figure is drawn: annotations, axes, style, size and DPI.

The same options come from three places, resolved in one place (:meth:`PlotOptions.merged`):
a command-line flag beats the config's ``plot:`` mapping, which beats the default here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from lrplot.errors import SpecError, close_match

PLOT_KEYS = ("annotate", "log_y", "x", "style", "size", "dpi")
X_CHOICES = ("epoch", "step")
MAX_INCHES = 50.0
MIN_DPI, MAX_DPI = 10, 600
MAX_PIXELS = 12_000  # per side: a config must not ask for a multi-GB canvas


@dataclass(frozen=True)
class PlotOptions:
    annotate: bool = True  # markers and labels at milestones, restarts, warmup ends, ...
    log_y: bool = False  # log-scale lr axis; lr <= 0 points are masked (with a warning)
    x: str = "epoch"  # "epoch" (fractional when steps_per_epoch > 1) or "step"
    style: str | None = None  # a matplotlib style sheet name or file, applied over lrplot's
    size: tuple[float, float] | None = None  # inches, (width, height)
    dpi: int | None = None

    def merged(self, **overrides: Any) -> PlotOptions:
        """These options with every override that is not None (CLI flag over YAML over default)."""
        return replace(
            self, **{key: value for key, value in overrides.items() if value is not None}
        )


def parse_x(value: Any) -> str:
    """``epoch``/``step`` (the plurals are accepted too)."""
    text = str(value).strip().lower()
    text = {"epochs": "epoch", "steps": "step"}.get(text, text)
    if text not in X_CHOICES:
        raise SpecError(
            f"must be 'epoch' or 'step', got {value!r}", hint=close_match(text, X_CHOICES)
        )
    return text


def parse_size(value: Any) -> tuple[float, float]:
    """``"8x4.5"`` or ``[8, 4.5]`` -> (8.0, 4.5) inches."""
    parts: list[Any]
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9.]+)\s*[xX×,]\s*([0-9.]+)\s*", value)
        if not match:
            raise SpecError(f"must be WIDTHxHEIGHT in inches such as 8x4.5, got {value!r}")
        parts = [match.group(1), match.group(2)]
    elif isinstance(value, list) and len(value) == 2:
        parts = value
    else:
        raise SpecError(f"must be WIDTHxHEIGHT in inches such as 8x4.5, got {value!r}")
    sizes = []
    for part in parts:
        try:
            if isinstance(part, bool):
                raise ValueError
            number = float(part)
        except (TypeError, ValueError):
            raise SpecError(f"must be two numbers such as 8x4.5, got {value!r}") from None
        if not (math.isfinite(number) and 0 < number <= MAX_INCHES):
            raise SpecError(
                f"width and height must be in (0, {MAX_INCHES:g}] inches, got {value!r}"
            )
        sizes.append(number)
    return sizes[0], sizes[1]


def check_dpi(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"must be an integer, got {value!r}")
    if not MIN_DPI <= value <= MAX_DPI:
        raise SpecError(f"must be between {MIN_DPI} and {MAX_DPI}, got {value}")
    return value


def check_canvas(options: PlotOptions) -> None:
    """Refuse a size x dpi that would make a huge bitmap."""
    width, height = options.size or (8.0, 4.5)
    dpi = options.dpi or 100
    if max(width, height) * dpi > MAX_PIXELS:
        raise SpecError(
            f"a {width:g}x{height:g} inch figure at {dpi} dpi is over {MAX_PIXELS} pixels wide; "
            "lower size or dpi"
        )


def options_from_yaml(value: Any, fail: Callable[[str, str, str | None], Exception]) -> PlotOptions:
    """The ``plot:`` mapping of a config. ``fail(path, message, hint)`` builds the located error."""
    if value is None:
        return PlotOptions()
    if not isinstance(value, dict):
        raise fail("plot", "must be a mapping such as {log_y: true, size: 8x4.5}", None)
    found: dict[str, Any] = {}
    for key, item in value.items():
        path = f"plot.{key}"
        if key not in PLOT_KEYS:
            hint = close_match(str(key), PLOT_KEYS)
            tail = "" if hint else f" (plot takes: {', '.join(PLOT_KEYS)})"
            raise fail(path, f"unknown key {key!r}{tail}", hint or None)
        try:
            if key in ("annotate", "log_y"):
                if not isinstance(item, bool):
                    raise SpecError(f"must be true or false, got {item!r}")
                found[key] = item
            elif key == "x":
                found[key] = parse_x(item)
            elif key == "style":
                if not isinstance(item, str) or not item.strip():
                    raise SpecError("must be a matplotlib style name such as ggplot")
                found[key] = item
            elif key == "size":
                found[key] = parse_size(item)
            else:
                found[key] = check_dpi(item)
        except SpecError as exc:
            raise fail(path, exc.message, exc.hint) from None
    options = PlotOptions(**found)
    try:
        check_canvas(options)
    except SpecError as exc:
        raise fail("plot", exc.message, None) from None
    return options
