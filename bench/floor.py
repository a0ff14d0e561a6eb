"""The framework floor for `submit.py --floor`: what the stack costs before the app works.

A Flask app with what every submit needs from the framework and nothing of the
questionnaire: the signed cookie session, Flask-WTF's CSRF check, the form parse,
one SQLAlchemy Core "insert unless this submission id exists" into the app's own
`response` table (its indexes included) on an engine made by `fieldwork.db`, and
the app's own 303 with no body (`fieldwork.web.redirects.see_other`: Flask's redirect
page would cost the floor a socket write the app no longer makes). No answer is parsed
or validated, no quality rule runs, nothing is audited. Its rate against the baseline's
is the best ratio the real endpoint could reach on this stack; the gap between it and
the app is the app's own work.

gunicorn loads it as `floor:app` with the database in FIELDWORK_DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid

from flask import Flask, render_template_string, request, url_for
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from werkzeug.wrappers import Response as HTTPResponse

from fieldwork import db
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.responses.models import Response
from fieldwork.web.redirects import see_other

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["FIELDWORK_SECRET_KEY"], WTF_CSRF_TIME_LIMIT=None)
CSRFProtect(app)
engine = db.make_engine(os.environ["FIELDWORK_DATABASE_URL"])
table = Response.__table__  # type: ignore[attr-defined]
insert_once = (
    sqlite.insert(table)
    .on_conflict_do_nothing(index_elements=["submission_id"])
    .returning(table.c.id)
)
with engine.connect() as connection:
    version_hash = connection.execute(select(QuestionnaireVersion.content_hash)).scalar_one()


@app.get("/s/<qid>/")
def start(qid: str) -> str:
    return render_template_string(
        '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
    )


@app.post("/s/<qid>/submit")
def submit(qid: str) -> HTTPResponse:
    answers = request.form.to_dict(flat=False)
    submission_id = str(uuid.UUID(answers.pop("submission_id")[0]))
    answers.pop("csrf_token", None)
    row = {
        "submission_id": submission_id,
        "reference": secrets.token_hex(6),  # as long as the column allows: no collisions
        "questionnaire_id": qid,
        "version_hash": version_hash,
        "mode": "online",
        "segment": "general",
        "segment_source": "answers",
        "locale": "zh-Hans",
        "status": "pending",
        "flags": [],
        "answers": answers,
        "paradata": {},
        "answers_hash": "",
        "submitted_at": dt.datetime.now(dt.UTC),
        "row_version": 1,
    }
    with engine.begin() as connection:
        connection.execute(insert_once, row)
    return see_other(url_for("done", qid=qid, submission_id=submission_id))


@app.get("/s/<qid>/done/<submission_id>")
def done(qid: str, submission_id: str) -> str:
    return "stored"
