"""``lrplot watch FILE.yaml [-o x.png]`` (issue 16, item 11): a render per save, a bad save is
one error line and the watch goes on. No test asserts a time (bench/ measures those)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from torch.optim import lr_scheduler as L
from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.cli import watch as watching

runner = CliRunner()


def config(t_max: int) -> str:
    return f"epochs: 12\noptimizer: {{lr: 0.1}}\nscheduler: {{type: cosine, T_max: {t_max}}}\n"


BAD = "epochs: 12\nscheduler: {type: cosine, T_max: 0}\n"


def torch_cosine(t_max: int) -> list[float]:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = L.CosineAnnealingLR(optimizer, T_max=t_max)
    found = []
    for _ in range(12):
        found.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return found


def lrs(text: str) -> list[float]:
    return [float(row["lr"]) for row in csv.DictReader(io.StringIO(text))]


def test_each_save_renders_and_a_bad_save_keeps_watching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "c.yaml"
    out = tmp_path / "c.csv"
    spec.write_text(config(12))
    seen: list[list[float]] = []

    def saves(path: str, poll: float) -> Iterator[None]:
        assert path == str(spec)
        yield  # the first render
        for text in (BAD, config(6)):
            seen.append(lrs(out.read_text()))
            spec.write_text(text)
            yield

    monkeypatch.setattr(watching, "file_changes", saves)
    result = runner.invoke(app, ["watch", str(spec), "-o", str(out), "--count", "3"])
    assert result.exit_code == 0, result.output
    assert seen == [torch_cosine(12), torch_cosine(12)]  # the bad save left the file alone
    assert lrs(out.read_text()) == torch_cosine(6)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {spec}: scheduler.T_max (line 2): must be a positive integer, got 0"]
    statuses = [
        line.split(" in ")[0] for line in result.stderr.splitlines() if " s; watching" in line
    ]
    assert statuses == [f"rendered {spec}", f"failed {spec}", f"rendered {spec}"]


def test_without_o_each_render_is_drawn_in_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "c.yaml"
    spec.write_text(config(12))

    def saves(path: str, poll: float) -> Iterator[None]:
        yield
        spec.write_text(config(6))
        yield

    monkeypatch.setattr(watching, "file_changes", saves)
    result = runner.invoke(app, ["watch", str(spec), "--count", "2"])
    assert result.exit_code == 0, result.output
    summaries = [
        line for line in result.stdout.splitlines() if line.startswith("CosineAnnealingLR")
    ]
    assert summaries == ["CosineAnnealingLR(T_max=12)", "CosineAnnealingLR(T_max=6)"]
    assert "\x1b[2J" not in result.stdout  # not a terminal: nothing to clear


def test_the_last_render_s_status_is_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "c.yaml"
    spec.write_text(BAD)
    monkeypatch.setattr(watching, "file_changes", lambda path, poll: iter([None]))
    result = runner.invoke(app, ["watch", str(spec), "--count", "1"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {spec}: scheduler.T_max (line 2): must be")


def _wait(condition: object, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_real_process_sees_saves_on_disk(tmp_path: Path) -> None:
    """The file-polling source, in a process of its own, with an editor-style save."""
    spec = tmp_path / "c.yaml"
    out = tmp_path / "c.csv"
    err = tmp_path / "err.txt"
    spec.write_text(config(12))
    with err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "lrplot", "watch", "c.yaml", "-o", "c.csv"]
            + ["--count", "3", "--poll", "0.05"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "CI": "1"},
        )
        try:
            _wait(lambda: err.read_text().count("; watching") >= 1, "the first render")
            assert lrs(out.read_text()) == torch_cosine(12)
            spec.write_text(BAD)
            _wait(lambda: err.read_text().count("; watching") >= 2, "the bad save")
            replacement = tmp_path / "c.yaml.new"  # saved by renaming a new file into place
            replacement.write_text(config(6))
            os.replace(replacement, spec)
            assert process.wait(timeout=240) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert lrs(out.read_text()) == torch_cosine(6)
    lines = err.read_text().splitlines()
    assert [line for line in lines if line.startswith("error:")] == [
        "error: c.yaml: scheduler.T_max (line 2): must be a positive integer, got 0"
    ]
