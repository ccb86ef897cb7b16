"""``lrplot check-log SPEC LOG``: compare the lr a run logged with the lr its spec plans."""

from __future__ import annotations

import enum
import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lrplot import formats
from lrplot.cli.edge import errors_exit, warnings_to_stderr
from lrplot.cli.flag import Flag
from lrplot.cli.frameworks import Interval
from lrplot.cli.options import figure_overrides
from lrplot.errors import shown
from lrplot.runlog.model import FORMATS, HF_CONVENTIONS

EXIT_CODES = (
    "Exit codes: 0 the log follows the plan; 1 it diverged (the first line says where, a second "
    "line names the likely cause when one of lrplot's hypotheses reproduces the whole log); 2 "
    "bad input."
)
HELP = (
    "Did a run follow its plan? Compare the lr a training run logged with the lr SPEC plans.\n\n"
    "LOG is a CSV with a step and an lr column, a Hugging Face trainer_state.json (or output "
    "folder), a Lightning metrics.csv, TensorBoard event files (a file or a run's folder) or a "
    "Weights & Biases CSV export; the format is detected from the content. Each framework's "
    "convention of which lr it logs at step s is applied (transformers >= 4.51 logs the lr of "
    "optimizer step s-1). Only logged points are compared; a log that ends early is not a "
    "divergence.\n\n"
    "SPEC is an lrplot spec, or a TrainingArguments file or LightningCLI config with "
    "--dataset-size (what such a file does not say).\n\n"
    "Likely causes, tested by simulating each with the real scheduler: stepped-per-epoch, "
    "stepped-per-step, accumulation-xK, offset-N, resumed-at-N, lr-scaled-xF.\n\n" + EXIT_CODES
)
FLAGS = [
    Flag("format", ("--format",), str | None,
         f"The log's format: {', '.join(FORMATS)} [detected].", metavar="FORMAT"),
    Flag("column", ("--column",), str | None,
         "The lr column of a CSV (or W&B metric) [the first named lr, learning_rate or lr-*]."),
    Flag("step_column", ("--step-column",), str | None,
         "The step column of a CSV [the first named step, global_step, trainer/global_step, "
         "iteration or _step]."),
    Flag("tag", ("--tag",), str | None,
         "The TensorBoard scalar tag [the first named lr, learning_rate, lr-*, */lr or "
         "*/learning_rate]."),
    Flag("hf_convention", ("--hf-convention",), str | None,
         "Which lr transformers logged at step s: new (>= 4.51, the lr optimizer step s used) "
         "or old (the lr after it) [the installed transformers'].", metavar="old|new"),
    Flag("group", ("--group",), int | None,
         "The param group the log holds, from 0 [from the column name: lr-SGD/pg2 is 1; else 0]."),
    Flag("curve", ("--curve",), str | None, "The curve of a curves: spec to compare, by label."),
    Flag("rtol", ("--rtol",), float, "Relative tolerance of a match.", 1e-6, show_default=True),
    Flag("output", ("--output", "-o"), list[str] | None,
         "Write the plan, the log and the divergence to this file (png, svg, pdf), or the "
         "points compared (csv). Repeat for several.", metavar="FILE"),
    Flag("log_y", ("--log-y/--no-log-y",), bool | None, "Log-scale lr axis [off]."),
    Flag("dataset_size", ("--dataset-size",), int | None, "For a TrainingArguments file or a "
         "LightningCLI config: samples in the training set (the file does not say)."),
    Flag("batch_size", ("--batch-size",), int | None, "For a LightningCLI config: samples per "
         "batch on each device [its data.batch_size]."),
    Flag("world_size", ("--world-size",), int | None, "For a TrainingArguments file or a "
         "LightningCLI config: devices x nodes [1; trainer.devices x num_nodes]."),
    Flag("drop_last", ("--drop-last",), bool, "For a LightningCLI config: the DataLoader drops "
         "each device's last, incomplete batch.", False),
    Flag("interval", ("--interval",), Interval | None, "For a LightningCLI config whose "
         "configure_optimizers returns this interval [epoch]."),
    Flag("frequency", ("--frequency",), int | None, "For a LightningCLI config whose "
         "configure_optimizers returns this frequency [1]."),
    Flag("size", ("--size",), str | None, "Figure size in inches [8x4.5].", metavar="WxH"),
    Flag("dpi", ("--dpi",), int | None, "Figure resolution [100]."),
]  # fmt: skip
ARGUMENTS = [
    inspect.Parameter(
        name,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[
            Path, typer.Argument(help=text, show_default=False, metavar=name.upper())
        ],
    )
    for name, text in (
        (
            "spec",
            "The plan: an lrplot spec, a TrainingArguments file (as "
            "args.to_json_string() writes it) or a LightningCLI config.",
        ),
        ("log", "The run's log: a file, or a TensorBoard / Hugging Face output folder."),
    )
]


def check_log(spec: Path, log: Path, **values: Any) -> None:
    from lrplot.checklog import FRAMEWORK_OPTIONS
    from lrplot.checklog import check_log as run_check
    from lrplot.runlog import LogOptions

    with errors_exit():
        if values["hf_convention"] not in (None, *HF_CONVENTIONS):
            from lrplot.errors import SpecError

            raise SpecError(
                f"--hf-convention: must be 'old' or 'new', got {values['hf_convention']!r}"
            )
        options = LogOptions(
            format=values["format"],
            column=values["column"],
            step_column=values["step_column"],
            tag=values["tag"],
            hf_convention=values["hf_convention"],
            group=values["group"],
        )
        outputs = values["output"] or []
        if "-" in outputs:
            from lrplot.errors import OutputError

            raise OutputError("-o -: check-log prints its verdict on stdout; name a file")
        kinds = [formats.format_of(path) for path in outputs]
        with warnings_to_stderr():
            framework = {key: _plain(values[key]) for key in FRAMEWORK_OPTIONS}
            result = run_check(
                spec, log, options, rtol=values["rtol"], curve=values["curve"], framework=framework
            )
            if outputs:
                _write(result, outputs, kinds, values)
    for line in result.lines():
        print(line)
    for path in outputs:
        print(f"wrote {shown(path)}", file=sys.stderr)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _write(result: Any, outputs: list[str], kinds: list[str], values: dict[str, Any]) -> None:
    from lrplot.checklog import csv_lines, picture
    from lrplot.draw.checklog import draw_check
    from lrplot.outputs.figures import figure_bytes
    from lrplot.outputs.files import atomic_write_all
    from lrplot.plotoptions import PlotOptions

    given = figure_overrides({**values, "annotate": None, "x": None, "style": None})
    options = PlotOptions().merged(**given)
    figure = None
    items: list[tuple[str, list[str] | list[bytes]]] = []
    for path, kind in zip(outputs, kinds, strict=True):
        if kind == "csv":
            items.append((path, csv_lines(result)))
            continue
        if figure is None:
            figure = draw_check(picture(result), options)
        items.append((path, [figure_bytes(figure, kind)]))
    atomic_write_all(items)


check_log.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    ARGUMENTS + [flag.parameter() for flag in FLAGS]
)


def register(app: typer.Typer) -> None:
    app.command(name="check-log", help=HELP)(check_log)
