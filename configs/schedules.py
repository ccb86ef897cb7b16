"""A repository's own scheduler, as configs/import-warmup-cosine.yaml imports it.

lrplot imports this file only when told to: `lrplot render configs --allow-import schedules`.
"""

from __future__ import annotations

import math

from torch.optim.lr_scheduler import LRScheduler


class WarmupCosine(LRScheduler):
    """Linear warmup from lr / warmup to the lr, then a cosine down to floor x lr at total."""

    def __init__(self, optimizer, warmup, total, floor=0.0, last_epoch=-1):
        self.warmup, self.total, self.floor = warmup, total, floor
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t = self.last_epoch
        if t < self.warmup:
            factor = (t + 1) / self.warmup
        else:
            progress = min(1.0, (t - self.warmup) / max(1, self.total - self.warmup))
            factor = self.floor + (1 - self.floor) * 0.5 * (1 + math.cos(math.pi * progress))
        return [base_lr * factor for base_lr in self.base_lrs]
