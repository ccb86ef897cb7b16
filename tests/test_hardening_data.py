"""Issue 17, wrong output without an error, and memory: CSV text cells, `lrplot code` with
non-finite numbers, a log axis with no lr above 0, and the peak memory of a long render.

Every case goes through the command line (CliRunner, or a subprocess where a process's own
numbers count), as tests/test_bad_inputs.py does.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_bad_inputs import assert_clean_failure, error_lines, snapshot
from typer.testing import CliRunner, Result

import lrplot
from lrplot.cli import app

runner = CliRunner()
ROOT = Path(lrplot.__file__).resolve().parent.parent  # the lrplot under test, for subprocesses


def render(folder: Path, text: str, *args: str) -> Result:
    """``lrplot render c.yaml`` of ``text``, writing into ``folder`` unless ``args`` say where."""
    (folder / "c.yaml").write_text(text)
    where = [] if {"-d", "-o"} & set(args) else ["-d", str(folder)]
    return runner.invoke(app, ["render", str(folder / "c.yaml"), *where, *args])


# -- 1. CSV text cells ---------------------------------------------------------------------------

LABELS = [
    'a, "b"',
    "two\nlines",
    "carriage\rreturn",
    "crlf\r\nend",
    '"',
    "=1+2",
    "+SUM(A1)",
    "-2",
    "@cmd",
    " spaced ",
    "tab\there",
]


def labelled(labels: list[str], outputs: str = "[c.csv]") -> str:
    curves = "".join(
        f"  - {{label: {json.dumps(label)}, scheduler: {{type: step, step_size: {i + 1}}}}}\n"
        for i, label in enumerate(labels)
    )
    return f"epochs: 3\noptimizer: {{type: SGD, lr: 0.1}}\noutputs: {outputs}\ncurves:\n{curves}"


def test_csv_labels_read_back_exactly(tmp_path: Path) -> None:
    result = render(tmp_path, labelled(LABELS))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[:2] == ["curve", "step"]
    assert {len(row) for row in rows} == {len(header)}
    assert [row[0] for row in rows[1:]] == [label for label in LABELS for _ in range(3)]
    assert [row[1] for row in rows[1:]] == ["0", "1", "2"] * len(LABELS)


def test_a_quoted_csv_replays_as_a_metric(tmp_path: Path) -> None:
    """lrplot's own CSV reader (metric: {file: ...}) reads a CSV with quoted labels back."""
    result = render(tmp_path, labelled(["two\nlines", 'a, "b"']))
    assert result.exit_code == 0, result.output
    text = (
        "epochs: 6\nscheduler: {type: plateau, patience: 0}\n"
        "metric: {file: c.csv, column: lr}\noutputs: [p.csv]\n"
    )
    result = render(tmp_path, text)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "p.csv").read_text())))
    first, second = [0.1, 0.01, 0.001], [0.1, 0.1, 0.01]  # step_size 1 and 2, gamma 0.1
    assert [float(row["metric"]) for row in rows] == pytest.approx(first + second, rel=1e-12)


# -- 2. `lrplot code` with nan and inf --------------------------------------------------------

NON_FINITE = {
    # a replayed or written metric holds nan and inf (torch takes them), padded to the run
    "metric": (
        "epochs: 12\noptimizer: {type: SGD, lr: 0.1}\n"
        "scheduler: {type: plateau, patience: 0, min_lr: 0.001}\n"
        "metric: {values: [1.0, .nan, .inf, -.inf, 0.5], pad: last}\n"
    ),
    # an expression literal that overflows to inf (the lr itself stays finite)
    "expression": (
        "epochs: 8\noptimizer: {type: SGD, lr: 0.1}\n"
        'scheduler: {type: lambda, lr_lambda: "min(1, 1e999) * 0.5 ** epoch if epoch < 1e400 '
        'else 0"}\n'
    ),
    "scale_fn": (
        "epochs: 12\noptimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n"
        "scheduler: {type: cyclic, base_lr: 0.01, max_lr: 0.1, step_size_up: 3, "
        'scale_fn: "1 / (1 + x / 1e999)"}\n'
    ),
}

RUN_SCRIPT = """
import json, runpy, sys
namespace = runpy.run_path(sys.argv[1])
print(json.dumps(namespace["lrs"]))
"""


@pytest.mark.parametrize("text", NON_FINITE.values(), ids=NON_FINITE.keys())
def test_code_runs_with_nan_and_inf(tmp_path: Path, text: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    code = runner.invoke(app, ["code", str(config)])
    assert code.exit_code == 0, code.output
    script = tmp_path / "script.py"
    script.write_text(code.stdout)
    done = subprocess.run(
        [sys.executable, "-c", RUN_SCRIPT, str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lrs = json.loads(done.stdout.splitlines()[-1])
    result = runner.invoke(app, ["render", str(config), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "x.csv").read_text())))
    assert [[float(row["lr"])] for row in rows] == lrs


# -- 3. a log axis of an lr that reaches 0 ------------------------------------------------------

FIGURES = ("png", "svg", "pdf")
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}
UNDERFLOWS = {
    "multiplicative": "epochs: 2000\nscheduler: {type: multiplicative, lr_lambda: '0.5'}\n",
    "exponential": "epochs: 400\noptimizer: {type: SGD, lr: 0.1}\n"
    "scheduler: {type: exponential, gamma: 0.1}\n",
    "zero-at-start": "epochs: 10\nscheduler: {type: lambda, lr_lambda: '0 if epoch < 1 else 1'}\n",
}


@pytest.mark.parametrize("fmt", FIGURES)
@pytest.mark.parametrize("text", UNDERFLOWS.values(), ids=UNDERFLOWS.keys())
@pytest.mark.parametrize("how", ["yaml", "flag"])
def test_log_axis_of_an_lr_that_reaches_zero_renders(
    tmp_path: Path, text: str, fmt: str, how: str
) -> None:
    text += "plot: {log_y: true}\n" if how == "yaml" else ""
    flags = ["--log-y"] if how == "flag" else []
    result = render(tmp_path, text, "-d", str(tmp_path / "out"), "-f", fmt, *flags)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "point(s) with lr <= 0 are not drawn" in result.stderr
    data = (tmp_path / "out" / f"c.{fmt}").read_bytes()
    assert data.startswith(MAGIC[fmt]) and len(data) > 5000


@pytest.mark.parametrize("fmt", FIGURES)
@pytest.mark.parametrize("name", ["multiplicative", "exponential"])
def test_automatic_log_axis_of_an_underflow_renders(tmp_path: Path, name: str, fmt: str) -> None:
    """Neither log_y nor a flag: lrplot picks the log axis itself, and still renders."""
    result = render(tmp_path, UNDERFLOWS[name], "-d", str(tmp_path), "-f", fmt)
    assert result.exit_code == 0, result.output
    assert "point(s) with lr <= 0 are not drawn" in result.stderr
    assert (tmp_path / f"c.{fmt}").read_bytes().startswith(MAGIC[fmt])


ALL_ZERO = {
    "lambda": "epochs: 10\nscheduler: {type: lambda, lr_lambda: '0'}\n",
    "curves": "epochs: 10\ncurves:\n  - {label: a, scheduler: {type: lambda, lr_lambda: '0'}}\n"
    "  - {label: b, scheduler: {type: lambda, lr_lambda: '0 * epoch'}}\n",
}
ALL_ZERO_MESSAGE = (
    "every lr of the run is <= 0, so a log axis has nothing to draw; "
    "draw it linear (--linear-y, or plot: {log_y: false})"
)


@pytest.mark.parametrize("fmt", FIGURES)
@pytest.mark.parametrize("text", ALL_ZERO.values(), ids=ALL_ZERO.keys())
def test_log_axis_with_no_lr_above_zero_is_an_error(tmp_path: Path, text: str, fmt: str) -> None:
    """Not an empty frame: exit 2, saying why, and nothing written."""
    lines = text.count("\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / f"c.{fmt}").write_bytes(b"earlier")
    before = snapshot(tmp_path / "out")
    text += "plot: {log_y: true}\n"
    result = render(tmp_path, text, "-d", str(tmp_path / "out"), "-f", fmt)
    assert_clean_failure(result)
    config = tmp_path / "c.yaml"
    assert error_lines(result) == [
        f"error: {config}: plot.log_y (line {lines + 1}): {ALL_ZERO_MESSAGE}"
    ]
    assert snapshot(tmp_path / "out") == before


def test_log_flag_with_no_lr_above_zero_names_the_flag(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    result = runner.invoke(app, ["lambda", "--lr-lambda", "0", "--log-y", "-o", str(out)])
    assert_clean_failure(result)
    assert error_lines(result) == [f"error: lrplot lambda: --log-y: {ALL_ZERO_MESSAGE}"]
    assert not out.exists()


def test_auto_axis_of_an_all_zero_lr_is_linear(tmp_path: Path) -> None:
    result = render(tmp_path, ALL_ZERO["lambda"], "-d", str(tmp_path), "-f", "svg")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.svg").read_bytes().startswith(MAGIC["svg"])


# -- 4. memory ----------------------------------------------------------------------------------

# Started from a small fresh interpreter, as bench/bench.py does: the child's own peak.
PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.write(done.stderr.decode()[-2000:])
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
PLATEAU = (
    "epochs: {epochs}\noptimizer: {{type: SGD, lr: 0.1}}\n"
    "scheduler: {{type: plateau, patience: 10}}\n"
    "metric: {{values: [1.0, 0.9, 0.8], pad: last}}\n"
)
ROWS = 1_500_000
# Measured on 2026-12-01 (a busy 2-core machine, 22 s for this test): the 1.5M-step run grew
# the peak by 94 MiB over a 10-step one before the fix (the padded metric as a list, then a
# tuple, then a Python list of floats for the scheduler, and the CSV read back whole to hash
# it) and by 29 MiB after (the lr and the metric, 11 MiB each, and chunks).
GROWTH_MIB = 60


def peak_mib(folder: Path, epochs: int) -> float:
    config = folder / f"run{epochs}.yaml"
    config.write_text(PLATEAU.format(epochs=epochs))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    argv = [sys.executable, "-m", "lrplot", "render", str(config), "-f", "csv"]
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=300,
    )
    returncode, kib = (int(v) for v in done.stdout.split())
    assert returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return kib / 1024


def test_long_plateau_render_stays_small(tmp_path: Path) -> None:
    """A padded metric over 1.5M steps, rendered to CSV by `lrplot render`: the peak grows by the
    arrays the curve needs, not by Python lists of them or by the whole CSV read back."""
    small = peak_mib(tmp_path, 10)
    large = peak_mib(tmp_path, ROWS)
    with open(tmp_path / f"run{ROWS}.csv") as handle:
        assert sum(1 for _ in handle) == ROWS + 1
    assert large - small < GROWTH_MIB, f"{small:.0f} MiB -> {large:.0f} MiB"
    assert math.isfinite(large)
