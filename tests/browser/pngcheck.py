"""Reading the pixels of a PNG screenshot without an imaging library (zlib and the five PNG
row filters), enough to tell a blank picture from one with drawn text."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        yield kind, data[position + 8 : position + 8 + length]
        position += 12 + length


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def grey_rows(data: bytes) -> list[list[int]]:
    """The picture as rows of grey values 0-255 (8-bit RGB or RGBA, not interlaced)."""
    width = height = 0
    channels = 0
    compressed = b""
    for chunk, body in _chunks(data):
        if chunk == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "only 8-bit, non-interlaced PNGs"
            channels = {2: 3, 6: 4}[colour]
        elif chunk == b"IDAT":
            compressed += body
    raw = zlib.decompress(compressed)
    stride = width * channels
    rows: list[list[int]] = []
    previous = bytearray(stride)
    position = 0
    for _row in range(height):
        kind: int = raw[position]
        line = bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, up_left)) & 0xFF
        rows.append(
            [
                (line[x] * 299 + line[x + 1] * 587 + line[x + 2] * 114) // 1000
                for x in range(0, stride, channels)
            ]
        )
        previous = line
    return rows


def dark_share(data: bytes, threshold: int = 128) -> float:
    """The share of pixels darker than ``threshold`` (0 for a blank white picture)."""
    rows = grey_rows(data)
    total = sum(len(row) for row in rows)
    dark = sum(1 for row in rows for value in row if value < threshold)
    return dark / total if total else 0.0
