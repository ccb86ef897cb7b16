"""The ``lrplot`` command line: a thin Typer app over the library."""

from lrplot.cli.root import app, main

__all__ = ["app", "main"]
