"""The lr a training run logged, read from the file its framework wrote.

:func:`read_log` detects the format from the content (``--format`` overrides it) and hands the
file to the reader of that format: :mod:`.csvlog` (plain CSV, Lightning ``metrics.csv``, W&B
export), :mod:`.hf` (``trainer_state.json``), :mod:`.tensorboard` (event files). Each reader
knows its framework's convention of *which* lr the entry at step s holds. :mod:`.compare` puts a
log beside the planned curve. Nothing here imports torch or reads the spec.
"""

from __future__ import annotations

from pathlib import Path

from lrplot.errors import close_match
from lrplot.runlog.files import LogError
from lrplot.runlog.model import FORMATS, HF_CONVENTIONS, LoggedLr, LogOptions

__all__ = ["FORMATS", "HF_CONVENTIONS", "LogError", "LogOptions", "LoggedLr", "detect", "read_log"]


def read_log(path: str | Path, options: LogOptions | None = None) -> LoggedLr:
    """The lr logged in ``path`` (a file, or a TensorBoard / HF output folder)."""
    from lrplot.runlog.csvlog import read_csv_log
    from lrplot.runlog.hf import read_hf
    from lrplot.runlog.tensorboard import read_tensorboard

    options = options or LogOptions()
    shown = str(path)
    path = Path(path)
    if options.format is not None and options.format not in FORMATS:
        raise LogError(
            f"--format: unknown log format {options.format!r} (formats: {', '.join(FORMATS)})",
            hint=close_match(options.format, FORMATS),
        )
    if options.hf_convention not in (None, *HF_CONVENTIONS):
        raise LogError(f"--hf-convention: must be 'old' or 'new', got {options.hf_convention!r}")
    fmt = options.format or detect(path, shown)
    if fmt == "tensorboard":
        return read_tensorboard(path, shown, options)
    if fmt == "hf":
        return read_hf(path, shown, options)
    if path.is_dir():
        path = _metrics_csv(path, shown)
        shown = str(path)
    return read_csv_log(path, shown, fmt, options)


def detect(path: Path, shown: str) -> str:
    """The format of a log, from what it holds."""
    from lrplot.runlog import tbevents
    from lrplot.runlog.csvlog import header_of, kind_of
    from lrplot.runlog.files import check_file

    if path.is_dir():
        if next(path.rglob("*tfevents*"), None) is not None:
            return "tensorboard"
        if (path / "trainer_state.json").is_file() or next(path.glob("checkpoint-*"), None):
            return "hf"
        if (path / "metrics.csv").is_file():
            return "lightning"
        raise LogError(
            f"{shown}: a folder without TensorBoard event files, trainer_state.json or "
            "metrics.csv; name the log file"
        )
    check_file(path, shown)
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise LogError(f"{shown}: cannot read: {exc.strerror}") from None
    if "tfevents" in path.name or tbevents.looks_like_events(head):
        return "tensorboard"
    text = head.decode("utf-8-sig", "replace")
    if text.lstrip().startswith("{"):
        return "hf"
    if not text.strip():
        raise LogError(f"{shown}: the file is empty")
    if "\0" in text:
        raise LogError(f"{shown}: a binary file that is not a TensorBoard event file")
    return kind_of(header_of(text))


def _metrics_csv(path: Path, shown: str) -> Path:
    found = path / "metrics.csv"
    if not found.is_file():
        raise LogError(f"{shown}: a folder without metrics.csv; name the log file")
    return found
