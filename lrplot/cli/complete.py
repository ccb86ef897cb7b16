"""Shell completion of values: scheduler and recipe names, optimizers, formats, styles, axes.

Typer calls these through its completion machinery (``lrplot --install-completion``). They must
be quick and must never fail: nothing here imports torch or matplotlib (matplotlib's style
sheets are found as files), and any surprise gives no completions rather than an error.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer

X_AXES = ("epoch", "step")


def _starting(incomplete: str, names: list[str]) -> list[str]:
    """The names that start with ``incomplete``, each once, in order."""
    return list(dict.fromkeys(n for n in names if n.startswith(incomplete)))


def entry_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """What ``show`` and ``init`` take: after ``recipe``, a recipe; otherwise the commands and
    aliases of every family, the group names (``lrplot show recipe linear``) and, for ``show``,
    YAML files (it previews them)."""
    from lrplot.families import families

    typed = [str(word) for word in ctx.params.get("names") or ()]
    groups = {f.command_group for f in families() if f.command_group is not None}
    if typed and typed[-1] in groups:
        return group_entry_names(incomplete, typed[-1])
    names: list[str] = sorted(groups)
    for family in families():
        if family.command_group is None:
            for entry in family.entries().values():
                names += [entry.command, *entry.aliases]
    for family in families():
        if family.command_group is not None:
            names += [entry.command for entry in family.entries().values()]
    if ctx.command.name == "show":
        names += _yaml_files(incomplete)
    return _starting(incomplete, names)


def _yaml_files(incomplete: str) -> list[str]:
    folder = Path(incomplete).parent if "/" in incomplete else Path(".")
    try:
        found = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()]
    except OSError:
        return []
    return sorted(str(p) if "/" in incomplete else p.name for p in found)


def group_entry_names(incomplete: str, group: str) -> list[str]:
    """The commands of one command group (``recipe``)."""
    from lrplot.families import families

    names = [
        entry.command
        for family in families()
        if family.command_group == group
        for entry in family.entries().values()
    ]
    return _starting(incomplete, names)


def optimizers(incomplete: str) -> list[str]:
    from lrplot.families.torch_source import optimizer_names

    try:
        return _starting(incomplete, optimizer_names())
    except Exception:  # completion must never break the shell
        return []


def formats(incomplete: str) -> list[str]:
    """``--format png,s`` -> ``png,svg``: the last item of a comma list is completed."""
    from lrplot.formats import NAMES

    done, _, last = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    taken = set(done.split(","))
    return [prefix + name for name in NAMES if name.startswith(last) and name not in taken]


def styles(incomplete: str) -> list[str]:
    """matplotlib's style sheet names (found as files, without importing matplotlib) and the
    ``.mplstyle`` files in the current folder."""
    names: list[str] = []
    try:
        spec = importlib.util.find_spec("matplotlib")
        if spec is not None and spec.origin is not None:
            library = Path(spec.origin).parent / "mpl-data" / "stylelib"
            names += sorted(p.stem for p in library.glob("*.mplstyle"))
        names += sorted(str(p) for p in Path(".").glob("*.mplstyle"))
    except (OSError, ImportError, ValueError):
        pass
    return _starting(incomplete, names)


def x_axes(incomplete: str) -> list[str]:
    return _starting(incomplete, list(X_AXES))
