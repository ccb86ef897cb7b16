"""``lrplot check-log SPEC LOG``: did a run follow its plan?

The plan is the spec simulated (one curve); the log is read by :mod:`lrplot.runlog`, which
knows each framework's convention of which row a logged step holds. The two are compared where
the log has values (:mod:`lrplot.runlog.compare`). When they differ, each hypothesis of
:mod:`.hypotheses` is simulated, and the first that reproduces the whole log is the likely
cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.checklog.hypotheses import Cause, Context, diagnose
from lrplot.errors import LrplotError, SpecError
from lrplot.families import family_of
from lrplot.model import Curve, CurveSpec, FigureSpec
from lrplot.runlog import LoggedLr, LogOptions, read_log
from lrplot.runlog.compare import DEFAULT_RTOL, Comparison, compare

if TYPE_CHECKING:
    import numpy as np

    from lrplot.draw.checklog import CheckPicture

__all__ = [
    "DEFAULT_RTOL",
    "Cause",
    "CheckResult",
    "check_log",
    "check_spec_log",
    "csv_lines",
    "load_plan",
    "picture",
]


@dataclass(frozen=True, eq=False)
class CheckResult:
    spec: CurveSpec
    plan: Curve
    log: LoggedLr
    comparison: Comparison
    cause: Cause | None = None

    @property
    def matches(self) -> bool:
        return self.comparison.matches

    @property
    def exit_code(self) -> int:
        return 0 if self.matches else 1

    @property
    def plan_lr(self) -> np.ndarray:
        lr: np.ndarray = self.plan.lr[self.log.group]
        return lr

    @property
    def plan_title(self) -> str:
        scheduler = self.spec.scheduler
        return family_of(scheduler).describe(scheduler)

    def lines(self) -> list[str]:
        """What ``check-log`` prints: the verdict, the likely cause, then notes."""
        comparison, log = self.comparison, self.log
        found = []
        if comparison.matches:
            found.append(f"matches: {len(log)} logged points within rtol {_short(comparison.rtol)}")
        else:
            first = comparison.first
            assert first is not None
            found.append(
                f"diverged at step {int(log.step[first])}: planned "
                f"{self._planned(first)}, logged {self._logged(first)}"
            )
            if self.cause is not None:
                found.append(f"likely cause: {self.cause.id}: {self.cause.sentence}")
        coverage = comparison.coverage()
        notes = [coverage] if coverage else []
        notes += list(log.notes)
        if log.purged:
            notes.append(
                f"{log.purged} logged points were replaced by a restarted run that logged "
                "their steps again"
            )
        return found + [f"note: {note}" for note in notes]

    def _planned(self, index: int) -> str:
        value = float(self.comparison.planned[index])
        if value != value:
            rows = self.comparison.plan_rows
            return f"nothing (the plan has {rows} optimizer steps, 0 to {rows - 1})"
        return repr(value)

    def _logged(self, index: int) -> str:
        log = self.log
        value = float(log.value[index])
        text = _float32(value) if log.float32 else repr(value)
        if log.low is not None and log.high is not None and log.low[index] != log.high[index]:
            text += f" (bucket {float(log.low[index])!r} to {float(log.high[index])!r})"
        return text


def check_spec_log(
    spec: FigureSpec,
    log: LoggedLr,
    *,
    rtol: float = DEFAULT_RTOL,
    curve: str | None = None,
    diagnose_causes: bool = True,
) -> CheckResult:
    """Compare a read log with the spec's plan (the curve labelled ``curve`` if several)."""
    from lrplot.simulate import simulate

    chosen = _curve(spec, curve)
    if log.group >= chosen.optimizer.group_count:
        raise SpecError(
            f"the log holds param group {log.group} but the spec's optimizer has "
            f"{chosen.optimizer.group_count}",
            source=log.source,
        )
    if not rtol >= 0:
        raise SpecError(f"--rtol: must be a number >= 0, got {rtol!r}")
    try:
        plan = simulate(spec) if len(spec.curves) == 1 else simulate(chosen)
    except LrplotError as exc:
        raise exc.relocated(spec.origins, source=spec.source) from None
    after = plan.after[log.group] if plan.after is not None else float("nan")
    comparison = compare(plan.lr[log.group], float(after), log, rtol)
    cause = None
    if not comparison.matches and diagnose_causes:
        first = comparison.first
        assert first is not None
        cause = diagnose(Context(chosen, plan, log, rtol, first))
    return CheckResult(chosen, plan, log, comparison, cause)


def check_log(
    spec: FigureSpec | str | Path,
    log: LoggedLr | str | Path,
    options: LogOptions | None = None,
    *,
    rtol: float = DEFAULT_RTOL,
    curve: str | None = None,
    framework: dict[str, object] | None = None,
) -> CheckResult:
    """Read ``log`` (unless it is read already) and compare it with ``spec``'s plan: an lrplot
    spec, a TrainingArguments file or a LightningCLI config (:func:`load_plan`; ``framework``
    holds what such a file does not say, ``{"dataset_size": 50000}``)."""

    figure = spec if isinstance(spec, FigureSpec) else load_plan(spec, **(framework or {}))
    logged = log if isinstance(log, LoggedLr) else read_log(log, options)
    return check_spec_log(figure, logged, rtol=rtol, curve=curve)


def _curve(spec: FigureSpec, label: str | None) -> CurveSpec:
    if label is None:
        if len(spec.curves) > 1:
            labels = ", ".join(repr(c.label) for c in spec.curves)
            raise SpecError(
                f"the spec has {len(spec.curves)} curves ({labels}); choose one with --curve",
                source=spec.source,
            )
        return spec.curves[0]
    for curve in spec.curves:
        if curve.label == label:
            return curve
    from lrplot.errors import close_match

    names = [c.label for c in spec.curves]
    raise SpecError(
        f"--curve: no curve labelled {label!r} (labels: {', '.join(map(repr, names))})",
        hint=close_match(label, names),
    )


def _short(number: float) -> str:
    """``1e-06`` -> ``1e-6``."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2),
                  f"{number:g}")  # fmt: skip


def _float32(value: float) -> str:
    """The shortest text that reads back as the same float32."""
    import numpy as np

    return repr(float(str(np.float32(value))))


def picture(result: CheckResult) -> CheckPicture:
    """What ``check-log -o fig.png`` draws."""
    import numpy as np

    from lrplot.draw.checklog import CheckPicture

    log, comparison, cause = result.log, result.comparison, result.cause
    first = comparison.first
    name = Path(log.source).name
    return CheckPicture(
        plan=result.plan_lr,
        rows=log.rows,
        values=log.value,
        close=comparison.close,
        log_label=f"logged {log.name} ({name})",
        title=f"{result.plan_title} vs {name}",
        first=first,
        first_text="" if first is None else f"diverged at step {int(log.step[first])}",
        cause_lr=None if cause is None else cause.lr,
        cause_shift=0 if cause is None else cause.shift,
        cause_label="" if cause is None else f"likely cause: {cause.id}",
        # a staircase (a few changes) is drawn as one, each jump vertical at its step
        stepped=bool(0 < np.count_nonzero(np.diff(result.plan.lr, axis=1).any(axis=0)) <= 12),
    )


def csv_lines(result: CheckResult) -> list[str]:
    """``-o x.csv``: one line per logged point: its step, the row it holds, both values."""
    log, comparison = result.log, result.comparison
    lines = ["step,row,logged,planned,match\n"]
    for step, row, value, planned, close in zip(
        log.step.tolist(),
        log.rows.tolist(),
        log.value.tolist(),
        comparison.planned.tolist(),
        comparison.close.tolist(),
        strict=True,
    ):
        shown = "" if planned != planned else repr(planned)
        lines.append(f"{step},{row},{value!r},{shown},{int(close)}\n")
    return lines


FRAMEWORK_OPTIONS = (
    "dataset_size",
    "batch_size",
    "world_size",
    "drop_last",
    "interval",
    "frequency",
)
"""What a framework's file does not say, given on the command line (``--dataset-size``, ...)."""

_HF_KEYS = {"lr_scheduler_type", "learning_rate", "num_train_epochs", "per_device_train_batch_size"}
_LIGHTNING_KEYS = {"trainer", "lr_scheduler"}
_SPEC_KEYS = {"scheduler", "curves"}


def plan_kind(data: object) -> str:
    """``huggingface`` for a TrainingArguments file, ``lightning`` for a LightningCLI config,
    ``lrplot`` for an lrplot spec."""
    if not isinstance(data, dict) or _SPEC_KEYS & set(data):
        return "lrplot"
    if _HF_KEYS & set(data):
        return "huggingface"
    if _LIGHTNING_KEYS & set(data):
        return "lightning"
    return "lrplot"


def load_plan(path: str | Path, **given: object) -> FigureSpec:
    """The plan in ``path``: an lrplot spec, a TrainingArguments file (JSON as
    ``args.to_json_string()`` writes it, or YAML) or a LightningCLI config, the last two with
    what they do not say themselves (``dataset_size=``, ``batch_size=``, ``world_size=``,
    ``drop_last=``; Lightning's ``interval=``, ``frequency=``)."""
    from lrplot.config import read_document, spec_from_document
    from lrplot.config.yamlload import Document

    source = str(path)
    doc = read_document(path)
    kind = plan_kind(doc.data)
    options = {key: value for key, value in given.items() if value not in (None, False)}
    unknown = set(options) - set(FRAMEWORK_OPTIONS)
    if unknown:
        raise TypeError(f"load_plan() got unexpected options {sorted(unknown)}")
    if kind == "lrplot":
        if options:
            flag = "--" + next(iter(options)).replace("_", "-")
            raise SpecError(
                f"{flag}: only for a TrainingArguments file or a LightningCLI config; an "
                "lrplot spec says it under data: (or lightning:)",
                source=source,
            )
        return spec_from_document(doc, base_dir=Path(path).parent)
    allowed = ("dataset_size", "world_size") if kind == "huggingface" else FRAMEWORK_OPTIONS
    raw: dict[str, dict[str, object]] = {kind: {"args" if kind == "huggingface" else "config":
                                                 source}, "data": {}}  # fmt: skip
    names = {f"{kind}.{key}": "" for key in raw[kind]}
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if key not in allowed:
            raise SpecError(f"{flag}: not for a TrainingArguments file", source=source)
        block = kind if key in ("interval", "frequency") else "data"
        raw[block][key] = value
        names[f"{block}.{key}"] = flag
    names["data.dataset_size"] = "--dataset-size"
    return spec_from_document(Document(raw, source, flags=names), confine=False)
