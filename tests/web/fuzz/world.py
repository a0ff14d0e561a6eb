"""What the route-by-route fuzz acts on and as: one of everything a path can name (a
draft, responses, a batch, a print run, a paper entry, a shadow test with evidence), a
signed-in client for each role, and the row counts a refused request must leave alone."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from ipaddress import IPv4Address
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from sqlmodel import Session

from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.exports import files
from fieldwork.exports.models import Batch
from fieldwork.paper import entry as keyed
from fieldwork.paper import ids
from fieldwork.paper import service as paper
from fieldwork.paper.models import PaperSheet
from tests.conftest import csrf_of, started
from tests.paper.entries import CASE, key_all
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES
from tests.review.factories import add_response, freeze_all, sign_in, staff
from tests.shadow.plans import planned_test, shadows
from tests.shadow.submitted import CONTACT, attach, log, png, submit
from tests.web.fuzz.routes import ANSWERS

STAFF = {
    "admin": "admin.wang",
    "reviewer": "reviewer.zhao",
    "fieldworker": "worker.li",
    "tester": "tester.li",
}
"""Who signs in for each staff role (accounts.models.ROLES)."""
GUESSED = "guessed.wu"
"""The account the sign-in form's fuzz names: its lock-out after wrong passwords locks no
role out."""
SECOND_KEYER = "worker.chen"
"""Keys a sheet the fieldworker keyed too, so it waits for a supervisor."""
ROLES = ("anonymous", "respondent", *STAFF)
PLACEHOLDER = re.compile(r"\{\w+\}")

RECORDS_REFUSALS = frozenset({"attempt_count"})
"""Tables a refused request may write to: refusals are what they count (a wrong password,
a wrong resume code, each counted to throttle guessing)."""


class World:
    """The app with its data, and each role's client: Hypothesis's examples share one
    world, so a change one request makes (a sheet voided, a draft submitted) is what the
    next ones meet, as on a live server."""

    def __init__(self, app: Flask, known: dict[str, list[str]]) -> None:
        self.app = app
        self.known = known
        """Real values of each path argument (by its name in the rules), so a route reads on."""
        self.clients: dict[str, FlaskClient] = {}
        self.tokens: dict[str, str] = {}
        self.addresses = itertools.count(1)

    def __repr__(self) -> str:
        return "World(...)"  # a failing example names what it sent, not all of this

    def act_as(self, role: str) -> None:
        """A fresh client for the role: signed in, or with a draft begun, and its CSRF
        token (valid, so a form is read, not only refused by CSRF)."""
        client = self.app.test_client()
        # An address of its own: sign-in failures counted against another do not lock it out.
        client.environ_base["REMOTE_ADDR"] = str(IPv4Address("10.0.0.0") + next(self.addresses))
        if role == "respondent":  # mid-draft: the first page answered, so it is stored
            first = started(client, TWO_PAGES)
            token = csrf_of(client.get(first).text)
            answered = client.post(
                first, data={"csrf_token": token, **ANSWERS, "action": "continue"}
            )
            assert answered.status_code == 303, answered.text[:500]
            page = answered.headers["Location"]
            self.known["key"] = [urlsplit(page).path.rsplit("/", 1)[-1]]
        elif role in STAFF:
            sign_in(client, STAFF[role])
            page = "/staff/"
        else:
            page = "/staff/login"
        self.clients[role], self.tokens[role] = client, csrf_of(client.get(page).text)

    def filled(self, valid: Mapping[str, Any]) -> dict[str, Any]:
        """A recipe's valid form with each "{name}" replaced by a real value of `name`."""
        return {
            field: self.known[sent[1:-1]][0] if PLACEHOLDER.fullmatch(str(sent)) else sent
            for field, sent in valid.items()
        }

    def rows(self) -> dict[str, int]:
        """Each table's row count, in one query (the names are the database's own)."""
        engine = self.app.extensions["fieldwork.engine"]
        tables = sorted(inspect(engine).get_table_names())
        counts = ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)  # noqa: S608
        with engine.connect() as connection:
            found = connection.execute(text(f"SELECT {counts}")).one()
        return dict(zip(tables, found, strict=True))


def built(app: Flask, session: Session) -> World:
    """Staff of every role, a pending and an approved response, a batch, a print run of
    three sheets (one being keyed, one keyed twice and waiting to be reconciled), a shadow
    test for the tester with a screenshot, one submitted for review, and a client for each
    role."""
    people = {username: staff(app, username, role) for role, username in STAFF.items()}
    staff(app, SECOND_KEYER, "fieldworker")
    staff(app, GUESSED, "reviewer")
    pending = add_response(app)
    add_response(app, status="approved")
    batch_id = freeze_all(app, people["admin.wang"], "fuzz")
    sheets, entry_id = _paper(session)
    test, submitted = planned_test(session, STAFF["tester"]), planned_test(session, STAFF["tester"])
    evidence = attach(app, session, test, None, png())
    covert = shadows().shadows["covert"]
    log(session, covert, submitted, *CONTACT)
    checklist = Versions().by_hash(session, covert.content_hash)
    assert checklist is not None
    shadow_response = submit(session, submitted, checklist)
    batch = session.get(Batch, batch_id)
    assert batch is not None
    known = {
        "qid": [TWO_PAGES.id],
        "key": [],
        "submission_id": ["00000000-0000-4000-8000-000000000000"],
        "tag": ["en", "zh-Hans", "zh-Hant"],
        "filename": ["css/fieldwork.css", "js/fieldwork.js"],
        "batch_id": [str(batch_id)],
        "name": files.names(batch),
        "response_id": [str(pending), str(shadow_response.id)],
        "run_id": [str(sheets[0].run_id)],
        "sheet_id": [ids.shown(sheet.id) for sheet in sheets],
        "entry_id": [str(entry_id)],
        "code": ["about", "case"],
        "test_id": [str(test.id)],
        "evidence_id": [str(evidence.id)],
    }
    world = World(app, known)
    for role in ROLES:
        world.act_as(role)
    return world


def _paper(session: Session) -> tuple[list[PaperSheet], int]:
    """A run of three sheets of the two-page survey for the fieldworker, each to be keyed
    twice: the first being keyed, the second keyed twice with a difference (waiting for a
    supervisor), the third not yet; and the entry being keyed."""
    questionnaire = Versions().current(session, TWO_PAGES.id)
    assert questionnaire is not None
    admin, keyer = (_person(session, name) for name in ("admin.wang", STAFF["fieldworker"]))
    order = paper.Order(language="en", size="large", count=3, issued_to=keyer.username)
    run = paper.issue(session, questionnaire, order, admin)
    run.verification = "all"
    session.add(run)
    session.commit()
    sheets = list(paper.sheets(session, run.id or 0))
    entry = keyed.start(session, sheets[0].id, keyer)
    key_all(session, questionnaire, keyed.start(session, sheets[1].id, keyer))
    second = keyed.start(session, sheets[1].id, _person(session, SECOND_KEYER))
    key_all(session, questionnaire, second, case={**CASE, "CALLS": {"": "3"}})
    assert entry.id is not None
    return sheets, entry.id


def _person(session: Session, username: str) -> StaffUser:
    return session.exec(select(StaffUser).where(StaffUser.username == username)).one()[0]
