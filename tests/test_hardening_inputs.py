"""Issue 17, the config side: a config from a pull request reads nothing through its style, and
every value that would abort or hang a render is a clean, located error.

Each case goes through the command line and asserts the contract of ``tests/test_bad_inputs.py``:
the message (file, key path, line), exit code 2, no traceback, and the folder as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD
from test_bad_inputs import assert_clean_failure, render_config
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app

runner = CliRunner()
HUGE = "1" * 400
ROOT = Path(lrplot.__file__).resolve().parent.parent  # the lrplot under test, for subprocesses


def render_fails(workspace: Path, text: str, *extra: str) -> str:
    """Render ``c.yaml`` holding ``text``: it must fail cleanly and change nothing."""
    return render_config(workspace, text, *extra)[0].output


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m lrplot ARGS`` in ``cwd`` (which ``-m`` puts first on sys.path)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "lrplot", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- plot.style: built-in names and sheets in the config's folder, read by lrplot ---------------


@pytest.mark.parametrize(
    ("style", "message"),
    [
        ("/proc/self/environ", "'/proc/self/environ' is absolute"),
        ("../x.mplstyle", "'../x.mplstyle' contains '..'"),
        ("~/x.mplstyle", "'~/x.mplstyle' is absolute"),
        ("'http://127.0.0.1:9/x.mplstyle'", "'http://127.0.0.1:9/x.mplstyle' is a URL; lrplot"),
        ("environ", "unknown built-in matplotlib style 'environ'"),
        ("ggplott", "unknown built-in matplotlib style 'ggplott'; did you mean ggplot?"),
        ("x.yaml", "'x.yaml' would import a package"),
    ],
)
def test_a_configs_style_cannot_leave_its_folder(workspace: Path, style: str, message: str) -> None:
    (workspace.parent / "x.mplstyle").write_text("axes.grid: True\n")
    output = render_fails(workspace, GOOD + f"plot: {{style: {style}}}\n")
    assert "c.yaml: plot.style (line 3): " in output
    assert message in output


def test_a_configs_style_cannot_read_an_absolute_file(workspace: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.mplstyle"
    secret.write_text("axes.grid: True\n")
    output = render_fails(workspace, GOOD + f"plot: {{style: '{secret}'}}\n")
    assert f"plot.style (line 3): '{secret}' is absolute" in output


def test_a_style_symlink_that_leads_out_is_refused(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.mplstyle"
    outside.write_text("axes.grid: True\n")
    (workspace / "link.mplstyle").symlink_to(outside)
    output = render_fails(workspace, GOOD + "plot: {style: link.mplstyle}\n")
    assert "plot.style (line 3): 'link.mplstyle' leads outside the config's folder" in output


def _evil_package(folder: Path) -> Path:
    """A package whose import writes a marker: proof that it ran."""
    marker = folder / "IMPORTED"
    (folder / "evilpkg").mkdir()
    (folder / "evilpkg" / "__init__.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    )
    (folder / "evilpkg" / "x.mplstyle").write_text("axes.grid: True\n")
    return marker


def test_a_configs_package_style_is_never_imported(tmp_path: Path) -> None:
    marker = _evil_package(tmp_path)
    (tmp_path / "c.yaml").write_text(GOOD + "plot: {style: evilpkg.x}\n")
    # `python -m lrplot` in the folder puts evilpkg on sys.path; --allow-import is for import:
    result = run(["render", "c.yaml", "-d", "out", "--allow-import", "evilpkg"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "c.yaml: plot.style (line 3): 'evilpkg.x' would import a package" in result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists(), "the config imported a module"
    assert not (tmp_path / "out").exists()


def test_a_package_style_on_the_command_line_needs_allow_import(tmp_path: Path) -> None:
    marker = _evil_package(tmp_path)
    (tmp_path / "c.yaml").write_text(GOOD)
    refused = run(["render", "c.yaml", "-d", "out", "--style", "evilpkg.x"], tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "--style: 'evilpkg.x' would import the package 'evilpkg'" in refused.stderr
    assert "allow it with --allow-import evilpkg" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not marker.exists()
    allowed = ["render", "c.yaml", "-d", "out", "--style", "evilpkg.x", "--allow-import", "evilpkg"]
    assert run(allowed, tmp_path).returncode == 0
    assert marker.exists()  # the user allowed it


def test_a_url_style_is_refused_on_the_command_line(workspace: Path) -> None:
    url = "http://127.0.0.1:9/x.mplstyle"
    output = render_fails(workspace, GOOD, "--style", url)
    assert f"--style: '{url}' is a URL; lrplot does not fetch style sheets" in output


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        ("axes.grid: True\nbackend: agg\n", "bad.mplstyle, line 2: 'backend' may not be set"),
        ("figure.hooks: evilpkg:x\n", "bad.mplstyle, line 1: 'figure.hooks' may not be set"),
        ("text.usetex: True\n", "bad.mplstyle, line 1: 'text.usetex' may not be set"),
        ("savefig.directory: /etc\n", "bad.mplstyle, line 1: 'savefig.directory' may not be set"),
        ("figure.dpi: 5000\n", "bad.mplstyle, line 1: 'figure.dpi' may not be set"),
        ("axes.gird: True\n", "bad.mplstyle, line 1: unknown rc key 'axes.gird'; did you mean"),
        ("axes.linewidth: fat\n", "bad.mplstyle, line 1: 'axes.linewidth': "),
        ("just words\n", "bad.mplstyle, line 1: must be 'key: value', got 'just words'"),
        ("#" * 70_000, "bad.mplstyle: is larger than 64000 bytes"),
    ],
)
def test_a_bad_style_sheet_names_its_file_line_and_key(
    workspace: Path, sheet: str, message: str
) -> None:
    (workspace / "bad.mplstyle").write_text(sheet)
    output = render_fails(workspace, GOOD + "plot: {style: bad.mplstyle}\n")
    assert f"c.yaml: plot.style (line 3): {message}" in output


def test_a_style_sheet_in_the_configs_folder_is_applied(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "mine.mplstyle").write_text("axes.facecolor: '#123456'  # a comment\n")
    (folder / "c.yaml").write_text(GOOD + "plot: {style: mine.mplstyle}\n")
    # run from elsewhere: the sheet is found beside the config, not in the current folder
    result = run(["render", "configs/c.yaml", "-d", "out", "-f", "svg"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "#123456" in (tmp_path / "out" / "c.svg").read_text()


@pytest.mark.parametrize("style", ["ggplot", "default", "classic"])
def test_built_in_styles_render(tmp_path: Path, style: str) -> None:
    """ggplot's and default's titles have named sizes (x-large), which used to crash."""
    (tmp_path / "c.yaml").write_text(GOOD + f"plot: {{style: {style}}}\n")
    result = runner.invoke(app, ["render", str(tmp_path / "c.yaml"), "-d", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.png").exists()


# -- the environment ---------------------------------------------------------------------------


def test_an_invalid_mplbackend_does_not_break_a_render(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(GOOD)
    result = run(["render", "c.yaml", "-d", "out"], tmp_path, MPLBACKEND="nonsense")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "c.png").exists()


# -- integers too large for a float ------------------------------------------------------------


HUGE_SITES = [
    ("optimizer: {lr: N}\n" + GOOD, "optimizer.lr (line 1)"),
    ("epochs: 10\nscheduler: {type: cosine, T_max: 10, eta_min: N}\n",
     "scheduler.eta_min (line 2)"),
    (GOOD + "plot: {size: [N, 3]}\n", "plot.size (line 3)"),
    (GOOD + "plot: {size: 'Nx3'}\n", "plot.size (line 3)"),
    (GOOD + "plot: {xlim: [0, N]}\n", "plot.xlim (line 3)"),
    (GOOD + "plot: {dpi: N}\n", "plot.dpi (line 3)"),
    (GOOD + "plot: {x: samples, samples_per_step: N}\n", "plot.samples_per_step (line 3)"),
    ("epochs: 3\nscheduler: {type: plateau}\nmetric: {values: [1, N, 3]}\n", "metric.values[1]"),
    ("epochs: 3\nscheduler: {type: plateau}\nmetric: {profile: plateau, flat_from: N}\n",
     "metric.flat_from (line 3)"),
    ("epochs: 3\nscheduler: {type: plateau}\nmetric: {profile: exp-decay, start: N}\n",
     "metric.start (line 3)"),
    ("epochs: 3\nscheduler: {type: plateau}\nmetric: {seed: N}\n", "metric.seed (line 3)"),
    ("epochs: 10\nscheduler: {recipe: cosine, num_training_steps: N}\n",
     "scheduler.num_training_steps (line 2)"),
    ("epochs: 10\nscheduler: {recipe: cosine, num_training_steps: 10, num_cycles: N}\n",
     "scheduler.num_cycles (line 2)"),
    ("epochs: 3\nscheduler: {type: multistep, milestones: [1, N]}\n",
     "scheduler.milestones[1] (line 2)"),
    ("epochs: N\nscheduler: {type: exponential, gamma: 0.9}\n", "epochs (line 1)"),
    ("steps_per_epoch: N\n" + GOOD, "steps_per_epoch (line 1)"),
    ("epochs: 10\ndata: {dataset_size: N, batch_size: 4}\nscheduler: {type: exponential}\n",
     "data.dataset_size (line 2)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "where"), HUGE_SITES)
def test_a_huge_integer_is_a_located_error_and_the_batch_goes_on(
    tmp_path: Path, text: str, where: str
) -> None:
    (tmp_path / "a-bad.yaml").write_text(text.replace("N", HUGE))
    (tmp_path / "b-good.yaml").write_text(GOOD)
    result = runner.invoke(app, ["render", str(tmp_path), "-d", str(tmp_path / "out")])
    assert_clean_failure(result)
    assert f"a-bad.yaml: {where}" in result.output
    assert "rendered 1, skipped 0, failed 1" in result.output
    assert (tmp_path / "out" / "b-good.png").exists()
    assert "1" * 31 not in result.output, "a 400-digit number printed in full"
    said = ("is too large: an integer of 400 digits", "1111111111…(400 digits)")
    assert any(text in result.output for text in said), result.output
    assert not (tmp_path / "out" / "a-bad.png").exists()


def test_numbers_in_messages_are_clipped(workspace: Path) -> None:
    output = render_fails(workspace, GOOD + f"plot: {{dpi: {HUGE}}}\n")
    assert "plot.dpi (line 3): must be between 10 and 600, got 1111111111…(400 digits)" in output


# -- the run's length: the key that overflows is the one blamed ---------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "epochs: 10\nsteps_per_epoch: 10000000\n",
            "steps_per_epoch (line 2): 10 epochs x 10000000 steps per epoch is 100000000 steps, "
            "more than the limit of 20000000 (with epochs at line 1)",
        ),
        ("steps_per_epoch: 1000000\n", "steps_per_epoch (line 1): 100 epochs x 1000000 steps"),
        (
            "epochs: 10000000\nsteps_per_epoch: 10\n",
            "epochs (line 1): 10000000 epochs x 10 steps per epoch is 100000000 steps, more than "
            "the limit of 20000000 (with steps_per_epoch at line 2)",
        ),
        (
            "epochs: 10\ndata: {dataset_size: 100000000000, batch_size: 1}\n",
            "data (line 2): 10 epochs x 100000000000 steps per epoch",
        ),
    ],
)
def test_a_step_overflow_blames_the_key_that_makes_it(
    workspace: Path, text: str, message: str
) -> None:
    output = render_fails(workspace, text + "scheduler: {type: exponential, gamma: 0.9}\n")
    assert f"c.yaml: {message}" in output


# -- caps on the work of one config ------------------------------------------------------------


EXPONENTIAL = "scheduler: {type: exponential, gamma: 0.999}\n"


def _chained(count: int) -> str:
    inner = ", ".join(["{type: exponential, gamma: 0.99}"] * count)
    return f"{{type: chained, schedulers: [{inner}]}}"


def _nested(depth: int) -> str:
    spec = "{type: exponential, gamma: 0.99}"
    for _ in range(depth - 1):
        spec = f"{{type: chained, schedulers: [{spec}]}}"
    return spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"epochs: 5000\nsteps_per_epoch: 100\nscheduler: {_chained(99)}\n",
            "scheduler (line 3): 500000 steps x 99 schedulers stepped together is 49500000 "
            "scheduler steps, more than the limit of 40000000",
        ),
        (
            f"epochs: 2\nscheduler: {_chained(100)}\n",
            "scheduler (line 2): has 101 schedulers in all, more than 100",
        ),
        (
            f"epochs: 2\nscheduler: {_nested(6)}\n",
            "scheduler (line 2): nests schedulers 6 levels deep, more than 5",
        ),
        (
            "epochs: 50000\noptimizer: {type: LBFGS, max_iter: 1000}\n" + EXPONENTIAL,
            "optimizer.max_iter (line 2): LBFGS runs up to 1000 iterations a step: 50000 steps x "
            "1000 is more than the limit of 40000000",
        ),
        (
            "epochs: 50000\noptimizer: {type: LBFGS, max_iter: 5000, max_eval: 1000}\n"
            + EXPONENTIAL,
            "optimizer.max_eval (line 2): LBFGS runs up to 1000 iterations a step",
        ),
    ],
)
def test_work_per_config_is_capped(workspace: Path, text: str, message: str) -> None:
    output = render_fails(workspace, text)
    assert f"c.yaml: {message}" in output


def test_an_automatic_title_is_clipped(tmp_path: Path) -> None:
    curves = "".join(
        f"  - {{label: curve-{i}-{'x' * 40}, scheduler: {{type: exponential, gamma: 0.9}}}}\n"
        for i in range(30)
    )
    (tmp_path / "c.yaml").write_text("epochs: 5\ncurves:\n" + curves)
    result = runner.invoke(
        app, ["render", str(tmp_path / "c.yaml"), "-d", str(tmp_path), "-f", "svg"]
    )
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "c.svg").read_text()
    title = svg.split("<title>", 1)[1].split("</title>", 1)[0]
    assert len(title) <= 200 and title.endswith("…"), title
    assert title.startswith("curve-0-xxx")


@pytest.mark.parametrize(
    ("plot", "message"),
    [
        ("{size: 0.0001x0.0001}", "plot.size (line 3): width and height must be in [1, 50] inches"),
        ("{size: 30x30}", "plot.size (line 3): a 30x30 inch figure at 250 dpi is 56,250,000"),
        ("{size: 48x48}", "plot.size (line 3): a 48x48 inch figure at 250 dpi is over 8192 pixels"),
        ("{size: 40x40, dpi: 300}", "plot.dpi (line 3): a 40x40 inch figure at 300 dpi is over"),
    ],
)  # fmt: skip
def test_the_canvas_is_capped(workspace: Path, plot: str, message: str) -> None:
    output = render_fails(workspace, GOOD + f"plot: {plot}\n")
    assert f"c.yaml: {message}" in output


def test_the_canvas_cap_holds_on_the_command_line(workspace: Path) -> None:
    output = render_fails(workspace, GOOD, "--size", "30x30")
    assert "a 30x30 inch figure at 250 dpi is 56,250,000 pixels, more than 40,000,000" in output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (".csv", "is only an extension; name the file, such as lr.csv"),
        ("figs/.png", "is only an extension; name the file, such as lr.png"),
        (
            ".lrplot-manifest.json/x.csv",
            "'.lrplot-manifest.json' is a name lrplot keeps for its own files",
        ),
        (".LRPLOT-manifest.json", "is a name lrplot keeps for its own files"),
        ("a/.x.csv.k2j3h4.tmp/y.csv", "'.x.csv.k2j3h4.tmp' is a name lrplot keeps"),
    ],
)
def test_reserved_and_empty_output_names_are_refused(
    workspace: Path, name: str, message: str
) -> None:
    output = render_fails(workspace, GOOD + f"outputs: ['{name}']\n")
    assert f"c.yaml: outputs[0] (line 3): '{name}'" in output
    assert message in output


def test_the_manifest_covers_a_style_sheet_and_opens_nothing_else(tmp_path: Path) -> None:
    """The sheet's settings are in the inputs hash (an edit makes the output stale); a file of
    the same name in the current folder (here a FIFO, which would block a reader) is not read."""
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "mine.mplstyle").write_text("axes.grid: True\n")
    (folder / "c.yaml").write_text(GOOD + "plot: {style: mine.mplstyle}\n")
    os.mkfifo(tmp_path / "mine.mplstyle")
    render = ["render", "configs/c.yaml", "-d", "out", "-f", "svg"]
    assert run(render, tmp_path).returncode == 0
    assert run([*render, "--check"], tmp_path).returncode == 0
    (folder / "mine.mplstyle").write_text("axes.grid: False\n")
    stale = run([*render, "--check"], tmp_path)
    assert stale.returncode == 1, stale.stderr
    assert "Traceback" not in stale.stderr
