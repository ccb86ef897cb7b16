"""The panels under the lr: momentum (or Adam's beta1), weight decay, the effective decay
lr × weight_decay, or any other param group key a scheduler changed.

By default there is a momentum panel when some curve's momentum varies (OneCycleLR, CyclicLR);
``panels`` names them instead. In a panel every curve that has the key is drawn, a constant one
as a thin line, so that a curve without a visible change is not taken for one without the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrplot.draw import ticks
from lrplot.draw.lines import line_label, points
from lrplot.errors import SpecError, close_match

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes

    from lrplot.draw.xaxis import XAxis
    from lrplot.model import Curve
    from lrplot.style import Palette

EFFECTIVE = "effective_decay"
THIN = 0.9  # line width of a constant series


@dataclass(frozen=True)
class Panel:
    key: str
    label: str
    series: tuple[np.ndarray | None, ...]  # one per curve, shaped like its lr; None: not recorded

    def varies(self, index: int) -> bool:
        values = self.series[index]
        return values is not None and _varies(values)


def _varies(values: np.ndarray) -> bool:
    import numpy as np

    if values.strides[1] == 0:  # a broadcast constant
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.nanmax(values) - np.nanmin(values) > 0)


def _series(curve: Curve, key: str) -> np.ndarray | None:
    if key == "momentum":
        return curve.momentum
    if key == EFFECTIVE:
        decay = curve.extra.get("weight_decay")
        return None if decay is None else curve.lr * decay
    return curve.extra.get(key)


def _label(items: Sequence[Curve], key: str) -> str:
    if key == "momentum":
        names = [c.momentum_name for c in items if c.momentum is not None]
        return " / ".join(dict.fromkeys(names)) or "momentum"
    if key == EFFECTIVE:
        return "lr × wd"
    return {"weight_decay": "weight decay"}.get(key, key)


def panels(items: Sequence[Curve], keys: Sequence[str] | None) -> list[Panel]:
    """The panels to draw: ``keys`` (None: momentum, when it varies somewhere)."""
    if keys is None:
        momentum = Panel("momentum", _label(items, "momentum"), _all(items, "momentum"))
        return [momentum] if any(momentum.varies(i) for i in range(len(items))) else []
    found = []
    for key in keys:
        series = _all(items, key)
        if all(s is None for s in series):
            known = sorted({"momentum", EFFECTIVE, *(k for c in items for k in c.extra)})
            raise SpecError(
                f"panels: no curve recorded {key!r} (recorded: {', '.join(known)})",
                hint=close_match(key, known),
            )
        found.append(Panel(key, _label(items, key), series))
    return found


def _all(items: Sequence[Curve], key: str) -> tuple[np.ndarray | None, ...]:
    return tuple(_series(curve, key) for curve in items)


# -- drawing -----------------------------------------------------------------------------------


def draw_panels(
    panel_axes: list[Axes],
    chosen: list[Panel],
    items: list[Curve],
    drawn_lines: list[list[tuple[Any, list[int]]]],
    xaxis: XAxis,
    colors: Palette,
) -> None:
    """Each panel's series in the colour of its lr line. A constant one is thin; lines that
    coincide (the same constant, or the same varying series) are drawn once, grey, and named in
    the panel's legend, so that no curve hides behind another."""
    import numpy as np

    multi = len(items) > 1
    for axes, panel in zip(panel_axes, chosen, strict=True):
        constants: dict[float, list[tuple[str, str, Curve]]] = {}
        varying: list[tuple[np.ndarray, list[tuple[str, str, Curve, str]]]] = []
        for i, curve in enumerate(items):
            values = panel.series[i]
            if values is None:
                continue
            for line, same in drawn_lines[i]:
                g = same[0]
                name = line_label(curve, same, multi)
                if not panel.varies(i):
                    constants.setdefault(float(values[g, 0]), []).append(
                        (name, line.get_color(), curve)
                    )
                    continue
                owner = (name, line.get_color(), curve, f"lrplot-{panel.key}-{i}-{g}")
                for ys, owners in varying:
                    if len(ys) == len(values[g]) and np.array_equal(ys, values[g], equal_nan=True):
                        owners.append(owner)
                        break
                else:
                    varying.append((values[g], [owner]))
        named = _draw_varying(axes, panel, varying, xaxis, colors)
        named = _draw_constants(axes, panel, constants, xaxis, colors) or named
        if named:
            axes.legend(loc="best", fontsize=8.5, handlelength=1.5)
        axes.set_ylabel(panel.label, fontsize=9)
        ticks.lr_axis(axes)


def _draw_varying(
    axes: Axes,
    panel: Panel,
    varying: list[tuple[np.ndarray, list[tuple[str, str, Curve, str]]]],
    xaxis: XAxis,
    colors: Palette,
) -> bool:
    named = False
    for ys, owners in varying:
        curve = owners[0][2]
        shared = len(owners) > 1
        label = ", ".join(o[0] for o in owners if o[0]) + " (identical)" if shared else ""
        named = named or bool(label)
        axes.plot(
            *points(xaxis.values(curve), ys, xaxis.scale(curve)),
            color=colors.muted if shared else owners[0][1],
            label=label or "_nolegend_",
            gid=owners[0][3],
        )
    return named


def _draw_constants(
    axes: Axes,
    panel: Panel,
    constants: dict[float, list[tuple[str, str, Curve]]],
    xaxis: XAxis,
    colors: Palette,
) -> bool:
    low = min((xaxis.at(c, 0) for v in constants.values() for _, _, c in v), default=0.0)
    high = max((xaxis.at(c, len(c) - 1) for v in constants.values() for _, _, c in v), default=1.0)
    named = False
    for value, owners in constants.items():
        names = [name for name, _, _ in owners if name]
        color = owners[0][1] if len(owners) == 1 else colors.muted
        label = f"{', '.join(names)}: {ticks.plain(value)} (constant)" if names else ""
        named = named or bool(label)
        axes.plot(
            [low, high], [value, value], color=color, linewidth=THIN, label=label or "_nolegend_",
            gid=f"lrplot-{panel.key}-constant",
        )  # fmt: skip
    return named
