"""``lrplot init NAME`` for torch's classes: values for the arguments torch requires, chosen to
give a sensible 100-epoch curve, and the nested schedulers of SequentialLR/ChainedScheduler."""

from __future__ import annotations

from typing import Any

from lrplot.families.base import Entry
from lrplot.families.torch_rules import CHAINED, CYCLING, SEQUENTIAL
from lrplot.params import MISSING, Kind

# Values for arguments torch requires, chosen to give a sensible 100-epoch curve. A required
# argument not listed here (a future torch's) is written as a placeholder to fill in.
EXAMPLES: dict[str, Any] = {
    "lr_lambda": '"0.95 ** epoch"',
    "step_size": 30,
    "milestones": "[30, 60, 80]",
    "gamma": 0.95,
    "T_max": 100,
    "T_0": 20,
    "base_lr": 0.01,
    "max_lr": 0.1,
    "swa_lr": 0.0002,
}
# Values `lrplot init` writes for one class, required or not: MultiplicativeLR multiplies by its
# factor at *every* step, so "0.95 ** epoch" would compound to 0.95^(n(n+1)/2); CyclicLR's default
# step_size_up of 2000 would draw a ramp on a 100-epoch run.
CLASS_EXAMPLES: dict[tuple[str, str], Any] = {
    ("MultiplicativeLR", "lr_lambda"): '"0.95"',
    ("CyclicLR", "step_size_up"): 10,
    ("PolynomialLR", "total_iters"): 100,
}
NESTED: dict[str, list[str]] = {
    SEQUENTIAL: [
        "  milestones: [5]",
        "  schedulers:",
        "    - {type: linear, start_factor: 0.01, total_iters: 5}   # warmup",
        "    - {type: cosine, T_max: 95, eta_min: 1.0e-5}",
    ],
    CHAINED: [
        "  schedulers:",
        "    - {type: constant, factor: 0.1, total_iters: 10}",
        "    - {type: exponential, gamma: 0.97}",
    ],
}
PLATEAU_INIT = [
    "# metric: {profile: exp-decay, seed: 0}   # what step(metric) gets; the default.",
    "#   or {values: [...]} (one per scheduler step),",
    "#   or {file: losses.csv, column: val_loss} to replay a logged metric",
]


def init_lines(entry: Entry) -> list[str]:
    """The body of ``lrplot init NAME`` for a torch class: a starter that renders as it is."""
    momentum = entry.name in CYCLING
    length = (
        f"# epochs: 100                  # default: {entry.length_note}"
        if entry.length_note != "100"
        else "epochs: 100"
    )
    lines = [
        length,
        "steps_per_epoch: 1",
        "interval: epoch                 # epoch | step (when scheduler.step() runs)",
        "optimizer: {type: SGD, lr: 0.1"
        + (", momentum: 0.9}   # this scheduler cycles momentum" if momentum else "}"),
        "scheduler:",
        f"  type: {entry.command}",
    ]
    nested = NESTED.get(entry.name)
    for param in entry.params:
        comment = f"   # {param.doc}" if param.doc else ""
        if param.kind is Kind.SCHEDULERS or (nested and param.name == "milestones"):
            continue
        own = CLASS_EXAMPLES.get((entry.name, param.name))
        if own is not None:
            lines.append(f"  {param.name}: {own}{comment}")
        elif param.required:
            example = EXAMPLES.get(param.name)
            if example is None:
                lines.append(f"  # {param.name}: ...   # required: fill in{comment}")
            else:
                lines.append(f"  {param.name}: {example}{comment}")
        elif param.default is not MISSING:
            lines.append(f"  # {param.name}: {_yaml_value(param.default)}{comment}")
        else:
            lines.append(f"  # {param.name}: {param.default_text}{comment}")
    lines += nested or []
    if entry.uses_metric:
        lines += PLATEAU_INIT
    return lines


def _yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return repr(value).replace("'", '"') if "'" not in value else f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return str(value)
