"""``lrplot.annotate.markers``, as the README documents it (code: lrplot.draw.markers)."""

from .draw.markers import Marker, markers

__all__ = ["Marker", "markers"]
