"""Issue 17, files, names and processes: globs through symlink loops, outputs that are FIFOs or
devices, collisions through symlinked folders, names that would forge CI log lines, fsync, and
workers that outlive a killed parent.

Each case goes through the command line (CliRunner, or a subprocess where the old code would
hang or where a process is killed) and checks the exit code, the message, that there is no
traceback and that the folder is as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD
from typer.testing import CliRunner, Result

from lrplot.cli import app

runner = CliRunner()
LINUX = pytest.mark.skipif(sys.platform != "linux", reason="FIFOs, /proc and prctl are Linux's")


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under ``root``: a file's bytes, a folder, a symlink's target, or the kind of
    anything else (never opened: reading a FIFO blocks)."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            found[str(path)] = ("link", os.readlink(path))
        elif stat.S_ISREG(mode):
            found[str(path)] = path.read_bytes()
        else:
            found[str(path)] = ("kind", stat.S_IFMT(mode))
    return found


def render(*args: str) -> Result:
    return runner.invoke(app, ["render", *args])


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def lrplot(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m lrplot ARGS``, for what the old code did forever (a TimeoutExpired fails)."""
    command = [sys.executable, "-m", "lrplot", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


# -- 1. a glob through a symlink loop ends, and finds each config once ----------------------------


@LINUX
def test_a_glob_through_symlink_loops_ends_and_finds_each_config_once(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    (cfg / "sub").mkdir(parents=True)
    (cfg / "a.yaml").write_text(GOOD)
    (cfg / "sub" / "b.yaml").write_text(GOOD)
    (cfg / "loop").symlink_to(".")
    (cfg / "sub" / "up").symlink_to("..")
    # glob's own ** followed both links until the names were too long (minutes)
    done = lrplot(["render", "cfg/**/*.yaml", "-d", "out", "-f", "csv", "--jobs", "1"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "rendered 2, skipped 0, failed 0"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.csv")) == ["a.csv", "b.csv"]


def test_a_config_reached_through_a_symlinked_folder_is_one_config(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "a.yaml").write_text(GOOD)
    (cfg / "loop").symlink_to(".")
    out = tmp_path / "out"
    # cfg/a.yaml and cfg/loop/a.yaml are one file: once, not "would both write out/a.csv"
    result = render(f"{cfg}/*.yaml", f"{cfg}/*/*.yaml", "-d", str(out), "-f", "csv", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "rendered 1, skipped 0, failed 0"


# -- 2. an output that is a FIFO, a socket or a device is refused before rendering ----------------


@pytest.fixture
def fifo_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "c.csv")
    (out / "keep.csv").write_text("old\n")
    (tmp_path / "c.yaml").write_text(GOOD)
    return tmp_path


@LINUX
def test_an_output_that_is_a_fifo_is_refused(fifo_out: Path) -> None:
    before = snapshot(fifo_out)
    result = render(str(fifo_out / "c.yaml"), "-d", str(fifo_out / "out"), "-f", "csv", "-j", "1")
    assert_clean_failure(result)
    fifo = fifo_out / "out" / "c.csv"
    assert result.stderr.splitlines() == [
        f"error: {fifo_out / 'c.yaml'}: {fifo}: is a FIFO, not a regular file; lrplot writes "
        "only files",
        "rendered 0, skipped 0, failed 1",
    ]
    assert snapshot(fifo_out) == before  # still a FIFO, not replaced


@LINUX
def test_an_output_named_by_the_config_that_is_a_fifo_is_refused_at_its_key(
    fifo_out: Path,
) -> None:
    config = fifo_out / "named.yaml"
    config.write_text(GOOD + "outputs: [c.csv]\n")
    before = snapshot(fifo_out)
    result = render(str(config), "-d", str(fifo_out / "out"), "-j", "1")
    assert_clean_failure(result)
    assert result.stderr.splitlines()[0] == (
        f"error: {config}: outputs[0] (line 3): {fifo_out / 'out' / 'c.csv'}: is a FIFO, not a "
        "regular file; lrplot writes only files"
    )
    assert snapshot(fifo_out) == before


@LINUX
def test_check_does_not_block_on_a_fifo(fifo_out: Path) -> None:
    before = snapshot(fifo_out)
    # --check read the FIFO and waited for a writer forever
    done = lrplot(["render", "c.yaml", "-d", "out", "-f", "csv", "--check", "-j", "1"], fifo_out)
    assert done.returncode == 2, done.stderr
    assert f"{Path('out') / 'c.csv'}: is a FIFO, not a regular file" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(fifo_out) == before


@LINUX
def test_dash_o_to_a_fifo_is_refused(fifo_out: Path) -> None:
    before = snapshot(fifo_out)
    fifo = fifo_out / "out" / "c.csv"
    result = render(str(fifo_out / "c.yaml"), "-o", str(fifo))
    assert_clean_failure(result)
    assert result.stderr == (
        f"error: {fifo_out / 'c.yaml'}: {fifo}: is a FIFO, not a regular file; lrplot writes "
        "only files\n"
    )
    assert snapshot(fifo_out) == before


@LINUX
def test_outputs_that_are_a_socket_or_lead_to_a_device_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "s.yaml").write_text(GOOD)
    (tmp_path / "d.yaml").write_text(GOOD)
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(out / "s.csv"))
        (out / "d.csv").symlink_to("/dev/null")  # --check would read it; render replaced it
        before = snapshot(tmp_path)
        for extra in ([], ["--check"]):
            result = render(str(tmp_path), "-d", str(out), "-f", "csv", "-j", "1", *extra)
            assert_clean_failure(result)
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            assert errors == [
                f"error: {tmp_path / 'd.yaml'}: {out / 'd.csv'}: is a device, not a regular "
                "file; lrplot writes only files",
                f"error: {tmp_path / 's.yaml'}: {out / 's.csv'}: is a socket, not a regular "
                "file; lrplot writes only files",
            ]
            assert snapshot(tmp_path) == before
    finally:
        listener.close()


# -- 3. two configs writing one file through a symlinked folder collide ---------------------------


def test_two_configs_writing_one_file_through_a_symlinked_folder_collide(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "b").symlink_to("a")  # inside the output folder: allowed as a folder
    (out / "a" / "x.csv").write_text("old\n")
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "one.yaml").write_text(GOOD + "outputs: [a/x.csv]\n")
    (cfg / "two.yaml").write_text(GOOD.replace("0.9", "0.8") + "outputs: [b/x.csv]\n")
    before = snapshot(tmp_path)
    result = render(str(cfg), "-d", str(out), "-j", "1")
    assert_clean_failure(result)
    assert result.stderr == (
        f"error: {cfg / 'two.yaml'} and {cfg / 'one.yaml'} would both write {out / 'a' / 'x.csv'}"
        f" (as {out / 'b' / 'x.csv'}); rename one or set `outputs:`\n"
    )
    assert snapshot(tmp_path) == before


# -- 4. a name cannot forge lines in a CI log -----------------------------------------------------

FORGING = "x\n::error title=pwned::y"  # GitHub Actions reads a line that starts with ::error
ESCAPES = "a\rb\x1b[31mc"


def assert_no_forged_line(text: str) -> None:
    assert "\r" not in text and "\x1b" not in text, repr(text)
    for line in text.splitlines():
        assert line.startswith(("error: ", "warning: ", "note: ", "missing: ", "stale: ")) or (
            line.startswith(("rendered ", "would render ", "wrote "))
        ), repr(line)


@LINUX
def test_names_with_line_breaks_and_escapes_cannot_forge_log_lines(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    collapse = "epochs: 60\nscheduler: {type: multiplicative, lr_lambda: '0.95 ** epoch'}\n"
    (cfg / f"{FORGING}.yaml").write_text(collapse)  # a warning from the worker (CurveWarning)
    (cfg / f"{ESCAPES}.yaml").write_text("epochs: 10\nscheduler: {type: exponential, gamma: 1.1}\n")
    (cfg / "named.yaml").write_text(GOOD + f"outputs: [{json.dumps(FORGING + '-named.csv')}]\n")
    (cfg / f"bad{FORGING}.yaml").write_text("epochs: 10\nscheduler: {type: nope}\n")
    out = tmp_path / "out"
    checked = render(str(cfg), "-d", str(out), "-f", "csv", "--check", "-j", "1")
    rendered = render(str(cfg), "-d", str(out), "-f", "csv", "-j", "1")
    (out / f"{FORGING}.csv").write_text("changed\n")
    stale = render(str(cfg), "-d", str(out), "-f", "csv", "--check", "-j", "1")
    wrote = render(str(cfg / "named.yaml"), "-o", str(tmp_path / f"{ESCAPES}.csv"))
    for result in (checked, rendered, stale, wrote):
        assert "Traceback" not in result.output
        assert_no_forged_line(result.stderr)
    shown = r"x\n::error title=pwned::y"
    assert f"missing: {out}/{shown}-named.csv (from {cfg}/named.yaml)" in checked.stderr
    assert f"missing: {out}/{shown}.csv (from {cfg}/{shown}.yaml)" in checked.stderr
    assert f"warning: {cfg}/{shown}.yaml: scheduler (line 2): the lr falls below" in rendered.stderr
    assert f"warning: {cfg}/a\\rb\\x1b[31mc.yaml: scheduler.gamma (line 2)" in rendered.stderr
    assert f"error: {cfg}/bad{shown}.yaml: scheduler.type (line 2)" in rendered.stderr
    assert f"stale: {out}/{shown}.csv (from " in stale.stderr
    assert wrote.stderr == f"wrote {tmp_path}/a\\rb\\x1b[31mc.csv\n"


# -- 5. durability: the file, then its folder, reach the disk; errors name the path --------------


@LINUX
def test_each_output_is_fsynced_before_its_replace_and_its_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("replace", str(Path(dst).resolve())))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    (tmp_path / "c.yaml").write_text(GOOD)
    out = tmp_path / "out"
    result = render(str(tmp_path / "c.yaml"), "-d", str(out), "-f", "csv,svg", "-j", "1")
    assert result.exit_code == 0, result.output
    folder = str(out.resolve())
    for name in ("c.csv", "c.svg", ".lrplot-manifest.json"):
        moved = events.index(("replace", f"{folder}/{name}"))
        synced = [Path(path).name for what, path in events[:moved] if what == "fsync"]
        assert any(temp.startswith(f".{name}.") for temp in synced), events  # its temp file
        assert ("fsync", folder) in events[moved:], events


def test_a_file_in_the_way_of_an_output_folder_is_named(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").write_text("a file, not a folder\n")
    config = tmp_path / "c.yaml"
    config.write_text(GOOD + "outputs: [sub/x.csv]\n")
    before = snapshot(tmp_path)
    result = render(str(config), "-d", str(out), "-j", "1")
    assert_clean_failure(result)
    # was: "error: c.yaml: cannot write: File exists"
    assert result.stderr.splitlines()[0] == (
        f"error: {config}: {out / 'sub' / 'x.csv'}: {out / 'sub'} is a file, not a folder"
    )
    assert snapshot(tmp_path) == before


# -- 6 and 7. kill -9: workers die with the parent; nothing truncated; a re-run repairs all -------

BUSY = "epochs: 200\nsteps_per_epoch: 200\nscheduler: {type: cosine, T_max: %d}\n"


def busy_configs(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"c{i:02d}.yaml").write_text(BUSY % (100 + i))
    return folder


@contextlib.contextmanager
def killed_mid_batch(args: list[str], cwd: Path, out: Path) -> Iterator[list[Any]]:
    """Run ``lrplot ARGS`` until its first output is in ``out``, then SIGKILL that process alone;
    yields its child processes as they were (psutil). At the end, kills any still running."""
    psutil = pytest.importorskip("psutil")
    command = [sys.executable, "-m", "lrplot", *args]
    # not a pipe: workers left running would hold it open, and reading it would never end
    process = subprocess.Popen(command, cwd=cwd, stderr=subprocess.DEVNULL)
    children: list[Any] = []
    try:
        for _ in range(1200):  # up to two minutes to import and render one config
            if process.poll() is not None or any(out.glob("c*.csv")):
                break
            time.sleep(0.1)
        assert process.poll() is None, "the batch ended before it could be killed"
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGKILL)
        process.wait()
        yield children
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for child in children:  # the old code left them running: not into the next test
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


@LINUX
def test_workers_die_when_only_the_parent_is_killed(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    busy_configs(tmp_path / "cfg", 16)
    args = ["render", "cfg", "-d", "out", "-f", "png,csv", "--jobs", "2"]
    with killed_mid_batch(args, tmp_path, tmp_path / "out") as children:
        assert len(children) >= 3  # the forkserver and two workers (and a resource tracker)
        _, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], f"left running after the parent was killed: {alive}"


@LINUX
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_9_in_a_batch_truncates_nothing_and_a_rerun_repairs_all(
    tmp_path: Path, jobs: str
) -> None:
    psutil = pytest.importorskip("psutil")
    busy_configs(tmp_path / "cfg", 8)
    out = tmp_path / "out"
    args = ["render", "cfg", "-d", "out", "-f", "png,csv", "--jobs", jobs]
    with killed_mid_batch(args, tmp_path, out) as children:
        psutil.wait_procs(children, timeout=30)  # no worker writes on behind the re-run
    left = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert left, "nothing was written before the kill"
    manifest = out / ".lrplot-manifest.json"
    if manifest.exists():
        json.loads(manifest.read_text())  # never half written
    again = lrplot(args, tmp_path)
    assert again.returncode == 0, again.stderr
    check = lrplot([*args, "--check"], tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines()[-1] == "would render 0, up to date 8, failed 0"
    for name, data in left.items():  # what the killed run left was complete: the same bytes
        assert (out / name).read_bytes() == data, name
