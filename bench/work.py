"""The app's own work without the framework, for `submit.py --floor`.

The submit view's work, called from a bare WSGI function instead of Flask: the form
parsed with `parse_qsl` into the MultiDict the fields read, each question's raw answer
read and parsed, the paradata the view records (browser family, keyed IP hash), then
`fieldwork.responses.service.submit` with the app's screener: validate, derive the
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

from fieldwork import answers as answer_rules
from fieldwork import config, db
from fieldwork.definitions.service import Versions
from fieldwork.questionnaire.loader import SEGMENTS_FILE, load_directory, read_segments
from fieldwork.responses import service
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
        raw = {q.code: fields.builder(q).read(q, form) for q in questionnaire.questions}
        given, issues = answer_rules.parse(questionnaire.questions, raw)
        agent = parse_user_agent(environ.get("HTTP_USER_AGENT", "")[:512])
        address = environ.get("REMOTE_ADDR", "").encode()
        submission = service.Submission(
            submission_id=submission_id,
            questionnaire=questionnaire,
            answers=given,
            segments=segments,
            link_segment=None,
            locale="zh-Hans",
            ip_hash=hmac.new(KEY, address, hashlib.sha256).hexdigest(),
            paradata={
                "page_seconds": {},
                "locale": "zh-Hans",
                "text_size": "standard",
                "contrast": "standard",
                "browser": agent.family if agent else "Other",
            },
        )
        if not issues:
            _stored, issues = service.submit(session, submission, screener)
    if issues:
        start_response("422 Unprocessable Content", [("Content-Length", "0")])
        return [b""]
    location = f"/s/{QID}/done/{submission_id}"
    start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
    return [b""]
