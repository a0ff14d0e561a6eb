"""Part (d) of bench/paper.py: the shipped questionnaire's sheet keyed through the real entry
pages in Chromium, counting the keys pressed against what the stored answers hold.

A module of its own so that bench/paper.py imports it (the app, its services, Playwright)
only after (c) has taken the print run's peak memory. It repeats, on purpose, what
tests/browser/test_entry.py's shipped-sheet test does: a benchmark imports no test module.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, sync_playwright
from sqlmodel import Session, select
from werkzeug.serving import WSGIRequestHandler, make_server

from fieldwork import catalog, create_app, db
from fieldwork.accounts import service as accounts
from fieldwork.config import ROOT
from fieldwork.definitions import service as definitions
from fieldwork.definitions.reading import read_folder
from fieldwork.paper import ids, keying
from fieldwork.paper import service as paper
from fieldwork.paper.models import PaperEntry
from fieldwork.paper.verification import NONE
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.responses.models import Response

QUESTIONNAIRE = "after_sales_consumer"
KEYER, KEYER_PASSWORD = "bench.keyer", "a long enough bench password"
CHROMIUM = os.environ.get("FIELDWORK_CHROMIUM", "/usr/bin/chromium")  # Debian's package
KEYS_OVER_ANSWERS = 1.2
SHEET: dict[str, Any] = {
    "S1": "age_35_44",
    "S2": "no",
    "S3": ["taobao_tmall", "jd"],
    "S4": "clothing",
    "S5": "in_app_chat",
    "S6": "jd",
    "Q1": "2026-09-03",
    "Q2": "bot_then_human",
    "Q3": 75,
    "Q4": "yes_after_several",
    "Q5": 3,
    "Q6": ["sent_to_seller"],
    "Q7": 4,
    "Q8": 3,
    "Q9": "_dont_know",
    "Q10": 5,
    "Q11": 4,
    "Q12": 2,
    "Q13": 3,
    "Q14": 4,
    "Q15": 7,
    "O1": "退货更快一点",
    "O2": "客服一直让我找商家。\n最后解决了。",
}
"""What the keyed sheet says, as stored values: every section answered, a multiple choice
of two, a date, a duration, "don't know" on a rating, two lines of open text."""


@dataclass(frozen=True)
class Keyed:
    """What keying the sheet took and gave."""

    pressed: int  # keys the keyer pressed on the sheet's pages (the id's aside)
    enters: int  # of them Enter and Shift+Enter: ending a field, a section, a line of text
    budget: int  # what the stored answers hold (`keying.keystrokes`)
    sections: int
    counted: int  # what the entry page's script counted: key events
    inserted: int  # characters Chromium was given as text, with no key event (Chinese)
    seconds: float
    wrong: list[str]  # questions stored otherwise than the sheet says


def keys_for(question: Question, value: Any) -> dict[str, str]:
    """What a keyer types into each field of a question for a stored value ("" for a
    question keyed in one field): printed codes, digits, dates in parts, text as written."""
    chosen = keying.keyer(question)
    codes = {box.value: str(box.code) for box in chosen.boxes(question)}
    if value is None:
        return {}
    if question.type == "date":
        year, month, day = str(value).split("-")
        return {"year": year, "month": str(int(month)), "day": str(int(day))}
    if question.type == "duration":
        hours, minutes = divmod(int(value), 60)
        return {"hours": str(hours) if hours else "", "minutes": str(minutes) if minutes else ""}
    if isinstance(value, list):
        return {"": " ".join(codes[v] for v in value)}
    if isinstance(value, str) and value in codes and not chosen.own_boxes(question):
        return {"": keying.SPECIAL_KEY + codes[value]}
    return {"": codes.get(value, str(value))}


@contextmanager
def live_app(folder: Path) -> Iterator[tuple[Flask, str]]:
    """The app in a temporary instance (a fresh SQLite database in `folder`, the shipped
    questionnaires stored, a fieldworker), served over HTTP from a thread."""
    url = f"sqlite:///{folder / 'fieldwork.db'}"
    db.upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret",
            "IP_HASH_KEY": "bench-ip-key",
            "EXPORTS_DIR": str(folder / "exports"),
            "PAPER_FONTS_DIR": str(folder / "paper-fonts"),
        }
    )
    with app.app_context():
        session = db.session()
        definitions.store(session, read_folder(ROOT / "questionnaires").questionnaires.values())
        accounts.create_user(session, KEYER, KEYER_PASSWORD, "fieldworker")
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="bench-server", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["fieldwork.engine"].dispose()


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def issue_sheet(app: Flask, language: str) -> str:
    """One sheet of the shipped questionnaire handed to the keyer, keyed once (no second
    entry): its id."""
    with app.app_context():
        session = db.session()
        questionnaire = catalog.versions().current(session, QUESTIONNAIRE)
        order = paper.Order(
            language=language, size="large", count=1, issued_to=KEYER, verification=NONE
        )
        run = paper.issue(session, questionnaire, order, None)
        return paper.sheets(session, run.id or 0)[0].id


def key_sheet(page: Page, sheet_id: str, questionnaire: Questionnaire) -> tuple[int, int]:
    """Sign in, type the sheet id, and key every section of the sheet as a keyer does: the
    keys of each field, Enter where a field does not move on by itself (Shift+Enter between
    lines of text); no mouse, no Tab. The keys pressed on the sheet's pages, and of them
    the Enters."""
    page.goto("/staff/login")
    page.fill("#username", KEYER)
    page.fill("#password", KEYER_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto("/staff/entry/")
    page.wait_for_function("() => document.activeElement.id === 'sheet'")
    page.keyboard.type(ids.shown(sheet_id))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pressed = enters = 0
    for _ in range(200):  # more than the sheet has fields and sections
        if "/staff/entry/?" in page.url:  # finished: back at the sheet id
            break
        page.wait_for_function("() => document.activeElement.matches('.entry-input, button')")
        keys, ends = _key_field(page, questionnaire)
        pressed, enters = pressed + keys, enters + ends
    return pressed, enters


def _key_field(page: Page, questionnaire: Questionnaire) -> tuple[int, int]:
    """Key the focused field (or send the section from its button): the keys pressed, and
    of them the Enters."""
    name = page.evaluate("() => document.activeElement.name || ''")
    if not name:
        with page.expect_navigation():
            page.keyboard.press("Enter")
        return 1, 1
    code, _dash, part = name.partition("-")
    typed = keys_for(questionnaire.question(code), SHEET.get(code)).get(part, "")
    lines = typed.split("\n")
    for number, line in enumerate(lines):
        if number:
            page.keyboard.press("Shift+Enter")
        page.keyboard.type(line)
    pressed, enters = len(typed), len(lines) - 1  # a line break is its Shift+Enter
    if page.evaluate("() => document.activeElement.name || ''") != name:
        return pressed, enters  # the code was complete: the page moved on by itself
    last = page.evaluate(
        "n => { const all = [...document.querySelectorAll('.entry-input:not(:disabled)')];"
        " return all[all.length - 1].name === n; }",
        name,
    )
    if last:  # Enter in the last field sends the section
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        page.keyboard.press("Enter")
    return pressed + 1, enters + 1


def keyed(language: str) -> Keyed:
    """(d) The shipped questionnaire's sheet keyed through the real entry pages in Chromium."""
    with (
        tempfile.TemporaryDirectory(prefix="fieldwork-keying-") as folder,
        live_app(Path(folder)) as (app, base),
        sync_playwright() as driver,
    ):
        sheet_id = issue_sheet(app, language)
        with app.app_context():
            questionnaire = catalog.versions().current(db.session(), QUESTIONNAIRE)
        assert questionnaire is not None
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_context(base_url=base, locale="en-GB").new_page()
            page.set_default_timeout(10_000)
            pressed, enters = key_sheet(page, sheet_id, questionnaire)
        finally:
            browser.close()
        with app.app_context():
            return _stored(db.session(), questionnaire, (pressed, enters), language)


def _stored(
    session: Session, questionnaire: Questionnaire, pressed: tuple[int, int], language: str
) -> Keyed:
    """What the keying stored, against the sheet: the answers, and the entry's paradata;
    `pressed` is the keys pressed and of them the Enters."""
    response = session.exec(select(Response)).one_or_none()
    entry = session.exec(select(PaperEntry)).one()
    answers = response.answers if response is not None else {}
    budget = sum(
        keying.keystrokes(questionnaire.question(code), value, language)
        for code, value in answers.items()
    )
    return Keyed(
        pressed=pressed[0],
        enters=pressed[1],
        budget=budget,
        sections=len(questionnaire.sections),
        counted=entry.keystrokes,
        inserted=sum(_inserted(keys) for keys in _sheet_keys(questionnaire)),
        seconds=entry.seconds,
        wrong=[code for code, value in SHEET.items() if answers.get(code) != value],
    )


def _sheet_keys(questionnaire: Questionnaire) -> Iterator[str]:
    for code, value in SHEET.items():
        yield from keys_for(questionnaire.question(code), value).values()


def _inserted(keys: str) -> int:
    """Characters no key of a US keyboard types: Playwright hands them to the page as
    inserted text, as an input method commits them, so the page's script sees no key
    for them (a person's input method keys are counted)."""
    return sum(not char.isascii() for char in keys)


def report(keyed: Keyed) -> list[tuple[str, bool, str]]:
    allowed = KEYS_OVER_ANSWERS * keyed.budget + keyed.sections
    print(
        f"(d) keying the shipped sheet: {keyed.pressed} keys pressed ({keyed.enters} of them"
        f" Enter), the answers hold {keyed.budget}, {keyed.sections} sections;"
        f" {keyed.seconds:.1f} s on the pages"
    )
    print(
        f"    the page's script counted {keyed.counted} key events: the {keyed.inserted}"
        " Chinese characters reach it as inserted text, as an input method commits them"
    )
    return [
        (
            f"(d) keys ≤ {KEYS_OVER_ANSWERS:g} × what the answers hold + one per section",
            keyed.pressed <= allowed and not keyed.wrong,
            f"{keyed.pressed} ≤ {allowed:.1f}"
            if not keyed.wrong
            else f"{keyed.pressed} keys; stored otherwise than the sheet: {keyed.wrong}",
        )
    ]
