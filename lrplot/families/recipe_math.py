"""The maths of lrplot's recipes: factor functions (step -> multiple of the initial lr) and the
factories that wrap them in a real ``torch.optim.lr_scheduler.LambdaLR``.

They follow transformers' ``optimization.py`` and timm's ``scheduler/cosine_lr.py`` line by line;
neither library is imported. Every ``lr_lambda`` is a ``functools.partial`` of a module-level
function, so it pickles, and ``lrplot code`` copies the factor function and the factory into the
script it prints, so the script computes exactly what lrplot plots: keep them self-contained
(``math`` and ``functools`` only).
"""

from __future__ import annotations

import functools
import math
from typing import Any

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


def cosine_warmup_with_min_lr_factor(
    step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float,
    warmup_lr_rate: float | None,
) -> float:
    # transformers' own float operations, one step ahead of cosine_factor (see the README).
    current = float(step)
    warmup = float(num_warmup_steps)
    if current < warmup:
        if warmup_lr_rate is None:
            return (current + 1.0) / max(1.0, warmup)
        rate = float(warmup_lr_rate)
        return rate + (1.0 - rate) * current / max(1, warmup - 1)
    progress = (current - warmup + 1.0) / max(1.0, float(num_training_steps) - warmup)
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    return max(0.0, factor * (1 - min_lr_rate) + min_lr_rate)


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


def make_cosine_warmup_with_min_lr(
    optimizer: Any,
    num_training_steps: int,
    num_warmup_steps: int = 0,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    if min_lr is not None:
        min_lr_rate = min_lr / optimizer.defaults["lr"]
    factor = functools.partial(
        cosine_warmup_with_min_lr_factor,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
        min_lr_rate=min_lr_rate or 0.0,
        warmup_lr_rate=warmup_lr_rate,
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
