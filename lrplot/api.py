"""``lrplot.simulate`` and ``lrplot.plot`` for a notebook: a spec, or a scheduler factory.

A factory is any callable ``f(optimizer) -> scheduler`` (a torch ``LRScheduler``, a
``ReduceLROnPlateau``, a timm-style scheduler). It is the caller's own code, so no allow-list
applies; it runs through the import family exactly as ``scheduler: {import: ...}`` does::

    lrplot.plot(lambda opt: MyScheduler(opt, warmup=5), epochs=90)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lrplot.model import Curve, CurveSpec, FigureSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Factory = Callable[[Any], Any]


def factory_spec(
    factory: Factory,
    *,
    epochs: int | None = None,
    steps_per_epoch: int = 1,
    interval: str | None = None,
    optimizer: str | Mapping[str, Any] = "SGD",
    lr: float | None = None,
    metric: Mapping[str, Any] | None = None,
    label: str = "",
) -> FigureSpec:
    """The spec of a run of ``factory``: ``optimizer`` is a torch.optim class name or a mapping
    as in YAML (``{"type": "AdamW", "lr": 1e-3, "param_groups": [...]}``); ``metric`` is a
    ``metric:`` mapping for a plateau-like scheduler."""
    from lrplot.config import spec_from_mapping

    chosen: dict[str, Any] = {"type": optimizer} if isinstance(optimizer, str) else dict(optimizer)
    if lr is not None:
        chosen["lr"] = lr
    data: dict[str, Any] = {
        "steps_per_epoch": steps_per_epoch,
        "optimizer": chosen,
        "scheduler": {"import": factory},
    }
    if epochs is not None:
        data["epochs"] = epochs
    if interval is not None:
        data["interval"] = interval
    if metric is not None:
        data["metric"] = dict(metric)
    name = getattr(factory, "__qualname__", type(factory).__name__)
    spec = spec_from_mapping(data, source=f"<{name}>")
    if label:
        from dataclasses import replace

        spec = replace(spec, curves=(replace(spec.curves[0], label=label),))
    return spec


def simulate(
    spec: CurveSpec | FigureSpec | Factory,
    *,
    progress: Callable[[int, int], None] | None = None,
    **run: Any,
) -> Curve:
    """Simulate one curve: a spec holding one, or a factory ``f(optimizer) -> scheduler`` with
    the run as keywords (``epochs``, ``steps_per_epoch``, ``interval``, ``optimizer``, ``lr``,
    ``metric``; see :func:`factory_spec`). ``progress(done, total)`` is called every 65,536
    scheduler steps and at the end."""
    from lrplot.simulate import simulate as simulate_spec

    if not isinstance(spec, CurveSpec | FigureSpec):
        spec = factory_spec(spec, **run)
    elif run:
        raise TypeError(f"run keywords apply to a factory, not to a spec: {', '.join(run)}")
    return simulate_spec(spec, progress=progress)


def plot(
    curves: Curve | Sequence[Curve] | Factory,
    *,
    title: str | None = None,
    x: str = "epoch",
    log_y: bool = False,
    ax: Any = None,
    annotate: bool = True,
    style: str | None = None,
    size: tuple[float, float] | None = None,
    dpi: int | None = None,
    **run: Any,
) -> Figure:
    """:func:`lrplot.draw.figure.plot`, or for a factory, the figure of its simulated run (the
    run as keywords, as for :func:`simulate`)."""
    from lrplot.draw.figure import plot as draw_plot

    if callable(curves) and not isinstance(curves, Curve):
        curves = simulate(curves, **run)
    elif run:
        raise TypeError(f"run keywords apply to a factory, not to curves: {', '.join(run)}")
    return draw_plot(
        curves,
        title=title,
        x=x,
        log_y=log_y,
        ax=ax,
        annotate=annotate,
        style=style,
        size=size,
        dpi=dpi,
    )
