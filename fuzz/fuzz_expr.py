"""atheris fuzz target: an lr_lambda expression, evaluated over a range of epochs.

Only ExprError may come out, and every value that does is a finite float >= 0. Not run in CI.
"""

from __future__ import annotations

import math
import sys

import atheris

with atheris.instrument_imports():
    from lrplot.errors import ExprError
    from lrplot.expr import lr_lambda

EPOCHS = (0, 1, 2, 3, 7, 100, 12_345, 19_999_999)


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(1200)
    try:
        fn = lr_lambda(text)
    except ExprError:
        return
    for epoch in EPOCHS:
        try:
            value = fn(epoch)
        except ExprError:
            continue
        assert type(value) is float and math.isfinite(value) and value >= 0, (text, value)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
