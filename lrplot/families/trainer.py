"""What ``transformers.get_scheduler`` does with a ``Trainer``'s arguments, per name: whether it
takes the warmup and the total, which ``lr_scheduler_kwargs`` keys it passes on, and whether it
drops them (optimization.py:1014-1047, transformers 5.24). Read from the installed transformers
(:mod:`lrplot.families.transformers_source`), or without it from lrplot's recipes of the same
names. :mod:`lrplot.config.huggingface` asks this; nothing outside ``families/`` knows a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from lrplot.families import transformers_source as source


@dataclass(frozen=True)
class TrainerCall:
    """What ``get_scheduler`` does with a Trainer's arguments for one name
    (optimization.py:1014-1047): the function, whether it takes the warmup and the total, the
    keys ``lr_scheduler_kwargs`` may hold, and whether it drops them all silently."""

    family: str  # "transformers", or "recipe" when transformers is not installed
    name: str
    function: str
    warmup: bool
    training: bool
    keys: tuple[str, ...]
    metric: bool

    @property
    def drops(self) -> bool:
        """``constant`` and ``constant_with_warmup`` are called without the kwargs."""
        return not self.training and not self.keys and not self.metric


def trainer_call(name: str) -> TrainerCall | None:
    """The installed transformers' treatment of ``name``, or (without transformers) that of
    lrplot's recipe of the same name; None when neither knows it."""
    if source.package_dir("transformers") is not None and source.schedules():
        schedule = source.schedules().get(name)
        if schedule is None:
            return None
        keys = tuple(p.name for p in schedule.params)
        return TrainerCall(
            "transformers", name, schedule.function, schedule.warmup, schedule.training, keys,
            schedule.metric,
        )  # fmt: skip
    from lrplot.families.recipe_catalog import RECIPES

    recipe = RECIPES.get(name)
    if recipe is None or recipe.origin.split()[0] != "transformers":
        return None
    names = [p.name for p in recipe.params]
    keys = tuple(n for n in names if n not in (source.WARMUP, source.TRAINING))
    function = recipe.origin.split()[-1]
    return TrainerCall(
        "recipe", name, function, source.WARMUP in names, source.TRAINING in names, keys,
        recipe.uses_metric,
    )  # fmt: skip


def trainer_names() -> list[str]:
    """The names ``lr_scheduler_type`` may take here."""
    if source.package_dir("transformers") is not None and source.schedules():
        return list(source.schedules())
    from lrplot.families.recipe_catalog import RECIPES

    return [n for n, r in RECIPES.items() if r.origin.split()[0] == "transformers"]
