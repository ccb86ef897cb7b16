"""The catalogue read from torch's source agrees with torch's real classes and signatures."""

from __future__ import annotations

import inspect

import pytest
import torch.optim
import torch.optim.lr_scheduler as lr_scheduler
from torch.optim.swa_utils import SWALR

from lrplot.families import family_for_key
from lrplot.families import torch_source as registry
from lrplot.families.torch_rules import ALIASES

SUPPLIED = {"optimizer", "params", "last_epoch"}


def real_schedulers() -> dict[str, type]:
    found = {
        name: obj
        for name, obj in vars(lr_scheduler).items()
        if inspect.isclass(obj)
        and not name.startswith("_")
        and obj is not lr_scheduler.LRScheduler
        and issubclass(obj, lr_scheduler.LRScheduler)
    }
    found["SWALR"] = SWALR
    return found


def test_every_torch_scheduler_is_found_and_nothing_else() -> None:
    assert set(registry.schedulers()) == set(real_schedulers())
    assert "LRScheduler" not in registry.schedulers()
    assert "partial" not in registry.schedulers()


@pytest.mark.parametrize("name", sorted(real_schedulers()))
def test_parameters_and_defaults_match_inspect(name: str) -> None:
    signature = inspect.signature(real_schedulers()[name])
    expected = {p.name: p.default for p in signature.parameters.values() if p.name not in SUPPLIED}
    info = registry.schedulers()[name]
    assert [p.name for p in info.params] == list(expected)
    for param in info.params:
        if expected[param.name] is inspect.Parameter.empty:
            assert param.required
        else:
            assert param.default == expected[param.name]


@pytest.mark.parametrize("name", registry.optimizer_names())
def test_optimizers_match_torch(name: str) -> None:
    cls = getattr(torch.optim, name)
    assert issubclass(cls, torch.optim.Optimizer)
    expected = [p for p in inspect.signature(cls).parameters if p not in SUPPLIED]
    assert [p.name for p in registry.resolve_optimizer(name).params] == expected


def test_every_alias_names_a_real_scheduler() -> None:
    for alias, name in ALIASES.items():
        assert family_for_key("type").resolve(alias).name == name


def test_kebab_names_for_classes_without_an_alias() -> None:
    assert registry.kebab("CosineAnnealingWarmRestarts") == "cosine-annealing-warm-restarts"
    assert registry.kebab("FooBarLR") == "foo-bar-lr"


def test_every_torch_optimizer_is_found() -> None:
    # AdamW derives from Adam, defined in another module of torch.optim.
    real = {
        name
        for name in torch.optim.__all__
        if inspect.isclass(getattr(torch.optim, name))
        and issubclass(getattr(torch.optim, name), torch.optim.Optimizer)
        and name != "Optimizer"
    }
    assert set(registry.optimizer_names()) == real
    assert "AdamW" in real
