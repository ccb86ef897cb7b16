"""How long `lrplot watch` takes to re-render after a save (issue 18's row: median <= 0.25 s,
after the first render). Prints the times; never fails.

    .venv/bin/python bench/watch.py [--saves 15] [--format png]

It runs the real `watch` command in this process, with the file-change source replaced by one
that rewrites the config (a different T_max each time) and yields, so no polling delay is
counted: each time is what lrplot reports on stderr, `rendered FILE in X s`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

from typer.testing import CliRunner

from lrplot.cli import app
from lrplot.cli import watch as watching


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--format", default="png", help="the -o suffix, or 'terminal'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "c.yaml"
        spec.write_text("scheduler: {type: cosine, T_max: 100}\n")

        def saves(path: str, poll: float) -> Iterator[None]:
            yield
            for i in range(args.saves):
                spec.write_text(f"scheduler: {{type: cosine, T_max: {50 + i}}}\n")
                yield

        watching.file_changes = saves  # type: ignore[assignment]
        out = [] if args.format == "terminal" else ["-o", str(Path(folder) / f"c.{args.format}")]
        result = CliRunner().invoke(app, ["watch", str(spec), *out, "--count", str(args.saves + 1)])
    times = [float(t) for t in re.findall(r"rendered \S+ in ([0-9.]+) s", result.stderr)]
    if len(times) < 2:
        print(result.output)
        return
    again = times[1:]
    print(f"first render: {times[0]:.2f} s (imports torch and matplotlib)")
    print(
        f"re-render after a save ({args.format}): median {statistics.median(again):.3f} s, "
        f"min {min(again):.3f} s, max {max(again):.3f} s over {len(again)} saves"
    )


if __name__ == "__main__":
    main()
