"""Error messages in the words the person saw, in every language: a limit in the unit the
answer is typed in, a special answer or an exclusive choice by its label on screen; and a
mistyped resume code told apart from an empty one and from one that matches nothing."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from fieldwork.config import ROOT
from fieldwork.questionnaire.types import TYPES
from fieldwork.responses import codes
from fieldwork.web.messages import MESSAGES, REQUIRED
from tests.conftest import csrf_of, page_codes, started
from tests.questionnaires import Survey
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES
from tests.questionnaires.units import SURVEY as UNITS

LANGS = ("zh-Hans", "zh-Hant", "en")
ANSWERS = ROOT / "fieldwork" / "answers" / "__init__.py"


def in_language(client: FlaskClient, lang: str) -> FlaskClient:
    client.get(f"/settings/language/{lang}")
    return client


def post_page(client: FlaskClient, survey: Survey, **changed: Any) -> TestResponse:
    """Answer the pages before the one asking the changed questions completely, then post
    that page with the changes."""
    location = started(client, survey)
    for _ in range(10):
        page = client.get(location)
        asked = page_codes(page.text)
        form: dict[str, Any] = {"csrf_token": csrf_of(page.text), "action": "continue"}
        for code in asked:
            form.update(changed.get(code) or survey.complete[code])
        posted = client.post(location, data=form)
        if set(changed) & set(asked):
            return posted
        location = posted.headers["Location"]
    raise AssertionError(f"no page asks {sorted(changed)}")


def error_of(page: TestResponse, code: str) -> str:
    """The message shown at a question, as read (without the hidden "Error:")."""
    assert page.status_code == 422, page.status_code
    found = re.search(rf'<p class="error-message" id="{code}-error">(.*?)</p>', page.text, re.S)
    assert found, f"no message at {code}"
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1))
    return html.unescape(shown).strip()


def summary_links(page: TestResponse) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</ul>', page.text, re.S)
    assert summary, "no error summary"
    return [html.unescape(t).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", summary.group(0))]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-Hans", "请填写不超过 168 小时"),
        ("zh-Hant", "請填寫不超過 168 小時"),
        ("en", "Enter 168 hours or less"),
    ],
)
def test_a_duration_over_its_limit_says_it_in_hours(
    client: FlaskClient, lang: str, words: str
) -> None:
    """WAITED allows at most 10080 minutes: the person typed hours, so the limit is hours."""
    page = post_page(
        in_language(client, lang), TWO_PAGES, WAITED={"WAITED-hours": "200", "WAITED-minutes": ""}
    )
    assert error_of(page, "WAITED") == words
    assert summary_links(page) == [words]
    assert "10080" not in page.text and "10,080" not in page.text


@pytest.mark.parametrize(
    ("lang", "over", "under"),
    [
        ("zh-Hans", "请填写不超过 1 小时 30 分钟", "请填写不少于 10 分钟"),
        ("zh-Hant", "請填寫不超過 1 小時 30 分鐘", "請填寫不少於 10 分鐘"),
        ("en", "Enter 1 hour 30 minutes or less", "Enter 10 minutes or more"),
    ],
)
def test_a_duration_limit_is_in_hours_and_minutes_as_typed(
    app: Flask, lang: str, over: str, under: str
) -> None:
    too_long = post_page(
        in_language(app.test_client(), lang), UNITS, CALL={"CALL-hours": "2", "CALL-minutes": "0"}
    )
    assert error_of(too_long, "CALL") == over
    too_short = post_page(
        in_language(app.test_client(), lang), UNITS, CALL={"CALL-hours": "", "CALL-minutes": "5"}
    )
    assert error_of(too_short, "CALL") == under


@pytest.mark.parametrize(
    ("lang", "over", "under"),
    [
        ("zh-Hans", "请填写不超过 5,000 元", "请填写不少于 1 元"),
        ("zh-Hant", "請填寫不超過 5,000 元", "請填寫不少於 1 元"),
        ("en", "Enter 5,000 yuan or less", "Enter 1 yuan or more"),
    ],
)
def test_a_number_with_a_unit_says_the_unit(app: Flask, lang: str, over: str, under: str) -> None:
    too_much = post_page(in_language(app.test_client(), lang), UNITS, REFUND={"REFUND": "6000"})
    assert error_of(too_much, "REFUND") == over
    too_little = post_page(in_language(app.test_client(), lang), UNITS, REFUND={"REFUND": "0"})
    assert error_of(too_little, "REFUND") == under


@pytest.mark.parametrize(
    ("lang", "label", "words"),
    [
        ("zh-Hans", "不适用", "请填写答案，或者勾选“不适用”，不能两个都选"),
        ("zh-Hant", "不適用", "請填寫答案，或者勾選「不適用」，不能兩個都選"),
        ("en", "Not applicable", "Either give an answer or tick “Not applicable”, not both"),
    ],
)
def test_a_special_answer_conflict_names_the_option_on_screen(
    client: FlaskClient, lang: str, label: str, words: str
) -> None:
    """REFUND offers "Not applicable" only: the message names it, never "Don't know"."""
    page = post_page(
        in_language(client, lang),
        UNITS,
        REFUND={"REFUND": "12", "REFUND-special": "_not_applicable"},
    )
    assert error_of(page, "REFUND") == words
    box = re.search(r'<label class="choice-label" for="REFUND-special-1">(.*?)</label>', page.text)
    assert box and box.group(1) == label


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-Hans", "“都没用过”不能和其他答案一起选"),
        ("zh-Hant", "「都沒用過」不能和其他答案一起選"),
        ("en", "“None” cannot be chosen with other answers"),
    ],
)
def test_an_exclusive_choice_is_named_as_labelled(
    client: FlaskClient, lang: str, words: str
) -> None:
    page = post_page(in_language(client, lang), TWO_PAGES, CHANNELS={"CHANNELS": ["phone", "none"]})
    assert error_of(page, "CHANNELS") == words


def test_every_issue_code_the_rules_give_has_a_message() -> None:
    """Read from the source: a new code without words would fall back to another's."""
    given = set()
    for path in [*(ROOT / "fieldwork" / "questionnaire").glob("*.py"), ANSWERS]:
        given |= set(re.findall(r'Issue\.of\(\s*[^,]+,\s*"([a-z-]+)"', path.read_text()))
    assert "value-and-special" in given
    assert given - set(MESSAGES) == set()
    assert set(REQUIRED) <= set(TYPES)


# --- resume codes --------------------------------------------------------------------------

CODE = "123456789018"  # well formed (its check digit holds), and no draft has it
MISTYPED = CODE[:-1] + "9"

RESUME_WORDS = {
    "zh-Hans": (
        "请输入您拿到的 12 位续填码，例如 1234 5678 9012",
        "请检查数字：有一位输错了，或者有两位顺序颠倒了。请和您拿到的续填码核对。",
        "找不到和这个续填码对应的答案。续填码在 30 天内有效，过期后请重新开始填写问卷。",
    ),
    "zh-Hant": (
        "請輸入您取得的 12 位數續填碼，例如 1234 5678 9012",
        "請檢查數字：有一位輸入錯誤，或者有兩位順序顛倒了。請和您取得的續填碼核對。",
        "找不到與這個續填碼相符的答案。續填碼在 30 天內有效，過期後請重新開始填寫問卷。",
    ),
    "en": (
        "Enter the 12-digit code you were given, like 1234 5678 9012",
        "Check the digits: one of them is mistyped, or two are swapped. "
        "Compare them with the code you were given.",
        "No saved answers match this code. A code works for 30 days; "
        "after that, start the questionnaire again.",
    ),
}


def try_code(client: FlaskClient, typed: str) -> tuple[int, str]:
    """Post a code on the resume page: the status and the message shown at the field."""
    token = csrf_of(client.get("/resume").text)
    page = client.post("/resume", data={"csrf_token": token, "code": typed})
    return page.status_code, error_of_field(page)


def error_of_field(page: TestResponse) -> str:
    found = re.search(r'<p class="error-message" id="code-error">(.*?)</p>', page.text, re.S)
    assert found, "no message at the code"
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1))
    return html.unescape(shown).strip()


def test_the_samples_are_what_they_claim() -> None:
    assert codes.normalise_resume_code(CODE) == CODE
    assert codes.resume_code_problem(MISTYPED) == codes.MISTYPED


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("typed", ["", "   ", "1234 5678", "1234 5678 90189", "abcd efgh ijkl"])
def test_an_empty_or_wrong_length_code_asks_for_the_12_digits(
    client: FlaskClient, lang: str, typed: str
) -> None:
    assert try_code(in_language(client, lang), typed) == (422, RESUME_WORDS[lang][0])


@pytest.mark.parametrize("lang", LANGS)
def test_a_code_with_a_wrong_check_digit_says_check_the_digits(
    client: FlaskClient, lang: str
) -> None:
    swapped = CODE[:4] + CODE[5] + CODE[4] + CODE[6:]  # 1234 6578 9018: two digits swapped
    for typed in (MISTYPED, "1234-5678-9019", swapped):
        assert try_code(in_language(client, lang), typed) == (422, RESUME_WORDS[lang][1])


@pytest.mark.parametrize("lang", LANGS)
def test_a_well_formed_code_that_matches_nothing_says_so(client: FlaskClient, lang: str) -> None:
    assert try_code(in_language(client, lang), "1234 5678 9018") == (404, RESUME_WORDS[lang][2])
