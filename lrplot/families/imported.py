"""The import family: a scheduler class or factory of the user's own, ``module:attribute``.

``scheduler: {import: "mypkg.schedules:WarmupCosine", warmup: 5, total: 100}`` in YAML,
``lrplot import mypkg.schedules:WarmupCosine --allow-import mypkg --kw warmup=5`` on the command
line. The attribute is called as ``attribute(optimizer, **other keys)``: an ``LRScheduler``
subclass, or any function that returns a scheduler (a torch ``LRScheduler``, a
``ReduceLROnPlateau``, or a timm-style scheduler with ``step_update``).

**Importing runs code**, so a config can never allow it by itself: the module's top-level
package must be in the allow-list the caller passes (``--allow-import PKG``,
``LRPLOT_ALLOW_IMPORT``, or ``allow_import=`` in Python), which is checked before anything is
imported. The config's folder and the current folder are importable.

While checking, the callable is tried once on a throwaway optimizer: what it returns decides how
the run steps it (``step()``, ``step(metric)`` when its ``step`` needs an argument, or timm's
``step_update``/``step(epoch)``), and a failure is an error at the spec's line before anything
runs. From Python, ``scheduler: {import: f}`` may hold the callable itself (no allow-list: it is
the caller's own code).
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrplot.errors import SimulationError, SpecError, close_match
from lrplot.families import importing
from lrplot.families.base import Entry, Event, RunDefaults, StepCode, Stepping
from lrplot.families.stepping import (
    METRIC_INIT,
    plain_step_code,
    plain_stepping,
    timm_step_code,
    timm_stepping,
)
from lrplot.model import SchedulerSpec
from lrplot.pycode import call_source

if TYPE_CHECKING:
    from lrplot.families.base import CheckContext, Warn
    from lrplot.model import CurveSpec

TARGET = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
STEP, METRIC, TIMM = "step", "metric", "timm"  # how the product is stepped


class ImportFamily:
    name = "import"
    key = "import"
    command_group: str | None = None
    title = (
        "your own (lrplot import MODULE:ATTR --allow-import PKG; "
        'YAML: scheduler: {import: "MODULE:ATTR", ...})'
    )
    group_help = ""
    entry = Entry(
        family="import",
        name="import",
        command="import",
        params=(),
        summary="a scheduler class or factory of yours: MODULE:ATTR, called (optimizer, **kw)",
        doc=(
            "A scheduler class or factory of your own, imported as module:attribute and called "
            "as attribute(optimizer, **keyword arguments). Importing runs the module's code, so "
            "its top-level package must be allowed with --allow-import PKG (or "
            "LRPLOT_ALLOW_IMPORT=PKG,...). The config's folder and the current folder are "
            "importable."
        ),
        origin="your code",
        target="MODULE:ATTR",
        any_keywords=True,
    )

    def missing(self) -> str | None:
        return None

    def entries(self) -> Mapping[str, Entry]:
        return {self.entry.name: self.entry}

    def resolve(self, name: Any) -> Entry:
        if name == self.entry.name:
            return self.entry
        raise SpecError(f"unknown scheduler {name!r}", hint=close_match(str(name), ["import"]))

    # -- checking ------------------------------------------------------------------------------

    def check(self, value: Mapping[str, Any], path: str, ctx: CheckContext) -> SchedulerSpec:
        where = f"{path}.{self.key}"
        target = value[self.key]
        kwargs = {key: item for key, item in value.items() if key != self.key}
        extra: dict[str, Any] = {}
        if callable(target):  # from Python: the caller's own object, nothing to import
            obj, name = target, _qualname(target)
            extra["callable"] = target
        else:
            if not isinstance(target, str) or not TARGET.fullmatch(target.strip()):
                raise ctx.fail(
                    where,
                    f"must be 'module:attribute', such as 'mypkg.schedules:WarmupCosine', "
                    f"got {target!r}",
                )
            name = target.strip()
            top = name.split(".")[0].split(":")[0]
            if top not in ctx.allow_import:
                raise ctx.fail(
                    where,
                    f"importing {name.split(':')[0]!r} would run its code; allow it with "
                    f"--allow-import {top} (or LRPLOT_ALLOW_IMPORT={top})",
                )
            folder = str(Path(ctx.base_dir).resolve())
            try:
                obj, source = importing.load(name, folder)
            except importing.ImportProblem as exc:
                raise ctx.fail(where, exc.message, exc.hint) from None
            extra.update(folder=folder, sha256=_digest(source))
        _check_keywords(obj, name, kwargs, path, ctx)
        extra.update(_probe(obj, name, kwargs, path, ctx))
        return SchedulerSpec(self.name, name, kwargs, (), path, extra)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        return RunDefaults(interval="epoch", what=spec.type)

    def check_run(self, spec: SchedulerSpec, curve: CurveSpec, ctx: CheckContext) -> None:
        if spec.extra["steps"] == TIMM and curve.interval == "step":
            raise ctx.fail(
                spec.path,
                f"{spec.type} is stepped as timm's train.py steps it (step_update after every "
                "optimizer step, step at the end of every epoch); 'interval: step' does not apply",
            )

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return bool(spec.extra["metric"])

    def metric_mode(self, spec: SchedulerSpec) -> str | None:
        """An imported scheduler's comparison is its own business: lrplot does not guess."""
        return None

    def nests(self, spec: SchedulerSpec) -> bool:
        return bool(spec.extra["lr_scheduler"]) and not self.uses_metric(spec)

    # -- running -------------------------------------------------------------------------------

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: CurveSpec) -> Any:
        obj = spec.extra.get("callable")
        if obj is None:
            try:
                obj, _ = importing.load(spec.type, spec.extra["folder"])
            except importing.ImportProblem as exc:
                raise SimulationError(exc.message, path=spec.path) from None
        try:
            return obj(optimizer, **spec.kwargs)
        except Exception as exc:  # the user's code: any failure is reported, not raised
            raise SimulationError(
                f"{spec.type} failed: {type(exc).__name__}: {exc}", path=spec.path
            ) from None

    def stepping(
        self, spec: SchedulerSpec, scheduler: Any, curve: CurveSpec, metric: Sequence[float] | None
    ) -> Stepping:
        if spec.extra["steps"] == TIMM:
            return timm_stepping(scheduler, curve, metric)
        return plain_stepping(scheduler, curve, metric)

    # -- describing ----------------------------------------------------------------------------

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Event]:
        if self.uses_metric(spec):
            yield Event(0, "reduction", how="jumps")

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Warn) -> None:
        pass

    def describe(self, spec: SchedulerSpec) -> str:
        parts = [
            f"{key}={value:g}" if isinstance(value, float) else f"{key}={value!r}"
            for key, value in spec.kwargs.items()
        ]
        return f"{spec.type.replace(':', '.')}({', '.join(parts)})"

    def code(self, spec: SchedulerSpec, curve: CurveSpec, indent: str, used: int) -> str:
        arguments = ["optimizer"] + [f"{key}={value!r}" for key, value in spec.kwargs.items()]
        return call_source(_local_name(spec), arguments, indent, used)

    def code_helpers(self, spec: SchedulerSpec) -> list[str]:
        if "callable" in spec.extra:
            return [f"# {_local_name(spec)}: your own f(optimizer) -> scheduler; define it here"]
        module, attribute = spec.type.split(":")
        return [f"from {module} import {attribute.split('.')[0]}"]

    def step_code(self, spec: SchedulerSpec, curve: CurveSpec) -> StepCode:
        if spec.extra["steps"] == TIMM:
            return timm_step_code(curve, self.uses_metric(spec))
        return plain_step_code(curve, self.uses_metric(spec))

    def init_lines(self, entry: Entry) -> list[str]:
        return [
            "epochs: 100",
            "optimizer: {type: SGD, lr: 0.1}",
            "scheduler:",
            '  import: "torch.optim.lr_scheduler:CosineAnnealingLR"   # module:attribute; '
            "render with --allow-import torch",
            "  T_max: 100                    # every other key is a keyword argument",
            "# A plateau-like scheduler (its step() takes the metric) is fed metric: as",
            "# ReduceLROnPlateau is:",
            *METRIC_INIT,
        ]

    def list_details(self, entry: Entry) -> list[str]:
        return []


def _qualname(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or "?"
    return f"{module}:{getattr(obj, '__qualname__', type(obj).__name__)}"


def _local_name(spec: SchedulerSpec) -> str:
    """How the exported script calls it: ``WarmupCosine``, ``Outer.make``, ``factory``."""
    attribute = spec.type.split(":")[-1]
    return "factory" if "<" in attribute else attribute


def _digest(source: str | None) -> str:
    """The imported file's SHA-256, so that a batch re-renders when it changes."""
    if source is None:
        return ""
    try:
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()
    except OSError:
        return ""


def _check_keywords(
    obj: Any, name: str, kwargs: Mapping[str, Any], path: str, ctx: CheckContext
) -> None:
    """Every key is a keyword argument ``obj`` takes after the optimizer, and none it needs is
    missing (when its signature can be read)."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return
    params = list(signature.parameters.values())
    if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        params = params[1:]  # the optimizer
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return
    takes = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    short = name.split(":")[-1]
    for key in kwargs:
        if key not in takes:
            hint = close_match(str(key), takes)
            listed = "" if hint else f" ({short} takes: {', '.join(takes) or 'nothing'})"
            raise ctx.fail(f"{path}.{key}", f"unknown argument {key!r} for {short}{listed}", hint)
    for param in params:
        if param.default is param.empty and param.name not in kwargs:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            raise ctx.fail(path, f"{short} needs {ctx.name(f'{path}.{param.name}')}")


def _probe(
    obj: Any, name: str, kwargs: Mapping[str, Any], path: str, ctx: CheckContext
) -> dict[str, Any]:
    """Build it once on a throwaway optimizer and see how it steps."""
    from lrplot.errors import LrplotError
    from lrplot.families.optimizers import build_optimizer

    try:
        product = obj(build_optimizer(ctx.optimizer), **kwargs)
    except LrplotError as exc:
        raise exc.located(path=path) from None
    except Exception as exc:  # the user's code: any failure is reported, not raised
        raise ctx.fail(path, f"{name} failed: {type(exc).__name__}: {exc}") from None
    return importing.classify(product, name, lambda message: ctx.fail(path, message))
