"""The run around a scheduler, as Params: how long it is and how it steps.

Every entry here is a key of a spec (and of each ``curves:`` item), a field of
:class:`~lrplot.model.CurveSpec` of the same name, a flag of every scheduler command
(``--steps-per-epoch``) and a property of the JSON Schema. ``epochs`` and ``interval`` may come
from the scheduler's family when the spec does not set them; every other run option is validated
and handed to CurveSpec as it is.
"""

from __future__ import annotations

from lrplot.model import INTERVALS, RESUME_MODES
from lrplot.params import Kind, Param

RUN_PARAMS: tuple[Param, ...] = (
    Param(
        "epochs",
        Kind.INT,
        "epochs to simulate",
        low=1,
        rule="a positive integer",
        type_text="a positive integer",
        default_note="100",
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

NAMES = tuple(param.name for param in RUN_PARAMS)
# Options the spec reads itself (a family may choose epochs and interval, see RunDefaults);
# every other run option goes to CurveSpec as it is.
OWN = ("epochs", "steps_per_epoch", "interval")
EXTRA = tuple(param for param in RUN_PARAMS if param.name not in OWN)
