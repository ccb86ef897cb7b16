"""Property-based tests: whatever a config says, only LrplotError comes out.

Grammar-based strategies, not random strings: a random string almost never parses, so it never
reaches the evaluator's arithmetic. The expression grammar is what finds ``(-0.5) ** 0.5`` (a
complex number) and its relatives.

Sized for CI (a few seconds, derandomized so that a run is repeatable). For a longer search:
``LRPLOT_HYPOTHESIS_EXAMPLES=5000 pytest tests/test_properties.py``.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st

from lrplot.config import spec_from_text
from lrplot.config.figure import FIGURE_KEYS
from lrplot.config.yamlload import load_text
from lrplot.errors import ExprError, LrplotError
from lrplot.expr import FUNCTIONS, Expression, lr_lambda
from lrplot.families import family_for_key
from lrplot.model import MAX_STEPS, FigureSpec
from lrplot.params import Kind, Param

SCALE = int(os.environ.get("LRPLOT_HYPOTHESIS_EXAMPLES", "0"))


def sized(examples: int) -> settings:
    return settings(
        max_examples=SCALE or examples,
        deadline=None,
        derandomize=not SCALE,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# -- expressions ---------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(0, 1000).map(str),
    st.sampled_from(["0.5", "0.95", "2", "0", "0.0", "1e308", "1e-308", "9", "10", "1e400"]),
    st.floats(0, 1e6, allow_nan=False).map(repr),
    st.fractions(min_value=-10, max_value=10, max_denominator=8).map(
        lambda f: f"({f.numerator} / {f.denominator})"
    ),
)
NAMES = st.sampled_from(["epoch", "epoch", "epoch", "pi", "e", "tau"])
# Everything the allowlist must refuse, as leaves.
FORBIDDEN = st.sampled_from(
    [
        "x",
        "lr",
        "__builtins__",
        "epoch.real",
        "(1, 2)[0]",
        "[1]",
        "{1: 2}",
        "{1}",
        "'s'",
        "b'x'",
        "f'{epoch}'",
        "True",
        "None",
        "...",
        "(lambda: 1)()",
        "[i for i in (1, 2)]",
        "(i for i in (1,))",
        "(y := 1)",
        "*epoch",
        "1j",
        "epoch @ epoch",
        "epoch << 2",
        "~epoch",
        "epoch is epoch",
        "epoch in (1,)",
    ]
)
CALLABLE = st.sampled_from([*FUNCTIONS, "open", "eval", "exec", "__import__", "sum", "int", "len"])
BINOPS = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "**"])
CMPOPS = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, BINOPS, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, BINOPS, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda a: f"(-{a})"),
        inner.map(lambda a: f"-{a}"),
        inner.map(lambda a: f"+{a}"),
        inner.map(lambda a: f"(not {a})"),
        st.tuples(inner, CMPOPS, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, CMPOPS, inner, CMPOPS, inner).map(lambda t: "({} {} {} {} {})".format(*t)),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        # Right and wrong arity, and keyword arguments.
        st.tuples(CALLABLE, st.lists(inner, max_size=4)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(CALLABLE, inner, inner).map(lambda t: f"{t[0]}({t[1]}, key={t[2]})"),
    )


EXPRESSIONS = st.recursive(
    st.one_of(NUMBERS, NAMES, FORBIDDEN, NUMBERS.map(lambda n: f"(-{n})")),
    _extend,
    max_leaves=10,
)
EPOCHS = [0, 1, 2, 3, 5, 10, 99, 12_345, MAX_STEPS - 1]


def check_expression(text: str) -> None:
    """Only ExprError escapes; every value that comes out is a finite float >= 0."""
    try:
        fn = lr_lambda(text, path="scheduler.lr_lambda")
    except ExprError as exc:
        assert "\n" not in str(exc)
        return
    for epoch in EPOCHS:
        try:
            value = fn(epoch)
        except ExprError as exc:
            assert f"fails at epoch {epoch}" in str(exc)
            continue
        assert type(value) is float
        assert math.isfinite(value) and value >= 0


@sized(400)
@given(EXPRESSIONS)
@example("(-0.5) ** 0.5")
@example("9 ** 9 ** 9 ** 9")
@example("(-8) ** (1 / 3)")
@example("round(1e308 * 10)")
@example("floor(-1e400)")
@example("log(2, 1)")
@example("fmod(epoch, 0)")
@example("hypot(1e308, 1e308)")
@example("min(epoch, 1) ** -1")
@example("0 ** -1")
@example("(-0.0) ** -0.5")
@example("atanh(1)")
@example("1" + "0" * 400)
def test_only_expr_error_escapes_the_evaluator(text: str) -> None:
    check_expression(text)


def _is_complex(text: str) -> bool:
    try:
        lr_lambda(text)(0)
    except ExprError as exc:
        return "is complex" in str(exc)
    return False


def test_the_grammar_reaches_a_negative_base_to_a_fractional_power() -> None:
    # No shrinking: the point is that the grammar gets there, not the smallest example.
    search = settings(sized(5000), phases=[Phase.generate])
    found = find(EXPRESSIONS, _is_complex, settings=search)
    assert "**" in found


@sized(200)
@given(st.text(max_size=60))
def test_random_text_only_raises_expr_error(text: str) -> None:
    check_expression(text)


@pytest.mark.parametrize("value", [None, 1, 1.5, b"1", ["epoch"], {"a": 1}])
def test_a_non_string_expression_is_an_expr_error(value: Any) -> None:
    with pytest.raises(ExprError, match="an expression must be a string"):
        Expression(value, "epoch")


# -- YAML configs --------------------------------------------------------------------------------

SCHEDULERS = list(family_for_key("type").entries().values())
JUNK_KEYS = st.sampled_from(["", "T_mx", "gama", "<<", "type", "Type", "lr", "1", "__class__"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "1e-3",
            "on",
            "no",
            "2024-02-30",
            "1:30",
            "0.95 ** epoch",
            "(-0.5) ** 0.5",
            "$\\frac{1}{$",
            "../x.png",
            "/abs.png",
            "a.png",
            "x.csv",
            "epoch",
            "step",
            "cosine",
            "SGD",
            "Adagrad",
        ]
    ),
)
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def plausible(param: Param) -> st.SearchStrategy[Any]:
    """Values of the right shape for ``param`` (and often just wrong), plus anything at all."""
    kind = param.kind
    if kind is Kind.INT:
        right: st.SearchStrategy[Any] = st.integers(-2, 40)
    elif kind is Kind.FLOAT:
        right = st.one_of(st.floats(-0.5, 2.0), st.sampled_from([0.0, 1.0, 1e-5, 0.9, 1.1]))
    elif kind is Kind.BOOL:
        right = st.booleans()
    elif kind is Kind.CHOICE:
        right = st.sampled_from(param.choices)
    elif kind is Kind.INT_LIST:
        right = st.lists(st.integers(-1, 40), min_size=1, max_size=4)
    elif kind in (Kind.FLOAT_OR_LIST, Kind.FLOAT_TUPLE):
        right = st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3))
    elif kind in (Kind.EXPR, Kind.EXPR_OR_LIST):
        right = EXPRESSIONS
    else:
        right = SCALARS
    return st.one_of(right, right, right, ANYTHING)


@st.composite
def scheduler_config(draw: st.DrawFn, depth: int = 0) -> Any:
    info = draw(st.sampled_from(SCHEDULERS))
    config: dict[str, Any] = {"type": draw(st.sampled_from([info.name, *info.aliases]))}
    for param in info.params:
        if param.kind is Kind.SCHEDULERS:
            if depth < 2:
                config[param.name] = draw(
                    st.lists(scheduler_config(depth + 1), min_size=1, max_size=3)
                )
            continue
        if draw(st.integers(0, 2)) == 0:
            config[param.name] = draw(plausible(param))
    if draw(st.integers(0, 9)) == 0:
        config[draw(JUNK_KEYS)] = draw(SCALARS)
    return config


@st.composite
def optimizer_config(draw: st.DrawFn) -> Any:
    name = draw(st.sampled_from(["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Rprop", "LBFGS"]))
    config: dict[str, Any] = {"type": name}
    if draw(st.booleans()):
        config["lr"] = draw(st.one_of(st.floats(0.0001, 1), SCALARS))
    if draw(st.integers(0, 3)) == 0:
        config["momentum"] = draw(st.one_of(st.floats(0, 1), SCALARS))
    if draw(st.integers(0, 4)) == 0:
        config["param_groups"] = draw(
            st.lists(st.fixed_dictionaries({"lr": st.floats(0.001, 1)}), min_size=1, max_size=3)
        )
    return config


@st.composite
def figure_config(draw: st.DrawFn) -> Any:
    config: dict[str, Any] = {}
    if draw(st.booleans()):
        config["epochs"] = draw(st.one_of(st.integers(1, 30), st.integers(1, 30), SCALARS))
    if draw(st.integers(0, 3)) == 0:
        config["steps_per_epoch"] = draw(st.one_of(st.integers(1, 3), SCALARS))
    if draw(st.integers(0, 3)) == 0:
        config["interval"] = draw(st.one_of(st.sampled_from(["epoch", "step"]), SCALARS))
    if draw(st.booleans()):
        config["optimizer"] = draw(optimizer_config())
    if draw(st.integers(0, 4)) == 0:
        config["curves"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"label": st.text(min_size=1, max_size=4), "scheduler": scheduler_config()}
                ),
                min_size=1,
                max_size=3,
            )
        )
    else:
        config["scheduler"] = draw(scheduler_config())
    if draw(st.integers(0, 5)) == 0:
        config["metric"] = draw(
            st.one_of(
                st.fixed_dictionaries({"values": st.lists(st.floats(0, 2), max_size=40)}),
                ANYTHING,
            )
        )
    for key in ("title", "outputs"):
        if draw(st.integers(0, 5)) == 0:
            config[key] = draw(ANYTHING)
    if draw(st.integers(0, 9)) == 0:
        config[draw(st.sampled_from([*FIGURE_KEYS, "epoch", "schedular"]))] = draw(ANYTHING)
    return config


def dump(config: Any) -> str:
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def check_config(text: str) -> FigureSpec | None:
    try:
        spec = spec_from_text(text, "c.yaml")
    except LrplotError as exc:
        message = str(exc)
        assert message.startswith("c.yaml")
        assert "\n" not in message
        return None
    for warning in spec.warnings:
        assert "\n" not in str(warning)
    return spec


@sized(300)
@given(figure_config())
def test_only_lrplot_error_escapes_loading_and_validation(config: Any) -> None:
    check_config(dump(config))


# YAML the dumper would never write: anchors, tags, merge keys, broken structure.
TOKENS = st.sampled_from(
    [
        "&a ",
        "*a",
        "!!int ",
        "!!bool ",
        "!!timestamp ",
        "!!float ",
        "!!python/object/apply:os.system ",
        "!custom ",
        "<<: ",
        "\n---\n",
        "[",
        "]",
        "{",
        "}",
        "\t",
        ": ",
        "\n- ",
        "? ",
        "%YAML 1.1\n",
        "|",
        ">",
        "'",
        '"',
        "#",
        "\x00",
        "\ufeff",
        "\udcff",
        "\\",
        ",",
        "\n  ",
        "2024-02-30",
    ]
)


@sized(300)
@given(figure_config(), st.lists(st.tuples(st.integers(0, 10**6), TOKENS), max_size=4))
def test_only_lrplot_error_escapes_mangled_yaml(config: Any, edits: list[tuple[int, str]]) -> None:
    text = dump(config)
    for position, token in edits:
        at = position % (len(text) + 1)
        text = text[:at] + token + text[at:]
    check_config(text)


@sized(200)
@given(st.text(max_size=80))
def test_only_spec_errors_escape_the_loader(text: str) -> None:
    try:
        load_text(text, "c.yaml")
    except LrplotError as exc:
        assert "\n" not in str(exc)


@sized(60)
@given(figure_config())
def test_valid_small_configs_simulate_or_fail_cleanly(config: Any) -> None:
    """What passes validation is simulated: torch may still refuse it, but only as an
    LrplotError, and every lr that comes out is a finite number, not below 0 beyond rounding."""
    import numpy as np

    from lrplot.simulate import simulate_figure

    spec = check_config(dump(config))
    if spec is None or sum(c.total_steps for c in spec.curves) > 2000:
        return
    try:
        curves = simulate_figure(spec)
    except LrplotError as exc:
        assert "\n" not in str(exc)
        return
    for curve in curves:
        assert np.isfinite(curve.lr).all()
        # Not exactly >= 0: torch's own rounding takes LinearLR(end_factor=0) to -1.48e-20 (at
        # an lr of 1e-3), and lrplot shows what torch does. (Found by this test.)
        assert (curve.lr >= -1e-12 * np.abs(curve.lr).max()).all()
