"""The lr_lambda evaluator: plain arithmetic works, everything else is refused."""

from __future__ import annotations

import math

import pytest

from lrplot.errors import ExprError
from lrplot.expr import Expression, lr_lambda


@pytest.mark.parametrize(
    ("text", "epoch", "expected"),
    [
        ("0.95 ** epoch", 10, 0.95**10),
        ("min(1.0, (epoch + 1) / 5)", 2, 0.6),
        ("0.5 * (1 + cos(pi * epoch / 10))", 5, 0.5),
        ("1 if epoch < 3 else 0.1", 3, 0.1),
        ("exp(-epoch / 10) + sqrt(4) - log(e)", 0, 2.0),
        ("max(0.1, 1 - epoch / 100)", 95, 0.1),
        ("abs(-2) % 3 // 1", 0, 2.0),
    ],
)
def test_allowed_expressions_compute_what_python_computes(
    text: str, epoch: int, expected: float
) -> None:
    assert lr_lambda(text)(epoch) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "function '__import__' is not allowed"),
        ("__import__('os').system('true')", "not allowed in expressions: attribute access"),
        ("epoch.__class__", "not allowed in expressions: attribute access"),
        ("(1, 2)[0]", "not allowed in expressions: subscripts"),
        ("'a' * 3", "constants must be numbers, not str"),
        ("(lambda: 1)()", "not allowed in expressions: lambdas"),
        ("[x for x in (1,)]", "not allowed in expressions: comprehensions"),
        ("min(1, key=abs)", "keyword arguments are not allowed"),
        ("open('/etc/passwd')", "function 'open' is not allowed"),
        ("foo + 1", "unknown name 'foo'"),
        ("", "the expression is empty"),
        ("1 +", "invalid expression"),
        ("1" + "+1" * 600, "longer than 1000 characters"),
        ("+".join(["epoch"] * 150), "nodes, more than the limit"),
        ("(" * 40 + "1" + ")" * 40 + "+" + "-" * 40 + "1", "nested deeper than"),
        ("True + 1", "constants must be numbers"),
        ("cos(1, 2)", "cos() takes 1 argument, got 2"),
    ],
)
def test_refused_expressions(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        Expression(text, "epoch")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9 ** 9 ** 9 ** 9", "fails at epoch 0"),
        ("1 / (3 - epoch)", "fails at epoch 3: float division by zero"),
        ("log(epoch - 2)", "fails at epoch 0: math domain error"),
        ("(-0.5) ** 0.5", "is complex"),
        ("-1", "the result is negative"),
        ("1e308 * 10", "the result is inf"),
        ("epoch > 1", "the result is bool, not a number"),
    ],
)
def test_failures_at_a_step_name_the_step(text: str, message: str) -> None:
    fn = lr_lambda(text)
    with pytest.raises(ExprError) as info:
        for epoch in range(10):
            fn(epoch)
    assert message in str(info.value)


def test_integer_literals_become_floats_so_huge_powers_overflow_at_once() -> None:
    assert isinstance(lr_lambda("2 ** 3")(0), float)
    assert math.isfinite(lr_lambda("2 ** 10")(0))
