"""``lightning:`` and ``huggingface:``: a framework's settings as the loop of a run.

A framework block says how the training loop around the scheduler runs: its interval and
frequency, its epochs and ``max_steps``, its batch size and accumulation (which ``data:`` then
need not repeat), and how it shards the data over devices. What each framework does is
:mod:`lrplot.frameworks`' to say; this module validates the block and hands back a :class:`Frame`.
"""

from __future__ import annotations

from typing import Any

from lrplot.config.context import Checker
from lrplot.config.frame import Frame
from lrplot.config.huggingface import check_huggingface
from lrplot.config.lightning import check_lightning
from lrplot.frameworks import lightning

FRAMEWORK_KEYS = ("lightning", "huggingface")


def misplaced(ck: Checker, data: dict[str, Any], path: str) -> None:
    """A framework key written beside the scheduler instead of in its block (an unknown key
    otherwise, with no useful suggestion)."""
    for key in data:
        if key in lightning.MISPLACED and key != "interval":
            where = f"{path}.{key}" if path else key
            raise ck.fail(where, f"unknown key {key!r}: {lightning.MISPLACED[key]}")


def check_frame(
    ck: Checker, data: dict[str, Any], owner: dict[str, str], given: dict[str, Any]
) -> Frame:
    """The framework block of a curve, if it has one."""
    chosen = [key for key in FRAMEWORK_KEYS if data.get(key) is not None]
    if len(chosen) > 1:
        raise ck.fail(owner[chosen[1]], f"give one of {' or '.join(chosen)}, not both")
    if not chosen:
        return Frame()
    if chosen[0] == "huggingface":
        return check_huggingface(ck, data, owner)
    return check_lightning(ck, data, owner, given)
