"""Sheet ids: short, read off paper and typed in by hand, so built to survive it.

An id is 8 characters and a check character, drawn from 29 that cannot be taken for
one another in print or in a hurried hand: no 0/O, no 1/I/L, no U (read as V), no Z
(read as 2). It is printed in groups, `K7QM-3XWD-R`, and typed in any case, with or
without the spaces and hyphens.

The check character makes the weighted sum of all nine, with weights 9, 8, … 1, a
multiple of 29. 29 is prime and each weight lies between 1 and 28, so changing one
character changes the sum by (weight × difference), never a multiple of 29: every
single wrong character is caught. Swapping two neighbours changes it by (difference
of their weights, here 1) × (difference of the characters): every adjacent
transposition is caught too (and, the weights being distinct, every swap farther apart).

Pure: no Flask, no database. Refusals are codes (`IdError.code`) that the web words.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY"
"""The characters of a sheet id, each standing for its position (0–28)."""
BODY = 8
"""Random characters in an id, before the check character: 29**8 ≈ 5 × 10**11 ids."""
LENGTH = BODY + 1
GROUPS = (4, 4, 1)
"""How an id is printed and shown: two groups of four, then the check character."""
SEPARATORS = frozenset(" -_.")
"""What a person may type between groups: spaces, hyphens, and what a hand makes of them."""
TYPED_LIMIT = 64
"""Longer input is refused at once, unread: no id is anywhere near it."""

WRONG_LENGTH = "wrong-length"
BAD_CHARACTER = "bad-character"
CHECK_FAILS = "check-fails"
CODES = (WRONG_LENGTH, BAD_CHARACTER, CHECK_FAILS)
"""Why typed text is not a sheet id; `web/paper.py` words each."""

_VALUE = {character: value for value, character in enumerate(ALPHABET)}
_WEIGHTS = tuple(range(LENGTH, 0, -1))


class IdError(ValueError):
    """Typed text is not a sheet id; `code` says why, `character` names the first one
    outside the alphabet (for `bad-character`)."""

    def __init__(self, code: str, character: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.character = character


def check_character(body: str) -> str:
    """The character that completes `body` (8 characters of the alphabet) into an id."""
    total = sum(w * _VALUE[c] for w, c in zip(_WEIGHTS, body, strict=False))
    return ALPHABET[-total % len(ALPHABET)]


def is_valid(sheet_id: str) -> bool:
    """Whether a canonical id (9 characters of the alphabet) passes its check."""
    if len(sheet_id) != LENGTH or any(c not in _VALUE for c in sheet_id):
        return False
    total = sum(w * _VALUE[c] for w, c in zip(_WEIGHTS, sheet_id, strict=True))
    return total % len(ALPHABET) == 0


def draw(choose: Callable[[str], str] = secrets.choice) -> str:
    """A new id, its characters from a cryptographic source: ids cannot be guessed from
    one another, so a sheet cannot be made up from the ones seen before it."""
    body = "".join(choose(ALPHABET) for _ in range(BODY))
    return body + check_character(body)


def shown(sheet_id: str) -> str:
    """An id as printed and shown: `K7QM-3XWD-R`."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(sheet_id[start : start + size])
        start += size
    return "-".join(parts)


def parse(typed: str) -> str:
    """The canonical id a person typed, forgiving case, spaces and hyphens (and full-width
    characters from a Chinese input method); IdError if it cannot be one."""
    if len(typed) > TYPED_LIMIT:
        raise IdError(WRONG_LENGTH)
    text = unicodedata.normalize("NFKC", typed).upper()
    characters = [c for c in text if c not in SEPARATORS and not c.isspace()]
    stray = next((c for c in characters if c not in _VALUE), None)
    if stray is not None:
        raise IdError(BAD_CHARACTER, stray)
    if len(characters) != LENGTH:
        raise IdError(WRONG_LENGTH)
    sheet_id = "".join(characters)
    if not is_valid(sheet_id):
        raise IdError(CHECK_FAILS)
    return sheet_id
