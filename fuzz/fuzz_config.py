"""atheris fuzz target: YAML bytes -> load -> validate. Only LrplotError may come out.

Not run in CI (it runs until stopped). See fuzz/README.md.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from lrplot.errors import LrplotError
    from lrplot.config import spec_from_document
    from lrplot.config.yamlload import load_bytes


def test_one_input(data: bytes) -> None:
    try:
        spec = spec_from_document(load_bytes(data, "fuzz.yaml"))
    except LrplotError as exc:
        if "\n" in str(exc):
            raise AssertionError(f"a message on several lines: {str(exc)!r}") from None
        return
    for warning in spec.warnings:
        assert "\n" not in str(warning)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
