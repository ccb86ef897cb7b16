"""Batch rendering: byte-stable outputs, --check, skipping unchanged work, --jobs, progress."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot import batch
from lrplot.batch import MANIFEST_NAME, BatchOptions
from lrplot.batch import engine as batch_run
from lrplot.cli import app

runner = CliRunner()

COSINE = "# a\nscheduler: {type: cosine, T_max: 20}\nepochs: 20\n"
STEP = "# b\nscheduler: {type: step, step_size: 3}\nepochs: 12\n"
OVERLAY = """\
# StepLR vs cosine vs OneCycle
title: three schedules
epochs: 30
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
curves:
  - {label: step, scheduler: {type: step, step_size: 10, gamma: 0.5}}
  - {label: cosine, scheduler: {type: cosine, T_max: 30, eta_min: 1e-4}}
  - {label: onecycle, scheduler: {type: onecycle, max_lr: 0.2}}
"""


def _configs(folder: Path, **texts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under ``folder`` with its bytes and mtime (ns)."""
    if not folder.exists():
        return {}
    found: dict[str, tuple[bytes, int]] = {}
    for path in sorted(folder.rglob("*")):
        data = path.read_bytes() if path.is_file() else b"<dir>"
        found[str(path.relative_to(folder))] = (data, path.stat().st_mtime_ns)
    return found


def _render(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["render", *args, "--jobs", "1"])
    return result.exit_code, result.stderr


# -- deterministic bytes, across processes, environments and --jobs -----------------------------

HOSTILE_RC = """\
font.family: serif
font.size: 17
lines.linewidth: 6
axes.prop_cycle: cycler('color', ['r', 'g'])
svg.hashsalt: evil
svg.fonttype: none
savefig.dpi: 37
savefig.transparent: True
savefig.facecolor: red
figure.figsize: 3, 3
axes.formatter.use_locale: True
path.simplify_threshold: 0.9
pdf.compression: 0
pdf.fonttype: 3
axes.grid: False
"""


BROKEN = "title: '$\\frac{1}{$'\nscheduler: {type: cosine, T_max: 100}\n"  # fails while drawing


def _lrplot_in_subprocess(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    command = [sys.executable, "-m", "lrplot", "render", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return done.stderr


def test_same_configs_give_identical_bytes_across_processes_environments_and_jobs(
    tmp_path: Path,
) -> None:
    # As matplotlib's test_determinism.py: render in separate processes, compare the bytes.
    configs = _configs(tmp_path / "configs", overlay=OVERLAY, cosine=COSINE, broken=BROKEN)
    formats = ["--format", "png,svg,pdf,csv"]
    plain = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    plain.pop("MATPLOTLIBRC", None)
    hostile_dir = tmp_path / "hostile"
    hostile_dir.mkdir()
    (hostile_dir / "matplotlibrc").write_text(HOSTILE_RC)  # matplotlib reads ./matplotlibrc first
    (hostile_dir / "other.rc").write_text(HOSTILE_RC)
    hostile = dict(
        os.environ,
        SOURCE_DATE_EPOCH="86400",
        MATPLOTLIBRC=str(hostile_dir / "other.rc"),
        MPLBACKEND="svg",
        TZ="Asia/Tokyo",
        PYTHONHASHSEED="123",
    )
    first, second = tmp_path / "first", tmp_path / "second"
    serial = [str(configs), "-d", str(first), *formats, "-j", "1"]
    parallel = [str(configs), "-d", str(second), *formats, "-j", "2"]
    for stderr in (
        _lrplot_in_subprocess(serial, tmp_path, plain),
        _lrplot_in_subprocess(parallel, hostile_dir, hostile),
    ):
        # The broken config fails (in a worker process, with -j 2); the others still render.
        lines = stderr.splitlines()
        assert len(lines) == 2, stderr
        broken = configs / "broken.yaml"
        assert lines[0].startswith(f"error: {broken}: title (line 1): cannot draw the figure")
        assert lines[1] == "rendered 2, skipped 0, failed 1"
    names = sorted(p.name for p in first.iterdir() if p.name != MANIFEST_NAME)
    formats = ("csv", "pdf", "png", "svg")
    assert names == [f"{stem}.{f}" for stem in ("cosine", "overlay") for f in formats]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # The hostile rc did not leak in: pinned size and no dates.
    from matplotlib.image import imread

    assert imread(first / "overlay.png").shape[:2] == (900, 1600)
    assert b"CreationDate" not in (first / "cosine.pdf").read_bytes()
    assert b"<dc:date>" not in (first / "cosine.svg").read_bytes()
    assert (first / "overlay.csv").read_text().startswith("curve,step,epoch,lr,momentum\n")


# -- --check -----------------------------------------------------------------------------------


def test_check_passes_on_fresh_outputs_and_names_the_stale_one_after_an_edit(
    tmp_path: Path,
) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE, step=STEP)
    out = tmp_path / "out"
    assert _render(str(configs), "-d", str(out), "-f", "png,csv")[0] == 0
    code, err = _render(str(configs), "-d", str(out), "-f", "png,csv", "--check")
    assert code == 0, err
    assert err.strip() == "would render 0, up to date 2, failed 0"

    (configs / "cosine.yaml").write_text(COSINE.replace("T_max: 20", "T_max: 20, eta_min: 0.0001"))
    before = _snapshot(tmp_path)
    code, err = _render(str(configs), "-d", str(out), "-f", "png,csv", "--check")
    assert code == 1
    assert f"stale: {out / 'cosine.png'} (from {configs / 'cosine.yaml'})" in err
    assert f"stale: {out / 'cosine.csv'}" in err
    assert "step." not in err
    assert "would render 1, up to date 1, failed 0" in err
    assert _snapshot(tmp_path) == before  # wrote nothing, touched nothing


def test_check_compares_content_not_mtimes(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    out = tmp_path / "out"
    _render(str(configs), "-d", str(out), "-f", "csv")
    csv = out / "cosine.csv"
    os.utime(configs / "cosine.yaml", (2_000_000_000, 2_000_000_000))  # config "newer"
    assert _render(str(configs), "-d", str(out), "-f", "csv", "--check")[0] == 0
    # Same size, same mtime, one byte different: still stale.
    stat = csv.stat()
    data = bytearray(csv.read_bytes())
    data[-2] = ord("7") if data[-2] != ord("7") else ord("8")
    csv.write_bytes(bytes(data))
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code, err = _render(str(configs), "-d", str(out), "-f", "csv", "--check")
    assert code == 1 and f"stale: {csv}" in err


def test_check_ignores_the_manifest(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    out = tmp_path / "out"
    _render(str(configs), "-d", str(out), "-f", "csv")
    (out / MANIFEST_NAME).unlink()
    assert _render(str(configs), "-d", str(out), "-f", "csv", "--check")[0] == 0
    assert not (out / MANIFEST_NAME).exists()


def test_check_on_a_missing_folder_lists_every_output_and_creates_nothing(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    out = tmp_path / "out"
    code, err = _render(str(configs), "-d", str(out), "-f", "png,svg", "--check")
    assert code == 1
    assert f"missing: {out / 'cosine.png'}" in err and f"missing: {out / 'cosine.svg'}" in err
    assert not out.exists()


def test_check_with_a_bad_config_exits_2(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE, bad="scheduler: {type: cosine}\n")
    out = tmp_path / "out"
    _render(str(configs / "cosine.yaml"), "-d", str(out), "-f", "csv")
    code, err = _render(str(configs), "-d", str(out), "-f", "csv", "--check")
    assert code == 2
    assert "CosineAnnealingLR needs 'T_max'" in err
    assert "would render 0, up to date 1, failed 1" in err


# -- skipping unchanged work -------------------------------------------------------------------


def test_rerun_skips_up_to_date_configs_and_renders_only_what_changed(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE, step=STEP)
    out = tmp_path / "out"
    assert "rendered 2, skipped 0" in _render(str(configs), "-d", str(out), "-f", "png,csv")[1]
    step_png = out / "step.png"
    mtime = step_png.stat().st_mtime_ns

    assert "rendered 0, skipped 2" in _render(str(configs), "-d", str(out), "-f", "png,csv")[1]

    (configs / "cosine.yaml").write_text(COSINE.replace("epochs: 20", "epochs: 25"))
    assert "rendered 1, skipped 1" in _render(str(configs), "-d", str(out), "-f", "png,csv")[1]
    assert len((out / "cosine.csv").read_text().splitlines()) == 26
    assert step_png.stat().st_mtime_ns == mtime  # untouched

    step_png.unlink()  # deleting an output makes it stale
    assert "rendered 1, skipped 1" in _render(str(configs), "-d", str(out), "-f", "png,csv")[1]
    assert step_png.is_file()

    (out / "step.csv").write_text("edited by hand\n")  # so does editing one
    assert "rendered 1, skipped 1" in _render(str(configs), "-d", str(out), "-f", "png,csv")[1]
    assert (out / "step.csv").read_text().startswith("step,epoch,lr")

    # A new format is a missing output.
    assert "rendered 2, skipped 0" in _render(str(configs), "-d", str(out), "-f", "png,svg")[1]
    assert "rendered 2, skipped 0" in _render(str(configs), "-d", str(out), "--force")[1]


def test_figure_flags_are_part_of_what_is_up_to_date(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    out = tmp_path / "out"
    assert "rendered 1" in _render(str(configs), "-d", str(out))[1]
    assert "rendered 1" in _render(str(configs), "-d", str(out), "--x", "step")[1]
    assert "rendered 0" in _render(str(configs), "-d", str(out), "--x", "step")[1]
    code, err = _render(str(configs), "-d", str(out), "--check")
    assert code == 1 and f"stale: {out / 'cosine.png'}" in err


def test_editing_a_file_the_config_reads_makes_its_outputs_stale(tmp_path: Path) -> None:
    configs = _configs(
        tmp_path / "configs",
        replay="scheduler: {type: plateau, patience: 1}\nepochs: 4\n"
        "metric: {file: loss.csv, column: loss}\n",
    )
    (configs / "loss.csv").write_text("loss\n1\n1\n1\n1\n")
    out = tmp_path / "out"
    assert "rendered 1" in _render(str(configs), "-d", str(out), "-f", "csv")[1]
    assert "rendered 0" in _render(str(configs), "-d", str(out), "-f", "csv")[1]
    (configs / "loss.csv").write_text("loss\n1\n0.5\n0.25\n0.1\n")
    assert "rendered 1" in _render(str(configs), "-d", str(out), "-f", "csv")[1]
    rows = (out / "replay.csv").read_text().splitlines()
    assert [row.split(",")[2] for row in rows[1:]] == ["0.001"] * 4  # improving: never cut


def test_another_environment_makes_every_output_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    out = tmp_path / "out"
    options = BatchOptions(out_dir=out, formats=("csv",))
    assert batch.run(batch.collect([str(configs)]), options).rendered == 1
    assert batch.run(batch.collect([str(configs)]), options).rendered == 0
    real = batch.environment()
    monkeypatch.setattr(batch_run, "environment", lambda: {**real, "matplotlib": "9.9.9"})
    assert batch.run(batch.collect([str(configs)]), options).rendered == 1


def test_environment_names_versions_without_importing(tmp_path: Path) -> None:
    env = batch.environment()
    import matplotlib
    import numpy
    import torch

    assert env["torch"] == torch.__version__
    assert env["matplotlib"] == matplotlib.__version__
    assert env["numpy"] == numpy.__version__
    transformers = pytest.importorskip("transformers")
    assert env["transformers"] == transformers.__version__
    assert len(env["lrplot-source"]) == 64


def test_a_corrupt_manifest_means_render_again(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    out = tmp_path / "out"
    _render(str(configs), "-d", str(out), "-f", "csv")
    (out / MANIFEST_NAME).write_text("{not json")
    code, err = _render(str(configs), "-d", str(out), "-f", "csv")
    assert code == 0 and "rendered 1, skipped 0" in err


def test_up_to_date_run_imports_neither_torch_nor_matplotlib(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE, step=STEP, overlay=OVERLAY)
    out = tmp_path / "out"
    assert _render(str(configs), "-d", str(out), "-f", "png,svg,csv")[0] == 0
    probe = (
        "import sys\n"
        "from lrplot.cli import app\n"
        f"app(['render', {str(configs)!r}, '-d', {str(out)!r}, '-f', 'png,svg,csv'],"
        " standalone_mode=False)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('torch', 'matplotlib', 'numpy', 'PIL'))\n"
        "print('heavy:', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "rendered 0, skipped 3, failed 0" in done.stderr
    assert done.stdout.strip() == "heavy: []"
    imported = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "lrplot.batch" in imported
    assert not [m for m in imported if m.split(".")[0] in ("torch", "matplotlib")]


# -- failures, --jobs --------------------------------------------------------------------------


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", cosine=COSINE)
    result = runner.invoke(app, ["render", str(configs), "--jobs", "0"])
    assert result.exit_code == 2
    assert result.stderr == "error: --jobs: must be at least 1, got 0\n"


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    configs = _configs(tmp_path / "configs", a_broken=BROKEN, b=COSINE, c=STEP)
    out = tmp_path / "out"
    code, err = _render(str(configs), "-d", str(out), "-f", "csv,png", "--fail-fast")
    assert code == 2
    assert "rendered 0, skipped 2, failed 1" in err


# -- progress ----------------------------------------------------------------------------------


def test_quiet_when_not_on_a_terminal_or_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from lrplot.cli import progress as cli

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    assert isinstance(cli.reporter(), batch.QuietReporter)  # pytest's stderr is no TTY
    monkeypatch.setattr(sys, "stderr", Tty())
    assert isinstance(cli.reporter(), cli.BatchProgress)
    monkeypatch.setenv("CI", "true")
    assert isinstance(cli.reporter(), batch.QuietReporter)


def test_render_help_documents_defaults_and_exit_codes() -> None:
    result = runner.invoke(app, ["render", "--help"], terminal_width=200)
    text = " ".join(result.stdout.split())
    for expected in (
        "[default: .]",
        "[default: png]",
        "[default: number of CPUs, at most one per 4 configs to render]",
        "0 ok",
        "1 --check found missing or stale outputs",
        "2 bad input or a failed render",
        ".lrplot-manifest.json",
    ):
        assert expected in text, expected


# -- the documented CI recipes -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    _configs(project / "configs", cosine=COSINE)
    monkeypatch.chdir(project)
    return project


class _Done:
    def __init__(self, returncode: int, stderr: str) -> None:
        self.returncode, self.stderr = returncode, stderr


def _run(argv: list[str]) -> _Done:
    """Run a documented `lrplot ...` command line (in this process, to spare a torch import)."""
    assert argv[0] == "lrplot"
    result = runner.invoke(app, argv[1:])
    return _Done(result.exit_code, result.stderr)


def test_the_readme_github_actions_step_checks_the_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import shlex

    import yaml

    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    workflow = yaml.safe_load(next(b for b in blocks if "actions/checkout" in b))
    steps = workflow["jobs"]["figures"]["steps"]
    command = shlex.split(next(s["run"] for s in steps if "lrplot render" in s.get("run", "")))
    assert "--check" in command
    project = _project(tmp_path, monkeypatch)
    render = [arg for arg in command if arg != "--check"]
    assert _run(render).returncode == 0
    done = _run(command)
    assert done.returncode == 0, done.stderr
    (project / "configs" / "cosine.yaml").write_text(COSINE.replace("20", "30"))
    done = _run(command)
    assert done.returncode == 1
    assert "stale: docs/figures/cosine.png (from configs/cosine.yaml)" in done.stderr


def test_the_pre_commit_hook_renders_the_changed_configs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import shlex

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "lrplot-render" and hook["require_serial"] is True
    project = _project(tmp_path, monkeypatch)
    changed = ["configs/cosine.yaml", "README.md", ".github/workflows/ci.yml"]
    # pre-commit passes the staged files that match `files` after the entry and args.
    files = [name for name in changed if re.search(hook["files"], name)]
    assert files == ["configs/cosine.yaml"]
    argv = [*shlex.split(hook["entry"]), *hook["args"], *files]
    done = _run(argv)
    assert done.returncode == 0, done.stderr
    figures = project / "docs" / "figures"
    assert sorted(p.name for p in figures.iterdir() if p.name != MANIFEST_NAME) == [
        "cosine.png",
        "cosine.svg",
    ]
    assert "rendered 0, skipped 1, failed 0" in _run(argv).stderr


def test_gallery_shows_each_figure_beside_its_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrplot import gallery

    project = _project(tmp_path, monkeypatch)
    (project / "configs" / "overlay.yaml").write_text(OVERLAY)
    (project / "configs" / "named.yaml").write_text(
        "# c\noutputs: [sub/n.csv, sub/n.svg]\nscheduler: {type: cosine, T_max: 10}\n"
    )
    docs = project / "docs"
    docs.mkdir()
    page = docs / "gallery.md"
    argv = ["configs", "--figures", "docs/figures", "--out", "docs/gallery.md"]
    assert gallery.main([*argv, "--check"]) == 1
    assert not page.exists()
    assert gallery.main(argv) == 0
    assert gallery.main([*argv, "--check"]) == 0
    text = page.read_text()
    assert "[`cosine.yaml`](../configs/cosine.yaml)" in text
    assert COSINE.strip() in text and OVERLAY.strip() in text
    assert '<img src="figures/cosine.png"' in text
    assert '<img src="figures/sub/n.svg"' in text
    assert text.index("## cosine") < text.index("## named") < text.index("## overlay")


@pytest.mark.skipif(sys.platform != "linux", reason="the forkserver is Linux's")
def test_workers_fork_from_a_warm_server_and_keep_none_of_the_parents_matplotlib_state(
    tmp_path: Path,
) -> None:
    import matplotlib

    from lrplot.batch import lifeline, work

    context, initializer = work._pool_context()
    # no import per worker: the initializer only ties the worker's life to the forkserver's
    assert context.get_start_method() == "forkserver" and initializer is lifeline.die_with_parent
    configs = _configs(tmp_path / "configs", overlay=OVERLAY, cosine=COSINE)
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        options = BatchOptions(out_dir=out, formats=("png", "svg"), jobs=jobs)
        with matplotlib.rc_context({"lines.linewidth": 9.0, "svg.hashsalt": "parent"}):
            assert batch.run(batch.collect([str(configs)]), options).rendered == 2
        outputs[jobs] = {p.name: p.read_bytes() for p in out.glob("*.*") if p.name != MANIFEST_NAME}
    assert outputs[1] == outputs[2] and len(outputs[1]) == 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the forkserver is Linux's")
def test_an_explicit_jobs_n_starts_the_forkserver_before_planning() -> None:
    # --jobs 2 starts the warm forkserver before the configs are read, so its imports overlap
    # the planning; auto jobs (None), one job or one config start nothing.
    probe = (
        "import sys\n"
        "from multiprocessing import forkserver\n"
        "from lrplot.batch.work import start_workers_early\n"
        "args = [(None, 10), (1, 10), (2, 1), (2, 3)][int(sys.argv[1])]\n"
        "start_workers_early(*args)\n"
        "print(forkserver._forkserver._forkserver_pid is not None)\n"
    )
    started = [
        subprocess.run(
            [sys.executable, "-c", probe, str(case)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for case in range(4)
    ]
    assert started == ["False", "False", "False", "True"]
