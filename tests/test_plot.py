"""Figures: pixels against hand-drawn references and baselines, SVG structure, options."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images
from matplotlib.testing.decorators import check_figures_equal
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.draw.figure import LogScaleWarning, mask_nonpositive
from lrplot.outputs.figures import figure_bytes
from lrplot.style import rc

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
BASELINE = Path(__file__).resolve().parent / "baseline"
SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


def torch_lrs(make: str, steps: int = 100, lr: float = 0.001) -> list[float]:
    """The lr torch trains with at each epoch, stepped directly."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = eval(make, {"L": torch.optim.lr_scheduler, "opt": optimizer})  # test-only
    out = []
    for _ in range(steps):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return out


def _reference_axes(fig: Figure) -> object:
    ax = fig.subplots()
    ax.set_ylabel("learning rate")
    ax.set_xlabel("epoch")
    return ax


def text_free(figure: Figure) -> None:
    """Strip every text (titles, labels, tick labels, annotations, legends), as matplotlib's
    own ``remove_text`` does, so pixels compare the lines, not the fonts."""
    from matplotlib.ticker import NullFormatter

    for ax in figure.get_axes():
        for loc in ("left", "center", "right"):
            ax.set_title("", loc=loc)
        ax.set_xlabel("")
        ax.set_ylabel("")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(NullFormatter())
            axis.set_minor_formatter(NullFormatter())
        for text in list(ax.texts):
            text.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for legend in list(figure.legends):
        legend.remove()


@check_figures_equal(extensions=["png"])
def test_plain_figure_equals_torch_numbers_drawn_by_hand(fig_test: Figure, fig_ref: Figure) -> None:
    curve = lrplot.simulate(lrplot.spec_from_text("scheduler: {type: cosine, T_max: 100}"))
    with matplotlib.rc_context(rc()):
        lrplot.plot(curve, annotate=False, title="", ax=fig_test.subplots())
        ax = _reference_axes(fig_ref)
        ax.plot(range(100), torch_lrs("L.CosineAnnealingLR(opt, T_max=100)"))
        # the run, 1% wider; the lr from 0 to its peak, 4% taller on both sides
        ax.set_xlim(-0.99, 99.99)
        ax.set_ylim(-0.04e-3, 1.04e-3)
    text_free(fig_test)
    text_free(fig_ref)


@check_figures_equal(extensions=["png"])
def test_log_y_masks_zeros_like_nan_gaps(fig_test: Figure, fig_ref: Figure) -> None:
    spec = lrplot.spec_from_text(
        "epochs: 100\nscheduler: {type: polynomial, total_iters: 80, power: 2.0}"
    )
    curve = lrplot.simulate(spec)
    with matplotlib.rc_context(rc()):
        with pytest.warns(LogScaleWarning, match=r"20 point\(s\) with lr <= 0"):
            lrplot.plot(curve, annotate=False, title="", log_y=True, ax=fig_test.subplots())
        values = np.array(torch_lrs("L.PolynomialLR(opt, total_iters=80, power=2.0)"))
        assert (values[80:] == 0).all() and (values[:80] > 0).all()
        ax = _reference_axes(fig_ref)
        ax.plot(range(100), np.where(values > 0, values, np.nan))
        ax.set_yscale("log")
        ax.set_xlim(-0.99, 99.99)
        # the lowest positive lr (above peak x 1e-4, so nothing is clipped) to the peak, with
        # 4% of the decades as room on both sides
        low, peak = values[79], values[0]
        assert low > peak * 1e-4
        room = 10 ** (0.04 * np.log10(peak / low))
        ax.set_ylim(low / room, peak * room)
    text_free(fig_test)
    text_free(fig_ref)


def test_mask_nonpositive_counts_what_it_hides() -> None:
    values = np.array([1.0, 0.0, -1.0, np.nan, 2.0])
    masked, count = mask_nonpositive(values)
    assert count == 2
    assert masked[0] == 1.0 and masked[4] == 2.0 and np.isnan(masked[1:4]).all()
    same, none = mask_nonpositive(np.array([1.0, 2.0]))
    assert none == 0 and same.tolist() == [1.0, 2.0]


BASELINES = ["multistep", "warmup-cosine", "onecycle", "exponential"]


def baseline_png(name: str) -> bytes:
    """The config's figure, text-free (as matplotlib's own baselines are): lines, markers,
    panels, scales and layout, without fonts that would make pixels brittle."""
    spec = lrplot.load_spec(CONFIGS / f"{name}.yaml")
    figure = lrplot.plot(list(lrplot.simulate_figure(spec)))
    text_free(figure)
    return figure_bytes(figure, "png")


@pytest.mark.parametrize("name", BASELINES)
def test_annotated_figures_match_their_baselines(name: str, tmp_path: Path) -> None:
    # Baselines were looked at by eye; regenerate with `python tests/test_plot.py` (after
    # checking the new figures).
    out = tmp_path / f"{name}.png"
    out.write_bytes(baseline_png(name))
    assert compare_images(str(BASELINE / f"{name}.png"), str(out), tol=2) is None


def svg_of(spec_text: str, **options: object) -> ET.Element:
    spec = lrplot.spec_from_text(spec_text)
    curves = lrplot.simulate_figure(spec)
    figure = lrplot.plot(list(curves), **options)  # type: ignore[arg-type]
    return ET.fromstring(figure_bytes(figure, "svg"))


def ids(root: ET.Element, prefix: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}g") if el.get("id", "").startswith(prefix)]


def test_svg_has_one_path_per_group_and_a_marker_per_milestone() -> None:
    root = svg_of(
        "optimizer: {type: SGD, lr: 0.1, param_groups: [{lr: 0.1}, {lr: 0.01}]}\n"
        "scheduler: {type: multistep, milestones: [30, 60, 80], gamma: 0.5}"
    )
    lines = ids(root, "lrplot-lr-")
    assert sorted(el.get("id") for el in lines) == ["lrplot-lr-0-0", "lrplot-lr-0-1"]
    for line in lines:
        assert len(line.findall(f"{SVG}path")) == 1
    assert len(ids(root, "lrplot-marker-")) == 3
    assert len(ids(root, "lrplot-label-")) == 3
    assert ids(root, "legend_")  # two groups: a legend names them


def test_no_annotate_draws_no_markers_and_curves_overlay() -> None:
    text = (
        "curves:\n  - {label: a, scheduler: {type: step, step_size: 30}}\n"
        "  - {label: b, scheduler: {type: cosine, T_max: 100}}\n"
    )
    root = svg_of(text, annotate=False)
    assert len(ids(root, "lrplot-lr-")) == 2
    assert ids(root, "lrplot-marker-") == []
    # StepLR(30): 30, 60, 90; cosine's T_max=100 is past the last row (99), so no marker
    assert len(ids(svg_of(text), "lrplot-marker-")) == 3


def test_momentum_panel_only_when_momentum_varies() -> None:
    spec = lrplot.load_spec(CONFIGS / "onecycle.yaml")
    figure = lrplot.plot(list(lrplot.simulate_figure(spec)))
    assert len(figure.axes) == 2 and figure.axes[1].get_ylabel() == "momentum"
    adam = lrplot.spec_from_text(
        "optimizer: {type: Adam, lr: 0.01}\nscheduler: {type: onecycle, max_lr: 0.1}"
    )
    figure = lrplot.plot(lrplot.simulate(adam))
    assert figure.axes[1].get_ylabel() == "beta1"
    flat = lrplot.spec_from_text("optimizer: {momentum: 0.9}\nscheduler: {type: cosine, T_max: 9}")
    assert len(lrplot.plot(lrplot.simulate(flat)).axes) == 1


def test_title_from_the_spec_unless_given() -> None:
    curve = lrplot.simulate(lrplot.spec_from_text("scheduler: {type: cosine, T_max: 20}"))
    assert lrplot.plot(curve).axes[0].get_title(loc="left") == "CosineAnnealingLR(T_max=20)"
    assert lrplot.plot(curve, title="Mine").axes[0].get_title(loc="left") == "Mine"
    assert lrplot.plot(curve, title="").axes[0].get_title(loc="left") == ""


def test_x_in_steps_and_fractional_epochs() -> None:
    spec = "epochs: 3\nsteps_per_epoch: 4\nscheduler: {type: step, step_size: 1}"
    curve = lrplot.simulate(lrplot.spec_from_text(spec))
    line = lrplot.plot(curve, x="epoch").axes[0].get_lines()[0]
    # every row's x, plus a corner at each epoch boundary, where the lr drops vertically
    assert sorted(set(line.get_xdata())) == [t / 4 for t in range(12)]
    points = list(zip(line.get_xdata(), line.get_ydata(), strict=True))
    lr = curve.lr[0]
    for row in (4, 8):
        assert points.index((row / 4, lr[row - 1])) + 1 == points.index((row / 4, lr[row]))
    figure = lrplot.plot(curve, x="steps")
    assert sorted(set(figure.axes[0].get_lines()[0].get_xdata())) == list(range(12))
    assert figure.axes[0].get_xlabel() == "optimizer step"
    with pytest.raises(lrplot.LrplotError, match="must be one of epoch, step, samples, tokens"):
        lrplot.plot(curve, x="time")


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_size_dpi_and_style(tmp_path: Path) -> None:
    curve = lrplot.simulate(lrplot.spec_from_text("scheduler: {type: cosine, T_max: 20}"))
    assert png_size(figure_bytes(lrplot.plot(curve), "png")) == (1600, 900)
    figure = lrplot.plot(curve, size=(4.0, 2.0), dpi=50, style="dark_background")
    assert png_size(figure_bytes(figure, "png")) == (200, 100)
    assert figure.get_facecolor()[:3] == (0.0, 0.0, 0.0)
    with pytest.raises(
        lrplot.LrplotError, match="unknown matplotlib style 'ggplt'; did you mean ggplot"
    ):
        lrplot.plot(curve, style="ggplt")


def test_plot_options_from_yaml_and_cli_flags_override_them(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("plot: {size: 4x2, dpi: 50, x: step}\nscheduler: {type: cosine, T_max: 20}\n")
    out = tmp_path / "out"
    assert runner.invoke(app, ["render", str(config), "-d", str(out)]).exit_code == 0
    assert png_size((out / "c.png").read_bytes()) == (200, 100)
    result = runner.invoke(app, ["render", str(config), "-d", str(out), "--size", "6x2"])
    assert result.exit_code == 0, result.output
    assert png_size((out / "c.png").read_bytes()) == (300, 100)


@pytest.mark.parametrize(
    ("plot", "message"),
    [
        ("{dpi: 5}", "plot.dpi (line 1): must be between 10 and 600, got 5"),
        ("{log_yy: true}", "plot.log_yy (line 1): unknown key 'log_yy'; did you mean log_y?"),
        ("{size: big}", "plot.size (line 1): must be WIDTHxHEIGHT in inches such as 8x4.5"),
        ("{x: hours}", "plot.x (line 1): must be one of epoch, step, samples, tokens, got 'hours'"),
        ("{annotate: yes}", "plot.annotate (line 1): must be true or false, got 'yes'"),
        ("{size: 40x10, dpi: 600}", "plot.dpi (line 1): a 40x10 inch figure at 600 dpi is over"),
        ("[1]", "plot (line 1): must be a mapping"),
    ],
)
def test_bad_plot_mapping(plot: str, message: str) -> None:
    with pytest.raises(lrplot.LrplotError) as info:
        lrplot.spec_from_text(f"plot: {plot}\nscheduler: {{type: cosine, T_max: 20}}")
    assert message in str(info.value)


def test_cli_log_y_warns_on_stderr_and_still_writes(tmp_path: Path) -> None:
    out = tmp_path / "p.png"
    args = ["polynomial", "--total-iters", "80", "-n", "100", "--log-y", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "warning: lrplot polynomial: log scale: 20 point(s) with lr <= 0 are not drawn" in (
        result.stderr
    )
    assert out.is_file()


def test_cli_bad_figure_flags_are_one_line_errors() -> None:
    result = runner.invoke(app, ["cosine", "--T-max", "20", "--size", "8by4", "-o", "x.png"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: lrplot cosine: --size: must be WIDTHxHEIGHT")


def test_figures_are_byte_stable_and_ignore_the_users_matplotlibrc(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    hostile = tmp_path / "mplconfig"
    hostile.mkdir()
    (hostile / "matplotlibrc").write_text(
        "lines.linewidth: 6\naxes.facecolor: red\nfont.size: 20\nsavefig.dpi: 300\n"
    )
    out = tmp_path / "hostile"
    env = {**os.environ, "MPLCONFIGDIR": str(hostile)}
    args = [sys.executable, "-m", "lrplot", "render", str(CONFIGS / "warmup-cosine.yaml")]
    subprocess.run([*args, "-d", str(out), "-f", "png,svg"], check=True, env=env)
    here = [tmp_path / "here.png", tmp_path / "here.svg"]
    lrplot.render(CONFIGS / "warmup-cosine.yaml", here)  # this process, another rc state
    for mine, theirs in zip(here, ("png", "svg"), strict=True):
        assert mine.read_bytes() == (out / f"warmup-cosine.{theirs}").read_bytes()
    assert png_size(here[0].read_bytes()) == (1600, 900)


def test_plateau_reductions_get_their_ratio_beside_the_metric_panels_marks() -> None:
    spec = lrplot.load_spec(CONFIGS / "plateau.yaml")
    curves = lrplot.simulate_figure(spec)
    reductions = int(np.count_nonzero(np.diff(curves[0].lr[0]) != 0))
    assert reductions > 0
    root = ET.fromstring(figure_bytes(lrplot.plot(list(curves)), "svg"))
    assert len(ids(root, "lrplot-label-")) == reductions
    assert ids(root, "lrplot-marker-") == []  # the metric panel draws the lines itself


if __name__ == "__main__":
    for baseline in BASELINES:
        (BASELINE / f"{baseline}.png").write_bytes(baseline_png(baseline))
        print(f"wrote {BASELINE / baseline}.png")


def test_a_figure_format_without_metadata_is_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/architecture.md: a matplotlib format is one row of lrplot.formats, even one such as
    JPEG for which matplotlib refuses a metadata argument."""
    from lrplot import formats

    monkeypatch.setitem(formats.FORMATS, "jpg", formats.Format("jpg", True))
    spec = lrplot.spec_from_text("scheduler: {type: step, step_size: 3}\nepochs: 9")
    figure = lrplot.plot(lrplot.simulate(spec))
    data = figure_bytes(figure, "jpg")
    assert data[:3] == b"\xff\xd8\xff" and data == figure_bytes(figure, "jpg")
