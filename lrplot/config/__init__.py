"""The run spec: built from YAML or from command-line flags, validated whole, before torch is
imported. The result is a frozen :class:`~lrplot.model.FigureSpec`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrplot.config.context import Checker
from lrplot.config.figure import check_figure
from lrplot.config.warnings import spec_warnings
from lrplot.config.yamlload import Document, load_bytes
from lrplot.errors import LrplotError, SpecError
from lrplot.families import short_title
from lrplot.model import CurveSpec, FigureSpec, clipped_title

__all__ = [
    "CurveSpec",
    "Document",
    "FigureSpec",
    "load_spec",
    "read_document",
    "spec_from_document",
    "spec_from_mapping",
    "spec_from_text",
]


def load_spec(path: str | Path, *, allow_import: Iterable[str] = ()) -> FigureSpec:
    """Read and validate a YAML spec file.

    ``allow_import`` names the top-level packages its ``import:`` schedulers may import (the
    config's own folder and the current one are importable); any other import is refused
    before it runs. lrplot's command line adds ``LRPLOT_ALLOW_IMPORT`` to it, this does not.
    """
    return spec_from_document(
        read_document(path), base_dir=Path(path).parent, allow_import=allow_import
    )


def read_document(path: str | Path) -> Document:
    """A YAML (or JSON) file as plain data with the line of every key, not yet validated."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError("no such file", source=source) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a YAML file", source=source) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", source=source) from None
    return load_bytes(raw, source)


def spec_from_text(
    text: str,
    source: str = "<string>",
    *,
    base_dir: str | Path | None = None,
    allow_import: Iterable[str] = (),
) -> FigureSpec:
    # surrogatepass: a lone surrogate (from surrogateescape) is then "not valid UTF-8", not a crash
    raw = text.encode("utf-8", "surrogatepass")
    doc = load_bytes(raw, source)
    return spec_from_document(doc, base_dir=base_dir, allow_import=allow_import)


def spec_from_mapping(
    data: Any,
    source: str = "<spec>",
    *,
    base_dir: str | Path | None = None,
    confine: bool = True,
    allow_import: Iterable[str] = (),
) -> FigureSpec:
    """Validate a mapping. Besides YAML's values, ``scheduler: {import: f}`` may hold a
    callable ``f(optimizer) -> scheduler`` itself (your own code: no allow-list applies)."""
    doc = Document(data, source)
    return spec_from_document(doc, base_dir=base_dir, confine=confine, allow_import=allow_import)


def spec_from_document(
    doc: Document,
    *,
    base_dir: str | Path | None = None,
    confine: bool = True,
    allow_import: Iterable[str] = (),
) -> FigureSpec:
    """Validate a loaded document. Files it names (``metric.file``) are read relative to
    ``base_dir`` (default: the current folder) and, with ``confine``, must stay inside it.
    ``allow_import``: see :func:`load_spec`."""
    from lrplot.config.include import expand

    try:
        doc = expand(doc, Path(base_dir or "."), confine)
        checker = Checker(doc, Path(base_dir or "."), confine, allow_import)
        spec = check_figure(checker)
    except LrplotError as exc:
        raise exc.located(source=doc.source) from None
    spec = replace(
        spec, origins=doc.origins, auto_title=auto_title(spec), notes=tuple(checker.notes)
    )
    return replace(spec, warnings=spec_warnings(spec))


def auto_title(spec: FigureSpec) -> str:
    """The title when none is given: the scheduler, short (:func:`short_title`), or the
    curves' labels."""
    if len(spec.curves) == 1:
        return clipped_title(short_title(spec.curves[0].scheduler))
    return clipped_title(", ".join(curve.label for curve in spec.curves))
