"""Shadow tests logged, given evidence and submitted through the real services, screened
by the quality rules: what the review tests start from."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from sqlmodel import Session

from fieldwork import clock
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses.entry import Storing
from fieldwork.responses.models import Response
from fieldwork.review import screening
from fieldwork.shadow import events, submission
from fieldwork.shadow.models import Evidence, ShadowTest
from tests.shadow.plans import START, taps

ANSWERS = {"polite": "yes", "no_buck": "yes", "policy": "yes", "policy_note": "说明了七天无理由"}
SCREENED = Storing(
    current=None, fallback_segment="young", screen=screening.Screener(screening.Policy())
)


def png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG, as the upload service stores a re-encoded screenshot."""
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, "PNG")
    return out.getvalue()


def attach(
    app: Flask,
    session: Session,
    test: ShadowTest,
    item: str | None,
    data: bytes,
    original: str | None = None,
) -> Evidence:
    """An evidence file stored as the upload service leaves it: under a random name in
    EVIDENCE_DIR, with its sha-256 and the sha-256 of what was uploaded."""
    import hashlib

    folder = Path(app.config["EVIDENCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".png"
    (folder / name).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    found = Evidence(
        test_id=test.id or 0,
        item=item,
        stored_name=name,
        media_type="image/png",
        original_sha256=original or digest,
        sha256=digest,
        size=len(data),
        width=24,
        height=16,
        uploaded_by=test.tester_id or 0,
        received_at=clock.now(),
    )
    session.add(found)
    session.commit()
    session.refresh(found)
    return found


def log(
    session: Session, covert: ShadowDefinition, test: ShadowTest, *timeline: tuple[str, float]
) -> None:
    """Log (event, seconds after START) as the tester's device would, an hour after START."""
    with clock.set_to(START + dt.timedelta(hours=1)):
        events.log(session, test, covert, [events.read(e) for e in taps(*timeline)])


def submit(
    session: Session,
    test: ShadowTest,
    checklist: Questionnaire,
    answers: dict[str, Any] | None = None,
    storing: Storing = SCREENED,
) -> Response:
    """Submit the test's checklist, screened, and give back the stored response."""
    raw = {code: {"": [value]} for code, value in (answers or ANSWERS).items()}
    with clock.set_to(START + dt.timedelta(hours=2)):
        outcome = submission.submit(session, test, checklist, raw, "en", storing)
    assert outcome.issues == [] and outcome.stored is not None
    found = session.get(Response, outcome.stored.id)
    assert found is not None
    session.refresh(found)
    return found


CONTACT = (("contacted", 0), ("bot_replied", 20), ("human_replied", 60), ("contact_ended", 600))
"""A ten-minute chat on the planned Tuesday evening."""
