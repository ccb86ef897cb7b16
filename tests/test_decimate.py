"""Decimation thins only what is drawn: same pixels as the full line, CSV untouched."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import numpy as np
import pytest
from matplotlib.testing.compare import compare_images

import lrplot
from lrplot.draw.decimate import COLUMNS, decimate
from lrplot.draw.figure import LogScaleWarning
from lrplot.outputs.csv import csv_lines
from lrplot.outputs.figures import figure_bytes

plot_module = importlib.import_module("lrplot.draw.lines")  # where lines are decimated

# 200k rows: a staircase (epoch interval) with sharp restarts, and a noisy-looking triangle wave
# (CyclicLR stepped every step) whose period is not a multiple of the decimation runs.
LONG_SPECS = {
    "restarts": "epochs: 2000\nsteps_per_epoch: 100\n"
    "scheduler: {type: cosine-warm-restarts, T_0: 50, T_mult: 2, eta_min: 1e-4}",
    "cyclic": "epochs: 20\nsteps_per_epoch: 10000\ninterval: step\noptimizer: {momentum: 0.9}\n"
    "scheduler: {type: cyclic, base_lr: 0.001, max_lr: 0.1, step_size_up: 1237}",
    # lr 0 for 700 steps in every 5003: on a log scale those are NaN gaps in the line.
    "gaps": "epochs: 20\nsteps_per_epoch: 10000\ninterval: step\nscheduler: {type: lambda, "
    "lr_lambda: '0 if epoch % 5003 < 700 else 1.01 + sin(epoch / 300)'}",
}


@functools.cache
def long_curve(name: str) -> lrplot.Curve:
    return lrplot.simulate(lrplot.spec_from_text(LONG_SPECS[name]))


def drawn_png(curve: lrplot.Curve, path: Path, monkeypatch: pytest.MonkeyPatch, full: bool) -> int:
    """Save the curve's figure to path; returns how many points its first line holds."""
    with monkeypatch.context() as patch:
        if full:
            patch.setattr(plot_module, "decimate", lambda x, y: (x, y))
        if curve.lr.min() > 0:
            figure = lrplot.plot(curve)
        else:
            with pytest.warns(LogScaleWarning):
                figure = lrplot.plot(curve, log_y=True)
        path.write_bytes(figure_bytes(figure, "png"))
    return len(figure.axes[0].lines[0].get_xdata())


@pytest.mark.parametrize("name", sorted(LONG_SPECS))
def test_decimated_figure_matches_the_full_resolution_one(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    curve = long_curve(name)
    assert len(curve) == 200_000
    full, thin = tmp_path / "full.png", tmp_path / "thin.png"
    assert drawn_png(curve, full, monkeypatch, full=True) == 200_000
    assert drawn_png(curve, thin, monkeypatch, full=False) <= 4 * COLUMNS
    # tol is matplotlib's RMS over 0-255 pixel values; antialiased edges differ by a few levels.
    # matplotlib does not simplify a path with NaN in it, so the full-resolution line with gaps
    # stacks 200k antialiased segments, and its edges differ a little more from the thin one's.
    tol = 2.5 if name == "gaps" else 1.0
    assert compare_images(str(full), str(thin), tol=tol) is None
    pixels = [plt_image(p) for p in (full, thin)]
    assert np.abs(pixels[0] - pixels[1]).max() <= 0.25  # no pixel flips from line to background


def plt_image(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    return np.asarray(imread(str(path)), dtype=np.float64)


def test_decimation_never_touches_the_csv() -> None:
    curve = long_curve("cyclic")
    rows = "".join(csv_lines((curve,))).splitlines()
    assert len(rows) == 1 + 200_000
    assert rows[1 + 1237].split(",")[2] == repr(float(curve.lr[0, 1237]))


def test_keeps_first_last_and_every_runs_extremes_in_x_order() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=100_003)
    x = np.arange(y.size) / 7
    xs, ys = decimate(x, y, columns=1000)
    assert len(xs) <= 4000 and len(xs) == len(ys)
    kept = np.rint(xs * 7).astype(np.int64)
    assert np.all(np.diff(kept) > 0)  # strictly increasing: x order, no repeats
    assert kept[0] == 0 and kept[-1] == y.size - 1
    assert np.array_equal(ys, y[kept])  # only original points
    run = -(-y.size // 1000)
    for start in range(0, y.size, run):
        inside = ys[(kept >= start) & (kept < start + run)]
        block = y[start : start + run]
        assert inside.min() == block.min() and inside.max() == block.max()


def test_short_lines_are_drawn_as_they_are() -> None:
    x = np.arange(4 * COLUMNS, dtype=np.float64)
    y = np.cos(x)
    assert decimate(x, y)[1] is y


def test_gaps_keep_their_exact_edges() -> None:
    y = np.cos(np.arange(100_000) / 50.0)
    y[30_000:30_500] = np.nan  # a gap inside a run
    y[77_777] = np.nan  # a single missing point
    x = np.arange(y.size, dtype=np.float64)
    xs, ys = decimate(x, y, columns=1000)
    kept = xs.astype(np.int64)
    assert len(kept) < 4000 + 8 and np.all(np.diff(kept) > 0)
    for index in (29_999, 30_000, 30_499, 30_500, 77_776, 77_777, 77_778):
        assert index in kept
    assert np.isnan(ys[kept == 30_000]).all() and np.isnan(ys[kept == 77_777]).all()
    assert np.nanmin(ys) == np.nanmin(y) and np.nanmax(ys) == np.nanmax(y)
