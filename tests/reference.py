"""Torch stepped directly, the way a training loop does it, with no lrplot code involved.

Each entry builds a real optimizer and scheduler by hand. ``reference_rows`` records the lr
(read before the step), then takes a *real* ``optimizer.step()`` at every optimizer step and a
``scheduler.step()`` at the end of each epoch (or every step), exactly as the brief defines rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim import lr_scheduler as L
from torch.optim.swa_utils import SWALR


@dataclass
class Case:
    yaml: str
    optimizer: Callable[[list[Any]], torch.optim.Optimizer]
    scheduler: Callable[[torch.optim.Optimizer], Any]
    epochs: int = 30
    steps_per_epoch: int = 1
    interval: str = "epoch"
    groups: int = 1
    metric: list[float] = field(default_factory=list)


def sgd(lr: float = 0.1, momentum: float = 0.0) -> Callable[[list[Any]], torch.optim.Optimizer]:
    return lambda params: torch.optim.SGD(params, lr=lr, momentum=momentum)


# One case per scheduler class: a YAML spec and the same thing written in torch by hand.
CASES: dict[str, Case] = {
    "LambdaLR": Case(
        "scheduler: {type: lambda, lr_lambda: '0.95 ** epoch'}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.LambdaLR(o, lambda e: 0.95**e),
    ),
    "MultiplicativeLR": Case(
        "scheduler: {type: multiplicative, lr_lambda: '0.9 if epoch < 10 else 1.05'}\n"
        "optimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.MultiplicativeLR(o, lambda e: 0.9 if e < 10 else 1.05),
    ),
    "StepLR": Case(
        "scheduler: {type: step, step_size: 7, gamma: 0.5}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.StepLR(o, step_size=7, gamma=0.5),
    ),
    "MultiStepLR": Case(
        "scheduler: {type: multistep, milestones: [5, 12, 20], gamma: 0.5}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.MultiStepLR(o, milestones=[5, 12, 20], gamma=0.5),
    ),
    "ConstantLR": Case(
        "scheduler: {type: constant, factor: 0.25, total_iters: 8}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.ConstantLR(o, factor=0.25, total_iters=8),
    ),
    "LinearLR": Case(
        "scheduler: {type: linear, start_factor: 0.1, end_factor: 1.0, total_iters: 12}\n"
        "optimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=12),
    ),
    "ExponentialLR": Case(
        "scheduler: {type: exponential, gamma: 0.9}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.ExponentialLR(o, gamma=0.9),
    ),
    "SequentialLR": Case(
        "optimizer: {lr: 0.1}\nscheduler:\n  type: sequential\n  milestones: [5]\n"
        "  schedulers:\n    - {type: linear, start_factor: 0.01, total_iters: 5}\n"
        "    - {type: cosine, T_max: 25, eta_min: 1e-5}",
        sgd(),
        lambda o: L.SequentialLR(
            o,
            [
                L.LinearLR(o, start_factor=0.01, total_iters=5),
                L.CosineAnnealingLR(o, T_max=25, eta_min=1e-5),
            ],
            milestones=[5],
        ),
    ),
    "PolynomialLR": Case(
        "scheduler: {type: polynomial, total_iters: 20, power: 2.0}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.PolynomialLR(o, total_iters=20, power=2.0),
    ),
    "CosineAnnealingLR": Case(
        "scheduler: {type: cosine, T_max: 10, eta_min: 1e-5}\noptimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.CosineAnnealingLR(o, T_max=10, eta_min=1e-5),
    ),
    "ChainedScheduler": Case(
        "optimizer: {lr: 0.1}\nscheduler:\n  type: chained\n  schedulers:\n"
        "    - {type: constant, factor: 0.1, total_iters: 4}\n"
        "    - {type: exponential, gamma: 0.9}",
        sgd(),
        lambda o: L.ChainedScheduler(
            [L.ConstantLR(o, factor=0.1, total_iters=4), L.ExponentialLR(o, gamma=0.9)]
        ),
    ),
    "ReduceLROnPlateau": Case(
        "optimizer: {lr: 0.1}\nscheduler: {type: plateau, factor: 0.5, patience: 2, cooldown: 1}\n"
        "metric: {values: [" + ", ".join(["1.0", "0.9", "0.8"] + ["0.8"] * 27) + "]}",
        sgd(),
        lambda o: L.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1),
        metric=[1.0, 0.9, 0.8] + [0.8] * 27,
    ),
    "CyclicLR": Case(
        "optimizer: {lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: cyclic, base_lr: 0.01, max_lr: 0.1, step_size_up: 4, "
        "step_size_down: 6, mode: triangular2}",
        sgd(momentum=0.9),
        lambda o: L.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=6, mode="triangular2"
        ),
        epochs=10,
        steps_per_epoch=4,
        interval="step",
    ),
    "CosineAnnealingWarmRestarts": Case(
        "scheduler: {type: cosine-warm-restarts, T_0: 5, T_mult: 2, eta_min: 1e-4}\n"
        "optimizer: {lr: 0.1}",
        sgd(),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4),
    ),
    "OneCycleLR": Case(
        "optimizer: {lr: 0.1, momentum: 0.9}\nscheduler: {type: onecycle, max_lr: 0.5}",
        sgd(momentum=0.9),
        lambda o: L.OneCycleLR(o, max_lr=0.5, total_steps=5 * 8),
        epochs=5,
        steps_per_epoch=8,
        interval="step",
    ),
    "SWALR": Case(
        "scheduler: {type: swa, swa_lr: 0.01, anneal_epochs: 5, anneal_strategy: linear}\n"
        "optimizer: {lr: 0.1}",
        sgd(),
        lambda o: SWALR(o, swa_lr=0.01, anneal_epochs=5, anneal_strategy="linear"),
    ),
}


def run_header(case: Case) -> str:
    return (
        f"epochs: {case.epochs}\nsteps_per_epoch: {case.steps_per_epoch}\n"
        f"interval: {case.interval}\n"
    )


def reference_rows(case: Case) -> tuple[list[list[float]], list[list[float]] | None]:
    """(lr per group, momentum per group or None), one entry per optimizer step."""
    params = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(case.groups)]
    optimizer = case.optimizer(params)
    scheduler = case.scheduler(optimizer)
    lrs: list[list[float]] = [[] for _ in range(case.groups)]
    momenta: list[list[float]] = [[] for _ in range(case.groups)]
    epoch = 0
    for t in range(case.epochs * case.steps_per_epoch):
        for g, group in enumerate(optimizer.param_groups):
            lrs[g].append(float(group["lr"]))
            momenta[g].append(float(group["momentum"]))
        optimizer.step()
        end_of_epoch = (t + 1) % case.steps_per_epoch == 0
        if case.interval == "step" or end_of_epoch:
            if isinstance(scheduler, L.ReduceLROnPlateau):
                scheduler.step(case.metric[epoch])
            else:
                scheduler.step()
        if end_of_epoch:
            epoch += 1
    return lrs, momenta


def cosine(t: int, lr: float, eta_min: float, t_max: int) -> float:
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2
