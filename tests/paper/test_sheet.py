"""The printed sheet, rendered by WeasyPrint and read back from the PDF: what a person
holding it reads, in which language and order, and at what size."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
import weasyprint

from fieldwork.paper.sheet import sheet_html
from fieldwork.questionnaire.model import Questionnaire
from tests.paper.reading import MM, Run, lines, pages, questionnaire, runs, squashed, text

PRINTED = questionnaire("printed")
RENDERED = [("en", "standard"), ("en", "large"), ("zh-Hans", "large"), ("zh-Hant", "standard")]


def pdf_of(q: Questionnaire, language: str, size: str) -> bytes:
    return weasyprint.HTML(string=sheet_html(q, language=language, size=size)).write_pdf()


@pytest.fixture(scope="module")
def pdfs() -> dict[tuple[str, str], bytes]:
    """The test survey printed once in each language and size the tests read."""
    return {(language, size): pdf_of(PRINTED, language, size) for language, size in RENDERED}


def in_order(haystack: str, needles: list[str]) -> bool:
    """Whether every needle is found in the haystack, each after the one before."""
    position = 0
    for needle in needles:
        position = haystack.find(needle, position)
        if position < 0:
            return False
    return True


@pytest.mark.parametrize(("language", "size"), RENDERED)
def test_the_questions_read_in_the_sheets_language_and_order(
    pdfs: dict[tuple[str, str], bytes], language: str, size: str
) -> None:
    read = squashed(text(pdfs[language, size]))
    questions = PRINTED.questions
    assert in_order(read, [squashed(f"{q.code}{q.text[language]}") for q in questions])
    others = [lang for lang in PRINTED.languages if lang != language]
    # 您联系过客服吗 (Simplified) is not 您聯絡過客服嗎 (Traditional), nor English.
    for other in others:
        assert squashed(PRINTED.question("USED").text[other]) not in read


def test_the_ui_words_come_from_the_sheets_catalog(pdfs: dict[tuple[str, str], bytes]) -> None:
    traditional = text(pdfs["zh-Hant", "standard"])
    assert "社區工作者請看" in traditional
    assert "請只勾一個。" in traditional
    assert "→ 請跳到RATE" in traditional
    assert "Tick" not in traditional and "Page" not in traditional
    assert "→ 请跳到RATE" in text(pdfs["zh-Hans", "large"])


@pytest.mark.parametrize(
    ("language", "size", "expected"),
    [
        ("en", "standard", ["2 No → go to RATE", "8 Don't know → go to RATE"]),
        ("zh-Hans", "large", ["2 没有联系 → 请跳到RATE", "8 不知道 → 请跳到RATE"]),
        ("zh-Hant", "standard", ["2 沒有聯絡 → 請跳到RATE", "8 不知道 → 請跳到RATE"]),
    ],
)
def test_a_jump_is_on_the_line_of_its_box(
    pdfs: dict[tuple[str, str], bytes], language: str, size: str, expected: list[str]
) -> None:
    read = lines(pdfs[language, size])
    for line in expected:
        assert line in read
    # The box that leads on has no jump beside it.
    assert (
        "1 Yes" if language == "en" else "1 联系过" if language == "zh-Hans" else "1 聯絡過"
    ) in read


def test_a_condition_is_printed_above_its_question(pdfs: dict[tuple[str, str], bytes]) -> None:
    read = squashed(text(pdfs["en", "standard"]))
    said = squashed("Answer only if you answered 1 “Yes” to USED.")
    assert in_order(read, [squashed("Did you contact"), said, squashed("HOW Which ways")])


def test_a_nested_condition_is_printed_one_part_a_line(pdfs: dict[tuple[str, str], bytes]) -> None:
    read = lines(pdfs["en", "standard"])
    lead = read.index("Answer only if all of these are true:")
    printed = read[lead + 1 : next(i for i, line in enumerate(read) if "FOLLOW" in line)]
    assert [line[:2] for line in printed if line.startswith("•")] == ["• ", "• "]
    assert squashed("".join(printed)) == squashed(
        "• you answered 1 “Yes” to USED"
        "• you answered 1 “Phone” to HOW or your answer to RATE is 2 or less"
    )


def test_every_type_prints_its_paper_form(pdfs: dict[tuple[str, str], bytes]) -> None:
    read = lines(pdfs["en", "standard"])
    whole = "\n".join(read)
    assert "Tick every box that applies." in read  # multiple choice
    assert in_order(whole, ["1 Phone", "2 Chat", "or", "3 Neither"])  # exclusive after "or"
    assert in_order(whole, ["Month", "Day", "Year"])  # date, in American English's order
    assert in_order(whole, ["Hours", "Minutes"])  # duration
    assert in_order(whole, ["times", "8 Don't know", "9 Not applicable"])  # number
    assert "1 2 3 4 5" in read and "1 = Poor 5 = Good" in read  # rating
    assert "0 1 2 3 4 5 6 7 8 9 10" in read and "0 = Never 10 = Surely" in read  # 0–10
    assert "Month Day Year" in read
    chinese = "\n".join(lines(pdfs["zh-Hans", "large"]))
    assert in_order(chinese, ["年", "月", "日"])  # a Chinese date: year, month, day


def test_each_page_says_page_x_of_y(pdfs: dict[tuple[str, str], bytes]) -> None:
    for (language, size), pdf in pdfs.items():
        printed = pages(pdf)
        total = len(printed)
        assert total > 1, (language, size)
        for number, page in enumerate(printed, start=1):
            expected = {
                "en": f"Page {number} of {total}",
                "zh-Hans": f"第 {number} 页，共 {total} 页",
                "zh-Hant": f"第 {number} 頁，共 {total} 頁",
            }[language]
            assert expected in page


def test_the_top_margin_is_left_to_the_stamp(pdfs: dict[tuple[str, str], bytes]) -> None:
    for pdf in pdfs.values():
        assert min(run.y for run in runs(pdf)) > 34 * MM


def body(pdf: bytes) -> list[Run]:
    return runs(pdf)


@pytest.mark.parametrize(("language", "size"), [("en", "large"), ("zh-Hans", "large")])
def test_large_print_sets_body_text_at_16_pt_and_questions_at_18(
    pdfs: dict[tuple[str, str], bytes], language: str, size: str
) -> None:
    read = runs(pdfs[language, size])
    assert min(run.size for run in read) >= 16 - 0.01
    for q in PRINTED.questions:
        first = q.text[language][:4]
        sizes = [run.size for run in read if run.text.startswith(first)]
        assert sizes and min(sizes) >= 18 - 0.01, q.code


def test_standard_print_sets_body_text_at_12_pt(pdfs: dict[tuple[str, str], bytes]) -> None:
    for language, size in RENDERED:
        if size == "standard":
            assert min(run.size for run in runs(pdfs[language, size])) >= 12 - 0.01


def baseline_gaps(read: list[Run]) -> Iterator[tuple[Run, float]]:
    """Each run that starts a line right under another of the same size and left edge
    (the next line of the same paragraph), with the distance between their baselines."""
    for above, below in itertools.pairwise(read):
        same_line_start = abs(above.x - below.x) < 0.5 and abs(above.size - below.size) < 0.01
        gap = below.y - above.y
        if above.page == below.page and same_line_start and 0 < gap < 2 * above.size:
            yield below, gap


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_large_print_spaces_lines_at_least_1_4_apart(
    pdfs: dict[tuple[str, str], bytes], language: str
) -> None:
    gaps = list(baseline_gaps(runs(pdfs[language, "large"])))
    assert len(gaps) > 5  # the instructions wrap over several lines
    for run, gap in gaps:
        assert gap / run.size >= 1.4, run


def tick_boxes(q: Questionnaire, language: str, size: str) -> list[tuple[float, float]]:
    """The width and height, in millimetres, of every box drawn to tick, as laid out."""
    html = sheet_html(q, language=language, size=size)
    document = weasyprint.HTML(string=html).render()
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            classes = element.get("class", "").split() if element is not None else []
            if "box" in classes and box.element_tag == "span":
                px = 25.4 / 96
                found.append((box.border_width() * px, box.border_height() * px))
    return found


def test_large_print_tick_boxes_are_at_least_8_mm() -> None:
    boxes = tick_boxes(PRINTED, "en", "large")
    assert len(boxes) > 30
    assert min(min(width, height) for width, height in boxes) >= 8


def tall(count: int) -> Questionnaire:
    """A survey of long-text questions (five ruled lines each) and one question of many
    choices, which does not fit under the first ones on a page."""
    from tests.quality.factories import question
    from tests.quality.factories import questionnaire as build

    choices = [{"value": f"c{i}", "label": {"en": f"Choice number {i}"}} for i in range(1, 13)]
    return build(
        *(question(f"T{i}", "long_text") for i in range(1, count + 1)),
        question("MANY", "single_choice", choices=choices),
        question("AFTER", "short_text"),
    )


def test_in_large_print_a_question_too_tall_for_the_rest_of_the_page_moves_whole() -> None:
    pdf = pdf_of(tall(3), "en", "large")
    printed = pages(pdf)
    holding = [number for number, page in enumerate(printed, start=1) if "MANY" in page]
    assert len(holding) == 1
    page = holding[0]
    assert "Choice number 1\n" in printed[page - 1] and "Choice number 12" in printed[page - 1]
    read = runs(pdf)
    # It starts its page, and the page before it had room left that it did not take.
    top = min(run.y for run in read if run.page == page)
    first = next(run for run in read if run.page == page and run.y == top)
    assert first.text.startswith("MANY")
    before = max(run.y for run in read if run.page == page - 1 and "Page" not in run.text)
    assert before < (297 - 22 - 40) * MM


def test_the_shipped_questionnaire_prints_in_every_language_and_size(
    shipped: Questionnaire,
) -> None:
    for language in shipped.languages:
        counts = {}
        for size in ("standard", "large"):
            pdf = pdf_of(shipped, language, size)
            read = squashed(text(pdf))
            wanted = [squashed(f"{q.code}{q.text[language]}") for q in shipped.questions]
            assert in_order(read, wanted), (language, size)
            counts[size] = len(pages(pdf))
            if size == "large":
                assert_no_question_split(shipped, language, pages(pdf))
        assert counts["large"] > counts["standard"] > 1


def assert_no_question_split(q: Questionnaire, language: str, printed: list[str]) -> None:
    """Each question's text and its last box's label are on one page."""
    for question in q.questions:
        start = squashed(f"{question.code}{question.text[language]}")
        holding = [page for page in printed if start in squashed(page)]
        assert len(holding) == 1, question.code
        if question.choices:
            last = question.choices[-1].label[language]
            assert squashed(last) in squashed(holding[0]), question.code


@pytest.fixture(scope="module")
def shipped() -> Questionnaire:
    from fieldwork.config import ROOT
    from fieldwork.definitions.reading import read_folder

    return read_folder(ROOT / "questionnaires").questionnaires["after_sales_consumer"]


def test_a_language_the_questionnaire_lacks_is_refused() -> None:
    from tests.quality.factories import question
    from tests.quality.factories import questionnaire as build

    with pytest.raises(ValueError, match="zh-Hans"):
        sheet_html(build(question("A", "short_text")), language="zh-Hans", size="standard")
    with pytest.raises(ValueError, match="huge"):
        sheet_html(PRINTED, language="en", size="huge")


def test_the_html_names_its_language_and_title() -> None:
    html = sheet_html(PRINTED, language="zh-Hant", size="large")
    assert re.search(r'<html lang="zh-Hant"', html)
    assert "<title>紙本測試問卷</title>" in html
    assert 'font-family: "Fieldwork TC"' in html
