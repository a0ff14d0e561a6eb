"""Evidence files: what is taken (a PNG, JPEG or WebP, re-encoded bare, under a random
name, in a folder only the app reads), what is refused and why (every hostile file the
issue names, built here in memory), and the same file behind two tests."""

from __future__ import annotations

import datetime as dt
import io
import stat
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import evidence
from fieldwork.shadow.models import SUBMITTED, Evidence, ShadowTest
from tests.shadow.plans import person

NOW = dt.datetime(2026, 11, 3, 13, 0, tzinfo=dt.UTC)


def png(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone photo: EXIF with the camera, the GPS position and a sideways orientation."""
    image = Image.new("RGB", (60, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 9.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=b"\x00" * 128, comment=b"secret")
    return out.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 20000) -> bytes:
    """A one-colour side × side PNG (400 million pixels): tens of kilobytes on disk."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)  # bit depth 1: a filter byte, then the row's bits
    body = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def huge_png(megabytes: int = 50) -> bytes:
    """A real PNG of noise, `megabytes` large: stored (not compressed) so it builds fast."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    rows = bytes(range(256)) * (side * 3 // 256 + 1)
    row = b"\x00" + rows[: side * 3]
    body = zlib.compress(row * side, 0)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


ZIP = b"PK\x03\x04" + b"\x14\x00" + b"\x00" * 24 + b"evil.html<script>alert(1)</script>"
HOSTILE = {
    "png with a zip after it": (png() + ZIP, evidence.TRAILING, "png"),
    "png with html after it": (
        png() + b"<html><script>alert(1)</script>",
        evidence.TRAILING,
        "png",
    ),
    "svg with a script": (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
        b"</script></svg>",
        evidence.WRONG_TYPE,
        "svg",
    ),
    "pdf named .jpg": (
        b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        evidence.WRONG_TYPE,
        "pdf",
    ),
    "html page": (b"<!DOCTYPE html><html><body>hi</body></html>", evidence.WRONG_TYPE, "html"),
    "zip archive": (ZIP, evidence.WRONG_TYPE, "zip"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", evidence.WRONG_TYPE, "gif"),
    "text": (b"just some words", evidence.UNKNOWN_TYPE, None),
    "a cut-off png": (png()[:60], evidence.DAMAGED, "png"),
    "nothing": (b"", evidence.EMPTY, None),
}


@pytest.fixture
def accept(
    session: Session, covert: ShadowDefinition, tmp_path: Path
) -> Callable[..., evidence.Accepted | evidence.Refused]:
    """Upload bytes as tester.li to a test (or a new one), into this test's own folder."""

    def upload(
        data: bytes, test: ShadowTest, item: str | None = "policy"
    ) -> evidence.Accepted | evidence.Refused:
        tester = person(session, "tester.li")
        return evidence.accept(
            session, test, covert, item, data, tester, tmp_path / "evidence", NOW
        )

    return upload


def stored_files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_with_what_it_really_is_and_nothing_is_stored(
    name: str, accept: Callable[..., object], planned: Callable[..., ShadowTest], tmp_path: Path
) -> None:
    data, code, kind = HOSTILE[name]
    assert accept(data, planned()) == evidence.Refused(code, kind)
    assert stored_files(tmp_path / "evidence") == []


def test_a_50_mb_image_is_refused_by_its_size(
    accept: Callable[..., object], planned: Callable[..., ShadowTest]
) -> None:
    data = huge_png(50)
    assert len(data) > 50 * 1024 * 1024 - 1024 * 1024
    assert accept(data, planned()) == evidence.Refused(evidence.TOO_LARGE)


def test_a_zip_bomb_png_is_refused_by_its_header_fast_and_without_decoding(
    accept: Callable[..., object], planned: Callable[..., ShadowTest]
) -> None:
    bomb, test = png_bomb(), planned()
    assert len(bomb) < 200_000  # tiny on disk; 400 million pixels decoded
    tracemalloc.start()
    began = time.perf_counter()
    try:
        found = accept(bomb, test)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == evidence.Refused(evidence.TOO_MANY_PIXELS, "png")
    assert time.perf_counter() - began < 1.0
    assert peak < 5 * 1024 * 1024  # decoding it would take 50 MB at one bit a pixel


def test_exif_gps_and_icc_are_gone_and_the_photo_is_turned_upright(
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
    tmp_path: Path,
) -> None:
    upload = jpeg_with_gps()
    with Image.open(io.BytesIO(upload)) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the upload does carry a position
    found = accept(upload, planned())
    assert isinstance(found, evidence.Accepted)
    row = found.evidence
    kept = evidence.path_of(tmp_path / "evidence", row).read_bytes()
    with Image.open(io.BytesIO(kept)) as stored:
        assert stored.format == "JPEG" and row.media_type == "image/jpeg"
        assert dict(stored.getexif()) == {} and not stored.getexif().get_ifd(0x8825)
        assert "icc_profile" not in stored.info and "exif" not in stored.info
        assert "comment" not in stored.info
        assert stored.size == (20, 60) == (row.width, row.height)  # orientation applied
    assert b"PhoneMaker" not in kept and b"secret" not in kept


def test_a_png_stays_a_png_with_what_proves_it_kept(
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
    tmp_path: Path,
) -> None:
    import hashlib

    upload = png()
    found = accept(upload, planned())
    assert isinstance(found, evidence.Accepted) and found.elsewhere == ()
    row = found.evidence
    kept = evidence.path_of(tmp_path / "evidence", row).read_bytes()
    assert row.original_sha256 == hashlib.sha256(upload).hexdigest()
    assert row.sha256 == hashlib.sha256(kept).hexdigest() and row.size == len(kept)
    assert (row.media_type, row.width, row.height, row.item) == ("image/png", 40, 30, "policy")
    assert row.received_at.replace(tzinfo=dt.UTC) == NOW


def test_stored_names_are_random_and_files_readable_by_the_app_alone(
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
    tmp_path: Path,
) -> None:
    test = planned()
    rows = []
    for colour in ((1, 2, 3), (4, 5, 6)):
        found = accept(png(colour=colour), test)
        assert isinstance(found, evidence.Accepted)
        rows.append(found.evidence)
    folder = tmp_path / "evidence"
    names = [r.stored_name for r in rows]
    assert len(set(names)) == 2 and all(len(n) >= 32 for n in names)
    assert [p.name for p in stored_files(folder)] == sorted(names)  # no temporary left
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}


def test_the_same_file_on_two_tests_is_flagged(
    session: Session,
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
) -> None:
    first, second = planned(), planned(slot="weekend_morning")
    upload = png()
    assert isinstance(accept(upload, first), evidence.Accepted)
    again = accept(upload, second)
    assert isinstance(again, evidence.Accepted) and again.elsewhere == (first.id,)
    assert evidence.elsewhere(session, second, [again.evidence]) == {again.evidence.id: 1}
    assert accept(upload, second) == evidence.Refused(evidence.ALREADY_HERE)


def test_a_removed_file_is_kept_on_disk_but_no_longer_attached(
    session: Session,
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
    tmp_path: Path,
) -> None:
    test = planned()
    found = accept(png(), test)
    assert isinstance(found, evidence.Accepted)
    gone = evidence.remove(session, test, found.evidence.id or 0, NOW)
    assert isinstance(gone, Evidence) and gone.removed_at is not None
    assert evidence.path_of(tmp_path / "evidence", gone).exists()
    assert evidence.remove(session, test, gone.id or 0, NOW) == evidence.Refused(evidence.NOT_FOUND)
    assert isinstance(accept(png(), test), evidence.Accepted)  # may be attached again


def test_a_submitted_test_takes_no_file_and_loses_none(
    session: Session,
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned()
    found = accept(png(), test)
    assert isinstance(found, evidence.Accepted)
    test.state = SUBMITTED
    session.add(test)
    session.commit()
    assert accept(png(colour=(9, 9, 9)), test) == evidence.Refused(evidence.CLOSED)
    assert evidence.remove(session, test, found.evidence.id or 0, NOW) == evidence.Refused(
        evidence.CLOSED
    )


def test_an_item_not_on_the_checklist_is_refused(
    accept: Callable[..., object], planned: Callable[..., ShadowTest]
) -> None:
    assert accept(png(), planned(), item="../../etc") == evidence.Refused(evidence.UNKNOWN_ITEM)


def test_a_failed_insert_leaves_no_file(
    session: Session,
    covert: ShadowDefinition,
    planned: Callable[..., ShadowTest],
    tmp_path: Path,
) -> None:
    test = planned()
    stranger = person(session, "tester.li").model_copy(update={"id": 999_999})  # no such user
    folder = tmp_path / "evidence"
    with pytest.raises(IntegrityError):
        evidence.accept(session, test, covert, None, png(), stranger, folder, NOW)
    assert stored_files(folder) == []


@pytest.mark.parametrize("kind", ["webp", "jpeg-cmyk", "png-palette"])
def test_other_everyday_images_are_taken(
    kind: str, accept: Callable[..., object], planned: Callable[..., ShadowTest]
) -> None:
    out = io.BytesIO()
    if kind == "webp":
        Image.new("RGB", (30, 30), (1, 2, 3)).save(out, "WEBP")
    elif kind == "jpeg-cmyk":
        Image.new("CMYK", (30, 30), (1, 2, 3, 4)).save(out, "JPEG")
    else:
        Image.new("P", (30, 30), 3).save(out, "PNG", transparency=3)
    assert isinstance(accept(out.getvalue(), planned()), evidence.Accepted)


def multi_picture(after: bytes = b"") -> bytes:
    """A JPEG listing a second picture in its MPF segment, as phones store an HDR gain map."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), (1, 2, 3)), Image.new("RGB", (20, 15), (9, 9, 9))
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue() + after


def test_a_phone_photo_with_its_listed_gain_map_is_taken_and_stored_as_one_picture(
    accept: Callable[..., evidence.Accepted | evidence.Refused],
    planned: Callable[..., ShadowTest],
    tmp_path: Path,
) -> None:
    found = accept(multi_picture(), planned())
    assert isinstance(found, evidence.Accepted)
    kept = evidence.path_of(tmp_path / "evidence", found.evidence).read_bytes()
    assert b"MPF\x00" not in kept
    with Image.open(io.BytesIO(kept)) as stored:
        assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1
    assert (found.evidence.width, found.evidence.height) == (40, 30)


@pytest.mark.parametrize("after", [ZIP, b"<html><script>x</script>"])
def test_anything_but_listed_pictures_after_a_multi_picture_jpeg_is_refused(
    after: bytes, accept: Callable[..., object], planned: Callable[..., ShadowTest]
) -> None:
    assert accept(multi_picture(after), planned()) == evidence.Refused(evidence.TRAILING, "jpeg")


def test_two_jpegs_back_to_back_without_a_list_are_refused(
    accept: Callable[..., object], planned: Callable[..., ShadowTest]
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "JPEG")
    assert accept(out.getvalue() * 2, planned()) == evidence.Refused(evidence.TRAILING, "jpeg")
