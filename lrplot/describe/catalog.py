"""What ``lrplot list``, ``lrplot show NAME`` and ``lrplot init NAME`` print.

Everything comes from the families' catalogues (torch's classes read from the installed torch's
source, lrplot's recipes), so a scheduler a newer torch adds is listed, shown and gets a starter
config with no change here.
"""

from __future__ import annotations

import textwrap

from lrplot.errors import SpecError, close_match
from lrplot.families import families
from lrplot.families.base import Entry
from lrplot.params import Kind, Param


def list_text() -> str:
    out = []
    for family in families():
        why = family.missing()
        if why is not None:
            out += [f"{family.title}:", f"  not available: {why}", ""]
            continue
        rows: list[tuple[str, str]] = []
        for entry in family.entries().values():
            rows.append((", ".join(entry.names), entry.summary))
            rows += [("", "  " + line) for line in family.list_details(entry)]
        width = max((len(names) for names, _ in rows), default=0)
        out.append(f"{family.title}:")
        out += [f"  {names:<{width}}  {summary}".rstrip() for names, summary in rows]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def resolve(name: str) -> Entry:
    """A catalogue entry of any family, by any of its names; ``KEY:NAME`` asks one family
    (``transformers:cosine``, ``recipe:cosine``; ``type:cosine`` is torch's)."""
    key, colon, rest = name.partition(":")
    chosen = [f for f in families() if colon and key in (f.key, f.name, f.command_group)]
    if chosen:
        return chosen[0].resolve(rest)
    errors: list[SpecError] = []
    for family in families():
        if family.missing() is not None:
            continue
        try:
            return family.resolve(name)
        except SpecError as exc:
            errors.append(exc)
    names = [n for family in families() for e in family.entries().values() for n in e.names]
    raise SpecError(f"unknown scheduler {name!r}", hint=close_match(name, names))


def _type_text(param: Param) -> str:
    if param.kind is Kind.CHOICE:
        return " | ".join(param.choices)
    text = param.kind.value
    return f"{text} or null" if param.optional and param.default is None else text


def _command_of(entry: Entry) -> str:
    family = next(f for f in families() if f.name == entry.family)
    group = f"{family.command_group} " if family.command_group else ""
    return f"lrplot {group}{entry.command}"


def show_text(name: str) -> str:
    """Everything about one scheduler: names, its description, and every argument."""
    entry = resolve(name)
    family = next(f for f in families() if f.name == entry.family)
    lines = [f"{entry.name}  ({entry.origin})"]
    aliases = ", ".join(dict.fromkeys([entry.command, *entry.aliases]))
    yaml_name = entry.command if family.key == "type" else entry.name
    if entry.target:
        yaml_name = f'"{entry.target}"'

    lines.append(
        f"names: {aliases}   command: {_command_of(entry)}   YAML: {family.key}: {yaml_name}"
    )
    if entry.doc:
        lines.append("")
        lines += textwrap.wrap(entry.doc, 96)
    lines.append("")
    lines.append("arguments:")
    rows = []
    for param in entry.params:
        default = param.default_text or "required"
        rows.append((param.name, _type_text(param), default, param.doc))
    if not rows:
        lines.append("  (none besides the optimizer)")
    w0 = max((len(r[0]) for r in rows), default=0)
    w1 = max((len(r[1]) for r in rows), default=0)
    w2 = max((len(r[2]) for r in rows), default=0)
    for arg, kind, default, doc in rows:
        lines.append(f"  {arg:<{w0}}  {kind:<{w1}}  {default:<{w2}}  {doc}".rstrip())
    lines.append("")
    lines.append(f"starter config: lrplot init {_name_for(entry)} > {entry.command}.yaml")
    return "\n".join(lines) + "\n"


def _name_for(entry: Entry) -> str:
    """How show/init reach ``entry``: its command, or ``KEY:NAME`` where another family's
    entry answers to the command first."""
    try:
        if resolve(entry.command) == entry:
            return entry.command
    except SpecError:
        pass
    family = next(f for f in families() if f.name == entry.family)
    return f"{family.key}:{entry.name}"


def init_text(name: str) -> str:
    """A commented starter config for ``name`` that loads and renders as it is."""
    entry = resolve(name)
    family = next(f for f in families() if f.name == entry.family)
    lines = [
        f"# {entry.name}: {entry.summary}",
        "# Render: lrplot render THIS.yaml --format png,csv",
        "# Editor completion: see `lrplot schema` in the README.",
        "# title: My schedule            # default: built from the scheduler",
        *family.init_lines(entry),
        "# plot: {annotate: true, log_y: false, x: epoch, size: 8x4.5, dpi: 100}",
        "# outputs: [schedule.png, schedule.csv]",
    ]
    return "\n".join(lines) + "\n"
