"""Scheduler families: each source of schedulers behind one protocol (:mod:`.base`).

``torch`` (every class of the installed torch) and ``recipe`` (lrplot's recipes) are built in;
``transformers`` and ``timm`` call the installed libraries when those optional extras are installed;
``import`` calls a class or factory of the user's own (only what the caller allows).
The rest of lrplot reaches a family through the functions here, never by a scheduler's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrplot.errors import SpecError
from lrplot.families.base import Entry, Family, family_of, register, registered
from lrplot.families.imported import ImportFamily
from lrplot.families.recipes import RecipeFamily
from lrplot.families.switch import SwitchFamily
from lrplot.families.timm import TimmFamily
from lrplot.families.torch import TorchFamily
from lrplot.families.transformers import TransformersFamily

if TYPE_CHECKING:
    from lrplot.model import SchedulerSpec

register(TorchFamily())
register(RecipeFamily())
register(SwitchFamily())
register(TransformersFamily())
register(TimmFamily())
register(ImportFamily())

__all__ = [
    "Entry",
    "Family",
    "all_entries",
    "family_for",
    "family_for_key",
    "family_of",
    "families",
    "keys",
    "short_title",
]

TITLE_WIDTH = 50  # characters: one line of a figure's title


def short_title(spec: SchedulerSpec, width: int = TITLE_WIDTH) -> str:
    """A figure title for one scheduler: its call when that fits on a line
    (``StepLR(step_size=30, gamma=0.1)``), else its name and its children's
    (``SequentialLR: LinearLR, CosineAnnealingLR``), else its name. The whole call stays in
    the terminal summary, ``lrplot code`` and the SVG's description."""
    text = family_of(spec).describe(spec)
    if len(text) <= width:
        return text
    name = text.split("(")[0]
    if spec.children:
        inner = [short_title(child, width // 2) for child in spec.children]
        joined = f"{name}: {', '.join(inner)}"
        if len(joined) <= width:
            return joined
        names = [family_of(c).describe(c).split("(")[0] for c in spec.children]
        return f"{name}: {', '.join(names)}"
    return name


def families() -> list[Family]:
    return registered()


def keys() -> tuple[str, ...]:
    """The YAML keys that choose a family: ``type``, ``recipe``, ..."""
    return tuple(dict.fromkeys(family.key for family in registered()))


def family_for_key(key: str) -> Family:
    return next(family for family in registered() if family.key == key)


def family_for(key: str, name: Any) -> Family:
    """The family that answers to ``{key: name}``: families may share a key (``type: cosine``
    is torch's, ``type: switch`` the switch family's). The first whose catalogue has the name,
    else the first with that key, whose ``resolve`` then says what is wrong."""
    sharing = [family for family in registered() if family.key == key]
    for family in sharing:
        try:
            family.resolve(name)
        except SpecError:
            continue
        return family
    return sharing[0]


def all_entries() -> list[Entry]:
    return [entry for family in registered() for entry in family.entries().values()]
