"""The command line through Typer's CliRunner: exit codes, stdout/stderr and files."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.cli.flag import option_name
from lrplot.families import family_for_key
from lrplot.families.base import Entry

TORCH = family_for_key("type")

runner = CliRunner()


def test_cosine_csv_matches_the_closed_form(tmp_path: Path) -> None:
    out = tmp_path / "cos.csv"
    args = ["cosine", "--T-max", "20", "--eta-min", "1e-5", "--lr", "0.001", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 20  # the run defaults to T_max: one clean cosine, the README's example
    for t, row in enumerate(rows):
        expected = 1e-5 + (0.001 - 1e-5) * (1 + math.cos(math.pi * t / 20)) / 2
        assert float(row["lr"]) == pytest.approx(expected, rel=1e-12, abs=1e-18)
        assert int(row["step"]) == t


def test_cosine_png_exactly_as_the_readme_writes_it(tmp_path: Path) -> None:
    out = tmp_path / "cos.png"
    result = runner.invoke(app, ["cosine", "--T-max", "20", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    pixels = imread(out)
    assert pixels.shape[:2] == (900, 1600)
    assert (pixels[..., :3].std(axis=(0, 1)) > 0.05).all()  # not blank


def test_dash_writes_csv_to_stdout_and_messages_stay_off_it() -> None:
    result = runner.invoke(app, ["step", "--step-size", "3", "-n", "6", "--lr", "1", "-o", "-"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [float(r["lr"]) for r in rows] == [1.0, 1.0, 1.0, 0.1, 0.1, 0.1]
    assert "wrote" not in result.stdout


def test_without_output_prints_a_summary() -> None:
    result = runner.invoke(app, ["multistep", "--milestones", "30,60,80", "--gamma", "0.5"])
    assert result.exit_code == 0
    assert "MultiStepLR(milestones=[30, 60, 80], gamma=0.5)" in result.stdout
    assert "start 0.001  peak 0.001 (step 0)  min 0.000125 (step 80)" in result.stdout
    assert "changes at step 30, 60, 80" in result.stdout


def test_several_formats_in_one_call(tmp_path: Path) -> None:
    outs = [tmp_path / f"x.{fmt}" for fmt in ("png", "svg", "pdf", "csv")]
    args = ["exponential", "--gamma", "0.9"] + [a for o in outs for a in ("-o", str(o))]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert outs[1].read_text().lstrip().startswith("<?xml")
    assert outs[2].read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("info", TORCH.entries().values(), ids=lambda i: i.command)
def test_every_scheduler_has_a_subcommand_with_its_options(info: Entry) -> None:
    result = runner.invoke(app, [info.command, "--help"])
    assert result.exit_code == 0
    for param in info.params:
        if param.name not in ("epochs", "steps_per_epoch"):
            assert option_name(param.name) in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cosine"], "error: lrplot cosine: CosineAnnealingLR needs --T-max"),
        (
            ["cosine", "--T-max", "0"],
            "error: lrplot cosine: --T-max: must be a positive integer, got 0",
        ),
        (
            ["multistep", "--milestones", "30,x"],
            "--milestones: must be a comma-separated list of integers",
        ),
        (
            ["multistep", "--milestones", "60,30"],
            "--milestones[1]: milestones must be strictly increasing",
        ),
        (
            ["cosine", "--T-max", "5", "--optimizer", "SDG"],
            "unknown optimizer 'SDG'; did you mean SGD?",
        ),
        (["cosine", "--T-max", "5", "--lr", "-1"], "--lr: must be > 0, got -1.0"),
        (["lambda", "--lr-lambda", "__import__('os')"], "function '__import__' is not allowed"),
        (["cosine", "--T-max", "5", "-o", "x.jpg"], "cannot tell the format from '.jpg'"),
        (["cosine", "--T-max", "5", "-n", "0"], "--epochs: must be a positive integer, got 0"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_traceback(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_render_continues_past_a_bad_config_and_exits_2(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("scheduler: {type: cosine, T_max: 10}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheduler:\n  type: cosine\n  T_mx: 10\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(tmp_path), "--out-dir", str(out), "-f", "csv"])
    assert result.exit_code == 2
    assert f"error: {bad}: scheduler.T_mx (line 3): unknown argument 'T_mx'" in result.stderr
    assert "did you mean T_max?" in result.stderr
    assert "rendered 1, skipped 0, failed 1" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".lrplot-manifest.json", "good.csv"]


def test_render_refuses_two_configs_writing_one_file(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.yaml").write_text("scheduler: {type: cosine, T_max: 10}\n")
    result = runner.invoke(app, ["render", str(tmp_path), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "would both write" in result.stderr
    assert not (tmp_path / "out").exists()


def test_list_names_every_scheduler() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    for info in TORCH.entries().values():
        assert info.name in result.stdout


def test_help_documents_exit_codes() -> None:
    result = runner.invoke(app, ["--help"])
    text = " ".join(result.stdout.split())
    assert (
        "Exit codes: 0 ok; 1 render --check found missing or stale outputs; 2 bad input or a "
        "failed render." in text
    )


def test_outputs_from_a_config_are_written_inside_the_output_folder(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("outputs: [figs/a.svg, a.csv]\nscheduler: {type: cosine, T_max: 10}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(config), "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "figs" / "a.svg").is_file() and (out / "a.csv").is_file()


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ("/tmp/x.png", "is absolute"),
        ("../x.png", "contains '..'"),
        ("x.jpg", "has '.jpg'"),
        ("x", "has no extension"),
        ("[a.png, a.png]", "is listed twice"),
    ],
)
def test_config_outputs_may_not_escape(tmp_path: Path, outputs: str, message: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"outputs: {outputs}\nscheduler: {{type: cosine, T_max: 10}}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(config), "--out-dir", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


def test_config_outputs_may_not_escape_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(outside)
    config = tmp_path / "c.yaml"
    config.write_text("outputs: [link/x.csv]\nscheduler: {type: cosine, T_max: 10}\n")
    result = runner.invoke(app, ["render", str(config), "--out-dir", str(out)])
    assert result.exit_code == 2
    assert "escapes the output folder" in result.stderr
    assert list(outside.iterdir()) == []
