"""Strict YAML loading: plain data only, with the line of every key path.

- Only YAML's plain types: mappings, sequences, strings, ints, floats, booleans and null. Every
  other tag (``!!python/...``, ``!!timestamp``, ``!!binary``, custom ``!tags``) is an error.
- Scalars resolve as YAML 1.2 does, not as PyYAML's YAML 1.1: ``1e-3`` is a float; ``on``,
  ``yes``, ``no``, ``2024-01-02`` and ``1:30`` stay strings (and so fail in a numeric field).
- Duplicate keys, anchors, aliases and merge keys are refused.
- Depth, node count and size are capped, and every exception PyYAML can leak is turned into one
  :class:`SpecError` that carries the line.

The text is parsed by libyaml (PyYAML's C parser, when PyYAML was built with it) into events,
and the values are built here from those events. So the rules above are lrplot's own code and
hold whichever parser runs, and a config at the caps loads in well under a second: the
pure-Python parser took 7 s for 90,000 values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from lrplot.errors import SpecError
from lrplot.origins import Origins, line_of

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_NODES = 100_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

# YAML 1.2 core schema for plain scalars (and `<<`, refused as a merge key), as one pattern
# whose matching group names the tag.
_PLAIN = re.compile(
    r"""^(?:(?P<bool>true|True|TRUE|false|False|FALSE)
    |(?P<int>[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)
    |(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))
    |(?P<null>~|null|Null|NULL|)
    |(?P<merge><<))$""",
    re.X,
)
_TAGS = {"bool": _BOOL, "int": _INT, "float": _FLOAT, "null": _NULL, "merge": _MERGE}
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


@dataclass
class Document:
    """Plain data, and where each key path came from: the line in a YAML file, or (for a spec
    built from command-line flags) the flag (see :mod:`lrplot.origins`)."""

    data: Any
    source: str
    lines: dict[str, int] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # see Origins.aliases
    notes: dict[str, list[str]] = field(default_factory=dict)  # framework block -> what was read

    @property
    def origins(self) -> Origins:
        return Origins(self.lines, self.flags, self.aliases)

    def line(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        return line_of(self.lines, path)


def _tag(event: ScalarEvent) -> str:
    """The tag of a scalar: explicit, or resolved from a plain scalar's text (YAML 1.2)."""
    if event.tag not in (None, "!"):
        return str(event.tag)
    if event.tag is None and event.implicit[0]:
        found = _PLAIN.match(event.value)
        if found is not None:
            return _TAGS[str(found.lastgroup)]
    return _STR


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value in (".inf", "+.inf"):
        return float("inf")
    if value == "-.inf":
        return float("-inf")
    if value == ".nan":
        return float("nan")
    return float(value)


def _scalar(event: ScalarEvent) -> Any:
    tag = _tag(event)
    text = event.value
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        if text.lower() not in ("true", "false"):
            raise SpecError(f"{text!r} is not a boolean (use true or false)")
        return text.lower() == "true"
    if tag == _INT:
        digits = text.replace("_", "")
        return int(digits, 0) if digits[:2].lower() in ("0x", "0o") else int(digits)
    if tag == _FLOAT:
        return _float(text)
    if tag == _MERGE:
        raise SpecError("merge keys (<<) are not allowed")
    raise SpecError(f"the tag {tag!r} is not allowed; only plain YAML values are")


def _line(event: Event) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


class _Composer:
    """Plain values from a stream of parser events, with the caps and the line of every key
    path. Iterative: no input can exhaust the stack (depth is capped anyway)."""

    def __init__(self, next_event: Callable[[], Event], doc: Document) -> None:
        self.next = next_event
        self.doc = doc
        self.nodes = 0

    def node(self, event: Event, path: str, depth: int) -> Any:
        if isinstance(event, AliasEvent):
            raise SpecError("aliases (*name) are not allowed", line=_line(event))
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise SpecError("anchors (&name) are not allowed", line=_line(event))
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError(f"more than {MAX_NODES} values", line=_line(event))
        if depth > MAX_DEPTH:
            raise SpecError(f"nested deeper than {MAX_DEPTH} levels", line=_line(event))
        self.doc.lines.setdefault(path, _line(event))
        if isinstance(event, ScalarEvent):
            return self.scalar(event, path)
        if isinstance(event, SequenceStartEvent):
            self.check_tag(event, _SEQ, path)
            return self.sequence(path, depth)
        if isinstance(event, MappingStartEvent):
            self.check_tag(event, _MAP, path)
            return self.mapping(path, depth)
        raise SpecError("unsupported YAML node", line=_line(event))

    def scalar(self, event: ScalarEvent, path: str) -> Any:
        try:
            return _scalar(event)
        except SpecError as exc:
            raise exc.located(path=path or None, line=_line(event)) from None
        except Exception as exc:  # int()/float() of an odd value under an explicit tag
            what = _tag(event).rsplit(":", 1)[-1]
            raise SpecError(
                f"cannot read {event.value!r} as {what}", path=path or None, line=_line(event)
            ) from exc

    def check_tag(self, event: CollectionStartEvent, plain: str, path: str) -> None:
        if event.tag not in (None, "!", plain):
            raise SpecError(
                f"the tag {event.tag!r} is not allowed", path=path or None, line=_line(event)
            )

    def sequence(self, path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        lines = self.doc.lines
        while True:
            event = self.next()
            if type(event) is ScalarEvent and event.anchor is None and depth < MAX_DEPTH:
                # The common case (a long list of numbers), without node()'s dispatch.
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise SpecError(f"more than {MAX_NODES} values", line=_line(event))
                where = f"{path}[{len(items)}]"
                lines.setdefault(where, _line(event))
                items.append(self.scalar(event, where))
            elif isinstance(event, SequenceEndEvent):
                return items
            elif isinstance(event, StreamEndEvent):
                raise SpecError("unexpected end of the YAML stream")
            else:
                items.append(self.node(event, f"{path}[{len(items)}]", depth + 1))

    def mapping(self, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        last: tuple[str, Any] | None = None  # the previous key and its value's event
        while True:
            event = self.next()
            if isinstance(event, MappingEndEvent):
                return result
            if isinstance(event, StreamEndEvent):
                raise SpecError("unexpected end of the YAML stream")
            key = self.node(event, path, depth + 1)  # a bad key is reported at its mapping
            if not isinstance(key, str):
                raise SpecError(
                    f"keys must be strings, got {key!r}",
                    path=path or None,
                    line=_line(event),
                    hint=self.list_hint(last, event),
                )
            child = f"{path}.{key}" if path else key
            if key in result:
                raise SpecError(
                    f"duplicate key {key!r} (first on line {key_lines[key]})",
                    path=child,
                    line=_line(event),
                )
            key_lines[key] = _line(event)
            self.doc.lines[child] = _line(event)
            value = self.next()
            result[key] = self.node(value, child, depth + 1)
            last = (key, value)

    def list_hint(self, last: tuple[str, Any] | None, key: Any) -> str | None:
        """``{milestones: 30,60}`` reads as ``{milestones: 30, 60: null}``: a comma list where
        YAML wants ``[30, 60]``. Recognised by plain keys with no value after a plain value."""
        if last is None or not _plain(key) or not _plain(last[1]) or not last[1].value:
            return None
        items = [last[1].value, key.value]
        value: Any = self.next()
        while _plain(value) and value.value == "":
            following: Any = self.next()
            if not _plain(following):
                break
            items.append(following.value)
            value = self.next()
        if len(items) == 2 and not (_plain(value) and value.value == ""):
            return None
        return f"{last[0]}: [{', '.join(items)}]"

    def document(self) -> Any:
        """The one document of the stream; SpecError for none or several."""
        event = self.next()
        if isinstance(event, StreamStartEvent):
            event = self.next()
        if isinstance(event, StreamEndEvent):
            raise SpecError("the file is empty")
        if not isinstance(event, DocumentStartEvent):
            raise SpecError("unsupported YAML stream")
        data = self.node(self.next(), "", 1)
        end = self.next()
        assert isinstance(end, DocumentEndEvent)
        after = self.next()
        if not isinstance(after, StreamEndEvent):
            raise SpecError("the file holds more than one YAML document", line=_line(after))
        return data


def _problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """The parser's complaint, with what libyaml leaves out: which character, and lrplot's own
    words for its nesting cap."""
    problem = exc.problem or exc.context or "invalid YAML"
    if "maximum nesting depth" in problem:
        return f"nested deeper than {MAX_DEPTH} levels"
    mark = exc.problem_mark
    if problem == "found character that cannot start any token" and mark is not None:
        index = getattr(mark, "index", -1)
        if 0 <= index < len(text):
            problem = f"found character {text[index]!r} that cannot start any token"
    return f"invalid YAML: {problem}"


def _plain(event: Any) -> bool:
    """A plain (unquoted, untagged) scalar."""
    return isinstance(event, ScalarEvent) and event.tag is None and bool(event.implicit[0])


def load_text(text: str, source: str) -> Document:
    """Parse YAML text into a :class:`Document`; SpecError (with source and line) on any failure."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(f"the file is larger than {MAX_BYTES} bytes", source=source)
    doc = Document(None, source)
    loader: Any = None
    try:
        loader = _Loader(text)  # already reads the text: a NUL byte may fail here
        doc.data = _Composer(loader.get_event, doc).document()
    except SpecError as exc:
        raise exc.located(source=source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError(_problem(exc, text), source=source, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise SpecError(
            f"the character U+{exc.character:04X} is not allowed in YAML", source=source, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, StopIteration) as exc:
        # PyYAML's reader and scanner can leak these on odd input.
        raise SpecError(f"invalid YAML ({type(exc).__name__})", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()
    return doc


def load_bytes(raw: bytes, source: str) -> Document:
    if len(raw) > MAX_BYTES:
        raise SpecError(f"the file is larger than {MAX_BYTES} bytes", source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError("the file is not valid UTF-8", source=source, line=line) from None
    return load_text(text.removeprefix("\ufeff"), source)


class _Dumper(yaml.SafeDumper):
    """Writes what :func:`load_text` reads back as the same data: a string that the YAML 1.2
    rules above would read as something else (``1e-3``, ``null``) is quoted."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def dump_text(data: Any) -> str:
    """Plain data as YAML, flow style for the innermost lists and mappings (``[30, 60]``)."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
        width=96,
    )
    return text
