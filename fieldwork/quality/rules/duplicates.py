"""Rules on duplicates: a shared network address judged with the answers, and click farms.

A shared address alone proves little (a family on one home network, a community
worker's tablet), so it is only a note, and none for an assisted session. The
same or nearly the same closed answers from one address is a duplicate; nearly
the same answers from several other addresses within hours is a click farm.

Only a later response is flagged: the first one from an address stays clean,
so a household's first answer survives while its copies are caught; in a farm,
the first `min_addresses` responses stay clean and those after them are held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule
from fieldwork.quality.similarity import BANDS


class DuplicateIp(Rule):
    """The same keyed IP hash as an earlier response within a window, with other answers.

    A note only: people share addresses. Not raised on an assisted session, which is
    expected to share one, nor when duplicate-answers found the answers nearly the same.
    """

    code = "duplicate-ip"
    modes = frozenset({"online"})  # only an online response has a network address
    severity: ClassVar[Severity] = "note"
    params: ClassVar[Mapping[str, Param]] = {"window_hours": Number(24)}
    explanation = N_(
        "Sent from the same network address as response %(earlier)s, %(minutes)s minutes"
        " after it (%(count)s earlier responses from that address within %(window_hours)s"
        " hours), with other answers."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        window = dt.timedelta(hours=params["window_hours"])
        hours = params["window_hours"]

        def check(case: Case) -> Evidence | None:
            latest = case.neighbours.same_ip_latest
            if case.subject.ip_hash is None or latest is None or case.subject.assisted:
                return None
            if _duplicate(case):
                return None
            gap = case.subject.submitted_at - latest.submitted_at
            if gap > window:  # whoever filled the neighbours used a wider window
                return None
            return {
                "earlier": latest.id,
                "minutes": round(gap / dt.timedelta(minutes=1), 1),
                "count": max(case.neighbours.same_ip_count, 1),
                "window_hours": hours,
            }

        return check


def _duplicate(case: Case) -> bool:
    """Whether an earlier response from the address gave (nearly) the same answers."""
    near = case.neighbours
    return near.same_answers_first is not None or near.near_answers is not None


class DuplicateAnswers(Rule):
    """The closed answers of an earlier response from the same IP hash, or nearly them.

    The same answers count at any time; nearly the same (at most `max_different`
    closed questions answered otherwise) within duplicate-ip's window, among the
    latest earlier responses from the address.
    """

    code = "duplicate-answers"
    modes = frozenset({"online"})
    severity: ClassVar[Severity] = "reject"
    params: ClassVar[Mapping[str, Param]] = {"max_different": Number(2, maximum=5, integer=True)}
    explanation = N_(
        "Gave the same answers to every closed question as response %(earlier)s,"
        " from the same network address."
    )
    reasons: ClassVar[Mapping[str, str]] = {
        "same": explanation,
        "near": N_(
            "Gave the same answers as response %(earlier)s, from the same network address,"
            " to every closed question but %(different)s."
        ),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        if not layout.closed:
            return None

        def check(case: Case) -> Evidence | None:
            if case.subject.ip_hash is None:
                return None
            near = case.neighbours
            if near.same_answers_first is not None:
                # No reason code: the flag stays what it was before near-duplicates counted.
                return {"earlier": near.same_answers_first}
            if near.near_answers is not None:
                return {
                    "earlier": near.near_answers,
                    "different": near.near_different,
                    "reasons": ("near",),
                }
            return None

        return check


class ClickFarm(Rule):
    """Nearly the same closed answers from several other network addresses within hours.

    A cluster, not a pair: honest people with common answers (everyone very satisfied)
    do meet, but seldom `min_addresses` of them from different addresses in a few hours.
    """

    code = "click-farm"
    modes = frozenset({"online"})
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "window_hours": Number(6),
        "max_different": Number(2, maximum=BANDS - 1, integer=True),
        "min_addresses": Number(3, minimum=1, integer=True),
        "min_closed": Number(8, minimum=BANDS, integer=True),
    }
    explanation = N_(
        "Nearly the same answers (at most %(max_different)s closed questions otherwise) came"
        " from %(addresses)s other network addresses within %(window_hours)s hours of it,"
        " among them response %(earlier)s."
    )
    reasons: ClassVar[Mapping[str, str]] = {
        # Found by the bulk run once later members came: none came before it.
        "first": N_(
            "Nearly the same answers (at most %(max_different)s closed questions otherwise)"
            " came from %(addresses)s other network addresses in the %(window_hours)s hours"
            " after it, the first in response %(later)s."
        ),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        # On a short form, nearly the same answers are common and prove nothing.
        if len(layout.closed) < params["min_closed"]:
            return None
        least = params["min_addresses"]
        evidence = {k: params[k] for k in ("max_different", "window_hours")}

        def check(case: Case) -> Evidence | None:
            near = case.neighbours
            if case.subject.ip_hash is None or near.farm_addresses < least:
                return None
            found: Evidence = {**evidence, "addresses": near.farm_addresses}
            if near.farm_latest is not None:
                return {**found, "earlier": near.farm_latest}
            return {**found, "later": near.farm_following, "reasons": ("first",)}

        return check
