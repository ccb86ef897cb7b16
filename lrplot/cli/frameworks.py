"""``lrplot lightning CONFIG``: the schedule of a file a training framework reads.

The framework module translates the file into an lrplot spec (:mod:`lrplot.frameworks`); this
command reads the file, adds the flags the file cannot say (the dataset size), and runs the spec
like any other: a chart and a summary, or ``-o`` files.
"""

from __future__ import annotations

import enum
import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lrplot.cli.edge import EXIT_CODES, errors_exit, print_warnings
from lrplot.cli.options import FIGURE, OUTPUT, Flag, figure_overrides


class Interval(str, enum.Enum):
    epoch = "epoch"
    step = "step"


DATA = [
    Flag("dataset_size", ("--dataset-size",), int, "Samples in the training set (required: "
         "the config does not say).", ..., key="data.dataset_size"),
    Flag("batch_size", ("--batch-size",), int | None, "Samples per batch on each device "
         "[the config's data.batch_size or data.init_args.batch_size].", key="data.batch_size"),
    Flag("world_size", ("--world-size",), int | None,
         "Devices x nodes [trainer.devices x trainer.num_nodes].", key="data.world_size"),
    Flag("drop_last", ("--drop-last",), bool, "The DataLoader drops each device's last, "
         "incomplete batch.", False, key="data.drop_last"),
]  # fmt: skip
LIGHTNING = [
    Flag("interval", ("--interval",), Interval | None,
         "Only if your LightningCLI subclass overrides configure_optimizers to return this "
         "interval: a LightningCLI scheduler steps every epoch [epoch].", key="lightning.interval"),
    Flag("frequency", ("--frequency",), int | None,
         "Only if your configure_optimizers returns this frequency [1].",
         key="lightning.frequency"),
]  # fmt: skip
CONFIG = inspect.Parameter(
    "config",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        Path,
        typer.Argument(
            help="A LightningCLI config (fit --config FILE).", show_default=False, metavar="CONFIG"
        ),
    ],
)


def lightning(config: Path, **values: Any) -> None:
    source = str(config)
    raw: dict[str, Any] = {"lightning": {"config": source}, "data": {}}
    run_file(raw, source, DATA + LIGHTNING, values)


def run_file(raw: dict[str, Any], source: str, flags: list[Flag], values: dict[str, Any]) -> None:
    """Run the spec ``raw`` (which names a framework's file) plus the given flags."""
    from lrplot.cli.schedulers import write_or_summarize
    from lrplot.config import spec_from_document
    from lrplot.config.yamlload import Document

    with errors_exit(source):
        names = {}
        for flag in flags:
            value = _plain(values.get(flag.name))
            if flag.key is None or value is None or value is False:
                continue
            block, key = flag.key.split(".")
            raw.setdefault(block, {})[key] = value
            names[flag.key] = flag.flag
        spec = spec_from_document(Document(raw, source, flags=names), confine=False)
        for curve in spec.curves:
            for note in curve.notes:
                print(f"note: {source}: {note}", file=sys.stderr)
        write_or_summarize(spec, values.get("output") or [], figure_overrides(values), source)
        print_warnings(spec.warnings)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


lightning.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [CONFIG] + [flag.parameter() for flag in DATA + LIGHTNING + OUTPUT + FIGURE]
)

LIGHTNING_HELP = (
    "Draw the schedule a LightningCLI config gives (optimizer:, lr_scheduler:, trainer:), as "
    "Lightning's Trainer.fit steps it: a LightningCLI scheduler steps once per epoch; "
    "trainer.max_epochs, max_steps, accumulate_grad_batches, limit_train_batches, devices and "
    "num_nodes shape the run. The dataset size is not in the config: give --dataset-size.\n\n"
    + EXIT_CODES
)


def register(app: typer.Typer) -> None:
    app.command(name="lightning", help=LIGHTNING_HELP)(lightning)
