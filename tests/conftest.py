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


# A user's folder for the bad-input tests (test_bad_inputs.py, test_hardening_*.py): real outputs
# of an earlier good render, which a failed run must leave byte for byte as they were.
FORMATS = ("png", "svg", "pdf", "csv")
GOOD = "epochs: 10\nscheduler: {type: exponential, gamma: 0.9}\n"


@pytest.fixture(scope="session")
def previous(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real outputs of an earlier, good render: what a failed run must leave alone."""
    from typer.testing import CliRunner

    from lrplot.cli import app

    folder = tmp_path_factory.mktemp("previous")
    (folder / "c.yaml").write_text(GOOD)
    result = CliRunner().invoke(
        app, ["render", str(folder / "c.yaml"), "-d", str(folder), "-f", ",".join(FORMATS)]
    )
    assert result.exit_code == 0, result.output
    return {fmt: (folder / f"c.{fmt}").read_bytes() for fmt in FORMATS}


@pytest.fixture
def workspace(tmp_path: Path, previous: dict[str, bytes]) -> Path:
    """tmp_path with out/c.{png,svg,pdf,csv} already rendered, as a user's folder would be."""
    out = tmp_path / "out"
    out.mkdir()
    for fmt, data in previous.items():
        (out / f"c.{fmt}").write_bytes(data)
    return tmp_path
