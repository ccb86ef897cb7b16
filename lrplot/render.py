"""The whole pipeline for one figure: spec -> simulate -> plot -> output."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.config import load_spec
from lrplot.errors import LrplotError
from lrplot.formats import FIGURES, format_of
from lrplot.model import FigureSpec
from lrplot.outputs.csv import csv_lines
from lrplot.outputs.figures import figure_bytes
from lrplot.outputs.files import atomic_write_all, check_targets, write_stdout
from lrplot.plotoptions import PlotOptions

if TYPE_CHECKING:
    from lrplot.model import Curve

# How each data format (not drawn by matplotlib) is written: curves -> text chunks.
DATA_WRITERS: dict[str, Callable[[Sequence[Curve]], Iterable[str]]] = {"csv": csv_lines}


def render(
    spec: FigureSpec | str | Path,
    outputs: Sequence[str | Path],
    *,
    x: str | None = None,
    log_y: bool | None = None,
    options: PlotOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    capture: dict[str, bytes] | None = None,
    allow_import: Iterable[str] = (),
) -> tuple[Curve, ...]:
    """Simulate ``spec`` and write it to every path in ``outputs`` (format from the suffix,
    ``-`` for CSV on stdout). Returns the curves.

    Figures are drawn with ``options`` (default: the spec's ``plot:`` mapping), with ``x`` and
    ``log_y`` overriding it where given. ``progress(done, total)`` is passed to the simulation.

    Every figure is rendered in memory before the first file is replaced, so a failure
    leaves all existing outputs as they were. With ``capture``, nothing is written: each
    output's bytes are stored there under ``str(path)`` (``lrplot render --check`` compares them).
    ``allow_import`` is passed to :func:`~lrplot.config.load_spec` when ``spec`` is a path.
    """
    from lrplot.simulate import simulate_figure

    figure_spec = _loaded(spec, allow_import)
    try:
        formats = [format_of(path) for path in outputs]
        if capture is None:
            check_targets([path for path in outputs if str(path) != "-"])  # before the slow part
        curves = simulate_figure(figure_spec, progress=progress)
        blobs: dict[str, bytes] = {}
        wanted = sorted({fmt for fmt in formats if fmt in FIGURES})
        if wanted:
            from lrplot.draw.figure import plot_figure

            chosen = (options or figure_spec.plot).merged(x=x, log_y=log_y)
            figure = plot_figure(figure_spec, curves, chosen)
            try:
                for fmt in wanted:
                    blobs[fmt] = figure_bytes(figure, fmt)
            except LrplotError as exc:
                raise exc.located(path=_text_path(figure_spec)) from None

        def chunks(fmt: str) -> Iterable[str | bytes]:
            return DATA_WRITERS[fmt](curves) if fmt in DATA_WRITERS else [blobs[fmt]]

        if capture is not None:
            for path, fmt in zip(outputs, formats, strict=True):
                parts = chunks(fmt)
                capture[str(path)] = b"".join(
                    p.encode() if isinstance(p, str) else p for p in parts
                )
            return curves
        # All files or none: a failure while writing one leaves every existing output intact.
        atomic_write_all(
            [
                (path, chunks(fmt))
                for path, fmt in zip(outputs, formats, strict=True)
                if str(path) != "-"
            ]
        )
        if any(str(path) == "-" for path in outputs):
            write_stdout(csv_lines(curves))
    except LrplotError as exc:
        raise exc.relocated(figure_spec.origins, source=figure_spec.source) from None
    return curves


def _loaded(spec: FigureSpec | str | Path, allow_import: Iterable[str]) -> FigureSpec:
    return spec if isinstance(spec, FigureSpec) else load_spec(spec, allow_import=allow_import)


def _text_path(spec: FigureSpec) -> str | None:
    """Where a figure that fails to draw most likely went wrong: text with mathtext in it."""
    if spec.title is not None and "$" in spec.title:
        return "title"
    for i, curve in enumerate(spec.curves):
        if "$" in curve.label:
            return f"curves[{i}].label"
    return None
