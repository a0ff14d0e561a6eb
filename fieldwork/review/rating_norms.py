"""How a questionnaire's respondents usually rate (`quality.norms`), from its stored responses.

Both the screening at submit and the bulk run read the norms from the same bounded
sample: the latest `SAMPLE` responses of the questionnaire, one seek along
ix_response_questionnaire_submitted, never every response. A response a reviewer
rejected is left out; one only the rules rejected is not, so that a run's own decisions
never change the norms of the next run (re-running stays idempotent), and the robust
estimate keeps careless responses from widening them.

At submit a process keeps each questionnaire's norms (`NormsCache`) and samples again
when they are old or enough submissions have passed for them to have moved.
"""

from __future__ import annotations

import time

from sqlalchemy import and_, not_, select
from sqlmodel import Session, col

from fieldwork.quality.layout import Layout
from fieldwork.quality.norms import Norms, estimate
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses.models import REJECTED, Response

SAMPLE = 2000
"""Responses the norms are estimated from: plenty for a covariance of about ten scales,
and a sample of a few hundred kilobytes whatever the number stored."""

LIFETIME = 600.0
"""Seconds a process reuses norms at submit before sampling again."""

RENEW_SHARE = 0.5
"""A process samples again after submitting this share of the sample's size: while few
responses are stored, each new one moves the norms, so they are sampled again soon; a
process samples about a dozen times while the first 2,000 come in, and after that at most
once every 1,000 submissions (or `LIFETIME`), so that estimating (a fifth of a second for
2,000 responses) stays a small share of a submission's time."""

CHEAP_READ = 200
"""Responses few enough to read again at every submission while they give no norms, so
the first norms come as soon as there is spread enough; a larger sample without norms
(answers all alike) is kept like norms, or every submission would read it whole."""


def sample(session: Session, questionnaire: Questionnaire) -> Norms | None:
    """The norms of `questionnaire`'s scales over the latest `SAMPLE` responses of its id
    (any version), those a reviewer rejected left out; None without scales enough."""
    return _sampled(session, questionnaire)[0]


def _sampled(session: Session, questionnaire: Questionnaire) -> tuple[Norms | None, int]:
    """`sample`, and how many responses it read."""
    scales = Layout.of(questionnaire).scales
    if len(scales) < 2:
        return None, 0
    rejected_by_reviewer = and_(
        col(Response.status) == REJECTED, col(Response.reviewed_by).is_not(None)
    )
    query = (
        select(col(Response.answers))
        .where(col(Response.questionnaire_id) == questionnaire.id, not_(rejected_by_reviewer))
        .order_by(col(Response.submitted_at).desc(), col(Response.id).desc())
        .limit(SAMPLE)
    )
    answers = session.execute(query).scalars().all()
    return estimate(scales, answers), len(answers)


class NormsCache:
    """One process's norms at submit, by questionnaire version (content hash)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[float, int, Norms | None]] = {}

    def get(self, session: Session, questionnaire: Questionnaire) -> Norms | None:
        """The norms kept for `questionnaire`, sampled again when stale."""
        key = questionnaire.content_hash
        kept = self._kept.get(key)
        if kept is not None:
            expires, uses_left, norms = kept
            if uses_left > 0 and time.monotonic() < expires:
                self._kept[key] = (expires, uses_left - 1, norms)
                return norms
        norms, read = _sampled(session, questionnaire)
        if norms is not None:
            uses = int(norms.count * RENEW_SHARE)
        else:  # no spread to estimate from (too few answers, or all alike)
            uses = int(read * RENEW_SHARE) if read >= CHEAP_READ else 0
        self._kept[key] = (time.monotonic() + LIFETIME, uses, norms)
        return norms
