"""TensorBoard event files, read with the standard library (no tensorboard, no protobuf).

A file is a sequence of TFRecords: ``uint64 length | uint32 masked CRC | data | uint32 masked
CRC``, each data blob an ``Event`` proto: ``wall_time`` (1, double), ``step`` (2, varint),
``summary`` (5) with repeated ``value`` (1): ``tag`` (1), ``simple_value`` (2, float32) or
``tensor`` (8, a TensorProto: ``dtype`` 1, ``tensor_content`` 4, ``float_val`` 5,
``double_val`` 6, ``int_val`` 7, ``int64_val`` 10, ``half_val`` 13).

``torch.utils.tensorboard.SummaryWriter.add_scalar`` writes ``simple_value`` (float32): the
value read back is the float32 rounding of the lr logged. ``new_style=True`` writes a float32
tensor, and only ``new_style=True, double_precision=True`` a float64 one.

Two paths: :func:`fast_scalars` finds torch's usual ``simple_value`` events of one tag with one
regular expression over the file (about a second per million points), and proves it found them
all by counting the tag's occurrences; otherwise :func:`scalars` walks every record. A truncated
last record (a writer still running) ends the file, as TensorBoard reads it. CRCs are not
checked: a corrupt record is far less likely than a live one.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_LENGTH = struct.Struct("<Q").unpack_from
_FLOAT = struct.Struct("<f").unpack_from
_DOUBLE = struct.Struct("<d").unpack_from
# TensorProto dtypes: DT_FLOAT 1, DT_DOUBLE 2, DT_INT32 3, DT_INT64 9, DT_HALF 19
_CONTENT = {1: ("<f", True), 2: ("<d", False), 3: ("<i", False), 9: ("<q", False), 19: ("<e", True)}


class BadEvents(ValueError):
    """Bytes that are not TensorBoard records."""


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def looks_like_events(head: bytes) -> bool:
    """True when ``head`` starts like a TFRecord whose data is an Event (wall_time first)."""
    if len(head) < 13:
        return False
    (length,) = _LENGTH(head, 0)
    return 0 < length < 1 << 24 and head[12] in (0x09, 0x10, 0x1A, 0x2A)


def records(buf: bytes) -> Iterator[bytes]:
    pos, size = 0, len(buf)
    while pos + 12 <= size:
        (length,) = _LENGTH(buf, pos)
        end = pos + 12 + length + 4
        if end > size:
            return  # a record still being written
        yield buf[pos + 12 : end - 4]
        pos = end


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, i
        shift += 7


def _skip(data: bytes, i: int, wire: int) -> int:
    if wire == 0:
        return _read_varint(data, i)[1]
    if wire == 1:
        return i + 8
    if wire == 2:
        length, i = _read_varint(data, i)
        return i + length
    if wire == 5:
        return i + 4
    raise BadEvents(f"unsupported protobuf wire type {wire}")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _tensor(data: bytes) -> tuple[float, bool] | None:
    """The first number of a TensorProto, and whether it was stored as float32 (or half)."""
    dtype, content, i = 0, b"", 0
    while i < len(data):
        key, i = _read_varint(data, i)
        field, wire = key >> 3, key & 7
        if field == 1 and wire == 0:
            dtype, i = _read_varint(data, i)
        elif field == 4 and wire == 2:
            length, i = _read_varint(data, i)
            content, i = data[i : i + length], i + length
        elif field in (5, 6):  # float_val, double_val: packed (wire 2, a length first) or not
            if wire == 2:
                i = _read_varint(data, i)[1]
            return float((_FLOAT if field == 5 else _DOUBLE)(data, i)[0]), field == 5
        elif field in (7, 10, 13):  # int_val, int64_val, half_val: varints
            if wire == 2:
                i = _read_varint(data, i)[1]
            raw, i = _read_varint(data, i)
            if field == 13:
                return float(struct.unpack("<e", struct.pack("<H", raw & 0xFFFF))[0]), True
            return float(_signed(raw)), False
        else:
            i = _skip(data, i, wire)
    if content and dtype in _CONTENT:
        fmt, narrow = _CONTENT[dtype]
        return float(struct.unpack_from(fmt, content, 0)[0]), narrow
    return None


def _values(summary: bytes) -> Iterator[tuple[str, float, bool]]:
    """(tag, value, float32?) for each scalar of a Summary."""
    i = 0
    while i < len(summary):
        key, i = _read_varint(summary, i)
        if key != 0x0A:
            i = _skip(summary, i, key & 7)
            continue
        length, i = _read_varint(summary, i)
        end, tag, found = i + length, None, None
        while i < end:
            key, i = _read_varint(summary, i)
            if key == 0x0A:
                size, i = _read_varint(summary, i)
                tag, i = summary[i : i + size].decode("utf-8", "replace"), i + size
            elif key == 0x15:
                found, i = (float(_FLOAT(summary, i)[0]), True), i + 4
            elif key == 0x42:
                size, i = _read_varint(summary, i)
                found, i = _tensor(summary[i : i + size]), i + size
            else:
                i = _skip(summary, i, key & 7)
        if tag is not None and found is not None:
            yield tag, found[0], found[1]


def scalars(buf: bytes, limit: int | None = None) -> Iterator[tuple[str, int, float, bool]]:
    """(tag, step, value, float32?) for every scalar, in file order; ``limit`` records at most."""
    for n, event in enumerate(records(buf)):
        if limit is not None and n >= limit:
            return
        step, summary, i = 0, None, 0
        try:
            while i < len(event):
                key = event[i]
                if key == 0x10:
                    raw, i = _read_varint(event, i + 1)
                    step = _signed(raw)
                elif key == 0x2A:
                    length, i = _read_varint(event, i + 1)
                    summary, i = event[i : i + length], i + length
                else:
                    key, i = _read_varint(event, i)
                    i = _skip(event, i, key & 7)
            if summary is not None:
                for tag, value, narrow in _values(summary):
                    yield tag, step, value, narrow
        except (IndexError, struct.error):
            raise BadEvents(f"record {n} is not a TensorBoard event") from None


def fast_scalars(buf: bytes, tag: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Steps and float32 values of ``tag``'s ``simple_value`` events, found by pattern; None
    when some event of the tag has another layout (then :func:`scalars` reads it)."""
    import numpy as np

    name = tag.encode()
    if len(name) > 127:
        return None
    head = b"\x0a" + varint(len(name)) + name
    if buf.count(head + b"\x42"):  # tensor-style scalars of this tag
        return None
    expected = buf.count(head + b"\x15")
    # Event: wall_time (09 + 8 bytes), step (10 + varint; absent when 0, proto3's default),
    # summary (2a len) > value (0a len) > tag (0a len name), simple_value (15 + 4 bytes; in a
    # oneof, so written even when 0.0). torch writes exactly this.
    pattern = re.compile(
        rb"\x09.{8}(?:\x10([\x80-\xff]{0,9}[\x00-\x7f]))?\x2a[\x00-\x7f]\x0a[\x00-\x7f]"
        + re.escape(head)
        + rb"\x15(.{4})",
        re.DOTALL,
    )
    found = pattern.findall(buf)
    if len(found) != expected:
        return None
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    steps = _decode_varints([item[0] for item in found])
    if steps is None:
        return None
    values = np.frombuffer(b"".join(item[1] for item in found), dtype="<f4").astype(np.float64)
    return steps, values


def _decode_varints(items: list[bytes]) -> np.ndarray | None:
    """Decode many varints at once; None if one needs more than 63 bits."""
    import numpy as np

    lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    if lengths.max() > 9:
        return None
    if lengths.min() == 0:  # step 0 is not written at all
        items = [item or b"\x00" for item in items]
        lengths = np.maximum(lengths, 1)
    raw = np.frombuffer(b"".join(items), dtype=np.uint8).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    steps = np.zeros(len(items), dtype=np.int64)
    for j in range(int(lengths.max())):
        has = lengths > j
        steps[has] |= (raw[starts[has] + j] & 0x7F) << (7 * j)
    return steps
