"""A config cannot hang lrplot: every input that could take unbounded time or memory is capped.

No test here measures time (the suite never does); each would hang or exhaust memory, instead of
passing, if its cap were missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lrplot import expr
from lrplot import model as spec
from lrplot.config import load_spec, spec_from_text, yamlload
from lrplot.errors import ExprError, SpecError
from lrplot.expr import Expression, lr_lambda
from lrplot.model import MAX_STEPS


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        spec_from_text(text, "c.yaml")
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Integer literals are floats: these overflow at once instead of building huge ints.
        ("9 ** 9 ** 9 ** 9", "fails at epoch 0: overflow"),
        ("2 ** 2 ** 2 ** 2 ** 2 ** 2", "fails at epoch 0: overflow"),
        ("epoch ** epoch ** epoch", "fails at epoch 5: overflow"),
        ("exp(epoch)", "fails at epoch 710: overflow"),
        ("10 ** epoch", "fails at epoch 309: overflow"),
    ],
)
def test_huge_powers_overflow_cleanly(text: str, message: str) -> None:
    fn = lr_lambda(text)
    with pytest.raises(ExprError) as info:
        for epoch in range(1000):
            fn(epoch)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "0.95 ** epoch",
        "1 / (epoch + 1)",
        "0.5 * (1 + cos(pi * epoch / 1e7))",
        "min(1, 1e-7 * epoch)",
    ],
)
def test_expressions_hold_up_to_the_last_step(text: str) -> None:
    value = lr_lambda(text)(MAX_STEPS - 1)
    assert 0 <= value <= 1


def test_the_largest_expression_evaluates_in_bounded_work() -> None:
    # The node cap bounds the work of one call; this is as big as an expression may be.
    def text(n: int) -> str:
        return "+".join(["min(epoch, 1)"] * n)

    n = 1
    while True:
        try:
            Expression(text(n + 1), "epoch")
        except ExprError:
            break
        n += 1
    assert lr_lambda(text(n))(MAX_STEPS - 1) == float(n)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(" * 100_000 + "1" + ")" * 100_000, f"longer than {expr.MAX_LENGTH} characters"),
        ("(" * 400 + "1" + ")" * 400, "invalid expression"),  # Python's parser refuses first
        ("-" * 999 + "1", f"more than the limit of {expr.MAX_NODES}"),
        ("-" * 40 + "epoch", f"nested deeper than {expr.MAX_DEPTH} levels"),
        ("not " * 40 + "1", f"nested deeper than {expr.MAX_DEPTH} levels"),
        ("1" + " + 1" * 240, f"more than the limit of {expr.MAX_NODES}"),
        ("1" + "0" * 990, "a number in the expression is too large"),
    ],
    ids=["long", "parens", "unary-nodes", "unary-depth", "not", "nodes", "literal"],
)
def test_deep_or_huge_expressions_are_refused_before_evaluation(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        Expression(text, "epoch")
    assert message in str(info.value)


def test_billion_laughs_is_refused_at_the_first_anchor() -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"a{i}: &a{i} [{refs}]")
    assert "line 1: anchors (&name) are not allowed" in spec_error("\n".join(levels))


def test_deep_yaml_is_refused_without_recursion_error() -> None:
    assert "nested deeper than 20 levels" in spec_error("a: " + "[" * 200_000)
    assert "nested deeper than 20 levels" in spec_error("a: " + "{a: " * 50_000)


def test_a_file_over_the_size_cap_is_not_parsed(tmp_path: Path) -> None:
    config = tmp_path / "big.yaml"
    config.write_bytes(b"title: " + b"x" * yamlload.MAX_BYTES)
    with pytest.raises(SpecError) as info:
        load_spec(config)
    assert str(info.value) == f"{config}: the file is larger than 1000000 bytes"


def test_too_many_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlload, "MAX_NODES", 1000)
    assert "more than 1000 values" in spec_error("a: [" + "1, " * 2000 + "]")


def test_the_step_cap_is_checked_before_any_simulation() -> None:
    ok = spec_from_text(f"epochs: {MAX_STEPS}\nscheduler: {{type: step, step_size: 10}}")
    assert ok.curves[0].total_steps == MAX_STEPS  # validated, not simulated
    assert "more than the limit of 20000000" in spec_error(
        f"epochs: {MAX_STEPS // 2}\nsteps_per_epoch: 3\nscheduler: {{type: step, step_size: 1}}"
    )
    assert "got number inf" in spec_error("epochs: 1e400\nscheduler: {type: step, step_size: 1}")
    assert "cannot read" in spec_error("epochs: " + "9" * 5000 + "\nscheduler: step")


def test_a_figure_cannot_multiply_the_work() -> None:
    curve = "{label: c%d, scheduler: {type: step, step_size: 1}}"
    curves = ", ".join(curve % i for i in range(spec.MAX_CURVES + 1))
    assert f"more than {spec.MAX_CURVES}" in spec_error(f"curves: [{curves}]")
    groups = ", ".join(["{lr: 0.1}"] * (spec.MAX_GROUPS + 1))
    text = f"optimizer: {{param_groups: [{groups}]}}\nscheduler: {{type: step, step_size: 1}}"
    assert f"param groups, more than {spec.MAX_GROUPS}" in spec_error(text)
    assert "longer than 1000 characters" in spec_error(
        "title: " + "x" * 1001 + "\nscheduler: {type: step, step_size: 1}"
    )


def test_a_metric_log_that_would_block_or_never_end_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrplot.config import replay

    os.mkfifo(tmp_path / "fifo.csv")  # open() would wait for a writer forever
    config = tmp_path / "c.yaml"
    run = "epochs: 3\nscheduler: plateau\nmetric: {file: %s, column: loss}\n"
    config.write_text(run % "fifo.csv")
    with pytest.raises(SpecError) as info:
        load_spec(config)
    assert str(info.value) == f"{config}: metric.file (line 3): fifo.csv: is not a regular file"

    (tmp_path / "big.csv").write_text("loss\n" + "1.0\n" * 100)
    monkeypatch.setattr(replay, "MAX_CSV_BYTES", 100)
    config.write_text(run % "big.csv")
    with pytest.raises(SpecError) as info:
        load_spec(config)
    assert str(info.value) == (f"{config}: metric.file (line 3): big.csv: is larger than 100 bytes")
