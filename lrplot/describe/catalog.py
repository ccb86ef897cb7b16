"""What ``lrplot list``, ``lrplot show NAME`` and ``lrplot init NAME`` print.

Everything comes from the registry (the installed torch's source), so a scheduler that a newer
torch adds is listed, shown and gets a starter config with no change here.

``lrplot list`` prints one section per entry of :data:`LIST_SECTIONS`; another kind of thing to
list (recipes, say) is one more function appended there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrplot.families import torch_catalog as registry
from lrplot.families.torch_catalog import _MISSING, Kind, Param

Row = tuple[str, str]  # (names, one-line description)
Section = tuple[str, list[Row]]  # (heading, rows)


def scheduler_rows() -> Section:
    rows = []
    for info in registry.schedulers().values():
        names = ", ".join(dict.fromkeys([info.command, *info.aliases, info.name]))
        rows.append((names, info.summary))
    return "schedulers (lrplot NAME --help, lrplot show NAME, lrplot init NAME)", rows


def recipe_rows() -> Section:
    from lrplot.families.recipes import list_section

    return list_section()


LIST_SECTIONS: list[Callable[[], Section]] = [scheduler_rows, recipe_rows]


def list_text() -> str:
    out = []
    for make in LIST_SECTIONS:
        heading, rows = make()
        width = max((len(names) for names, _ in rows), default=0)
        out.append(f"{heading}:")
        out += [f"  {names:<{width}}  {summary}".rstrip() for names, summary in rows]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- show --------------------------------------------------------------------------------------


def _type_text(param: Param) -> str:
    if param.kind is Kind.CHOICE:
        return " | ".join(param.choices)
    text = param.kind.value
    return f"{text} or null" if param.optional and param.default is None else text


def show_text(name: str) -> str:
    """Everything about one scheduler: names, torch's description, and every argument."""
    info = registry.resolve_scheduler(name)
    lines = [f"{info.name}  ({info.module}.{info.name})"]
    aliases = ", ".join(dict.fromkeys([info.command, *info.aliases]))
    lines.append(f"names: {aliases}   command: lrplot {info.command}   YAML: type: {info.command}")
    if info.doc:
        lines.append("")
        lines += _wrap(info.doc, 96)
    lines.append("")
    lines.append("arguments:")
    rows = []
    for param in info.params:
        default = param.default_text or "required"
        rows.append((param.name, _type_text(param), default, info.param_doc(param.name)))
    if not rows:
        lines.append("  (none besides the optimizer)")
    w0 = max((len(r[0]) for r in rows), default=0)
    w1 = max((len(r[1]) for r in rows), default=0)
    w2 = max((len(r[2]) for r in rows), default=0)
    for arg, kind, default, doc in rows:
        lines.append(f"  {arg:<{w0}}  {kind:<{w1}}  {default:<{w2}}  {doc}".rstrip())
    lines.append("")
    lines.append(f"starter config: lrplot init {info.command} > {info.command}.yaml")
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


# -- init --------------------------------------------------------------------------------------

# Values for arguments torch requires, chosen to give a sensible 100-epoch curve. A required
# argument not listed here (a future torch's) is written as a placeholder to fill in.
_EXAMPLES: dict[str, Any] = {
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
_NESTED: dict[str, list[str]] = {
    "SequentialLR": [
        "  milestones: [5]",
        "  schedulers:",
        "    - {type: linear, start_factor: 0.01, total_iters: 5}   # warmup",
        "    - {type: cosine, T_max: 95, eta_min: 1.0e-5}",
    ],
    "ChainedScheduler": [
        "  schedulers:",
        "    - {type: constant, factor: 0.1, total_iters: 10}",
        "    - {type: exponential, gamma: 0.97}",
    ],
}
_MOMENTUM = ("CyclicLR", "OneCycleLR")


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


def init_text(name: str) -> str:
    """A commented starter config for ``name`` that loads and renders as it is."""
    info = registry.resolve_scheduler(name)
    momentum = info.name in _MOMENTUM
    lines = [
        f"# {info.name}: {info.summary}",
        "# Render: lrplot render THIS.yaml --format png,csv",
        "# Editor completion: see `lrplot schema` in the README.",
        "# title: My schedule            # default: built from the scheduler",
        "epochs: 100",
        "steps_per_epoch: 1",
        "interval: epoch                 # epoch | step (when scheduler.step() runs)",
        "optimizer: {type: SGD, lr: 0.1"
        + (", momentum: 0.9}   # this scheduler cycles momentum" if momentum else "}"),
        "scheduler:",
        f"  type: {info.command}",
    ]
    nested = _NESTED.get(info.name)
    for param in info.params:
        doc = info.param_doc(param.name)
        comment = f"   # {doc}" if doc else ""
        if param.kind is Kind.SCHEDULERS or (nested and param.name == "milestones"):
            continue
        if param.required:
            example = _EXAMPLES.get(param.name)
            if example is None:
                lines.append(f"  # {param.name}: ...   # required: fill in{comment}")
            else:
                lines.append(f"  {param.name}: {example}{comment}")
        elif param.default is not _MISSING:
            lines.append(f"  # {param.name}: {_yaml_value(param.default)}{comment}")
        else:
            lines.append(f"  # {param.name}: {param.default_text}{comment}")
    if nested:
        lines += nested
    if info.name == "ReduceLROnPlateau":
        lines += [
            "# metric: {profile: exp-decay, seed: 0}   # what step(metric) gets; the default.",
            "#   or {values: [...]} (one per scheduler step),",
            "#   or {file: losses.csv, column: val_loss} to replay a logged metric",
        ]
    lines += [
        "# plot: {annotate: true, log_y: false, x: epoch, size: 8x4.5, dpi: 100}",
        "# outputs: [schedule.png, schedule.csv]",
    ]
    return "\n".join(lines) + "\n"
