"""YAML loading and validation: numbers as users mean them, and one clear error per mistake."""

from __future__ import annotations

import pytest

from lrplot.config import spec_from_text
from lrplot.errors import SpecError


def error_of(text: str) -> str:
    with pytest.raises(SpecError) as info:
        spec_from_text(text, "c.yaml")
    return str(info.value)


@pytest.mark.parametrize("written", ["1e-3", "1.0e-3", "0.001", "1E-3"])
def test_exponent_numbers_are_floats(written: str) -> None:
    spec = spec_from_text(f"optimizer: {{lr: {written}}}\nscheduler: {{type: cosine, T_max: 5}}")
    assert spec.curves[0].optimizer.kwargs["lr"] == 0.001


def test_negative_exponent_and_eta_min() -> None:
    spec = spec_from_text("scheduler: {type: cosine, T_max: 5, eta_min: 5e-4}")
    assert spec.curves[0].scheduler.kwargs["eta_min"] == 0.0005


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scheduler: {type: cosine, T_max: on}",
            "c.yaml: scheduler.T_max (line 1): must be an integer, got string 'on'",
        ),
        (
            "optimizer: {lr: no}\nscheduler: {type: cosine, T_max: 2}",
            "optimizer.lr (line 1): must be a number, got string 'no'",
        ),
        ("scheduler: {type: cosine, T_max: 20.5}", "must be an integer, got number 20.5"),
        (
            "scheduler: {type: cosine, T_max: 5}\nscheduler: {type: step}",
            "scheduler (line 2): duplicate key 'scheduler' (first on line 1)",
        ),
        ("a: &x 1\nscheduler: *x", "anchors (&name) are not allowed"),
        (
            "scheduler: !!python/object:os.system {}",
            "the tag 'tag:yaml.org,2002:python/object:os.system' is not allowed",
        ),
        (
            "scheduler: {type: cosine, T_max: !!int x}",
            "scheduler.T_max (line 1): cannot read 'x' as int",
        ),
        ("", "c.yaml: the file is empty"),
        ("- 1\n- 2", "the top level must be a mapping"),
        ("a: 1\n---\nb: 2", "more than one YAML document"),
        ("scheduler: {type: cosine,", "invalid YAML"),
        ("scheduler: {type: cosin, T_max: 5}", "unknown scheduler 'cosin'; did you mean cosine?"),
        ("scheduler: {type: LRScheduler}", "unknown scheduler 'LRScheduler'"),
        ("scheduler: {type: partial}", "unknown scheduler 'partial'"),
        ("schedular: {type: cosine}", "unknown key 'schedular'; did you mean scheduler?"),
        ("scheduler: {type: step}", "StepLR needs 'step_size'"),
        (
            "scheduler: {type: multistep, milestones: '30, 80'}",
            "must be a list of integers such as [30, 60]",
        ),
        (
            "scheduler: {type: multistep, milestones: [30, 30]}",
            "milestones must be strictly increasing; 30 repeats",
        ),
        ("scheduler: {type: exponential, gamma: .nan}", "must be a finite number, got nan"),
        (
            "optimizer: {lr: 0}\nscheduler: {type: exponential, gamma: 0.9}",
            "optimizer.lr (line 1): must be > 0, got 0",
        ),
        ("scheduler: {type: cyclic, base_lr: 0.2, max_lr: 0.1}", "base_lr 0.2 is above max_lr 0.1"),
        (
            "optimizer: Adagrad\nscheduler: {type: onecycle, max_lr: 0.1}",
            "Adagrad has no momentum or betas",
        ),
        (
            "epochs: 10\nscheduler: {type: onecycle, max_lr: 0.1, total_steps: 5}",
            "OneCycleLR allows 5 scheduler steps, but the run takes 10",
        ),
        (
            "epochs: 5\nscheduler: {type: plateau}\nmetric: {values: [1, 2]}",
            "has 2 values but the run takes 5 scheduler steps",
        ),
        (
            "scheduler: {type: sequential, milestones: [2], schedulers: "
            "[{type: plateau}, {type: cosine, T_max: 3}]}",
            "ReduceLROnPlateau cannot be nested",
        ),
        (
            "epochs: 100000\nsteps_per_epoch: 1000\nscheduler: {type: cosine, T_max: 5}",
            "more than the limit of 20000000",
        ),
        (
            "scheduler: {type: lambda, lr_lambda: 'epoch.real'}",
            "not allowed in expressions: attribute access",
        ),
        (
            "scheduler: {type: cosine, T_max: 5}\ninterval: batch",
            "interval (line 2): must be 'epoch' or 'step'",
        ),
    ],
)
def test_bad_specs_get_one_line_with_file_path_and_line(text: str, message: str) -> None:
    error = error_of(text)
    assert message in error
    assert "\n" not in error


def test_nested_key_paths_name_the_list_index() -> None:
    text = """scheduler:
  type: sequential
  milestones: [5]
  schedulers:
    - {type: linear, total_iters: 5}
    - {type: cosine, T_max: -3}
"""
    assert "scheduler.schedulers[1].T_max (line 6): must be a positive integer, got -3" in error_of(
        text
    )


def test_curves_inherit_top_level_settings_and_may_override_them() -> None:
    spec = spec_from_text(
        """
epochs: 40
optimizer: {lr: 0.5}
curves:
  - {label: step, scheduler: {type: step, step_size: 10}}
  - {label: short, epochs: 10, scheduler: {type: cosine, T_max: 10}}
"""
    )
    first, second = spec.curves
    assert (first.epochs, second.epochs) == (40, 10)
    assert first.optimizer.kwargs["lr"] == second.optimizer.kwargs["lr"] == 0.5
    assert spec.display_title == "step, short"


def test_an_int_list_names_itself_when_it_is_not_increasing() -> None:
    """The one parameter model knows no scheduler: an INT_LIST's message names its own param."""
    from lrplot.params import Kind, Param, validate

    def fail(path: str, message: str, hint: str | None = None) -> SpecError:
        return SpecError(message, path=path, hint=hint)

    with pytest.raises(SpecError) as caught:
        validate(Param("checkpoints", Kind.INT_LIST), [5, 3], "checkpoints", fail)
    assert str(caught.value) == (
        "checkpoints[1]: checkpoints must be strictly increasing; 3 is smaller than the one before"
    )


def test_run_rules_see_the_whole_run_and_name_where_the_option_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """lrplot.config.run.RULES: the home of a check across a run option and the run's length."""
    from typer.testing import CliRunner

    from lrplot.cli import app
    from lrplot.config import run

    def short_epochs(curve, where, fail):  # type: ignore[no-untyped-def]
        if curve.total_steps > 12:
            raise fail(where("steps_per_epoch"), f"{curve.total_steps} steps are too many")

    monkeypatch.setattr(run, "RULES", (short_epochs,))
    assert error_of("epochs: 4\nsteps_per_epoch: 4\nscheduler: {type: step, step_size: 1}") == (
        "c.yaml: steps_per_epoch (line 2): 16 steps are too many"
    )
    curves = (
        "epochs: 4\ncurves:\n  - {label: a, scheduler: {type: step, step_size: 1}}\n"
        "  - {label: b, steps_per_epoch: 5, scheduler: {type: step, step_size: 1}}\n"
    )
    assert error_of(curves) == "c.yaml: curves[1].steps_per_epoch (line 4): 20 steps are too many"
    result = CliRunner().invoke(app, ["step", "--step-size", "1", "--steps-per-epoch", "2"])
    assert result.exit_code == 2
    assert result.stderr == "error: lrplot step: --steps-per-epoch: 200 steps are too many\n"
