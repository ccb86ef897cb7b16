"""The run around a scheduler, as Params: how long it is and how it steps.

Every entry here is a key of a spec (and of each ``curves:`` item), a field of
:class:`~lrplot.model.CurveSpec` of the same name, a flag of every scheduler command
(``--steps-per-epoch``) and a property of the JSON Schema. ``epochs`` and ``interval`` may come
from the scheduler's family when the spec does not set them; every other run option is validated
and handed to CurveSpec as it is. A rule that relates an option to the rest of the run goes in
:data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lrplot.model import INTERVALS, MAX_DATASET, RESUME_MODES
from lrplot.params import MISSING, Kind, Param


def _count(name: str, doc: str, default: int | None = None, high: int = MAX_DATASET) -> Param:
    rule = "a positive integer"
    return Param(
        name,
        Kind.INT,
        doc,
        MISSING if default is None else default,
        required=default is None,
        low=1,
        high=high,
        rule=f"{rule} (at most {high})" if high < MAX_DATASET else rule,
        type_text=rule,
        default_text="" if default is None else str(default),
        default_note="required with --dataset-size" if default is None else str(default),
    )


if TYPE_CHECKING:
    from lrplot.model import CurveSpec
    from lrplot.params import Fail

RUN_PARAMS: tuple[Param, ...] = (
    Param(
        "epochs",
        Kind.INT,
        "epochs to simulate",
        low=1,
        rule="a positive integer",
        type_text="a positive integer",
        default_note="the schedule's own horizon (T_max, total_steps, total_iters, "
        "num_training_steps), else 100",
    ),
    Param(
        "steps_per_epoch",
        Kind.INT,
        "optimizer steps per epoch",
        1,
        low=1,
        rule="a positive integer",
        type_text="a positive integer",
        default_text="1",
        default_note="1",
    ),
    Param(
        "interval",
        Kind.CHOICE,
        "when scheduler.step() runs: after each epoch, or after every optimizer step",
        choices=INTERVALS,
        rule="'epoch' or 'step'",
        default_note="epoch",
    ),
    Param(
        "resume_at",
        Kind.INT_LIST,
        "resume from a checkpoint before these optimizer steps: save the optimizer's and "
        "scheduler's state, build both anew, load the state and go on",
        (),
        low=1,
        rule="a positive integer",
        default_text="[]",
        default_note="never",
    ),
    Param(
        "resume_mode",
        Kind.CHOICE,
        "how a resumed run gets its scheduler back: state_dict (load it), rebuild (build it "
        "with last_epoch=K-1) or fresh (build it anew, without its state)",
        "state_dict",
        choices=RESUME_MODES,
        rule="'state_dict', 'rebuild' or 'fresh'",
        default_text="state_dict",
        default_note="state_dict",
    ),
)
"""The run options, in the order flags and the schema list them."""

DATA_PARAMS: tuple[Param, ...] = (
    _count("dataset_size", "samples in the training set"),
    _count("batch_size", "samples per batch on each device"),
    _count(
        "world_size",
        "devices x nodes; each device gets its own shard of the data",
        1,
        high=1_000_000,
    ),
    Param(
        "drop_last",
        Kind.BOOL,
        "the DataLoader drops each device's last, incomplete batch",
        False,
        default_text="false",
        default_note="false",
    ),
    _count(
        "accumulate",
        "batches per optimizer step (gradient accumulation); an epoch's last, incomplete "
        "window still takes a step",
        1,
        high=1_000_000,
    ),
)
"""``data:``: the dataset an epoch is made of, instead of a bare ``steps_per_epoch``. Each is
also a flag: ``--dataset-size``, ``--batch-size``, ``--world-size``, ``--drop-last``,
``--accumulate``."""

NAMES = tuple(param.name for param in RUN_PARAMS)
# Options the spec reads itself (a family may choose epochs and interval, see RunDefaults);
# every other run option goes to CurveSpec as it is.
OWN = ("epochs", "steps_per_epoch", "interval")
EXTRA = tuple(param for param in RUN_PARAMS if param.name not in OWN)

RunRule = Callable[["CurveSpec", Callable[[str], str], "Fail"], None]
"""``rule(curve, where, fail)``: a check across a run option and the rest of the run, made once
the run's length is known (a step number must fall inside the run). ``where(name)`` is the key
path the option came from (``resume_at`` or ``curves[1].resume_at``); a rule raises
``fail(path, message)``, which names the YAML line or the flag."""

RULES: tuple[RunRule, ...] = ()
"""The rules every curve is checked against; the per-value checks come from the Params."""
