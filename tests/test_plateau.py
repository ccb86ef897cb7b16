"""ReduceLROnPlateau: metric profiles, replayed logs, reductions against torch stepped directly."""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.config import load_spec, spec_from_mapping, spec_from_text
from lrplot.draw.plateau import improvement_bars, patience_windows, reduction_rows
from lrplot.errors import SpecError
from lrplot.metrics import PROFILES, metric_values
from lrplot.model import MetricSpec
from lrplot.outputs.csv import csv_lines

runner = CliRunner()


def torch_run(
    metric: list[float],
    kwargs: dict[str, Any],
    lrs: tuple[float, ...] = (0.1,),
    steps_per_epoch: int = 1,
    interval: str = "epoch",
) -> list[list[float]]:
    """torch's ReduceLROnPlateau stepped by hand, one real optimizer step per row."""
    params = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(params)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    rows: list[list[float]] = [[] for _ in lrs]
    k = 0
    scheduler_steps = len(metric)
    total = scheduler_steps if interval == "step" else scheduler_steps * steps_per_epoch
    for t in range(total):
        for g, group in enumerate(optimizer.param_groups):
            rows[g].append(float(group["lr"]))
        optimizer.step()
        if interval == "step" or (t + 1) % steps_per_epoch == 0:
            scheduler.step(metric[k])
            k += 1
    return rows


def run(
    metric: dict[str, Any],
    scheduler: dict[str, Any],
    epochs: int = 60,
    lrs: tuple[float, ...] = (0.1,),
    steps_per_epoch: int = 1,
    interval: str = "epoch",
) -> lrplot.Curve:
    optimizer: dict[str, Any] = {"lr": lrs[0]}
    if len(lrs) > 1:
        optimizer["param_groups"] = [{"lr": lr} for lr in lrs]
    spec = spec_from_mapping(
        {
            "epochs": epochs,
            "steps_per_epoch": steps_per_epoch,
            "interval": interval,
            "optimizer": optimizer,
            "scheduler": {"type": "plateau", **scheduler},
            "metric": metric,
        }
    )
    return lrplot.simulate(spec)


# -- profiles ----------------------------------------------------------------------------------


def formula(profile: str, k: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """The README's formulas, written out again without lrplot."""

    def decay(at: np.ndarray) -> np.ndarray:
        return p["floor"] + (p["start"] - p["floor"]) * np.exp(-at / p["tau"])

    if profile == "exp-decay":
        return decay(k)
    if profile == "plateau":
        start, count = p["flat_from"], p["flat_for"]
        # Steps start .. start + count - 1 repeat step start - 1; later steps are shifted back.
        bent = [x if x < start else start - 1 if x < start + count else x - count for x in k]
        return decay(np.array(bent, dtype=np.float64))
    if profile == "noisy-flat":
        return np.full(k.shape, p["level"])
    if profile == "spike":
        bump = [
            p["height"] * math.exp(-(x - p["spike_at"]) / p["recover"])
            if x >= p["spike_at"]
            else 0.0
            for x in k
        ]
        return decay(k) + np.array(bump)
    return p["ceiling"] - (p["ceiling"] - p["start"]) * np.exp(-k / p["tau"])


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_follows_its_formula_and_is_deterministic_under_its_seed(name: str) -> None:
    profile = PROFILES[name]
    spec = MetricSpec(profile=name, seed=7)
    first, again = metric_values(spec, 120), metric_values(spec, 120)
    assert first.tolist() == again.tolist()
    other = metric_values(MetricSpec(profile=name, seed=8), 120)
    assert first.tolist() != other.tolist()
    k = np.arange(120, dtype=np.float64)
    noise = np.random.Generator(np.random.PCG64(7)).standard_normal(120)
    expected = formula(name, k, profile.defaults) + profile.defaults["noise"] * noise
    assert first == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # A shorter run sees a prefix of the same curve.
    assert metric_values(spec, 30).tolist() == first[:30].tolist()


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_profile_gives_the_same_curve_through_yaml_cli_and_library(
    name: str, tmp_path: Path
) -> None:
    yaml_spec = spec_from_text(
        f"epochs: 50\nscheduler: {{type: plateau, patience: 2}}\n"
        f"metric: {{profile: {name}, seed: 3, noise: 0.02}}"
    )
    curve = lrplot.simulate(yaml_spec)
    out = tmp_path / "m.csv"
    result = runner.invoke(
        app,
        ["plateau", "-n", "50", "--patience", "2", "--metric", name, "--seed", "3"]
        + ["--noise", "0.02", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    direct = metric_values(MetricSpec(profile=name, params={"noise": 0.02}, seed=3), 50)
    assert curve.metric is not None
    assert [float(r["metric"]) for r in rows] == curve.metric.tolist() == direct.tolist()
    assert [float(r["lr"]) for r in rows] == curve.lr[0].tolist()


def test_profile_shapes_without_noise() -> None:
    flat = metric_values(
        MetricSpec(profile="plateau", params={"noise": 0.0, "flat_from": 20, "flat_for": 15}), 60
    )
    # Exactly flat_for steps without improvement: what ReduceLROnPlateau counts.
    assert flat[20:35].tolist() == [flat[19]] * 15 and flat[18] > flat[19] > flat[35]
    spike = metric_values(MetricSpec(profile="spike", params={"noise": 0.0, "height": 0.5}), 60)
    assert spike[40] - spike[39] > 0.4 and spike[59] < spike[41]
    accuracy = metric_values(MetricSpec(profile="accuracy", params={"noise": 0.0}), 200)
    assert np.all(np.diff(accuracy) > 0) and accuracy[-1] == pytest.approx(0.9, abs=1e-4)


def test_the_issue_example_and_the_default_exp_decay_stay_as_documented() -> None:
    spec = spec_from_text(
        "scheduler: {type: plateau}\nmetric: {profile: plateau, start: 2.0, floor: 0.3, "
        "flat_from: 20, flat_for: 15, noise: 0.02, seed: 0}"
    )
    metric = spec.curves[0].metric
    assert metric is not None and metric.profile == "plateau" and metric.seed == 0
    assert dict(metric.params) == {
        "start": 2.0,
        "floor": 0.3,
        "flat_from": 20,
        "flat_for": 15,
        "noise": 0.02,
    }
    default = metric_values(MetricSpec(), 100)
    noise = np.random.Generator(np.random.PCG64(0)).standard_normal(100)
    k = np.arange(100, dtype=np.float64)
    assert default.tolist() == (0.1 + 0.9 * np.exp(-k / 20.0) + 0.01 * noise).tolist()


# -- reductions against torch ------------------------------------------------------------------


FLAT = [1.0] * 60


@pytest.mark.parametrize(
    ("metric", "scheduler", "extra"),
    [
        pytest.param(
            {"profile": "accuracy", "seed": 1},
            {"mode": "max", "patience": 3},
            {"epochs": 150},
            id="max",
        ),
        pytest.param(
            {"profile": "accuracy", "seed": 1}, {"patience": 2}, {}, id="accuracy-in-min-mode"
        ),
        pytest.param(
            {"profile": "exp-decay", "noise": 0.02},
            {"threshold_mode": "abs", "threshold": 0.01, "patience": 2},
            {},
            id="abs",
        ),
        pytest.param(
            {"profile": "plateau", "noise": 0.005},
            {"threshold_mode": "rel", "threshold": 0.02, "patience": 4, "factor": 0.5},
            {},
            id="rel",
        ),
        pytest.param({"values": FLAT}, {"patience": 2, "cooldown": 3}, {}, id="flat-cooldown"),
        pytest.param(
            {"values": FLAT}, {"patience": 1, "factor": 0.5, "min_lr": 0.01}, {}, id="min-lr"
        ),
        pytest.param(
            {"values": FLAT},
            {"patience": 1, "factor": 0.5, "min_lr": [0.02, 0.0001]},
            {"lrs": (0.1, 0.01)},
            id="min-lr-per-group",
        ),
        pytest.param({"values": FLAT}, {"patience": 0, "factor": 0.5, "eps": 0.01}, {}, id="eps"),
        pytest.param(
            {"values": [1.0, 0.5] + [math.nan] * 58}, {"patience": 0}, {}, id="nan-every-step"
        ),
        pytest.param(
            {"values": [1.0, math.nan, 0.9, math.nan, math.nan, 0.8] + [math.nan] * 54},
            {"patience": 2, "factor": 0.5},
            {},
            id="nan-mixed",
        ),
        pytest.param(
            {"values": [-1.0 + 0.02 * k for k in range(60)]},
            {"threshold_mode": "rel", "threshold": 0.01, "patience": 2},
            {},
            id="negative-rel",
        ),
        pytest.param(
            {"values": [-1.0 - 0.02 * k for k in range(60)]},
            {"mode": "max", "threshold_mode": "rel", "threshold": 0.01, "patience": 2},
            {},
            id="negative-rel-max",
        ),
        pytest.param(
            {"profile": "spike", "seed": 4},
            {"patience": 3, "cooldown": 2},
            {"epochs": 15, "steps_per_epoch": 4, "interval": "step"},
            id="interval-step",
        ),
        pytest.param(
            {"profile": "noisy-flat", "seed": 2},
            {"patience": 2},
            {"epochs": 30, "steps_per_epoch": 3},
            id="epoch-interval-several-steps",
        ),
    ],
)
def test_reductions_match_torch_stepped_directly(
    metric: dict[str, Any], scheduler: dict[str, Any], extra: dict[str, Any]
) -> None:
    curve = run(metric, scheduler, **extra)
    assert curve.metric is not None
    spec = curve.spec
    per = spec.steps_per_epoch if spec.interval == "epoch" else 1
    fed = curve.metric[::per].tolist()
    assert len(fed) == spec.scheduler_steps
    if "values" in metric:
        assert fed == pytest.approx(metric["values"][: len(fed)], nan_ok=True)
    expected = torch_run(
        fed,
        scheduler,
        lrs=extra.get("lrs", (0.1,)),
        steps_per_epoch=spec.steps_per_epoch,
        interval=spec.interval,
    )
    assert curve.lr.tolist() == expected
    assert reduction_rows(curve).size > 0  # every case exercises at least one reduction


def test_a_flat_metric_reduces_every_patience_plus_one_plus_cooldown_steps() -> None:
    curve = run({"values": FLAT}, {"patience": 2, "cooldown": 3, "factor": 0.9})
    rows = reduction_rows(curve).tolist()
    # The first value is always an improvement (best starts at inf); then 3 bad steps reduce.
    assert rows[0] == 1 + 2 + 1
    assert np.diff(rows).tolist() == [2 + 1 + 3] * (len(rows) - 1)


def test_negative_losses_in_rel_mode_count_a_flat_metric_as_improving() -> None:
    # pytorch#47513: best * (1 - threshold) lies *above* a negative best, so -1.0 "beats" -1.0.
    negative = run({"values": [-1.0] * 30}, {"patience": 2}, epochs=30)
    positive = run({"values": [1.0] * 30}, {"patience": 2}, epochs=30)
    assert negative.lr.tolist() == torch_run([-1.0] * 30, {"patience": 2})
    assert reduction_rows(negative).size == 0 and reduction_rows(positive).size > 0


def test_a_nan_metric_reduces_on_every_step() -> None:
    curve = run({"values": [math.nan] * 60}, {"patience": 0, "factor": 0.9})
    assert reduction_rows(curve).tolist() == list(range(1, 60))


def test_eps_blocks_a_change_smaller_than_it() -> None:
    curve = run({"values": FLAT}, {"patience": 0, "factor": 0.5, "eps": 0.01})
    # 0.1 -> 0.05 -> 0.025 -> 0.0125; the next change would be 0.00625 < eps.
    assert sorted(set(curve.lr[0].tolist()), reverse=True) == [0.1, 0.05, 0.025, 0.0125]


def test_patience_windows_are_the_bad_steps_torch_counted() -> None:
    values = metric_values(MetricSpec(profile="plateau", params={"noise": 0.01}, seed=5), 80)
    curve = run({"values": values.tolist()}, {"patience": 4, "cooldown": 2}, epochs=80)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=4, cooldown=2)
    bad: list[int] = []
    reduced: list[int] = []
    for k, value in enumerate(values.tolist()):
        before = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step(value)
        bad.append(scheduler.num_bad_epochs)
        if optimizer.param_groups[0]["lr"] < before:
            reduced.append(k)
    windows = patience_windows(curve)
    assert [row - 1 for _, row in windows] == reduced
    for (first, row), k in zip(windows, reduced, strict=True):
        assert row - first == 5
        # torch's bad-step counter starts from 0 just before the window, counts 1..4 through it
        # and resets at the reduction: the window is exactly the steps that led to it.
        assert bad[first - 1 : k + 1] == [0, 1, 2, 3, 4, 0]


# -- CSV column --------------------------------------------------------------------------------


def test_csv_has_a_metric_column_with_the_value_of_each_rows_epoch() -> None:
    curve = run({"profile": "spike"}, {"patience": 3}, epochs=10, steps_per_epoch=3)
    text = "".join(csv_lines((curve,)))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "step,epoch,lr,momentum,metric"
    metric = metric_values(MetricSpec(profile="spike"), 10).tolist()
    assert [float(r["metric"]) for r in rows] == [m for m in metric for _ in range(3)]


def test_csv_metric_column_is_blank_for_curves_without_a_metric() -> None:
    spec = spec_from_text(
        "epochs: 3\ncurves:\n  - {label: cos, scheduler: {type: cosine, T_max: 3}}\n"
        "  - {label: pl, scheduler: {type: plateau}, metric: {values: [1, .nan, 2]}}"
    )
    lines = "".join(csv_lines(lrplot.simulate_figure(spec))).splitlines()
    assert lines[0] == "curve,step,epoch,lr,momentum,metric"
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["", "", "", "1.0", "nan", "2.0"]


# -- replay ------------------------------------------------------------------------------------


LOG = "epoch,train_loss,val_loss\n" + "".join(
    f"{e},{1 / (e + 1):.4f},{0.5 + 1 / (e + 2):.4f}\n" for e in range(30)
)


def write_config(folder: Path, metric: str, epochs: int = 30, log: str = LOG) -> Path:
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "log.csv").write_text(log)
    config = folder / "run.yaml"
    config.write_text(
        f"epochs: {epochs}\noptimizer: {{lr: 0.1}}\nscheduler: {{type: plateau, patience: 2}}\n"
        f"metric: {metric}\n"
    )
    return config


def replay_error(tmp_path: Path, metric: str, **kwargs: Any) -> str:
    config = write_config(tmp_path, metric, **kwargs)
    with pytest.raises(SpecError) as info:
        load_spec(config)
    return str(info.value)


def test_replay_reads_the_column_relative_to_the_config(tmp_path: Path) -> None:
    config = write_config(tmp_path, "{file: data/log.csv, column: val_loss}")
    curve = lrplot.simulate(load_spec(config))
    expected = [round(0.5 + 1 / (e + 2), 4) for e in range(30)]
    assert curve.metric is not None and curve.metric.tolist() == expected
    assert curve.lr.tolist() == torch_run(expected, {"patience": 2})


def test_replay_from_another_working_directory(tmp_path: Path, monkeypatch: Any) -> None:
    config = write_config(tmp_path, "{file: data/log.csv, column: val_loss}")
    monkeypatch.chdir("/")
    assert lrplot.simulate(load_spec(config)).metric is not None


def test_a_short_log_is_an_error_unless_padded(tmp_path: Path) -> None:
    message = replay_error(tmp_path, "{file: data/log.csv, column: val_loss}", epochs=40)
    assert message == (
        f"{tmp_path / 'run.yaml'}: metric.file (line 4): data/log.csv has 30 'val_loss' values "
        "but the run takes 40 scheduler steps (one value per epoch); shorten the run, or set "
        "pad: last to repeat the last value"
    )
    config = write_config(tmp_path, "{file: data/log.csv, column: val_loss, pad: last}", epochs=40)
    metric = lrplot.simulate(load_spec(config)).metric
    assert metric is not None and metric[29:].tolist() == [metric[29]] * 11
    assert load_spec(config).curves[0].metric.padded_from == 30  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("metric", "log", "message"),
    [
        (
            "{file: data/log.csv, column: val_los}",
            LOG,
            "metric.column (line 4): data/log.csv has no column 'val_los' (its columns: epoch, "
            "train_loss, val_loss); did you mean val_loss?",
        ),
        (
            "{file: data/log.csv, column: val_loss}",
            "epoch,train_loss,val_loss\n0,1.0,0.9\n\n1,0.8,n/a\n",
            "metric.file (line 4): data/log.csv line 4: 'val_loss' is 'n/a', not a number",
        ),
        (
            "{file: data/log.csv, column: val_loss}",
            "epoch,val_loss\n0,1.0\n1,oops\n",
            "metric.file (line 4): data/log.csv line 3: 'val_loss' is 'oops', not a number",
        ),
        (
            "{file: data/log.csv, column: val_loss}",
            "epoch,val_loss\n0,1.0\n1,\n",
            "data/log.csv line 3: the 'val_loss' cell is empty",
        ),
        (
            "{file: data/log.csv, column: val_loss}",
            "epoch,val_loss\n0,1.0\n1\n",
            "data/log.csv line 3: has 1 field(s), no 'val_loss' value",
        ),
        ("{file: data/log.csv, column: val_loss}", "", "data/log.csv: the file is empty"),
        ("{file: data/log.csv, column: val_loss}", "val_loss\n", "has a header but no rows"),
        ("{file: data/none.csv, column: val_loss}", LOG, "data/none.csv: no such file"),
        ("{file: data, column: val_loss}", LOG, "data: is a directory, not a CSV file"),
        (
            "{file: data/log.csv, column: val_loss}",
            "val_loss\n\xff\n",
            "data/log.csv: is not UTF-8 text",
        ),
        (
            "{file: /etc/passwd, column: val_loss}",
            LOG,
            "metric.file (line 4): '/etc/passwd' is absolute; a config reads files inside its "
            "own folder",
        ),
        (
            "{file: data/../../x.csv, column: val_loss}",
            LOG,
            "contains '..'; a config reads files inside its own folder",
        ),
        ("{file: data/log.csv}", LOG, "metric (line 4): missing key 'column'"),
        (
            "{file: data/log.csv, column: val_loss, seed: 1}",
            LOG,
            "metric.seed (line 4): 'seed' does not apply to a 'file' metric",
        ),
        (
            "{file: data/log.csv, column: val_loss, pad: first}",
            LOG,
            "metric.pad (line 4): must be 'last', got 'first'",
        ),
        (
            "{values: [1, 2], file: data/log.csv}",
            LOG,
            "metric.file (line 4): give one of 'values', 'file' or 'profile', not both",
        ),
    ],
)
def test_replay_errors_name_the_file_key_and_csv_line(
    tmp_path: Path, metric: str, log: str, message: str
) -> None:
    if "\xff" in log:
        (tmp_path / "data").mkdir()
        config = write_config(tmp_path, metric)
        (tmp_path / "data" / "log.csv").write_bytes(b"val_loss\n\xff\n")
        with pytest.raises(SpecError) as info:
            load_spec(config)
        error = str(info.value)
    else:
        error = replay_error(tmp_path, metric, log=log)
    assert message in error
    assert error.startswith(str(tmp_path / "run.yaml"))


def test_a_symlink_out_of_the_config_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "log.csv").write_text(LOG)
    inside = tmp_path / "configs"
    inside.mkdir()
    os.symlink(outside, inside / "linked")
    config = write_config(inside, "{file: linked/log.csv, column: val_loss}")
    with pytest.raises(SpecError, match="'linked/log.csv' leads outside the config's folder"):
        load_spec(config)
    # A symlink that stays inside is fine.
    os.symlink(inside / "data", inside / "alias")
    config = write_config(inside, "{file: alias/log.csv, column: val_loss}")
    assert load_spec(config).curves[0].metric is not None


def test_cli_metric_file_is_the_users_own_path(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "log.csv").write_text(LOG)
    out = tmp_path / "out.csv"
    base = ["plateau", "-n", "30", "--patience", "2", "--metric-column", "val_loss", "-o"]
    monkeypatch.chdir(tmp_path)
    relative = runner.invoke(app, [*base, str(out), "--metric-file", "log.csv"])
    assert relative.exit_code == 0, relative.output
    monkeypatch.chdir("/")
    absolute = runner.invoke(app, [*base, str(out), "--metric-file", str(tmp_path / "log.csv")])
    assert absolute.exit_code == 0, absolute.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [float(r["metric"]) for r in rows] == [round(0.5 + 1 / (e + 2), 4) for e in range(30)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--metric-file", "log.csv", "--metric-column", "val_los"],
            "error: lrplot plateau: --metric-column: log.csv has no column 'val_los' (its columns: "
            "epoch, train_loss, val_loss); did you mean val_loss?",
        ),
        (
            ["--metric-file", "log.csv", "--metric-column", "val_loss", "-n", "31"],
            "error: lrplot plateau: --metric-file: log.csv has 30 'val_loss' values but the run "
            "takes 31 scheduler steps",
        ),
        (
            ["--metric", "plateau", "--ceiling", "0.9"],
            "error: lrplot plateau: --ceiling: 'ceiling' does not apply to profile 'plateau'",
        ),
        (["--metric", "spike", "--recover", "0"], "error: lrplot plateau: --recover: must be > 0"),
        (["--seed", "-1"], "error: lrplot plateau: --seed: must be an integer >= 0, got -1"),
        (
            ["--metric-file", "log.csv", "--metric-column", "val_loss", "--tau", "3"],
            "error: lrplot plateau: --tau: 'tau' does not apply to a 'file' metric",
        ),
    ],
)
def test_cli_metric_errors_name_the_flag(
    tmp_path: Path, monkeypatch: Any, args: list[str], message: str
) -> None:
    (tmp_path / "log.csv").write_text(LOG)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plateau", "-n", "30", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr


def test_metric_flags_exist_only_on_plateau() -> None:
    result = runner.invoke(app, ["cosine", "--T-max", "5", "--metric", "plateau"])
    assert result.exit_code == 2 and "No such option" in result.stderr


# -- profile validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (
            "{profile: platau}",
            "metric.profile (line 2): unknown profile 'platau' (profiles: exp-decay, plateau, "
            "noisy-flat, spike, accuracy); did you mean plateau?",
        ),
        ("{profile: spike, tau: 0}", "metric.tau (line 2): must be > 0, got 0"),
        ("{profile: plateau, noise: -0.1}", "metric.noise (line 2): must be >= 0, got -0.1"),
        (
            "{profile: plateau, flat_from: 2.5}",
            "metric.flat_from (line 2): must be an integer >= 1, got 2.5",
        ),
        ("{profile: spike, height: .inf}", "metric.height (line 2): must be a finite number"),
        ("{profile: accuracy, start: yes}", "metric.start (line 2): must be a number"),
        (
            "{profile: noisy-flat, floor: 1}",
            "metric.floor (line 2): 'floor' does not apply to profile 'noisy-flat' "
            "(it takes level, noise, seed)",
        ),
        ("{profile: plateau, flat_frm: 3}", "unknown key 'flat_frm'; did you mean flat_from?"),
        ("{column: val_loss}", "metric.column (line 2): 'column' only applies with 'file'"),
        ("{profile: spike, pad: last}", "'pad' only applies with 'values' or 'file'"),
        ("{seed: true}", "metric.seed (line 2): must be an integer >= 0, got True"),
        ("{values: [1, 2], column: a}", "'column' does not apply to a 'values' metric"),
        ("{patience_band: 1}", "metric.patience_band (line 2): must be true or false, got 1"),
        ("{values: []}", "metric.values (line 2): must be a list of numbers, got an empty list"),
    ],
)
def test_profile_errors(metric: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        spec_from_text(f"scheduler: {{type: plateau}}\nmetric: {metric}", "c.yaml")
    assert str(info.value) == f"c.yaml: {message}" or message in str(info.value)
    assert str(info.value).startswith("c.yaml: metric")


def test_values_may_be_padded_too() -> None:
    spec = spec_from_text(
        "epochs: 5\nscheduler: {type: plateau}\nmetric: {values: [3, 2], pad: last}"
    )
    metric = spec.curves[0].metric
    assert metric is not None and metric.values == (3.0, 2.0) and metric.padded_from == 2
    assert metric_values(metric, 5).tolist() == [3.0, 2.0, 2.0, 2.0, 2.0]


# -- figure ------------------------------------------------------------------------------------


def test_figure_shows_metric_reductions_and_patience_band() -> None:
    curve = run(
        {"profile": "noisy-flat", "seed": 1, "patience_band": True},
        {"patience": 3, "cooldown": 1},
        epochs=40,
    )
    figure = lrplot.plot(curve)
    lr_ax = figure.axes[0]
    metric_ax = next(
        ax for ax in figure.axes if ax is not lr_ax and ax.get_shared_x_axes().joined(ax, lr_ax)
    )
    assert metric_ax.get_ylabel() == "metric"
    metric_line, bar_line = metric_ax.get_lines()
    assert metric_line.get_ydata().tolist() == curve.metric.tolist()  # type: ignore[union-attr]
    bars = improvement_bars(curve)[0]
    assert bar_line.get_ydata()[1:].tolist() == bars[1:].tolist()  # type: ignore[union-attr]
    assert bar_line.get_drawstyle() == "steps-post"
    for first, row in patience_windows(curve):
        # the bar does not move inside a patience window: nothing improved there
        assert len(set(bars[first:row].tolist())) == 1
    rows = reduction_rows(curve)
    marks = [line for line in lr_ax.get_lines() if line.get_marker() == "v"]
    assert len(marks) == 1 and marks[0].get_xdata().tolist() == curve.epoch[rows].tolist()
    bands = list(lr_ax.patches)
    assert len(bands) == rows.size
    figure = metric_ax.get_figure(root=True)
    assert figure is not None and len(figure.legends) == 1  # below the plot, for both axes
    legend = figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [
        "learning rate",
        "metric: noisy-flat profile, seed 1",
        "to improve, beat best x (1 - 0.0001)",
        "reduction",
        "patience window",
    ]


def test_no_band_unless_asked_and_no_metric_axis_for_other_schedulers() -> None:
    curve = run({"profile": "noisy-flat", "seed": 1}, {"patience": 3}, epochs=40)
    assert len(lrplot.plot(curve).axes[0].patches) == 0
    cosine = lrplot.simulate(spec_from_text("epochs: 5\nscheduler: {type: cosine, T_max: 5}"))
    assert len(lrplot.plot(cosine).axes) == 1


@pytest.mark.parametrize(
    "scheduler",
    [
        {"patience": 3},
        {"patience": 3, "threshold_mode": "abs", "threshold": 0.02},
        {"patience": 3, "mode": "max", "threshold": 0.01},
        {"patience": 3, "mode": "max", "threshold_mode": "abs", "threshold": 0.005},
    ],
)
def test_the_improvement_bar_is_torchs_best_so_far(scheduler: dict[str, Any]) -> None:
    profile = "accuracy" if scheduler.get("mode") == "max" else "plateau"
    values = metric_values(MetricSpec(profile=profile, seed=2), 70).tolist()
    values[10] = math.nan
    curve = run({"values": values, "patience_band": True}, scheduler, epochs=70)
    bars, how = improvement_bars(curve)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **scheduler)
    bests = []
    for value in values:
        optimizer.step()
        torch_scheduler.step(value)
        bests.append(torch_scheduler.best)
    threshold = scheduler.get("threshold", 1e-4)
    if scheduler.get("threshold_mode") == "abs":
        offset = -threshold if profile == "plateau" else threshold
        expected = [best + offset for best in bests[:-1]]
    else:
        factor = 1 - threshold if profile == "plateau" else threshold + 1
        expected = [best * factor for best in bests[:-1]]
    assert bars[0] == (math.inf if profile == "plateau" else -math.inf)
    assert bars[1:].tolist() == expected
    assert how.startswith("best")


def test_the_replay_example_shows_the_logged_loss_and_its_reductions(configs_dir: Path) -> None:
    spec = load_spec(configs_dir / "plateau-replay.yaml")
    curve = lrplot.simulate(spec)
    with open(configs_dir / "data" / "val_loss.csv", newline="") as handle:
        logged = [float(row["val_loss"]) for row in csv.DictReader(handle)]
    assert curve.metric is not None and curve.metric.tolist() == logged[: len(curve)]
    figure = lrplot.plot(curve)
    metric_ax = figure.axes[1]
    assert metric_ax.get_ylabel() == "val_loss"
    assert metric_ax.get_lines()[0].get_ydata().tolist() == curve.metric.tolist()
    marks = [line for line in figure.axes[0].get_lines() if line.get_marker() == "v"]
    assert len(marks[0].get_xdata()) == reduction_rows(curve).size >= 3


def test_a_plateau_figure_has_the_same_bytes_every_time(configs_dir: Path) -> None:
    from lrplot.outputs.figures import figure_bytes

    spec = load_spec(configs_dir / "plateau-explained.yaml")
    blobs = [
        figure_bytes(lrplot.plot(lrplot.simulate(spec)), fmt)
        for fmt in ("png", "svg", "png", "svg")
    ]
    assert blobs[0] == blobs[2] and blobs[1] == blobs[3]
