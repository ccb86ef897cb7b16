"""Figures that show themselves: in Jupyter, with ``fig.show()`` and with ``plt.show()``.

:func:`lrplot.plot` builds its figure without pyplot, so that a batch of renders never fills
pyplot's list of open figures. That figure then needs help to be seen:

- in Jupyter it has ``_repr_png_`` (at half its pixel size, so a 250 dpi figure is sharp but not
  huge), used whether or not pyplot was imported;
- in a script whose pyplot has an interactive backend (Qt, Tk, macOS, ...), :func:`adopt` hands
  it to pyplot when it is drawn, so ``plt.show()`` shows it with every other figure;
- ``fig.show()`` hands it to pyplot first, where matplotlib's own Figure would raise.
"""

from __future__ import annotations

import functools
import io
import sys
from typing import Any


@functools.cache
def figure_class() -> type:
    from matplotlib.figure import Figure

    class LrplotFigure(Figure):
        """A matplotlib Figure that Jupyter can display and ``show()`` always can."""

        def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
            import matplotlib

            from lrplot.style import rc

            buffer = io.BytesIO()
            with matplotlib.rc_context(rc()):
                self.savefig(buffer, format="png", metadata={"Software": None})
            width, height = self.get_size_inches() * 100
            return buffer.getvalue(), {"width": int(width), "height": int(height)}

        def show(self, warn: bool = True) -> None:
            if self.canvas.manager is None:
                import matplotlib.pyplot as plt

                plt.figure(self)
            super().show(warn)

    return LrplotFigure


def adopt(figure: Any) -> None:
    """Give ``figure`` to pyplot when the user's pyplot shows figures in windows."""
    if "matplotlib.pyplot" not in sys.modules or figure.canvas.manager is not None:
        return
    import matplotlib
    from matplotlib.backends import BackendFilter, backend_registry

    backend = str(matplotlib.get_backend()).lower()
    if backend in backend_registry.list_builtin(BackendFilter.INTERACTIVE) or "ipympl" in backend:
        import matplotlib.pyplot as plt

        plt.figure(figure)
