"""lrplot against the floor torch sets: every row of issues 5 and 18, as measured ratios.

    make bench                      # about 5 minutes on 2 shared cores
    make bench BENCH_ARGS=--quick   # one run of each side, about 2 minutes

Each row times lrplot (A) and what it is measured against (B) as fresh processes, interleaved
A B A B ..., and compares medians. Nothing here is a test: a slow or busy machine changes the
numbers, never an exit code.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
LRPLOT = str(BIN / "lrplot")
PYTHON = sys.executable


@dataclass
class Row:
    what: str
    against: str
    a: float
    b: float
    value: float
    target: str
    ok: bool | None  # None: not measured
    unit: str = "x"
    note: str = ""

    def times(self) -> str:
        return f"{self.a:.3f} / {self.b:.3f}" if self.b else "-"

    def line(self) -> str:
        if self.ok is None:
            return f"| {self.what} | {self.against} | - | n/a: {self.note} | {self.target} | - |"
        shown = f"{self.value:.2f}{self.unit}"
        verdict = "yes" if self.ok else "NO"
        return (
            f"| {self.what} | {self.against} | {self.times()} | {shown} | "
            f"{self.target} | {verdict} |"
        )


def run(argv: Sequence[str], cwd: Path, expect: int = 0) -> float:
    """Seconds for one process, start to exit; its output is discarded."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr.decode()}")
    return seconds


def interleaved(sides: Sequence[Callable[[], float]], repeats: int) -> list[float]:
    """Median seconds of each side, run A B C A B C ... so drifts in load hit all alike."""
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(repeats):
        for i, side in enumerate(sides):
            times[i].append(side())
    return [statistics.median(t) for t in times]


def script(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


# -- the rows ------------------------------------------------------------------------------------


def startup_rows(work: Path, repeats: int) -> list[Row]:
    bad = work / "bad.yaml"
    bad.write_text("scheduler: {type: cosine, T_maxx: 20}\n")
    sides = [
        lambda: run([LRPLOT, "--help"], work),
        lambda: run([LRPLOT, "list"], work),
        lambda: run([LRPLOT, "render", str(bad), "--out-dir", "o"], work, expect=2),
        lambda: run([PYTHON, "-c", "import torch"], work),
    ]
    help_, list_, error, torch_ = interleaved(sides, repeats)
    against = '`python -c "import torch"`'
    return [
        Row(
            "`lrplot --help`",
            against,
            help_,
            torch_,
            help_ / torch_,
            "<= 0.25x",
            help_ / torch_ <= 0.25,
        ),
        Row(
            "`lrplot list`",
            against,
            list_,
            torch_,
            list_ / torch_,
            "<= 0.25x",
            list_ / torch_ <= 0.25,
        ),
        Row(
            "a spec error (`render bad.yaml`)",
            against,
            error,
            torch_,
            error / torch_,
            "<= 0.25x",
            error / torch_ <= 0.25,
        ),
    ]


BARE_CSV = """
    import sys
    import torch

    steps = int(sys.argv[1])
    optimizer = torch.optim.SGD([torch.zeros(1, 1, requires_grad=True)], lr=0.001)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    group = optimizer.param_groups[0]
    optimizer.step()  # once, so torch does not warn about the order
    lrs, momenta = [], []
    for _ in range(steps):
        lrs.append(group["lr"])
        momenta.append(float(group["momentum"]))
        scheduler.step()
    with open(sys.argv[2], "w") as out:
        out.write("step,epoch,lr,momentum\\n")
        out.write("".join(
            f"{t},{t / 1!r},{lr!r},{m!r}\\n" for t, (lr, m) in enumerate(zip(lrs, momenta))
        ))
"""


def csv_row(work: Path, repeats: int, steps: int = 300_000) -> Row:
    bare = script(work, "bare_csv.py", BARE_CSV)
    cli = [LRPLOT, "cosine", "--T-max", str(steps), "-n", str(steps), "--lr", "0.001"]
    a, b = interleaved(
        [
            lambda: run([*cli, "-o", "lrplot.csv"], work),
            lambda: run([PYTHON, str(bare), str(steps), "bare.csv"], work),
        ],
        repeats,
    )
    same = (work / "lrplot.csv").read_bytes() == (work / "bare.csv").read_bytes()
    what = f"{steps // 1000}k-step cosine to CSV" + ("" if same else " (CSV DIFFERS!)")
    return Row(
        what,
        "bare loop: record lr, `scheduler.step()`, same CSV",
        a,
        b,
        a / b,
        "<= 1.25x",
        a / b <= 1.25 and same,
    )


MINIMAL_PNG = """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    optimizer = torch.optim.SGD([torch.zeros(1, 1, requires_grad=True)], lr=0.001)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20)
    lrs = []
    for _ in range(100):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    plt.plot(lrs)
    plt.savefig("minimal.png")
"""


def png_row(work: Path, repeats: int) -> Row:
    minimal = script(work, "minimal_png.py", MINIMAL_PNG)
    a, b = interleaved(
        [
            lambda: run([LRPLOT, "cosine", "--T-max", "20", "-o", "x.png"], work),
            lambda: run([PYTHON, str(minimal)], work),
        ],
        repeats,
    )
    return Row(
        "`lrplot cosine --T-max 20 -o x.png`",
        "minimal script: 100 steps, one savefig",
        a,
        b,
        a / b,
        "<= 1.2x",
        a / b <= 1.2,
    )


# --force: `render` skips outputs that are up to date, and every repeat must do the work again.
RENDER = [LRPLOT, "render", "--force"]

SMALL_CONFIGS = [
    "constant", "cosine", "cosine-warm-restarts", "cyclic", "exponential", "lambda",
    "linear", "multistep", "onecycle", "polynomial", "step", "warmup-cosine",
]  # fmt: skip


def batch_row(work: Path, repeats: int, configs: Path) -> Row:
    folder = work / "small"
    folder.mkdir()
    for name in SMALL_CONFIGS:
        (folder / f"{name}.yaml").write_text((configs / f"{name}.yaml").read_text())
    files = sorted(folder.glob("*.yaml"))

    def separately() -> float:
        return sum(run([*RENDER, str(f), "--out-dir", "sep"], work) for f in files)

    a, b = interleaved(
        [lambda: run([*RENDER, str(folder), "--out-dir", "one"], work), separately],
        repeats,
    )
    return Row(
        f"one `lrplot render` of {len(files)} small configs",
        f"{len(files)} separate calls",
        a,
        b,
        a / b,
        "<= 0.35x",
        a / b <= 0.35,
    )


def jobs_row(work: Path, repeats: int, count: int = 20, steps: int = 100_000) -> Row:
    help_text = subprocess.run([LRPLOT, "render", "--help"], capture_output=True, text=True).stdout
    what = f"`--jobs 2` over {count} configs of {steps // 1000}k steps"
    if "--jobs" not in help_text:
        return Row(what, "`--jobs 1` (speed-up)", 0, 0, 0, ">= 1.85x", None, note="needs --jobs")
    folder = work / "heavy"
    folder.mkdir()
    for i in range(count):
        (folder / f"heavy{i:02}.yaml").write_text(
            f"epochs: {steps}\nscheduler: {{type: cosine, T_max: {steps // (i + 1)}}}\n"
        )
    tiny = work / "tiny.yaml"
    tiny.write_text("epochs: 1\nscheduler: {type: cosine, T_max: 1}\n")
    cli = [*RENDER, str(folder), "--format", "png,csv"]
    one, two, start = interleaved(
        [
            lambda: run([*cli, "--out-dir", "j1", "--jobs", "1"], work),
            lambda: run([*cli, "--out-dir", "j2", "--jobs", "2"], work),
            lambda: run([*RENDER, str(tiny), "--format", "png,csv", "--out-dir", "j0"], work),
        ],
        repeats,
    )
    # Amdahl: every process that simulates first imports torch, torch._dynamo and matplotlib
    # (the start-up S, measured as a 1-step render), and on two cores only the rest halves.
    ceiling = one / (start + (one - start) / 2)
    against = (
        f"`--jobs 1` (speed-up; two-core ceiling {ceiling:.2f}x: {start:.1f} s of start-up "
        "before any config, measured as a 1-step render, does not halve)"
    )
    return Row(what, against, two, one, one / two, ">= 1.85x", one / two >= 1.85)


def _script(name: str, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, str(HERE / name), *args], capture_output=True, text=True, timeout=3600
    )
    return done.stdout + done.stderr


def watch_row(repeats: int) -> Row:
    """`lrplot watch`: the re-render after a save (bench/watch.py, which saves 15 times)."""
    what = "`lrplot watch`: re-render after a save (small config, PNG), median after the first"
    out = _script("watch.py", "--saves", str(5 * max(repeats, 3)))
    found = re.search(r"median ([0-9.]+) s", out)
    if found is None:
        return Row(what, "-", 0, 0, 0, "<= 0.25 s", None, note=out.strip()[-80:])
    median = float(found.group(1))
    return Row(what, "-", median, 0, median, "<= 0.25 s", median <= 0.25, unit=" s")


def checklog_row(repeats: int, points: int = 1_000_000) -> Row:
    """`check-log` of a 1M-point TensorBoard log against simulating its spec (bench/checklog.py,
    both as fresh processes)."""
    what = f"`check-log` of a {points // 1_000_000}M-point TensorBoard log"
    against = "simulating the same spec (`lrplot.simulate`)"
    out = _script("checklog.py", "--points", str(points), "--repeats", str(max(repeats, 1)))
    found = re.search(r"check-log: ([0-9.]+) s, simulate the spec: ([0-9.]+) s", out)
    if found is None:
        return Row(what, against, 0, 0, 0, "<= 2x", None, note=out.strip()[-80:])
    a, b = float(found.group(1)), float(found.group(2))
    return Row(what, against, a, b, a / b, "<= 2x", a / b <= 2.0)


def yaml_row(repeats: int) -> Row:
    """Loading a config near the node cap (about 0.7 MB, 99,000 values) against a 10 KB one.
    The target is absolute: a config at the caps loads in at most a second."""
    from lrplot.config import yamlload

    def config(values: int) -> str:
        items = ", ".join(str(i) for i in range(values))
        return f"title: t\nscheduler: {{type: multistep, milestones: [{items}]}}\n"

    big = config(yamlload.MAX_NODES - 1000)
    small = config(1_900)

    def load(text: str) -> float:
        start = time.perf_counter()
        yamlload.load_text(text, "bench.yaml")
        return time.perf_counter() - start

    a, b = interleaved([lambda: load(big), lambda: load(small)], max(repeats, 3))
    what = f"loading a {len(big) // 1000} KB config near the {yamlload.MAX_NODES}-value cap"
    return Row(what, f"a {len(small) // 1000} KB config", a, b, a, "<= 1 s", a <= 1.0, unit=" s")


def decimation_rows(repeats: int) -> list[Row]:
    """In this process: plot + PNG of a 1M-point curve, decimated and at full resolution."""
    import numpy as np
    from matplotlib.image import imread

    import lrplot
    from lrplot.outputs.figures import figure_bytes

    plot_module = importlib.import_module("lrplot.draw.lines")  # where lines are decimated
    # CyclicLR stepped every step: 250 triangles of lr and momentum, which matplotlib's own path
    # simplification cannot merge away (a smooth cosine it mostly can).
    text = (
        "epochs: 100\nsteps_per_epoch: 10000\ninterval: step\noptimizer: {momentum: 0.9}\n"
        "scheduler: {type: cyclic, base_lr: 0.001, max_lr: 0.1, step_size_up: 2000}\n"
    )
    curve = lrplot.simulate(lrplot.spec_from_text(text))
    assert len(curve) == 1_000_000
    images: dict[str, bytes] = {}

    def draw(name: str) -> float:
        start = time.perf_counter()
        images[name] = figure_bytes(lrplot.plot(curve), "png")
        return time.perf_counter() - start

    def full() -> float:
        kept = plot_module.decimate
        plot_module.decimate = lambda x, y: (x, y)
        try:
            return draw("full")
        finally:
            plot_module.decimate = kept

    draw("warm-up")
    a, b = interleaved([lambda: draw("decimated"), full], repeats)
    mine, theirs = (imread(io.BytesIO(images[k])) for k in ("decimated", "full"))
    diff = np.abs(mine - theirs).max(axis=2)
    changed = int((diff > 0).sum())
    worst = float(diff.max())
    what = "1M-point curve to PNG (plot + savefig)"
    return [
        Row(what, "absolute", a, b, a, "<= 0.3 s", a <= 0.3, unit=" s"),
        Row(what, "full-resolution plot of all points", a, b, a / b, "(speed-up)", True),
        Row(
            f"pixels changed by decimation ({changed} px, max diff {worst:.3f})",
            f"full-resolution figure, {diff.size} px",
            0,
            0,
            changed / diff.size * 100,
            "small",
            worst <= 0.25,
            unit="%",
        ),
    ]


def drawing_row(repeats: int, configs: Path) -> Row:
    """In this process, imports and simulations paid: every figure of `render configs --format
    png,svg`, against the same curves drawn by a minimal matplotlib figure (one line per curve
    and param group, title, axis labels) saved as PNG and SVG at the same size and dpi, under the
    same rc settings (so SVG text is text on both sides: the ratio is lrplot's own drawing)."""
    import matplotlib
    from matplotlib.figure import Figure

    import lrplot
    from lrplot.batch import collect
    from lrplot.draw.figure import plot_figure
    from lrplot.outputs.figures import figure_bytes
    from lrplot.style import DPI, SIZE, rc

    work = []
    for config in collect([str(configs)]):
        if config.name.startswith("timm-"):  # renders in .venv-timm
            continue
        spec = lrplot.load_spec(config, allow_import=("schedules",))
        work.append((spec, lrplot.simulate_figure(spec)))

    def lrplot_figures() -> float:
        start = time.perf_counter()
        for spec, curves in work:
            figure = plot_figure(spec, curves)
            for fmt in ("png", "svg"):
                figure_bytes(figure, fmt)
        return time.perf_counter() - start

    def minimal() -> float:
        start = time.perf_counter()
        with matplotlib.rc_context(rc()):
            for spec, curves in work:
                figure = Figure(figsize=SIZE, dpi=DPI)
                ax = figure.subplots()
                for curve in curves:
                    for g in range(curve.groups):
                        ax.plot(curve.step, curve.lr[g])
                ax.set_title(spec.display_title)
                ax.set_xlabel("step")
                ax.set_ylabel("learning rate")
                for fmt in ("png", "svg"):
                    figure.savefig(io.BytesIO(), format=fmt)
        return time.perf_counter() - start

    lrplot_figures()  # warm-up: font caches, first savefig
    minimal()
    a, b = interleaved([lrplot_figures, minimal], repeats)
    return Row(
        f"drawing: the {len(work)} figures of `render configs --format png,svg`, after imports",
        "minimal `plot` + title + axis labels + `savefig` png and svg, same curves and size",
        a,
        b,
        a / b,
        "<= 2x",
        a / b <= 2,
    )


# Started from a small fresh interpreter: a child forked from this bench process (torch and a 1M
# point curve loaded) would count the bench's pages in its peak before exec replaced them.
PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def memory_row(work: Path) -> Row:
    """Peak RSS of a 10M-row CSV run (100k epochs x 100 steps), from the child's own rusage."""
    argv = [LRPLOT, "cosine", "--T-max", "50000", "-n", "100000", "--steps-per-epoch", "100",
            "-o", "big.csv"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", PEAK_RSS, *argv], cwd=work, capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - start
    returncode, kib = (int(v) for v in done.stdout.split())
    rows = sum(1 for _ in open(work / "big.csv")) - 1
    (work / "big.csv").unlink()
    mib = kib / 1024
    return Row(
        f"peak memory, {rows / 1e6:.0f}M-row run to CSV ({seconds:.0f} s)",
        "-",
        mib,
        0,
        mib,
        "<= 400 MiB",
        mib <= 400 and returncode == 0,
        unit=" MiB",
    )


SEED_LOOP = """
    import sys

    import torch

    sys.path.insert(0, sys.argv[3])
    from alexnet import AlexNet

    steps = int(sys.argv[1])
    model = AlexNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    lrs = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_lr()[0])
    with open(sys.argv[2], "w") as out:
        out.write("step,lr\\n")
        out.write("".join(f"{t},{lr!r}\\n" for t, lr in enumerate(lrs)))
"""


def seed_row(work: Path, repeats: int, steps: int = 300_000) -> Row:
    seed = script(work, "seed_alexnet.py", SEED_LOOP)
    cli = [LRPLOT, "cosine", "--T-max", str(steps), "-n", str(steps), "--lr", "0.001"]
    a, b = interleaved(
        [
            lambda: run([*cli, "-o", "lrplot.csv"], work),
            lambda: run([PYTHON, str(seed), str(steps), "seed.csv", str(HERE)], work),
        ],
        repeats,
    )
    return Row(
        f"{steps // 1000}k-step cosine to CSV",
        "seed-style: AlexNet, `optimizer.step()` + `scheduler.step()` + `get_lr()`",
        a,
        b,
        b / a,
        "(speed-up)",
        True,
    )


def loop_rows(repeats: int, steps: int = 100_000) -> list[Row]:
    """In this process, imports paid: the simulation loop alone against torch's own loops."""
    import warnings

    import torch

    import lrplot

    spec = lrplot.spec_from_text(
        f"epochs: {steps}\noptimizer: {{lr: 0.001}}\nscheduler: {{type: cosine, T_max: {steps}}}"
    )
    sys.path.insert(0, str(HERE))
    from alexnet import AlexNet

    model = AlexNet()

    def simulate() -> float:
        start = time.perf_counter()
        lrplot.simulate(spec)
        return time.perf_counter() - start

    def bare() -> float:
        start = time.perf_counter()
        optimizer = torch.optim.SGD([torch.zeros(1, 1, requires_grad=True)], lr=0.001)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
        group = optimizer.param_groups[0]
        optimizer.step()
        lrs, momenta = [], []
        for _ in range(steps):
            lrs.append(group["lr"])
            momenta.append(group["momentum"])
            scheduler.step()
        return time.perf_counter() - start

    def seed() -> float:
        start = time.perf_counter()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
        lrs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # get_lr() warns; the seed scripts ignore it
            for _ in range(steps):
                optimizer.step()
                scheduler.step()
                lrs.append(scheduler.get_lr()[0])
        return time.perf_counter() - start

    simulate()  # warm-up: the first Optimizer imports torch._dynamo
    a, b, c = interleaved([simulate, bare, seed], repeats)
    per = f"{steps // 1000}k-step cosine loop in one process (us/step)"
    us = 1e6 / steps
    return [
        Row(
            f"`simulate()`: {per}",
            "bare: record lr + momentum, `scheduler.step()`",
            a * us,
            b * us,
            a / b,
            "(overhead)",
            True,
        ),
        Row(
            f"`simulate()`: {per}",
            "seed loop: AlexNet `optimizer.step()` + `step()` + `get_lr()`",
            a * us,
            c * us,
            c / a,
            "(speed-up)",
            True,
        ),
    ]


# -- report --------------------------------------------------------------------------------------


def machine() -> str:
    import torch

    cpu = "unknown CPU"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1) if found else cpu
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} "
        f"cores ({cpu}); Python {platform.python_version()}; torch {torch.__version__}; "
        f"load average before: {load}"
    )


def compile_bytecode() -> None:
    """Compile lrplot's modules as ``pip install`` does. An editable install compiles nothing,
    and with PYTHONDONTWRITEBYTECODE set (as on the machines we bench on) every lrplot process
    would compile its ~130 modules from source again: about 0.2 s that no installed lrplot pays.
    torch, matplotlib and the rest were compiled when pip installed them."""
    import compileall

    import lrplot

    compileall.compile_dir(Path(lrplot.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each side per row")
    parser.add_argument("--repeats", type=int, default=None, help="runs of each side [3]")
    parser.add_argument(
        "--only",
        action="append",
        choices=[
            *("startup", "csv", "png", "batch", "jobs", "decimation", "drawing", "memory"),
            *("seed", "loop", "yaml", "watch", "checklog"),
        ],
        help="run only this row (repeatable)",
    )
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    heavy = max(1, min(repeats, 2))  # the rows that take half a minute per run
    configs = Path(__file__).resolve().parent.parent / "configs"
    compile_bytecode()
    print(
        f"lrplot bench: {machine()}; medians of {repeats} interleaved runs "
        f"({heavy} for the batch rows)\n",
        flush=True,
    )
    print("| what | measured against | lrplot / other (s, or as named) | ratio | target | met |")
    print("|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory(prefix="lrplot-bench-") as temp:
        work = Path(temp)
        rows: dict[str, Callable[[], list[Row]]] = {
            "startup": lambda: startup_rows(work, repeats),
            "csv": lambda: [csv_row(work, repeats)],
            "png": lambda: [png_row(work, repeats)],
            "batch": lambda: [batch_row(work, heavy, configs)],
            "jobs": lambda: [jobs_row(work, heavy)],
            "decimation": lambda: decimation_rows(3 * max(repeats, 3)),  # sub-second: more runs
            "drawing": lambda: [drawing_row(max(repeats, 3), configs)],
            "memory": lambda: [memory_row(work)],
            "seed": lambda: [seed_row(work, heavy)],
            "loop": lambda: loop_rows(max(repeats, 3)),
            "yaml": lambda: [yaml_row(repeats)],
            "watch": lambda: [watch_row(repeats)],
            "checklog": lambda: [checklog_row(heavy)],
        }
        for name, measure in rows.items():
            if not args.only or name in args.only:
                for row in measure():
                    print(row.line(), flush=True)


if __name__ == "__main__":
    main()
