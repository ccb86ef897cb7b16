"""Strict YAML loading: plain data only, with the line of every key path.

- Only YAML's plain types: mappings, sequences, strings, ints, floats, booleans and null. Every
  other tag (``!!python/...``, ``!!timestamp``, ``!!binary``, custom ``!tags``) is an error.
- Scalars resolve as YAML 1.2 does, not as PyYAML's YAML 1.1: ``1e-3`` is a float; ``on``,
  ``yes``, ``no``, ``2024-01-02`` and ``1:30`` stay strings (and so fail in a numeric field).
- Duplicate keys, anchors, aliases and merge keys are refused.
- Depth, node count and size are capped, and every exception PyYAML can leak is turned into one
  :class:`SpecError` that carries the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars, no anchors/aliases, and caps on depth and size."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            raise SpecError("aliases (*name) are not allowed", line=mark.line + 1)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise SpecError("anchors (&name) are not allowed", line=mark.line + 1)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise SpecError(f"more than {MAX_NODES} values", line=mark.line + 1)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise SpecError(f"nested deeper than {MAX_DEPTH} levels", line=mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _resolver(tag: str, pattern: str, first: str) -> None:
    _Loader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolver(_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver(_INT, r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$", "-+0123456789")
_resolver(
    _FLOAT,
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    "-+0123456789.",
)
_Loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_resolver(_MERGE, r"^(?:<<)$", "<")


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


def _scalar(loader: _Loader, node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        text = node.value.lower()
        if text not in ("true", "false"):
            raise SpecError(f"{node.value!r} is not a boolean (use true or false)")
        return text == "true"
    if tag == _INT:
        text = node.value.replace("_", "")
        return int(text, 0) if text[:2].lower() in ("0x", "0o") else int(text)
    if tag == _FLOAT:
        return float(loader.construct_yaml_float(node))
    if tag == _MERGE:
        raise SpecError("merge keys (<<) are not allowed")
    raise SpecError(f"the tag {tag!r} is not allowed; only plain YAML values are")


def _convert(loader: _Loader, root: Node, doc: Document) -> Any:
    # Iterative so that no input can exhaust the stack; depth is already capped by the loader.
    def value_of(node: Node, path: str) -> Any:
        doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            try:
                return _scalar(loader, node)
            except SpecError as exc:
                raise exc.located(path=path or None, line=node.start_mark.line + 1) from None
            except Exception as exc:  # PyYAML leaks IndexError, KeyError, ValueError, ...
                raise SpecError(
                    f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}",
                    path=path or None,
                    line=node.start_mark.line + 1,
                ) from exc
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise SpecError(
                    f"the tag {node.tag!r} is not allowed", path=path or None, line=_line(node)
                )
            return [value_of(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                raise SpecError(
                    f"the tag {node.tag!r} is not allowed", path=path or None, line=_line(node)
                )
            result: dict[str, Any] = {}
            key_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = value_of(key_node, path)  # a bad key is reported at its mapping
                if not isinstance(key, str):
                    raise SpecError(
                        f"keys must be strings, got {key!r}",
                        path=path or None,
                        line=_line(key_node),
                    )
                child = f"{path}.{key}" if path else key
                if key in result:
                    raise SpecError(
                        f"duplicate key {key!r} (first on line {key_lines[key]})",
                        path=child,
                        line=_line(key_node),
                    )
                key_lines[key] = _line(key_node)
                doc.lines[child] = _line(key_node)
                result[key] = value_of(value_node, child)
            return result
        raise SpecError("unsupported YAML node", line=_line(node))

    return value_of(root, "")


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def load_text(text: str, source: str) -> Document:
    """Parse YAML text into a :class:`Document`; SpecError (with source and line) on any failure."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(f"the file is larger than {MAX_BYTES} bytes", source=source)
    doc = Document(None, source)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # already reads the text: a NUL byte fails here
        root = loader.get_single_node()
        if root is None:
            raise SpecError("the file is empty", source=source)
        doc.data = _convert(loader, root, doc)
    except SpecError as exc:
        raise exc.located(source=source) from None
    except ComposerError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        what = exc.problem or "invalid YAML"
        if "single document" in (exc.context or ""):
            what = "the file holds more than one YAML document"
        raise SpecError(what, source=source, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError(
            f"invalid YAML: {exc.problem or exc.context}", source=source, line=line
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise SpecError(
            f"the character U+{exc.character:04X} is not allowed in YAML", source=source, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None
    except RecursionError:
        raise SpecError(f"nested deeper than {MAX_DEPTH} levels", source=source) from None
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
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
