"""What a command does with a validated spec: say its notes, save it as YAML if asked, write
its outputs or draw it in the terminal, then say its warnings.

Every command that draws one figure ends here: a scheduler command, ``lrplot FILE.yaml``,
``render FILE.yaml -o x.png``, ``compare`` and each round of ``watch``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lrplot.cli.edge import print_notes, print_warnings, warnings_to_stderr
from lrplot.cli.progress import SimulationProgress
from lrplot.errors import shown


def run_spec(
    spec: Any,
    outputs: Sequence[str],
    plot: Mapping[str, Any] | None = None,
    *,
    save: str | None = None,
    raw: Mapping[str, Any] | None = None,
) -> None:
    """Notes, the saved spec (``--save-spec``), the outputs or the terminal chart, warnings.

    With ``--save-spec -`` and no ``-o``, stdout holds the YAML alone: nothing is drawn.
    """
    print_notes(spec.notes)
    if save is not None and raw is not None:
        save_spec(save, raw, outputs, spec.source)
    if save != "-" or outputs:
        write_or_summarize(spec, outputs, dict(plot or {}), spec.source)
    print_warnings(spec.warnings)  # after the run, so that an error stays the only line


def write_or_summarize(
    spec: Any, outputs: Sequence[str], plot: dict[str, Any], source: str = ""
) -> None:
    """Write the outputs (creating missing folders; ``--theme both`` adds ``-dark`` twins), or
    without any draw the curve in the terminal with a summary (in ASCII where stdout cannot
    encode braille)."""
    options = spec.plot.merged(**plot)
    progress = SimulationProgress()
    try:
        with warnings_to_stderr(source):
            if outputs:
                from lrplot.render import render, themed_outputs

                render(spec, list(outputs), options=options, progress=progress, parents=True)
                for path, _ in themed_outputs(list(outputs), options):
                    if path != "-":
                        print(f"wrote {shown(path)}", file=sys.stderr)
                return
            from lrplot.simulate import simulate_figure

            curves = simulate_figure(spec, progress=progress)
    finally:
        progress.close()
    _summarize(spec, curves, options)


def _summarize(spec: Any, curves: Any, options: Any) -> None:
    """The terminal chart and the summary: the scale lrplot chose, and the call when the title
    is shorter."""
    from lrplot.draw import scale
    from lrplot.draw.summary import summarize
    from lrplot.draw.termchart import charset_for, chart
    from lrplot.draw.xaxis import choose
    from lrplot.families import family_of

    log, note = scale.choice([curve.lr[g] for curve in curves for g in range(curve.groups)],
                             options.log_y)  # fmt: skip
    call = ""
    if len(spec.curves) == 1:
        scheduler = spec.curves[0].scheduler
        call = family_of(scheduler).describe(scheduler)
    drawn = chart(
        curves,
        x=choose(curves, options),
        log_y=log,
        annotate=options.annotate,
        charset=charset_for(sys.stdout),
    )
    print(drawn)
    print(summarize(spec.display_title, curves, note, call))


def spec_mapping(raw: Mapping[str, Any], outputs: Sequence[str]) -> dict[str, Any]:
    """The YAML spec of a command line: its keys in the order of a config, and the ``-o`` names
    as ``outputs:`` when a config may name them (relative, no ``..``, a known suffix)."""
    from lrplot import formats, paths
    from lrplot.config.figure import FIGURE_KEYS

    order = {key: i for i, key in enumerate(FIGURE_KEYS)}
    data = dict(sorted(raw.items(), key=lambda item: order.get(item[0], len(order))))
    names = [str(name) for name in outputs if name != "-"]
    allowed = all(
        not (paths.lexical_problem(name, "") or paths.size_problem(name))
        and not formats.suffix_problem(name)
        for name in names
    )
    if names and allowed and len(names) == len(outputs):
        data["outputs"] = names
    return data


def _metric_file_beside(data: dict[str, Any], folder: Path) -> None:
    """A config reads ``metric.file`` next to itself (and only there): name a file the command
    line gave relative to the saved spec's folder, or say that it cannot be read from there."""
    for run in [data, *data.get("curves", [])]:
        metric = run.get("metric")
        if not isinstance(metric, dict) or not isinstance(metric.get("file"), str):
            continue
        try:
            metric["file"] = Path(metric["file"]).resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            print(
                f"warning: --save-spec: {shown(metric['file'])} is outside {shown(folder)}, and "
                "a config reads its metric file only from its own folder: copy the file there",
                file=sys.stderr,
            )


def save_spec(target: str, raw: Mapping[str, Any], outputs: Sequence[str], source: str) -> None:
    """``--save-spec FILE``: the flags as YAML that renders to the same bytes."""
    import copy

    from lrplot.config.yamlload import dump_text
    from lrplot.outputs.files import atomic_write_all

    data = spec_mapping(copy.deepcopy(dict(raw)), outputs)
    _metric_file_beside(data, Path(target).parent if target != "-" else Path("."))
    text = f"# {source} --save-spec: `lrplot render THIS.yaml` draws the same figure\n"
    text += dump_text(data)
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    atomic_write_all([(Path(target), [text])], parents=True)
    print(f"wrote {shown(target)}", file=sys.stderr)
