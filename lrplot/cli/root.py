"""The ``lrplot`` Typer app: parse -> spec -> simulate -> draw -> write. Nothing else lives here.

One command per catalogue entry of every family (:mod:`lrplot.cli.schedulers`), plus ``render``,
``list``, ``show``, ``init``, ``schema`` and ``code`` (:mod:`lrplot.cli.commands`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from lrplot import __version__
from lrplot.cli import checklog, commands, frameworks, schedulers
from lrplot.cli.edge import EXIT_CODES

app = typer.Typer(
    name="lrplot",
    help=(
        "See a PyTorch learning-rate schedule before you spend GPU hours on it.\n\n"
        "Quick look: lrplot cosine --T-max 20 (a chart in the terminal), or add -o cos.png.\n\n"
        "Discover: lrplot list, lrplot show NAME, lrplot init NAME, lrplot schema.\n\n"
        "From YAML: lrplot render configs/ --out-dir out --format png,csv.\n\n"
        "After a run: lrplot check-log spec.yaml trainer_state.json (did it follow the plan?).\n\n"
        + EXIT_CODES
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    pass


commands.register(app)
checklog.register(app)
frameworks.register(app)
schedulers.register(app)


def main() -> None:
    from lrplot.cli.fastexit import run_and_exit

    run_and_exit(app)  # skips torch's ~0.9 s interpreter teardown; see lrplot/cli/fastexit.py
