"""Scheduler families: each source of schedulers behind one protocol (:mod:`.base`).

``torch`` (every class of the installed torch) and ``recipe`` (lrplot's recipes) are built in;
``transformers`` calls the installed ``get_scheduler`` when that optional extra is installed.
The rest of lrplot reaches a family through the functions here, never by a scheduler's name.
"""

from __future__ import annotations

from lrplot.families.base import Entry, Family, family_of, register, registered
from lrplot.families.recipes import RecipeFamily
from lrplot.families.torch import TorchFamily
from lrplot.families.transformers import TransformersFamily

register(TorchFamily())
register(RecipeFamily())
register(TransformersFamily())

__all__ = ["Entry", "Family", "all_entries", "family_for_key", "family_of", "families", "keys"]


def families() -> list[Family]:
    return registered()


def keys() -> tuple[str, ...]:
    """The YAML keys that choose a family: ``type``, ``recipe``, ..."""
    return tuple(family.key for family in registered())


def family_for_key(key: str) -> Family:
    return next(family for family in registered() if family.key == key)


def all_entries() -> list[Entry]:
    return [entry for family in registered() for entry in family.entries().values()]
