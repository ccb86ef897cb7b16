"""check-log of a long TensorBoard log against simulating its spec: the ratio issue 18 asks
about (check-log of a 1M-point TensorBoard log within 2x of simulating the spec).

    .venv/bin/python bench/checklog.py [--points 1000000] [--repeats 3]

The log is written here in torch's exact byte layout (the records SummaryWriter.add_scalar
writes, CRCs included) by a vectorised writer, because SummaryWriter itself needs minutes for a
million points. Both sides run as fresh processes and pay the same imports. Not a test: a busy
machine changes the numbers, never an exit code.
"""

from __future__ import annotations

import argparse
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BIN = Path(sys.executable).parent
_POLY = 0x82F63B78
_TABLE = np.array(
    [
        (lambda c: [c := (c >> 1) ^ _POLY if c & 1 else c >> 1 for _ in range(8)][-1])(i)
        for i in range(256)
    ],
    dtype=np.uint32,
)


def masked_crc32c(rows: np.ndarray) -> np.ndarray:
    """CRC-32C of each row of a uint8 matrix (one record per row), masked as TFRecord does."""
    crc = np.full(rows.shape[0], 0xFFFFFFFF, dtype=np.uint32)
    for j in range(rows.shape[1]):
        crc = _TABLE[(crc ^ rows[:, j]) & 0xFF] ^ (crc >> 8)
    crc ^= np.uint32(0xFFFFFFFF)
    rotated = ((crc >> 15) | (crc << 17)).astype(np.uint64)
    return ((rotated + 0xA282EAD8) & 0xFFFFFFFF).astype(np.uint32)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | 0x80 if value else low)
        if not value:
            return bytes(out)


def records(steps: np.ndarray, values: np.ndarray) -> bytes:
    """The TFRecords of ``add_scalar("lr", value, step)`` for every point, in step order.
    Records of one length are framed together, so their CRCs are computed as one vector."""
    groups: dict[int, list[int]] = {}
    for i, step in enumerate(steps.tolist()):
        groups.setdefault(len(_varint(step)) if step else 0, []).append(i)  # step 0: not written
    framed_by_index: dict[int, bytes] = {}
    for members in groups.values():
        rows = []
        for i in members:
            step = int(steps[i])
            value = b"\x0a\x02lr\x15" + struct.pack("<f", values[i])
            summary = b"\x0a" + bytes([len(value)]) + value
            step_field = b"\x10" + _varint(step) if step else b""
            rows.append(
                b"\x09" + struct.pack("<d", 1.7e9 + i) + step_field + b"\x2a"
                + bytes([len(summary)]) + summary
            )  # fmt: skip
        data = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), -1)
        length = np.frombuffer(struct.pack("<Q", data.shape[1]) * len(rows), dtype=np.uint8)
        length = length.reshape(len(rows), 8)
        framed = np.concatenate(
            [length, masked_crc32c(length).view(np.uint8).reshape(-1, 4), data,
             masked_crc32c(data).view(np.uint8).reshape(-1, 4)], axis=1
        )  # fmt: skip
        framed_by_index.update(zip(members, (row.tobytes() for row in framed), strict=True))
    return b"".join(framed_by_index[i] for i in range(len(steps)))


def timed(argv: list[str], expect: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        sys.exit(f"{argv}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import lrplot

    with tempfile.TemporaryDirectory(prefix="lrplot-bench-") as folder:
        work = Path(folder)
        spec = work / "spec.yaml"
        spec.write_text(
            f"epochs: {args.points}\ninterval: step\noptimizer: {{lr: 0.1}}\n"
            f"scheduler: {{type: cosine, T_max: {args.points}}}\n"
        )
        plan = lrplot.simulate(lrplot.load_spec(spec)).lr[0]
        steps = np.arange(args.points, dtype=np.int64)
        start = time.perf_counter()
        log = work / "events.out.tfevents.1700000000.bench.1.0"
        log.write_bytes(records(steps, plan))
        print(f"wrote {args.points:,} points ({log.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        check = [str(BIN / "lrplot"), "check-log", str(spec), str(log)]
        simulate = [sys.executable, "-c",
                    f"import lrplot; lrplot.simulate(lrplot.load_spec({str(spec)!r}))"]  # fmt: skip
        a, b = [], []
        for _ in range(args.repeats):
            a.append(timed(check, 0))
            b.append(timed(simulate, 0))
        ratio = statistics.median(a) / statistics.median(b)
        print(f"check-log: {statistics.median(a):.2f} s, simulate the spec: "
              f"{statistics.median(b):.2f} s (medians of {args.repeats}); ratio {ratio:.2f}x "
              "(issue 18's target: <= 2x)")  # fmt: skip


if __name__ == "__main__":
    main()
