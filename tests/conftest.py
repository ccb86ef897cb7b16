from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
# What the examples may import (configs/import-*.yaml import configs/schedules.py), as
# `make docs` allows it.
EXAMPLES_ALLOW = ("schedules",)


def needs_timm(config: Path) -> bool:
    """configs/timm-*.yaml need timm, which lives in .venv-timm (tests marked `timm`)."""
    return config.name.startswith("timm-")


def examples(*, timm: bool = False) -> list[Path]:
    """The example configs this environment renders: without timm, or only the timm ones."""
    return [p for p in sorted(CONFIGS.glob("*.yaml")) if needs_timm(p) == timm]


@pytest.fixture
def configs_dir() -> Path:
    return CONFIGS
