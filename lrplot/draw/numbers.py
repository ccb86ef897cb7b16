"""Numbers as a reader wants them on a figure: ``1e-3`` and ``2.5e-4`` for learning rates,
``4,000`` and ``1.5M`` for steps, samples and tokens. Plain text, never mathtext: it reads at
any size, and matplotlib lays it out without a TeX parser."""

from __future__ import annotations

import math

COUNT_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
PLAIN_BELOW = 1e5  # counts below this get thousands separators, larger ones k/M/B/T


def sci(value: float, digits: int = 3) -> str:
    """``0.00025`` -> ``2.5e-4``; ``0.001`` -> ``1e-3``."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def lr(value: float) -> str:
    """One learning rate: ``0.1``, ``0.05``, ``1e-3``, ``2.5e-4`` (e-notation below 0.01)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if 1e-2 <= abs(value) < 1e4:
        return f"{value:.4g}"
    return sci(value)


def count(value: float, span: float | None = None) -> str:
    """A step, epoch, sample or token count: ``2.5``, ``4,000``, ``250k``, ``1.5M``.

    ``span`` (the largest value on the same axis) picks the unit, so one axis never mixes
    ``900k`` with ``1.2M``.
    """
    span = abs(value) if span is None else abs(span)
    if value == 0:
        return "0"
    if span < PLAIN_BELOW:
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.6g}"
    for scale, unit in COUNT_UNITS:
        if span >= scale:
            return f"{value / scale:.4g}{unit}"
    return f"{value:,.6g}"


def short(value: float) -> str:
    """A count in three digits: ``4.19M``, ``512``, ``1.02k``."""
    for scale, unit in COUNT_UNITS:
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.3g}"


def plural(number: int, word: str) -> str:
    return f"{number:,} {word}" + ("" if number == 1 else "s")


def ordinal(n: int) -> str:
    """``2`` -> ``2nd``, ``11`` -> ``11th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
