"""Three languages: choice remembered, <html lang> right, Babel formatting, catalogs complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fieldwork.cli import catalog_problems
from tests.questionnaires.two_pages import SURVEY


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', text)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-Hant-TW", "zh-Hant"),
        ("fr-FR", "zh-Hans"),
        ("fr, en;q=0.5", "en"),
    ],
)
def test_language_from_browser(client: FlaskClient, header: str, lang: str) -> None:
    page = client.get(SURVEY.start, headers={"Accept-Language": header} if header else {})
    assert html_lang(page.text) == lang


def test_explicit_choice_beats_link_and_browser_and_is_remembered(client: FlaskClient) -> None:
    client.get(SURVEY.url("?lang=zh-Hant"))
    assert html_lang(client.get("/", headers={"Accept-Language": "en"}).text) == "zh-Hant"
    client.get("/settings/language/en")
    assert html_lang(client.get(SURVEY.url("?lang=zh-Hant")).text) == "en"  # the choice beats links
    client.get("/settings/language/en")
    assert html_lang(client.get("/resume", headers={"Accept-Language": "zh-CN"}).text) == "en"


@pytest.mark.parametrize(
    ("lang", "words"), [("zh-Hans", "继续"), ("zh-Hant", "繼續"), ("en", "Continue")]
)
def test_ui_strings_are_translated(client: FlaskClient, lang: str, words: str) -> None:
    client.get(f"/settings/language/{lang}")
    assert words in client.get("/resume").text


def test_every_page_offers_the_language_switch(client: FlaskClient) -> None:
    for path in ("/", SURVEY.start, "/resume", "/staff/login", "/s/nothing/"):
        text = client.get(path).text
        for tag in ("zh-Hans", "zh-Hant", "en"):
            assert f"/settings/language/{tag}" in text, path


def test_shipped_catalogs_have_every_ui_string() -> None:
    assert catalog_problems() == []


def test_a_ui_string_never_extracted_is_reported(tmp_path: Path) -> None:
    """Added to the code without `translations extract`, it is in no catalog either."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "views.py").write_text('MESSAGE = _l("Thank you for waiting")\n', "utf-8")
    (tmp_path / "templates" / "page.html").write_text('<p>{{ _("Nearly done") }}</p>\n', "utf-8")
    problems = [str(problem) for problem in catalog_problems(source=tmp_path)]
    for locale in ("zh_Hans", "zh_Hant"):
        for message in ("Thank you for waiting", "Nearly done"):
            assert (
                f"translations/{locale}/LC_MESSAGES/messages.po: -: "
                f"no {locale} translation for {message!r}"
            ) in problems


def test_the_remembered_language_does_not_resend_the_session_with_every_response(
    client: FlaskClient,
) -> None:
    """A stylesheet or a 404 answered after a newer page must not put back the session it
    was asked with: the newer page's form token (or draft) would be lost."""
    client.get("/settings/language/en")  # a remembered, long-lived session
    login = client.get("/staff/login")
    assert login.status_code == 200 and client.get_cookie("session") is not None
    for path in ("/static/css/fieldwork.css", "/no-such-page", "/staff/login"):
        assert "Set-Cookie" not in client.get(path).headers, path
