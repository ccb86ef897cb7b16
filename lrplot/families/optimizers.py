"""The real torch optimizer a run is simulated on (and an imported scheduler is tried on)."""

from __future__ import annotations

from typing import Any

from lrplot.errors import SimulationError
from lrplot.families import torch_source as torchsource
from lrplot.model import OptimizerSpec
from lrplot.params import Kind


def build_optimizer(spec: OptimizerSpec) -> Any:
    """A real torch optimizer holding one dummy single-element tensor per param group."""
    import torch

    info = torchsource.resolve_optimizer(spec.type)
    cls = torchsource.optimizer_class(info)

    def convert(kwargs: Any) -> dict[str, Any]:
        out = {}
        for name, value in kwargs.items():
            param = info.param(name)
            out[name] = tuple(value) if param and param.kind is Kind.FLOAT_TUPLE else value
        return out

    def tensor() -> torch.Tensor:
        # 2-D, because Muon only takes matrices; one element is all a schedule needs.
        return torch.zeros(1, 1, requires_grad=True)

    params: Any
    if spec.param_groups:
        params = [{"params": [tensor()], **convert(group)} for group in spec.param_groups]
    else:
        params = [tensor()]
    try:
        return cls(params, **convert(spec.kwargs))
    except (ValueError, TypeError, RuntimeError) as exc:
        raise SimulationError(f"torch rejected {spec.type}: {exc}", path="optimizer") from None
