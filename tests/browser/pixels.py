"""Colours as the browser rendered them: Playwright's PNG screenshots decoded, and WCAG
contrast ratios between colours.

Only what Chromium writes is read: 8-bit RGB or RGBA, not interlaced, any of the five
row filters. A screenshot's pixels are the colours on screen, which computed styles cannot
give for a native checkbox or radio button.
"""

from __future__ import annotations

import struct
import zlib

RGB = tuple[int, int, int]


def decode_png(data: bytes) -> list[list[RGB]]:
    """The rows of pixels of a PNG image, as (red, green, blue)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG image"
    chunks: dict[bytes, bytes] = {}
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks[kind] = chunks.get(kind, b"") + data[position + 8 : position + 8 + length]
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and colour in (2, 6) and not interlace, "an unexpected PNG layout"
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * step
    rows: list[list[RGB]] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, step)
        rows.append([(row[x], row[x + 1], row[x + 2]) for x in range(0, stride, step)])
        previous = row
    return rows


def _unfilter(kind: int, row: bytearray, above: bytearray, step: int) -> bytearray:
    for i in range(len(row)):
        left = row[i - step] if i >= step else 0
        up = above[i]
        corner = above[i - step] if i >= step else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            estimate = left + up - corner
            near = min((abs(estimate - v), n) for n, v in enumerate((left, up, corner)))[1]
            row[i] = (row[i] + (left, up, corner)[near]) & 0xFF
    return row


def luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: RGB, other: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def hex_of(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)
