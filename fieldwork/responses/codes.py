"""Short codes people read aloud or write down: resume codes and reference codes."""

from __future__ import annotations

import secrets
import unicodedata

# Damm's quasigroup: a single check digit that catches every single-digit error and
# every swap of adjacent digits, the two mistakes made reading a code over the phone.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

RESUME_DIGITS = 12
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to confuse


def damm(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def new_resume_code() -> str:
    """Twelve digits, the last a check digit: digits are easiest to read over the phone."""
    body = "".join(secrets.choice("0123456789") for _ in range(RESUME_DIGITS - 1))
    return body + str(damm(body))


# Why a typed resume code cannot be one that was given out: people are told which.
NOT_TWELVE_DIGITS = "not-twelve-digits"  # empty, too short or long, or not all digits
MISTYPED = "mistyped"  # twelve digits whose check digit does not hold


def resume_code_problem(text: str) -> str | None:
    """NOT_TWELVE_DIGITS or MISTYPED if the typed text cannot be a resume code, else None."""
    digits = _digits(text)
    if len(digits) != RESUME_DIGITS or not digits.isascii() or not digits.isdigit():
        return NOT_TWELVE_DIGITS
    return MISTYPED if damm(digits) != 0 else None


def normalise_resume_code(text: str) -> str | None:
    """The code's digits if it is well formed and its check digit holds, else None."""
    return None if resume_code_problem(text) else _digits(text)


def _digits(text: str) -> str:
    # NFKC turns full-width digits, hyphens and spaces typed on Chinese keyboards into ASCII.
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not _separator(ch))


def _separator(char: str) -> bool:
    """Spaces, dots and every kind of dash or minus people put between digit groups."""
    return char.isspace() or char in ".\u2212" or unicodedata.category(char) == "Pd"


def format_resume_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def format_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"
