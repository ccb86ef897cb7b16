"""``lrplot.annotate.markers``, as the README documents it (code: lrplot.draw.markers)."""

from lrplot.draw.markers import Marker, markers

__all__ = ["Marker", "markers"]
