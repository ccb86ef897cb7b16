"""Optional families without their library: every use is one line that says how to install it.

``sys.modules[name] = None`` makes the package unimportable and unfindable in a fresh process,
as if it were not installed (timm really is not, in .venv).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
sys.modules[{name!r}] = None
from typer.testing import CliRunner
from lrplot.cli import app
import lrplot
runner = CliRunner()
result = runner.invoke(app, [{name!r}, "cosine", "--lr", "0.1"])
print(result.exit_code, result.stderr.strip())
listed = runner.invoke(app, ["list"]).stdout
print(listed.split("\\n{name} ")[1].splitlines()[:2])
try:
    lrplot.spec_from_text("scheduler:\\n  {name}: cosine\\n", "x.yaml")
except lrplot.LrplotError as error:
    print(error)
print(runner.invoke(app, ["schema"]).exit_code, runner.invoke(app, ["--help"]).exit_code)
"""


@pytest.mark.parametrize(
    ("name", "factory"), [("transformers", "get_scheduler"), ("timm", "create_scheduler_v2")]
)
def test_without_the_library_every_use_says_how_to_install_it(name: str, factory: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    install = f"{name} is not installed; pip install 'lrplot[{name}]'"
    assert done.stdout.splitlines() == [
        f"2 error: lrplot {name}: {install}",
        str([f"{factory} (an optional extra):", f"  not available: {install}"]),
        f"x.yaml: scheduler.{name} (line 2): {install}",
        "0 0",
    ]
