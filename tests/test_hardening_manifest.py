"""Issue 17, the manifest and `render --check`: a hostile manifest is a reason to render again,
never to stop; `render` and `render --check` agree; --check compares in chunks; stale temp
files and orphans are reported (and removed by `render` / `render --prune`); two renders into
one folder keep each other's manifest entries.

Every case goes through the command line and asserts the exit code, the message and that no
traceback was printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

import lrplot
from lrplot.batch import MANIFEST_NAME
from lrplot.batch import engine as batch_run
from lrplot.cli import app

runner = CliRunner()
ROOT = Path(lrplot.__file__).parent.parent
COSINE = "scheduler: {type: cosine, T_max: 20}\nepochs: 20\n"
STEP = "scheduler: {type: step, step_size: 3}\nepochs: 12\n"


def render(*args: str | Path) -> Result:
    result = runner.invoke(app, ["render", *map(str, args), "--jobs", "1"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """lrplot render in a process of its own (a hang shows as a timeout, not a stuck suite)."""
    command = [sys.executable, "-m", "lrplot", "render", *map(str, args), "--jobs", "1"]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", **(env or {})}
    done = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    return done


def configs(folder: Path, **texts: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(text)
    return [folder / f"{name}.yaml" for name in texts]


def manifest(out: Path) -> dict[str, dict[str, str]]:
    return json.loads((out / MANIFEST_NAME).read_text())["outputs"]


# -- 1. a hostile manifest: render again, never stop, never follow it out --------------------


def _nested(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000)


def _huge(path: Path) -> None:
    with path.open("w") as stream:
        stream.write('{"manifest": 3, "outputs": {}, "pad": "')
        stream.write("x" * (65 * 2**20))
        stream.write('"}')


def _wrong_types(path: Path) -> None:
    path.write_text('{"manifest": 3, "outputs": [["c.csv", {"inputs": 1}]]}')


def _corrupt(path: Path) -> None:
    path.write_text("{not json")


def _folder(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_corrupt, "not valid JSON"),
        (_wrong_types, "no `outputs` mapping"),
        (_nested, "nested too deep"),
        (_huge, "larger than 64 MiB"),
        (_folder, "not a regular file"),
    ],
)
def test_a_hostile_manifest_means_render_again(tmp_path: Path, make: object, why: str) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    out.mkdir()
    assert callable(make)
    make(out / MANIFEST_NAME)
    result = render(config, "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert f"note: {out / MANIFEST_NAME}: ignored ({why}); its outputs render again" in (
        result.stderr
    )
    assert "rendered 1, skipped 0, failed 0" in result.stderr
    assert render(config, "-d", out, "-f", "csv", "--check").exit_code == 0


def test_a_manifest_that_is_a_fifo_neither_hangs_render_nor_is_written_through(
    tmp_path: Path,
) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / MANIFEST_NAME)
    done = cli(config, "-d", out, "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert "ignored (not a regular file)" in done.stderr
    assert (out / MANIFEST_NAME).is_file()  # replaced, not opened
    assert "c.csv" in manifest(out)
    assert cli(config, "-d", out, "-f", "csv", "--check").returncode == 0


def test_a_manifest_symlinked_out_of_the_folder_is_neither_read_nor_written(
    tmp_path: Path,
) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    first, out = tmp_path / "first", tmp_path / "out"
    assert render(config, "-d", first, "-f", "csv").exit_code == 0
    outside = tmp_path / "outside.json"  # a manifest that would vouch for out/c.csv
    outside.write_bytes((first / MANIFEST_NAME).read_bytes())
    before = outside.read_bytes()
    out.mkdir()
    (out / "c.csv").write_bytes((first / "c.csv").read_bytes())
    (out / MANIFEST_NAME).symlink_to(outside)
    result = render(config, "-d", out, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "ignored (not a regular file)" in result.stderr
    assert "rendered 1, skipped 0" in result.stderr
    assert outside.read_bytes() == before
    assert not (out / MANIFEST_NAME).is_symlink()


def test_prune_ignores_manifest_keys_with_dotdot_or_absolute(tmp_path: Path) -> None:
    import hashlib

    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    assert render(config, "-d", out, "-f", "csv").exit_code == 0
    victim = tmp_path / "victim.csv"
    victim.write_text("a user's file\n")
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()  # it would match
    data = json.loads((out / MANIFEST_NAME).read_text())
    entry = {**data["outputs"]["c.csv"], "config": "gone.yaml", "sha256": digest}
    for key in ("../victim.csv", str(victim), "x/../../victim.csv"):
        data["outputs"][key] = entry
    (out / MANIFEST_NAME).write_text(json.dumps(data))
    check = render(config, "-d", out, "-f", "csv", "--check")
    assert check.exit_code == 0 and "orphan" not in check.stderr, check.stderr
    result = render(config, "-d", out, "-f", "csv", "--prune")
    assert result.exit_code == 0, result.output
    assert "rendered 0, skipped 1, failed 0\n" in result.stderr
    assert victim.read_text() == "a user's file\n"


# -- 2. render and --check agree -------------------------------------------------------------


def test_an_svg_is_the_same_with_or_without_a_png(tmp_path: Path) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    assert render(config, "-d", tmp_path / "alone", "-f", "svg").exit_code == 0
    assert render(config, "-d", tmp_path / "both", "-f", "png,svg").exit_code == 0
    assert (tmp_path / "alone/c.svg").read_bytes() == (tmp_path / "both/c.svg").read_bytes()


@pytest.mark.parametrize("deleted", ["c.svg", "c-dark.svg"])
def test_render_after_a_deletion_then_check_agree(tmp_path: Path, deleted: str) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    flags = ("-d", out, "-f", "png,svg", "--theme", "both")
    assert render(config, *flags).exit_code == 0
    (out / deleted).unlink()
    assert render(config, *flags).exit_code == 0
    check = render(config, *flags, "--check")
    assert check.exit_code == 0, check.stderr
    assert "would render 0, up to date 1, failed 0" in check.stderr


def test_a_user_style_library_is_part_of_the_environment(tmp_path: Path) -> None:
    """A user's stylelib can redefine a built-in style name: the manifest must notice."""
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    mpl = tmp_path / "mplconfig"
    (mpl / "stylelib").mkdir(parents=True)
    sheet = mpl / "stylelib" / "fast.mplstyle"
    sheet.write_text("lines.linewidth: 1\n")
    env = {"MPLCONFIGDIR": str(mpl)}
    flags = (config, "-d", out, "-f", "svg", "--style", "fast")
    assert cli(*flags, env=env).returncode == 0
    sheet.write_text("lines.linewidth: 7\n")
    check = cli(*flags, "--check", env=env)
    assert check.returncode == 1 and f"stale: {out / 'c.svg'}" in check.stderr
    again = cli(*flags, env=env)
    assert again.returncode == 0 and "rendered 1, skipped 0" in again.stderr, again.stderr
    assert cli(*flags, "--check", env=env).returncode == 0


def test_an_output_replaced_by_a_symlink_is_stale_for_both(tmp_path: Path) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    assert render(config, "-d", out, "-f", "csv").exit_code == 0
    copy = tmp_path / "copy.csv"
    copy.write_bytes((out / "c.csv").read_bytes())
    (out / "c.csv").unlink()
    (out / "c.csv").symlink_to(copy)
    check = render(config, "-d", out, "-f", "csv", "--check")
    assert check.exit_code == 1 and f"stale: {out / 'c.csv'}" in check.stderr
    assert "rendered 1" in render(config, "-d", out, "-f", "csv").stderr
    assert not (out / "c.csv").is_symlink()
    assert render(config, "-d", out, "-f", "csv", "--check").exit_code == 0


# -- 3. memory: --check and render hash and compare in chunks --------------------------------


def _peak(*args: str | Path) -> int:
    tracemalloc.start()
    try:
        result = render(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    return peak


def _extra(tmp_path: Path, epochs: int) -> tuple[int, int, int]:
    """The CSV's size, and what --check and a render need beyond the simulation itself."""
    from lrplot.config import load_spec
    from lrplot.simulate import simulate_figure

    text = f"epochs: {epochs}\nsteps_per_epoch: 1000\nscheduler: {{type: constant}}\n"
    (config,) = configs(tmp_path / f"cfg{epochs}", big=text)
    out = tmp_path / f"out{epochs}"
    assert render(config, "-d", out, "-f", "csv").exit_code == 0
    tracemalloc.start()
    simulate_figure(load_spec(config))
    _, simulating = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    checking = _peak(config, "-d", out, "-f", "csv", "--check")
    rendering = _peak(config, "-d", out, "-f", "csv", "--force")
    return (out / "big.csv").stat().st_size, checking - simulating, rendering - simulating


def test_check_and_render_memory_does_not_grow_with_the_output(tmp_path: Path) -> None:
    small, check_small, render_small = _extra(tmp_path, 100)
    large, check_large, render_large = _extra(tmp_path, 400)
    assert large - small > 6_000_000
    # Reading a whole output (main: the file and the rendered bytes) would add 1-2x the growth.
    assert check_large - check_small < (large - small) / 4
    assert render_large - render_small < (large - small) / 4


# -- 4. stale temp files ---------------------------------------------------------------------


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_stale_temp_files_are_reported_by_check_and_removed_by_render(tmp_path: Path) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    assert render(config, "-d", out, "-f", "csv").exit_code == 0
    killed = out / f".c.csv.{_dead_pid()}.k3x_9abc.tmp"  # its writer is gone
    old = out / ".c.csv.abcd1234.tmp"  # an older lrplot's, two hours old
    young = out / ".c.csv.zzzz9999.tmp"  # maybe a live writer's: kept
    live = out / f".c.csv.{os.getpid()}.abcdefgh.tmp"  # a live writer's: kept
    mine = out / ".notes.abcd1234.tmp"  # not a name lrplot writes here: kept
    for path in (killed, old, young, live, mine):
        path.write_text("partial")
    hours_ago = time.time() - 7200
    for path in (old, mine):
        os.utime(path, (hours_ago, hours_ago))
    check = render(config, "-d", out, "-f", "csv", "--check")
    assert check.exit_code == 1, check.stderr
    found = [line for line in check.stderr.splitlines() if line.startswith("stale temp file:")]
    assert sorted(found) == sorted([f"stale temp file: {old}", f"stale temp file: {killed}"])
    assert "stale temp files 2" in check.stderr
    result = render(config, "-d", out, "-f", "csv")
    assert result.exit_code == 0
    assert f"note: removed a stale temp file: {killed}" in result.stderr
    assert not killed.exists() and not old.exists()
    assert young.exists() and live.exists() and mine.exists()
    young.unlink()
    live.unlink()
    assert render(config, "-d", out, "-f", "csv", "--check").exit_code == 0


def test_a_kill_during_a_large_write_is_repaired(tmp_path: Path) -> None:
    (config,) = configs(
        tmp_path / "cfg", big="epochs: 1000\nsteps_per_epoch: 1000\nscheduler: {type: constant}\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "lrplot", "render", str(config), "-d", str(out), "-f", "csv"]
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen(command, env=environ, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(".big.csv.*.tmp")) and writer.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
    finally:
        writer.kill()
        writer.wait()
    temps = list(out.glob(".big.csv.*.tmp"))
    assert len(temps) == 1, "the render finished before it could be killed"
    check = cli(config, "-d", out, "-f", "csv", "--check")
    assert check.returncode == 1
    assert f"stale temp file: {temps[0]}" in check.stderr
    assert f"missing: {out / 'big.csv'}" in check.stderr
    assert cli(config, "-d", out, "-f", "csv").returncode == 0
    assert not temps[0].exists()
    assert cli(config, "-d", out, "-f", "csv", "--check").returncode == 0


# -- 5. two renders into one folder at once ---------------------------------------------------


def test_two_concurrent_renders_keep_both_manifest_entries(tmp_path: Path) -> None:
    a, b = configs(tmp_path / "cfg", a=COSINE, b=STEP)
    out = tmp_path / "out"
    out.mkdir()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    base = [sys.executable, "-m", "lrplot", "render", "-d", str(out), "-f", "csv,svg"]
    runs = [
        subprocess.Popen([*base, str(c)], env=environ, stderr=subprocess.PIPE, text=True)
        for c in (a, b)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0 and "Traceback" not in err, err
    assert sorted(manifest(out)) == ["a.csv", "a.svg", "b.csv", "b.svg"]
    check = cli(a, b, "-d", out, "-f", "csv,svg", "--check")
    assert check.returncode == 0, check.stderr
    again = cli(a, b, "-d", out, "-f", "csv,svg")
    assert "rendered 0, skipped 2" in again.stderr


# -- 6. orphans ------------------------------------------------------------------------------


def test_check_lists_orphans_and_prune_removes_only_lrplots_own(tmp_path: Path) -> None:
    a, b = configs(tmp_path / "cfg", a=COSINE, b=STEP)
    out = tmp_path / "out"
    assert render(a, b, "-d", out, "-f", "csv,svg").exit_code == 0
    (out / "mine.csv").write_text("my own file\n")
    a.write_text(COSINE + "outputs: [renamed.csv]\n")
    check = render(a, b, "-d", out, "-f", "csv,svg", "--check")
    assert check.exit_code == 1, check.stderr
    orphans = [line for line in check.stderr.splitlines() if line.startswith("orphan:")]
    assert orphans == [f"orphan: {out / 'a.csv'}", f"orphan: {out / 'a.svg'}"]
    assert "missing: " in check.stderr and ", orphans 2" in check.stderr
    plain = render(a, b, "-d", out, "-f", "csv,svg")
    assert f"orphan: {out / 'a.csv'} (no config writes it; --prune removes it)" in plain.stderr
    assert (out / "a.csv").exists()
    (out / "a.svg").write_text("edited by hand\n")
    pruned = render(a, b, "-d", out, "-f", "csv,svg", "--prune")
    assert pruned.exit_code == 0
    assert f"pruned: {out / 'a.csv'}" in pruned.stderr
    assert f"warning: {out / 'a.svg'}: orphan kept: edited since lrplot wrote it" in pruned.stderr
    assert not (out / "a.csv").exists()
    assert (out / "a.svg").read_text() == "edited by hand\n"
    assert (out / "mine.csv").read_text() == "my own file\n"
    (out / "a.svg").unlink()
    assert render(a, b, "-d", out, "-f", "csv,svg", "--check").exit_code == 0


def test_outputs_of_configs_not_named_are_not_orphans(tmp_path: Path) -> None:
    a, b = configs(tmp_path / "cfg", a=COSINE, b=STEP)
    out = tmp_path / "out"
    assert render(a, b, "-d", out, "-f", "csv").exit_code == 0
    check = render(a, "-d", out, "-f", "csv", "--check")
    assert check.exit_code == 0 and "orphan" not in check.stderr
    pruned = render(a, "-d", out, "-f", "csv", "--prune")
    assert "rendered 0, skipped 1, failed 0\n" in pruned.stderr
    assert (out / "b.csv").exists()
    b.unlink()  # now nothing writes b.csv
    check = render(a, "-d", out, "-f", "csv", "--check")
    assert check.exit_code == 1 and f"orphan: {out / 'b.csv'}" in check.stderr
    assert "pruned 1" in render(a, "-d", out, "-f", "csv", "--prune").stderr
    assert not (out / "b.csv").exists()
    assert "b.csv" not in manifest(out)


def test_two_environments_share_one_folder_without_false_orphans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `make docs` does: configs/timm-*.yaml render in another venv into docs/figures."""
    a, b = configs(tmp_path / "cfg", a=COSINE, b=STEP)
    out = tmp_path / "out"
    real = batch_run.environment()
    assert render(a, "-d", out, "-f", "csv").exit_code == 0
    monkeypatch.setattr(batch_run, "environment", lambda: {**real, "timm": "9.9"})
    assert render(b, "-d", out, "-f", "csv").exit_code == 0
    assert "rendered 0, skipped 1" in render(b, "-d", out, "-f", "csv").stderr
    monkeypatch.setattr(batch_run, "environment", lambda: real)
    assert sorted(manifest(out)) == ["a.csv", "b.csv"]
    assert "rendered 0, skipped 1" in render(a, "-d", out, "-f", "csv").stderr
    for only in (a, b):
        check = render(only, "-d", out, "-f", "csv", "--check")
        assert check.exit_code == 0 and "orphan" not in check.stderr, check.stderr


def test_prune_never_leaves_the_output_folder(tmp_path: Path) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.csv").write_text("keep\n")
    assert render(config, "-d", out, "-f", "csv").exit_code == 0
    (out / "sub").symlink_to(outside)  # a folder on the way that leads out
    data = json.loads((out / MANIFEST_NAME).read_text())
    entry = {**data["outputs"]["c.csv"], "config": "gone.yaml"}
    import hashlib

    entry["sha256"] = hashlib.sha256(b"keep\n").hexdigest()  # it would match
    data["outputs"]["sub/x.csv"] = entry
    (out / MANIFEST_NAME).write_text(json.dumps(data))
    result = render(config, "-d", out, "-f", "csv", "--prune")
    assert result.exit_code == 0 and "pruned" not in result.stderr, result.stderr
    assert (outside / "x.csv").read_text() == "keep\n"


def test_check_and_prune_together_are_refused(tmp_path: Path) -> None:
    (config,) = configs(tmp_path / "cfg", c=COSINE)
    result = render(config, "-d", tmp_path / "out", "--check", "--prune")
    assert result.exit_code == 2
    assert "--check writes nothing and --prune removes files" in result.stderr
    assert not (tmp_path / "out").exists()


# -- the property: render and --check always agree ------------------------------------------

TEXTS = [
    COSINE,
    STEP,
    COSINE + "outputs: [moved.csv]\n",
    "scheduler: {type: constant}\nepochs: 5\n",
]
OPS = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from("ab"), st.integers(0, len(TEXTS) - 1)),
    st.tuples(st.just("delete"), st.sampled_from("ab"), st.sampled_from(["csv", "svg"])),
    st.tuples(st.just("scribble"), st.sampled_from("ab"), st.sampled_from(["csv", "svg"])),
    st.tuples(st.just("render"), st.booleans(), st.just(0)),
)


@settings(max_examples=8, deadline=None, derandomize=True, database=None)
@given(steps=st.lists(OPS, min_size=1, max_size=6))
def test_render_and_check_always_agree(steps: list[tuple[str, object, object]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        a, b = configs(root / "cfg", a=COSINE, b=STEP)
        out = root / "out"
        flags = ("-d", out, "-f", "csv,svg")
        assert render(a, b, *flags).exit_code == 0
        for op, which, what in steps:
            config = a if which == "a" else b
            if op == "edit":
                config.write_text(TEXTS[int(str(what))])
            elif op in ("delete", "scribble"):
                for path in out.glob(f"*.{what}"):
                    if path.name.startswith(str(which)) or path.name == f"moved.{what}":
                        if op == "delete":
                            path.unlink()
                        else:
                            path.write_bytes(path.read_bytes() + b" ")
            else:
                prune = ("--prune",) if which else ()
                before = render(a, b, *flags, "--check")
                done = render(a, b, *flags, *prune)
                after = render(a, b, *flags, "--check")
                said = done.stderr
                up_to_date = "rendered 0," in said and not ("orphan" in said or "pruned" in said)
                assert (before.exit_code == 0) == up_to_date, (before.stderr, done.stderr)
                if up_to_date:
                    assert after.exit_code == 0, after.stderr
                if prune and "orphan kept" not in said:  # nothing left for --check to find
                    assert after.exit_code == 0, (done.stderr, after.stderr)
