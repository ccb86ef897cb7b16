"""Every ``lrplot`` command line in the README's shell blocks runs, in order, as written.

They run in a scratch folder with a few of the example configs and a ``losses.csv`` (the log
the README replays). Lines are split as the shell splits them; ``> FILE`` redirections and
``&& python FILE`` are honoured. Two lines are adapted, and say why: ``watch`` gets
``--count 1`` (it would watch forever), and ``--install-completion`` is not run (it edits the
user's shell start-up files; ``test_cli_forgiving`` runs completion itself). The files the
README's examples name are made first (:func:`_files`): a package ``mypkg`` with the schedulers
the import examples name, a TrainingArguments JSON, a LightningCLI config and ``my.yaml``. The
``lrplot timm`` lines need timm, so they run in .venv-timm (``test_readme_timm_lines_run``).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot.cli import app

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ("recipe-cosine-with-restarts.yaml", "cosine.yaml", "compare.yaml")
runner = CliRunner()


def readme_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("lrplot ")
    ]


def test_the_readme_shows_the_new_commands() -> None:
    text = "\n".join(readme_lines())
    for needed in ("--save-spec", "lrplot watch", "lrplot compare", "lrplot code cosine", "-o -"):
        assert needed in text


MYPKG = """\
import math

from torch.optim.lr_scheduler import LambdaLR


class Warmup(LambdaLR):
    def __init__(self, optimizer, warmup=5):
        super().__init__(optimizer, lambda step: min(1.0, (step + 1) / warmup))


class WarmupCosine(LambdaLR):
    def __init__(self, optimizer, warmup=5, total=100):
        def factor(step):
            if step < warmup:
                return (step + 1) / warmup
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / (total - warmup))))

        super().__init__(optimizer, factor)
"""
LIGHTNING_CLI = """\
trainer: {max_epochs: 3, accumulate_grad_batches: 2}
data: {batch_size: 32}
optimizer: {class_path: torch.optim.SGD, init_args: {lr: 0.1}}
lr_scheduler: {class_path: torch.optim.lr_scheduler.StepLR, init_args: {step_size: 1}}
"""


def _files(folder: Path) -> None:
    """What the README's examples read: mypkg, training_args.json, config.yaml, my.yaml."""
    (folder / "mypkg").mkdir()
    (folder / "mypkg" / "__init__.py").write_text("")
    (folder / "mypkg" / "sched.py").write_text(MYPKG)
    (folder / "mypkg" / "schedules.py").write_text(MYPKG)
    args = {"learning_rate": 5e-5, "lr_scheduler_type": "linear", "warmup_steps": 0.1}
    args |= {"num_train_epochs": 2, "per_device_train_batch_size": 16}
    (folder / "training_args.json").write_text(json.dumps(args))
    (folder / "config.yaml").write_text(LIGHTNING_CLI)
    shutil.copy(ROOT / "configs" / "cosine.yaml", folder / "my.yaml")
    _logs(folder)


SCHEDULE = """\
epochs: 1
steps_per_epoch: 20
interval: step
optimizer: {type: AdamW, lr: 1.0e-3}
scheduler: {type: cosine, T_max: 20}
"""


def _logs(folder: Path) -> None:
    """The logs the check-log examples read, as each framework writes them, of a run that
    followed schedule.yaml: trainer_state.json (the lr at step s is the one step s used, row
    s - 1), TensorBoard events (tag lr, row s at step s), a Lightning metrics.csv, and a
    TrainingArguments file with its output folder."""
    import lrplot

    (folder / "schedule.yaml").write_text(SCHEDULE)
    plan = lrplot.simulate(lrplot.load_spec(folder / "schedule.yaml")).lr[0].tolist()
    state = {"log_history": [{"step": s, "learning_rate": plan[s - 1]} for s in range(1, 21)]}
    for where in (folder, folder / "runs" / "exp1", folder / "out"):
        where.mkdir(parents=True, exist_ok=True)
        (where / "trainer_state.json").write_text(json.dumps(state))
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(log_dir=str(folder / "runs" / "exp1")) as writer:
        for s, value in enumerate(plan):
            writer.add_scalar("lr", value, s)
    version = folder / "lightning_logs" / "version_0"
    version.mkdir(parents=True)
    rows = "".join(f"{value!r},{s}\n" for s, value in enumerate(plan))
    (version / "metrics.csv").write_text("lr-AdamW,step\n" + rows)
    args = {"learning_rate": 1e-3, "lr_scheduler_type": "cosine", "num_train_epochs": 1}
    args |= {"per_device_train_batch_size": 8, "output_dir": "out"}
    (folder / "out" / "training_args.json").write_text(json.dumps(args))
    (folder / "cli.yaml").write_text(LIGHTNING_CLI)


def _needs_timm(words: list[str]) -> bool:
    return len(words) > 1 and words[1] == "timm"


def test_every_readme_command_line_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _files(tmp_path)
    (tmp_path / "configs").mkdir()
    for name in CONFIGS:
        shutil.copy(ROOT / "configs" / name, tmp_path / "configs" / name)
    shutil.copytree(ROOT / "configs" / "data", tmp_path / "configs" / "data")
    rows = "".join(f"{i},{2.0 / (1 + i / 10)}\n" for i in range(120))
    (tmp_path / "losses.csv").write_text("epoch,val_loss\n" + rows)
    monkeypatch.chdir(tmp_path)
    ran = 0
    for line in readme_lines():
        words = shlex.split(line, comments=True)
        if "--install-completion" in words or _needs_timm(words):
            continue
        then: list[str] = []
        if "&&" in words:
            at = words.index("&&")
            words, then = words[:at], words[at + 1 :]
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1]
        if words[1] == "watch":
            words += ["--count", "1"]
        result = runner.invoke(app, words[1:])
        # check-log exits 1 when a log diverges from its plan: an answer, not a failure (the
        # example logs of a different run's arguments do)
        allowed = (0, 1) if words[1] == "check-log" and "schedule.yaml" not in words else (0,)
        assert result.exit_code in allowed, f"{line}\n{result.output}"
        if target is not None:
            Path(target).write_text(result.stdout)
        if then:
            assert then[0] == "python"
            done = subprocess.run([sys.executable, *then[1:]], capture_output=True, text=True)
            assert done.returncode == 0, f"{line}\n{done.stderr}"
        ran += 1
    assert ran >= 25
    assert Path("cos.png").read_bytes()[:4] == b"\x89PNG"
    assert Path("cmp.png").is_file() and Path("figures/cos.svg").is_file()
    assert Path("my.yaml").read_text().startswith("# OneCycleLR: ")


@pytest.mark.timm
def test_readme_timm_lines_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("timm.scheduler")
    monkeypatch.chdir(tmp_path)
    lines = [line for line in readme_lines() if _needs_timm(shlex.split(line, comments=True))]
    assert lines
    for line in lines:
        result = runner.invoke(app, shlex.split(line, comments=True)[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
