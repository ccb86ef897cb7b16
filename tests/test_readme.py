"""Every ``lrplot`` command line in the README's shell blocks runs, in order, as written.

They run in a scratch folder with a few of the example configs and a ``losses.csv`` (the log
the README replays). Lines are split as the shell splits them; ``> FILE`` redirections and
``&& python FILE`` are honoured. Two lines are adapted, and say why: ``watch`` gets
``--count 1`` (it would watch forever), and ``--install-completion`` is not run (it edits the
user's shell start-up files; ``test_cli_forgiving`` runs completion itself).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot.cli import app

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ("recipe-cosine-with-restarts.yaml", "cosine.yaml", "compare.yaml")
runner = CliRunner()


def readme_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("lrplot ")
    ]


def test_the_readme_shows_the_new_commands() -> None:
    text = "\n".join(readme_lines())
    for needed in ("--save-spec", "lrplot watch", "lrplot compare", "lrplot code cosine", "-o -"):
        assert needed in text


def test_every_readme_command_line_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").mkdir()
    for name in CONFIGS:
        shutil.copy(ROOT / "configs" / name, tmp_path / "configs" / name)
    shutil.copytree(ROOT / "configs" / "data", tmp_path / "configs" / "data")
    rows = "".join(f"{i},{2.0 / (1 + i / 10)}\n" for i in range(120))
    (tmp_path / "losses.csv").write_text("epoch,val_loss\n" + rows)
    monkeypatch.chdir(tmp_path)
    ran = 0
    for line in readme_lines():
        words = shlex.split(line, comments=True)
        if "--install-completion" in words:
            continue
        then: list[str] = []
        if "&&" in words:
            at = words.index("&&")
            words, then = words[:at], words[at + 1 :]
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1]
        if words[1] == "watch":
            words += ["--count", "1"]
        result = runner.invoke(app, words[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        if target is not None:
            Path(target).write_text(result.stdout)
        if then:
            assert then[0] == "python"
            done = subprocess.run([sys.executable, *then[1:]], capture_output=True, text=True)
            assert done.returncode == 0, f"{line}\n{done.stderr}"
        ran += 1
    assert ran >= 25
    assert Path("cos.png").read_bytes()[:4] == b"\x89PNG"
    assert Path("cmp.png").is_file() and Path("figures/cos.svg").is_file()
    assert Path("my.yaml").read_text().startswith("# OneCycleLR: ")
