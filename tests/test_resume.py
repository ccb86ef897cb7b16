"""resume_at / resume_mode: a run resumed from a checkpoint, for every torch scheduler class,
against the same resume written out by hand in torch (tests/reference.py's cases)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import torch
from reference import CASES, Case, run_header
from torch.optim import lr_scheduler as L
from torch.optim.swa_utils import SWALR
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.families import torch_source as registry
from lrplot.families.base import _REGISTERED, Entry, RunDefaults, Stepping, register
from lrplot.model import SchedulerSpec
from lrplot.resume import ResumeWarning

POINTS = (1, 5, 7, 10, 13)  # resume points: some on an event (StepLR's 7, LinearLR's 12 ...)

# Each case's scheduler built as a script resuming without the scheduler's state builds it.
REBUILT: dict[str, Callable[[torch.optim.Optimizer, int], Any]] = {
    "LambdaLR": lambda o, e: L.LambdaLR(o, lambda x: 0.95**x, last_epoch=e),
    "MultiplicativeLR": lambda o, e: L.MultiplicativeLR(
        o, lambda x: 0.9 if x < 10 else 1.05, last_epoch=e
    ),
    "StepLR": lambda o, e: L.StepLR(o, step_size=7, gamma=0.5, last_epoch=e),
    "MultiStepLR": lambda o, e: L.MultiStepLR(o, milestones=[5, 12, 20], gamma=0.5, last_epoch=e),
    "ConstantLR": lambda o, e: L.ConstantLR(o, factor=0.25, total_iters=8, last_epoch=e),
    "LinearLR": lambda o, e: L.LinearLR(o, 0.1, 1.0, total_iters=12, last_epoch=e),
    "ExponentialLR": lambda o, e: L.ExponentialLR(o, gamma=0.9, last_epoch=e),
    "SequentialLR": lambda o, e: L.SequentialLR(
        o,
        [
            L.LinearLR(o, start_factor=0.01, total_iters=5, last_epoch=e),
            L.CosineAnnealingLR(o, T_max=25, eta_min=1e-5, last_epoch=e),
        ],
        milestones=[5],
        last_epoch=e,
    ),
    "PolynomialLR": lambda o, e: L.PolynomialLR(o, total_iters=20, power=2.0, last_epoch=e),
    "CosineAnnealingLR": lambda o, e: L.CosineAnnealingLR(o, T_max=10, eta_min=1e-5, last_epoch=e),
    "ChainedScheduler": lambda o, e: L.ChainedScheduler(
        [
            L.ConstantLR(o, factor=0.1, total_iters=4, last_epoch=e),
            L.ExponentialLR(o, gamma=0.9, last_epoch=e),
        ]
    ),
    "ReduceLROnPlateau": lambda o, e: L.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1),
    "CyclicLR": lambda o, e: L.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, step_size_down=6, mode="triangular2", last_epoch=e
    ),
    "CosineAnnealingWarmRestarts": lambda o, e: L.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-4, last_epoch=e
    ),
    "OneCycleLR": lambda o, e: L.OneCycleLR(o, max_lr=0.5, total_steps=40, last_epoch=e),
    "SWALR": lambda o, e: SWALR(
        o, swa_lr=0.01, anneal_epochs=5, anneal_strategy="linear", last_epoch=e
    ),
}


def test_every_torch_class_is_covered() -> None:
    assert set(registry.schedulers()) == set(CASES) == set(REBUILT)


def saved(state: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)


def by_hand(case: Case, at: int, mode: str, rebuilt: Callable[..., Any]) -> list[float]:
    """The run written out: a real loop that checkpoints before optimizer step ``at`` and
    resumes in a fresh optimizer (and scheduler) the way ``mode`` says."""
    optimizer = case.optimizer([torch.zeros(1, requires_grad=True)])
    scheduler = case.scheduler(optimizer)
    rows, epoch = [], 0
    for t in range(case.epochs * case.steps_per_epoch):
        if t == at:
            state = saved(optimizer.state_dict())
            schedule_state = saved(scheduler.state_dict())
            optimizer = case.optimizer([torch.zeros(1, requires_grad=True)])
            if mode == "state_dict":
                scheduler = case.scheduler(optimizer)
                optimizer.load_state_dict(state)
                scheduler.load_state_dict(schedule_state)
            else:
                optimizer.load_state_dict(state)
                done = at if case.interval == "step" else at // case.steps_per_epoch
                if mode == "rebuild":
                    scheduler = rebuilt(optimizer, done - 1)
                else:
                    scheduler = case.scheduler(optimizer)
                optimizer.step()  # the resumed run's first step comes before the scheduler's
        rows.append(float(optimizer.param_groups[0]["lr"]))
        if t != at or mode == "state_dict":
            optimizer.step()
        end_of_epoch = (t + 1) % case.steps_per_epoch == 0
        if case.interval == "step" or end_of_epoch:
            if isinstance(scheduler, L.ReduceLROnPlateau):
                scheduler.step(case.metric[t if case.interval == "step" else epoch])
            else:
                scheduler.step()
        epoch += end_of_epoch
    return rows


def resumed(case: Case, at: int, mode: str) -> tuple[lrplot.Curve, list[Any]]:
    """lrplot's resumed curve, and every warning simulating it gave."""
    text = f"{run_header(case)}resume_at: [{at}]\nresume_mode: {mode}\n{case.yaml}"
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        curve = lrplot.simulate(lrplot.spec_from_text(text))
    return curve, [w.message for w in found]


@pytest.mark.parametrize("name", sorted(CASES))
def test_state_dict_resume_reproduces_the_uninterrupted_run(name: str) -> None:
    case = CASES[name]
    for at in POINTS:
        curve, found = resumed(case, at, "state_dict")
        assert curve.lr[0].tolist() == by_hand(case, at, "state_dict", REBUILT[name]), at
        assert curve.uninterrupted is not None
        assert curve.lr.tolist() == curve.uninterrupted.tolist(), at
        assert found == [], at


@pytest.mark.parametrize("mode", ["rebuild", "fresh"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_rebuild_and_fresh_resume_do_what_torch_does(name: str, mode: str) -> None:
    case = CASES[name]
    for at in POINTS:
        curve, found = resumed(case, at, mode)
        assert curve.lr[0].tolist() == by_hand(case, at, mode, REBUILT[name]), at
        warned = [w for w in found if isinstance(w, ResumeWarning)]
        assert len(warned) == len(found), found
        assert curve.uninterrupted is not None
        differs = curve.lr.tolist() != curve.uninterrupted.tolist()
        assert bool(warned) == differs, at
        if warned:
            row = next(
                t
                for t, (a, b) in enumerate(zip(curve.lr[0], curve.uninterrupted[0], strict=True))
                if a != b
            )
            start = f"resuming before step {at} (resume_mode: {mode}) changes the schedule"
            assert f"{start}: at step {row} the uninterrupted run has lr" in str(warned[0])


def test_rebuild_at_a_steplr_boundary_applies_the_decay_twice() -> None:
    """The known trap: StepLR rebuilt with last_epoch=K-1 at K % step_size == 0."""
    text = "epochs: 20\nresume_at: [7]\nresume_mode: rebuild\n" + CASES["StepLR"].yaml
    with pytest.warns(ResumeWarning, match=r"at step 7 the uninterrupted run has lr 0.05, "
                      r"the resumed one 0.025; 13 of the 13 steps from 7 on differ"):  # fmt: skip
        curve = lrplot.simulate(lrplot.spec_from_text(text))
    assert curve.lr[0, 7] == curve.lr[0, 6] / 4


# -- what does not round-trip: a LambdaLR whose closure holds state ------------------------------


class CountingFamily:
    """A test family: a LambdaLR whose lr_lambda is a closure counting its own calls. The count
    lives outside state_dict() (LambdaLR saves a plain function as None), so a resumed run
    starts counting again."""

    name = "counting-test"
    key = "counting"
    command_group = None
    title = "counting (a test family)"
    group_help = ""
    ENTRY = Entry(family="counting-test", name="halving", command="halving", params=())

    def missing(self) -> str | None:
        return None

    def entries(self) -> Mapping[str, Entry]:
        return {"halving": self.ENTRY}

    def resolve(self, name: Any) -> Entry:
        return self.ENTRY

    def check(self, value: Mapping[str, Any], path: str, ctx: Any) -> SchedulerSpec:
        return SchedulerSpec(self.name, "halving", {}, (), path)

    def run_defaults(self, spec: SchedulerSpec, steps_per_epoch: int) -> RunDefaults:
        return RunDefaults()

    def check_run(self, spec: SchedulerSpec, curve: Any, ctx: Any) -> None:
        pass

    def uses_metric(self, spec: SchedulerSpec) -> bool:
        return False

    def nests(self, spec: SchedulerSpec) -> bool:
        return True

    def build(self, spec: SchedulerSpec, optimizer: Any, curve: Any) -> Any:
        calls = [0]

        def halve_every_ten_calls(epoch: int) -> float:
            calls[0] += 1
            return 0.5 ** ((calls[0] - 1) // 10)

        return L.LambdaLR(optimizer, halve_every_ten_calls)

    def stepping(self, spec: SchedulerSpec, scheduler: Any, curve: Any, metric: Any) -> Stepping:
        return Stepping(lambda k: scheduler.step(), curve.scheduler_steps)

    def events(self, spec: SchedulerSpec, span: int) -> Iterator[Any]:
        return iter(())

    def warnings(self, spec: SchedulerSpec, steps: int, lrs: list[float], warn: Any) -> None:
        pass

    def describe(self, spec: SchedulerSpec) -> str:
        return "halving()"


@pytest.fixture
def counting() -> Iterator[None]:
    register(CountingFamily())
    yield
    _REGISTERED.pop(CountingFamily.name)


def test_a_closure_that_holds_state_warns_where_the_resumed_run_differs(counting: None) -> None:
    text = "epochs: 40\noptimizer: {lr: 0.1}\nscheduler: {counting: halving}\n"
    plain = lrplot.simulate(lrplot.spec_from_text(text)).lr[0].tolist()
    assert plain[9:11] == [0.1, 0.05] and plain[29:31] == [0.025, 0.0125]
    message = (
        r"resume_at\[0\] \(line 1\): resuming before step 25 \(resume_mode: state_dict\) changes "
        r"the schedule: at step 26 the uninterrupted run has lr 0.025, the resumed one 0.1; 14 "
        r"of the 15 steps from 25 on differ, up to 8x as high"
    )
    with pytest.warns(ResumeWarning, match=message):
        curve = lrplot.simulate(lrplot.spec_from_text("resume_at: [25]\n" + text))
    assert curve.lr[0].tolist()[:26] == plain[:26]


# -- the command line and bad input -------------------------------------------------------------


def test_resume_flags_repeat_and_the_warning_names_the_flag(tmp_path: Any) -> None:
    out = tmp_path / "r.csv"
    args = ["step", "--step-size", "7", "--gamma", "0.5", "-n", "20", "--lr", "0.1", "-o", str(out)]
    result = CliRunner().invoke(
        app, [*args, "--resume-at", "7", "--resume-at", "10,14", "--resume-mode", "rebuild"]
    )
    assert result.exit_code == 0, result.output
    expected = "warning: lrplot step: --resume-at[0]: resuming before step 7 (resume_mode: rebuild)"
    assert expected in result.stderr
    rows = [float(line.split(",")[2]) for line in out.read_text().splitlines()[1:]]
    assert rows[6:8] == [0.1, 0.025]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("resume_at: [20]", "resume_at[0] (line 1): step 20 is not inside the run, which takes 20"),
        ("resume_at: [0]", "resume_at[0] (line 1): must be a positive integer, got 0"),
        ("resume_at: [8, 4]", "resume_at[1] (line 1): resume_at must be strictly increasing"),
        ("resume_at: 5", "resume_at (line 1): must be a list of integers such as [30, 60]"),
        ("resume_at: [5]\nresume_mode: load", "resume_mode (line 2): must be 'state_dict', "
         "'rebuild' or 'fresh', got 'load'"),
        ("resume_at: [5]\nresume_mode: rebuild\n"
         "scheduler: {recipe: linear, num_training_steps: 20}",
         "resume_mode (line 2): linear(num_training_steps=20) takes no last_epoch, so it cannot be "
         "rebuilt; use resume_mode: state_dict"),
    ],
)  # fmt: skip
def test_bad_resume_input_is_a_one_line_error(text: str, message: str, tmp_path: Any) -> None:
    if "scheduler" not in text:
        text += "\nscheduler: {type: step, step_size: 7}"
    spec = tmp_path / "bad.yaml"
    spec.write_text(text + "\nepochs: 20\n")
    result = CliRunner().invoke(app, ["render", str(spec), "-d", str(tmp_path), "-f", "csv"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0].startswith(f"error: {spec}: {message}")
    assert not (tmp_path / "bad.csv").exists()


# -- the same through the import family (an imported scheduler of the user's own) ---------------


class ForgetfulWarmup(L.LRScheduler):
    """A user's scheduler that counts its warmup in an attribute its state_dict() leaves out,
    as hand-written schedulers often do: a resumed run warms up again."""

    def __init__(self, optimizer: Any, warmup: int = 10) -> None:
        self.warmup = warmup
        self.ticks = -1  # the constructor's own first step makes it 0
        super().__init__(optimizer)

    def step(self, epoch: Any = None) -> None:
        self.ticks += 1
        super().step(epoch)

    def get_lr(self) -> list[float]:
        factor = min(1.0, (self.ticks + 1) / self.warmup)
        return [base * factor for base in self.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state.pop("ticks", None)
        return state


def test_an_imported_scheduler_with_state_outside_state_dict_warns() -> None:
    text = (
        "epochs: 30\noptimizer: {lr: 0.1}\nresume_at: [15]\n"
        "scheduler: {import: 'test_resume:ForgetfulWarmup', warmup: 10}\n"
    )
    spec = lrplot.spec_from_text(text, allow_import=["test_resume"])
    with pytest.warns(ResumeWarning, match=r"resuming before step 15 \(resume_mode: state_dict\) "
                      r"changes the schedule: at step 16 the uninterrupted run has lr 0.1, the "
                      r"resumed one 0.02"):  # fmt: skip
        curve = lrplot.simulate(spec)
    # By hand: the same class, resumed from both state dicts, warms up again.
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = ForgetfulWarmup(optimizer, warmup=10)
    rows = []
    for t in range(30):
        if t == 15:
            state, schedule = optimizer.state_dict(), scheduler.state_dict()
            optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
            scheduler = ForgetfulWarmup(optimizer, warmup=10)
            optimizer.load_state_dict(state)
            scheduler.load_state_dict(schedule)
        rows.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert curve.lr[0].tolist() == rows
