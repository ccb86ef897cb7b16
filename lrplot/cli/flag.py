"""One command-line option as data: its spellings, its type and help, the spec key it fills."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from lrplot.params import Param


def option_name(name: str) -> str:
    """The CLI spelling of an argument, as torch spells it: ``T_max`` -> ``--T-max``."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class Flag:
    name: str  # the Python parameter the value arrives in
    decls: tuple[str, ...]  # ("--epochs", "-n")
    type: Any
    help: str
    default: Any = None
    key: str | None = None  # the spec key path it fills, if any
    metavar: str | None = None
    show_default: bool | str = False
    param: Param | None = None  # the Param whose value it gives, converted by its kind
    positional: bool = False  # an argument (``lrplot import MODULE:ATTR``), not an option
    complete: Callable[..., Any] | None = None  # shell completion of its values

    @property
    def flag(self) -> str:
        """How messages name it: the first spelling, without a ``/--no-`` part."""
        return self.decls[0].split("/")[0]

    def parameter(self) -> inspect.Parameter:
        if self.positional:
            argument = typer.Argument(help=self.help, metavar=self.metavar, show_default=False)
            return inspect.Parameter(
                self.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=Annotated[self.type, argument],
            )
        return inspect.Parameter(
            self.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=self.default,
            annotation=self.annotated(),
        )

    def annotated(self) -> Any:
        """The option as a Typer annotation, for a command written as a plain function."""
        option = typer.Option(
            *self.decls,
            help=self.help,
            metavar=self.metavar,
            show_default=self.show_default,
            autocompletion=self.complete,
        )
        return Annotated[self.type, option]
