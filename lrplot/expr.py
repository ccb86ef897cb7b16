"""A small allowlist evaluator for ``lr_lambda`` expressions.

User text is parsed with :mod:`ast` and every node is checked against an allowlist; the tree is
then turned into nested Python closures. Nothing is ever passed to ``eval``/``exec``/``compile``,
so an expression can compute a number from its one variable and nothing else: no attributes,
subscripts, strings, lambdas, comprehensions, keyword calls or names outside the allowlist.

Integer literals become floats, so ``9 ** 9 ** 9 ** 9`` raises OverflowError at once instead of
building a huge integer.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from lrplot.errors import ExprError

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_DEPTH = 30

Fn = Callable[[float], Any]

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}

# name -> (function, allowed argument counts)
FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "min": (min, (2, 3, 4, 5, 6, 7, 8)),
    "max": (max, (2, 3, 4, 5, 6, 7, 8)),
    "abs": (abs, (1,)),
    "round": (lambda x: float(round(x)), (1,)),
    "pow": (math.pow, (2,)),
    "floor": (lambda x: float(math.floor(x)), (1,)),
    "ceil": (lambda x: float(math.ceil(x)), (1,)),
    "trunc": (lambda x: float(math.trunc(x)), (1,)),
    **{
        name: (getattr(math, name), (1,))
        for name in (
            "cos sin tan acos asin atan cosh sinh tanh acosh asinh atanh "
            "exp expm1 log2 log10 log1p sqrt fabs radians degrees"
        ).split()
    },
    "log": (math.log, (1, 2)),
    "atan2": (math.atan2, (2,)),
    "hypot": (math.hypot, (2,)),
    "copysign": (math.copysign, (2,)),
    "fmod": (math.fmod, (2,)),
}

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "subscripts",
        ast.Lambda: "lambdas",
        ast.ListComp: "comprehensions",
        ast.SetComp: "comprehensions",
        ast.DictComp: "comprehensions",
        ast.GeneratorExp: "comprehensions",
        ast.JoinedStr: "strings",
        ast.NamedExpr: "assignment expressions",
        ast.Starred: "starred arguments",
        ast.List: "lists",
        ast.Tuple: "tuples",
        ast.Dict: "dicts",
        ast.Set: "sets",
        ast.Await: "await",
        ast.Yield: "yield",
    }
    return names.get(type(node), type(node).__name__)


def _depth(node: ast.AST) -> int:
    # Iterative, so that a deep tree cannot hit the recursion limit here.
    best = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        best = max(best, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    return best


class Expression:
    """A checked expression in one variable, callable like a plain lambda."""

    def __init__(self, text: str, variable: str) -> None:
        self.text = text
        self.variable = variable
        self._fn = _compile(text, variable)

    def __call__(self, value: float) -> Any:
        return self._fn(float(value))

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _compile(text: str, variable: str) -> Fn:
    if not isinstance(text, str):
        raise ExprError(f"an expression must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ExprError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"invalid expression {text!r}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExprError(f"invalid expression {text!r}: {type(exc).__name__}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExprError(f"the expression has {count} nodes, more than the limit of {MAX_NODES}")
    if _depth(tree) > MAX_DEPTH:
        raise ExprError(f"the expression is nested deeper than {MAX_DEPTH} levels")
    return _Builder(variable).build(tree.body)


class _Builder:
    def __init__(self, variable: str) -> None:
        self.variable = variable

    def build(self, node: ast.expr) -> Fn:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ExprError(f"constants must be numbers, not {type(value).__name__}")
            try:
                number = float(value)
            except OverflowError:
                raise ExprError("a number in the expression is too large") from None
            return lambda v: number
        if isinstance(node, ast.Name):
            if node.id == self.variable:
                return lambda v: v
            if node.id in CONSTANTS:
                constant = CONSTANTS[node.id]
                return lambda v: constant
            allowed = ", ".join([self.variable, *CONSTANTS])
            raise ExprError(f"unknown name {node.id!r} (allowed: {allowed})")
        if isinstance(node, ast.BinOp):
            binop = _BINOPS.get(type(node.op))
            if binop is None:
                raise ExprError(f"operator {type(node.op).__name__} is not allowed")
            left, right = self.build(node.left), self.build(node.right)
            if binop is operator.pow:
                return lambda v: _power(left(v), right(v))
            return lambda v: binop(left(v), right(v))
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            if isinstance(node.op, ast.USub):
                return lambda v: -operand(v)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.Not):
                return lambda v: not operand(v)
            raise ExprError(f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            parts = [self.build(value) for value in node.values]
            if isinstance(node.op, ast.And):
                return lambda v: all(part(v) for part in parts)
            return lambda v: any(part(v) for part in parts)
        if isinstance(node, ast.IfExp):
            test, body, orelse = (
                self.build(node.test),
                self.build(node.body),
                self.build(node.orelse),
            )
            return lambda v: body(v) if test(v) else orelse(v)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ExprError(f"not allowed in expressions: {_describe(node)}")

    def _compare(self, node: ast.Compare) -> Fn:
        first = self.build(node.left)
        ops = []
        for op, right in zip(node.ops, node.comparators, strict=True):
            cmp = _CMPOPS.get(type(op))
            if cmp is None:
                raise ExprError(f"comparison {type(op).__name__} is not allowed")
            ops.append((cmp, self.build(right)))

        def compare(v: float) -> bool:
            left = first(v)
            for cmp, right_fn in ops:
                right = right_fn(v)
                if not cmp(left, right):
                    return False
                left = right
            return True

        return compare

    def _call(self, node: ast.Call) -> Fn:
        if not isinstance(node.func, ast.Name):
            raise ExprError(f"not allowed in expressions: {_describe(node.func)}")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExprError(f"function {name!r} is not allowed (allowed: {', '.join(FUNCTIONS)})")
        if node.keywords:
            raise ExprError(f"keyword arguments are not allowed (in {name}())")
        function, arities = FUNCTIONS[name]
        if len(node.args) not in arities:
            raise ExprError(f"{name}() takes {_arity_text(arities)}, got {len(node.args)}")
        args = [self.build(arg) for arg in node.args]
        if len(args) == 1:
            (only,) = args
            return lambda v: function(only(v))
        return lambda v: function(*[arg(v) for arg in args])


def _arity_text(arities: tuple[int, ...]) -> str:
    if len(arities) == 1:
        n = arities[0]
        return f"{n} argument" + ("s" if n != 1 else "")
    return f"{arities[0]} to {arities[-1]} arguments"


def _power(base: Any, exponent: Any) -> Any:
    result = base**exponent
    if isinstance(result, complex):
        raise ValueError(f"{base!r} ** {exponent!r} is complex")
    return result


def check_number(value: Any, *, allow_negative: bool = False) -> float:
    """``value`` as a finite float; ValueError with the reason if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the result is {type(value).__name__}, not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"the result is {number}")
    if number < 0 and not allow_negative:
        raise ValueError(f"the result is negative ({number!r})")
    return number


def lr_lambda(
    text: str, *, variable: str = "epoch", path: str | None = None
) -> Callable[[int], float]:
    """A checked ``lr_lambda`` for torch: a finite, non-negative float at every step.

    Any failure raises :class:`ExprError` (located at ``path``) naming the step where it happened.
    """
    expression = Expression(text, variable)
    fn = expression._fn

    def evaluate(step: int) -> float:
        try:
            return check_number(fn(float(step)))
        except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            reason = _reason(exc)
            raise ExprError(f"{text!r} fails at {variable} {step}: {reason}", path=path) from None

    return evaluate


def evaluate_constant(text: str) -> float:
    """The value of an expression with no variable, e.g. a default written ``1.0 / 3``."""
    try:
        return check_number(Expression(text, "_")._fn(0.0), allow_negative=True)
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        raise ExprError(f"{text!r}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OverflowError):
        # Python's own texts ("(34, 'Numerical result out of range')", "math range error") say
        # little to a user.
        return "overflow: a value is too large for a float"
    return str(exc) or type(exc).__name__
