"""Golden case files: ``tests/cases/<kind>/<case>.yaml`` beside ``<case>.expected``.

``errors/``: a config that must fail; ``.expected`` is the one-line message after
``error: <file>: ``. ``warnings/``: a config that renders with exactly one warning; ``.expected``
is that warning after ``<file>: ``. The YAML files hold the exact input bytes (some are
deliberately broken: invalid UTF-8, tabs, a NUL byte).

``make golden`` rewrites every ``.expected`` from what lrplot says now, for review in the diff:
``python tests/golden.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases"


def load(kind: str) -> dict[str, tuple[bytes, str]]:
    """``{case: (config bytes, expected message)}`` for one kind, sorted by name."""
    return {
        path.stem: (path.read_bytes(), path.with_suffix(".expected").read_text().rstrip("\n"))
        for path in sorted((CASES / kind).glob("*.yaml"))
    }


def actual(kind: str, config: Path) -> str:
    """What lrplot says about ``config`` now, without the file name: the error line of
    ``lrplot render`` for an error case, the spec's warnings for a warning case."""
    import tempfile

    from typer.testing import CliRunner

    import lrplot
    from lrplot.cli import app

    if kind == "warnings":
        warnings = lrplot.load_spec(config).warnings
        return "; ".join(str(w).removeprefix(f"{config}: ") for w in warnings) or "(no warning)"
    with tempfile.TemporaryDirectory() as out:
        result = CliRunner().invoke(app, ["render", str(config), "-d", out, "-f", "png,svg,csv"])
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    return lines[0].removeprefix(f"error: {config}: ") if lines else "(no error)"


def main() -> int:
    changed = 0
    for kind in ("errors", "warnings"):
        for path in sorted((CASES / kind).glob("*.yaml")):
            expected = path.with_suffix(".expected")
            text = actual(kind, path) + "\n"
            if not expected.exists() or expected.read_text() != text:
                expected.write_text(text)
                changed += 1
                print(f"updated {expected.relative_to(CASES.parent)}", file=sys.stderr)
    print(f"{changed} expected file(s) changed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
