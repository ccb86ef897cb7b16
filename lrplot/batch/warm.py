"""Imported once by the forkserver that ``render --jobs N`` forks its workers from (Linux), or
by each spawned worker (elsewhere); either way the importing process dies with its parent
(:mod:`lrplot.batch.lifeline`), so that killing ``lrplot`` ends its forkserver and workers too.

Everything a worker needs before its first config is paid here, once: torch, torch._dynamo
(which the first ``torch.optim.Optimizer`` of a process imports, about 0.9 s), matplotlib with
its font cache, and lrplot's own pipeline. Each worker is then a fork of a warm process.
Nothing is drawn and no matplotlib state is changed here; lrplot draws every figure under its
own pinned rcParams (lrplot.style), so a worker draws exactly what ``--jobs 1`` draws.
"""

from __future__ import annotations


def preload() -> None:
    from lrplot.batch.lifeline import die_with_parent

    die_with_parent()  # first: the imports below take seconds
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import torch

    import lrplot.draw.figure  # noqa: F401
    import lrplot.render  # noqa: F401
    import lrplot.simulate  # noqa: F401

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # imports torch._dynamo


preload()
