"""What ``lrplot list``, ``lrplot show NAME`` and ``lrplot init NAME`` print.

Everything comes from the families' catalogues (torch's classes read from the installed torch's
source, lrplot's recipes), so a scheduler a newer torch adds is listed, shown and gets a starter
config with no change here.
"""

from __future__ import annotations

import textwrap

from lrplot.errors import SpecError, close_match
from lrplot.families import families
from lrplot.families.base import Entry, Family
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
    out += clash_lines()
    return "\n".join(out).rstrip() + "\n"


def clashes(family: Family) -> list[str]:
    """The commands of a grouped family that a top-level entry answers to as well."""
    top = {
        name
        for other in families()
        if other.command_group is None
        for entry in other.entries().values()
        for name in entry.names
    }
    return [e.command for e in family.entries().values() if e.command in top]


def clash_lines() -> list[str]:
    """What ``lrplot list`` says about a name in two lists (``linear``)."""
    lines = []
    for family in families():
        same = clashes(family)
        if family.command_group is None or not same:
            continue
        group, name = family.command_group, same[0]
        text = (
            f"Same name, different schedule: {', '.join(same)} name both a scheduler above and "
            f"a {group}. lrplot {name} is the scheduler (YAML type: {name}); lrplot {group} "
            f"{name} is the {group} (YAML {family.key}: {name}). show and init take either: "
            f"lrplot show {name}, lrplot show {group} {name}."
        )
        lines += textwrap.wrap(text, 96) + [""]
    return lines


def resolve(name: str, group: str | None = None) -> Entry:
    """A catalogue entry by any of its names: of the family that has the command ``group``
    (``recipe``), or else of the first family that knows the name. ``KEY:NAME`` asks one family
    too (``transformers:cosine``, ``recipe:cosine``; ``type:cosine`` is torch's)."""
    key, colon, rest = name.partition(":")
    keyed = [f for f in families() if colon and key in (f.key, f.name, f.command_group)]
    if keyed:
        return keyed[0].resolve(rest)
    chosen = [
        f for f in families() if (group is None or f.command_group == group) and f.missing() is None
    ]
    if group is not None and not chosen:
        raise SpecError(f"unknown command group {group!r}")
    for family in chosen:
        try:
            return family.resolve(name)
        except SpecError:
            continue
    names = [n for family in chosen for e in family.entries().values() for n in e.names]
    what = group or "scheduler"
    raise SpecError(f"unknown {what} {name!r}", hint=close_match(name, names))


def resolve_words(words: list[str]) -> Entry:
    """``["cosine"]`` or ``["recipe", "linear"]``, as ``show`` and ``init`` take them."""
    groups = {f.command_group for f in families() if f.command_group is not None}
    if len(words) == 2 and words[0] in groups:
        return resolve(words[1], words[0])
    if len(words) == 1:
        return resolve(words[0])
    raise SpecError(
        f"expected a name, or a command group and a name (recipe linear), got {' '.join(words)!r}"
    )


def _type_text(param: Param) -> str:
    if param.kind is Kind.CHOICE:
        return " | ".join(param.choices)
    text = param.kind.value
    return f"{text} or null" if param.optional and param.default is None else text


def _command_of(entry: Entry) -> str:
    family = next(f for f in families() if f.name == entry.family)
    group = f"{family.command_group} " if family.command_group else ""
    return f"lrplot {group}{entry.command}"


def _other_meaning(entry: Entry) -> str | None:
    """For a name in two lists: where the other schedule of that name is shown."""
    for family in families():
        if family.name == entry.family:
            continue
        for other in family.entries().values():
            if entry.command in other.names:
                group = f"{family.command_group} " if family.command_group else ""
                what = family.command_group or "scheduler"
                return f"{entry.command} is also a {what}: lrplot show {group}{other.command}"
    return None


def show_text(words: list[str]) -> str:
    """Everything about one scheduler: names, its description, and every argument."""
    entry = resolve_words(words)
    family = next(f for f in families() if f.name == entry.family)
    lines = [f"{entry.name}  ({entry.origin})"]
    aliases = ", ".join(dict.fromkeys([entry.command, *entry.aliases]))
    yaml_name = entry.command if family.key == "type" else entry.name
    if entry.target:
        yaml_name = f'"{entry.target}"'

    if family.command_group is not None:
        lines.append(f"{entry.command} is a {family.command_group}: {_command_of(entry)} --help")
    lines.append(
        f"names: {aliases}   command: {_command_of(entry)}   YAML: {family.key}: {yaml_name}"
    )
    other = _other_meaning(entry)
    if other:
        lines.append(other)
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
    group = f"{family.command_group} " if family.command_group else ""
    lines.append(f"starter config: lrplot init {group}{entry.command} > {entry.command}.yaml")
    return "\n".join(lines) + "\n"


def init_text(words: list[str]) -> str:
    """A commented starter config for ``words`` that loads and renders as it is."""
    entry = resolve_words(words)
    family = next(f for f in families() if f.name == entry.family)
    lines = [
        f"# {entry.name}: {entry.summary}",
        "# Render: lrplot render THIS.yaml --format png,csv",
        "# Editor completion: see `lrplot schema` in the README.",
        "# title: My schedule            # default: built from the scheduler",
        *family.init_lines(entry),
        "# plot: {annotate: true, log_y: false, x: epoch, theme: both, size: 6.4x3.6, dpi: 250}",
        "# outputs: [schedule.png, schedule.csv]",
    ]
    return "\n".join(lines) + "\n"
