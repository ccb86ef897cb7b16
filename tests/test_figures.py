"""The figures at a glance: each fault of issue 15 checked on the Artist tree or the SVG XML.

Pixels are left to the few text-free baselines in test_plot.py; here the structure says what a
reader sees: which scale, which limits, which tick labels, where a jump is vertical, where a
label sits, which lines a panel has.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app
from lrplot.draw import numbers, scale
from lrplot.draw.figure import LogScaleWarning, PanelWarning, plot_figure
from lrplot.draw.labels import fit
from lrplot.outputs.figures import figure_bytes
from lrplot.style import DARK, LIGHT

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


def figure_of(text: str, **options: object) -> Figure:
    spec = lrplot.spec_from_text(text)
    return lrplot.plot(list(lrplot.simulate_figure(spec)), **options)  # type: ignore[arg-type]


def config_figure(name: str, **options: object) -> Figure:
    spec = lrplot.load_spec(CONFIGS / f"{name}.yaml")
    return lrplot.plot(list(lrplot.simulate_figure(spec)), **options)  # type: ignore[arg-type]


def tick_labels(figure: Figure, axis: str = "y", index: int = 0) -> list[str]:
    figure.draw_without_rendering()
    ax = figure.axes[index]
    found = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    return [
        t.get_text() for t in found if low <= (t.get_position()[1 if axis == "y" else 0]) <= high
    ]


def annotations(figure: Figure, prefix: str) -> list[matplotlib.text.Text]:
    return [t for ax in figure.axes for t in ax.texts if (t.get_gid() or "").startswith(prefix)]


# -- 1. ticks ---------------------------------------------------------------------------------


def test_long_step_axes_read_as_integers_with_separators_and_no_offset() -> None:
    figure = config_figure("recipe-cosine-with-restarts")
    labels = tick_labels(figure, "x")
    assert labels == ["0", "2,000", "4,000", "6,000", "8,000", "10,000"]
    assert figure.axes[0].xaxis.get_offset_text().get_text() == ""


@pytest.mark.parametrize(
    ("epochs", "expected"), [(20, "0 5 10 15"), (6, "0 1 2 3 4 5"), (3, "0 1 2")]
)
def test_epoch_ticks_are_whole_epochs(epochs: int, expected: str) -> None:
    # a scheduler stepped once an epoch has no epoch 2.5 (matplotlib's own ticks gave 0, 2.5, ...)
    figure = figure_of(f"epochs: {epochs}\nscheduler: {{type: cosine, T_max: {epochs}}}")
    assert " ".join(tick_labels(figure, "x")) == expected


def test_lr_ticks_are_plain_1e_minus_3_not_an_offset() -> None:
    figure = figure_of("scheduler: {type: cosine, T_max: 100}")  # lr 1e-3 down to 0
    assert tick_labels(figure) == ["0", "2e-4", "4e-4", "6e-4", "8e-4", "1e-3"]
    assert figure.axes[0].yaxis.get_offset_text().get_text() == ""
    # an lr of 0.1 reads as decimals
    assert tick_labels(config_figure("warmup-cosine"))[-1] == "0.1"


@pytest.mark.parametrize(
    ("value", "span", "text"),
    [
        (4000, 10_000, "4,000"),
        (12_500, 50_000, "12,500"),
        (2.5, 10, "2.5"),
        (250_000, 900_000, "250k"),
        (250_000, 1_000_000, "0.25M"),
        (1_500_000, 2_000_000, "1.5M"),
        (500_000, 2_000_000, "0.5M"),
        (2e9, 4e9, "2B"),
        (0, 1e9, "0"),
    ],
)
def test_counts_use_one_unit_per_axis(value: float, span: float, text: str) -> None:
    assert numbers.count(value, span) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e-3, "1e-3"), (5e-4, "5e-4"), (2.5e-4, "2.5e-4"), (0.05, "0.05"), (0.1, "0.1"), (0, "0")],
)
def test_learning_rates_read_as_written_in_configs(value: float, text: str) -> None:
    assert numbers.lr(value) == text


@pytest.mark.parametrize("name", ["constant", "cyclic"])
def test_flat_and_cyclic_lr_axes_include_zero(name: str) -> None:
    figure = config_figure(name)
    low, high = figure.axes[0].get_ylim()
    assert low < 0 < high
    assert tick_labels(figure)[0] == "0"


def test_figures_parse_no_mathtext(monkeypatch: pytest.MonkeyPatch) -> None:
    # parsing mathtext was most of the time savefig took (issue 18); lrplot's own text has none
    import matplotlib.mathtext

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("mathtext parsed")

    monkeypatch.setattr(matplotlib.mathtext.MathTextParser, "parse", refuse)
    for name in ("step", "compare", "plateau-explained", "recipe-warmup-stable-decay"):
        figure = config_figure(name)
        figure_bytes(figure, "png")
        figure_bytes(figure, "svg")


# -- 2. the x axis of recipes ----------------------------------------------------------------


def test_runs_stepped_every_optimizer_step_default_to_a_step_axis() -> None:
    assert config_figure("recipe-linear").axes[0].get_xlabel() == "optimizer step"
    assert config_figure("onecycle").axes[-1].get_xlabel() == "optimizer step"
    assert config_figure("step").axes[0].get_xlabel() == "epoch"
    assert config_figure("recipe-linear", x="epoch").axes[0].get_xlabel() == "epoch"


# -- 3. log scale -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "log"),
    [
        ("scheduler: {type: exponential, gamma: 0.9}", True),  # flat on a linear axis after 40
        ("scheduler: {type: step, step_size: 30, gamma: 0.1}", True),  # 1e-4, 1e-5 look like 0
        ("scheduler: {type: plateau, factor: 0.1, patience: 3}", True),
        (  # a second param group 100x below the first
            "optimizer: {lr: 0.1, param_groups: [{lr: 0.1}, {lr: 0.001}]}\n"
            "scheduler: {type: exponential, gamma: 0.999}",
            True,
        ),
        ("scheduler: {type: cosine, T_max: 100}", False),  # cosine to 0: a short tail
        ("scheduler: {recipe: linear, num_warmup_steps: 10, num_training_steps: 100}", False),
        ("scheduler: {type: multistep, milestones: [30, 60, 80], gamma: 0.5}", False),
    ],
)
def test_log_scale_is_chosen_when_the_range_hides_the_curve(text: str, log: bool) -> None:
    figure = figure_of(text)
    assert figure.axes[0].get_yscale() == ("log" if log else "linear")
    assert figure.axes[0].get_ylabel() == "learning rate" + (" (log scale)" if log else "")


def test_linear_y_and_log_y_decide(tmp_path: Path) -> None:
    assert figure_of("scheduler: {type: exponential, gamma: 0.9}", log_y=False).axes[
        0
    ].get_yscale() == ("linear")
    text = "scheduler: {type: cosine, T_max: 20, eta_min: 1e-5}"
    assert figure_of(text, log_y=True).axes[0].get_yscale() == "log"
    config = tmp_path / "e.yaml"
    config.write_text("plot: {log_y: false}\nscheduler: {type: exponential, gamma: 0.9}\n")
    assert lrplot.plot(lrplot.simulate(lrplot.load_spec(config))).axes[0].get_yscale() == "linear"
    out = tmp_path / "x.svg"
    result = runner.invoke(app, ["exponential", "--gamma", "0.9", "--linear-y", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "learning rate (log scale)" not in out.read_text()


def test_the_summary_says_the_axis_is_log_and_why() -> None:
    result = runner.invoke(app, ["exponential", "--gamma", "0.9"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert (
        "lr axis: log, as the lr spans 1e-3 to 2.95e-8 (33,884x) and a fifth of the run or more "
        "lies 100x below its peak (--linear-y for a linear axis)" in result.stdout
    )
    result = runner.invoke(app, ["exponential", "--gamma", "0.9", "--linear-y"])
    assert "lr axis" not in result.stdout


def test_log_axis_clips_a_near_zero_tail_and_marks_it() -> None:
    # warmup_stable_decay to 0: the last steps pass 1e-9 and below
    text = (
        "optimizer: {type: AdamW, lr: 1e-3}\nscheduler: {recipe: warmup_stable_decay, "
        "num_warmup_steps: 100, num_decay_steps: 400, num_training_steps: 1000}"
    )
    curve = lrplot.simulate(lrplot.spec_from_text(text))
    positive = curve.lr[0][curve.lr[0] > 0]
    assert positive.min() < 1e-3 * 1e-4 / 2  # the tail that used to set the range
    with pytest.warns(LogScaleWarning):
        figure = lrplot.plot(curve, log_y=True)
    low, high = figure.axes[0].get_ylim()
    assert 1e-3 * 1e-4 / 1.5 < low < 1e-3 * 1e-4 and 1e-3 < high < 1.5e-3
    (mark,) = annotations(figure, "lrplot-clipped")
    assert mark.get_text() == f"to {numbers.lr(float(positive.min()))} ▼"


def test_a_level_held_for_a_while_is_not_clipped() -> None:
    # plateau with factor 0.1: its last level sits below peak x 1e-4, but for 11 of 100 epochs
    curve = lrplot.simulate(lrplot.load_spec(CONFIGS / "plateau.yaml"))
    last = float(curve.lr[0, -1])
    assert last < 1e-3 * 1e-4 and np.count_nonzero(curve.lr[0] == last) >= 5
    figure = lrplot.plot(curve)
    assert figure.axes[0].get_ylim()[0] < last
    assert annotations(figure, "lrplot-clipped") == []


def test_xlim_and_ylim() -> None:
    figure = figure_of("scheduler: {type: cosine, T_max: 100}", xlim=(10, 50), ylim=(None, 5e-4))
    assert figure.axes[0].get_xlim() == (10, 50)
    assert figure.axes[0].get_ylim()[1] == 5e-4
    result = runner.invoke(app, ["cosine", "--T-max", "9", "--ylim", "2,1", "-o", "x.png"])
    assert result.exit_code == 2
    assert "--ylim: the low limit must be below the high one" in result.stderr


# -- 4. staircases ----------------------------------------------------------------------------


def vertical_at(line: matplotlib.lines.Line2D, x: float) -> bool:
    """Whether the line goes straight up or down at x (two consecutive points there)."""
    xs = np.asarray(line.get_xdata(), dtype=float)
    return bool(np.any((xs[:-1] == x) & (xs[1:] == x)))


def test_every_piecewise_constant_drop_is_vertical_whatever_their_number() -> None:
    figure = figure_of("scheduler: {type: step, step_size: 5, gamma: 0.8}")  # 19 drops
    line = figure.axes[0].get_lines()[0]
    for milestone in range(5, 100, 5):
        assert vertical_at(line, milestone), milestone
        assert not vertical_at(line, milestone - 1)  # not a slant one epoch early


def test_warm_restarts_per_epoch_are_vertical_and_the_cosine_stays_smooth() -> None:
    figure = config_figure("cosine-warm-restarts")
    line = figure.axes[0].get_lines()[0]
    assert vertical_at(line, 20) and vertical_at(line, 60)
    xs = np.asarray(line.get_xdata())
    assert xs.size == 100 + 2  # every row, and one corner at each restart


def test_a_smooth_curve_is_drawn_through_its_points() -> None:
    figure = figure_of("scheduler: {type: exponential, gamma: 0.97}")
    assert list(figure.axes[0].get_lines()[0].get_xdata()) == list(range(100))


# -- 5. annotations ---------------------------------------------------------------------------


def test_labels_are_legible_at_gallery_width() -> None:
    figure = config_figure("multistep")
    px_per_point = 560 / (figure.get_figwidth() * 72)  # the gallery shows figures 560 px wide
    for label in annotations(figure, "lrplot-label-"):
        assert label.get_fontsize() * px_per_point >= 10.5


def test_labels_sit_above_the_plot_over_their_own_line() -> None:
    # milestones at 10 and 97 of 100: the last label is near the right edge
    figure = figure_of("scheduler: {type: multistep, milestones: [10, 97], gamma: 0.5}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ax = figure.axes[0]
    box = ax.get_window_extent()
    labels = annotations(figure, "lrplot-label-")
    assert [t.get_text() for t in labels] == ["×0.5 @ 10", "×0.5 @ 97"]
    for label, x in zip(labels, (10, 97), strict=True):
        extent = label.get_window_extent(renderer)
        line_x = ax.transData.transform((x, 0))[0]
        assert extent.y0 >= box.y1  # above the plot: no line or spine under it
        assert extent.x0 <= line_x <= extent.x1  # over its own line, not the interval before
        assert extent.x1 <= figure.bbox.x1  # inside the figure


def test_steplr_gets_one_note_in_the_figure() -> None:
    figure = figure_of("scheduler: {type: step, step_size: 10, gamma: 0.5}")
    assert [t.get_text() for t in annotations(figure, "lrplot-label-")] == ["×0.5 every 10 epochs"]


def test_a_still_rising_onecycle_has_no_warmup_end() -> None:
    figure = figure_of(
        "epochs: 10\nsteps_per_epoch: 10\noptimizer: {momentum: 0.9}\n"
        "scheduler: {type: onecycle, max_lr: 0.1, total_steps: 100}"
    )
    assert annotations(figure, "lrplot-label-") == []


# -- 6. titles --------------------------------------------------------------------------------


def test_titles_wrap_between_words_never_inside_a_number() -> None:
    figure = Figure(figsize=(4, 3))
    text = "LinearLR(start_factor=0.01, end_factor=1.0, total_iters=5) then more words here"
    lines = fit(text, figure.subplots(), 12, bold=True).split("\n")
    assert len(lines) > 1
    assert " ".join(lines) == text  # only spaces became line breaks


def test_a_sequential_title_is_one_short_line_with_the_facts_below() -> None:
    spec = lrplot.spec_from_text(
        "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\nscheduler:\n  type: sequential\n"
        "  milestones: [5]\n  schedulers:\n"
        "    - {type: linear, start_factor: 0.01, total_iters: 5}\n"
        "    - {type: cosine, T_max: 95, eta_min: 1e-5}\n"
    )
    figure = lrplot.plot(lrplot.simulate(spec))
    assert figure.axes[0].get_title(loc="left") == "SequentialLR: LinearLR, CosineAnnealingLR"
    (subtitle,) = annotations(figure, "lrplot-subtitle")
    assert subtitle.get_text() == "SGD · peak lr 0.1 · 100 epochs · scheduler.step() every epoch"


def test_the_api_draws_the_configs_title_and_plot_options() -> None:
    spec = lrplot.load_spec(CONFIGS / "warmup-cosine.yaml")
    assert lrplot.plot(lrplot.simulate(spec)).axes[0].get_title(loc="left") == "Warmup + cosine"
    recipe = lrplot.load_spec(CONFIGS / "recipe-linear.yaml")
    figure = lrplot.plot(lrplot.simulate(recipe))
    assert figure.axes[0].get_title(loc="left").startswith("linear: 300 warmup steps")
    assert lrplot.plot(lrplot.simulate(recipe), title="Mine").axes[0].get_title(loc="left") == (
        "Mine"
    )


# -- 7. the momentum panel --------------------------------------------------------------------


def test_an_overlay_shows_every_curves_momentum_and_names_the_constant_ones() -> None:
    figure = config_figure("compare")  # StepLR and cosine keep 0.9, OneCycle cycles it
    panel = figure.axes[1]
    lines = [line for line in panel.get_lines() if line.get_gid()]
    assert sorted(line.get_gid() for line in lines) == [
        "lrplot-momentum-2-0",
        "lrplot-momentum-constant",
    ]
    (constant,) = [line for line in lines if line.get_gid() == "lrplot-momentum-constant"]
    assert list(constant.get_ydata()) == [0.9, 0.9]
    assert constant.get_linewidth() < lines[0].get_linewidth()
    legend = panel.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["StepLR, cosine: 0.9 (constant)"]


def test_identical_param_groups_are_drawn_once_and_said_to_be() -> None:
    figure = figure_of(
        "optimizer: {lr: 0.1, momentum: 0.9, param_groups: [{lr: 0.1}, {lr: 0.2}, {lr: 0.3}]}\n"
        "scheduler: {type: onecycle, max_lr: 0.5}"  # a scalar max_lr: every group alike
    )
    lines = [
        line
        for line in figure.axes[0].get_lines()
        if (line.get_gid() or "").startswith("lrplot-lr")
    ]
    assert [line.get_label() for line in lines] == ["groups 0–2 (identical)"]
    momentum = [
        line
        for line in figure.axes[1].get_lines()
        if (line.get_gid() or "").startswith("lrplot-mo")
    ]
    assert len(momentum) == 1


# -- 8. named param groups --------------------------------------------------------------------

NAMED = (
    "optimizer:\n  type: SGD\n  lr: 0.1\n  momentum: 0.9\n"
    "  param_groups: [{name: backbone, lr: 0.01}, {name: head}]\n"
    "scheduler: {type: multistep, milestones: [30], gamma: 0.1}\n"
)


def test_named_groups_in_legends_and_csv_headers_and_markers_in_a_neutral_colour() -> None:
    spec = lrplot.spec_from_text(NAMED)
    curve = lrplot.simulate(spec)
    # torch keeps the extra key in the group; lrplot read the lr torch trained with
    optimizer = torch.optim.SGD(
        [
            {"params": [torch.zeros(1, requires_grad=True)], "name": "backbone", "lr": 0.01},
            {"params": [torch.zeros(1, requires_grad=True)], "name": "head"},
        ],
        lr=0.1,
        momentum=0.9,
    )
    assert [g["name"] for g in optimizer.param_groups] == ["backbone", "head"]
    assert curve.lr[:, 0].tolist() == [g["lr"] for g in optimizer.param_groups]
    figure = lrplot.plot(curve)
    lines = [
        line
        for line in figure.axes[0].get_lines()
        if (line.get_gid() or "").startswith("lrplot-lr")
    ]
    assert [line.get_label() for line in lines] == ["backbone", "head"]
    (marker,) = [line for line in figure.axes[0].get_lines() if line.get_gid() == "lrplot-marker-0"]
    assert matplotlib.colors.to_hex(marker.get_color()) == LIGHT.muted
    header = next(csv.reader(io.StringIO("".join(lrplot.outputs.csv.csv_lines([curve])))))
    assert header == [
        "step",
        "epoch",
        "lr_backbone",
        "lr_head",
        "momentum_backbone",
        "momentum_head",
    ]


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("[{name: a}, {name: a}]", "name 'a' is already used by param group 0"),
        ("[{name: 'a,b'}]", "must be a name of letters, digits"),
        ("[{name: 3}]", "must be a name of letters, digits"),
    ],
)
def test_bad_group_names(groups: str, message: str) -> None:
    with pytest.raises(lrplot.LrplotError, match=re.escape(message)):
        lrplot.spec_from_text(
            f"optimizer: {{param_groups: {groups}}}\nscheduler: {{type: cosine, T_max: 5}}"
        )


# -- 9. resolution and 10. SVG ----------------------------------------------------------------


def test_default_png_is_sharp_on_retina_and_small() -> None:
    from PIL import Image

    data = figure_bytes(config_figure("warmup-cosine"), "png")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1600, 900)  # 2x a README's ~800 CSS pixels
    assert len(data) < 200_000


def svg_root(figure: Figure) -> ET.Element:
    return ET.fromstring(figure_bytes(figure, "svg"))


def test_svg_keeps_text_as_text_with_a_title_and_description_and_no_version() -> None:
    figure = config_figure("step")
    data = figure_bytes(figure, "svg")
    assert data == figure_bytes(figure, "svg")  # deterministic
    assert b"Matplotlib v" not in data and matplotlib.__version__.encode() not in data
    root = ET.fromstring(data)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "1e-3" in texts and "×0.1 every 30 epochs" in texts
    assert "DejaVu Sans" in data.decode() and "sans-serif" in data.decode()
    assert not [el for el in root.iter() if (el.get("id") or "").startswith("DejaVuSans-")]
    first, second = list(root)[:2]
    assert first.tag == f"{SVG}title" and first.text == "StepLR(step_size=30, gamma=0.1)"
    assert second.tag == f"{SVG}desc"
    assert second.text.startswith("Line chart of the learning rate against epoch (log scale).")
    assert "Starts at 1e-3" in second.text and "×0.1 every 30 epochs" in second.text
    assert len(data) < 30_000


# -- 11. dark mode ----------------------------------------------------------------------------


def luminance(color: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in matplotlib.colors.to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
def test_both_palettes_keep_their_contrast(palette: object) -> None:
    bg = palette.background  # type: ignore[attr-defined]
    assert contrast(palette.text, bg) >= 7  # type: ignore[attr-defined]
    assert contrast(palette.muted, bg) >= 4.5  # type: ignore[attr-defined]
    for color in palette.lines[:6]:  # type: ignore[attr-defined]
        assert contrast(color, bg) >= 2.9, color
    for color in (palette.metric, palette.reduction, palette.bar):  # type: ignore[attr-defined]
        assert contrast(color, bg) >= 3, color
    assert 1.1 < contrast(palette.grid, bg) < 2  # type: ignore[attr-defined]


def test_a_dark_figure_is_dark_through_and_through() -> None:
    figure = config_figure("plateau-explained", theme="dark")
    assert matplotlib.colors.to_hex(figure.get_facecolor()) == DARK.background
    ax = figure.axes[0]
    assert matplotlib.colors.to_hex(ax.get_facecolor()) == DARK.background
    assert matplotlib.colors.to_hex(ax.yaxis.label.get_color()) == DARK.text
    gridline = ax.get_ygridlines()[0]
    assert matplotlib.colors.to_hex(gridline.get_color()) == DARK.grid
    metric = figure.axes[-1].get_lines()[0]
    assert matplotlib.colors.to_hex(metric.get_color()) == DARK.metric
    bands = [p for p in ax.patches if p.get_label() == "patience window"]
    assert bands and matplotlib.colors.to_hex(bands[0].get_facecolor()) == DARK.band


def test_render_theme_both_writes_the_pair_and_one_csv(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("scheduler: {type: cosine, T_max: 20}\n")
    result = runner.invoke(
        app, ["render", str(config), "-d", str(tmp_path / "o"), "-f", "png,svg,csv",
              "--theme", "both"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "o").iterdir() if not p.name.startswith("."))
    assert names == ["c-dark.png", "c-dark.svg", "c.csv", "c.png", "c.svg"]
    assert DARK.background.encode() in (tmp_path / "o" / "c-dark.svg").read_bytes()
    assert DARK.background.encode() not in (tmp_path / "o" / "c.svg").read_bytes()
    check = runner.invoke(
        app, ["render", str(config), "-d", str(tmp_path / "o"), "-f", "png,svg,csv",
              "--theme", "both", "--check"]
    )  # fmt: skip
    assert check.exit_code == 0, check.output
    config.write_text("plot: {theme: [light, dark]}\nscheduler: {type: cosine, T_max: 20}\n")
    out = tmp_path / "x.png"
    lrplot.render(config, [out])
    assert out.is_file() and (tmp_path / "x-dark.png").is_file()


def test_transparent_leaves_the_background_empty() -> None:
    from PIL import Image

    data = figure_bytes(figure_of("scheduler: {type: cosine, T_max: 10}", transparent=True), "png")
    with Image.open(io.BytesIO(data)) as image:
        assert image.getpixel((2, 2))[3] == 0


def test_the_gallery_offers_the_dark_figure_to_dark_mode(tmp_path: Path) -> None:
    from lrplot.describe.gallery import gallery

    text = gallery([CONFIGS / "step.yaml"], Path("docs/figures"), Path("docs/gallery.md"),
                   "configs", dark=True)  # fmt: skip
    assert (
        '<picture><source media="(prefers-color-scheme: dark)" '
        'srcset="figures/step-dark.png"><img src="figures/step.png"' in text
    )


# -- 12. notebooks ----------------------------------------------------------------------------


def test_a_figure_shows_itself_in_jupyter() -> None:
    figure = figure_of("scheduler: {type: cosine, T_max: 10}")
    data, size = figure._repr_png_()  # type: ignore[attr-defined]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert size == {"width": 640, "height": 360}  # 1600 px at half size: sharp, not huge


def test_plt_show_and_fig_show_see_the_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    adopted = []
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "qtagg")  # an interactive pyplot
    monkeypatch.setattr(plt, "figure", lambda figure: adopted.append(figure))
    figure = figure_of("scheduler: {type: cosine, T_max: 10}")
    assert adopted == [figure]  # handed to pyplot, so plt.show() shows it
    monkeypatch.undo()
    figure = figure_of(
        "scheduler: {type: cosine, T_max: 10}"
    )  # Agg (tests): pyplot's list stays as it was
    assert figure.canvas.manager is None
    figure.show()  # matplotlib's own Figure raises AttributeError here (Agg, headless: no-op)
    assert figure.canvas.manager is not None
    plt.close(figure)


def test_ax_takes_a_panel_axes_or_says_it_drops_the_panel() -> None:
    curve = lrplot.simulate(lrplot.load_spec(CONFIGS / "onecycle.yaml"))
    figure = Figure(layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    assert lrplot.plot(curve, ax=[top, bottom]) is figure
    assert bottom.get_ylabel() == "momentum" and bottom.get_lines()
    with pytest.warns(PanelWarning, match="1 panel"):
        lrplot.plot(curve, ax=Figure().subplots())


# -- 13. more than the lr ---------------------------------------------------------------------


def test_weight_decay_is_recorded_and_drawn_with_the_effective_decay() -> None:
    text = (
        "optimizer: {type: AdamW, lr: 0.001, weight_decay: 0.05}\n"
        "scheduler: {type: cosine, T_max: 50}"
    )
    curve = lrplot.simulate(lrplot.spec_from_text(text))
    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=0.001, weight_decay=0.05)
    assert (curve.extra["weight_decay"] == optimizer.param_groups[0]["weight_decay"]).all()
    figure = lrplot.plot(curve, panels=["weight_decay", "effective_decay"])
    assert [ax.get_ylabel() for ax in figure.axes[1:]] == ["weight decay", "lr × wd"]
    (effective,) = [line for line in figure.axes[2].get_lines() if line.get_gid()]
    assert np.allclose(np.unique(effective.get_ydata()), np.unique(curve.lr[0] * 0.05))
    with pytest.raises(lrplot.LrplotError, match="panels: no curve recorded 'dampening'"):
        lrplot.plot(curve, panels="dampening")


def test_a_key_the_scheduler_changes_is_recorded_at_every_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No built-in scheduler changes weight_decay; a stepping that does stands in for one.
    from lrplot.families.torch import TorchFamily

    original = TorchFamily.stepping

    def stepping(self, spec, scheduler, curve, metric):  # type: ignore[no-untyped-def]
        inner = original(self, spec, scheduler, curve, metric)

        def advance(k: int) -> object:
            for group in scheduler.optimizer.param_groups:
                group["weight_decay"] = 0.01 * (k + 1)
            return inner.advance(k)

        return type(inner)(advance, inner.records, inner.repeat, inner.facts)

    monkeypatch.setattr(TorchFamily, "stepping", stepping)
    curve = lrplot.simulate(lrplot.spec_from_text("epochs: 5\nscheduler: {type: cosine, T_max: 5}"))
    assert curve.extra["weight_decay"][0].tolist() == pytest.approx([0, 0.01, 0.02, 0.03, 0.04])
    header = "".join(lrplot.outputs.csv.csv_lines([curve])).splitlines()[0]
    assert header == "step,epoch,lr,momentum,weight_decay"


def test_x_in_samples_and_tokens() -> None:
    text = "scheduler: {recipe: linear, num_warmup_steps: 100, num_training_steps: 1000}"
    figure = figure_of(text, x="tokens", tokens_per_step=4 * 1024 * 1024)
    assert figure.axes[0].get_xlabel() == "tokens"
    line = figure.axes[0].get_lines()[0]
    assert line.get_xdata()[-1] == 999 * 4 * 1024 * 1024
    assert tick_labels(figure, "x")[-1] == "4B"
    with pytest.raises(lrplot.LrplotError, match="x: samples needs samples_per_step"):
        figure_of(text, x="samples")
    with pytest.raises(lrplot.LrplotError, match=r"plot\.x \(line 1\): x: tokens needs"):
        lrplot.spec_from_text(f"plot: {{x: tokens}}\n{text}")
    result = runner.invoke(
        app, ["recipe", "linear", "--num-training-steps", "100", "--x", "samples",
              "--samples-per-step", "256", "-o", "-"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output


# -- 14. a run of one step --------------------------------------------------------------------


def test_a_one_step_run_draws_its_one_step_and_no_negative_ticks() -> None:
    figure = figure_of("epochs: 1\nscheduler: {type: cosine, T_max: 5}")
    line = figure.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0, 1] and list(line.get_ydata()) == [1e-3, 1e-3]
    assert line.get_marker() == "o"
    labels = tick_labels(figure, "x")
    assert labels and not any(label.startswith(("-", "−")) for label in labels)


def test_scale_rules_on_their_own() -> None:
    flat = np.full(100, 1e-3)
    assert not scale.wants_log([flat])
    low, high = scale.linear_limits([flat])
    assert low < 0 < 1e-3 < high


@pytest.mark.parametrize("name", ["onecycle", "plateau", "compare"])
def test_every_format_of_a_figure_has_one_layout_whichever_comes_first(name: str) -> None:
    # The constrained layout is computed once per figure (as PNG's savefig computes it) and
    # kept for the other formats. Before, each savefig laid the figure out again, on its own
    # renderer and from the last layout, so `--format svg` wrote other bytes than `--format
    # png,svg` did, and --check called the one written by the other stale.
    spec = lrplot.load_spec(CONFIGS / f"{name}.yaml")
    curves = lrplot.simulate_figure(spec)
    first = plot_figure(spec, curves)
    png, svg, pdf = (figure_bytes(first, fmt) for fmt in ("png", "svg", "pdf"))
    boxes = [ax.get_position().bounds for ax in first.axes]
    alone = {}
    for fmt in ("svg", "pdf", "png"):
        figure = plot_figure(spec, curves)
        alone[fmt] = figure_bytes(figure, fmt)
        assert [ax.get_position().bounds for ax in figure.axes] == boxes
    assert (alone["png"], alone["svg"], alone["pdf"]) == (png, svg, pdf)
    assert figure_bytes(first, "svg") == svg  # and saving again changes nothing


@pytest.mark.parametrize(
    ("transparent", "size"),
    [(False, "8x4.5"), (True, "8x4.5"), (False, "7.33x4.17"), (True, "6.01x3.99")],
)
def test_png_has_matplotlibs_pixels_and_text_and_is_rgb_when_opaque(
    transparent: bool, size: str
) -> None:
    # lrplot encodes the PNG itself: an opaque figure as RGB (smaller, faster to write), a
    # transparent one as matplotlib's own savefig writes it, byte for byte. A size that is not
    # a whole number of pixels (7.33 in at 97 dpi) has matplotlib's truncated canvas.
    from lrplot.draw.alt import text_of
    from lrplot.style import rc

    spec = lrplot.spec_from_text(
        "title: t\nscheduler: {type: onecycle, max_lr: 0.1, total_steps: 30}\n"
        f"epochs: 30\nplot: {{transparent: {str(transparent).lower()}, size: {size}, dpi: 97}}\n"
    )
    curves = lrplot.simulate_figure(spec)
    ours = figure_bytes(plot_figure(spec, curves), "png")
    figure = plot_figure(spec, curves)
    title, description = text_of(figure)
    buffer = io.BytesIO()
    with matplotlib.rc_context(rc()):
        figure.savefig(
            buffer,
            format="png",
            metadata={"Software": None, "Title": title, "Description": description},
        )
    theirs = buffer.getvalue()
    with Image.open(io.BytesIO(ours)) as mine, Image.open(io.BytesIO(theirs)) as reference:
        assert mine.mode == ("RGBA" if transparent else "RGB")
        assert mine.info == reference.info  # dpi, Title, Description; no Software
        assert mine.info["Title"] == title
        same = np.asarray(mine.convert("RGBA")) == np.asarray(reference.convert("RGBA"))
        assert same.all()
    if transparent:
        assert ours == theirs
    else:
        assert len(ours) < 0.95 * len(theirs)
