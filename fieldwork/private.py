"""Owner-only folders and files, whatever the process umask.

The instance folder holds the password hashes and answers (the SQLite database), the keys
that sign cookies and hash addresses, the batch files, the paper font cache and the
shadow tests' evidence. A umask of 022, the usual default, would make each of them readable
by every local account; so the folders are made 0700 and the files 0600 here, from the
start rather than chmod-ed after, and anything found looser at start is tightened and
logged (`tighten`).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

LOG = logging.getLogger(__name__)

FOLDER = 0o700
FILE = 0o600


def folder(path: str | Path) -> Path:
    """`path` as a folder, made with its missing parents owner-only. Folders that already
    exist are left as they are: a parent such as /var/lib is not the app's to change."""
    path = Path(path)
    missing: list[Path] = []
    step = path
    while not step.exists() and step != step.parent:
        missing.append(step)
        step = step.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=FOLDER)
        except FileExistsError:  # another worker made it meanwhile: it made it private too
            continue
        made.chmod(FOLDER)  # mkdir's mode is narrowed by the umask, never widened: be sure
    return path


def create(path: str | Path) -> Path:
    """An empty owner-only file at `path` if there is none (an existing one is untouched).
    SQLite gives a database's -wal and -shm files the mode of the database file, so a
    database created this way before its first connection keeps all three private."""
    path = Path(path)
    folder(path.parent)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE)
    except FileExistsError:
        return path
    os.close(handle)
    return path


def chmod_files(root: Path) -> None:
    """Every file under `root` 0600 and every folder 0700: for files written by libraries
    (zip, spreadsheet, parquet writers) that open them with the umask's mode. Done before
    the folder is published, while only its owner can reach it."""
    for parent, folders, names in os.walk(root):
        Path(parent).chmod(FOLDER)
        for name in names:
            (Path(parent) / name).chmod(FILE)
        for name in folders:
            (Path(parent) / name).chmod(FOLDER)


def tighten(paths: Iterable[str | Path]) -> list[str]:
    """Take group and other permissions off each existing path, saying so in the log.

    Data written before this version (a database created 0644, an exports folder 0755)
    stays readable to every local account until someone notices; tightening it at start
    closes that without an operator's step. The answer lists what could not be tightened
    (a file owned by another account), for the caller to report."""
    refused: list[str] = []
    for path in map(Path, paths):
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(path.lstat().st_mode) or not mode & 0o077:
            continue
        wanted = FOLDER if path.is_dir() else FILE
        try:
            path.chmod(mode & wanted)
        except PermissionError:
            LOG.error("%s is readable by others (mode %o) and not ours to change", path, mode)
            refused.append(str(path))
            continue
        LOG.warning("%s was readable by others (mode %o): now %o", path, mode, mode & wanted)
    return refused
