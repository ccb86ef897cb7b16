"""Every example in configs/ renders, and its CSV equals torch stepped directly.

The oracle here builds the torch objects straight from the YAML with getattr on torch's modules,
sharing no code with lrplot's spec or simulation.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from conftest import EXAMPLES_ALLOW, examples
from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.families import torch_source as registry
from lrplot.families.torch_rules import ALIASES
from lrplot.metrics import metric_values
from lrplot.model import MetricSpec

CONFIGS = examples()  # the timm-* ones: tests/test_timm.py


def _float_loader() -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    import re

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"),
        list("-+0123456789."),
    )
    return Loader


def _lambda(text: str) -> Any:
    # Test-only oracle for our own trusted configs; lrplot itself never evals.
    return eval("lambda epoch: " + text, {"__builtins__": {"min": min, "max": max}, **vars(math)})


def _build(spec: dict[str, Any], optimizer: torch.optim.Optimizer, total: int) -> Any:
    spec = dict(spec)
    kind = spec.pop("type")
    if kind == "switch":  # a hand-written loop: (milestones, schedulers), stepped in _step
        return spec["milestones"], [_build(s, optimizer, total) for s in spec["schedulers"]]
    name = ALIASES.get(kind, kind)
    cls = getattr(torch.optim.lr_scheduler, name, None) or torch.optim.swa_utils.SWALR
    if "schedulers" in spec:
        spec["schedulers"] = [_build(s, optimizer, total) for s in spec["schedulers"]]
    if "lr_lambda" in spec:
        spec["lr_lambda"] = _lambda(spec["lr_lambda"])
    if name == "ChainedScheduler":
        return cls(spec["schedulers"])
    if name == "OneCycleLR" and "total_steps" not in spec and "epochs" not in spec:
        spec["total_steps"] = total  # lrplot fits OneCycleLR to the run when it has no length
    return cls(optimizer, **spec)


def _metric(config: dict[str, Any], folder: Path, count: int) -> list[float]:
    """What the example feeds ReduceLROnPlateau: a replayed CSV column (read here with the csv
    module), explicit values, or a profile from lrplot.metrics (tested on its own)."""
    metric = dict(config.get("metric", {}))
    metric.pop("patience_band", None)
    if "file" in metric:
        with open(folder / metric["file"], newline="") as handle:
            return [float(row[metric["column"]]) for row in csv.DictReader(handle)][:count]
    if "values" in metric:
        return [float(v) for v in metric["values"]][:count]
    profile = metric.pop("profile", "exp-decay")
    seed = metric.pop("seed", 0)
    return metric_values(MetricSpec(profile=profile, params=metric, seed=seed), count).tolist()


# The argument that is a class's own length: a run without `epochs` is that long (README, "The
# run's length"). The examples that leave `epochs` out have one of these.
HORIZONS = {
    "CosineAnnealingLR": "T_max",
    "OneCycleLR": "total_steps",
    "PolynomialLR": "total_iters",
}


def _oracle(config: dict[str, Any], folder: Path = Path(".")) -> list[list[float]]:
    """The lr of every param group at every optimizer step, torch stepped directly."""
    scheduler = config["scheduler"]
    own = HORIZONS.get(scheduler.get("type", ""))
    epochs = config.get("epochs", scheduler.get(own, 100) if own else 100)
    per_epoch = config.get("steps_per_epoch", 1)
    interval = config.get("interval", "epoch")
    opt = dict(config.get("optimizer", {}))
    opt_cls = getattr(torch.optim, opt.pop("type", "SGD"))
    groups = opt.pop("param_groups", [{}])
    params = [{"params": [torch.zeros(1, requires_grad=True)], **group} for group in groups]
    optimizer = opt_cls(params, **opt)
    scheduler_steps = epochs * per_epoch if interval == "step" else epochs
    scheduler = _build(config["scheduler"], optimizer, scheduler_steps)
    metric = _metric(config, folder, scheduler_steps)
    lrs: list[list[float]] = [[] for _ in optimizer.param_groups]
    k = 0
    for t in range(epochs * per_epoch):
        for g, group in enumerate(optimizer.param_groups):
            lrs[g].append(float(group["lr"]))
        optimizer.step()
        if interval == "step" or (t + 1) % per_epoch == 0:
            _step(scheduler, k, metric)
            k += 1
    return lrs


def _step(scheduler: Any, k: int, metric: list[float]) -> None:
    if isinstance(scheduler, tuple):  # switch: only the scheduler whose phase step k is in
        milestones, schedulers = scheduler
        scheduler = schedulers[sum(1 for m in milestones if m <= k)]
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(metric[k])
    else:
        scheduler.step()


def _curves(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """label -> the run of each curve: a `curves:` item over the top-level settings."""
    if "curves" not in config:
        return {"": config}
    top = {k: v for k, v in config.items() if k != "curves"}
    return {item["label"]: {**top, **item} for item in config["curves"]}


def test_there_is_an_example_for_every_scheduler() -> None:
    used = set()
    for path in CONFIGS:
        runs = _curves(yaml.load(path.read_text(), Loader=_float_loader())).values()
        stack = [run["scheduler"] for run in runs if "scheduler" in run]
        while stack:
            item = stack.pop()
            if "type" not in item:  # another family: tested against its library elsewhere
                continue
            used.add(ALIASES.get(item["type"], item["type"]))
            stack.extend(item.get("schedulers", []))
    assert set(registry.schedulers()) <= used


def test_render_writes_every_figure_and_csv_matching_torch(tmp_path: Path) -> None:
    allow = [f"--allow-import={name}" for name in EXAMPLES_ALLOW]
    result = CliRunner().invoke(
        app,
        ["render", *map(str, CONFIGS), "--out-dir", str(tmp_path), "--format", "png,csv", *allow],
    )
    assert result.exit_code == 0, result.output
    for path in CONFIGS:
        png = tmp_path / f"{path.stem}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        with open(tmp_path / f"{path.stem}.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        config = yaml.load(path.read_text(), Loader=_float_loader())
        for label, run in _curves(config).items():
            if "lightning" in run or "huggingface" in run:
                continue  # tests/test_lightning.py, test_huggingface.py: against the real Trainers
            if "type" not in run["scheduler"]:
                # tests/test_recipes.py, test_transformers.py, ... check the other families
                continue
            mine = [r for r in rows if r.get("curve", "") == label]
            columns = [c for c in rows[0] if c == "lr" or c.startswith("lr_")]
            expected = _oracle(run, path.parent)
            assert len(columns) == len(expected), path.name
            for column, theirs in zip(columns, expected, strict=True):
                assert [float(r[column]) for r in mine] == theirs, f"{path.name} {label} {column}"


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_example_comment_explains_it(path: Path) -> None:
    assert path.read_text().startswith("# "), (
        "every example starts with a comment saying what it shows"
    )
