"""A framework's own file named in a spec: ``lightning: {config: cli.yaml}``, or written inline
under that key (``lightning: {config: {trainer: ..., lr_scheduler: ...}}``).

The file is read (relative to the spec's folder and, for a config, confined to it, like a
replayed metric log), translated by its framework module into spec keys (``optimizer``,
``scheduler``, the framework block, ``data``), and merged into the mapping that named it. The
spec's own keys win over the file's, for what-if questions (``data: {world_size: 8}``). Each
translated key remembers where the file wrote it, so that a message names that file, key and
line: ``data/cli.yaml: lr_scheduler.init_args.step_size (line 27): ...``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lrplot.config.replay import ReplayError, resolve
from lrplot.config.yamlload import MAX_BYTES, Document, load_bytes
from lrplot.errors import SpecError

Translate = Callable[[Any, dict[str, Any], Callable[[str, str], SpecError]], Any]


def _translators() -> dict[str, tuple[str, Translate]]:
    """framework key -> (the key naming its file, its translator)."""
    from lrplot.frameworks import hf, lightning_cli

    return {"lightning": ("config", lightning_cli.translate), "huggingface": ("args", hf.translate)}


PICKLES = (".bin", ".pt", ".pth", ".pkl", ".pickle")


def expand(doc: Document, base_dir: Path, confine: bool) -> Document:
    """``doc`` with every framework file it names read and merged in (top level and curves)."""
    data = doc.data
    if not isinstance(data, dict):
        return doc
    out = Document(
        dict(data), doc.source, dict(doc.lines), dict(doc.flags), dict(doc.aliases), dict(doc.notes)
    )
    _expand(out, out.data, "", base_dir, confine)
    curves = data.get("curves")
    if isinstance(curves, list):
        out.data["curves"] = [dict(c) if isinstance(c, dict) else c for c in curves]
        for i, item in enumerate(out.data["curves"]):
            if isinstance(item, dict):
                _expand(out, item, f"curves[{i}]", base_dir, confine)
    return out


def _expand(doc: Document, mapping: dict[str, Any], at: str, base_dir: Path, confine: bool) -> None:
    for key, (file_key, translate) in _translators().items():
        block = mapping.get(key)
        if isinstance(block, dict) and file_key in block:
            _merge(doc, mapping, at, key, file_key, translate, base_dir, confine)


def _merge(
    doc: Document,
    mapping: dict[str, Any],
    at: str,
    key: str,
    file_key: str,
    translate: Translate,
    base_dir: Path,
    confine: bool,
) -> None:
    """Read the file ``mapping[key][file_key]`` names and merge its translation in."""
    prefix = f"{at}." if at else ""
    block: dict[str, Any] = mapping[key]
    name = block[file_key]
    where = f"{prefix}{key}.{file_key}"
    if isinstance(name, dict):  # the framework's config written inline, under this key
        original = Document(name, doc.source)
        shown, name = f"{where}.", where
        original.lines = {
            p[len(shown) :]: line for p, line in doc.lines.items() if p.startswith(shown)
        }
    else:
        original = _read(doc, name, where, base_dir, confine)
        shown = "" if name == doc.source else f"{name}: "

    def fail(path: str, message: str) -> SpecError:
        line = original.origins.line(path) if path else doc.line(where)
        return SpecError(message, path=f"{shown}{path}".rstrip(":. ") or None, line=line)

    given = mapping.get("data")
    user_data: dict[str, Any] = given if isinstance(given, dict) else {}
    own = {k: v for k, v in block.items() if k != file_key}
    translation = translate(original.data, {**user_data, **own}, fail)
    for spec_key in ("optimizer", "scheduler"):
        if spec_key in mapping:
            raise SpecError(
                f"comes from {name} ({key}.{file_key}); remove it here",
                path=f"{prefix}{spec_key}",
                line=doc.line(f"{prefix}{spec_key}"),
            )
    mapping.update(translation.spec)
    mapping[key] = {**translation.spec[key], **own}
    merged = {**translation.spec.get("data", {}), **user_data}
    if merged:
        mapping["data"] = merged
    else:
        mapping.pop("data", None)
    for path, written in translation.aliases.items():
        if not (path.startswith(f"{key}.") and path.split(".", 1)[1] in own):
            doc.aliases[f"{prefix}{path}"] = f"{shown}{written}"
    for path, line in original.lines.items():
        doc.lines.setdefault(f"{shown}{path}", line)
    doc.notes[f"{prefix}{key}"] = [
        f"read {'' if name == doc.source else f'{name}: '}{', '.join(translation.read)}",
        *translation.notes,
    ]


def _read(doc: Document, name: Any, where: str, base_dir: Path, confine: bool) -> Document:
    def fail(message: str) -> SpecError:
        if name == doc.source:  # the command line's own file: its name is already the source
            return SpecError(message.removeprefix(f"{name}: "))
        return SpecError(message, path=where, line=doc.line(where))

    if not isinstance(name, str) or not name.strip():
        raise fail(f"must be a file name, got {name!r}")
    if name.lower().endswith(PICKLES):
        raise fail(
            f"{name}: lrplot never unpickles a file (loading a pickle runs code); save "
            "args.to_json_string() (or the config as YAML) and name that"
        )
    try:
        target = resolve(name, base_dir, confine)
    except ReplayError as exc:
        raise fail(exc.message) from None
    try:
        info = os.stat(target)
    except FileNotFoundError:
        raise fail(f"{name}: no such file") from None
    except OSError as exc:
        raise fail(f"{name}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block
        raise fail(f"{name}: is not a regular file")
    if info.st_size > MAX_BYTES:
        raise fail(f"{name}: the file is larger than {MAX_BYTES} bytes")
    try:
        return load_bytes(target.read_bytes(), name)
    except OSError as exc:
        raise fail(f"{name}: cannot read: {exc.strerror}") from None
    except SpecError as exc:
        if name != doc.source:  # name the spec first, then the file it reads
            exc.source, exc.path = None, f"{name}: {exc.path}" if exc.path else name
        raise
