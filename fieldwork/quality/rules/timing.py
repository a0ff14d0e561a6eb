"""Rules on time: answered too fast to be genuine, or times that cannot be true."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule


class Speeder(Rule):
    """Completion time under an absolute minimum, or under a fraction of the median.

    Not applicable without a start time (paper). Non-positive times are left to
    impossible-paradata, which says more about them.
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
        "max_seconds": Number(86400),
        "min_page_seconds": Number(1.0),
        "clock_skew_seconds": Number(300),
    }
    explanation = N_("Its recorded times cannot be true.")
    reasons: ClassVar[Mapping[str, str]] = {
        "started-after-submitted": N_("It was started after it was submitted."),
        "zero-duration": N_("It was submitted the moment it was started."),
        "too-long": N_(
            "Completion took %(seconds)s seconds, more than the limit of %(max_seconds)s seconds."
        ),
        "fast-pages": N_(
            "Pages %(pages)s took under %(min_page_seconds)s seconds each"
            " (the fastest %(fastest_seconds)s seconds)."
        ),
        "future": N_("It carries a time in the future: %(future_at)s."),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        longest = params["max_seconds"]
        page_minimum = params["min_page_seconds"]
        skew = dt.timedelta(seconds=params["clock_skew_seconds"])

        def check(case: Case) -> Evidence | None:
            subject = case.subject
            reasons: list[str] = []
            evidence: Evidence = {}
            seconds = subject.seconds
            if seconds is not None:
                if seconds < 0:
                    reasons.append("started-after-submitted")
                elif seconds == 0:
                    reasons.append("zero-duration")
                elif seconds > longest:
                    reasons.append("too-long")
                    evidence["max_seconds"] = longest
                if reasons:
                    evidence["seconds"] = round(seconds, 1)
            fast = _fast_pages(subject.page_seconds, page_minimum)
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


def _fast_pages(page_seconds: Mapping[str, Any], minimum: float) -> dict[str, float]:
    """Pages answered in under `minimum` seconds (values that are not numbers are ignored)."""
    try:
        if not page_seconds or min(page_seconds.values()) >= minimum:
            return {}  # the usual case, decided without a loop in Python
    except TypeError:
        pass
    return {
        page: value
        for page, value in page_seconds.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and value < minimum
    }
