"""A resumed run on a figure: the uninterrupted plan dashed under the resumed run, and a line at
each resume point.

Called by ``draw()`` once the lr lines are drawn; it only adds artists to that figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.draw.decimate import decimate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

    from lrplot.draw.xaxis import XAxis
    from lrplot.model import Curve


def draw_resumes(
    lr_ax: Axes,
    items: list[Curve],
    lines: list[list[tuple[Line2D, list[int]]]],
    xaxis: XAxis,
    color: str,
) -> None:
    """Dashed uninterrupted lines and resume markers for every curve that resumed."""
    labelled = False
    for i, (curve, drawn) in enumerate(zip(items, lines, strict=False)):
        if curve.uninterrupted is None:
            continue
        xs = xaxis.values(curve)
        for g, (line, _) in enumerate(drawn):
            if str(line.get_label()).startswith("_") or not line.get_label():
                line.set_label(f"resumed ({curve.spec.resume_mode})" if g == 0 else "_")
            lr_ax.plot(
                *decimate(xs, curve.uninterrupted[g]),
                color=line.get_color(),
                linestyle=(0, (4, 3)),
                drawstyle=line.get_drawstyle(),
                linewidth=1.2,
                alpha=0.8,
                zorder=line.get_zorder() - 0.1,
                label="_" if labelled else "uninterrupted",
                gid=f"lrplot-uninterrupted-{i}-{g}",
            )
            labelled = True
        for n, at in enumerate(curve.spec.resume_at):
            where = float(xs[at])
            lr_ax.axvline(
                where, color=color, linewidth=0.9, alpha=0.7, gid=f"lrplot-resume-{i}-{n}"
            )
            lr_ax.annotate(
                f"resumed @ {xaxis.text(where)}",
                xy=(where, 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=9,
                color=color,
                gid=f"lrplot-resume-label-{i}-{n}",
            )
