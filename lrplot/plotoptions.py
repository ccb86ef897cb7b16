"""How a figure is drawn: annotations, axes, scale, limits, panels, theme, size and DPI.

The same options come from three places, resolved in one place (:meth:`PlotOptions.merged`):
a command-line flag beats the config's ``plot:`` mapping, which beats the default here. A value
of None means "let lrplot choose from the curves" (the x axis, the y scale, the panels).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from lrplot.errors import SpecError, close_match

PLOT_KEYS = (
    "annotate", "log_y", "x", "style", "size", "dpi", "theme", "transparent", "xlim", "ylim",
    "panels", "samples_per_step", "tokens_per_step",
)  # fmt: skip
X_CHOICES = ("epoch", "step", "samples", "tokens")
THEME_CHOICES = ("light", "dark", "both")
PANEL_HINTS = ("momentum", "weight_decay", "effective_decay", "none")
MIN_INCHES, MAX_INCHES = 1.0, 50.0  # below an inch, the axes collapse and nothing is drawn
MIN_DPI, MAX_DPI = 10, 600
MAX_PIXELS = 8_192  # per side: a config must not ask for a multi-GB canvas
MAX_AREA = 40_000_000  # pixels in all (160 MB of RGBA)
MAX_PER_STEP = 10**12  # samples or tokens per optimizer step
DEFAULT_SIZE = (6.4, 3.6)  # lrplot.style.SIZE, without importing matplotlib's settings here
DEFAULT_DPI = 250

Limits = tuple[float | None, float | None]


@dataclass(frozen=True)
class PlotOptions:
    annotate: bool = True  # markers and labels at milestones, restarts, warmup ends, ...
    log_y: bool | None = None  # None: log when a fifth of the curve lies 100x below its peak
    x: str | None = None  # None: "step" when every curve steps per optimizer step, else "epoch"
    style: str | None = None  # a matplotlib style sheet name or file, applied over lrplot's
    # The style's rc settings as lrplot read them (lrplot.stylesheet), or None for a name
    # matplotlib resolves itself; set with the style, and replaced whenever it is.
    sheet: tuple[tuple[str, str], ...] | None = None
    size: tuple[float, float] | None = None  # inches, (width, height)
    dpi: int | None = None
    theme: str | None = None  # "light" (default), "dark", or "both" (render writes x-dark.png)
    transparent: bool | None = None  # no background
    xlim: Limits | None = None  # in the units of the x axis; None on a side: automatic
    ylim: Limits | None = None
    panels: tuple[str, ...] | None = None  # None: momentum when it varies; () none
    samples_per_step: int | None = None  # for x: samples (the global batch size)
    tokens_per_step: int | None = None  # for x: tokens (global batch size x sequence length)

    def merged(self, **overrides: Any) -> PlotOptions:
        """These options with every override that is not None (CLI flag over YAML over default).
        A new ``style`` brings its own ``sheet`` (None unless given with it)."""
        given = {key: value for key, value in overrides.items() if value is not None}
        if "style" in given:
            given.setdefault("sheet", None)
        return replace(self, **given)

    @property
    def themes(self) -> tuple[str, ...]:
        """The themes to draw: ("light",), ("dark",) or both."""
        return ("light", "dark") if self.theme == "both" else (self.theme or "light",)


def parse_x(value: Any) -> str:
    """``epoch``/``step``/``samples``/``tokens`` (singular or plural)."""
    text = str(value).strip().lower()
    text = {"epochs": "epoch", "steps": "step", "sample": "samples", "token": "tokens"}.get(
        text, text
    )
    if text not in X_CHOICES:
        raise SpecError(
            f"must be one of {', '.join(X_CHOICES)}, got {value!r}",
            hint=close_match(text, X_CHOICES),
        )
    return text


def parse_theme(value: Any) -> str:
    """``light``, ``dark``, ``both``, or a list of themes such as ``[light, dark]``."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        text = str(item).strip().lower()
        if text not in THEME_CHOICES or (isinstance(value, list) and text == "both"):
            raise SpecError(
                f"must be light, dark, both or a list of light and dark, got {value!r}",
                hint=close_match(text, THEME_CHOICES),
            )
        found.append(text)
    if not found:
        raise SpecError("must name at least one theme")
    chosen = set(found)
    return "both" if chosen == {"light", "dark"} or "both" in chosen else found[0]


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
        except OverflowError:  # an integer with hundreds of digits
            number = math.inf
        except (TypeError, ValueError):
            raise SpecError(f"must be two numbers such as 8x4.5, got {value!r}") from None
        if not (math.isfinite(number) and MIN_INCHES <= number <= MAX_INCHES):
            raise SpecError(
                f"width and height must be in [{MIN_INCHES:g}, {MAX_INCHES:g}] inches, "
                f"got {value!r}"
            )
        sizes.append(number)
    return sizes[0], sizes[1]


def parse_limits(value: Any) -> Limits:
    """``"1e-6,1e-3"``, ``",1e-3"`` (top only) or ``[1e-6, null]`` -> (low, high)."""
    shape = "must be LOW,HIGH such as 0,500 (leave a side empty to keep it automatic)"
    if isinstance(value, str):
        parts: list[Any] = [p.strip() or None for p in value.split(",")]
    elif isinstance(value, list):
        parts = list(value)
    else:
        raise SpecError(f"{shape}, got {value!r}")
    if len(parts) != 2:
        raise SpecError(f"{shape}, got {value!r}")
    found: list[float | None] = []
    for part in parts:
        if part is None:
            found.append(None)
            continue
        try:
            if isinstance(part, bool):
                raise ValueError
            number = float(part)
        except OverflowError:  # an integer with hundreds of digits
            number = math.inf
        except (TypeError, ValueError):
            raise SpecError(f"{shape}, got {value!r}") from None
        if not math.isfinite(number):
            raise SpecError(f"limits must be finite numbers, got {value!r}")
        found.append(number)
    low, high = found
    if low is not None and high is not None and not low < high:
        raise SpecError(f"the low limit must be below the high one, got {value!r}")
    if low is None and high is None:
        raise SpecError(f"{shape}, got {value!r}")
    return low, high


def parse_panels(value: Any) -> tuple[str, ...]:
    """``"weight_decay"``, ``"momentum,effective_decay"``, ``[weight_decay]`` or ``none``."""
    items = value if isinstance(value, list) else str(value).split(",")
    found: list[str] = []
    for item in items:
        text = str(item).strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
            raise SpecError(
                "must name param group keys such as momentum, weight_decay, effective_decay "
                f"(or none), got {value!r}"
            )
        if text == "none":
            continue
        if text not in found:
            found.append(text)
    return tuple(found)


def check_per_step(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"must be a whole number, got {value!r}")
    if not 0 < value <= MAX_PER_STEP:
        raise SpecError(f"must be between 1 and {MAX_PER_STEP:,}, got {value}")
    return value


def check_dpi(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"must be an integer, got {value!r}")
    if not MIN_DPI <= value <= MAX_DPI:
        raise SpecError(f"must be between {MIN_DPI} and {MAX_DPI}, got {value}")
    return value


def check_canvas(options: PlotOptions) -> None:
    """Refuse a size x dpi that would make a huge bitmap."""
    width, height = options.size or DEFAULT_SIZE
    dpi = options.dpi or DEFAULT_DPI
    if max(width, height) * dpi > MAX_PIXELS:
        raise SpecError(
            f"a {width:g}x{height:g} inch figure at {dpi} dpi is over {MAX_PIXELS} pixels wide; "
            "lower size or dpi"
        )
    if width * height * dpi * dpi > MAX_AREA:
        pixels = round(width * dpi) * round(height * dpi)
        raise SpecError(
            f"a {width:g}x{height:g} inch figure at {dpi} dpi is {pixels:,} pixels, more than "
            f"{MAX_AREA:,}; lower size or dpi"
        )


def check_x(options: PlotOptions) -> None:
    """An x axis in samples or tokens needs to know how many there are per optimizer step."""
    if options.x == "samples" and options.samples_per_step is None:
        raise SpecError(
            "x: samples needs samples_per_step, the global batch size "
            "(plot: {samples_per_step: N} or --samples-per-step N)"
        )
    if options.x == "tokens" and options.tokens_per_step is None:
        raise SpecError(
            "x: tokens needs tokens_per_step, the global batch size x the sequence length "
            "(plot: {tokens_per_step: N} or --tokens-per-step N)"
        )


def check_options(options: PlotOptions) -> None:
    """What only the merged options can tell (flags and ``plot:`` together)."""
    check_canvas(options)
    check_x(options)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"must be true or false, got {value!r}")
    return value


def _style(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError("must be a matplotlib style name such as ggplot")
    return value


PARSERS: dict[str, Callable[[Any], Any]] = {
    "annotate": _boolean,
    "log_y": _boolean,
    "transparent": _boolean,
    "x": parse_x,
    "style": _style,
    "size": parse_size,
    "dpi": check_dpi,
    "theme": parse_theme,
    "xlim": parse_limits,
    "ylim": parse_limits,
    "panels": parse_panels,
    "samples_per_step": check_per_step,
    "tokens_per_step": check_per_step,
}
assert tuple(PARSERS) == PLOT_KEYS or set(PARSERS) == set(PLOT_KEYS)


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
            found[key] = PARSERS[key](item)
        except SpecError as exc:
            raise fail(path, exc.message, exc.hint) from None
    options = PlotOptions(**found)
    try:
        check_canvas(options)
    except SpecError as exc:  # blamed on the key that makes the canvas big
        dpi_too = "dpi" in found and ("size" not in found or found["dpi"] > DEFAULT_DPI)
        raise fail("plot.dpi" if dpi_too else "plot.size", exc.message, None) from None
    try:
        check_x(options)  # a config that says x: tokens says how many, too
    except SpecError as exc:
        raise fail("plot.x", exc.message, None) from None
    return options
