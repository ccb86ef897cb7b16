"""The quick look (terminal chart), list/show/init/schema, the progress bar and the README API."""

from __future__ import annotations

import inspect
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import torch
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.cli.progress import SimulationProgress as _Progress
from lrplot.config.yamlload import load_bytes
from lrplot.draw.termchart import chart
from lrplot.families import family_for_key
from lrplot.families import torch_source as registry
from lrplot.families.torch_rules import ALIASES

TORCH = family_for_key("type")

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
runner = CliRunner()
BRAILLE = re.compile("[\u2800-\u28ff]")


def chart_lines(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    end = next(i for i, line in enumerate(lines) if line.rstrip().endswith(("epoch", "step")))
    return lines[: end + 1]


@pytest.mark.parametrize("columns", [60, 100])
def test_quick_look_draws_a_chart_that_fits_the_terminal(columns: int) -> None:
    args = ["cosine", "--T-max", "20", "-n", "100"]
    result = runner.invoke(app, args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = chart_lines(result.stdout)
    assert max(len(line) for line in lines) == columns
    assert lines[0].startswith("0.001 ┤") and BRAILLE.search(lines[0])
    assert lines[9].startswith("    0 ┤")
    # T_max marker on the x axis, where epoch 20 falls
    axis = lines[10]
    assert axis.count("┴") == 1
    cols = len(axis) - 7
    assert axis.index("┴") - 7 == 20 * cols // 100
    # then the summary, with torch's numbers
    rest = result.stdout[len("\n".join(lines)) :]
    assert "CosineAnnealingLR(T_max=20)" in rest
    assert "start 0.001  peak 0.001 (step 0)  min 0 (step 20)" in rest


def test_chart_of_a_staircase_has_its_levels_and_markers() -> None:
    spec = lrplot.spec_from_text(
        "scheduler: {type: multistep, milestones: [30, 60, 80], gamma: 0.5}"
    )
    curve = lrplot.simulate(spec)
    text = chart([curve], width=80)
    lines = text.splitlines()
    assert lines[0].startswith("   0.001 ┤") and lines[9].startswith("0.000125 ┤")
    assert lines[10].count("┴") == 3
    assert lines[-1].split() == ["0", "50", "99", "epoch"]
    # top row: lit from the start until the first milestone (30 of 100 steps), then dark
    cells = lines[0][len("   0.001 ┤") :]
    lit = [ch != "\u2800" for ch in cells]
    assert all(lit[: len(lit) * 29 // 100]) and not any(lit[len(lit) * 31 // 100 + 1 :])
    assert chart([curve], width=80, annotate=False).count("┴") == 0


def test_chart_log_scale_skips_zeros() -> None:
    spec = lrplot.spec_from_text("scheduler: {type: polynomial, total_iters: 80}")
    text = chart([lrplot.simulate(spec)], width=60, log_y=True)
    assert "┤" in text and " 0 ┤" not in text  # the bottom label is the smallest positive lr


def test_list_shows_every_scheduler_with_aliases_and_description() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    for info in TORCH.entries().values():
        line = next(line for line in result.stdout.splitlines() if f" {info.name} " in line + " ")
        for alias in info.aliases:
            assert alias in line
        assert info.summary and info.summary in line


def test_show_lists_arguments_with_types_defaults_and_torch_docs() -> None:
    result = runner.invoke(app, ["show", "cosine"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    doc = " ".join((inspect.getdoc(torch.optim.lr_scheduler.CosineAnnealingLR) or "").split())
    assert " ".join(doc.split()[:6]) in " ".join(out.split())
    signature = inspect.signature(torch.optim.lr_scheduler.CosineAnnealingLR)
    for name, param in signature.parameters.items():
        if name in ("optimizer", "last_epoch"):
            continue
        row = next(line for line in out.splitlines() if line.strip().startswith(name + " "))
        if param.default is inspect.Parameter.empty:
            assert "required" in row and "int" in row
        else:
            assert str(param.default) in row
    assert "Maximum number of iterations" in out


def test_show_unknown_name_is_a_one_line_error() -> None:
    result = runner.invoke(app, ["show", "cosin"])
    assert result.exit_code == 2
    assert result.stderr == "error: unknown scheduler 'cosin'; did you mean cosine?\n"


@pytest.mark.parametrize("name", list(registry.schedulers()))
def test_init_writes_a_config_that_loads_validates_and_renders(name: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", TORCH.entries()[name].command])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# {name}: ")
    config = tmp_path / "spec.yaml"
    config.write_text(result.stdout)
    spec = lrplot.load_spec(config)
    assert spec.curves[0].scheduler.type == name
    jsonschema.validate(load_bytes(result.stdout.encode(), "init").data, SCHEMA)
    curves = lrplot.render(spec, [tmp_path / "spec.csv"])
    assert len(curves[0]) == 100


def test_init_config_renders_a_figure_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(runner.invoke(app, ["init", "sequential"]).stdout)
    result = runner.invoke(app, ["render", str(tmp_path / "w.yaml"), "-d", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"


def _schema() -> dict[str, Any]:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    data: dict[str, Any] = json.loads(result.stdout)
    return data


SCHEMA = _schema()


def test_schema_is_valid_draft7() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    names = {
        alias
        for option in SCHEMA["definitions"]["scheduler"]["anyOf"]
        if "type" in option["properties"]  # recipes are keyed by `recipe:` instead
        for alias in option["properties"]["type"]["enum"]
    }
    assert set(registry.schedulers()) | set(ALIASES) <= names


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.stem)
def test_schema_accepts_every_example_config(config: Path) -> None:
    jsonschema.validate(load_bytes(config.read_bytes(), str(config)).data, SCHEMA)


@pytest.mark.parametrize(
    "text",
    [
        "scheduler: {type: cosine, T_maxx: 20}",
        "scheduler: {type: cosine}",  # T_max is required
        "scheduler: {type: cosinus, T_max: 20}",
        "epochs: ten\nscheduler: {type: cosine, T_max: 20}",
        "epochs: 0\nscheduler: {type: cosine, T_max: 20}",
        "scheduler: {type: multistep, milestones: 30}",
        "scheduler: {type: cyclic, base_lr: 0.1, max_lr: 1, mode: triangle3}",
        "plot: {dpi: 5}\nscheduler: {type: cosine, T_max: 20}",
        "title: x",  # neither scheduler nor curves
        "outputs: [a.gif]\nscheduler: {type: cosine, T_max: 20}",
    ],
)
def test_schema_rejects_broken_configs(text: str) -> None:
    data = load_bytes(text.encode(), "broken").data
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
    with pytest.raises(lrplot.LrplotError):  # and lrplot itself agrees
        lrplot.spec_from_mapping(data)


def test_simulate_reports_progress_every_65536_steps() -> None:
    spec = lrplot.spec_from_text("epochs: 70000\nscheduler: {type: cosine, T_max: 1000}")
    calls: list[tuple[int, int]] = []
    curve = lrplot.simulate(spec, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 70000), (65536, 70000), (70000, 70000)]
    assert len(curve) == 70000


def test_progress_bar_waits_a_second_and_needs_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = [100.0]
    bar = _Progress()
    bar._clock = lambda: now[0]
    bar._start = 100.0
    bar._enabled = True
    bar(0, 10)
    assert bar._bar is None  # under a second: nothing shown
    now[0] = 101.5
    bar(5, 10)
    assert bar._bar is not None and bar._bar.tasks[0].completed == 5
    bar(10, 10)
    assert bar._bar is None  # finished: cleared
    quiet = _Progress()  # pytest's stderr is not a terminal
    quiet._clock = lambda: now[0] + 10
    quiet(5, 10)
    assert quiet._bar is None


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    runnable = [b for b in blocks if "import lrplot" in b]
    assert len(runnable) >= 2
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    for block in runnable:
        exec(compile(block, "README.md", "exec"), {})  # our own documentation, run as written
    import matplotlib.pyplot as plt

    plt.close("all")
    assert (tmp_path / "out.png").is_file() and (tmp_path / "onecycle.png").is_file()


def test_overlaid_curves_are_named_under_the_chart() -> None:
    spec = lrplot.spec_from_text(
        "curves:\n  - {label: a, scheduler: {type: step, step_size: 30}}\n"
        "  - {label: b, scheduler: {type: cosine, T_max: 100}}\n"
    )
    text = chart(list(lrplot.simulate_figure(spec)), width=70)
    assert text.splitlines()[-1] == "2 lines overlaid: a, b"


def test_render_warnings_name_the_config(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text(
        "epochs: 100\nplot: {log_y: true}\nscheduler: {type: polynomial, total_iters: 80}\n"
    )
    result = runner.invoke(app, ["render", str(config), "-d", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"warning: {config}: log scale: 20 point(s) with lr <= 0 are not drawn" in result.stderr
