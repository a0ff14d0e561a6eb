"""Rules on time: answered too fast to be genuine, or times that cannot be true."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule


class Speeder(Rule):
    """Answering time (page times added up) under an absolute minimum, or under a fraction
    of the median answering time.

    Not applicable without page times: paper has none, and an online response without them
    is not-walked's to flag. A zero time is left to impossible-paradata.
    """

    code = "speeder"
    modes = frozenset({"online"})  # only an online response has a start and page times
    severity: ClassVar[Severity] = "reject"
    params: ClassVar[Mapping[str, Param]] = {
        "min_seconds": Number(120),
        "median_fraction": Number(1 / 3, maximum=1),
        "min_responses": Number(30, minimum=1, integer=True),
    }
    explanation = N_("Completed faster than the questions can be read and answered.")
    reasons: ClassVar[Mapping[str, str]] = {
        "minimum": N_(
            "Completed in %(seconds)s seconds, under the minimum of %(min_seconds)s seconds."
        ),
        "median": N_(
            "Completed in %(seconds)s seconds, under %(percent)s%% of the median time"
            " of %(median_seconds)s seconds."
        ),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        minimum = params["min_seconds"]
        fraction = params["median_fraction"]
        enough = params["min_responses"]

        def check(case: Case) -> Evidence | None:
            seconds = case.subject.seconds
            if seconds is None or seconds <= 0:
                return None
            reasons: list[str] = []
            evidence: Evidence = {"seconds": round(seconds, 1)}
            if seconds < minimum:
                reasons.append("minimum")
                evidence["min_seconds"] = minimum
            median = case.neighbours.median_seconds
            trusted = case.neighbours.duration_count >= enough
            if median is not None and trusted and seconds < median * fraction:
                reasons.append("median")
                evidence["median_seconds"] = round(median, 1)
                evidence["percent"] = round(fraction * 100)
            if not reasons:
                return None
            evidence["reasons"] = tuple(reasons)
            return evidence

        return check


class ImpossibleParadata(Rule):
    """Times that cannot be true: one flag per response, with every kind of evidence found."""

    code = "impossible-paradata"
    modes = frozenset({"online"})
    severity: ClassVar[Severity] = "reject"
    params: ClassVar[Mapping[str, Param]] = {
        "min_page_seconds": Number(1.0),
        "clock_skew_seconds": Number(300),
    }
    explanation = N_("Its recorded times cannot be true.")
    reasons: ClassVar[Mapping[str, str]] = {
        "started-after-submitted": N_("It was started after it was submitted."),
        "zero-duration": N_("It was submitted the moment it was started."),
        "absurd-page": N_("Pages %(absurd_pages)s carry times that no clock can measure."),
        "pages-exceed-wall": N_(
            "Its pages took %(page_total)s seconds in all, more than the %(wall_seconds)s"
            " seconds between its start and its submission."
        ),
        "fast-pages": N_(
            "Pages %(pages)s took under %(min_page_seconds)s seconds each"
            " (the fastest %(fastest_seconds)s seconds)."
        ),
        "future": N_("It carries a time in the future: %(future_at)s."),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        page_minimum = params["min_page_seconds"]
        skew = dt.timedelta(seconds=params["clock_skew_seconds"])

        def check(case: Case) -> Evidence | None:
            subject = case.subject
            reasons: list[str] = []
            evidence: Evidence = {}
            wall = subject.wall_seconds
            if wall is not None:
                if wall < 0:
                    reasons.append("started-after-submitted")
                elif wall == 0:
                    reasons.append("zero-duration")
                if reasons:
                    evidence["seconds"] = round(wall, 1)
            times = subject.times
            if times.absurd:
                reasons.append("absurd-page")
                evidence["absurd_pages"] = times.absurd
            measured = times.total
            if wall is not None and wall > 0 and measured > wall + PAGE_TOLERANCE:
                reasons.append("pages-exceed-wall")
                evidence["page_total"] = round(measured, 1)
                evidence["wall_seconds"] = round(wall, 1)
            fast = _fast_pages(times.valid, page_minimum)
            if fast:
                reasons.append("fast-pages")
                evidence["pages"] = tuple(sorted(fast))
                evidence["fastest_seconds"] = round(min(fast.values()), 1)
                evidence["min_page_seconds"] = page_minimum
            limit = case.now + skew
            future = [t for t in (subject.started_at, subject.submitted_at) if t and t > limit]
            if future:
                reasons.append("future")
                evidence["future_at"] = max(future).isoformat()
            if not reasons:
                return None
            evidence["reasons"] = tuple(reasons)
            return evidence

        return check


PAGE_TOLERANCE = 5.0
"""Seconds by which page times may add up to more than start-to-submit (rounding)."""


def _fast_pages(valid: Mapping[str, float], minimum: float) -> dict[str, float]:
    """Pages answered in under `minimum` seconds, of the valid page times."""
    if not valid or min(valid.values()) >= minimum:
        return {}  # the usual case, decided without a loop in Python
    return {page: value for page, value in valid.items() if value < minimum}


NOT_WALKED = "not-walked"


def unwalked(given: Mapping[str, Any], seen: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What submit records for not-walked: the answers given that the pages did not save
    (`seen`: the draft's answers, empty without a draft), in the order given."""
    unseen = [
        code
        for code, value in given.items()
        if value is not None and _plain(seen.get(code)) != _plain(value)
    ]
    return [{"code": NOT_WALKED, "questions": unseen}] if unseen else []


def _plain(value: Any) -> Any:
    """A value as stored: a draft's JSON gives back a list where parsing gave a tuple."""
    return list(value) if isinstance(value, tuple) else value


class NotWalked(Rule):
    """An online response that did not come through its pages: posted whole by a script, or
    with answers its pages never saw. Its answering time is unknown, so the timing rules
    cannot clear it: this flag says so instead of letting it pass."""

    code = NOT_WALKED
    modes = frozenset({"online"})
    severity: ClassVar[Severity] = "review"
    explanation = N_("It did not come through the questionnaire's pages.")
    reasons: ClassVar[Mapping[str, str]] = {
        "untimed": N_("No page of it was timed: it was sent without its pages being answered."),
        "unseen": N_("The answers to %(questions)s were sent without going through their pages."),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        def check(case: Case) -> Evidence | None:
            reasons: list[str] = []
            evidence: Evidence = {}
            if case.subject.seconds is None:
                reasons.append("untimed")
            for entry in case.subject.recorded:
                # What submit recorded, or the flag an earlier evaluation stored from it.
                if entry.get("code") == self.code:
                    questions = entry.get("questions")
                    if isinstance(questions, list | tuple) and questions:
                        reasons.append("unseen")
                        evidence["questions"] = tuple(str(q) for q in questions)
                    break
            if not reasons:
                return None
            evidence["reasons"] = tuple(reasons)
            return evidence

        return check
