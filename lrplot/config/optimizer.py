"""``optimizer:``: any ``torch.optim`` class, its arguments, and per-group overrides."""

from __future__ import annotations

import math
import re
from typing import Any

from lrplot.config.context import Checker
from lrplot.errors import SpecError, close_match
from lrplot.families import torch_source as torchsource
from lrplot.families.torch_rules import with_rules
from lrplot.families.torch_source import ClassInfo
from lrplot.model import MAX_GROUPS, OptimizerSpec
from lrplot.params import Kind, Param, is_number, typename, validate


def check_optimizer(ck: Checker, value: Any, path: str) -> OptimizerSpec:
    if value is None:
        return OptimizerSpec(default_lr=_default_lr(torchsource.resolve_optimizer("SGD"), {}))
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict):
        raise ck.fail(
            path, f"must be a mapping such as {{type: SGD, lr: 0.1}}, got {typename(value)}"
        )
    try:
        info = torchsource.resolve_optimizer(value.get("type", "SGD"))
    except SpecError as exc:
        raise ck.fail(f"{path}.type", exc.message, exc.hint) from None
    params = {p.name: with_rules(p) for p in info.params}
    kwargs = {}
    for key, item in value.items():
        if key in ("type", "param_groups"):
            continue
        if key == "momentum" and key not in params and "betas" in params:
            kwargs["betas"] = _momentum_as_beta1(ck, info, params, value, path)
            continue
        kwargs[key] = _argument(ck, info, params, key, item, f"{path}.{key}")
    groups = _groups(ck, info, params, value.get("param_groups"), f"{path}.param_groups")
    for required in (p for p in info.params if p.required):
        if required.name not in kwargs and not all(required.name in g for g in groups or [{}]):
            raise ck.fail(path, f"{info.name} needs {ck.name(f'{path}.{required.name}')}")
    return OptimizerSpec(info.name, kwargs, tuple(groups), _default_lr(info, kwargs))


def _momentum_as_beta1(
    ck: Checker, info: ClassInfo, params: dict[str, Param], value: dict[str, Any], path: str
) -> list[float]:
    """``momentum`` for an optimizer with betas and no momentum (the Adam family) is beta1, as
    OneCycleLR and CyclicLR cycle it (pytorch#73910); said in a note."""
    where = f"{path}.momentum"
    if "betas" in value:
        raise ck.fail(where, f"give {ck.name(where)} or {ck.name(f'{path}.betas')}, not both")
    beta1 = validate(with_rules(Param("momentum", Kind.FLOAT)), value["momentum"], where, ck.fail)
    default = params["betas"].default
    beta2 = float(default[1]) if isinstance(default, tuple | list) and len(default) == 2 else 0.999
    ck.note(
        where,
        f"{info.name} has no momentum; its beta1 plays that part (pytorch#73910), so this sets "
        f"betas=({beta1:g}, {beta2:g})",
    )
    return [beta1, beta2]


def _groups(
    ck: Checker, info: ClassInfo, params: dict[str, Param], raw: Any, path: str
) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        raise ck.fail(path, "must be a non-empty list of mappings")
    if len(raw) > MAX_GROUPS:
        raise ck.fail(path, f"has {len(raw)} param groups, more than {MAX_GROUPS}")
    groups = []
    names: dict[str, int] = {}
    for i, group in enumerate(raw):
        gpath = f"{path}[{i}]"
        if not isinstance(group, dict):
            raise ck.fail(gpath, f"must be a mapping such as {{lr: 0.01}}, got {typename(group)}")
        checked = {}
        for k, v in group.items():
            if k == "name":
                checked[k] = _name(ck, v, f"{gpath}.name", names, i)
            else:
                checked[k] = _argument(ck, info, params, k, v, f"{gpath}.{k}")
        groups.append(checked)
    return groups


NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}")


def _name(ck: Checker, value: Any, path: str, seen: dict[str, int], index: int) -> str:
    """A param group's ``name``: torch keeps extra keys in a group, lrplot puts it in legends
    and CSV headers (``lr_backbone``), so it must be short, unique and safe in a CSV header."""
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise ck.fail(
            path,
            "must be a name of letters, digits, '_', '.' or '-' (at most 64), such as backbone; "
            f"got {value!r}",
        )
    if value in seen:
        raise ck.fail(path, f"name {value!r} is already used by param group {seen[value]}")
    if value.isdigit() and int(value) != index:
        raise ck.fail(path, f"a number as a name would read as param group {value}")
    seen[value] = index
    return value


def _argument(
    ck: Checker, info: ClassInfo, params: dict[str, Param], key: str, value: Any, path: str
) -> Any:
    param = params.get(key)
    if param is None:
        allowed = tuple(params)
        hint = close_match(key, allowed)
        extra = "" if hint else f" ({info.name} takes: {', '.join(allowed) or 'nothing'})"
        raise ck.fail(path, f"unknown argument {key!r} for {info.name}{extra}", hint=hint)
    return validate(param, value, path, ck.fail)


def _default_lr(info: ClassInfo, kwargs: dict[str, Any]) -> float:
    """``optimizer.defaults["lr"]``: the lr given for the optimizer, or its class default."""
    lr = kwargs.get("lr")
    if lr is None:
        param = info.param("lr")
        lr = param.default if param is not None else None
    return float(lr) if isinstance(lr, int | float) and is_number(lr) else math.nan
