"""Rebuild the fonts shipped in fieldwork/paper/fonts/ from Debian's fonts-noto-cjk.

Paper sheets must look the same on every machine and never borrow a system font, so
the project ships its own: Noto Sans CJK SC for Simplified Chinese (and English), TC
for Traditional, Regular and Bold, and Noto Sans Mono CJK SC for sheet ids. Each is cut
down to a repertoire a questionnaire can be expected to use (GB 2312 for SC, Big5
level 1 for TC, Latin, digits, punctuation, arrows and shapes, plus every character of
the shipped questionnaires and UI catalogs), without hinting, which print does not
need, and stored as WOFF2 to keep the repository small. The app subsets these again
per questionnaire version (fieldwork/paper/fonts.py).

Usage: scripts/build-fonts [NOTO_DIRECTORY]   (default /usr/share/fonts/opentype/noto)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fieldwork" / "paper" / "fonts"
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")

SHARED_RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A
    (0x2000, 0x206F),  # General Punctuation: dashes, quotes, bullets, ellipsis
    (0x20A0, 0x20BF),  # currency signs
    (0x2100, 0x218F),  # letterlike symbols, number forms
    (0x2190, 0x21FF),  # arrows: the routing "→ go to Q7"
    (0x2200, 0x22FF),  # mathematical operators: × ÷ ≤ ≥
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ②
    (0x25A0, 0x25FF),  # geometric shapes: ○ □ the answer boxes
    (0x2610, 0x2612),  # ballot boxes
    (0x2713, 0x2717),  # check and cross marks
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
)

FACES = (
    # (file stem, collection, face name in it, repertoire)
    ("NotoSansCJKsc-Regular", "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "sc"),
    ("NotoSansCJKsc-Bold", "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "sc"),
    ("NotoSansCJKtc-Regular", "NotoSansCJK-Regular.ttc", "Noto Sans CJK TC", "tc"),
    ("NotoSansCJKtc-Bold", "NotoSansCJK-Bold.ttc", "Noto Sans CJK TC", "tc"),
    ("NotoSansMonoCJKsc-Regular", "NotoSansCJK-Regular.ttc", "Noto Sans Mono CJK SC", "mono"),
)


def double_bytes(encoding: str, leads: range, trails: Iterable[int]) -> Iterator[str]:
    """Every character a two-byte encoding maps in the given lead and trail bytes."""
    trails = list(trails)
    for lead in leads:
        for trail in trails:
            try:
                yield bytes((lead, trail)).decode(encoding)
            except UnicodeDecodeError:
                continue


def gb2312() -> set[str]:
    return set(double_bytes("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF)))


def big5_level1() -> set[str]:
    """Big5's symbols (A140–A3BF) and its 5,401 frequently used characters (A440–C67E)."""
    trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    symbols = double_bytes("big5", range(0xA1, 0xA4), trails)
    common = (c for c in double_bytes("big5", range(0xA4, 0xC7), trails) if c <= "\u9fff")
    return {*symbols, *common}


def shipped_text() -> set[str]:
    """Every character of the shipped questionnaires and UI catalogs."""
    files = [*(ROOT / "questionnaires").glob("*.yaml"), *(ROOT / "translations").rglob("*.po")]
    return {char for path in files for char in path.read_text("utf-8")}


def repertoire(kind: str) -> set[str]:
    shared = {chr(code) for low, high in SHARED_RANGES for code in range(low, high + 1)}
    if kind == "mono":
        return {chr(code) for code in range(0x20, 0x7F)}
    return shared | shipped_text() | (gb2312() if kind == "sc" else big5_level1())


def face(collection: Path, name: str) -> TTFont:
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == name:
            return font
    raise SystemExit(f"{collection} has no face {name!r}")


def cut(font: TTFont, characters: set[str]) -> TTFont:
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]  # keep the copyright and licence notices
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in characters])
    subsetter.subset(font)
    font.flavor = "woff2"
    return font


def licence() -> str:
    """The SIL Open Font License text as Debian's copyright file quotes it."""
    text = DEBIAN_COPYRIGHT.read_text("utf-8")
    block = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.MULTILINE)
    if block is None:
        raise SystemExit(f"no SIL-1.1 licence text in {DEBIAN_COPYRIGHT}")
    lines = (line[1:] for line in block.group(1).splitlines())
    return "\n".join("" if line == "." else line for line in lines) + "\n"


def main(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    notices: list[str] = []
    for stem, collection, name, kind in FACES:
        font = cut(face(source / collection, name), repertoire(kind))
        path = OUT / f"{stem}.woff2"
        font.save(str(path))
        notices.append(f"{path.name}: {name}, {font['name'].getDebugName(0)}")
        print(f"{path.name}: {len(font.getGlyphOrder())} glyphs, {path.stat().st_size:,} bytes")
    header = (
        "Subsets of Noto Sans CJK, made by scripts/build-fonts from Debian's fonts-noto-cjk.\n"
        + "\n".join(notices)
        + "\n\n"
    )
    (OUT / "OFL.txt").write_text(header + licence(), "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/opentype/noto"))
