"""A JSON Schema (draft-07) of the YAML spec, for editors: ``lrplot schema > lrplot.schema.json``.

Built from the families' catalogues, so every scheduler of the installed torch and its
arguments (with torch's own descriptions) complete in the editor. It describes shapes and simple
bounds only; the spec loader stays the judge (cross-field rules such as base_lr <= max_lr are not
in it).
"""

from __future__ import annotations

from typing import Any

from lrplot import formats
from lrplot.config.metric import KEYS as METRIC_KEYS
from lrplot.config.run import DATA_PARAMS, RUN_PARAMS
from lrplot.families import families
from lrplot.families import torch_source as torchsource
from lrplot.families.base import Entry, Family
from lrplot.params import Kind
from lrplot.params import json_schema as param_schema
from lrplot.plotoptions import (
    MAX_DPI,
    MAX_PER_STEP,
    MIN_DPI,
    PLOT_KEYS,
    THEME_CHOICES,
    X_CHOICES,
)

DRAFT = "http://json-schema.org/draft-07/schema#"


def _scheduler(family: Family, entry: Entry) -> dict[str, Any]:
    """One alternative of ``definitions.scheduler``: an entry of a family's catalogue."""
    names = list(dict.fromkeys([entry.name, *entry.names]))
    properties: dict[str, Any] = {family.key: {"enum": names, "description": entry.summary}}
    if entry.target:  # the key holds what the command's argument names: module:attribute
        properties[family.key] = {"type": "string", "description": entry.doc}
    for param in entry.params:
        properties[param.name] = param_schema(param)
    nested = [p.name for p in entry.params if p.kind is Kind.SCHEDULERS]
    required = [family.key] + [
        p.name for p in entry.params if p.required and p.kind is not Kind.SCHEDULERS
    ]
    return {
        "title": entry.name if family.key == "type" else f"{family.key} {entry.name}",
        "description": entry.summary if family.key == "type" else entry.doc,
        "type": "object",
        "properties": properties,
        "required": required + nested[:1],
        "additionalProperties": entry.any_keywords,  # an imported callable's keywords
    }


def _unavailable(family: Family, why: str) -> dict[str, Any]:
    """A family that cannot be used here (an optional library that is not installed): its key
    and any arguments, so that a config written for it still completes and validates."""
    return {
        "title": f"{family.key} (not available here)",
        "description": why,
        "type": "object",
        "properties": {family.key: {"type": "string"}},
        "required": [family.key],
    }


def _optimizer() -> dict[str, Any]:
    # Optimizer arguments differ per class and are checked by lrplot; here only their shapes.
    value = {"anyOf": [{"type": "number"}, {"type": "boolean"}, {"type": "array"}]}
    return {
        "anyOf": [
            {"type": "string", "description": "a torch.optim class name, e.g. SGD"},
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": torchsource.optimizer_names()},
                    "param_groups": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {
                                    "type": "string",
                                    "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$",
                                    "description": "the group's name in legends and CSV headers",
                                }
                            },
                            "additionalProperties": value,
                        },
                        "minItems": 1,
                    },
                },
                "additionalProperties": value,
            },
        ]
    }


def _run_properties() -> dict[str, Any]:
    from lrplot.metrics import PROFILES

    metric_props: dict[str, Any] = {key: {"type": "number"} for key in METRIC_KEYS}
    for profile in PROFILES.values():
        for param in profile.params:
            kind = "integer" if param.kind is Kind.INT else "number"
            metric_props[param.name] = {"type": kind, "description": param.doc}
    metric_props["values"] = {"type": "array", "items": {"type": "number"}, "minItems": 1}
    metric_props["file"] = {"type": "string", "description": "a CSV log to replay"}
    metric_props["column"] = {"type": "string", "description": "the CSV column to replay"}
    metric_props["pad"] = {"enum": ["last"]}
    metric_props["patience_band"] = {"type": "boolean"}
    metric_props["profile"] = {"enum": list(PROFILES)}
    metric_props["seed"] = {"type": "integer", "minimum": 0}
    return {
        **{param.name: param_schema(param) for param in RUN_PARAMS},
        "data": _block(DATA_PARAMS, "the dataset an epoch is made of (instead of steps_per_epoch)"),
        **_frameworks(),
        "optimizer": _optimizer(),
        "scheduler": {"$ref": "#/definitions/scheduler"},
        "metric": {
            "type": "object",
            "properties": metric_props,
            "additionalProperties": False,
            "description": "what ReduceLROnPlateau is fed",
        },
    }


def _block(params: Any, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {param.name: param_schema(param) for param in params},
        "additionalProperties": False,
        "description": description,
    }


def _frameworks() -> dict[str, Any]:
    from lrplot.frameworks.hf import FILE_KEY, HF_PARAMS
    from lrplot.frameworks.lightning import LIGHTNING_PARAMS

    lightning = _block(
        LIGHTNING_PARAMS, "Lightning's lr_scheduler dict and Trainer arguments (Trainer.fit's loop)"
    )
    lightning["properties"]["limit_train_batches"] = {"type": "number", "minimum": 0}
    huggingface = _block(HF_PARAMS, "TrainingArguments fields that shape a Trainer's schedule")
    huggingface["properties"]["lr_scheduler_kwargs"] = {
        "anyOf": [{"type": "object"}, {"type": "string"}],
        "description": "scheduler_specific_kwargs (a mapping, or a JSON object string)",
    }
    huggingface["properties"]["warmup_ratio"] = {"type": "number", "minimum": 0, "maximum": 1}
    huggingface["properties"][FILE_KEY] = {
        "type": "string",
        "description": "a TrainingArguments JSON (args.to_json_string()) or YAML file to read",
    }
    return {"lightning": lightning, "huggingface": huggingface}


def _plot() -> dict[str, Any]:
    limits = {
        "anyOf": [
            {"type": "string", "pattern": r"^\s*[-+0-9.eE]*\s*,\s*[-+0-9.eE]*\s*$"},
            {"type": "array", "items": {"type": ["number", "null"]}, "minItems": 2, "maxItems": 2},
        ],
        "description": "LOW,HIGH; leave a side empty (or null) to keep it automatic",
    }
    per_step = {"type": "integer", "minimum": 1, "maximum": MAX_PER_STEP}
    props: dict[str, Any] = {
        "annotate": {"type": "boolean", "description": "markers at milestones, restarts, ..."},
        "log_y": {
            "type": "boolean",
            "description": "log (true) or linear (false) lr axis; unset: log when a fifth of "
            "the curve lies 100x below its peak",
        },
        "x": {"enum": [*X_CHOICES, "epochs", "steps", "sample", "token"]},
        "style": {
            "type": "string",
            "description": "a built-in matplotlib style name, or an .mplstyle file in the "
            "config's folder",
        },
        "size": {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[0-9.]+\s*[xX×,]\s*[0-9.]+\s*$"},
                {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            ],
            "description": "WIDTHxHEIGHT in inches, e.g. 6.4x3.6",
        },
        "dpi": {"type": "integer", "minimum": MIN_DPI, "maximum": MAX_DPI},
        "theme": {
            "anyOf": [
                {"enum": list(THEME_CHOICES)},
                {"type": "array", "items": {"enum": ["light", "dark"]}, "minItems": 1},
            ],
            "description": "light, dark, or both (render writes NAME.png and NAME-dark.png)",
        },
        "transparent": {"type": "boolean", "description": "no background"},
        "xlim": limits,
        "ylim": limits,
        "panels": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "panels under the lr: momentum, weight_decay, effective_decay, none",
        },
        "samples_per_step": {**per_step, "description": "the global batch size, for x: samples"},
        "tokens_per_step": {
            **per_step,
            "description": "global batch size x sequence length, for x: tokens",
        },
    }
    assert tuple(props) == PLOT_KEYS
    return {"type": "object", "properties": props, "additionalProperties": False}


def json_schema() -> dict[str, Any]:
    run = _run_properties()
    outputs = {"type": "string", "pattern": formats.SUFFIX_PATTERN}
    curve = {
        "type": "object",
        "properties": {"label": {"type": "string", "minLength": 1}, **run},
        "required": ["label"],
        "additionalProperties": False,
    }
    schedulers = [
        _scheduler(family, entry) for family in families() for entry in family.entries().values()
    ]
    schedulers += [_unavailable(family, why) for family in families() if (why := family.missing())]
    return {
        "$schema": DRAFT,
        "title": "lrplot spec",
        "description": "One figure of PyTorch learning-rate schedules (lrplot render FILE).",
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            **run,
            "curves": {"type": "array", "items": curve, "minItems": 1},
            "outputs": {
                "anyOf": [outputs, {"type": "array", "items": outputs, "minItems": 1}],
            },
            "plot": _plot(),
        },
        "additionalProperties": False,
        "oneOf": [
            {"required": ["scheduler"]},
            {"required": ["curves"]},
            # the optimizer and scheduler come from a LightningCLI config
            {"required": ["lightning"], "properties": {"lightning": {"required": ["config"]}}},
            # ... or from TrainingArguments
            {"required": ["huggingface"]},
        ],
        "definitions": {"scheduler": {"anyOf": schedulers}},
    }
