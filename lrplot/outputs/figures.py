"""Figures as bytes: matplotlib's savefig into memory, with no dates or versions in the file,
and the figure's title and description as its text alternative (SVG ``<title>``/``<desc>``,
PNG and PDF metadata)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from lrplot.draw.alt import text_of
from lrplot.errors import OutputError
from lrplot.formats import FORMATS
from lrplot.style import rc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# savefig metadata keys for the figure's title and description, per format
TEXT_KEYS = {"png": ("Title", "Description"), "pdf": ("Title", "Subject")}


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """The figure encoded as ``fmt``, with no dates or versions in it."""
    import matplotlib

    title, description = text_of(figure)
    metadata: dict[str, Any] = dict(FORMATS[fmt].metadata)
    if fmt in TEXT_KEYS:
        for key, value in zip(TEXT_KEYS[fmt], (title, description), strict=True):
            if value:
                metadata[key] = value
    try:
        with matplotlib.rc_context(rc()):
            if not _laid_out(figure) and fmt != "png":
                figure.draw_without_rendering()  # the layout that PNG's savefig computes
                _keep_layout(figure)
            data = _save(figure, fmt, metadata)
            _keep_layout(figure)  # after a PNG: the layout its savefig just computed
    except (ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())
        reason = reason if len(reason) <= 200 else reason[:200] + "..."
        raise OutputError(f"cannot draw the figure: {reason}") from None
    return _svg_text(data, title, description) if fmt == "svg" else data


def _save(figure: Figure, fmt: str, metadata: dict[str, Any]) -> bytes:
    if fmt == "png":
        return _png(figure, metadata)
    buffer = io.BytesIO()
    if metadata:
        figure.savefig(buffer, format=fmt, metadata=metadata)
    else:  # matplotlib refuses metadata for formats that hold none (JPEG)
        figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


def _png(figure: Figure, metadata: dict[str, Any]) -> bytes:
    """PNG as matplotlib's savefig writes it (same pixels, text chunks and dpi), but an opaque
    figure is stored as RGB: matplotlib always stores RGBA, whose alpha channel of 255s makes
    the file ~10 % larger and its zlib encoding (a fifth of drawing a figure) a third slower.
    A figure with any transparency (``--transparent``) keeps RGBA, byte for byte as before."""
    import numpy as np
    from PIL import Image, PngImagePlugin

    buffer = io.BytesIO()
    figure.savefig(buffer, format="raw")  # RGBA rows at the savefig dpi (the figure's)
    raw = buffer.getvalue()
    # Agg's canvas, as matplotlib sizes it: the figure's pixels, truncated (7.33 in at 97 dpi
    # is 711.01 px: 711 columns).
    width, height = int(figure.bbox.width), int(figure.bbox.height)
    rgba = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    if (rgba[:, :, 3] == 255).all():
        image = Image.fromarray(np.ascontiguousarray(rgba[:, :, :3]), "RGB")
    else:
        image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        if value is not None:
            info.add_text(key, value)
    out = io.BytesIO()
    image.save(out, format="png", pnginfo=info, dpi=(figure.dpi, figure.dpi))
    return out.getvalue()


def _laid_out(figure: Figure) -> bool:
    """Whether the figure's layout was computed and kept by an earlier format."""
    return bool(getattr(figure, "_lrplot_laid_out", False))


def _keep_layout(figure: Figure) -> None:
    """Keep the constrained layout just computed (on Agg at the figure's dpi) for every later
    format of this figure. Constrained layout measures every text again on each savefig, which
    was a third of drawing a figure; and run on the SVG or PDF renderer it lands up to 2 px
    elsewhere, so the formats of one figure did not even agree. Now each format has the same
    layout, whichever formats are asked for and in whatever order."""
    if figure.get_layout_engine() is not None:
        figure.set_layout_engine("none")
    figure._lrplot_laid_out = True  # type: ignore[attr-defined]


def _svg_text(data: bytes, title: str, description: str) -> bytes:
    """Put ``<title>`` and ``<desc>`` first inside the root ``<svg>``: screen readers and
    browsers (as a tooltip) read them there."""
    start = data.find(b"<svg ")
    end = data.find(b">", start)
    if start < 0 or end < 0 or not (title or description):
        return data
    from xml.sax.saxutils import escape  # ~30 ms (urllib), only for an SVG

    parts = []
    if title:
        parts.append(f" <title>{escape(' '.join(title.split()))}</title>\n")
    if description:
        parts.append(f" <desc>{escape(description)}</desc>\n")
    return data[: end + 1] + b"\n" + "".join(parts).encode("utf-8") + data[end + 2 :]
