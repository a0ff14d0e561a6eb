"""The shipped print fonts: what they cover, the subsets cut per document and cached, and
the check that finds questionnaire text they cannot print."""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from fieldwork.paper import fonts
from fieldwork.questionnaire.checks import texts
from tests.quality.factories import question, questionnaire
from tests.questionnaires import read

BRANCHING = read().questionnaires["branching"]


def test_the_shipped_fonts_are_small_enough_to_keep_in_the_repository() -> None:
    assert sum(path.stat().st_size for path in fonts.SHIPPED.iterdir()) < 10_000_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts.SHIPPED / "OFL.txt").read_text()


def test_each_chinese_face_covers_its_own_script() -> None:
    simplified, traditional = fonts.coverage(fonts.SC), fonts.coverage(fonts.TC)
    assert set("体验调查这个问题怎么样") <= simplified
    assert set("體驗調查這個問題怎麼樣") <= traditional
    assert set("0123456789ABCabc→○□“”「」，。") <= simplified & traditional


def test_a_questionnaire_without_rare_characters_lacks_nothing() -> None:
    assert fonts.missing_characters(BRANCHING) == {}


def test_characters_the_fonts_lack_are_listed_per_language() -> None:
    rare = questionnaire(question("Q1", "short_text", text={"en": "Name 𠀀 or 😀?"}))
    assert fonts.missing_characters(rare) == {"en": "𠀀😀"}


def test_check_reports_the_text_that_would_print_as_empty_boxes() -> None:
    raw = dict(BRANCHING.definition)
    sections = [dict(s) for s in raw["sections"]]
    first = dict(sections[0]["questions"][0])
    first["text"] = {**first["text"], "zh-Hant": "您聯絡過𠀀客服嗎？"}
    sections[0] = {**sections[0], "questions": [first, *sections[0]["questions"][1:]]}
    raw["sections"] = sections
    [(where, code, message)] = fonts.glyph_problems(raw)
    assert (where, code) == ("USED", "missing-glyphs")
    assert "zh-Hant" in message and "U+20000" in message


def test_explanations_for_reviewers_are_not_checked_as_print() -> None:
    raw = {
        "kind": "survey",
        "languages": ["en"],
        "title": {"en": "T"},
        "consistency": [{"code": "c", "explanation": {"en": "never printed 😀"}}],
    }
    assert any(where == "consistency" for where, _, _ in texts(raw))
    assert fonts.glyph_problems(raw) == []


def test_a_document_is_set_in_a_subset_holding_its_characters(tmp_path: Path) -> None:
    css = fonts.faces_for("您的年龄是？", "zh-Hans", cache=tmp_path)
    families = re.findall(r'font-family: "([^"]+)"; font-weight: (\d+)', css)
    assert families == [("Fieldwork SC", "400"), ("Fieldwork SC", "700"), ("Fieldwork Mono", "400")]
    [regular, *_] = [Path(url[len("file://") :]) for url in re.findall(r'url\("([^"]+)"\)', css)]
    font = TTFont(regular)
    assert set("您的年龄是？0123456789") <= {chr(c) for c in font.getBestCmap()}
    assert len(font.getGlyphOrder()) < 200


def test_a_subset_is_cut_once_and_found_again(tmp_path: Path) -> None:
    face = fonts.faces(fonts.TC)[0]
    first = fonts.subset_file(face, "請問您的年齡是？", tmp_path)
    made = first.stat().st_mtime_ns
    assert fonts.subset_file(face, "請問您的年齡是？", tmp_path) == first
    assert first.stat().st_mtime_ns == made
    assert fonts.subset_file(face, "請問您的年齡", tmp_path) != first


def _cut(folder: str) -> str:
    return str(fonts.subset_file(fonts.faces(fonts.SC)[0], "两个进程同时", Path(folder)))


def test_two_processes_cutting_the_same_subset_both_get_a_whole_font(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(2) as pool:
        paths = pool.map(_cut, [str(tmp_path)] * 2)
    assert paths[0] == paths[1]
    assert set("两个进程同时") <= {chr(c) for c in TTFont(paths[0]).getBestCmap()}
    assert [p.name for p in tmp_path.iterdir()] == [Path(paths[0]).name]  # no leftovers


def test_a_sheets_faces_hold_its_questionnaire_and_ui_strings(tmp_path: Path) -> None:
    css = fonts.font_faces(BRANCHING, "zh-Hant", cache=tmp_path)
    regular = Path(re.findall(r'url\("file://([^"]+)"\)', css)[0])
    have = {chr(c) for c in TTFont(regular).getBestCmap()}
    assert set(fonts.questionnaire_text(BRANCHING, "zh-Hant")) - {"\n"} <= have
    assert set(fonts.ui_text("zh-Hant")) - {"\n"} <= have


@pytest.mark.shipped
def test_the_shipped_questionnaire_prints_in_every_language() -> None:
    from fieldwork.config import ROOT
    from fieldwork.definitions.reading import read_folder

    shipped = read_folder(ROOT / "questionnaires").questionnaires["after_sales_consumer"]
    assert fonts.missing_characters(shipped) == {}


def test_check_finds_the_characters_in_a_folder_of_definitions(tmp_path: Path) -> None:
    from fieldwork.catalog import read_definitions

    (tmp_path / "rare.yaml").write_text(
        "id: rare\nversion: '1'\nkind: survey\nlanguages: [en]\ntitle: {en: Rare}\n"
        "sections:\n  - code: main\n    title: {en: Main}\n    questions:\n"
        "      - {code: Q1, type: short_text, text: {en: 'Your 😀?'}}\n",
        "utf-8",
    )
    problems = [p for p in read_definitions(tmp_path).problems if p.code == "missing-glyphs"]
    assert [(p.file, p.location) for p in problems] == [("rare.yaml", "Q1")]


def test_a_checklist_is_never_printed_so_never_checked() -> None:
    raw = {"kind": "checklist", "languages": ["en"], "title": {"en": "Log 😀"}}
    assert fonts.glyph_problems(raw) == []
    assert fonts.glyph_problems({**raw, "kind": "survey"}) != []


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_every_ui_string_can_be_printed(language: str) -> None:
    """A translation with a character the fonts lack fails here: run scripts/build-fonts."""
    assert fonts.missing(fonts.ui_text(language), language) == ""
