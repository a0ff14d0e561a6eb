"""A respondent of bench/respondents.py walked through the survey's pages, as a person does.

Shared by bench/quality.py (Flask's test client, on the app's virtual clock) and
bench/soak.py (HTTP to gunicorn, while workers are killed): the walk is the same, only
the client differs, so a walk is given a way to make a client for a person and address.

The walk: the start page (with the person's invitation link), consent, every question
page with the person's answers, save and resume elsewhere if the person does, the check
page, and the submit with the check page's hidden fields (its submission id among them).
Scripts that post the whole form without walking it do just that.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from respondents import Person
from werkzeug.datastructures import MultiDict

from fieldwork.questionnaire.model import Questionnaire

QID = "after_sales_consumer"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIELD = re.compile(r'name="([A-Z][A-Za-z0-9_]*)(?:-[a-z]+)?"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
RESUME_CODE = re.compile(r"\b(\d{4} \d{4} \d{4})\b")
DONE = re.compile(r"/done/([0-9a-f-]{36})")


class Reply(Protocol):
    """What a walk reads of an answer (a Flask test response has it)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Any: ...  # .get("Location", "")
    @property
    def text(self) -> str: ...


class Client(Protocol):
    """A browser: keeps its cookies between requests."""

    def get(self, path: str, *, query_string: dict[str, str] | None = None) -> Reply: ...
    def post(self, path: str, *, data: Any) -> Reply: ...


class Refused(RuntimeError):
    """The app refused a step of a walk that a person would have been let through."""


class Clock:
    """The virtual time the app reads while a person walks the pages."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class Walker:
    """Plays people through the pages of one questionnaire; `browser` makes a client for
    a person from an address (None: their own)."""

    questionnaire: Questionnaire
    time: Clock
    browser: Callable[[Person, str | None], Client]

    def client(self, person: Person, address: str | None = None) -> Client:
        return self.browser(person, address)

    def walk(self, person: Person, client: Client) -> str | None:
        """Plays one person; the submission id of what they stored, or None."""
        self.time.now = person.start
        if person.direct_post:
            return self._post_directly(person, client)
        link = {"lang": person.locale, **person.link}
        client.get(f"/s/{QID}/", query_string=link)
        start = client.get(f"/s/{QID}/")
        self.time.wait(person.pace(self.questionnaire.questions[0]) * 2)  # reads the start
        reply = client.post(
            f"/s/{QID}/start", data={"consent": "yes", "csrf_token": csrf(start.text)}
        )
        answered = 0
        while True:
            target = reply.headers.get("Location", "")
            if "/q/" not in target:
                break
            page = client.get(target)
            codes = list(dict.fromkeys(FIELD.findall(page.text)))
            for code in codes:
                self.time.wait(person.pace(self.questionnaire.question(code)))
            form: dict[str, Any] = {"csrf_token": csrf(page.text), "action": "continue"}
            for code in codes:
                form.update(person.answers[code])
            if person.save_after is not None and answered == person.save_after:
                client, reply = self._save_and_resume(person, client, target, form)
                answered += 1
                continue
            reply = client.post(target, data=form)
            if reply.status_code != 303:
                raise Refused(f"{person.kind}: page {target} refused: {reply.status_code}")
            answered += 1
        check = client.get(f"/s/{QID}/check")
        self.time.wait(person.pace(self.questionnaire.questions[-1]))
        fields = MultiDict([(n, html.unescape(v)) for n, v in HIDDEN.findall(check.text)])
        sent = client.post(f"/s/{QID}/submit", data=fields)
        found = DONE.search(sent.headers.get("Location", ""))
        if not found:
            raise Refused(f"{person.kind}: submit refused: {sent.status_code}")
        return found.group(1)

    def _save_and_resume(
        self, person: Person, client: Client, target: str, form: dict[str, Any]
    ) -> tuple[Client, Reply]:
        """Saves the page, goes away for days, comes back with the code elsewhere."""
        client.post(target, data={**form, "action": "save"})
        saved = client.get(f"/s/{QID}/saved")
        code = RESUME_CODE.search(saved.text)
        if not code:
            raise Refused(f"{person.kind}: no resume code on the saved page")
        self.time.wait(person.resume_after.total_seconds())
        elsewhere = self.client(person, person.resume_address)
        page = elsewhere.get("/resume")
        reply = elsewhere.post(
            "/resume", data={"code": code.group(1), "csrf_token": csrf(page.text)}
        )
        return elsewhere, reply

    def _post_directly(self, person: Person, client: Client) -> str | None:
        """A script: one GET for a session and token, then the whole form posted at once."""
        start = client.get(f"/s/{QID}/", query_string={"lang": person.locale})
        form: dict[str, Any] = {"csrf_token": csrf(start.text)}
        for answers in person.answers.values():
            form.update(answers)
        submission_id = str(uuid.uuid4())
        form["submission_id"] = submission_id
        self.time.wait(2)
        sent = client.post(f"/s/{QID}/submit", data=form)
        return submission_id if sent.status_code == 303 else None


def csrf(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise Refused("a page without a CSRF token")
    return found.group(1)
