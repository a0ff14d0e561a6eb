"""Zip archives with the same bytes every time: the batch zip.

`zipfile` stamps each entry with the current time (and a file's mode and
mtime when it copies one), so two exports of one batch would differ. Entries
here get the batch's frozen time, fixed permissions and the order they are
written in, and are streamed, never read whole into memory.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import IO, Any

CHUNK = 1 << 20
_UNIX = 3  # "made by" system; zipfile says 0 on Windows, which would change the bytes
_MODE = 0o644 << 16


def zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's date_time (UTC, whole seconds; zip cannot go before 1980)."""
    utc = moment.astimezone(dt.UTC) if moment.utcoffset() is not None else moment
    utc = max(utc.replace(tzinfo=None), dt.datetime(1980, 1, 1))
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


class FixedTimeZip(zipfile.ZipFile):
    """A zip being written whose every entry carries `moment` and the same metadata.

    `writestr` and `write` are both overridden, so a writer that saves its parts
    through either gives the same bytes.
    """

    def __init__(self, file: str | PathLike[str] | IO[bytes], moment: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = zip_time(moment)

    def entry(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = _UNIX
        info.external_attr = _MODE
        info.file_size = size  # lets zipfile choose ZIP64 up front for large members
        return info

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = getattr(zinfo_or_arcname, "filename", zinfo_or_arcname)
        super().writestr(self.entry(str(name)), data)

    def write(
        self,
        filename: str | PathLike[str],
        arcname: str | PathLike[str] | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        source = Path(filename)
        info = self.entry(str(arcname or source.name), source.stat().st_size)
        with source.open("rb") as reader, self.open(info, "w") as writer:
            shutil.copyfileobj(reader, writer, CHUNK)


def pack(target: Path, members: Sequence[tuple[str, Path]], moment: dt.datetime) -> None:
    """Write `members` (name in the zip, file on disk) into `target`, in the order given."""
    with FixedTimeZip(target, moment) as archive:
        for name, path in members:
            archive.write(path, name)
