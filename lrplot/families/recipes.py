"""The recipe family: the named schedules of transformers' ``get_scheduler`` and timm's cosine,
as lrplot's own closed-form functions inside a real ``torch.optim.lr_scheduler.LambdaLR``.

``scheduler: {recipe: NAME, ...}`` in YAML, ``lrplot recipe NAME --options`` on the command line.
The catalogue is :mod:`lrplot.families.recipe_catalog`, the maths
:mod:`lrplot.families.recipe_math`.
"""

from __future__ import annotations

import functools
import inspect
import math
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lrplot.errors import SimulationError, SpecError, close_match
from lrplot.families.base import Entry, Event, RunDefaults, StepCode, Stepping
from lrplot.families.recipe_catalog import (
    RECIPES,
    Recipe,
    length,
    warmup_from_ratio,
)
from lrplot.families.stepping import METRIC_INIT, plain_step_code, plain_stepping
from lrplot.model import SchedulerSpec
from lrplot.params import Fail, validate
from lrplot.pycode import call_source

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec


# What the lr does once a recipe is past its horizon (transformers does not clamp).
AFTER = {
    "linear": "stays at 0",
    "cosine": "rises again (the cosine goes on)",
    "cosine_with_restarts": "stays at 0",
    "polynomial": "stays at lr_end",
    "cosine_with_min_lr": "rises again (the cosine goes on)",
    "cosine_warmup_with_min_lr": "rises again (the cosine goes on)",
    "warmup_stable_decay": "stays at min_lr_ratio x lr",
    "timm_cosine": "stays at lr_min",
}


def horizon(recipe: Recipe, params: Mapping[str, Any]) -> tuple[int, str] | None:
    """The step where the recipe's decay ends, and the parameter that sets it; None for a
    recipe that goes on forever (constant, constant_with_warmup, inverse_sqrt)."""
    if recipe.name not in AFTER:
        return None
    total = length(recipe, params)
    if total is None:
        return None
    if params.get("num_training_steps") is not None:
        return total, "num_training_steps"
    key = "num_stable_steps" if recipe.name == "warmup_stable_decay" else "t_initial"
    return total, key


class RecipeFamily:
    name = "recipe"
    key = "recipe"
    command_group: str | None = "recipe"
    title = "recipes (lrplot recipe NAME --help; YAML: scheduler: {recipe: NAME, ...})"
    group_help = (
        "Named schedules from Hugging Face transformers (get_scheduler) and timm, built from a "
        "real torch LambdaLR.\n\nWithout --epochs a recipe runs for its own length "
        "(num_training_steps for most), stepping after every optimizer step (timm_cosine: "
        "every epoch)."
    )

    @functools.cached_property
    def _entries(self) -> dict[str, Entry]:
        return {
            recipe.name: Entry(
                family=self.name,
                name=recipe.name,
                command=recipe.command,
                params=recipe.params,
                summary=recipe.summary,
                doc=f"{recipe.summary} (after {recipe.origin}).",
                origin=recipe.origin,
                interval=recipe.interval,
                length_note="the recipe's length",
                uses_metric=recipe.uses_metric,
            )
            for recipe in RECIPES.values()
        }

    def missing(self) -> str | None:
        return None

    def entries(self) -> Mapping[str, Entry]:
        return self._entries

    def resolve(self, name: Any) -> Entry:
        """A recipe by name (``cosine_with_restarts`` or ``cosine-with-restarts``)."""
        if not isinstance(name, str):
            raise SpecError(f"the recipe must be a name, got {type(name).__name__}")
        key = name.replace("-", "_").lower()
        if key in RECIPES:
            return self._entries[key]
        raise SpecError(f"unknown recipe {name!r}", hint=close_match(key, RECIPES))

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        try:
            recipe = RECIPES[self.resolve(value["recipe"]).name]
        except SpecError as exc:
            raise ctx.fail(f"{path}.recipe", exc.message, exc.hint) from None
        names = [p.name for p in recipe.params]
        params: dict[str, Any] = {}
        for key, item in value.items():
            if key == "recipe":
                continue
            where = f"{path}.{key}"
            param = recipe.param(key)
            if param is None:
                hint = close_match(str(key), names)
                takes = "" if hint else f" ({recipe.name} takes: {', '.join(names) or 'nothing'})"
                raise ctx.fail(
                    where, f"unknown parameter {key!r} for recipe {recipe.name}{takes}", hint
                )
            params[key] = validate(param, item, where, ctx.fail)
            groups = ctx.optimizer.group_count
            if param.per_group and isinstance(params[key], list) and len(params[key]) != groups:
                raise ctx.fail(
                    where,
                    f"has {len(params[key])} values but the optimizer has {groups} param group(s)",
                )
        for param in recipe.params:
            if param.name not in params:
                if param.required:
                    raise ctx.fail(
                        path, f"recipe {recipe.name} needs {ctx.name(f'{path}.{param.name}')}"
                    )
                params[param.name] = param.default
        warmup_from_ratio(recipe, params, value, path, ctx.fail)
        cross_check(recipe, params, path, ctx.optimizer.default_lr, ctx.fail)
        return SchedulerSpec(self.name, recipe.name, params, (), path)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        """A transformers recipe runs for its natural length (for most, ``num_training_steps``),
        stepped after every optimizer step; timm's cosine steps per epoch."""
        recipe = RECIPES[spec.type]
        return RunDefaults(
            length=length(recipe, spec.kwargs),
            interval=recipe.interval,
            what=f"recipe {spec.type}",
            per_step=recipe.interval == "step",
        )

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        pass

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return RECIPES[spec.type].uses_metric

    def nests(self, spec: SchedulerSpec) -> bool:
        return not self.uses_metric(spec)

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        if not self.uses_metric(spec):
            return None
        param = RECIPES[spec.type].param("mode")
        return str(spec.kwargs.get("mode", param.default if param else "min"))

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        try:
            return RECIPES[spec.type].factory(optimizer, **call_arguments(spec))
        except (ArithmeticError, ValueError, TypeError) as exc:
            # LambdaLR's constructor already evaluates step 0, e.g. an overflowing k_decay.
            reason = str(exc) or type(exc).__name__
            raise SimulationError(
                f"recipe {spec.type} fails at step 0: {reason}", path=spec.path
            ) from None

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        return plain_stepping(scheduler, curve, metric)

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        if self.uses_metric(spec):
            yield Event(0, "reduction", how="jumps")

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        """A horizon (num_training_steps, ...) that does not fit the run, a warmup that never
        ends."""
        recipe = RECIPES[spec.type]
        warmup = spec.kwargs.get("num_warmup_steps", 0) or 0
        if warmup >= steps:
            warn(
                f"{spec.path}.num_warmup_steps",
                f"num_warmup_steps is {warmup} but the scheduler runs only {steps} steps, so "
                "the warmup never ends; lower num_warmup_steps, or lengthen the run",
            )
            return
        end = horizon(recipe, spec.kwargs)
        if end is None:
            return
        total, key = end
        if total < steps:
            warn(
                f"{spec.path}.{key}",
                f"recipe {spec.type} ends at step {total} ({key}) but the scheduler runs "
                f"{steps} steps: past step {total} the lr {AFTER[spec.type]}; set {key} to "
                "the run length, or leave epochs out to run the recipe's length",
            )
        elif total > steps:
            warn(
                f"{spec.path}.{key}",
                f"recipe {spec.type} ends at step {total} ({key}) but the scheduler runs only "
                f"{steps} steps, so its decay never finishes; set {key} to the run length, or "
                "leave epochs out to run the recipe's length",
            )

    def describe(self, spec: SchedulerSpec) -> str:
        """``cosine_with_restarts(num_warmup_steps=500, num_training_steps=10000)``."""
        parts = []
        for key, value in call_arguments(spec).items():
            parts.append(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value!r}")
        return f"{spec.type}({', '.join(parts)})"

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        recipe = RECIPES[spec.type]
        arguments = ["optimizer"] + [f"{k}={v!r}" for k, v in call_arguments(spec).items()]
        return call_source(recipe.factory.__name__, arguments, indent, used)

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        return [inspect.getsource(item).rstrip() for item in RECIPES[spec.type].helpers]

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        return plain_step_code(curve, self.uses_metric(spec))

    def init_lines(self, entry: Entry) -> list[str]:
        lines = [
            "# epochs: ...                  # default: the recipe's own length",
            "optimizer: {type: AdamW, lr: 0.001}",
            "scheduler:",
            f"  recipe: {entry.name}",
        ]
        for param in entry.params:
            comment = f"   # {param.doc}" if param.doc else ""
            if param.required:
                lines.append(f"  {param.name}: {_EXAMPLES.get(param.name, 1000)}{comment}")
            else:
                lines.append(f"  # {param.name}: {param.default_text}{comment}")
        return lines + (list(METRIC_INIT) if entry.uses_metric else [])

    def list_details(self, entry: Entry) -> list[str]:
        """``lrplot list`` shows each recipe's parameters and defaults under it."""
        params = ", ".join(f"{p.name}={p.default_text}" for p in entry.params) or "no parameters"
        return textwrap.wrap(params, 76)


_EXAMPLES = {"num_training_steps": 1000, "num_decay_steps": 200, "t_initial": 100}


def _is_default(recipe: Recipe, name: str, value: Any) -> bool:
    param = recipe.param(name)
    return (
        param is not None
        and not param.required
        and value == param.default
        and (type(value) is type(param.default))
    )


def call_arguments(spec: SchedulerSpec) -> dict[str, Any]:
    """The keyword arguments the factory gets: the ones that differ from the defaults."""
    recipe = RECIPES[spec.type]
    return {k: v for k, v in spec.kwargs.items() if not _is_default(recipe, k, v)}


def cross_check(recipe: Recipe, params: dict[str, Any], path: str, lr: float, fail: Fail) -> None:
    warmup = params.get("num_warmup_steps", 0)
    training = params.get("num_training_steps")
    if training is not None and warmup > training:
        raise fail(
            f"{path}.num_warmup_steps",
            f"num_warmup_steps {warmup} is more than num_training_steps {training}",
        )
    if recipe.name == "polynomial":
        if warmup == training:
            raise fail(
                f"{path}.num_training_steps",
                "polynomial needs num_training_steps > num_warmup_steps (the decay has no steps)",
            )
        if math.isfinite(lr) and not params["lr_end"] < lr:
            raise fail(
                f"{path}.lr_end",
                f"lr_end ({params['lr_end']!r}) must be smaller than the optimizer's lr ({lr!r})",
            )
    if recipe.name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        given = [k for k in ("min_lr", "min_lr_rate") if params[k] is not None]
        if len(given) != 1:
            raise fail(
                f"{path}.min_lr_rate" if len(given) == 2 else path,
                "give exactly one of min_lr and min_lr_rate",
            )
        if params["min_lr_rate"] is not None and params["min_lr_rate"] > 1:
            raise fail(f"{path}.min_lr_rate", f"must be in [0, 1], got {params['min_lr_rate']!r}")
        if params["min_lr"] is not None and math.isfinite(lr) and params["min_lr"] > lr:
            raise fail(
                f"{path}.min_lr",
                f"min_lr ({params['min_lr']!r}) is above the optimizer's lr ({lr!r})",
            )
    if recipe.name == "warmup_stable_decay":
        stable, total = params["num_stable_steps"], params["num_training_steps"]
        if (stable is None) == (total is None):
            raise fail(
                path if stable is None else f"{path}.num_stable_steps",
                "give exactly one of num_training_steps and num_stable_steps",
            )
        if total is not None and warmup + params["num_decay_steps"] > total:
            raise fail(
                f"{path}.num_decay_steps",
                f"num_warmup_steps + num_decay_steps ({warmup + params['num_decay_steps']}) is "
                f"more than num_training_steps ({total})",
            )
    if recipe.uses_metric and not params["factor"] < 1:
        raise fail(f"{path}.factor", f"must be < 1, got {params['factor']!r}")
    if recipe.name == "timm_cosine":
        if math.isfinite(lr) and params["warmup_lr_init"] > lr:
            raise fail(
                f"{path}.warmup_lr_init",
                f"warmup_lr_init ({params['warmup_lr_init']!r}) is above the optimizer's lr "
                f"({lr!r})",
            )
