"""The recipes' published formulas, written out again here with no lrplot code involved.

Sources: the docstrings and source of transformers' ``optimization.py`` (get_scheduler and the
``get_*_schedule*`` functions) and timm's ``scheduler/cosine_lr.py`` (CosineLRScheduler). Each
function gives the *absolute* lr at optimizer step ``t`` for a param group whose initial lr is
``lr``; ``default_lr`` is ``optimizer.defaults["lr"]``, which transformers uses for the
absolute parameters (polynomial's ``lr_end``, cosine_with_min_lr's ``min_lr``).

Where lrplot's recipes follow the libraries' own arithmetic, these are deliberately written in a
different form (absolute lrs, explicit cycle search), so that a slip in either shows up.
"""

from __future__ import annotations

import math
from typing import Any


def _warmup(t: int, warmup: int, lr: float) -> float:
    return lr * t / max(1, warmup)


def reference_lr(name: str, p: dict[str, Any], lr: float, default_lr: float, t: int) -> float:
    w = p.get("num_warmup_steps", 0)
    n = p.get("num_training_steps")
    if name == "constant":
        return lr
    if name in ("linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr"):
        if t < w:
            return _warmup(t, w, lr)
        progress = (t - w) / max(1, n - w)
        if name == "linear":
            return lr * max(0.0, 1 - progress)
        if name == "cosine":
            return lr * max(
                0.0, (1 + math.cos(2 * math.pi * p.get("num_cycles", 0.5) * progress)) / 2
            )
        if name == "cosine_with_restarts":
            if progress >= 1:
                return 0.0
            within = (p.get("num_cycles", 1) * progress) % 1
            return lr * (1 + math.cos(math.pi * within)) / 2
        if name == "polynomial":
            end, power = p.get("lr_end", 1e-7), p.get("power", 1.0)
            if t > n:
                return lr * end / default_lr
            # transformers: (lr_init - lr_end) * remaining**power + lr_end, as a factor of lr_init
            return lr * ((default_lr - end) * (1 - progress) ** power + end) / default_lr
        rate = p.get("min_lr_rate")
        if rate is None:
            rate = p["min_lr"] / default_lr
        wave = (1 + math.cos(2 * math.pi * p.get("num_cycles", 0.5) * progress)) / 2
        return lr * (rate + (1 - rate) * wave)
    if name == "cosine_warmup_with_min_lr":
        # cosine_with_min_lr one step ahead: the warmup ends at 1 one step early, the decay
        # reaches the floor at step n - 1.
        start = p.get("warmup_lr_rate")
        if t < w:
            if start is None:
                return lr * (t + 1) / max(1, w)
            return lr * (start + (1 - start) * t / max(1, w - 1))
        rate = p.get("min_lr_rate")
        if rate is None:
            rate = p["min_lr"] / default_lr
        progress = (t + 1 - w) / max(1, n - w)
        wave = (1 + math.cos(2 * math.pi * p.get("num_cycles", 0.5) * progress)) / 2
        return lr * max(0.0, rate + (1 - rate) * wave)
    if name == "constant_with_warmup":
        return _warmup(t, w, lr) if t < w else lr
    if name == "inverse_sqrt":
        scale = p.get("timescale") or w or 10_000
        if t < w:
            return _warmup(t, w, lr)
        return lr * math.sqrt(scale / (t - w + scale))
    if name == "warmup_stable_decay":
        floor = p.get("min_lr_ratio", 0.0)
        decay = p["num_decay_steps"]
        stable = p.get("num_stable_steps")
        if stable is None:
            stable = n - w - decay
        if t < w:
            x = t / max(1, w)
            shape = {
                "linear": x,
                "cosine": (1 - math.cos(math.pi * x)) / 2,
                "1-sqrt": 1 - math.sqrt(1 - x),
            }[p.get("warmup_type", "linear")]
            return lr * (floor + (1 - floor) * shape)
        if t < w + stable:
            return lr
        if t < w + stable + decay:
            x = (t - w - stable) / max(1, decay)
            shape = {
                "linear": 1 - x,
                "cosine": (1 + math.cos(2 * math.pi * p.get("num_cycles", 0.5) * x)) / 2,
                "1-sqrt": 1 - math.sqrt(x),
            }[p.get("decay_type", "cosine")]
            return lr * (floor + (1 - floor) * shape)
        return lr * floor
    if name == "timm_cosine":
        return _timm(p, lr, t)
    raise KeyError(name)


def _timm(p: dict[str, Any], lr: float, t: int) -> float:
    warmup_t = p.get("warmup_t", 0)
    init = p.get("warmup_lr_init", 0.0)
    lr_min = p.get("lr_min", 0.0)
    if t < warmup_t:
        return init + t * (lr - init) / warmup_t
    if p.get("warmup_prefix", False):
        t -= warmup_t
    # Walk the cycles one by one instead of timm's closed form with a logarithm.
    length, start, cycle = float(p["t_initial"]), 0.0, 0
    while t >= start + length:
        start += length
        length *= p.get("cycle_mul", 1.0)
        cycle += 1
    if cycle >= p.get("cycle_limit", 1):
        return lr_min
    peak = lr * p.get("cycle_decay", 1.0) ** cycle
    k = p.get("k_decay", 1.0)
    return lr_min + (peak - lr_min) * (1 + math.cos(math.pi * (t - start) ** k / length**k)) / 2


def natural_length(name: str, p: dict[str, Any]) -> int:
    """How many steps a run of the recipe takes when the spec does not say (lrplot's rule)."""
    w = p.get("num_warmup_steps", 0)
    if p.get("num_training_steps") is not None:
        return int(p["num_training_steps"])
    if name == "warmup_stable_decay":
        return int(w + p["num_stable_steps"] + p["num_decay_steps"])
    if name == "constant_with_warmup":
        return max(100, 4 * w)
    if name == "inverse_sqrt":
        return max(100, 10 * (p.get("timescale") or w or 10_000))
    if name == "timm_cosine":
        lengths = [
            p["t_initial"] * p.get("cycle_mul", 1.0) ** i for i in range(p.get("cycle_limit", 1))
        ]
        prefix = p.get("warmup_t", 0) if p.get("warmup_prefix") else 0
        return math.ceil(sum(lengths)) + prefix
    return 100
