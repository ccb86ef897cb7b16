"""Every item of the bad-input checklist (docs: ../shared/bad-inputs.md, issue 3), end to end.

Each case goes through the real command line (`lrplot render` or a scheduler subcommand) and
asserts the whole contract:

- the exact one-line message, naming the file, the key path and the YAML line;
- exit code 2 and no traceback;
- nothing written: no new file or folder appears, and existing outputs (real figures and CSV from
  an earlier good render) stay byte for byte as they were.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import golden
import pytest
from conftest import EXAMPLES_ALLOW, FORMATS, GOOD, examples
from typer.testing import CliRunner, Result

import lrplot
from lrplot.cli import app
from lrplot.config import yamlload
from lrplot.outputs import files as output

runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) under ``root``."""
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def render_config(workspace: Path, text: str | bytes, *extra: str) -> tuple[Result, Path]:
    """Render ``c.yaml`` holding ``text`` (and ``extra`` flags): it must fail cleanly and
    change nothing on disk."""
    config = workspace / "c.yaml"
    config.write_bytes(text.encode() if isinstance(text, str) else text)
    before = snapshot(workspace)
    result = runner.invoke(
        app,
        ["render", str(config), "-d", str(workspace / "out"), "-f", ",".join(FORMATS), *extra],
    )
    assert_clean_failure(result)
    assert snapshot(workspace) == before, "a failed render changed the disk"
    return result, config


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # typer.Exit, not a crash
    assert "Traceback" not in result.output


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def assert_config_error(workspace: Path, text: str | bytes, message: str) -> None:
    result, config = render_config(workspace, text)
    assert error_lines(result) == [f"error: {config}: {message}"]
    assert result.stderr.splitlines()[-1] == "rendered 0, skipped 0, failed 1"


# One case per checklist item (and per variant the item names), as golden files:
# tests/cases/errors/<item>-<variant>.yaml and the message after "error: <file>: " in .expected.
CASES: dict[str, tuple[str | bytes, str]] = {
    **golden.load("errors"),
    # Too large to keep as a file.
    "4-too-large": ("title: " + "x" * 1_000_000, "the file is larger than 1000000 bytes"),
}


@pytest.mark.parametrize(("text", "message"), CASES.values(), ids=CASES.keys())
def test_config_error(workspace: Path, text: str | bytes, message: str) -> None:
    assert_config_error(workspace, text, message)


# 10. step_size / T_max / T_0 / total_iters / step_size_up / anneal_epochs <= 0 or not integers
PERIODS = {
    "step_size": "{type: step, step_size: %s}",
    "T_max": "{type: cosine, T_max: %s}",
    "T_0": "{type: cosine-warm-restarts, T_0: %s}",
    "total_iters": "{type: linear, total_iters: %s}",
    "step_size_up": "{type: cyclic, base_lr: 0.01, max_lr: 0.1, step_size_up: %s}",
    "anneal_epochs": "{type: swa, swa_lr: 0.01, anneal_epochs: %s}",
}


@pytest.mark.parametrize("name", PERIODS)
@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("0", "must be a positive integer, got 0"),
        ("-2", "must be a positive integer, got -2"),
        ("2.5", "must be an integer, got number 2.5"),
        ("'10'", "must be an integer, got string '10'"),
        ("true", "must be an integer, got boolean True"),
    ],
)
def test_periods_must_be_positive_integers(
    workspace: Path, name: str, value: str, what: str
) -> None:
    text = "scheduler: " + PERIODS[name] % value
    assert_config_error(workspace, text, f"scheduler.{name} (line 1): {what}")


def test_periods_in_nested_schedulers_name_the_list_index(workspace: Path) -> None:
    text = (
        "scheduler:\n  type: sequential\n  milestones: [5]\n  schedulers:\n"
        "    - {type: linear, total_iters: 5}\n    - {type: cosine, T_max: 0}\n"
    )
    assert_config_error(
        workspace, text, "scheduler.schedulers[1].T_max (line 6): must be a positive integer, got 0"
    )


def test_node_cap(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real cap (100,000) takes seconds to reach in PyYAML's pure-Python parser; the
    # mechanism is the same at 500.
    monkeypatch.setattr(yamlload, "MAX_NODES", 500)
    text = "scheduler: {type: cosine, T_max: 5}\nmetric:\n  values:\n" + "    - 1.0\n" * 600
    assert_config_error(workspace, text, "line 493: more than 500 values")


# -- 16. expressions ---------------------------------------------------------------------------

EXPRESSIONS = {
    "empty": ("''", "scheduler.lr_lambda (line 2): the expression is empty"),
    "syntax": (
        "'0.95 **'",
        "scheduler.lr_lambda (line 2): invalid expression '0.95 **': invalid syntax",
    ),
    "too-long": (
        "'" + "1+" * 600 + "1'",
        "scheduler.lr_lambda (line 2): the expression is longer than 1000 characters",
    ),
    "too-many-nodes": (
        "'" + "+".join(["epoch"] * 150) + "'",
        "scheduler.lr_lambda (line 2): the expression has 599 nodes, more than the limit of 200",
    ),
    "too-deep": (
        "'" + "-" * 40 + "epoch'",
        "scheduler.lr_lambda (line 2): the expression is nested deeper than 30 levels",
    ),
    "name": (
        "'lr * epoch'",
        "scheduler.lr_lambda (line 2): unknown name 'lr' (allowed: epoch, pi, e, tau)",
    ),
    "attribute": (
        "'epoch.__class__'",
        "scheduler.lr_lambda (line 2): not allowed in expressions: attribute access",
    ),
    "subscript": (
        "'(1, 2)[0]'",
        "scheduler.lr_lambda (line 2): not allowed in expressions: subscripts",
    ),
    "string": ("'\"a\" * 2'", "scheduler.lr_lambda (line 2): constants must be numbers, not str"),
    "lambda": (
        "'(lambda: 1)()'",
        "scheduler.lr_lambda (line 2): not allowed in expressions: lambdas",
    ),
    "comprehension": (
        "'sum([1 for _ in (1,)])'",
        "scheduler.lr_lambda (line 2): function 'sum' is not allowed (allowed: min, max, abs, "
        "round, pow, floor, ceil, trunc, cos, sin, tan, acos, asin, atan, cosh, sinh, tanh, "
        "acosh, asinh, atanh, exp, expm1, log2, log10, log1p, sqrt, fabs, radians, degrees, log, "
        "atan2, hypot, copysign, fmod)",
    ),
    "generator": (
        "'max(x for x in (1, 2))'",
        "scheduler.lr_lambda (line 2): max() takes 2 to 8 arguments, got 1",
    ),
    "call": (
        "\"__import__('os').system('touch pwned')\"",
        "scheduler.lr_lambda (line 2): not allowed in expressions: attribute access",
    ),
    "open": (
        "\"open('/etc/passwd')\"",
        "scheduler.lr_lambda (line 2): function 'open' is not allowed (allowed: min, max, abs, "
        "round, pow, floor, ceil, trunc, cos, sin, tan, acos, asin, atan, cosh, sinh, tanh, "
        "acosh, asinh, atanh, exp, expm1, log2, log10, log1p, sqrt, fabs, radians, degrees, log, "
        "atan2, hypot, copysign, fmod)",
    ),
    "keyword-call": (
        "'min(1, 2, key=abs)'",
        "scheduler.lr_lambda (line 2): keyword arguments are not allowed (in min())",
    ),
    "wrong-arity": ("'cos()'", "scheduler.lr_lambda (line 2): cos() takes 1 argument, got 0"),
    "walrus": (
        "'(x := 2)'",
        "scheduler.lr_lambda (line 2): not allowed in expressions: assignment expressions",
    ),
    "not-a-string": (
        "0.95",
        "scheduler.lr_lambda (line 2): must be an expression string such "
        'as "0.95 ** epoch", got number',
    ),
    # These fail at a step: the message names it.
    "overflow": (
        "'9**9**9**9'",
        "scheduler.lr_lambda (line 2): '9**9**9**9' fails at epoch 0: overflow: a value is too "
        "large for a float",
    ),
    "divide-by-zero": (
        "'1 / (3 - epoch)'",
        "scheduler.lr_lambda (line 2): '1 / (3 - epoch)' fails at epoch 3: float division by zero",
    ),
    "modulo-zero": (
        "'epoch % 0'",
        "scheduler.lr_lambda (line 2): 'epoch % 0' fails at epoch 0: float modulo",
    ),
    "domain": (
        "'log(epoch - 2)'",
        "scheduler.lr_lambda (line 2): 'log(epoch - 2)' fails at epoch 0: math domain error",
    ),
    "complex": (
        "'(epoch - 4) ** 0.5'",
        "scheduler.lr_lambda (line 2): '(epoch - 4) ** 0.5' fails at epoch 0: -4.0 ** 0.5 is "
        "complex",
    ),
    "nan": (
        "'1e308 * 10 - 1e308 * 10'",
        "scheduler.lr_lambda (line 2): '1e308 * 10 - 1e308 * 10' fails at epoch 0: the result "
        "is nan",
    ),
    "inf": (
        "'1 if epoch < 5 else 1e308 * 10'",
        "scheduler.lr_lambda (line 2): '1 if epoch < 5 else 1e308 * 10' fails at epoch 5: the "
        "result is inf",
    ),
    "negative": (
        "'1 - epoch / 4'",
        "scheduler.lr_lambda (line 2): '1 - epoch / 4' fails at epoch 5: the result is negative "
        "(-0.25)",
    ),
    "not-a-number": (
        "'epoch > 5'",
        "scheduler.lr_lambda (line 2): 'epoch > 5' fails at epoch 0: the result is bool, not a "
        "number",
    ),
}


@pytest.mark.parametrize(("expression", "message"), EXPRESSIONS.values(), ids=EXPRESSIONS.keys())
def test_expression_error(workspace: Path, expression: str, message: str) -> None:
    text = f"epochs: 10\nscheduler: {{type: lambda, lr_lambda: {expression}}}"
    assert_config_error(workspace, text, message)


@pytest.mark.parametrize(
    ("scheduler", "message"),
    [
        (
            "{type: multiplicative, lr_lambda: '1 / (3 - epoch)'}",
            "scheduler.lr_lambda (line 2): '1 / (3 - epoch)' fails at epoch 3: float division "
            "by zero",
        ),
        (
            "{type: cyclic, base_lr: 0.01, max_lr: 0.1, scale_fn: 'log(x - 1)'}",
            "scheduler.scale_fn (line 2): 'log(x - 1)' fails at x 1: math domain error",
        ),
        (
            "{type: multiplicative, lr_lambda: '1e300'}",
            "scheduler (line 2): the lr becomes inf at scheduler step 2",
        ),
        (
            "{type: exponential, gamma: 1e200}",
            "scheduler (line 2): the lr becomes inf at scheduler step 2",
        ),
    ],
    ids=["multiplicative", "scale_fn", "lr-overflows", "gamma-overflows"],
)
def test_failures_while_stepping_name_the_step_and_the_line(
    workspace: Path, scheduler: str, message: str
) -> None:
    result, config = render_config(workspace, f"epochs: 10\nscheduler: {scheduler}")
    assert error_lines(result) == [f"error: {config}: {message}"]


# -- 17/18. output paths -----------------------------------------------------------------------


def test_outputs_may_not_escape_through_a_symlink(workspace: Path) -> None:
    outside = workspace / "outside"
    outside.mkdir()
    (workspace / "out" / "link").symlink_to(outside)
    out = workspace / "out"
    assert_config_error(
        workspace,
        "outputs: [link/x.csv]\n" + GOOD,
        f"outputs[0] (line 1): 'link/x.csv' escapes the output folder {out} through a symlink",
    )
    assert list(outside.iterdir()) == []


def test_a_symlink_at_the_target_is_replaced_not_followed(workspace: Path) -> None:
    victim = workspace / "victim.txt"
    victim.write_text("keep me")
    (workspace / "out" / "x.csv").symlink_to(victim)
    config = workspace / "c.yaml"
    config.write_text("outputs: [x.csv]\n" + GOOD)
    result = runner.invoke(app, ["render", str(config), "-d", str(workspace / "out")])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "keep me"
    assert not (workspace / "out" / "x.csv").is_symlink()


def test_a_path_typed_on_the_command_line_is_the_users_to_choose(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "x.csv"
    target.parent.mkdir()
    result = runner.invoke(app, ["step", "--step-size", "2", "-n", "4", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text().splitlines()[1] == "0,0.0,0.001,0.0"  # step,epoch,lr,momentum


def test_an_existing_directory_as_output(workspace: Path) -> None:
    # out/c.pdf is a folder: nothing is written, not even the formats before it.
    (workspace / "out" / "c.pdf").unlink()
    (workspace / "out" / "c.pdf").mkdir()
    assert_config_error(workspace, GOOD, f"{workspace / 'out' / 'c.pdf'}: is a directory")


def test_an_existing_directory_named_by_outputs(workspace: Path) -> None:
    (workspace / "out" / "figs.png").mkdir()
    assert_config_error(
        workspace,
        "outputs: [new.csv, figs.png]\n" + GOOD,
        f"{workspace / 'out' / 'figs.png'}: is a directory",
    )


def test_an_existing_directory_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "d.png").mkdir()
    before = snapshot(tmp_path)
    result = runner.invoke(
        app,
        ["step", "--step-size", "2", "-o", str(tmp_path / "x.csv"), "-o", str(tmp_path / "d.png")],
    )
    assert_clean_failure(result)
    assert result.stderr == f"error: lrplot step: {tmp_path / 'd.png'}: is a directory\n"
    assert snapshot(tmp_path) == before


def test_a_name_too_long_on_the_command_line(tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    name = tmp_path / ("a" * 300 + ".csv")
    result = runner.invoke(app, ["step", "--step-size", "2", "-o", str(name)])
    assert_clean_failure(result)
    assert result.stderr == f"error: lrplot step: {name}: cannot write: File name too long\n"
    assert snapshot(tmp_path) == before


def test_two_configs_writing_one_file(workspace: Path) -> None:
    for folder in ("a", "b"):
        (workspace / folder).mkdir()
        (workspace / folder / "c.yaml").write_text(GOOD)
    before = snapshot(workspace)
    result = runner.invoke(
        app, ["render", str(workspace / "a"), str(workspace / "b"), "-d", str(workspace / "out")]
    )
    assert_clean_failure(result)
    out = workspace / "out" / "c.png"
    assert result.stderr == (
        f"error: {workspace / 'b' / 'c.yaml'} and {workspace / 'a' / 'c.yaml'} would both write "
        f"{out}; rename one or set `outputs:`\n"
    )
    assert snapshot(workspace) == before


def test_two_configs_naming_one_output(workspace: Path) -> None:
    (workspace / "one.yaml").write_text("outputs: shared.csv\n" + GOOD)
    (workspace / "two.yaml").write_text("outputs: [other.csv, Shared.csv]\n" + GOOD)
    before = snapshot(workspace)
    result = runner.invoke(
        app,
        [
            "render",
            str(workspace / "one.yaml"),
            str(workspace / "two.yaml"),
            "-d",
            str(workspace / "out"),
        ],
    )
    assert_clean_failure(result)
    assert "would both write" in result.stderr  # case-insensitive file systems collide too
    assert snapshot(workspace) == before


# -- 19. a title whose mathtext does not parse ---------------------------------------------------


def test_broken_mathtext_leaves_every_existing_figure_untouched(workspace: Path) -> None:
    result, config = render_config(workspace, "title: '$\\frac{1}{$'\n" + GOOD)
    (line,) = error_lines(result)
    assert line.startswith(f"error: {config}: title (line 1): cannot draw the figure: ")
    assert "Expected \\frac{num}{den}" in line


def test_broken_mathtext_in_a_label(workspace: Path) -> None:
    text = (
        "epochs: 5\ncurves:\n  - {label: ok, scheduler: {type: exponential, gamma: 0.9}}\n"
        "  - {label: '$x^$', scheduler: {type: exponential, gamma: 0.8}}\n"
    )
    result, config = render_config(workspace, text)
    (line,) = error_lines(result)
    assert line.startswith(f"error: {config}: curves[1].label (line 4): cannot draw the figure")


def test_broken_mathtext_on_the_command_line(workspace: Path) -> None:
    out = workspace / "out"
    before = snapshot(workspace)
    args = ["exponential", "--gamma", "0.9", "--title", "$\\frac{1}{$"]
    for fmt in FORMATS:
        args += ["-o", str(out / f"c.{fmt}")]
    result = runner.invoke(app, args)
    assert_clean_failure(result)
    assert result.stderr.startswith("error: lrplot exponential: --title: cannot draw the figure")
    assert result.stderr.count("\n") == 1
    assert snapshot(workspace) == before


# -- 20. an unwritable folder, a full disk -------------------------------------------------------


def test_unwritable_folder(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, which ignores permissions: make the folder refuse new files instead.
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    out = workspace / "out"
    assert_config_error(
        workspace, GOOD, f"{out / 'c.png'}: cannot write to {out}: Permission denied"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_folder(workspace: Path) -> None:
    out = workspace / "out"
    out.chmod(0o555)
    try:
        assert_config_error(
            workspace, GOOD, f"{out / 'c.png'}: cannot write to {out}: Permission denied"
        )
    finally:
        out.chmod(0o755)


class FullDisk:
    """A file object on a disk with ``budget[0]`` bytes left: past that, ENOSPC."""

    def __init__(self, stream: Any, budget: list[int]) -> None:
        self.stream, self.budget = stream, budget

    def write(self, data: bytes) -> int:
        if len(data) > self.budget[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.budget[0] -= len(data)
        return int(self.stream.write(data))

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def fill_disk(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    real_fdopen = os.fdopen
    budget = [room]

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return FullDisk(real_fdopen(fd, mode, *args, **kwargs), budget)

    monkeypatch.setattr(output.os, "fdopen", fdopen)


@pytest.mark.parametrize("full_at", ["png", "csv"])  # the first and the last staged
def test_full_disk(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, previous: dict[str, bytes], full_at: str
) -> None:
    # Outputs are staged in the order of --format: room for the ones before `full_at` only.
    fill_disk(monkeypatch, sum(len(previous[f]) for f in FORMATS[: FORMATS.index(full_at)]))
    result, config = render_config(workspace, GOOD)
    (line,) = error_lines(result)
    target = workspace / "out" / f"c.{full_at}"
    assert line == f"error: {config}: {target}: cannot write: No space left on device"


def test_full_disk_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.csv").write_text("old csv")
    (tmp_path / "x.svg").write_text("old svg")
    fill_disk(monkeypatch, 2000)  # the CSV (about 1 kB) fits, the SVG does not
    before = snapshot(tmp_path)
    args = ["step", "--step-size", "2", "-n", "20", "-o", str(tmp_path / "x.csv")]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "x.svg")])
    assert_clean_failure(result)
    assert result.stderr == (
        f"error: lrplot step: {tmp_path / 'x.svg'}: cannot write: No space left on device\n"
    )
    assert snapshot(tmp_path) == before


# -- 21. a log-scale axis with lr <= 0 -----------------------------------------------------------


# (The drawing itself, lrplot.plot with log_y, is tested in test_plot.py.)


@pytest.mark.parametrize(
    ("lr_lambda", "count"),
    # (an lr that is never above 0 is an error on a log axis: test_hardening_data.py)
    [("'1 - epoch / 10 if epoch <= 10 else 0.5'", 1), ("'0 if epoch < 11 else 1'", 11)],
)
def test_log_axis_with_lr_zero_masks_and_says_so(
    workspace: Path, lr_lambda: str, count: int
) -> None:
    config = workspace / "c.yaml"
    config.write_text(
        f"epochs: 12\nplot: {{log_y: true}}\nscheduler: {{type: lambda, lr_lambda: {lr_lambda}}}"
    )
    out = workspace / "out"
    result = runner.invoke(app, ["render", str(config), "-d", str(out), "-f", "png,csv"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {config}: log scale: {count} point(s) with lr <= 0 are not drawn",
        "rendered 1, skipped 0, failed 0",
    ]
    assert (out / "c.png").read_bytes().startswith(b"\x89PNG")
    lrs = [float(row.split(",")[2]) for row in (out / "c.csv").read_text().splitlines()[1:]]
    assert lrs.count(0.0) == count  # the CSV keeps every value


# -- a batch: every bad config is reported, the good one still renders ---------------------------


def test_a_batch_of_every_bad_config_still_renders_the_good_one(tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    for i, (text, _) in enumerate(CASES.values()):
        (configs / f"bad{i:03}.yaml").write_bytes(text.encode() if isinstance(text, str) else text)
    (configs / "good.yaml").write_text(GOOD)
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(configs), "-d", str(out), "-f", "csv"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = error_lines(result)
    assert len(errors) == len(CASES)
    for i, (_, message) in enumerate(CASES.values()):
        assert f"error: {configs / f'bad{i:03}.yaml'}: {message}" in errors
    assert result.stderr.splitlines()[-1] == f"rendered 1, skipped 0, failed {len(CASES)}"
    assert sorted(p.name for p in out.iterdir()) == [".lrplot-manifest.json", "good.csv"]


# -- 22. legal but suspicious input is a warning, not an error ---------------------------------

# tests/cases/warnings/<case>.yaml renders with exactly the warning in <case>.expected.
WARNINGS = golden.load("warnings")


@pytest.mark.parametrize(("text", "message"), WARNINGS.values(), ids=WARNINGS.keys())
def test_suspicious_input_warns_and_still_renders(
    tmp_path: Path, text: bytes, message: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_bytes(text)
    assert [str(w) for w in lrplot.load_spec(config).warnings] == [f"{config}: {message}"]
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(config), "-d", str(out), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {config}: {message}",
        "rendered 1, skipped 0, failed 0",
    ]
    assert (out / "c.csv").is_file()


def test_a_warning_on_the_command_line_names_the_flag(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    result = runner.invoke(app, ["exponential", "--gamma", "1.1", "-n", "5", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"wrote {target}",
        "warning: lrplot exponential: --gamma: gamma 1.1 is above 1, so the lr grows instead of "
        "decaying (fine for an LR range test)",
    ]
    assert [line.split(",")[2] for line in target.read_text().splitlines()[1:3]] == [
        "0.001",
        repr(0.001 * 1.1),
    ]


def test_sensible_configs_do_not_warn() -> None:
    warned = {
        path.name: [str(w) for w in lrplot.load_spec(path, allow_import=EXAMPLES_ALLOW).warnings]
        for path in examples()  # tests/test_timm.py loads the timm ones
    }
    # Every example fits its run (tests/test_horizons.py checks the simulation too).
    assert {name for name, found in warned.items() if found} == set()


def test_outputs_are_0644_whatever_the_umask_and_leave_no_temp_files(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        result = runner.invoke(
            app,
            [
                "step",
                "--step-size",
                "2",
                "-o",
                str(tmp_path / "a.csv"),
                "-o",
                str(tmp_path / "a.svg"),
            ],
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.svg"]
    assert {(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {0o644}
