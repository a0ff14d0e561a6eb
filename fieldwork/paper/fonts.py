"""The fonts a printed sheet is set in: shipped with the project, never the system's.

`fieldwork/paper/fonts/` holds subsets of Noto Sans CJK (made by `scripts/build-fonts`):
SC for Simplified Chinese and English, TC for Traditional, so each language's Hanzi take
that language's shapes, never a Japanese or Korean fallback's. A PDF is set in a further
subset holding only the characters its document uses: a smaller font is quicker to load
and embed. Those subsets are cached on disk by a hash of what they are made from, so a
questionnaire version is cut once, and written whole under a temporary name then renamed,
so two processes building the same one at once both end with a complete file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fieldwork import private
from fieldwork.config import ROOT
from fieldwork.modes import PAPER
from fieldwork.questionnaire.checks import CONSISTENCY, Found, texts
from fieldwork.questionnaire.model import Questionnaire, Text

SHIPPED = Path(__file__).resolve().parent / "fonts"
DEFAULT_CACHE = ROOT / "instance" / "paper-fonts"
"""Where subsets are cached unless the caller names a folder: the app's instance folder."""
TRANSLATIONS = ROOT / "translations"

SC, TC, MONO = "Fieldwork SC", "Fieldwork TC", "Fieldwork Mono"
FAMILY = {"zh-Hans": SC, "zh-Hant": TC, "en": SC}
"""The family each language's text is set in (the layout names the same ones)."""


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    file: str  # in SHIPPED

    @property
    def path(self) -> Path:
        return SHIPPED / self.file


FACES = (
    Face(SC, 400, "NotoSansCJKsc-Regular.woff2"),
    Face(SC, 700, "NotoSansCJKsc-Bold.woff2"),
    Face(TC, 400, "NotoSansCJKtc-Regular.woff2"),
    Face(TC, 700, "NotoSansCJKtc-Bold.woff2"),
    Face(MONO, 400, "NotoSansMonoCJKsc-Regular.woff2"),
)

ALWAYS = (
    "".join(chr(code) for code in range(0x20, 0x7F))
    # What the layout engine may draw without it being in the text: a no-break space, a
    # hyphen where it breaks a word, list bullets, an ellipsis, the ideographic space.
    + "\u00a0\u2010\u2011\u2013\u2014\u2022\u2026\u25e6\u25aa\u3000"
)
"""Characters every subset holds: printable ASCII (digits, Latin, sheet ids) and more."""


def faces(family: str) -> tuple[Face, ...]:
    return tuple(face for face in FACES if face.family == family)


def family(language: str) -> str:
    """The family a language is set in; a language the sheets are not printed in is an
    error, not a fallback to some other face."""
    try:
        return FAMILY[language]
    except KeyError:
        raise ValueError(f"no print font for language {language!r}") from None


@cache
def coverage(family: str) -> frozenset[str]:
    """The characters every shipped face of `family` can draw."""
    from fontTools.ttLib import TTFont

    maps = []
    for face in faces(family):
        with TTFont(face.path, lazy=True) as font:
            maps.append(frozenset(chr(code) for code in font.getBestCmap()))
    return frozenset.intersection(*maps)


def _drawn(char: str) -> bool:
    """Whether a character needs a glyph: line breaks, tabs and invisible format marks do not."""
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")


def missing(text: str, language: str) -> str:
    """The characters of `text` (once each, in order) the `language`'s shipped font lacks."""
    have = coverage(family(language))
    return "".join(dict.fromkeys(c for c in text if c not in have and _drawn(c)))


def questionnaire_text(questionnaire: Questionnaire, language: str) -> str:
    """Every text a sheet of `questionnaire` prints, in `language`, run together."""
    return "\n".join(text.get(language, "") for text in _printed_texts(questionnaire))


def _printed_texts(questionnaire: Questionnaire) -> Iterator[Text]:
    yield questionnaire.title
    yield questionnaire.description
    for section in questionnaire.sections:
        yield section.title
        for question in section.questions:
            yield question.text
            if question.hint:
                yield question.hint
            yield from (choice.label for choice in question.choices)
            yield from _option_texts(question.options)


def _option_texts(options: Mapping[str, Any]) -> Iterator[Text]:
    """Texts among a question's options: a unit, a scale's end labels."""
    for value in options.values():
        if _is_text(value):
            yield value
        elif isinstance(value, Mapping):
            yield from (nested for nested in value.values() if _is_text(nested))


def _is_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())


def missing_characters(questionnaire: Questionnaire) -> dict[str, str]:
    """Per language of `questionnaire`, the characters of its text the shipped fonts lack;
    languages with none are left out."""
    found = {
        language: missing(questionnaire_text(questionnaire, language), language)
        for language in questionnaire.languages
    }
    return {language: chars for language, chars in found.items() if chars}


def glyph_problems(raw: Mapping[str, Any]) -> list[Found]:
    """A definition check (for `flask fieldwork check`): every printed text with characters
    its language's shipped font lacks, which a sheet could only print as empty boxes.
    Only questionnaires of a kind paper takes are printed, so only those are checked."""
    if raw.get("kind") not in PAPER.kinds:
        return []
    found: list[Found] = []
    for where, what, text in texts(raw):
        if where == CONSISTENCY or not isinstance(text, Mapping):
            continue  # consistency explanations are for reviewers, never printed
        for language, value in text.items():
            if (
                language in FAMILY
                and isinstance(value, str)
                and (lacking := missing(value, language))
            ):
                found.append((where, "missing-glyphs", _lacking_message(what, language, lacking)))
    return found


def _lacking_message(what: str, language: str, lacking: str) -> str:
    named = ", ".join(f"{char} (U+{ord(char):04X})" for char in lacking)
    return (
        f"{what} in {language} uses characters the print fonts lack: {named}; "
        "use other characters, or add them to the fonts with scripts/build-fonts"
    )


def ui_text(language: str, translations: Path = TRANSLATIONS) -> str:
    """Every UI string of `language`'s compiled catalog run together, the sheet's among them
    (English, the source language, needs nothing beyond ASCII and punctuation)."""
    from babel.messages.mofile import read_mo

    path = translations / language.replace("-", "_") / "LC_MESSAGES" / "messages.mo"
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        catalog = read_mo(handle)
    strings = (m.string for m in catalog if m.id and m.string)
    return "\n".join(s if isinstance(s, str) else "\n".join(s or ()) for s in strings)


def font_faces(questionnaire: Questionnaire, language: str, *, cache: Path | None = None) -> str:
    """The @font-face CSS for sheets of this questionnaire version in `language`: its text,
    the UI strings, digits and Latin, in the language's face and the sheet id's."""
    text = questionnaire_text(questionnaire, language) + ui_text(language)
    return faces_for(text, language, cache=cache)


def faces_for(text: str, language: str, *, cache: Path | None = None) -> str:
    """The @font-face CSS of subsets holding `text`'s characters, in `language`'s family
    and the sheet id's monospace family."""
    rules = [
        _rule(face, subset_file(face, text, cache or DEFAULT_CACHE))
        for face in (*faces(family(language)), *faces(MONO))
    ]
    return "\n".join(rules)


def _rule(face: Face, path: Path) -> str:
    return (
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'font-style: normal; src: url("{path.as_uri()}"); }}'
    )


def subset_file(face: Face, text: str, cache: Path) -> Path:
    """The cached subset of `face` holding the characters of `text` it can draw (and
    `ALWAYS`), made on first use."""
    chars = sorted(set(text).union(ALWAYS) & coverage(face.family))
    digest = hashlib.sha256(_source_hash(face).encode() + "".join(chars).encode()).hexdigest()
    path = cache / f"{face.path.name.split('.')[0]}-{digest[:24]}.otf"
    if not path.exists():
        _write_whole(path, _cut(face, chars))
    return path


@cache
def _source_hash(face: Face) -> str:
    return hashlib.sha256(face.path.read_bytes()).hexdigest()


def _cut(face: Face, chars: Iterable[str]) -> bytes:
    from io import BytesIO

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]  # the copyright and licence notices travel with the font
    options.notdef_outline = True
    font = TTFont(face.path)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in chars])
    subsetter.subset(font)
    font.flavor = None  # plain OpenType: WeasyPrint loads it without decompressing
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _write_whole(path: Path, data: bytes) -> None:
    """Write `data` at `path` so no reader, in this process or another, sees a part."""
    private.folder(path.parent)  # mkstemp's file is 0600 already
    handle, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(draft, path)  # atomic: whoever renames last, the file is whole
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise
