"""What an uploaded file really is, read from its bytes alone, and whether it is one whole
image and nothing more.

Pure: no Pillow, no disk. The name a browser sends and the type it claims are the
uploader's to choose, so they are never asked. The structure of a PNG, JPEG or WebP is
walked (chunk by chunk, marker by marker) without decompressing anything, which gives
the size in pixels before a decoder sees the file (a decompression bomb is refused on
its header) and where the image ends (anything after it makes a polyglot: a PNG that is
also a zip or a web page).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass

PNG, JPEG, WEBP = "png", "jpeg", "webp"
"""The kinds of image taken as evidence."""

DAMAGED, TRAILING = "damaged", "trailing"
"""Why a file of a taken kind is refused: its structure does not hold; bytes follow its end."""


@dataclass(frozen=True)
class Layout:
    """An image's size in pixels and the offset just past its last byte."""

    width: int
    height: int
    end: int
    listed: bool = False  # a JPEG whose MPF segment lists more pictures after this one


@dataclass(frozen=True)
class Broken:
    """Why the walk through a file stopped: `DAMAGED` or `TRAILING`."""

    code: str


Walk = Callable[[bytes], Layout | Broken]


def _png(data: bytes) -> Layout | Broken:
    """Chunks from the signature to IEND; the size from IHDR, which must come first."""
    at, size = 8, None
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if len(body) < length or (size is None and kind != b"IHDR"):
            return Broken(DAMAGED)
        if kind == b"IHDR":
            if length != 13:
                return Broken(DAMAGED)
            size = struct.unpack(">II", body[:8])
        at += 12 + length
        if kind == b"IEND" and size is not None:
            return Layout(size[0], size[1], at)
    return Broken(DAMAGED)


_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0–7 carry no length
_FRAMES = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # SOFn; DHT, JPG and DAC are not frames
_SOS, _EOI, _APP2 = 0xDA, 0xD9, 0xE2


def _jpeg(data: bytes) -> Layout | Broken:
    """Markers from SOI to EOI, stepping over each segment by its length and over the
    entropy-coded data after each SOS (where 0xFF is followed by 0x00 or a restart)."""
    at, size, listed = 2, None, False
    while at + 1 < len(data):
        if data[at] != 0xFF:
            return Broken(DAMAGED)
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == _EOI:
            return Layout(size[1], size[0], at + 2, listed) if size else Broken(DAMAGED)
        if marker in _STANDALONE:
            at += 2
            continue
        if at + 4 > len(data):
            return Broken(DAMAGED)
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2 or at + 2 + length > len(data):
            return Broken(DAMAGED)
        if marker in _FRAMES and length >= 7:
            size = struct.unpack(">HH", data[at + 5 : at + 9])  # height, width
        listed = listed or (marker == _APP2 and data[at + 4 : at + 8] == b"MPF\x00")
        at += 2 + length
        if marker == _SOS:
            at = _after_scan(data, at)
    return Broken(DAMAGED)


def _after_scan(data: bytes, at: int) -> int:
    """The offset of the first marker after entropy-coded data starting at `at`."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return len(data)
        follower = data[at + 1]
        if follower != 0x00 and not 0xD0 <= follower <= 0xD7:
            return at
        at += 2


def _webp(data: bytes) -> Layout | Broken:
    """The RIFF container's own length, and the canvas size from its first chunk (VP8X,
    VP8L or VP8)."""
    (riff,) = struct.unpack("<I", data[4:8])
    end = 8 + riff + (riff & 1)
    if riff < 4 or end > len(data) or len(data) < 30:
        return Broken(DAMAGED)
    size = _webp_size(data[12:16], data[20:30])
    return Layout(size[0], size[1], end) if size else Broken(DAMAGED)


def _webp_size(chunk: bytes, head: bytes) -> tuple[int, int] | None:
    if chunk == b"VP8X":
        width = int.from_bytes(head[4:7], "little") + 1
        return width, int.from_bytes(head[7:10], "little") + 1
    if chunk == b"VP8L" and head[0] == 0x2F:
        bits = int.from_bytes(head[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and head[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[6:10])
        return width & 0x3FFF, height & 0x3FFF
    return None


WALKS: Mapping[str, Walk] = {PNG: _png, JPEG: _jpeg, WEBP: _webp}
"""How each taken kind of image is walked."""


@dataclass(frozen=True)
class Signature:
    kind: str
    matches: Callable[[bytes], bool]


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _text_holding(*marks: bytes) -> Callable[[bytes], bool]:
    """A text file (after a byte-order mark and white space) that holds one of `marks`
    near its start, in any case."""

    def matches(head: bytes) -> bool:
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
        return text.startswith(b"<") and any(mark in text[:1024] for mark in marks)

    return matches


def _ftyp(*brands: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[4:8] == b"ftyp" and head[8:12] in brands


SIGNATURES: tuple[Signature, ...] = (
    Signature(PNG, _starts(b"\x89PNG\r\n\x1a\n")),
    Signature(JPEG, _starts(b"\xff\xd8\xff")),
    Signature(WEBP, lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    Signature("gif", _starts(b"GIF87a", b"GIF89a")),
    Signature("pdf", lambda head: b"%PDF-" in head[:1024]),  # readers allow junk before it
    Signature("zip", _starts(b"PK\x03\x04", b"PK\x05\x06")),
    Signature("gzip", _starts(b"\x1f\x8b")),
    Signature("heic", _ftyp(b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif")),
    Signature("video", _ftyp(b"isom", b"mp41", b"mp42", b"qt  ", b"M4V ")),
    Signature("tiff", _starts(b"II*\x00", b"MM\x00*")),
    Signature("bmp", _starts(b"BM")),
    Signature("svg", _text_holding(b"<svg")),
    Signature("html", _text_holding(b"<html", b"<!doctype html", b"<script", b"<body")),
    Signature("program", _starts(b"MZ", b"\x7fELF")),
)
"""Kinds told apart by their first bytes, images taken first. The others are named so
the refusal can say what the file really is."""


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, by their signature; None when unknown."""
    head = data[:2048]
    return next((s.kind for s in SIGNATURES if s.matches(head)), None)


def walk(kind: str, data: bytes) -> Layout | Broken:
    """The layout of an image of a taken kind; TRAILING when bytes other than zero padding
    follow its end (some encoders pad; nothing else belongs there). A JPEG that lists
    more pictures in its MPF segment (a phone's HDR gain map, a camera's preview) may be
    followed by whole JPEGs, and by nothing else."""
    found = WALKS[kind](data)
    if not isinstance(found, Layout):
        return found
    end = _listed_pictures(data, found.end) if found.listed else found.end
    return Broken(TRAILING) if data[end:].strip(b"\x00") else found


def _listed_pictures(data: bytes, at: int) -> int:
    """The end of the whole JPEGs that follow one another from `at`."""
    while data.startswith(b"\xff\xd8\xff", at):
        found = _jpeg(data[at:])
        if not isinstance(found, Layout):
            break
        at += found.end
    return at
