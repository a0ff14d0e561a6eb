"""The app's own work without the framework, for `submit.py --floor`.

The submit view's work, called from a bare WSGI function instead of Flask: the form
parsed with `parse_qsl` into the MultiDict the fields read, each question's raw answer
read, the paradata the view records (browser family, keyed IP hash), then
`fieldwork.responses.entry.submit` with the app's screener: parse, validate, derive the
segment, run the quality rules, insert once, audit the automatic decision, commit.
No session cookie, no CSRF check, no locale negotiation, no request context.

Beside bench/floor.py (the framework without the work) it bounds the app from the
other side: if even this stays under half the baseline's rate, no change to the web
layer alone can reach the target.

gunicorn loads it as `work:app` with the database in FIELDWORK_DATABASE_URL.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from sqlmodel import Session
from ua_parser import parse_user_agent
from werkzeug.datastructures import MultiDict

from fieldwork import config, db, modes
from fieldwork.definitions.service import Versions
from fieldwork.questionnaire.loader import SEGMENTS_FILE, load_directory, read_segments
from fieldwork.responses import entry, service
from fieldwork.review.screening import Policy, Screener
from fieldwork.web import fields

QID = "after_sales_consumer"
KEY = b"bench-ip-hash-key"

engine = db.make_engine(os.environ["FIELDWORK_DATABASE_URL"])
versions = Versions()
screener = Screener(Policy(), versions.current)
_directory = config.ROOT / "questionnaires"
_raws = {q.id: q.definition for q in load_directory(_directory).questionnaires.values()}
segments, _problems = read_segments(_directory / SEGMENTS_FILE, _raws)


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] == "GET":  # the clients look for a CSRF field to send back
        page = b'<form method="post"><input type="hidden" name="csrf_token" value="x">'
        start_response("200 OK", [("Content-Length", str(len(page)))])
        return [page]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8")
    form: MultiDict[str, str] = MultiDict(parse_qsl(body, keep_blank_values=True))
    submission_id = service.parse_submission_id(form.get("submission_id", ""))
    with Session(engine) as session:
        questionnaire = versions.current(session, QID)
        assert questionnaire is not None and submission_id is not None
        agent = parse_user_agent(environ.get("HTTP_USER_AGENT", "")[:512])
        address = environ.get("REMOTE_ADDR", "").encode()
        origin = entry.Origin(
            mode="online",
            creator=modes.RESPONDENT,
            locale="zh-Hans",
            ip_hash=hmac.new(KEY, address, hashlib.sha256).hexdigest(),
            paradata={
                "locale": "zh-Hans",
                "text_size": "standard",
                "contrast": "standard",
                "browser": agent.family if agent else "Other",
            },
        )
        issues = entry.submit(
            session,
            questionnaire,
            fields.read_form(questionnaire.questions, form),
            origin,
            submission_id,
            current=questionnaire,
            fallback_segment=segments[-1].code,
            screen=screener,
        ).issues
    if issues:
        start_response("422 Unprocessable Content", [("Content-Length", "0")])
        return [b""]
    location = f"/s/{QID}/done/{submission_id}"
    start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
    return [b""]
