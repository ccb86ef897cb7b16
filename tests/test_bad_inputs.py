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

import pytest
from typer.testing import CliRunner, Result

import lrplot
from lrplot.cli import app
from lrplot.config import yamlload
from lrplot.model import MAX_STEPS
from lrplot.outputs import files as output

runner = CliRunner()
FORMATS = ("png", "svg", "pdf", "csv")
GOOD = "epochs: 10\nscheduler: {type: exponential, gamma: 0.9}\n"


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) under ``root``."""
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real outputs of an earlier, good render: what a failed run must leave alone."""
    folder = tmp_path_factory.mktemp("previous")
    (folder / "c.yaml").write_text(GOOD)
    result = runner.invoke(
        app, ["render", str(folder / "c.yaml"), "-d", str(folder), "-f", ",".join(FORMATS)]
    )
    assert result.exit_code == 0, result.output
    return {fmt: (folder / f"c.{fmt}").read_bytes() for fmt in FORMATS}


@pytest.fixture
def workspace(tmp_path: Path, previous: dict[str, bytes]) -> Path:
    """tmp_path with out/c.{png,svg,pdf,csv} already rendered, as a user's folder would be."""
    out = tmp_path / "out"
    out.mkdir()
    for fmt, data in previous.items():
        (out / f"c.{fmt}").write_bytes(data)
    return tmp_path


def render_config(workspace: Path, text: str | bytes) -> tuple[Result, Path]:
    config = workspace / "c.yaml"
    config.write_bytes(text.encode() if isinstance(text, str) else text)
    before = snapshot(workspace)
    result = runner.invoke(
        app, ["render", str(config), "-d", str(workspace / "out"), "-f", ",".join(FORMATS)]
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


# One case per checklist item (and per variant the item names): (config, expected message).
CASES: dict[str, tuple[str | bytes, str]] = {
    # 1. numbers: a string or a boolean in a numeric field is an error; 1e-3 is a number
    "1-quoted-number": (
        "optimizer: {lr: '1e-3'}\nscheduler: {type: exponential, gamma: 0.9}",
        "optimizer.lr (line 1): must be a number, got string '1e-3'",
    ),
    "1-boolean-in-number": (
        "optimizer: {lr: true}\nscheduler: {type: exponential, gamma: 0.9}",
        "optimizer.lr (line 1): must be a number, got boolean True",
    ),
    "1-yaml11-on": (
        "scheduler: {type: cosine, T_max: on}",
        "scheduler.T_max (line 1): must be an integer, got string 'on'",
    ),
    "1-yaml11-no": (
        "scheduler:\n  type: exponential\n  gamma: no",
        "scheduler.gamma (line 3): must be a number, got string 'no'",
    ),
    "1-sexagesimal": (
        "scheduler: {type: step, step_size: 1:30}",
        "scheduler.step_size (line 1): must be an integer, got string '1:30'",
    ),
    "1-negative-exponent-is-a-number": (
        "scheduler: {type: cosine, T_max: 10, eta_min: -1e-3}",
        "scheduler.eta_min (line 1): must be >= 0, got -0.001",
    ),
    # 2. duplicate keys, naming both lines
    "2-duplicate-top": (
        "epochs: 10\nscheduler: {type: cosine, T_max: 5}\nepochs: 20",
        "epochs (line 3): duplicate key 'epochs' (first on line 1)",
    ),
    "2-duplicate-nested": (
        "scheduler:\n  type: cosine\n  T_max: 10\n  T_max: 20",
        "scheduler.T_max (line 4): duplicate key 'T_max' (first on line 3)",
    ),
    # 3. anchors, aliases, merge keys
    "3-anchor": (
        "base: &base {type: cosine, T_max: 5}\nscheduler: *base",
        "line 1: anchors (&name) are not allowed",
    ),
    "3-alias": ("scheduler: *nowhere", "line 1: aliases (*name) are not allowed"),
    "3-merge": (
        "scheduler:\n  <<: {type: cosine}\n  T_max: 5",
        "scheduler (line 2): merge keys (<<) are not allowed",
    ),
    "3-billion-laughs": (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "line 1: anchors (&name) are not allowed",
    ),
    # 4. depth, node count and size caps (the node cap itself: test_node_cap below)
    "4-deep-flow": ("scheduler: " + "[" * 1000, "line 1: nested deeper than 20 levels"),
    "4-deep-block": (
        "a:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(25)) + " " * 27 + "1",
        "line 20: nested deeper than 20 levels",
    ),
    "4-too-large": ("title: " + "x" * 1_000_000, "the file is larger than 1000000 bytes"),
    # 5. tags
    "5-python-tag": (
        "scheduler: !!python/object/apply:os.system ['touch pwned']",
        "scheduler (line 1): the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
        "allowed",
    ),
    "5-python-name": (
        "scheduler: {type: !!python/name:os.system x}",
        "scheduler.type (line 1): the tag 'tag:yaml.org,2002:python/name:os.system' is not "
        "allowed; only plain YAML values are",
    ),
    "5-custom-tag": (
        "scheduler: !cosine {T_max: 5}",
        "scheduler (line 1): the tag '!cosine' is not allowed",
    ),
    "5-int-odd": (
        "scheduler: {type: cosine, T_max: !!int ten}",
        "scheduler.T_max (line 1): cannot read 'ten' as int",
    ),
    "5-int-empty": (
        "scheduler:\n  type: cosine\n  T_max: !!int\n",
        "scheduler.T_max (line 3): cannot read '' as int",
    ),
    "5-bool-odd": (
        "scheduler: {type: cyclic, base_lr: 0.01, max_lr: 0.1, cycle_momentum: !!bool maybe}",
        "scheduler.cycle_momentum (line 1): 'maybe' is not a boolean (use true or false)",
    ),
    "5-timestamp": (
        "scheduler: {type: cosine, T_max: !!timestamp 2024-01-02}",
        "scheduler.T_max (line 1): the tag 'tag:yaml.org,2002:timestamp' is not allowed; only "
        "plain YAML values are",
    ),
    "5-impossible-date": (
        "scheduler: {type: cosine, T_max: 2024-02-30}",
        "scheduler.T_max (line 1): must be an integer, got string '2024-02-30'",
    ),
    # 6. empty, several documents, not a mapping, invalid UTF-8, syntax errors with the line
    "6-empty": ("", "the file is empty"),
    "6-only-comments": ("# nothing here\n", "the file is empty"),
    "6-documents": (
        "scheduler: {type: cosine, T_max: 5}\n---\nepochs: 3",
        "line 2: the file holds more than one YAML document",
    ),
    "6-list": (
        "- scheduler: cosine",
        "line 1: the top level must be a mapping (key: value), got list",
    ),
    "6-scalar": ("cosine", "line 1: the top level must be a mapping (key: value), got string"),
    "6-utf8": (b"title: ok\nscheduler: {type: \xff}", "line 2: the file is not valid UTF-8"),
    "6-syntax": (
        "epochs: 10\nscheduler: {type: cosine,\n",
        "line 3: invalid YAML: expected the node content, but found '<stream end>'",
    ),
    "6-tab": (
        "scheduler:\n\ttype: cosine",
        "line 2: invalid YAML: found character '\\t' that cannot start any token",
    ),
    # 7. unknown scheduler or optimizer; torch attributes that are not schedulers
    "7-scheduler": (
        "scheduler: {type: CosineAnealingLR, T_max: 5}",
        "scheduler.type (line 1): unknown scheduler 'CosineAnealingLR'; did you mean "
        "CosineAnnealingLR?",
    ),
    "7-LRScheduler": (
        "scheduler: {type: LRScheduler}",
        "scheduler.type (line 1): unknown scheduler 'LRScheduler'; did you mean ChainedScheduler?",
    ),
    "7-partial": ("scheduler: partial", "scheduler.type (line 1): unknown scheduler 'partial'"),
    "7-Optimizer": (
        "scheduler: {type: Optimizer}",
        "scheduler.type (line 1): unknown scheduler 'Optimizer'",
    ),
    "7-optimizer": (
        "optimizer: Adamm\nscheduler: {type: cosine, T_max: 5}",
        "optimizer.type (line 1): unknown optimizer 'Adamm'; did you mean Adam?",
    ),
    # 8. unknown or missing keyword arguments
    "8-unknown-kwarg": (
        "scheduler:\n  type: cosine\n  T_mx: 5",
        "scheduler.T_mx (line 3): unknown argument 'T_mx' for CosineAnnealingLR; did you mean "
        "T_max?",
    ),
    "8-unknown-optimizer-kwarg": (
        "optimizer: {lr: 0.1, momentun: 0.9}\nscheduler: {type: cosine, T_max: 5}",
        "optimizer.momentun (line 1): unknown argument 'momentun' for SGD; did you mean momentum?",
    ),
    "8-unknown-top-level": (
        "epoch: 10\nscheduler: {type: cosine, T_max: 5}",
        "epoch (line 1): unknown key 'epoch'; did you mean epochs?",
    ),
    "8-missing": ("scheduler: {type: step}", "scheduler (line 1): StepLR needs 'step_size'"),
    "8-verbose-removed": (
        "scheduler: {type: step, step_size: 3, verbose: true}",
        "scheduler.verbose (line 1): unknown argument 'verbose' for StepLR (StepLR takes: "
        "step_size, gamma)",
    ),
    # 9. milestones
    "9-string": (
        "scheduler: {type: multistep, milestones: '30, 80'}",
        "scheduler.milestones (line 1): must be a list of integers such as [30, 60], got string "
        "'30, 80'",
    ),
    "9-single-int": (
        "scheduler: {type: multistep, milestones: 30}",
        "scheduler.milestones (line 1): must be a list of integers such as [30, 60], got "
        "integer 30",
    ),
    "9-unsorted": (
        "scheduler: {type: multistep, milestones: [60, 30]}",
        "scheduler.milestones[1] (line 1): milestones must be strictly increasing; 30 is smaller "
        "than the one before",
    ),
    "9-negative": (
        "scheduler: {type: multistep, milestones: [-5, 30]}",
        "scheduler.milestones[0] (line 1): must be >= 0, got -5",
    ),
    "9-duplicate": (
        "scheduler:\n  type: multistep\n  milestones:\n    - 30\n    - 30",
        "scheduler.milestones[1] (line 5): milestones must be strictly increasing; 30 repeats",
    ),
    "9-float": (
        "scheduler: {type: multistep, milestones: [30, 60.5]}",
        "scheduler.milestones[1] (line 1): must be an integer, got number 60.5",
    ),
    # 11. lr, gamma, factor: NaN, inf, wrong sign; ConstantLR factor 0; PolynomialLR power < 0
    "11-lr-nan": (
        "optimizer: {lr: .nan}\nscheduler: {type: exponential, gamma: 0.9}",
        "optimizer.lr (line 1): must be a finite number, got nan",
    ),
    "11-lr-inf": (
        "optimizer: {lr: .inf}\nscheduler: {type: exponential, gamma: 0.9}",
        "optimizer.lr (line 1): must be a finite number, got inf",
    ),
    "11-lr-negative": (
        "optimizer: {lr: -0.1}\nscheduler: {type: exponential, gamma: 0.9}",
        "optimizer.lr (line 1): must be > 0, got -0.1",
    ),
    "11-lr-zero": (
        "optimizer: {lr: 0}\nscheduler: {type: exponential, gamma: 0.9}",
        "optimizer.lr (line 1): must be > 0, got 0",
    ),
    "11-group-lr": (
        "optimizer:\n  param_groups:\n    - {lr: 0.1}\n    - {lr: -0.1}\n"
        "scheduler: {type: exponential, gamma: 0.9}",
        "optimizer.param_groups[1].lr (line 4): must be > 0, got -0.1",
    ),
    "11-gamma-nan": (
        "scheduler: {type: exponential, gamma: .nan}",
        "scheduler.gamma (line 1): must be a finite number, got nan",
    ),
    "11-gamma-negative": (
        "scheduler: {type: step, step_size: 3, gamma: -1}",
        "scheduler.gamma (line 1): must be > 0, got -1",
    ),
    "11-constant-factor-0": (
        "scheduler: {type: constant, factor: 0}",
        "scheduler.factor (line 1): must be > 0, got 0",
    ),
    "11-constant-factor-above-1": (
        "scheduler: {type: constant, factor: 2}",
        "scheduler.factor (line 1): must be in (0, 1], got 2.0",
    ),
    "11-plateau-factor": (
        "scheduler: {type: plateau, factor: 1.5}",
        "scheduler.factor (line 1): must be < 1, got 1.5",
    ),
    "11-polynomial-power": (
        "scheduler: {type: polynomial, total_iters: 5, power: -1}",
        "scheduler.power (line 1): must be >= 0, got -1",
    ),
    "11-cyclic-base-above-max": (
        "scheduler: {type: cyclic, base_lr: 0.2, max_lr: 0.1}",
        "scheduler.base_lr (line 1): base_lr 0.2 is above max_lr 0.1",
    ),
    "11-onecycle-max-lr-inf": (
        "scheduler: {type: onecycle, max_lr: .inf}",
        "scheduler.max_lr (line 1): must be a finite number, got inf",
    ),
    # 12. epochs / steps_per_epoch
    "12-epochs-0": (
        "epochs: 0\nscheduler: {type: exponential, gamma: 0.9}",
        "epochs (line 1): must be a positive integer, got 0",
    ),
    "12-epochs-negative": (
        "epochs: -3\nscheduler: {type: exponential, gamma: 0.9}",
        "epochs (line 1): must be a positive integer, got -3",
    ),
    "12-epochs-float": (
        "epochs: 2.5\nscheduler: {type: exponential, gamma: 0.9}",
        "epochs (line 1): must be a positive integer, got number 2.5",
    ),
    "12-epochs-string": (
        "epochs: ten\nscheduler: {type: exponential, gamma: 0.9}",
        "epochs (line 1): must be a positive integer, got string 'ten'",
    ),
    "12-steps-per-epoch-0": (
        "steps_per_epoch: 0\nscheduler: {type: exponential, gamma: 0.9}",
        "steps_per_epoch (line 1): must be a positive integer, got 0",
    ),
    "12-above-cap": (
        f"epochs: {MAX_STEPS // 10 + 1}\nsteps_per_epoch: 10\n"
        "scheduler: {type: exponential, gamma: 0.9}",
        f"epochs (line 1): {MAX_STEPS // 10 + 1} epochs x 10 steps is {MAX_STEPS + 10} steps, "
        f"more than the limit of {MAX_STEPS}",
    ),
    "12-astronomical": (
        "epochs: 1000000000000000000000000000000\nscheduler: {type: exponential, gamma: 0.9}",
        "epochs (line 1): 1000000000000000000000000000000 epochs x 1 steps is "
        "1000000000000000000000000000000 steps, more than the limit of 20000000",
    ),
    "12-param-groups-x-steps": (
        "epochs: 10000000\noptimizer: {param_groups: [{lr: 0.1}, {lr: 0.2}, {lr: 0.3}]}\n"
        "scheduler: {type: exponential, gamma: 0.9}",
        "optimizer.param_groups (line 2): the figure would compute 30000000 lr values (steps x "
        "param groups, over all curves), more than the limit of 20000000",
    ),
    "12-curves-x-steps": (
        "epochs: 8000000\ncurves:\n  - {label: a, scheduler: {type: exponential, gamma: 0.9}}\n"
        "  - {label: b, scheduler: {type: exponential, gamma: 0.8}}\n"
        "  - {label: c, scheduler: {type: exponential, gamma: 0.7}}\n",
        "curves (line 2): the figure would compute 24000000 lr values (steps x param groups, "
        "over all curves), more than the limit of 20000000",
    ),
    # 13. OneCycleLR shorter than the run
    "13-total-steps": (
        "epochs: 10\nscheduler: {type: onecycle, max_lr: 0.1, total_steps: 5}",
        "scheduler (line 2): OneCycleLR allows 5 scheduler steps, but the run takes 10 (epoch "
        "interval); leave total_steps out to fit the run",
    ),
    "13-interval-step": (
        "epochs: 10\nsteps_per_epoch: 4\ninterval: step\n"
        "scheduler: {type: onecycle, max_lr: 0.1, total_steps: 10}",
        "scheduler (line 4): OneCycleLR allows 10 scheduler steps, but the run takes 40 (step "
        "interval); leave total_steps out to fit the run",
    ),
    # 14. ReduceLROnPlateau nested; metric values short or not numbers
    "14-in-sequential": (
        "scheduler:\n  type: sequential\n  milestones: [5]\n  schedulers:\n"
        "    - {type: linear, total_iters: 5}\n    - {type: plateau}",
        "scheduler.schedulers[1] (line 6): ReduceLROnPlateau cannot be nested in SequentialLR "
        "or ChainedScheduler (torch rejects it)",
    ),
    "14-in-chained": (
        "scheduler: {type: chained, schedulers: [{type: plateau}]}",
        "scheduler.schedulers[0] (line 1): ReduceLROnPlateau cannot be nested in SequentialLR "
        "or ChainedScheduler (torch rejects it)",
    ),
    "14-metric-short": (
        "epochs: 5\nscheduler: {type: plateau}\nmetric: {values: [1.0, 0.9]}",
        "metric.values (line 3): has 2 values but the run takes 5 scheduler steps (one value per "
        "epoch); shorten the run, or set pad: last to repeat the last value",
    ),
    "14-metric-not-numbers": (
        "epochs: 3\nscheduler: {type: plateau}\nmetric:\n  values: [1.0, low, 0.5]",
        "metric.values[1] (line 4): must be a number, got string 'low'",
    ),
    # 15. cycle_momentum without momentum or betas
    "15-onecycle-adagrad": (
        "optimizer: Adagrad\nscheduler: {type: onecycle, max_lr: 0.1}",
        "scheduler (line 2): OneCycleLR cycles momentum by default, but Adagrad has no momentum "
        "or betas; set cycle_momentum: false or use SGD/Adam",
    ),
    "15-cyclic-explicit": (
        "optimizer: Rprop\nscheduler:\n  type: cyclic\n  base_lr: 0.01\n  max_lr: 0.1\n"
        "  cycle_momentum: true",
        "scheduler.cycle_momentum (line 6): CyclicLR cycles momentum by default, but Rprop has "
        "no momentum or betas; set cycle_momentum: false or use SGD/Adam",
    ),
    # 17. output paths from a config
    "17-absolute": (
        "outputs: [/tmp/lrplot-pwned.png]\n" + GOOD,
        "outputs[0] (line 1): '/tmp/lrplot-pwned.png' is absolute; outputs stay inside the "
        "output folder",
    ),
    "17-dotdot": (
        "outputs: figs/../../x.csv\n" + GOOD,
        "outputs (line 1): 'figs/../../x.csv' contains '..'; outputs stay inside the output folder",
    ),
    "17-nul": (
        'outputs: ["x\\0.png"]\n' + GOOD,
        "outputs[0] (line 1): a file name cannot contain a NUL byte",
    ),
    "17-windows-drive": (
        "outputs: ['C:\\x.png']\n" + GOOD,
        "outputs[0] (line 1): 'C:\\\\x.png' is absolute; outputs stay inside the output folder",
    ),
    # 18. output names
    "18-name-too-long": (
        f"outputs: [{'a' * 252}.png]\n" + GOOD,
        "outputs[0] (line 1): a file name is longer than 255 bytes",
    ),
    "18-path-too-long": (
        f"outputs: [{'a/' * 520}x.png]\n" + GOOD,
        "outputs[0] (line 1): the name is longer than 1024 bytes",
    ),
    "18-extension": (
        "outputs: [plot.jpg]\n" + GOOD,
        "outputs[0] (line 1): 'plot.jpg' has '.jpg'; use one of .png, .svg, .pdf, .csv",
    ),
    "18-no-extension": (
        "outputs: plot\n" + GOOD,
        "outputs (line 1): 'plot' has no extension; use one of .png, .svg, .pdf, .csv",
    ),
    "18-listed-twice": (
        "outputs: [a.csv, a.csv]\n" + GOOD,
        "outputs[1] (line 1): 'a.csv' is listed twice",
    ),
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
    ("lr_lambda", "count"), [("'1 - epoch / 10 if epoch <= 10 else 0.5'", 1), ("'0'", 12)]
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

WARNINGS = {
    "eta-min-above-lr": (
        "optimizer: {lr: 0.01}\nscheduler: {type: cosine, T_max: 9, eta_min: 0.1}",
        "scheduler.eta_min (line 3): eta_min 0.1 is above the lr 0.01, so the curve rises "
        "instead of falling",
    ),
    "eta-min-above-default-lr": (
        "scheduler: {type: cosine-warm-restarts, T_0: 5, eta_min: 0.01}",
        "scheduler.eta_min (line 2): eta_min 0.01 is above the lr 0.001, so the curve rises "
        "instead of falling",
    ),
    "gamma-above-1": (
        "scheduler: {type: exponential, gamma: 1.5}",
        "scheduler.gamma (line 2): gamma 1.5 is above 1, so the lr grows instead of decaying "
        "(fine for an LR range test)",
    ),
    "t-max-short": (
        "scheduler: {type: cosine, T_max: 4}",
        "scheduler.T_max (line 2): T_max is 4 but the scheduler runs 10 steps: past step 4 the "
        "lr rises again (cosine's period is 2 x T_max); set T_max to the run length, or use "
        "CosineAnnealingWarmRestarts for restarts",
    ),
    "t-max-long": (
        "scheduler: {type: cosine, T_max: 50}",
        "scheduler.T_max (line 2): T_max is 50 but the scheduler runs only 10 steps, so the lr "
        "never reaches eta_min",
    ),
    "t-max-of-a-segment": (
        "scheduler:\n  type: sequential\n  milestones: [4]\n  schedulers:\n"
        "    - {type: linear, total_iters: 4}\n    - {type: cosine, T_max: 3}",
        "scheduler.schedulers[1].T_max (line 7): T_max is 3 but the scheduler runs 6 steps: past "
        "step 3 the lr rises again (cosine's period is 2 x T_max); set T_max to the run length, "
        "or use CosineAnnealingWarmRestarts for restarts",
    ),
    "milestone-beyond-run": (
        "scheduler:\n  type: multistep\n  milestones: [5, 10, 20]",
        "scheduler.milestones[1] (line 4): milestone 10 is never reached: the scheduler runs 10 "
        "steps (0 to 9)",
    ),
    "sequential-milestone-0": (
        "scheduler: {type: sequential, milestones: [0], schedulers: [{type: constant}, "
        "{type: exponential, gamma: 0.9}]}",
        "scheduler.milestones[0] (line 2): milestone 0 skips the first scheduler entirely",
    ),
    "plateau-min-lr": (
        "optimizer: {lr: 0.01}\nscheduler: {type: plateau, min_lr: 0.01}",
        "scheduler.min_lr (line 3): min_lr 0.01 is not below the lr 0.01, so the lr is never "
        "reduced",
    ),
}


@pytest.mark.parametrize(("text", "message"), WARNINGS.values(), ids=WARNINGS.keys())
def test_suspicious_input_warns_and_still_renders(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("epochs: 10\n" + text)
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


def test_sensible_configs_do_not_warn(configs_dir: Path) -> None:
    warned = {
        path.name: [str(w) for w in lrplot.load_spec(path).warnings]
        for path in sorted(configs_dir.glob("*.yaml"))
    }
    # cosine.yaml shows on purpose what happens past T_max.
    assert {name for name, found in warned.items() if found} == {"cosine.yaml"}
    assert "past step 20 the lr rises again" in warned["cosine.yaml"][0]


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
