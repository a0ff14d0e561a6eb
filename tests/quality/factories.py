"""Small inline questionnaires and responses for the quality rule tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fieldwork.quality import Subject
from fieldwork.quality.norms import Norms
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import Questionnaire

NOW = dt.datetime(2026, 9, 3, 12, 0, tzinfo=dt.UTC)
IP = "a1" * 32  # an HMAC hex digest, as the response service stores it
OTHER_IP = "b2" * 32


def text(en: str) -> dict[str, str]:
    return {"en": en}


def question(code: str, kind: str, **options: Any) -> dict[str, Any]:
    if kind in ("single_choice", "multiple_choice") and "choices" not in options:
        options["choices"] = [{"value": v, "label": text(v)} for v in ("yes", "no")]
    return {"code": code, "type": kind, "text": text(code), **options}


def questionnaire(
    *questions: dict[str, Any],
    quality: Mapping[str, Any] | None = None,
    qid: str = "tiny",
    consistency: Sequence[Mapping[str, Any]] = (),
) -> Questionnaire:
    raw: dict[str, Any] = {
        "id": qid,
        "version": "1",
        "kind": "survey",
        "languages": ["en"],
        "title": text("Tiny"),
        "sections": [{"code": "main", "title": text("Main"), "questions": list(questions)}],
    }
    if quality is not None:
        raw["quality"] = dict(quality)
    if consistency:
        raw["consistency"] = [dict(check) for check in consistency]
    return build(raw)


def cannot_all_hold(code: str, *conditions: dict[str, Any]) -> dict[str, Any]:
    """A consistency check as a definition declares it, explained in English."""
    return {"code": code, "cannot_all_hold": list(conditions), "explanation": text(code)}


def ratings(count: int, prefix: str = "R") -> list[dict[str, Any]]:
    return [question(f"{prefix}{i}", "rating", allow=["dont_know"]) for i in range(1, count + 1)]


def survey(**quality: Any) -> Questionnaire:
    """Two closed questions, eight ratings, three open questions: every rule applies."""
    return questionnaire(
        question("C1", "single_choice"),
        question("C2", "number"),
        *ratings(8),
        question("O1", "short_text"),
        question("O2", "long_text"),
        question("O3", "long_text"),
        quality=quality or None,
    )


def subject(
    id: int = 1,
    answers: Mapping[str, Any] | None = None,
    *,
    seconds: float | None = 600.0,
    submitted: dt.datetime = NOW - dt.timedelta(hours=1),
    ip: str | None = IP,
    pages: Mapping[str, Any] | None = None,
    recorded: Sequence[Mapping[str, Any]] = (),
    qid: str = "tiny",
    mode: str = "online",
) -> Subject:
    """A response submitted an hour before NOW, started `seconds` before (None: no start, as
    on paper) and, unless `pages` says otherwise, answered on one page all that time."""
    if pages is None and seconds is not None and seconds > 0:
        pages = {"P1": seconds}
    return Subject(
        id=id,
        questionnaire_id=qid,
        mode=mode,
        answers=dict(answers or {}),
        submitted_at=submitted,
        started_at=submitted - dt.timedelta(seconds=seconds) if seconds is not None else None,
        page_seconds=dict(pages or {}),
        ip_hash=ip,
        recorded=list(recorded),
    )


def one_factor_norms(
    count: int = 8,
    *,
    mean: float = 3.0,
    variance: float = 1.0,
    covariance: float = 0.9,
    responses: int = 1000,
    prefix: str = "R",
) -> Norms:
    """Norms of ratings R1… that move together, as one satisfaction drives honest ones:
    every rating `variance` about `mean`, every two `covariance` apart."""
    return Norms(
        items=tuple(f"{prefix}{i}" for i in range(1, count + 1)),
        means=(mean,) * count,
        covariance=tuple(
            tuple(variance if i == j else covariance for j in range(count)) for i in range(count)
        ),
        count=responses,
    )
