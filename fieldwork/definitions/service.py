"""Load checked definitions into storage, and read back the version a response answers."""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlmodel import Session, col, select

from fieldwork import clock
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.questionnaire import shadow
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import Questionnaire


class VersionClash(ValueError):
    """A changed definition keeps a version label already stored with other content."""

    def __init__(self, questionnaire: Questionnaire):
        super().__init__(
            f"{questionnaire.id}: version {questionnaire.version} is already loaded with"
            " other content; give the changed file a new version"
        )
        self.questionnaire = questionnaire


def store(
    session: Session, questionnaires: Iterable[Questionnaire]
) -> list[tuple[Questionnaire, bool]]:
    """Record each questionnaire version; returns (questionnaire, newly stored) pairs.

    Raises VersionClash, storing nothing, if a changed definition keeps its version label:
    exports name a response's version by its label (data.csv), so one label must mean one
    text and one set of thresholds.
    """
    results = []
    for questionnaire in questionnaires:
        known = session.get(QuestionnaireVersion, questionnaire.content_hash)
        if known is None and _label_taken(session, questionnaire):
            session.rollback()
            raise VersionClash(questionnaire)
        if known is None:
            session.add(
                QuestionnaireVersion(
                    content_hash=questionnaire.content_hash,
                    questionnaire_id=questionnaire.id,
                    version=questionnaire.version,
                    definition=dict(questionnaire.definition),
                    loaded_at=clock.now(),
                )
            )
        results.append((questionnaire, known is None))
    session.commit()
    return results


def _label_taken(session: Session, questionnaire: Questionnaire) -> bool:
    query = select(QuestionnaireVersion.content_hash).where(
        col(QuestionnaireVersion.questionnaire_id) == questionnaire.id,
        col(QuestionnaireVersion.version) == questionnaire.version,
    )
    return session.exec(query.limit(1)).first() is not None


class Versions:
    """Stored versions, built into models once per process: a version never changes.

    Which version is current is looked up again after `CURRENT_SECONDS`: new
    versions only come from `flask fieldwork load`, and a few seconds' delay in
    serving one is cheaper than a query on every request.
    """

    CURRENT_SECONDS = 5.0

    def __init__(self) -> None:
        self._built: dict[str, Questionnaire] = {}
        self._shadows: dict[str, shadow.ShadowDefinition] = {}
        self._current: dict[str, tuple[str, float]] = {}

    def by_hash(self, session: Session, content_hash: str) -> Questionnaire | None:
        if content_hash not in self._built:
            row = session.get(QuestionnaireVersion, content_hash)
            if row is None:
                return None
            self._built[content_hash] = build(row.definition)
        return self._built[content_hash]

    def shadow(self, session: Session, content_hash: str) -> shadow.ShadowDefinition | None:
        """A stored shadow definition, with its scenarios, events and indicators (what
        `by_hash` gives of it is its checklist); None for another kind or none stored."""
        key = "shadow:" + content_hash
        if key not in self._shadows:
            row = session.get(QuestionnaireVersion, content_hash)
            if row is None or row.definition.get("kind") != shadow.SHADOW:
                return None
            self._shadows[key] = shadow.build(row.definition, content_hash)
        return self._shadows[key]

    def current(self, session: Session, questionnaire_id: str) -> Questionnaire | None:
        """The most recently loaded version of a questionnaire, or None if never loaded."""
        cached = self._current.get(questionnaire_id)
        if cached and cached[1] > time.monotonic():
            return self.by_hash(session, cached[0])
        content_hash = session.exec(
            select(QuestionnaireVersion.content_hash)
            .where(col(QuestionnaireVersion.questionnaire_id) == questionnaire_id)
            .order_by(col(QuestionnaireVersion.loaded_at).desc())
            .limit(1)
        ).first()
        if content_hash is None:
            return None
        self._current[questionnaire_id] = (content_hash, time.monotonic() + self.CURRENT_SECONDS)
        return self.by_hash(session, content_hash)

    def of(self, session: Session, questionnaire_id: str) -> list[QuestionnaireVersion]:
        """The stored versions of one questionnaire, the most recently loaded first."""
        query = (
            select(QuestionnaireVersion)
            .where(col(QuestionnaireVersion.questionnaire_id) == questionnaire_id)
            .order_by(col(QuestionnaireVersion.loaded_at).desc())
        )
        return list(session.exec(query))

    def ids(self, session: Session) -> list[str]:
        rows = session.exec(select(QuestionnaireVersion.questionnaire_id).distinct())
        return sorted(rows)
