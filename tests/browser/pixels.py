"""Colours as the browser rendered them: Playwright's PNG screenshots read with Pillow,
and WCAG contrast ratios between colours.

A screenshot's pixels are the colours on screen, which computed styles cannot give for a
native checkbox or radio button.
"""

from __future__ import annotations

import io

from PIL import Image

RGB = tuple[int, int, int]


def decode_png(data: bytes) -> list[list[RGB]]:
    """The rows of pixels of a PNG image, as (red, green, blue)."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    width, height = image.size
    raw = image.tobytes()  # three bytes a pixel, row after row
    return [
        [(raw[i], raw[i + 1], raw[i + 2]) for i in range(y * width * 3, (y + 1) * width * 3, 3)]
        for y in range(height)
    ]


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
