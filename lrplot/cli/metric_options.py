"""The ``lrplot plateau`` flags that choose the metric: ``--metric PROFILE``, ``--seed``, the
profiles' parameters (``--start``, ``--flat-from``, ...), ``--metric-file``/``--metric-column``
and ``--patience-band``. They become the same ``metric:`` mapping a YAML file holds, so the spec
validates both alike.
"""

from __future__ import annotations

import enum
import inspect
from typing import Annotated, Any

import typer

from lrplot.families.torch_catalog import option_name
from lrplot.metrics import PROFILES

Profile = enum.Enum("Profile", {name: name for name in PROFILES}, type=str)  # type: ignore[misc]


class Pad(str, enum.Enum):
    last = "last"


def _param_kinds() -> dict[str, tuple[Any, str]]:
    """Each profile parameter once: (type, help naming the profiles that use it)."""
    kinds: dict[str, tuple[Any, str]] = {}
    for profile in PROFILES.values():
        for param in profile.params:
            kind = int if param.rule.endswith("count") else float
            users = [p.name for p in PROFILES.values() if p.param(param.name)]
            text = f"Metric profile parameter: {param.doc} ({', '.join(users)})."
            kinds.setdefault(param.name, (kind, text))
    return kinds


def metric_options() -> list[inspect.Parameter]:
    def option(name: str, annotation: Any, *decls: str, help: str) -> inspect.Parameter:
        return inspect.Parameter(
            f"metric_{name}",
            inspect.Parameter.KEYWORD_ONLY,
            default=False if annotation is bool else None,
            annotation=Annotated[annotation, typer.Option(*decls, help=help, show_default=False)],
        )

    names = ", ".join(PROFILES)
    options = [
        option(
            "profile",
            Profile | None,
            "--metric",
            help=f"Synthetic metric profile fed to scheduler.step(): {names} [exp-decay].",
        ),
        option("seed", int | None, "--seed", help="Seed of the profile's noise [0]."),
    ]
    for name, (kind, text) in _param_kinds().items():
        options.append(option(name, kind | None, option_name(name), help=text))
    options += [
        option(
            "file",
            str | None,
            "--metric-file",
            help="Replay a CSV training log instead of a profile (needs --metric-column).",
        ),
        option("column", str | None, "--metric-column", help="The CSV column to replay."),
        option(
            "pad",
            Pad | None,
            "--metric-pad",
            help="'last' repeats the last value when the log is shorter than the run.",
        ),
        option(
            "patience_band",
            bool,
            "--patience-band",
            help="Shade the patience window before each reduction.",
        ),
    ]
    return options


def metric_mapping(values: dict[str, Any]) -> dict[str, Any] | None:
    """The ``metric:`` mapping the flags describe, or None when none was given."""
    metric: dict[str, Any] = {}
    for key in ("profile", "file", "column", "pad"):
        value = values.get(f"metric_{key}")
        if value is not None:
            metric[key] = value.value if isinstance(value, enum.Enum) else value
    for key in ("seed", *_param_kinds()):
        if values.get(f"metric_{key}") is not None:
            metric[key] = values[f"metric_{key}"]
    if values.get("metric_patience_band"):
        metric["patience_band"] = True
    return metric or None


def metric_flag(path: str) -> str | None:
    """The flag behind a spec key path under ``metric``: ``metric.flat_from`` -> ``--flat-from``."""
    key = path.split(".", 1)[1].split("[")[0] if "." in path else ""
    flags = {"profile": "--metric", "file": "--metric-file", "column": "--metric-column"}
    flags["pad"] = "--metric-pad"
    if not key:
        return None
    return flags.get(key, option_name(key))
