"""The catalogue of lrplot's recipes: names, where each comes from, and its parameters.

Plain data: the recipe family (:mod:`lrplot.families.recipes`) checks, builds and describes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrplot.families.recipe_math import (
    constant_factor,
    constant_with_warmup_factor,
    cosine_factor,
    cosine_warmup_with_min_lr_factor,
    cosine_with_restarts_factor,
    inverse_sqrt_factor,
    linear_factor,
    make_constant,
    make_constant_with_warmup,
    make_cosine,
    make_cosine_warmup_with_min_lr,
    make_cosine_with_min_lr,
    make_cosine_with_restarts,
    make_inverse_sqrt,
    make_linear,
    make_polynomial,
    make_timm_cosine,
    make_warmup_stable_decay,
    polynomial_factor,
    timm_cosine_factor,
    warmup_stable_decay_factor,
)
from lrplot.families.recipe_metric import (
    GREEDY_PARAMS,
    PLATEAU_PARAMS,
    GreedyLR,
    make_greedy,
    make_reduce_lr_on_plateau,
)
from lrplot.params import Fail, Kind, Param, declared


@dataclass(frozen=True)
class Recipe:
    name: str  # as transformers spells it: "cosine_with_restarts"
    origin: str  # the library function it follows
    summary: str
    params: tuple[Param, ...]
    factory: Callable[..., Any]
    factor: Callable[..., float] | None  # None: not a LambdaLR
    interval: str = "step"  # what a run steps by default: transformers steps per optimizer step
    uses_metric: bool = False  # stepped with step(metric), once per `interval`
    classes: tuple[type, ...] = ()  # copied into `lrplot code` output before the factory

    @property
    def helpers(self) -> tuple[Any, ...]:
        """What ``lrplot code`` copies into its script, in order."""
        return (*self.classes, *([self.factor] if self.factor else []), self.factory)

    @property
    def command(self) -> str:
        return self.name.replace("_", "-")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_WARMUP = declared(
    "num_warmup_steps", Kind.INT, "steps of linear warmup from 0 to the lr", default=0, low=0
)
_TRAINING = declared("num_training_steps", Kind.INT, "total training steps", low=1)
# Hugging Face's usual setting: num_warmup_steps = ceil(warmup_ratio x num_training_steps), as
# TrainingArguments.get_warmup_steps computes it (transformers 4.x; 5.x takes the ratio in
# warmup_steps < 1). The recipe itself is called with num_warmup_steps.
_RATIO = declared(
    "warmup_ratio",
    Kind.FLOAT,
    "warmup as a fraction of num_training_steps, instead of num_warmup_steps",
    default=None,
    low=0,
    high=1,
)
WARMUP_RATIO = _RATIO.name
_CYCLES = declared(
    "num_cycles",
    Kind.FLOAT,
    "cosine waves over the decay; 0.5 is half a cosine, down to the floor",
    default=0.5,
    above=0,
)
_MIN_LR = declared("min_lr", Kind.FLOAT, "the floor (absolute)", default=None, low=0)
_MIN_LR_RATE = declared(
    "min_lr_rate", Kind.FLOAT, "the floor as a ratio of the lr", default=None, low=0
)

RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "linear",
            "transformers get_linear_schedule_with_warmup",
            "linear warmup, then linear decay to 0 at num_training_steps",
            (_WARMUP, _RATIO, _TRAINING),
            make_linear,
            linear_factor,
        ),
        Recipe(
            "cosine",
            "transformers get_cosine_schedule_with_warmup",
            "linear warmup, then cosine decay to 0 at num_training_steps",
            (_WARMUP, _RATIO, _TRAINING, _CYCLES),
            make_cosine,
            cosine_factor,
        ),
        Recipe(
            "cosine_with_restarts",
            "transformers get_cosine_with_hard_restarts_schedule_with_warmup",
            "linear warmup, then num_cycles cosine decays to 0, each restarting at the full lr",
            (
                _WARMUP,
                _RATIO,
                _TRAINING,
                declared("num_cycles", Kind.INT, "number of hard restarts", default=1, low=1),
            ),
            make_cosine_with_restarts,
            cosine_with_restarts_factor,
        ),
        Recipe(
            "polynomial",
            "transformers get_polynomial_decay_schedule_with_warmup",
            "linear warmup, then polynomial decay from the lr to lr_end",
            (
                _WARMUP,
                _RATIO,
                _TRAINING,
                declared("lr_end", Kind.FLOAT, "the lr at the end (absolute)", default=1e-7, low=0),
                declared("power", Kind.FLOAT, "power of the decay", default=1.0, low=0),
            ),
            make_polynomial,
            polynomial_factor,
        ),
        Recipe(
            "constant",
            "transformers get_constant_schedule",
            "the optimizer's lr, unchanged",
            (),
            make_constant,
            constant_factor,
        ),
        Recipe(
            "constant_with_warmup",
            "transformers get_constant_schedule_with_warmup",
            "linear warmup, then constant",
            (_WARMUP,),
            make_constant_with_warmup,
            constant_with_warmup_factor,
        ),
        Recipe(
            "inverse_sqrt",
            "transformers get_inverse_sqrt_schedule",
            "linear warmup, then lr / sqrt((step + timescale - num_warmup_steps) / timescale)",
            (
                _WARMUP,
                declared(
                    "timescale",
                    Kind.INT,
                    "time scale of the decay [num_warmup_steps, or 10000 if that is 0]",
                    default=None,
                    low=1,
                ),
            ),
            make_inverse_sqrt,
            inverse_sqrt_factor,
        ),
        Recipe(
            "cosine_with_min_lr",
            "transformers get_cosine_with_min_lr_schedule_with_warmup",
            "linear warmup, then cosine decay to a floor (min_lr, or min_lr_rate x lr)",
            (_WARMUP, _TRAINING, _CYCLES, _MIN_LR, _MIN_LR_RATE),
            make_cosine_with_min_lr,
            cosine_factor,
        ),
        Recipe(
            "cosine_warmup_with_min_lr",
            "transformers get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
            "cosine_with_min_lr one step ahead: warmup from warmup_lr_rate (or 1/warmup), "
            "the floor at the last step",
            (
                _WARMUP,
                _RATIO,
                _TRAINING,
                _CYCLES,
                _MIN_LR,
                _MIN_LR_RATE,
                declared(
                    "warmup_lr_rate",
                    Kind.FLOAT,
                    "where warmup starts, as a ratio of the lr [1 / num_warmup_steps]",
                    default=None,
                    low=0,
                ),
            ),
            make_cosine_warmup_with_min_lr,
            cosine_warmup_with_min_lr_factor,
        ),
        Recipe(
            "reduce_lr_on_plateau",
            "transformers get_reduce_on_plateau_schedule (torch ReduceLROnPlateau)",
            "the lr times factor after patience + 1 steps without improvement of the metric",
            PLATEAU_PARAMS,
            make_reduce_lr_on_plateau,
            None,
            interval="epoch",  # stepped after each evaluation
            uses_metric=True,
        ),
        Recipe(
            "greedy",
            "transformers GreedyLR",
            "the lr divided by factor after steady improvement, times factor on a plateau",
            GREEDY_PARAMS,
            make_greedy,
            None,
            interval="epoch",
            uses_metric=True,
            classes=(GreedyLR,),
        ),
        Recipe(
            "warmup_stable_decay",
            "transformers get_wsd_schedule",
            "warmup, a stable phase at the full lr, then a decay to min_lr_ratio x lr",
            (
                _WARMUP,
                _RATIO,
                declared("num_decay_steps", Kind.INT, "steps of the decay phase", low=0),
                declared(
                    "num_training_steps",
                    Kind.INT,
                    "total steps; the stable phase is what warmup and decay leave",
                    default=None,
                    low=1,
                ),
                declared(
                    "num_stable_steps",
                    Kind.INT,
                    "steps of the stable phase (instead of num_training_steps)",
                    default=None,
                    low=0,
                ),
                declared(
                    "warmup_type",
                    Kind.CHOICE,
                    "shape of the warmup",
                    default="linear",
                    choices=("linear", "cosine", "1-sqrt"),
                ),
                declared(
                    "decay_type",
                    Kind.CHOICE,
                    "shape of the decay",
                    default="cosine",
                    choices=("linear", "cosine", "1-sqrt"),
                ),
                declared(
                    "min_lr_ratio",
                    Kind.FLOAT,
                    "where warmup starts and decay ends, as a ratio of the lr",
                    default=0.0,
                    low=0,
                    high=1,
                ),
                declared(
                    "num_cycles", Kind.FLOAT, "cosine waves of a cosine decay", default=0.5, above=0
                ),
            ),
            make_warmup_stable_decay,
            warmup_stable_decay_factor,
        ),
        Recipe(
            "timm_cosine",
            "timm CosineLRScheduler",
            "timm's cosine with warmup and restarts: cycles grow by cycle_mul, peaks by "
            "cycle_decay; lr_min after cycle_limit cycles",
            (
                declared("t_initial", Kind.INT, "length of the first cycle", low=1),
                declared("lr_min", Kind.FLOAT, "the floor (absolute)", default=0.0, low=0),
                # timm accepts cycle_mul < 1, but its cycle formula then fails (log of a
                # negative number) once the shrinking cycles are used up.
                declared(
                    "cycle_mul", Kind.FLOAT, "each cycle is this much longer", default=1.0, low=1
                ),
                declared(
                    "cycle_decay", Kind.FLOAT, "each cycle's peak is this much lower", 1.0, above=0
                ),
                declared("cycle_limit", Kind.INT, "number of cycles", default=1, low=1),
                declared("warmup_t", Kind.INT, "warmup length", default=0, low=0),
                declared(
                    "warmup_lr_init", Kind.FLOAT, "lr at the start of warmup", default=0.0, low=0
                ),
                declared(
                    "warmup_prefix",
                    Kind.BOOL,
                    "start the cosine after the warmup instead of under it",
                    default=False,
                ),
                declared("k_decay", Kind.FLOAT, "k-decay exponent", default=1.0, above=0),
            ),
            make_timm_cosine,
            timm_cosine_factor,
            interval="epoch",  # timm's t_in_epochs=True default
        ),
    )
}


def length(recipe: Recipe, params: Mapping[str, Any]) -> int | None:
    """The recipe's natural run length in scheduler steps, or None when it has none."""
    if "num_training_steps" in params and params["num_training_steps"] is not None:
        return int(params["num_training_steps"])
    warmup = int(params.get("num_warmup_steps", 0))
    if recipe.name == "warmup_stable_decay":
        return warmup + int(params["num_stable_steps"]) + int(params["num_decay_steps"])
    if recipe.name == "constant_with_warmup":
        return max(100, 4 * warmup)
    if recipe.name == "inverse_sqrt":
        timescale = params.get("timescale") or warmup or 10_000
        return max(100, 10 * int(timescale))
    if recipe.name == "timm_cosine":
        cycles, first, mul = params["cycle_limit"], params["t_initial"], params["cycle_mul"]
        try:
            total = first * cycles if mul == 1 else math.ceil(first * (mul**cycles - 1) / (mul - 1))
        except OverflowError:
            return None
        return int(total) + (params["warmup_t"] if params["warmup_prefix"] else 0)
    return None


def warmup_from_ratio(
    recipe: Recipe, params: dict[str, Any], given: Mapping[str, Any], path: str, fail: Fail
) -> None:
    """Turn ``warmup_ratio`` into ``num_warmup_steps`` (in place), as Hugging Face does."""
    ratio = params.pop(WARMUP_RATIO, None)
    if ratio is None:
        return
    if "num_warmup_steps" in given:
        raise fail(f"{path}.{WARMUP_RATIO}", "give num_warmup_steps or warmup_ratio, not both")
    training = params.get("num_training_steps")
    if training is None:
        raise fail(f"{path}.{WARMUP_RATIO}", "warmup_ratio needs num_training_steps")
    params["num_warmup_steps"] = math.ceil(ratio * training)
