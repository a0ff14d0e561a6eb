"""Evidence files behind a test's checklist: screenshots and photos a tester uploads.

A file is taken only if its bytes are a PNG, JPEG or WebP (never trusting its name or
the type the browser claims), no larger than `MAX_BYTES`, no more than `MAX_PIXELS`
pixels by its header (checked before anything is decoded), and nothing but the image
(`image_files.walk`). It is then decoded and encoded again, turned upright by its EXIF
orientation and stripped of every piece of metadata (EXIF, GPS, ICC, text), so no
hidden payload or location survives. The stored file gets a random name in a folder
only the app's user can read, written atomically; the row keeps the sha-256 of the
bytes as uploaded and as stored and the server's time of receipt, which make the file
tamper-evident. The same upload behind another test is reported, so the page says so
and the quality rules flag it from the frozen paradata.

Refusals are codes (`Refused`), worded by the pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from sqlmodel import Session, col, select

from fieldwork import private
from fieldwork.accounts.models import StaffUser
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import image_files
from fieldwork.shadow.image_files import JPEG, PNG, WEBP
from fieldwork.shadow.models import LOGGING, PLANNED, Evidence, ShadowTest

MAX_BYTES = 10 * 1024 * 1024
"""The largest file taken: a phone's photo or a long screenshot fits with room to spare."""
MAX_PIXELS = 40_000_000
"""The most pixels taken (e.g. 8000 × 5000): a phone's photo at full resolution fits, and
decoding one takes at most ~160 MB. A header claiming more is refused before decoding."""
JPEG_QUALITY = 90

EMPTY, TOO_LARGE, UNKNOWN_TYPE, WRONG_TYPE = "empty", "too-large", "unknown-type", "wrong-type"
TOO_MANY_PIXELS, DAMAGED, TRAILING = "too-many-pixels", image_files.DAMAGED, image_files.TRAILING
ALREADY_HERE, UNKNOWN_ITEM, CLOSED, NOT_FOUND = (
    "already-here",
    "unknown-item",
    "closed",
    "not-found",
)
CODES = (
    EMPTY,
    TOO_LARGE,
    UNKNOWN_TYPE,
    WRONG_TYPE,
    TOO_MANY_PIXELS,
    DAMAGED,
    TRAILING,
    ALREADY_HERE,
    UNKNOWN_ITEM,
    CLOSED,
    NOT_FOUND,
)
"""Why a file is refused or cannot be removed; the pages word each one."""


@dataclass(frozen=True)
class Stored:
    """How each taken kind is stored: its media type, name suffix and Pillow writer."""

    media_type: str
    suffix: str
    format: str
    modes: tuple[str, ...]  # modes written as they are; others become RGB(A)
    options: tuple[tuple[str, object], ...] = ()


STORED = {
    PNG: Stored(
        "image/png",
        ".png",
        "PNG",
        ("1", "L", "LA", "RGB", "RGBA"),
        (("compress_level", 6),),
    ),
    JPEG: Stored("image/jpeg", ".jpg", "JPEG", ("L", "RGB"), (("quality", JPEG_QUALITY),)),
    WEBP: Stored("image/webp", ".webp", "WEBP", ("RGB", "RGBA"), (("quality", JPEG_QUALITY),)),
}
"""Each kind stays its kind: a screenshot stays lossless, a photo stays a photo."""


@dataclass(frozen=True)
class Refused:
    """Why a file was not taken; `kind` is what it really is, when known (pdf, svg…)."""

    code: str
    kind: str | None = None


@dataclass(frozen=True)
class Accepted:
    """The stored evidence, and the other tests the same upload is behind already."""

    evidence: Evidence
    elsewhere: tuple[int, ...]


@dataclass(frozen=True)
class Clean:
    """A re-encoded image, ready to store."""

    data: bytes
    media_type: str
    suffix: str
    width: int
    height: int


def path_of(folder: str | Path, evidence: Evidence) -> Path:
    """Where an evidence row's file is: its stored name in the evidence folder."""
    return Path(folder) / evidence.stored_name


def accept(
    session: Session,
    test: ShadowTest,
    definition: ShadowDefinition,
    item: str | None,
    data: bytes,
    uploader: StaffUser,
    folder: str | Path,
    now: dt.datetime,
) -> Accepted | Refused:
    """Check, clean and store one upload as evidence of a test (behind `item`, a checklist
    item's code, or none). Commits."""
    if test.state not in (PLANNED, LOGGING):
        return Refused(CLOSED)
    if item is not None and item not in {i.code for i in definition.items}:
        return Refused(UNKNOWN_ITEM)
    cleaned = clean(data)
    if isinstance(cleaned, Refused):
        return cleaned
    original = hashlib.sha256(data).hexdigest()
    if _behind(session, original, test, same=True):
        return Refused(ALREADY_HERE)
    assert uploader.id is not None and test.id is not None
    row = Evidence(
        test_id=test.id,
        item=item,
        stored_name=secrets.token_urlsafe(24) + cleaned.suffix,
        media_type=cleaned.media_type,
        original_sha256=original,
        sha256=hashlib.sha256(cleaned.data).hexdigest(),
        size=len(cleaned.data),
        width=cleaned.width,
        height=cleaned.height,
        uploaded_by=uploader.id,
        received_at=now,
    )
    _store(session, row, cleaned.data, Path(folder))
    return Accepted(row, _behind(session, original, test, same=False))


def clean(data: bytes) -> Clean | Refused:
    """The upload as a fresh image file of its own kind with no metadata, or why not.
    Size, type, pixel count and structure are checked before any decoding."""
    if not data:
        return Refused(EMPTY)
    if len(data) > MAX_BYTES:
        return Refused(TOO_LARGE)
    kind = image_files.sniff(data)
    if kind is None:
        return Refused(UNKNOWN_TYPE)
    if kind not in STORED:
        return Refused(WRONG_TYPE, kind)
    layout = image_files.walk(kind, data)
    if isinstance(layout, image_files.Broken):
        return Refused(layout.code, kind)
    if layout.width * layout.height > MAX_PIXELS:
        return Refused(TOO_MANY_PIXELS, kind)
    return _reencode(kind, data, layout)


UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
"""What Pillow raises on a file it cannot decode (UnidentifiedImageError is an OSError)."""


def _reencode(kind: str, data: bytes, layout: image_files.Layout) -> Clean | Refused:
    stored = STORED[kind]
    try:
        with Image.open(io.BytesIO(data), formats=[stored.format]) as opened:
            if opened.size != (layout.width, layout.height):
                return Refused(DAMAGED, kind)
            opened.load()
            upright = ImageOps.exif_transpose(opened)
        fresh = _bare(upright, stored.modes)
        out = io.BytesIO()
        fresh.save(out, stored.format, **dict(stored.options))
    except UNREADABLE:
        return Refused(DAMAGED, kind)
    return Clean(out.getvalue(), stored.media_type, stored.suffix, fresh.width, fresh.height)


def _bare(image: Image.Image, modes: Sequence[str]) -> Image.Image:
    """The pixels alone: a mode the writer takes, and no info (EXIF, ICC, text, XMP) for
    it to copy into the file."""
    if image.mode not in modes:
        alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if alpha and "RGBA" in modes else "RGB")
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    fresh.info = {}
    return fresh


def _store(session: Session, row: Evidence, data: bytes, folder: Path) -> None:
    """Write the file under its random name (a temporary name first, then renamed, so a
    half-written file never bears it), then insert its row; if the insert fails, the
    file goes."""
    private.folder(folder)
    final = path_of(folder, row)
    part = folder / f".{row.stored_name}.part"
    handle = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    try:
        session.add(row)
        session.commit()
    except BaseException:
        session.rollback()
        final.unlink(missing_ok=True)
        raise
    session.refresh(row)


def _behind(session: Session, original: str, test: ShadowTest, *, same: bool) -> tuple[int, ...]:
    """The tests (this one, or the others) the same upload is attached to."""
    here = col(Evidence.test_id) == test.id
    query = select(Evidence.test_id).where(
        col(Evidence.original_sha256) == original,
        col(Evidence.removed_at).is_(None),
        here if same else ~here,
    )
    return tuple(sorted(set(session.exec(query))))


def remove(
    session: Session, test: ShadowTest, evidence_id: int, now: dt.datetime
) -> Evidence | Refused:
    """Take a file off a test before it is submitted: the row is marked, the file kept
    (what was uploaded stays on record). Commits."""
    if test.state not in (PLANNED, LOGGING):
        return Refused(CLOSED)
    row = session.get(Evidence, evidence_id)
    if row is None or row.test_id != test.id or row.removed_at is not None:
        return Refused(NOT_FOUND)
    row.removed_at = now
    session.add(row)
    session.commit()
    return row


def elsewhere(session: Session, test: ShadowTest, rows: Sequence[Evidence]) -> dict[int, int]:
    """For each of a test's files also attached to other tests, how many: by row id."""
    originals = {r.original_sha256 for r in rows}
    if not originals:
        return {}
    query = select(Evidence.original_sha256, Evidence.test_id).where(
        col(Evidence.original_sha256).in_(originals),
        col(Evidence.removed_at).is_(None),
        col(Evidence.test_id) != test.id,
    )
    others: dict[str, set[int]] = {}
    for original, test_id in session.exec(query):
        others.setdefault(original, set()).add(test_id)
    return {
        r.id: len(others[r.original_sha256])
        for r in rows
        if r.id is not None and r.original_sha256 in others
    }
