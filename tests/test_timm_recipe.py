"""lrplot's timm_cosine recipe against timm's own CosineLRScheduler, stepped as train.py steps it.

Runs in .venv-timm (make test), where timm and a working torchvision are installed.
"""

from __future__ import annotations

import pytest
import torch

import lrplot

pytestmark = pytest.mark.timm
timm_scheduler = pytest.importorskip("timm.scheduler")

SETTINGS = [
    {"t_initial": 20},
    {"t_initial": 20, "warmup_t": 3, "warmup_lr_init": 0.001, "lr_min": 0.0001},
    {"t_initial": 10, "cycle_limit": 3, "cycle_decay": 0.5, "cycle_mul": 2.0, "lr_min": 0.001},
    {"t_initial": 15, "warmup_t": 5, "warmup_prefix": True, "k_decay": 1.5, "cycle_limit": 2},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(map(str, s.values())))
def test_timm_cosine_recipe_equals_real_timm(settings: dict[str, object]) -> None:
    epochs = 80
    args = ", ".join(f"{key}: {str(value).lower()}" for key, value in settings.items())
    spec = lrplot.spec_from_text(
        f"epochs: {epochs}\noptimizer: {{type: SGD, lr: 0.1}}\n"
        f"scheduler: {{recipe: timm_cosine, {args}}}"
    )
    planned = lrplot.simulate(spec).lr[0].tolist()

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = timm_scheduler.CosineLRScheduler(optimizer, **settings)
    real = []
    for epoch in range(epochs):  # timm's train.py: step(epoch + 1) after each epoch
        real.append(optimizer.param_groups[0]["lr"])
        scheduler.step(epoch + 1)
    assert planned == pytest.approx(real, rel=1e-12, abs=0)
