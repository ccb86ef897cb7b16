"""A JSON Schema (draft-07) of the YAML spec, for editors: ``lrplot schema > lrplot.schema.json``.

Built from the registry, so every scheduler of the installed torch and its arguments (with
torch's own descriptions) complete in the editor. It describes shapes and simple bounds only; the
spec loader stays the judge (cross-field rules such as base_lr <= max_lr are not in it).
"""

from __future__ import annotations

from typing import Any

from lrplot.families import recipes
from lrplot.families import torch_catalog as registry
from lrplot.families.torch_catalog import _MISSING, ClassInfo, Kind, Param
from lrplot.plotoptions import MAX_DPI, MIN_DPI, PLOT_KEYS
from lrplot.spec.checker import (
    _INT_RULES,
    _NON_NEGATIVE,
    _POSITIVE,
    INTERVALS,
    MAX_STEPS,
    METRIC_KEYS,
)

DRAFT = "http://json-schema.org/draft-07/schema#"


def _number(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number"}
    if name in _POSITIVE:
        schema["exclusiveMinimum"] = 0
    elif name in _NON_NEGATIVE:
        schema["minimum"] = 0
    return schema


def _param(param: Param, doc: str) -> dict[str, Any]:
    kind = param.kind
    schema: dict[str, Any]
    if kind is Kind.INT:
        schema = {"type": "integer"}
        if param.name in _INT_RULES:
            schema["minimum"] = _INT_RULES[param.name][0]
    elif kind is Kind.FLOAT:
        schema = _number(param.name)
    elif kind is Kind.BOOL:
        schema = {"type": "boolean"}
    elif kind is Kind.STR:
        schema = {"type": "string"}
    elif kind is Kind.CHOICE:
        schema = {"enum": list(param.choices)}
    elif kind is Kind.INT_LIST:
        schema = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1}
    elif kind is Kind.FLOAT_OR_LIST:
        number = _number(param.name)
        schema = {"anyOf": [number, {"type": "array", "items": number, "minItems": 1}]}
    elif kind is Kind.FLOAT_TUPLE:
        schema = {"type": "array", "items": {"type": "number"}}
        if param.length:
            schema.update(minItems=param.length, maxItems=param.length)
    elif kind is Kind.EXPR:
        schema = {"type": "string", "description": "an expression in x"}
    elif kind is Kind.EXPR_OR_LIST:
        text = {"type": "string"}
        schema = {"anyOf": [text, {"type": "array", "items": text, "minItems": 1}]}
    elif kind is Kind.SCHEDULERS:
        schema = {"type": "array", "items": {"$ref": "#/definitions/scheduler"}, "minItems": 1}
    else:
        schema = {}
    if param.optional and schema:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if doc:
        schema["description"] = doc
    if param.default is not _MISSING and isinstance(param.default, bool | int | float | str):
        schema["default"] = param.default
    return schema


def _scheduler(info: ClassInfo) -> dict[str, Any]:
    names = list(dict.fromkeys([info.name, info.command, *info.aliases]))
    properties: dict[str, Any] = {"type": {"enum": names, "description": info.summary}}
    for param in info.params:
        properties[param.name] = _param(param, info.param_doc(param.name))
    required = ["type"] + [
        p.name for p in info.params if p.required and p.kind is not Kind.SCHEDULERS
    ]
    if any(p.kind is Kind.SCHEDULERS for p in info.params):
        required.append(next(p.name for p in info.params if p.kind is Kind.SCHEDULERS))
    return {
        "title": info.name,
        "description": info.summary,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
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
                    "type": {"type": "string", "enum": registry.optimizer_names()},
                    "param_groups": {
                        "type": "array",
                        "items": {"type": "object", "additionalProperties": value},
                        "minItems": 1,
                    },
                },
                "additionalProperties": value,
            },
        ]
    }


def _run_properties() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 1, "maximum": MAX_STEPS}
    from lrplot.metrics import PROFILES

    metric_props: dict[str, Any] = {key: {"type": "number"} for key in METRIC_KEYS}
    for profile in PROFILES.values():
        for param in profile.params:
            kind = "integer" if param.rule.endswith("count") else "number"
            metric_props[param.name] = {"type": kind, "description": param.doc}
    metric_props["values"] = {"type": "array", "items": {"type": "number"}, "minItems": 1}
    metric_props["file"] = {"type": "string", "description": "a CSV log to replay"}
    metric_props["column"] = {"type": "string", "description": "the CSV column to replay"}
    metric_props["pad"] = {"enum": ["last"]}
    metric_props["patience_band"] = {"type": "boolean"}
    metric_props["profile"] = {"enum": list(PROFILES)}
    metric_props["seed"] = {"type": "integer", "minimum": 0}
    return {
        "epochs": {**count, "description": "epochs to simulate (default 100)"},
        "steps_per_epoch": {**count, "description": "optimizer steps per epoch (default 1)"},
        "interval": {"enum": list(INTERVALS), "description": "when scheduler.step() runs"},
        "optimizer": _optimizer(),
        "scheduler": {"$ref": "#/definitions/scheduler"},
        "metric": {
            "type": "object",
            "properties": metric_props,
            "additionalProperties": False,
            "description": "what ReduceLROnPlateau is fed",
        },
    }


def _plot() -> dict[str, Any]:
    props: dict[str, Any] = {
        "annotate": {"type": "boolean", "description": "markers at milestones, restarts, ..."},
        "log_y": {"type": "boolean", "description": "log-scale lr axis"},
        "x": {"enum": ["epoch", "step", "epochs", "steps"]},
        "style": {"type": "string", "description": "a matplotlib style sheet name"},
        "size": {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[0-9.]+\s*[xX×,]\s*[0-9.]+\s*$"},
                {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            ],
            "description": "WIDTHxHEIGHT in inches, e.g. 8x4.5",
        },
        "dpi": {"type": "integer", "minimum": MIN_DPI, "maximum": MAX_DPI},
    }
    assert tuple(props) == PLOT_KEYS
    return {"type": "object", "properties": props, "additionalProperties": False}


def json_schema() -> dict[str, Any]:
    run = _run_properties()
    outputs = {"type": "string", "pattern": r"\.(png|svg|pdf|csv)$"}
    curve = {
        "type": "object",
        "properties": {"label": {"type": "string", "minLength": 1}, **run},
        "required": ["label"],
        "additionalProperties": False,
    }
    schedulers = [_scheduler(info) for info in registry.schedulers().values()]
    schedulers += recipes.json_schemas()
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
        "oneOf": [{"required": ["scheduler"]}, {"required": ["curves"]}],
        "definitions": {"scheduler": {"anyOf": schedulers}},
    }
