"""The recipes stepped with a metric: transformers' ``reduce_lr_on_plateau`` (torch's own
``ReduceLROnPlateau``) and ``greedy`` (transformers' ``GreedyLR``, written out again here).

``lrplot code`` copies :class:`GreedyLR` and the factories into the script it prints, so keep
them self-contained. ``GreedyLR`` follows transformers' ``optimization.py`` (5.24) operation for
operation, so that its floats are the library's: the test-suite compares them with
``transformers.get_scheduler("greedy", ...)`` stepped directly.
"""

from __future__ import annotations

from typing import Any

from lrplot.params import Kind, Param, declared


class GreedyLR:
    """Divides the lr by ``factor`` after more than ``patience`` improving steps in a row (up to
    ``max_lr``), multiplies it by ``factor`` after more than ``patience`` steps without one
    (down to ``min_lr``), and after ``reset_start`` reductions at ``min_lr`` starts over."""

    def __init__(
        self,
        optimizer: Any,
        mode: str = "min",
        factor: float = 0.95,
        patience: int = 10,
        threshold: float = 1e-6,
        threshold_mode: str = "abs",
        cooldown: int = 0,
        warmup: int = 0,
        min_lr: float | list[float] = 1e-3,
        max_lr: float | list[float] = 1.0,
        eps: float = 1e-8,
        smooth: bool = False,
        window_size: int = 50,
        reset_start: int = 500,
    ) -> None:
        groups = optimizer.param_groups
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode, self.eps = threshold, threshold_mode, eps
        self.cooldown, self.warmup = cooldown, warmup
        self.cooldown_counter = self.warmup_counter = 0
        self.smooth, self.window_size = smooth, window_size
        self.reset_start = self.reset_start_original = reset_start
        self.min_lrs = list(min_lr) if isinstance(min_lr, list) else [min_lr] * len(groups)
        self.max_lrs = list(max_lr) if isinstance(max_lr, list) else [max_lr] * len(groups)
        self._init_lrs = [group["lr"] for group in groups]
        self.best = float("inf") if mode == "min" else float("-inf")
        self.num_bad_epochs = self.num_good_epochs = 0
        self._window: list[float] = []
        self._sum = 0.0

    def _average(self, value: float) -> float:
        # transformers' StreamingAverage: a running sum, corrected as values leave the window.
        self._window.append(value)
        self._sum += value
        if len(self._window) > self.window_size:
            self._sum -= self._window.pop(0)
        return self._sum / len(self._window)

    def is_better(self, current: float, best: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return current < best * (1.0 - self.threshold)
            return current < best - self.threshold
        if self.threshold_mode == "rel":
            return current > best * (1.0 + self.threshold)
        return current > best + self.threshold

    def step(self, metrics: float) -> None:
        current = float(metrics)
        if self.smooth:
            current = self._average(current)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = self.num_good_epochs = 0
        elif self.warmup_counter > 0:
            self.warmup_counter -= 1
            self.num_bad_epochs = self.num_good_epochs = 0
        else:
            if self.is_better(current, self.best):
                self.best = current
                self.num_bad_epochs = 0
                self.num_good_epochs += 1
            else:
                self.num_bad_epochs += 1
                self.num_good_epochs = 0
            if self.num_good_epochs > self.patience:
                self._increase_lr()
                self.warmup_counter = self.warmup
                self.num_good_epochs = 0
            elif self.num_bad_epochs > self.patience:
                self._reduce_lr()
                self.cooldown_counter = self.cooldown
                self.num_bad_epochs = 0

    def _reduce_lr(self) -> None:
        all_at_min = True
        for i, group in enumerate(self.optimizer.param_groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
            if group["lr"] > self.min_lrs[i]:
                all_at_min = False
        if all_at_min:
            self.reset_start -= 1
            if self.reset_start <= 0:
                self._reset()

    def _increase_lr(self) -> None:
        for i, group in enumerate(self.optimizer.param_groups):
            old_lr = float(group["lr"])
            new_lr = min(old_lr / self.factor, self.max_lrs[i])
            if new_lr - old_lr > self.eps:
                group["lr"] = new_lr
        self.reset_start = self.reset_start_original

    def _reset(self) -> None:
        for i, group in enumerate(self.optimizer.param_groups):
            group["lr"] = self._init_lrs[i]
        self.best = float("inf") if self.mode == "min" else float("-inf")
        self.num_bad_epochs = self.num_good_epochs = 0
        self.cooldown_counter = self.warmup_counter = 0
        self.reset_start = self.reset_start_original
        self._window, self._sum = [], 0.0


def make_greedy(optimizer: Any, **settings: Any) -> Any:
    return GreedyLR(optimizer, **settings)


def make_reduce_lr_on_plateau(optimizer: Any, **settings: Any) -> Any:
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    return ReduceLROnPlateau(optimizer, **settings)


# -- their parameters, as lrplot checks them -------------------------------------------------------


def _mode(default: str) -> Param:
    return declared("mode", Kind.CHOICE, "'min' for a loss, 'max' for an accuracy", default,
                    choices=("min", "max"))  # fmt: skip


def _threshold_mode(default: str) -> Param:
    return declared("threshold_mode", Kind.CHOICE, "whether threshold is relative or absolute",
                    default, choices=("rel", "abs"))  # fmt: skip


PLATEAU_PARAMS: tuple[Param, ...] = (
    _mode("min"),
    declared("factor", Kind.FLOAT, "the lr is multiplied by this on a plateau (< 1)", 0.1,
             above=0),
    declared("patience", Kind.INT, "steps without improvement before a reduction", 10, low=0),
    declared("threshold", Kind.FLOAT, "how much better a value must be to count", 1e-4, low=0),
    _threshold_mode("rel"),
    declared("cooldown", Kind.INT, "steps after a reduction before counting again", 0, low=0),
    declared("min_lr", Kind.FLOAT_OR_LIST, "the lowest lr (absolute; or one per param group)",
             0.0, low=0),
    declared("eps", Kind.FLOAT, "changes smaller than this are not made", 1e-8, low=0),
)  # fmt: skip

GREEDY_PARAMS: tuple[Param, ...] = (
    _mode("min"),
    declared("factor", Kind.FLOAT, "the lr is multiplied by this on a plateau and divided by it "
             "after steady improvement (< 1)", 0.95, above=0),
    declared("patience", Kind.INT, "steps in a row before the lr moves", 10, low=0),
    declared("threshold", Kind.FLOAT, "how much better a value must be to count", 1e-6, low=0),
    _threshold_mode("abs"),
    declared("cooldown", Kind.INT, "steps after a reduction before counting again", 0, low=0),
    declared("warmup", Kind.INT, "steps after an increase before counting again", 0, low=0),
    declared("min_lr", Kind.FLOAT_OR_LIST, "the lowest lr (absolute; or one per param group)",
             1e-3, low=0),
    declared("max_lr", Kind.FLOAT_OR_LIST, "the highest lr (absolute; or one per param group)",
             1.0, low=0),
    declared("eps", Kind.FLOAT, "changes smaller than this are not made", 1e-8, low=0),
    declared("smooth", Kind.BOOL, "compare a running average of the metric", False),
    declared("window_size", Kind.INT, "values in the running average", 50, low=1),
    declared("reset_start", Kind.INT, "reductions at min_lr before starting over", 500, low=1),
)  # fmt: skip
