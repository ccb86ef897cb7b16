"""The ``lrplot`` Typer app: parse -> spec -> simulate -> draw -> write. Nothing else lives here.

One command per catalogue entry of every family (:mod:`lrplot.cli.schedulers`), plus ``render``,
``list``, ``show``, ``init``, ``schema`` and ``code`` (:mod:`lrplot.cli.commands`).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from lrplot import __version__
from lrplot.cli import checklog, commands, compare, frameworks, schedulers, watch
from lrplot.cli.edge import ALL_EXIT_CODES
from lrplot.cli.group import LrplotGroup, normalize

app = typer.Typer(
    name="lrplot",
    help=(
        "See a PyTorch learning-rate schedule before you spend GPU hours on it.\n\n"
        "Quick look: lrplot cosine --T-max 20 (a chart in the terminal), or add -o cos.png.\n\n"
        "Discover: lrplot list, lrplot show NAME, lrplot init NAME, lrplot schema.\n\n"
        "From YAML: lrplot FILE.yaml (in the terminal), lrplot render FILE.yaml -o x.png, "
        "lrplot render configs/ --out-dir out --format png,csv, lrplot watch FILE.yaml.\n\n"
        "Between the two: --save-spec FILE writes a command's flags as YAML; lrplot code and "
        'lrplot compare "cosine --T-max 100" "step --step-size 30" take command lines.\n\n'
        "Names forgive case and _ or -: --T_max, --t-max, lrplot CosineAnnealingLR, "
        "--optimizer adamw.\n\n"
        "After a run: lrplot check-log spec.yaml trainer_state.json (did it follow the plan?).\n\n"
        + ALL_EXIT_CODES
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=LrplotGroup,
    context_settings={"help_option_names": ["-h", "--help"], "token_normalize_func": normalize},
)


def _version(value: bool) -> None:
    if value:
        print(f"lrplot {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    # The command line only writes files (and draws charts in the terminal), which is Agg's
    # work whatever the environment asks for; an MPLBACKEND that names no backend would
    # otherwise make `import matplotlib` raise (and a --jobs worker inherits this).
    os.environ["MPLBACKEND"] = "agg"


commands.register(app)
checklog.register(app)
compare.register(app)
frameworks.register(app)
watch.register(app)
schedulers.register(app, sys.argv)


def main() -> None:
    from lrplot.cli.fastexit import run_and_exit

    # A stream that cannot encode a character (a cp1252 console, or output redirected on
    # Windows) writes an escape instead of raising; the terminal chart switches to ASCII itself.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    run_and_exit(app)  # skips torch's ~0.9 s interpreter teardown; see lrplot/cli/fastexit.py
