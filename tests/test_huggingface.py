"""lrplot against a REAL ``transformers.Trainer`` (transformers 5.24.0, CPU).

Each test trains a tiny ``PreTrainedModel`` (one ``nn.Linear``) on random tensors, records
``optimizer.param_groups[0]["lr"]`` in a callback's ``on_pre_optimizer_step`` (right before every
real optimizer step), and requires lrplot's rows to equal those values exactly. A world size
above 1 is simulated the way the Trainer shards: the Trainer is given rank 0's dataloader from
accelerate's own ``prepare_data_loader(num_processes=W, process_index=0)``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

import lrplot
from lrplot.cli import app

transformers = pytest.importorskip("transformers")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
runner = CliRunner()

BASE = {
    "use_cpu": True,
    "report_to": [],
    "save_strategy": "no",
    "eval_strategy": "no",
    "disable_tqdm": True,
    "logging_strategy": "no",
    "dataloader_num_workers": 0,
    "seed": 42,
}


class Data(torch.utils.data.Dataset):  # type: ignore[misc]
    def __init__(self, size: int) -> None:
        generator = torch.Generator().manual_seed(0)
        self.x = torch.randn(size, 4, generator=generator)
        self.y = torch.randn(size, generator=generator)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": self.x[i], "labels": self.y[i]}


def _model() -> Any:
    class TinyConfig(transformers.PreTrainedConfig):  # type: ignore[misc, name-defined]
        model_type = "lrplot_tiny"

    class Tiny(transformers.PreTrainedModel):  # type: ignore[misc, name-defined]
        config_class = TinyConfig

        def __init__(self, config: Any) -> None:
            super().__init__(config)
            self.lin = torch.nn.Linear(4, 1)
            self.post_init()

        def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> Any:
            out = self.lin(x).squeeze(-1)
            loss = None if labels is None else torch.nn.functional.mse_loss(out, labels)
            return {"loss": loss, "logits": out}

    torch.manual_seed(0)
    return Tiny(TinyConfig())


def trainer_lrs(args: dict[str, Any], dataset_size: int, world_size: int = 1) -> list[float]:
    """The lr of every optimizer step of a real Trainer run (rank 0 of ``world_size``)."""
    from accelerate.data_loader import prepare_data_loader
    from torch.utils.data import DataLoader, RandomSampler
    from transformers import Trainer, TrainerCallback, TrainingArguments
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    seen: list[float] = []

    class Record(TrainerCallback):  # type: ignore[misc]
        def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            seen.append(kw["optimizer"].param_groups[0]["lr"])

    class Rank0(Trainer):  # type: ignore[misc]
        def get_train_dataloader(self) -> Any:
            data = self.train_dataset
            loader = DataLoader(
                data,
                batch_size=self.args.per_device_train_batch_size,
                sampler=RandomSampler(data),
                drop_last=self.args.dataloader_drop_last,
                collate_fn=self.data_collator,
            )
            return prepare_data_loader(
                loader, num_processes=world_size, process_index=0, put_on_device=False
            )

    cls = Rank0 if world_size > 1 else Trainer
    with tempfile.TemporaryDirectory() as out:
        trainer = cls(
            model=_model(),
            args=TrainingArguments(**{**BASE, **args, "output_dir": out}),
            train_dataset=Data(dataset_size),
            callbacks=[Record()],
        )
        trainer.remove_callback(PrinterCallback)
        trainer.remove_callback(ProgressCallback)
        trainer.train()
    return seen


def planned(args: dict[str, Any], dataset_size: int | None, world_size: int = 1) -> list[float]:
    spec = {"huggingface": args}
    if dataset_size is not None:
        spec["data"] = {"dataset_size": dataset_size, "world_size": world_size}
    figure = lrplot.spec_from_mapping(spec)
    assert figure.curves[0].scheduler.family == "transformers"
    return lrplot.simulate(figure).lr[0].tolist()


CASES = {
    "accumulation 3 over 10 batches (a last window of 1), linear warmup 2": (
        {
            "per_device_train_batch_size": 4,
            "gradient_accumulation_steps": 3,
            "num_train_epochs": 2,
            "learning_rate": 1e-3,
            "warmup_steps": 2,
        },
        40,
    ),
    "accumulation 4 over 7 batches, polynomial": (
        {
            "per_device_train_batch_size": 3,
            "gradient_accumulation_steps": 4,
            "num_train_epochs": 3,
            "learning_rate": 1e-3,
            "warmup_steps": 1,
            "lr_scheduler_type": "polynomial",
            "lr_scheduler_kwargs": {"power": 2.0, "lr_end": 1e-5},
        },
        20,
    ),
    "drop_last: 23 samples / 4 -> 5 batches": (
        {
            "per_device_train_batch_size": 4,
            "dataloader_drop_last": True,
            "num_train_epochs": 2,
            "learning_rate": 1e-3,
            "lr_scheduler_type": "cosine",
        },
        23,
    ),
    "warmup_steps 0.13 of 25 -> ceil(3.25) = 4": (
        {
            "per_device_train_batch_size": 2,
            "num_train_epochs": 1,
            "learning_rate": 1e-3,
            "warmup_steps": 0.13,
        },
        50,
    ),
    "max_steps 7 cuts the first epoch (10 steps an epoch)": (
        {
            "per_device_train_batch_size": 4,
            "max_steps": 7,
            "learning_rate": 1e-3,
            "warmup_steps": 2,
            "lr_scheduler_type": "cosine_with_restarts",
            "lr_scheduler_kwargs": {"num_cycles": 2},
        },
        40,
    ),
    "num_train_epochs 1.5 -> ceil(1.5 x 4) = 6": (
        {
            "per_device_train_batch_size": 4,
            "gradient_accumulation_steps": 2,
            "num_train_epochs": 1.5,
            "learning_rate": 1e-3,
        },
        30,
    ),
    "cosine_with_min_lr, min_lr 1e-4, warmup 0.1": (
        {
            "per_device_train_batch_size": 2,
            "num_train_epochs": 1,
            "learning_rate": 1e-3,
            "warmup_steps": 0.1,
            "lr_scheduler_type": "cosine_with_min_lr",
            "lr_scheduler_kwargs": {"min_lr": 1e-4},
        },
        30,
    ),
    "warmup_stable_decay with num_decay_steps": (
        {
            "per_device_train_batch_size": 2,
            "num_train_epochs": 1,
            "learning_rate": 1e-3,
            "warmup_steps": 3,
            "lr_scheduler_type": "warmup_stable_decay",
            "lr_scheduler_kwargs": {"num_decay_steps": 5},
        },
        30,
    ),
    "sgd, inverse_sqrt": (
        {
            "per_device_train_batch_size": 4,
            "num_train_epochs": 2,
            "learning_rate": 1e-3,
            "warmup_steps": 3,
            "optim": "sgd",
            "lr_scheduler_type": "inverse_sqrt",
        },
        40,
    ),
}


@pytest.mark.parametrize(("args", "size"), CASES.values(), ids=CASES.keys())
def test_lrplot_equals_a_real_trainer(args: dict[str, Any], size: int) -> None:
    real = trainer_lrs(args, size)
    assert real and real == planned(args, size)


@pytest.mark.parametrize(
    ("args", "size", "world"),
    [
        (
            {
                "per_device_train_batch_size": 4,
                "dataloader_drop_last": True,
                "num_train_epochs": 2,
                "learning_rate": 1e-3,
                "warmup_steps": 1,
            },
            23,
            2,
        ),
        (
            {
                "per_device_train_batch_size": 2,
                "gradient_accumulation_steps": 3,
                "num_train_epochs": 2,
                "learning_rate": 1e-3,
                "warmup_steps": 0.1,
                "lr_scheduler_type": "cosine",
            },
            37,
            3,
        ),
        (
            {
                "per_device_train_batch_size": 3,
                "gradient_accumulation_steps": 2,
                "max_steps": 9,
                "learning_rate": 1e-3,
                "lr_scheduler_type": "cosine_with_restarts",
                "lr_scheduler_kwargs": {"num_cycles": 2},
            },
            50,
            4,
        ),
    ],
)
def test_world_size_through_accelerates_sharding(
    args: dict[str, Any], size: int, world: int
) -> None:
    real = trainer_lrs(args, size, world)
    assert real and real == planned(args, size, world)


def test_max_steps_needs_no_dataset_size() -> None:
    args = {
        "per_device_train_batch_size": 4,
        "max_steps": 12,
        "learning_rate": 1e-3,
        "warmup_steps": 3,
    }
    assert trainer_lrs(args, 40) == planned(args, None)


def test_kwargs_a_trainer_drops_warn_and_change_nothing() -> None:
    args = {
        "per_device_train_batch_size": 4,
        "num_train_epochs": 2,
        "learning_rate": 1e-3,
        "warmup_steps": 3,
        "lr_scheduler_type": "constant_with_warmup",
        "lr_scheduler_kwargs": {"eta_min": 0.0},
    }
    real = trainer_lrs(args, 30)  # no error: get_scheduler drops them
    spec = lrplot.spec_from_mapping({"huggingface": args, "data": {"dataset_size": 30}})
    assert lrplot.simulate(spec).lr[0].tolist() == real
    (warning,) = spec.warnings
    assert warning.path == "huggingface.lr_scheduler_kwargs"
    assert "drops lr_scheduler_kwargs for constant_with_warmup" in str(warning)


def test_kwargs_a_trainer_rejects_are_an_error_naming_the_right_key() -> None:
    args = {
        "per_device_train_batch_size": 4,
        "num_train_epochs": 1,
        "learning_rate": 1e-3,
        "lr_scheduler_type": "cosine_with_min_lr",
        "lr_scheduler_kwargs": {"eta_min": 1e-5},
    }
    with pytest.raises(TypeError, match="unexpected keyword argument 'eta_min'"):
        trainer_lrs(args, 16)
    text = (
        "huggingface:\n  lr_scheduler_type: cosine_with_min_lr\n"
        "  lr_scheduler_kwargs: {eta_min: 1.0e-5}\ndata: {dataset_size: 16}\n"
    )
    with pytest.raises(lrplot.LrplotError) as caught:
        lrplot.spec_from_text(text, source="hf.yaml")
    message = str(caught.value)
    assert message.startswith(
        "hf.yaml: huggingface.lr_scheduler_kwargs.eta_min (line 3): cosine_with_min_lr does "
        "not take eta_min, so the Trainer would fail when training starts (TypeError:"
    )
    assert message.endswith("it takes num_cycles, min_lr, min_lr_rate; did you mean min_lr?")


def test_lrplot_hf_reads_what_to_json_string_writes(tmp_path: Path) -> None:
    from transformers import TrainingArguments

    args = {
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 3,
        "num_train_epochs": 3,
        "learning_rate": 1e-3,
        "warmup_steps": 0.25,
        "lr_scheduler_type": "cosine_with_restarts",
        "lr_scheduler_kwargs": {"num_cycles": 2},
        "optim": "adamw_torch",
    }
    dumped = TrainingArguments(**{**BASE, **args, "output_dir": str(tmp_path)}).to_json_string()
    file = tmp_path / "training_args.json"
    file.write_text(dumped)
    out = tmp_path / "lr.csv"
    result = runner.invoke(app, ["hf", str(file), "--dataset-size", "40", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [float(line.split(",")[2]) for line in out.read_text().splitlines()[1:]]
    assert rows == trainer_lrs(args, 40)
    read = next(line for line in result.stderr.splitlines() if ": read " in line)
    assert "lr_scheduler_kwargs" in read and "warmup_steps" in read
    ignored = len(json.loads(dumped)) - len(read.split(": read ")[1].split(", "))
    assert f"ignored {ignored} fields that do not shape the schedule" in result.stderr


def test_warmup_ratio_is_read_as_transformers_4_did_with_a_warning() -> None:
    spec = lrplot.spec_from_mapping(
        {
            "huggingface": {
                "per_device_train_batch_size": 2,
                "num_train_epochs": 1,
                "warmup_ratio": 0.1,
                "learning_rate": 1e-3,
            },
            "data": {"dataset_size": 50},
        }
    )
    assert spec.curves[0].scheduler.kwargs["num_warmup_steps"] == 3  # ceil(0.1 x 25)
    real = trainer_lrs(
        {
            "per_device_train_batch_size": 2,
            "num_train_epochs": 1,
            "warmup_steps": 0.1,
            "learning_rate": 1e-3,
        },
        50,
    )
    assert lrplot.simulate(spec).lr[0].tolist() == real
    assert [w.path for w in spec.warnings] == ["huggingface.warmup_ratio"]
    assert "removed" in str(spec.warnings[0])


def test_a_pickle_is_never_read(tmp_path: Path) -> None:
    target = tmp_path / "training_args.bin"
    target.write_bytes(b"\x80\x04not really")
    result = runner.invoke(app, ["hf", str(target), "--dataset-size", "10"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {target}: lrplot never unpickles a file (loading a pickle runs code); save "
        "args.to_json_string() (or the config as YAML) and name that\n"
    )


def test_without_transformers_the_recipe_draws_it_with_a_warning() -> None:
    import subprocess
    import sys

    block = {
        "learning_rate": 1e-3,
        "lr_scheduler_type": "cosine_with_min_lr",
        "lr_scheduler_kwargs": {"min_lr_rate": 0.1},
        "warmup_steps": 0.1,
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 3,
        "num_train_epochs": 2,
    }
    spec = {"huggingface": block, "data": {"dataset_size": 100, "world_size": 2}}
    # sys.modules[name] = None makes `import transformers` fail as if it were not installed.
    script = f"""
import sys
sys.modules["transformers"] = None
import lrplot
spec = lrplot.spec_from_mapping({spec!r}, "hf.yaml")
print(spec.curves[0].scheduler.family)
print([str(w) for w in spec.warnings])
print(lrplot.simulate(spec).lr[0].tolist())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    family, warned, lrs = done.stdout.splitlines()
    assert family == "recipe"
    assert "transformers is not installed, so lrplot draws its own recipe" in warned
    real = lrplot.simulate(lrplot.spec_from_mapping(spec)).lr[0].tolist()  # get_scheduler's
    assert [float(v) for v in lrs.strip("[]").split(", ")] == pytest.approx(real, rel=1e-12)
