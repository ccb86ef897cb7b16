"""The paths that need no curve never import torch or matplotlib (they take seconds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lrplot.cli.schedulers import outline_only

HEAVY = ("torch", "matplotlib")


def imported_modules(args: list[str], cwd: Path) -> set[str]:
    """Top-level packages imported by ``python -m lrplot ARGS``, from ``-X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lrplot", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert lines, done.stderr  # -X importtime did report
    return {line.split("|")[-1].strip().split(".")[0] for line in lines}


def python(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -c SCRIPT`` in a fresh interpreter, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, env=env
    )


@pytest.mark.parametrize(
    "args",
    [["--help"], ["list"], ["cosine", "--help"], ["render", "bad.yaml"]],
    ids=["help", "list", "cosine-help", "spec-error"],
)
def test_no_torch_or_matplotlib_import(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("scheduler: {type: cosine, T_maxx: 20}\n")
    modules = imported_modules(args, tmp_path)
    assert "lrplot" in modules and "typer" in modules
    assert not modules & set(HEAVY)


def test_the_check_would_see_torch() -> None:
    # The same probe on a command that simulates does report torch, so the test above can fail.
    assert "torch" in imported_modules(["cosine", "--T-max", "2", "-n", "2"], Path.cwd())


def test_a_run_that_loaded_torch_still_flushes_everything_and_exits_0(tmp_path: Path) -> None:
    # The console entry point leaves with os._exit once torch is loaded (lrplot/fastexit.py):
    # buffered stdout (a pipe is block-buffered) must still arrive whole.
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "exponential", "--gamma", "0.5", "-n", "3", "-o", "-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "step,epoch,lr,momentum",
        "0,0.0,0.001,0.0",
        "1,1.0,0.0005,0.0",
        "2,2.0,0.00025,0.0",
    ]


def test_fast_exit_keeps_sys_exit_semantics() -> None:
    script = (
        "import sys, torch\n"
        "from lrplot.cli.fastexit import run_and_exit\n"
        "def app():\n"
        "    print('unflushed', end='')\n"
        "    sys.exit('boom')\n"
        "run_and_exit(app)\n"
    )
    done = python(script)
    assert (done.returncode, done.stdout, done.stderr) == (1, "unflushed", "boom\n")


# -- commands a process will not run are built in outline ----------------------------------------


def test_help_built_in_outline_reads_as_the_full_help() -> None:
    import os

    env = {**os.environ, "COLUMNS": "100"}
    full = subprocess.run(  # argv[0] is not lrplot while the app is built: every command in full
        [sys.executable, "-c", "import sys; sys.argv = ['/x/other', '--help']; "
         "from lrplot.cli import main; sys.argv[0] = 'lrplot'; main()"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    outlined = subprocess.run(
        [str(Path(sys.executable).parent / "lrplot"), "--help"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert full.returncode == outlined.returncode == 0, full.stderr + outlined.stderr
    assert outlined.stdout == full.stdout
    assert "cosine" in outlined.stdout and "Usage: lrplot" in outlined.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["cosine", "--help"],
        ["CosineAnnealingLR", "--help"],  # an alias resolves to the command it names
        ["recipe", "linear", "--help"],
        ["cosine", "--T-mx", "3"],  # the unknown-option suggestion reads the command's flags
        ["exponential", "--gamma", "0.5", "-n", "3", "-o", "-"],
    ],
)
def test_a_scheduler_command_built_alone_acts_as_in_the_full_build(args: list[str]) -> None:
    import os

    env = {**os.environ, "COLUMNS": "100"}
    full = subprocess.run(  # argv[0] is not lrplot while the app is built: every command in full
        [sys.executable, "-c", f"import sys; sys.argv = ['/x/other', *{args!r}]; "
         "from lrplot.cli import main; sys.argv[0] = 'lrplot'; main()"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    alone = subprocess.run(
        [str(Path(sys.executable).parent / "lrplot"), *args],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert (alone.returncode, alone.stdout, alone.stderr) == (
        full.returncode,
        full.stdout,
        full.stderr,
    )
    assert alone.stdout or alone.stderr


def test_which_scheduler_commands_a_process_builds_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lrplot.cli.schedulers import built_in_full

    monkeypatch.delenv("_LRPLOT_COMPLETE", raising=False)
    own = own_commands()

    def full(argv: list[str] | None) -> list[tuple[str | None, str]]:
        pick = built_in_full(own, argv)
        names = [(None, "cosine"), (None, "step"), ("recipe", "linear"), ("recipe", "cosine")]
        return [name for name in names if pick(*name)]

    everything = [(None, "cosine"), (None, "step"), ("recipe", "linear"), ("recipe", "cosine")]
    assert full(["lrplot", "cosine", "--T-max", "20"]) == [(None, "cosine")]
    assert full(["lrplot", "cosineannealinglr", "--help"]) == [(None, "cosine")]
    assert full(["/v/bin/lrplot", "recipe", "linear", "-n", "3"]) == [("recipe", "linear")]
    assert full(["lrplot", "list"]) == []
    assert full(["lrplot", "code", "cosine"]) == everything  # parses scheduler command lines
    assert full(["lrplot", "recipe"]) == everything
    assert full(["lrplot", "nosuch"]) == everything
    assert full(["/usr/bin/pytest", "cosine"]) == everything
    assert full(None) == everything
    monkeypatch.setenv("_LRPLOT_COMPLETE", "complete_bash")
    assert full(["lrplot", "cosine"]) == everything


def own_commands() -> set[str]:
    """The commands lrplot registers before the scheduler commands, as cli/root.py does."""
    import typer

    from lrplot.cli import checklog, commands, compare, frameworks, schedulers, watch

    app = typer.Typer()
    for module in (commands, checklog, compare, frameworks, watch):
        module.register(app)
    own = schedulers.own_commands(app)
    assert {"list", "render", "show", "code", "check-log"} <= own
    return own


@pytest.mark.parametrize(
    ("argv", "outline"),
    [
        (["lrplot", "--help"], True),
        (["lrplot", "list"], True),
        (["/venv/bin/lrplot", "render", "x.yaml", "--check"], True),
        (["/x/lrplot/__main__.py", "-h"], True),
        (["lrplot"], False),  # no arguments: help too, but keep it simple
        (["lrplot", "cosine", "--T-max", "20"], False),
        (["lrplot", "code", "cosine"], False),  # parses a scheduler command line
        (["lrplot", "compare", "cosine", "step"], False),
        (["lrplot", "watch", "x.yaml"], False),
        (["lrplot", "x.yaml"], False),
        (["lrplot", "--version", "list"], True),
        (["/usr/bin/pytest", "list"], False),  # another program that imported lrplot.cli
    ],
)
def test_which_processes_build_scheduler_commands_in_outline(
    argv: list[str], outline: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("_LRPLOT_COMPLETE", raising=False)
    assert outline_only(own_commands(), argv) is outline


def test_completion_builds_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_LRPLOT_COMPLETE", "complete_bash")
    assert outline_only(own_commands(), ["lrplot", "list"]) is False


def test_the_package_imports_the_log_readers_on_first_use() -> None:
    # `import lrplot` leaves check-log's hypotheses and the log readers unloaded (PEP 562);
    # each public name is still there, is the real object, and is listed by dir().
    probe = (
        "import sys, lrplot\n"
        "before = {m for m in sys.modules if m.startswith(('lrplot.checklog', 'lrplot.runlog'))}\n"
        "from lrplot import check_log\n"
        "import lrplot.checklog, lrplot.runlog\n"
        "assert check_log is lrplot.checklog.check_log\n"
        "assert lrplot.read_log is lrplot.runlog.read_log\n"
        "assert lrplot.CheckResult is lrplot.checklog.CheckResult\n"
        "assert set(lrplot.__all__) <= set(dir(lrplot))\n"
        "assert callable(lrplot.render) and callable(lrplot.simulate)\n"
        "print(sorted(before))\n"
    )
    done = python(probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        import lrplot

        lrplot.nope  # noqa: B018


@pytest.mark.parametrize(
    ("argv", "registered"),
    [
        (["lrplot", "render", "x.yaml"], False),  # runs its own command: none registered
        (["lrplot", "list"], False),
        (["lrplot", "--help"], True),  # lists them, in outline
        (["lrplot", "cosine", "-n", "3"], True),
    ],
)
def test_a_process_running_its_own_command_registers_no_scheduler_command(
    argv: list[str], registered: bool
) -> None:
    probe = (
        f"import sys; sys.argv = {argv!r}\n"
        "from lrplot.cli.root import app\n"
        "from lrplot.cli.schedulers import own_commands\n"
        "names = own_commands(app)\n"
        "print('cosine' in names, 'render' in names)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("_LRPLOT")}
    done = python(probe, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(registered), "True"]
