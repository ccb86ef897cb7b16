"""What a spec may import (``--allow-import``, ``LRPLOT_ALLOW_IMPORT``) and the keyword
arguments of an imported callable (``--kw``)."""

from __future__ import annotations

from typing import Any

from lrplot.cli.flag import Flag
from lrplot.errors import LrplotError, SpecError

ALLOW_IMPORT_ENV = "LRPLOT_ALLOW_IMPORT"
TARGET_HELP = (
    "The scheduler class or factory to import, module:attribute (e.g. mypkg.schedules:Warmup); "
    "called as attribute(optimizer, **--kw). Its top-level package must be allowed with "
    "--allow-import."
)
IMPORTS = [
    Flag("allow_import", ("--allow-import",), list[str] | None,
         "Let `import:` schedulers import this top-level package (importing runs its code); "
         f"repeatable, or comma-separated. {ALLOW_IMPORT_ENV}=a,b adds more.", metavar="PKG"),
]  # fmt: skip
KEYWORDS = Flag(
    "keywords",
    ("--kw",),
    list[str] | None,
    "A keyword argument for the imported callable, KEY=VALUE (VALUE read as YAML: 5, 1e-3, "
    "[30, 60], true, text); repeatable.",
    metavar="KEY=VALUE",
)


def allowed_imports(values: dict[str, Any]) -> tuple[str, ...]:
    """The packages ``import:`` may import: ``--allow-import`` plus ``LRPLOT_ALLOW_IMPORT``."""
    import os

    given = list(values.get("allow_import") or []) + [os.environ.get(ALLOW_IMPORT_ENV, "")]
    names = [name.strip() for text in given for name in text.split(",")]
    return tuple(dict.fromkeys(name for name in names if name))


def keyword(text: str) -> tuple[str, Any]:
    """``--kw warmup=5`` -> ``("warmup", 5)``: the value is read as a YAML value."""
    from lrplot.config.yamlload import load_text

    name, equals, value = text.partition("=")
    name = name.strip()
    if not equals or not name.isidentifier():
        raise SpecError(f"--kw: must be KEY=VALUE with KEY a name, got {text!r}")
    try:
        return name, load_text(value, f"--kw {name}").data if value.strip() else ""
    except LrplotError as exc:
        raise exc.located(path=f"--kw {name}") from None
