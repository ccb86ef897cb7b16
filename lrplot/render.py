"""The whole pipeline for one figure: spec -> simulate -> plot -> output."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.config import load_spec
from lrplot.errors import LrplotError
from lrplot.formats import FIGURES, format_of
from lrplot.model import FigureSpec
from lrplot.outputs.compare import compare_file
from lrplot.outputs.csv import csv_lines
from lrplot.outputs.figures import figure_bytes
from lrplot.outputs.files import atomic_write_all, check_targets, write_stdout
from lrplot.paths import themed
from lrplot.plotoptions import PlotOptions, check_options

if TYPE_CHECKING:
    from lrplot.model import Curve

# How each data format (not drawn by matplotlib) is written: curves -> text chunks.
DATA_WRITERS: dict[str, Callable[[Sequence[Curve]], Iterable[str]]] = {"csv": csv_lines}


def themed_outputs(
    outputs: Sequence[str | Path], options: PlotOptions
) -> list[tuple[str | Path, str]]:
    """Each output with the theme it is drawn in. With ``theme: both`` every figure output also
    gets its dark twin, ``x.png`` -> ``x-dark.png`` (:func:`lrplot.paths.themed`)."""
    found: list[tuple[str | Path, str]] = []
    themes = options.themes
    for path in outputs:
        if str(path) == "-" or format_of(path) not in FIGURES or len(themes) == 1:
            found.append((path, themes[0]))
            continue
        found += [(path if theme == "light" else themed(path, theme), theme) for theme in themes]
    return found


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
    themes: Sequence[str] | None = None,
    parents: bool = False,
    compare: dict[str, str] | None = None,
    digests: dict[str, str] | None = None,
) -> tuple[Curve, ...]:
    """Simulate ``spec`` and write it to every path in ``outputs`` (format from the suffix,
    ``-`` for CSV on stdout). Returns the curves.

    Figures are drawn with ``options`` (default: the spec's ``plot:`` mapping), with ``x`` and
    ``log_y`` overriding it where given. With ``theme: both`` each figure is written twice,
    ``x.png`` and ``x-dark.png``; ``themes`` instead gives the theme of each output (as
    :func:`themed_outputs` paired them). ``progress(done, total)`` is passed to the simulation.

    Every figure is rendered in memory before the first file is replaced, so a failure
    leaves all existing outputs as they were. With ``capture``, nothing is written: each
    output's bytes are stored there under ``str(path)``. With ``compare``, nothing is written
    either: each output is compared, a chunk at a time, with the file already at its path, and
    ``"same"``, ``"missing"`` or ``"stale"`` stored there (``lrplot render --check``).
    Each figure format is drawn on a figure of its own, so a file's bytes never depend on which
    other formats were rendered with it.
    ``allow_import`` is passed to :func:`~lrplot.config.load_spec` when ``spec`` is a path.
    With ``parents``, missing folders of the outputs are created (once everything is rendered).
    With ``digests``, the SHA-256 of every file written is stored there under ``str(path)``.
    """
    from lrplot.simulate import simulate_figure

    figure_spec = _loaded(spec, allow_import)
    try:
        chosen = (options or figure_spec.plot).merged(x=x, log_y=log_y)
        check_options(chosen)
        if themes is None:
            pairs = themed_outputs(outputs, chosen)
        else:
            pairs = list(zip(outputs, themes, strict=True))
        formats = [format_of(path) for path, _ in pairs]
        if capture is None and compare is None:
            check_targets(  # before the slow part
                [path for path, _ in pairs if str(path) != "-"], parents=parents
            )
        curves = simulate_figure(figure_spec, progress=progress)
        blobs = _figures(figure_spec, curves, chosen, pairs, formats)

        paths = [path for path, _ in pairs]
        if compare is not None:
            _compare(paths, formats, curves, blobs, compare)
        else:
            _write(paths, formats, curves, blobs, capture, parents, digests)
    except LrplotError as exc:
        raise exc.relocated(figure_spec.origins, source=figure_spec.source) from None
    return curves


def _compare(
    paths: Sequence[str | Path],
    formats: Sequence[str],
    curves: Sequence[Curve],
    blobs: dict[str, bytes],
    verdicts: dict[str, str],
) -> None:
    """Compare each output, a chunk at a time, with the file at its path (``--check``)."""
    for path, fmt in zip(paths, formats, strict=True):
        chunks = DATA_WRITERS[fmt](curves) if fmt in DATA_WRITERS else [blobs[str(path)]]
        verdicts[str(path)] = compare_file(path, chunks)


def _loaded(spec: FigureSpec | str | Path, allow_import: Iterable[str]) -> FigureSpec:
    return spec if isinstance(spec, FigureSpec) else load_spec(spec, allow_import=allow_import)


def _write(
    paths: Sequence[str | Path],
    formats: Sequence[str],
    curves: Sequence[Curve],
    blobs: dict[str, bytes],
    capture: dict[str, bytes] | None,
    parents: bool = False,
    digests: dict[str, str] | None = None,
) -> None:
    """Write every output (or with ``capture``, keep its bytes there); with ``parents``,
    create missing folders first."""

    def chunks(path: str | Path, fmt: str) -> Iterable[str | bytes]:
        return DATA_WRITERS[fmt](curves) if fmt in DATA_WRITERS else [blobs[str(path)]]

    if capture is not None:
        for path, fmt in zip(paths, formats, strict=True):
            parts = chunks(path, fmt)
            capture[str(path)] = b"".join(p.encode() if isinstance(p, str) else p for p in parts)
        return
    # All files or none: a failure while writing one leaves every existing output intact.
    atomic_write_all(
        [
            (path, chunks(path, fmt))
            for path, fmt in zip(paths, formats, strict=True)
            if str(path) != "-"
        ],
        parents=parents,
        digests=digests,
    )
    if any(str(path) == "-" for path in paths):
        write_stdout(csv_lines(curves))


def _figures(
    spec: FigureSpec,
    curves: Sequence[Curve],
    options: PlotOptions,
    pairs: Sequence[tuple[str | Path, str]],
    formats: Sequence[str],
) -> dict[str, bytes]:
    """The bytes of every figure output, by path: drawn once per theme and format."""
    from dataclasses import replace

    blobs: dict[str, bytes] = {}
    wanted = sorted(
        {(theme, fmt) for (_, theme), fmt in zip(pairs, formats, strict=True) if fmt in FIGURES}
    )
    for theme, fmt in wanted:
        from lrplot.draw.figure import plot_figure

        # A figure of its own per format: saving one format changes the figure (clip paths,
        # text layout), so an SVG saved after a PNG differs from one saved alone.
        figure = plot_figure(spec, curves, replace(options, theme=theme))
        try:
            data = figure_bytes(figure, fmt)
        except LrplotError as exc:
            raise exc.located(path=_text_path(spec)) from None
        for (path, its_theme), its_fmt in zip(pairs, formats, strict=True):
            if (its_theme, its_fmt) == (theme, fmt):
                blobs[str(path)] = data
    return blobs


def _text_path(spec: FigureSpec) -> str | None:
    """Where a figure that fails to draw most likely went wrong: text with mathtext in it."""
    if spec.title is not None and "$" in spec.title:
        return "title"
    for i, curve in enumerate(spec.curves):
        if "$" in curve.label:
            return f"curves[{i}].label"
    return None
