"""Recipes: the named schedules of Hugging Face transformers' ``get_scheduler`` and timm's cosine.

Every recipe is a real ``torch.optim.lr_scheduler.LambdaLR`` whose ``lr_lambda`` is a
``functools.partial`` of a module-level *factor function* below (so it pickles). The factor
functions follow the formulas in transformers' ``optimization.py`` and timm's
``scheduler/cosine_lr.py`` line by line; neither library is imported. ``lrplot code`` copies the
factor function and the factory into the snippet it prints, so the snippet computes exactly what
lrplot plots.

The catalogue (:data:`RECIPES`) is data: names, parameters, types, defaults and ranges. The spec
validates ``scheduler: {recipe: NAME, ...}`` against it, and the CLI builds ``lrplot recipe NAME``
from it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrplot.errors import SimulationError, SpecError, close_match

# -- factor functions (step -> multiple of the initial lr) -----------------------------------------
# They are copied verbatim into `lrplot code` output: keep them self-contained (math only).


def constant_factor(step: int) -> float:
    return 1.0


def constant_with_warmup_factor(step: int, *, num_warmup_steps: int) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1.0, num_warmup_steps))
    return 1.0


def linear_factor(step: int, *, num_warmup_steps: int, num_training_steps: int) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    remaining = float(num_training_steps - step)
    return max(0.0, remaining / float(max(1, num_training_steps - num_warmup_steps)))


def cosine_factor(
    step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float = 0.0,
) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    progress = float(step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    if min_lr_rate:
        factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0.0, factor)


def cosine_with_restarts_factor(
    step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: int
) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    progress = float(step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def polynomial_factor(
    step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float,
    power: float,
    lr_init: float,
) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    if step > num_training_steps:
        return lr_end / lr_init  # LambdaLR multiplies by the initial lr
    lr_range = lr_init - lr_end
    decay_steps = num_training_steps - num_warmup_steps
    pct_remaining = 1 - (step - num_warmup_steps) / decay_steps
    return float(lr_range * pct_remaining**power + lr_end) / lr_init


def inverse_sqrt_factor(step: int, *, num_warmup_steps: int, timescale: int) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    return 1.0 / math.sqrt((step + shift) / timescale)


def warmup_stable_decay_factor(
    step: int,
    *,
    num_warmup_steps: int,
    num_stable_steps: int,
    num_decay_steps: int,
    warmup_type: str,
    decay_type: str,
    min_lr_ratio: float,
    num_cycles: float,
) -> float:
    if step < num_warmup_steps:
        progress = float(step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        else:  # "1-sqrt"
            factor = 1.0 - math.sqrt(1.0 - progress)
        return max(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)
    if step < num_warmup_steps + num_stable_steps:
        return 1.0
    if step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(step - num_warmup_steps - num_stable_steps) / float(
            max(1, num_decay_steps)
        )
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        else:  # "1-sqrt"
            factor = 1.0 - math.sqrt(progress)
        return max(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)
    return float(min_lr_ratio)


def timm_cosine_factor(
    step: int,
    *,
    base_lr: float,
    t_initial: int,
    lr_min: float,
    cycle_mul: float,
    cycle_decay: float,
    cycle_limit: int,
    warmup_t: int,
    warmup_lr_init: float,
    warmup_prefix: bool,
    k_decay: float,
) -> float:
    # timm computes absolute lrs (lr_min and warmup_lr_init are absolute, for every param group);
    # LambdaLR wants a multiple of the group's initial lr, hence the division by base_lr.
    t = step
    if t < warmup_t:
        lr = warmup_lr_init + t * (base_lr - warmup_lr_init) / warmup_t
        return lr / base_lr
    if warmup_prefix:
        t = t - warmup_t
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul**i * t_initial
        t_curr = t - (1 - cycle_mul**i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    if i >= cycle_limit:
        return lr_min / base_lr
    lr_max = base_lr * cycle_decay**i
    cos = math.cos(math.pi * t_curr**k_decay / t_i**k_decay)
    return (lr_min + 0.5 * (lr_max - lr_min) * (1 + cos)) / base_lr


# -- factories: (optimizer, **params) -> LambdaLR ------------------------------------------------
# Also copied into `lrplot code` output, next to their factor function.


def make_constant(optimizer: Any) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    return LambdaLR(optimizer, constant_factor)


def make_constant_with_warmup(optimizer: Any, num_warmup_steps: int = 0) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    factor = functools.partial(constant_with_warmup_factor, num_warmup_steps=num_warmup_steps)
    return LambdaLR(optimizer, factor)


def make_linear(optimizer: Any, num_training_steps: int, num_warmup_steps: int = 0) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    factor = functools.partial(
        linear_factor, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps
    )
    return LambdaLR(optimizer, factor)


def make_cosine(
    optimizer: Any, num_training_steps: int, num_warmup_steps: int = 0, num_cycles: float = 0.5
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    factor = functools.partial(
        cosine_factor,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor)


def make_cosine_with_restarts(
    optimizer: Any, num_training_steps: int, num_warmup_steps: int = 0, num_cycles: int = 1
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    factor = functools.partial(
        cosine_with_restarts_factor,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor)


def make_polynomial(
    optimizer: Any,
    num_training_steps: int,
    num_warmup_steps: int = 0,
    lr_end: float = 1e-7,
    power: float = 1.0,
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    # transformers divides by the optimizer's default lr, not each group's own lr.
    lr_init = optimizer.defaults["lr"]
    factor = functools.partial(
        polynomial_factor,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        lr_end=lr_end,
        power=power,
        lr_init=lr_init,
    )
    return LambdaLR(optimizer, factor)


def make_inverse_sqrt(
    optimizer: Any, num_warmup_steps: int = 0, timescale: int | None = None
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    if timescale is None:
        timescale = num_warmup_steps or 10_000
    factor = functools.partial(
        inverse_sqrt_factor, num_warmup_steps=num_warmup_steps, timescale=timescale
    )
    return LambdaLR(optimizer, factor)


def make_cosine_with_min_lr(
    optimizer: Any,
    num_training_steps: int,
    num_warmup_steps: int = 0,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    if min_lr is not None:
        min_lr_rate = min_lr / optimizer.defaults["lr"]
    factor = functools.partial(
        cosine_factor,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
        min_lr_rate=min_lr_rate or 0.0,
    )
    return LambdaLR(optimizer, factor)


def make_warmup_stable_decay(
    optimizer: Any,
    num_decay_steps: int,
    num_warmup_steps: int = 0,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0.0,
    num_cycles: float = 0.5,
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    if num_stable_steps is None:
        assert num_training_steps is not None
        num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps
    factor = functools.partial(
        warmup_stable_decay_factor,
        num_warmup_steps=num_warmup_steps,
        num_stable_steps=num_stable_steps,
        num_decay_steps=num_decay_steps,
        warmup_type=warmup_type,
        decay_type=decay_type,
        min_lr_ratio=min_lr_ratio,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor)


def make_timm_cosine(
    optimizer: Any,
    t_initial: int,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    k_decay: float = 1.0,
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    # One factor per param group: timm's lr_min and warmup_lr_init are absolute.
    factors = [
        functools.partial(
            timm_cosine_factor,
            base_lr=group.get("initial_lr", group["lr"]),
            t_initial=t_initial,
            lr_min=lr_min,
            cycle_mul=cycle_mul,
            cycle_decay=cycle_decay,
            cycle_limit=cycle_limit,
            warmup_t=warmup_t,
            warmup_lr_init=warmup_lr_init,
            warmup_prefix=warmup_prefix,
            k_decay=k_decay,
        )
        for group in optimizer.param_groups
    ]
    return LambdaLR(optimizer, factors)


# -- the catalogue ---------------------------------------------------------------------------------

REQUIRED: Any = object()


@dataclass(frozen=True)
class RecipeParam:
    name: str
    kind: str  # "int", "float", "bool" or "choice"
    doc: str
    default: Any = REQUIRED  # None: optional, and None is allowed
    low: float | None = None  # inclusive lower bound
    above: float | None = None  # exclusive lower bound
    high: float | None = None  # inclusive upper bound
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def rule(self) -> str:
        """``an integer >= 0``, ``a number in [0, 1]``, ..."""
        what = {"int": "an integer", "float": "a number", "bool": "true or false"}.get(self.kind)
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        assert what is not None
        if self.low is not None and self.high is not None:
            return f"{what} in [{_num(self.low)}, {_num(self.high)}]"
        if self.low is not None:
            return f"{what} >= {_num(self.low)}"
        if self.above is not None:
            return f"{what} > {_num(self.above)}"
        return what

    @property
    def default_text(self) -> str:
        if self.required:
            return "required"
        if self.default is None:
            return "unset"
        return str(self.default).lower() if isinstance(self.default, bool) else repr(self.default)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


@dataclass(frozen=True)
class Recipe:
    name: str  # as transformers spells it: "cosine_with_restarts"
    origin: str  # the library function it follows
    summary: str
    params: tuple[RecipeParam, ...]
    factory: Callable[..., Any]
    factor: Callable[..., float]
    interval: str = "step"  # what a run steps by default: transformers steps per optimizer step

    @property
    def command(self) -> str:
        return self.name.replace("_", "-")

    def param(self, name: str) -> RecipeParam | None:
        return next((p for p in self.params if p.name == name), None)


_WARMUP = RecipeParam(
    "num_warmup_steps", "int", "steps of linear warmup from 0 to the lr", default=0, low=0
)
_TRAINING = RecipeParam("num_training_steps", "int", "total training steps", low=1)
_CYCLES = RecipeParam(
    "num_cycles",
    "float",
    "cosine waves over the decay; 0.5 is half a cosine, down to the floor",
    default=0.5,
    above=0,
)

RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "linear",
            "transformers get_linear_schedule_with_warmup",
            "linear warmup, then linear decay to 0 at num_training_steps",
            (_WARMUP, _TRAINING),
            make_linear,
            linear_factor,
        ),
        Recipe(
            "cosine",
            "transformers get_cosine_schedule_with_warmup",
            "linear warmup, then cosine decay to 0 at num_training_steps",
            (_WARMUP, _TRAINING, _CYCLES),
            make_cosine,
            cosine_factor,
        ),
        Recipe(
            "cosine_with_restarts",
            "transformers get_cosine_with_hard_restarts_schedule_with_warmup",
            "linear warmup, then num_cycles cosine decays to 0, each restarting at the full lr",
            (
                _WARMUP,
                _TRAINING,
                RecipeParam("num_cycles", "int", "number of hard restarts", default=1, low=1),
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
                _TRAINING,
                RecipeParam("lr_end", "float", "the lr at the end (absolute)", default=1e-7, low=0),
                RecipeParam("power", "float", "power of the decay", default=1.0, low=0),
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
                RecipeParam(
                    "timescale",
                    "int",
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
            (
                _WARMUP,
                _TRAINING,
                _CYCLES,
                RecipeParam("min_lr", "float", "the floor (absolute)", default=None, low=0),
                RecipeParam(
                    "min_lr_rate", "float", "the floor as a ratio of the lr", default=None, low=0
                ),
            ),
            make_cosine_with_min_lr,
            cosine_factor,
        ),
        Recipe(
            "warmup_stable_decay",
            "transformers get_wsd_schedule",
            "warmup, a stable phase at the full lr, then a decay to min_lr_ratio x lr",
            (
                _WARMUP,
                RecipeParam("num_decay_steps", "int", "steps of the decay phase", low=0),
                RecipeParam(
                    "num_training_steps",
                    "int",
                    "total steps; the stable phase is what warmup and decay leave",
                    default=None,
                    low=1,
                ),
                RecipeParam(
                    "num_stable_steps",
                    "int",
                    "steps of the stable phase (instead of num_training_steps)",
                    default=None,
                    low=0,
                ),
                RecipeParam(
                    "warmup_type",
                    "choice",
                    "shape of the warmup",
                    default="linear",
                    choices=("linear", "cosine", "1-sqrt"),
                ),
                RecipeParam(
                    "decay_type",
                    "choice",
                    "shape of the decay",
                    default="cosine",
                    choices=("linear", "cosine", "1-sqrt"),
                ),
                RecipeParam(
                    "min_lr_ratio",
                    "float",
                    "where warmup starts and decay ends, as a ratio of the lr",
                    default=0.0,
                    low=0,
                    high=1,
                ),
                RecipeParam(
                    "num_cycles", "float", "cosine waves of a cosine decay", default=0.5, above=0
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
                RecipeParam("t_initial", "int", "length of the first cycle", low=1),
                RecipeParam("lr_min", "float", "the floor (absolute)", default=0.0, low=0),
                # timm accepts cycle_mul < 1, but its cycle formula then fails (log of a
                # negative number) once the shrinking cycles are used up.
                RecipeParam(
                    "cycle_mul", "float", "each cycle is this much longer", default=1.0, low=1
                ),
                RecipeParam(
                    "cycle_decay", "float", "each cycle's peak is this much lower", 1.0, above=0
                ),
                RecipeParam("cycle_limit", "int", "number of cycles", default=1, low=1),
                RecipeParam("warmup_t", "int", "warmup length", default=0, low=0),
                RecipeParam(
                    "warmup_lr_init", "float", "lr at the start of warmup", default=0.0, low=0
                ),
                RecipeParam(
                    "warmup_prefix",
                    "bool",
                    "start the cosine after the warmup instead of under it",
                    default=False,
                ),
                RecipeParam("k_decay", "float", "k-decay exponent", default=1.0, above=0),
            ),
            make_timm_cosine,
            timm_cosine_factor,
            interval="epoch",  # timm's t_in_epochs=True default
        ),
    )
}


def resolve(name: Any) -> Recipe:
    """A recipe by name (``cosine_with_restarts`` or ``cosine-with-restarts``)."""
    if not isinstance(name, str):
        raise SpecError(f"the recipe must be a name, got {type(name).__name__}")
    key = name.replace("-", "_")
    if key in RECIPES:
        return RECIPES[key]
    raise SpecError(f"unknown recipe {name!r}", hint=close_match(key, RECIPES))


# -- validation --------------------------------------------------------------------------------

Fail = Callable[..., SpecError]  # (path, message, hint=None) -> SpecError with a line number


def check(
    value: Mapping[str, Any], path: str, lr: float, fail: Fail
) -> tuple[Recipe, dict[str, Any]]:
    """Validate ``{recipe: NAME, param: value, ...}``; return the recipe and its full parameters.

    ``lr`` is the optimizer's default lr (``optimizer.defaults["lr"]``), which polynomial's
    ``lr_end`` must stay below, as transformers requires.
    """
    try:
        recipe = resolve(value["recipe"])
    except SpecError as exc:
        raise fail(f"{path}.recipe", exc.message, hint=exc.hint) from None
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
            raise fail(
                where, f"unknown parameter {key!r} for recipe {recipe.name}{takes}", hint=hint
            )
        params[key] = _value(param, item, where, fail)
    for param in recipe.params:
        if param.name not in params:
            if param.required:
                raise fail(path, f"recipe {recipe.name} needs {param.name!r}")
            params[param.name] = param.default
    _cross_check(recipe, params, path, lr, fail)
    return recipe, params


def _value(param: RecipeParam, value: Any, path: str, fail: Fail) -> Any:
    if value is None and param.default is None:
        return None
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise fail(path, f"must be true or false, got {_typename(value)} {value!r}")
        return value
    if param.kind == "choice":
        if value not in param.choices:
            raise fail(
                path,
                f"must be {param.rule}, got {value!r}",
                hint=close_match(str(value), param.choices),
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(path, f"must be {param.rule}, got {_typename(value)} {value!r}")
    if param.kind == "int" and not isinstance(value, int):
        raise fail(path, f"must be {param.rule}, got {_typename(value)} {value!r}")
    number: int | float = value if param.kind == "int" else float(value)
    if not math.isfinite(number):
        raise fail(path, f"must be a finite number, got {number}")
    low_ok = param.low is None or number >= param.low
    above_ok = param.above is None or number > param.above
    high_ok = param.high is None or number <= param.high
    if not (low_ok and above_ok and high_ok):
        raise fail(path, f"must be {param.rule}, got {value!r}")
    return number


def _cross_check(recipe: Recipe, params: dict[str, Any], path: str, lr: float, fail: Fail) -> None:
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
    if recipe.name == "cosine_with_min_lr":
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
    if recipe.name == "timm_cosine":
        if math.isfinite(lr) and params["warmup_lr_init"] > lr:
            raise fail(
                f"{path}.warmup_lr_init",
                f"warmup_lr_init ({params['warmup_lr_init']!r}) is above the optimizer's lr "
                f"({lr!r})",
            )


def _typename(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}
    if value is None:
        return "null"
    return names.get(type(value), "mapping" if isinstance(value, dict) else type(value).__name__)


# -- what a run looks like ---------------------------------------------------------------------


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


def run_defaults(
    scheduler: Any, steps_per_epoch: Any, lr: float, fail: Fail, limit: int | None
) -> dict[str, Any]:
    """``epochs`` and ``interval`` for a run whose top-level scheduler is a recipe.

    A transformers recipe is stepped after every optimizer step, for its natural length (for
    most, ``num_training_steps``). A spec that is not a valid recipe gets no defaults here; the
    scheduler check reports what is wrong with it.
    """
    if not isinstance(scheduler, dict) or "recipe" not in scheduler:
        return {}
    try:
        recipe, params = check(scheduler, "scheduler", lr, fail)
    except SpecError:
        return {}
    defaults: dict[str, Any] = {"interval": recipe.interval}
    steps = length(recipe, params)
    if steps is not None and limit is not None and steps > limit:
        raise fail(
            "scheduler",
            f"recipe {recipe.name} runs {steps} steps, more than the limit of {limit}; "
            "set epochs to plot part of it",
        )
    if steps is not None:
        per_epoch = (
            steps_per_epoch if isinstance(steps_per_epoch, int) and steps_per_epoch > 0 else 1
        )
        defaults["epochs"] = math.ceil(steps / per_epoch) if recipe.interval == "step" else steps
    return defaults


def build(name: str, params: Mapping[str, Any], optimizer: Any, path: str = "scheduler") -> Any:
    """The real torch scheduler (a LambdaLR) for a checked recipe."""
    try:
        return RECIPES[name].factory(optimizer, **call_arguments(name, params))
    except (ArithmeticError, ValueError, TypeError) as exc:
        # LambdaLR's constructor already evaluates step 0, e.g. an overflowing k_decay.
        reason = str(exc) or type(exc).__name__
        raise SimulationError(f"recipe {name} fails at step 0: {reason}", path=path) from None


def _is_default(recipe: Recipe, name: str, value: Any) -> bool:
    param = recipe.param(name)
    return (
        param is not None
        and not param.required
        and value == param.default
        and (type(value) is type(param.default))
    )


def call_arguments(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments ``build`` passes to the factory: the ones that differ from defaults."""
    recipe = RECIPES[name]
    return {k: v for k, v in params.items() if not _is_default(recipe, k, v)}


def describe(name: str, params: Mapping[str, Any]) -> str:
    """``cosine_with_restarts(num_warmup_steps=500, num_training_steps=10000, num_cycles=3)``."""
    parts = []
    for key, value in call_arguments(name, params).items():
        parts.append(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value!r}")
    return f"{name}({', '.join(parts)})"


def list_section() -> tuple[str, list[tuple[str, str]]]:
    """``lrplot list``'s recipe section: each recipe, then its parameters and defaults."""
    import textwrap

    rows = []
    for recipe in RECIPES.values():
        rows.append((", ".join(dict.fromkeys([recipe.command, recipe.name])), recipe.summary))
        params = ", ".join(f"{p.name}={p.default_text}" for p in recipe.params) or "no parameters"
        rows += [("", "  " + line) for line in textwrap.wrap(params, 76)]
    return "recipes (lrplot recipe NAME --help; YAML: scheduler: {recipe: NAME, ...})", rows


def json_schemas() -> list[dict[str, Any]]:
    """One JSON Schema alternative per recipe, for ``lrplot schema`` (shapes and bounds only)."""
    found = []
    for recipe in RECIPES.values():
        properties: dict[str, Any] = {
            "recipe": {"enum": list(dict.fromkeys([recipe.name, recipe.command]))}
        }
        for param in recipe.params:
            schema: dict[str, Any]
            if param.kind == "choice":
                schema = {"enum": list(param.choices)}
            else:
                kind = {"int": "integer", "float": "number", "bool": "boolean"}[param.kind]
                schema = {"type": kind}
                if param.low is not None:
                    schema["minimum"] = param.low
                if param.above is not None:
                    schema["exclusiveMinimum"] = param.above
                if param.high is not None:
                    schema["maximum"] = param.high
            if param.default is None:
                schema = {"anyOf": [schema, {"type": "null"}]}
            elif not param.required:
                schema["default"] = param.default
            schema["description"] = param.doc
            properties[param.name] = schema
        found.append(
            {
                "title": f"recipe {recipe.name}",
                "description": f"{recipe.summary} (after {recipe.origin})",
                "type": "object",
                "properties": properties,
                "required": ["recipe"] + [p.name for p in recipe.params if p.required],
                "additionalProperties": False,
            }
        )
    return found
