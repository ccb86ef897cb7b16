"""The command line and YAML connect (issue 16, items 4 and 8-10): ``lrplot FILE.yaml``,
``render FILE -o``, ``--save-spec``, ``code`` with flags, ``compare``, the small
inconsistencies, the YAML pitfall and non-UTF-8 terminals. Everything through the CLI."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from torch.optim import lr_scheduler as L
from typer.testing import CliRunner

from lrplot.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
COSINE = "epochs: 30\noptimizer: {lr: 0.1}\nscheduler: {type: cosine, T_max: 30}\n"


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def lrs(stdout: str, name: str = "lr") -> list[float]:
    return [float(row[name]) for row in csv.DictReader(io.StringIO(stdout))]


def torch_cosine(steps: int, t_max: int, lr: float) -> list[float]:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = L.CosineAnnealingLR(optimizer, T_max=t_max)
    found = []
    for _ in range(steps):
        found.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return found


# -- 4. CLI and YAML connect -------------------------------------------------------------------


@pytest.mark.parametrize("how", [["{path}"], ["show", "{path}"], ["preview", "{path}"]])
def test_a_yaml_file_previews_as_a_scheduler_command_does(how: list[str], tmp_path: Path) -> None:
    config = tmp_path / "cos.yaml"
    config.write_text(COSINE)
    result = invoke(*[word.format(path=config) for word in how])
    assert result.exit_code == 0, result.output
    same = invoke("cosine", "--T-max", "30", "-n", "30", "--lr", "0.1")
    assert result.stdout == same.stdout
    assert "CosineAnnealingLR(T_max=30)" in result.stdout
    assert "start 0.1  peak 0.1 (step 0)" in result.stdout


def test_a_yaml_file_with_o_writes_it(tmp_path: Path) -> None:
    config = tmp_path / "cos.yaml"
    config.write_text(COSINE)
    result = invoke(str(config), "-o", str(tmp_path / "cos.csv"), "--log-y")
    assert result.exit_code == 0, result.output
    assert lrs((tmp_path / "cos.csv").read_text()) == torch_cosine(30, 30, 0.1)


def test_a_missing_yaml_file_is_one_line(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_render_one_file_with_o_matches_the_batch_bytes(tmp_path: Path) -> None:
    config = tmp_path / "cos.yaml"
    config.write_text(COSINE)
    target = tmp_path / "new" / "dir" / "x.png"  # missing folders are created (item 8)
    result = invoke("render", str(config), "-o", str(target), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"wrote {target}", f"wrote {tmp_path / 'x.csv'}"]
    batch = invoke("render", str(config), "-d", str(tmp_path / "batch"), "-f", "png")
    assert batch.exit_code == 0, batch.output
    assert target.read_bytes() == (tmp_path / "batch" / "cos.png").read_bytes()
    assert lrs((tmp_path / "x.csv").read_text()) == torch_cosine(30, 30, 0.1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{a}", "{b}", "-o", "x.png"], "-o writes one config, but 2 were given"),
        (["{a}", "-o", "x.png", "--check"], "--check compares a folder of outputs"),
    ],
)
def test_render_o_refuses_what_it_cannot_do(args: list[str], message: str, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(COSINE)
    words = [w.format(a=tmp_path / "a.yaml", b=tmp_path / "b.yaml") for w in args]
    result = invoke("render", *words)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not Path("x.png").exists()


def test_o_creates_missing_folders_for_a_scheduler_command(tmp_path: Path) -> None:
    target = tmp_path / "newdir" / "deeper" / "x.csv"
    result = invoke("cosine", "--T-max", "5", "-n", "5", "--lr", "0.1", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert lrs(target.read_text()) == torch_cosine(5, 5, 0.1)
    blocked = tmp_path / "file"
    blocked.write_text("")
    bad = invoke("cosine", "--T-max", "5", "-o", str(blocked / "x.png"))
    assert bad.exit_code == 2
    assert f"{blocked} is a file, not a folder" in bad.stderr


SAVED = [
    ["cosine", "--T-max", "20", "--eta-min", "1e-5", "--lr", "0.01", "--size", "6x3",
     "--dpi", "80"],
    ["multistep", "--milestones", "[30, 60]", "--optimizer", "adam", "--momentum", "0.8",
     "--log-y"],
    ["plateau", "--metric", "plateau", "--seed", "3", "--patience", "4", "--patience-band"],
    ["recipe", "cosine", "--num-training-steps", "300", "--warmup-ratio", "0.1", "--x", "step"],
    ["sequential", "--milestones", "5", "--schedulers",
     "[{type: linear, start_factor: 0.1, total_iters: 5}, {type: cosine, T_max: 95}]",
     "--title", "1e-3: warmup, then cosine", "--no-annotate"],
    ["lambda", "--lr-lambda", "0.95 ** epoch", "--param-groups", "[{lr: 0.1}, {lr: 0.02}]",
     "-n", "40", "--steps-per-epoch", "3", "--interval", "step"],
]  # fmt: skip


@pytest.mark.parametrize("args", SAVED, ids=lambda a: a[0] if a[0] != "recipe" else a[1])
def test_save_spec_renders_to_the_same_bytes(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    direct = invoke(*args, "-o", "a.png", "-o", "a.csv", "--save-spec", "specs/a.yaml")
    assert direct.exit_code == 0, direct.output
    saved = Path("specs/a.yaml").read_text()
    assert saved.startswith(f"# lrplot {args[0]}")
    assert yaml.safe_load(saved)["outputs"] == ["a.png", "a.csv"]
    again = invoke("render", "specs/a.yaml", "-o", "b.png", "-o", "b.csv")
    assert again.exit_code == 0, again.output
    assert Path("a.png").read_bytes() == Path("b.png").read_bytes()
    assert Path("a.csv").read_bytes() == Path("b.csv").read_bytes()
    batch = invoke("render", "specs/a.yaml", "-d", "out")  # outputs: names the same files
    assert batch.exit_code == 0, batch.output
    assert Path("out/a.png").read_bytes() == Path("a.png").read_bytes()


def test_save_spec_to_stdout_prints_the_yaml_alone() -> None:
    result = invoke("cosine", "--T-max", "20", "--title", "null", "--save-spec", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "# lrplot cosine --save-spec: `lrplot render THIS.yaml` draws the same figure\n"
        "title: 'null'\n"
        "optimizer: {type: SGD}\n"
        "scheduler: {type: CosineAnnealingLR, T_max: 20}\n"
    )


def test_save_spec_writes_nothing_for_a_bad_command(tmp_path: Path) -> None:
    result = invoke("cosine", "--T-max", "0", "--save-spec", str(tmp_path / "s.yaml"))
    assert result.exit_code == 2
    assert not (tmp_path / "s.yaml").exists()


def test_code_takes_flags_as_well_as_a_file(tmp_path: Path) -> None:
    args = ["cosine", "--T-max", "12", "--lr", "0.1", "-n", "15"]
    script = invoke("code", *args)
    assert script.exit_code == 0, script.output
    assert f"# Generated by `lrplot code {' '.join(args)}`" in script.stdout
    scope: dict[str, Any] = {"__name__": "lrplot_code"}
    exec(compile(script.stdout, "code.py", "exec"), scope)  # our own generated script
    assert [row[0] for row in scope["lrs"]] == torch_cosine(15, 12, 0.1)
    config = tmp_path / "c.yaml"
    config.write_text("epochs: 15\noptimizer: {lr: 0.1}\nscheduler: {type: cosine, T_max: 12}\n")
    from_file = invoke("code", str(config)).stdout
    assert from_file.split("\n", 2)[2] == script.stdout.split("\n", 2)[2]
    bad = invoke("code", "cosine", "--T-max", "0")
    assert bad.exit_code == 2
    assert bad.stderr == "error: cosine --T-max 0: --T-max: must be a positive integer, got 0\n"


def test_compare_overlays_command_lines(tmp_path: Path) -> None:
    out = tmp_path / "cmp.csv"
    result = invoke(
        "compare", "cosine --T-max 100", "step --step-size 30 --gamma 0.5", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {row["curve"] for row in rows} == {
        "cosine --T-max 100",
        "step --step-size 30 --gamma 0.5",
    }
    cosine = [float(r["lr"]) for r in rows if r["curve"] == "cosine --T-max 100"]
    assert cosine == torch_cosine(100, 100, 0.001)
    step = [float(r["lr"]) for r in rows if r["curve"].startswith("step")]
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)])
    scheduler = L.StepLR(optimizer, step_size=30, gamma=0.5)
    expected = []
    for _ in range(100):
        expected.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    assert step == expected
    png = invoke(
        "compare", "cosine --T-max 100", "step --step-size 30", "-o", str(tmp_path / "c.png")
    )
    assert png.exit_code == 0 and (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_compare_in_the_terminal_and_as_yaml(tmp_path: Path) -> None:
    result = invoke("compare", "cosine --T-max 100", "recipe linear --num-training-steps 100")
    assert result.exit_code == 0, result.output
    assert "2 lines overlaid: cosine --T-max 100, recipe linear --num-training-steps 100" in (
        result.stdout
    )
    saved = invoke(
        "compare", "cosine --T-max 100", "step --step-size 30", "--save-spec", "-", "--log-y"
    )
    data = yaml.safe_load(saved.stdout)
    assert [c["label"] for c in data["curves"]] == ["cosine --T-max 100", "step --step-size 30"]
    assert data["plot"] == {"log_y": True}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["cosine --T-max 0", "step --step-size 3"],
         'error: "cosine --T-max 0": --T-max: must be a positive integer, got 0\n'),
        (["cosine --T-max 5"], "error: lrplot compare: give two or more quoted scheduler"),
        (["cosine --T-max 5 -o x.png", "step --step-size 3"],
         'error: lrplot compare: "cosine --T-max 5 -o x.png": figure options (title, plot, -o, '
         "--save-spec) go after the quoted command lines\n"),
        (["nothing.yaml", "step --step-size 3"],
         "error: lrplot compare: 'nothing.yaml' is not a scheduler command (lrplot list shows "
         "them)\n"),
    ],
)  # fmt: skip
def test_compare_errors_name_the_command_line(lines: list[str], message: str) -> None:
    result = invoke("compare", *lines)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


# -- 8. small inconsistencies -------------------------------------------------------------------


def test_check_says_up_to_date(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(COSINE)
    assert invoke("render", str(config), "-d", str(tmp_path / "out")).exit_code == 0
    result = invoke("render", str(config), "-d", str(tmp_path / "out"), "--check")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "would render 0, up to date 1, failed 0"


def test_render_help_shows_plain_arguments_and_no_foreign_flags() -> None:
    text = invoke("render", "--help").stdout
    assert "Usage: lrplot render [OPTIONS] PATH..." in text
    assert "{" not in text and "<list[str]>" not in text
    assert "--steps-per-epoch" not in text
    for command in ("code", "show", "init", "compare", "watch"):
        assert "<list[str]>" not in invoke(command, "--help").stdout


def test_root_help_lists_every_exit_code() -> None:
    text = " ".join(invoke("--help").stdout.split())
    assert "Exit codes: 0 ok; 1 render --check found missing or stale outputs; 2 bad input" in text


def _readme_block(marker: str, language: str = "yaml") -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(block for block in blocks if marker in block)


def test_the_pre_commit_snippet_pins_a_commit_not_a_missing_tag() -> None:
    (repo,) = yaml.safe_load(_readme_block("lrplot-render"))["repos"]
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert repo["rev"] not in tags and not str(repo["rev"]).startswith("v")
    assert "commit" in _readme_block("lrplot-render").lower()


def test_the_requirements_docs_file_is_described_with_the_pinned_versions() -> None:
    text = _readme_block("requirements-docs.txt", "text")
    pins = dict(
        line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )  # fmt: skip
    listed = dict(line.split("==") for line in text.splitlines() if "==" in line)
    assert listed and all(pins[name] == version for name, version in listed.items())
    assert {"torch", "matplotlib", "numpy", "pillow", "fonttools"} <= set(listed)


# -- 9. the YAML pitfall -------------------------------------------------------------------------


def test_a_comma_list_in_a_flow_mapping_hints_the_yaml_list(tmp_path: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text("scheduler: {type: multistep, milestones: 30,60}\n")
    result = invoke("render", str(config), "-o", str(tmp_path / "m.csv"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {config}: scheduler (line 1): keys must be strings, got 60; "
        "did you mean milestones: [30, 60]?\n"
    )


# -- 10. non-UTF-8 terminals ----------------------------------------------------------------------


def test_a_cp1252_stream_gets_an_ascii_chart_and_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "COLUMNS": "70"}
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "multistep", "--milestones", "30,60"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    out, err = done.stdout.decode("cp1252"), done.stderr.decode("cp1252")
    assert done.returncode == 0, err
    assert "Traceback" not in out + err
    assert out.isascii()
    lines = out.splitlines()
    assert lines[0].startswith("1e-3 +") and "'" in lines[0]
    assert lines[10].count("^") == 2  # the two milestones on the x axis
    assert "changes at step 30, 60" in out


def test_save_spec_names_a_metric_file_from_the_spec_s_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("runs").mkdir()
    rows = "".join(f"{i},{1.0 / (1 + i)}\n" for i in range(100))
    Path("runs/log.csv").write_text("step,loss\n" + rows)
    args = ["plateau", "--metric-file", "runs/log.csv", "--metric-column", "loss"]
    direct = invoke(*args, "-o", "a.csv", "--save-spec", "runs/spec.yaml")
    assert direct.exit_code == 0, direct.output
    assert yaml.safe_load(Path("runs/spec.yaml").read_text())["metric"]["file"] == "log.csv"
    again = invoke("render", "runs/spec.yaml", "-o", "b.csv")
    assert again.exit_code == 0, again.output
    assert Path("a.csv").read_bytes() == Path("b.csv").read_bytes()
    outside = invoke(*args, "--save-spec", "elsewhere/spec.yaml", "-o", "c.csv")
    assert outside.exit_code == 0
    assert "warning: --save-spec: runs/log.csv is outside elsewhere" in outside.stderr
