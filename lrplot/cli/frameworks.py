"""``lrplot hf ARGS.json`` and ``lrplot lightning CONFIG``: the schedule of a file a training
framework reads.

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

from lrplot.cli.edge import EXIT_CODES, errors_exit
from lrplot.cli.flag import Flag
from lrplot.cli.options import FIGURE, OUTPUT, figure_overrides
from lrplot.errors import shown


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


HF = [
    Flag("dataset_size", ("--dataset-size",), int | None, "Samples in the training set (the "
         "file does not say; not needed with max_steps).", key="data.dataset_size"),
    Flag("world_size", ("--world-size",), int | None, "Devices x nodes (the file does not say) "
         "[1].", key="data.world_size"),
]  # fmt: skip
ARGS = inspect.Parameter(
    "args",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        Path,
        typer.Argument(
            help="TrainingArguments as JSON (args.to_json_string()) or YAML; never a pickle.",
            show_default=False,
            metavar="ARGS",
        ),
    ],
)


def huggingface(args: Path, **values: Any) -> None:
    source = str(args)
    run_file({"huggingface": {"args": source}}, source, HF, values)


huggingface.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [ARGS] + [flag.parameter() for flag in HF + OUTPUT + FIGURE]
)

HF_HELP = (
    "Draw the schedule a transformers Trainer runs with these TrainingArguments: the update "
    "steps per epoch, max_steps, the warmup and get_scheduler's lr_scheduler_type and "
    "lr_scheduler_kwargs, as transformers 5.24 computes them. Reads the fields that shape the "
    "schedule and says which; ignores the rest. The dataset size and the number of devices are "
    "not in the file: give --dataset-size (unless max_steps is set) and --world-size.\n\n"
    + EXIT_CODES
)


def lightning(config: Path, **values: Any) -> None:
    source = str(config)
    raw: dict[str, Any] = {"lightning": {"config": source}, "data": {}}
    run_file(raw, source, DATA + LIGHTNING, values)


def run_file(raw: dict[str, Any], source: str, flags: list[Flag], values: dict[str, Any]) -> None:
    """Run the spec ``raw`` (which names a framework's file) plus the given flags."""
    from lrplot.cli.running import run_spec
    from lrplot.config import spec_from_document
    from lrplot.config.yamlload import Document

    with errors_exit(source):
        # the file is the source; the dataset size only ever comes from the flag
        names = {f"{block}.{key}": "" for block, value in raw.items() for key in value}
        names["data.dataset_size"] = "--dataset-size"
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
                print(f"note: {shown(source)}: {note}", file=sys.stderr)
        run_spec(spec, values.get("output") or [], figure_overrides(values))


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
    app.command(name="hf", help=HF_HELP)(huggingface)
    app.command(name="lightning", help=LIGHTNING_HELP)(lightning)
