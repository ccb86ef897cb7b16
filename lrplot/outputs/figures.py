"""Figures as bytes: matplotlib's savefig into memory, with no dates or versions in the file."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from lrplot.errors import OutputError
from lrplot.formats import FORMATS
from lrplot.style import rc

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """The figure encoded as ``fmt``, with no dates or versions in it."""
    import matplotlib

    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context(rc()):
            metadata = dict(FORMATS[fmt].metadata)
            if metadata:
                figure.savefig(buffer, format=fmt, metadata=metadata)
            else:  # matplotlib refuses metadata for formats that hold none (JPEG)
                figure.savefig(buffer, format=fmt)
    except (ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())
        reason = reason if len(reason) <= 200 else reason[:200] + "..."
        raise OutputError(f"cannot draw the figure: {reason}") from None
    return buffer.getvalue()
