"""What an open answer says, or fails to: normalising, empty-equivalents, keyboard mash.

Written for answers in Chinese (simplified and traditional) and English. The
mash signs are chosen so that ordinary sentences in either never show them:
Chinese has no Latin letters to walk a keyboard with, and English words do not
run five keys along a keyboard row, go six letters without a vowel or seven
letters on the home row (of a 100,000-word English dictionary, a dozen words
such as "alfalfa", "muumuu" and "QWERTY" would be judged mash alone). Everything
runs as compiled regular expressions: the bulk run reads every open answer of a
million responses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from fieldwork.questionnaire.model import MISSING_VALUES

EMPTY_WORDS = frozenset(
    {
        # zh-Hans and zh-Hant
        "无", "無", "没", "沒", "没有", "沒有", "没有了", "沒有了", "暂无", "暫無",
        "无意见", "無意見", "没意见", "沒意見", "没有意见", "沒有意見",
        "无建议", "無建議", "没有建议", "沒有建議", "没什么", "沒什麼", "没啥", "沒啥",
        "不知道", "不清楚", "不晓得", "不曉得", "说不清", "說不清", "无所谓", "無所謂",
        # en
        "no", "none", "nothing", "nil", "null", "n/a", "na", "nope", "idk",
        "no comment", "no comments", "nothing to add", "not applicable",
    }
)  # fmt: skip
"""Answers that say nothing, after normalising (case, width, surrounding punctuation).
Answers of punctuation only ("-", ".", "...") or one repeated digit ("111") count too."""

_ONE_DIGIT = re.compile(r"(\d)\1*")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_RUNS = re.compile(r"(.)\1{2,}")
_PATTERN = re.compile(r"(.{2,4})\1{2,}.{0,3}")
_LATIN_RUN = re.compile(r"[a-z]{4,}")  # every Latin sign needs four letters in a row
_ROW_RUNS = re.compile(r"[qwertyuiop]{5,}|[asdfghjkl]{4,}|[zxcvbnm]{4,}")
_HOME_ROW_WORD = re.compile(r"(?<![a-z])[asdfghjkl]{7,}(?![a-z])")
_NO_VOWEL_WORD = re.compile(r"(?<![a-z])[bcdfghjklmnpqrstvwxz]{6,}(?![a-z])")


_REPEATED = re.compile(r"(.+?)\1+")
_SPACES = re.compile(r"\s+")
_WRITTEN_NUMBER = re.compile(r"\+?\d+(?:[ \-/.:,]\d+)+")
_MIXED_TOKEN = re.compile(r"[a-z0-9]{8,}")
_SWITCH = re.compile(r"[a-z](?=[0-9])|[0-9](?=[a-z])")
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxz]{6,}")
_HAN = re.compile(r"[\u3400-\u9fff]")


def sign_run(text: str, letters: str | None = None) -> bool:
    """Whether a normalised text is five or more signs and no letter in any script: digits,
    emoji, punctuation ("123456789", "😀😀😀😀😀", "......"). A number written with its
    separators ("+86 138 0000 0000", "2026-11-05") is something a person meant to say.
    `letters`, the text's `letters_of` when the caller has it, spares working it out."""
    if letters is None:
        letters = letters_of(text)
    if letters or len(text) < 5 or len(_SPACES.sub("", text)) < 5:
        return False
    return not _WRITTEN_NUMBER.fullmatch(text)


def _common_han() -> frozenset[str]:
    """Chinese characters in everyday use: GB2312's first level (3,755, simplified) and
    Big5's frequently used block (5,401, traditional), read from Python's own codecs."""
    found: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            found.update(_decoded(bytes((lead, trail)), "gb2312"))
    for code in range(0xA440, 0xC67F):
        found.update(_decoded(code.to_bytes(2, "big"), "big5"))
    return frozenset(found)


def _decoded(pair: bytes, codec: str) -> str:
    try:
        return pair.decode(codec)
    except UnicodeDecodeError:
        return ""


COMMON_HAN = _common_han()


def _random_han(letters: str, distinct: set[str]) -> bool:
    """Chinese characters picked at random rather than written: six or more, under half of
    the different ones in everyday use (an honest answer uses almost only those).
    `distinct` is the set of the letters."""
    if distinct <= COMMON_HAN:  # most Chinese answers: every character an everyday one
        return False
    han = _HAN.findall(letters)
    if len(han) < 6:
        return False
    distinct = set(han)
    return len(COMMON_HAN.intersection(distinct)) < len(distinct) / 2


def _random_latin(text: str) -> bool:
    """Letters and digits picked at random: a word that switches between letters and digits
    twice or more (a model number such as "iphone15" switches once), or six consonants in a
    row (English has five at most, as in "strengths")."""
    for token in _MIXED_TOKEN.findall(text):
        if len(_SWITCH.findall(token)) >= 2:
            return True
    return _CONSONANTS.search(text) is not None


def _walks() -> frozenset[str]:
    """Runs along a keyboard row, either way: 5 keys on the top row (where "property"
    holds "erty"), 4 on the home and bottom rows (no English word holds one)."""
    walks = []
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm"):
        length = 5 if row[0] == "q" else 4
        for keys in (row, row[::-1]):
            walks += [keys[i : i + length] for i in range(len(keys) - length + 1)]
    return frozenset(walks)


_WALKS = _walks()


class OpenAnswer(NamedTuple):
    """An answer to an open question as the rules compare it."""

    code: str
    text: str  # normalised
    core: str  # without surrounding punctuation: what the empty words are compared with
    letters: str  # its letters in any script (`letters_of`), worked out once for every rule

    def says_nothing(self, extra: Collection[str] = ()) -> bool:
        """Whether it is empty-equivalent: "无", "n/a", "-", "111", … or one of `extra`.
        A longer run of signs ("1111111", "......", "😀😀😀😀😀") is mash, not this."""
        core = self.core
        if sign_run(self.text, self.letters):
            return False
        return (
            not core
            or core in EMPTY_WORDS
            or core in extra
            or _ONE_DIGIT.fullmatch(core) is not None
        )


def open_answers(codes: Iterable[str], answers: Mapping[str, Any]) -> tuple[OpenAnswer, ...]:
    """Every one of these questions answered with some text, in the order given: not a
    value standing for a missing answer ("don't know", a sheet's illegible answer)."""
    found = []
    for code in codes:
        value = answers.get(code)
        if isinstance(value, str) and value not in MISSING_VALUES:
            answer = _read(code, value)
            if answer is not None:
                found.append(answer)
    return tuple(found)


_READ: dict[tuple[str, str], OpenAnswer | None] = {}
READ_LIMIT = 100_000
"""Open answers read, kept: short answers repeat across a survey ("无", "挺好的", "希望
更好"), and the bulk run reads them a million times."""


def _read(code: str, value: str) -> OpenAnswer | None:
    """One answer as the rules compare it, or None if it is only spaces."""
    key = (code, value)
    if key in _READ:
        return _READ[key]
    if len(_READ) >= READ_LIMIT:
        _READ.clear()
    found = None
    if value and not value.isspace():
        text = normalise(value)
        found = OpenAnswer(code, text, _inside(text), letters_of(text))
    _READ[key] = found
    return found


def normalise(text: str) -> str:
    """Width-folded (NFKC), case-folded, single-spaced: the text as compared."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _inside(text: str) -> str:
    """The text without the punctuation, symbols and spaces around it (usually one "。")."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def empty_key(text: str) -> str:
    """A text as compared with the empty words: normalised, surrounding punctuation off."""
    return _inside(normalise(text))


def is_empty_equivalent(text: str, extra: Collection[str] = ()) -> bool:
    """Whether a text says nothing (`extra` given as `empty_key` makes them)."""
    normalised = normalise(text)
    return OpenAnswer("", normalised, _inside(normalised), letters_of(normalised)).says_nothing(
        extra
    )


def letters_of(text: str) -> str:
    """The letters of a text, in any script: no digits, spaces or punctuation."""
    return _NOT_LETTERS.sub("", text)


def mash_sign(text: str, min_letters: int = 5, letters: str | None = None) -> str | None:
    """The first sign that a normalised answer is keyboard mash, or None.

    Signs: "no-letters" (a run of five or more digits, emoji or punctuation),
    "one-or-two-letters" (jjjjjjjj, 哈哈哈哈哈), "repeated-chunk" (the whole answer one
    piece said again: qwerqwer, 嘿嘿嘿嘿, 希望更好希望更好), "repeated-pattern"
    (asdfasdfasdf), "low-variety" (few distinct letters for the length),
    "random-characters" (Chinese characters almost none of which are in everyday use;
    Latin words mixing digits in, or six consonants in a row), "keyboard-walk"
    (qwertyuiop, asdf), "home-row" (fjdksla), "no-vowels" (xcvbnmk). Other texts of
    fewer than three letters are not judged. `letters`, the text's `letters_of` when the
    caller has it, spares working it out.
    """
    if letters is None:
        letters = letters_of(text)
    if sign_run(text, letters):
        return "no-letters"
    if len(letters) < 3:
        return None
    distinct = set(letters)
    variety = len(distinct)
    # Only a text of at most half as many different letters as letters repeats a piece:
    # most answers stop there, before the pattern's quadratic matching.
    # jjjjjjjj (two letters or fewer, long enough) is one-or-two-letters, below.
    chunked = (
        len(letters) >= 4
        and 2 * variety <= len(letters)
        and _REPEATED.fullmatch(letters) is not None
    )
    if chunked and (variety > 2 or len(letters) < min_letters):
        return "repeated-chunk"
    if _random_han(letters, distinct):
        return "random-characters"
    if len(letters) >= min_letters and variety <= 2:
        return "one-or-two-letters"
    # A pattern of up to four letters, plus a tail of up to three, has at most seven.
    if variety <= 7:
        # Emphasis ("sooooo slow", "太慢了啊啊啊啊") is not mash: judge it with runs collapsed.
        collapsed = _RUNS.sub(r"\1", letters) if _RUNS.search(letters) else letters
        if len(collapsed) >= 6 and _PATTERN.fullmatch(collapsed):
            return "repeated-pattern"
        # Capped: a long English answer uses some twenty letters, a few hundred times each.
        if len(collapsed) >= 8 and variety <= 6 and len(collapsed) >= 4 * variety:
            return "low-variety"
    if not _LATIN_RUN.search(text):
        return "random-characters" if _random_latin(text) else None
    for run in _ROW_RUNS.findall(text):  # letters of one row in a row: rare in words
        length = 5 if run[0] in "qwertyuiop" else 4
        if any(run[i : i + length] in _WALKS for i in range(len(run) - length + 1)):
            return "keyboard-walk"
    if _HOME_ROW_WORD.search(text):
        return "home-row"
    if _NO_VOWEL_WORD.search(text):
        return "no-vowels"
    if _random_latin(text):
        return "random-characters"
    return None
