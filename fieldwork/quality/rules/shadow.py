"""Rules for shadow tests: a timeline that cannot have happened as logged, checklist
answers without the evidence they need, a file reused from another test, and a tester
in two contacts at once.

They read the response's frozen test (`quality.contacts`), so they judge what the
review page shows; the two that compare tests read what the stored tests tell them
(`Neighbours.shadow`, filled by indexed lookups at submit and in the bulk run).

Severities: a shadow test costs a tester an hour or days of a case, and most of what
looks wrong here has an honest story a person can weigh (a "contacted" tapped late, a
test moved to another day, two chats open side by side), so these send a test to
review. Only a file reused byte for byte rejects: a new screenshot or photo is never
identical to another, so the evidence is not this test's, whatever else is true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fieldwork.quality import contacts
from fieldwork.quality.flags import N_, Severity, Value
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule

SHADOW_ONLY = frozenset({"shadow"})
SHADOW_KIND = "shadow"
"""The kind of the checklist questionnaires these rules judge (`questionnaire.shadow`)."""
ANSWERED = ("yes", "no")
"""Checklist answers that say something was (not) seen: they need their evidence."""


def _zone(case: Case) -> dt.tzinfo:
    facts = case.neighbours.shadow
    return contacts.zone(facts.zone if facts is not None else None)


def _clock(moment: dt.datetime, where: dt.tzinfo) -> str:
    """A time as the review page's evidence reads it: day and minute in the staff's zone."""
    return moment.astimezone(where).strftime("%Y-%m-%d %H:%M")


class ShadowTimeline(Rule):
    """Events that cannot have happened as logged.

    - before-slot: an event before the planned day's slot begins (in the staff's zone):
      the contact was made outside the plan, or the device's date was wrong.
    - too-long: more than `max_contact_hours` from first to last event in a test that
      is not a case over several days: an old contact logged again, or a test left open.
    - reply-first: the platform answering (any event but those opening a contact,
      `contacts.OPENING`) before the tester first made contact.
    - clock-ahead: an event whose device time is later than its receipt by more than
      `ahead_minutes`: the phone's clock runs ahead, so every time of the test is suspect.
    """

    code = "shadow-timeline"
    modes = SHADOW_ONLY
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "max_contact_hours": Number(24, minimum=1),
        "ahead_minutes": Number(2, minimum=0),
    }
    explanation = N_("The test's events cannot have happened as they were logged.")
    reasons: ClassVar[Mapping[str, str]] = {
        "before-slot": N_(
            "The first event was logged at %(first)s, before the planned slot began"
            " (%(slot_begins)s)."
        ),
        "too-long": N_(
            "The contact lasted %(hours)s hours from the first event to the last, more than"
            " %(max_contact_hours)s, and the test is not a case over several days."
        ),
        "reply-first": N_(
            "An event (%(event)s) was logged before the tester first made contact (%(contacted)s)."
        ),
        "clock-ahead": N_(
            "The device's clock was %(ahead)s minutes ahead of the server's when an event"
            " arrived (at most %(ahead_minutes)s allowed): the test's times may be wrong."
        ),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        if layout.kind != SHADOW_KIND:
            return None
        longest = dt.timedelta(hours=params["max_contact_hours"])
        ahead = dt.timedelta(minutes=params["ahead_minutes"])
        limits = {k: params[k] for k in ("max_contact_hours", "ahead_minutes")}

        def check(case: Case) -> Evidence | None:
            test = case.subject.shadow
            timeline = contacts.events(test)
            if not timeline:
                return None
            where = _zone(case)
            found: dict[str, Value] = {}
            reasons: list[str] = []
            for reason, evidence in (
                ("before-slot", _before_slot(test, timeline, where)),
                ("too-long", _too_long(test, timeline, longest)),
                ("reply-first", _reply_first(timeline, where)),
                ("clock-ahead", _clock_ahead(timeline, ahead)),
            ):
                if evidence is not None:
                    reasons.append(reason)
                    found.update(evidence)
            if not reasons:
                return None
            return {**found, **limits, "reasons": tuple(reasons)}

        return check


def _before_slot(
    test: Mapping[str, Any], timeline: Sequence[contacts.Logged], where: dt.tzinfo
) -> Evidence | None:
    begins = contacts.slot_begins(test.get("planned_on"), test.get("slot"), where)
    first = timeline[0].at
    if begins is None or first >= begins:
        return None
    return {"first": _clock(first, where), "slot_begins": _clock(begins, where)}


def _too_long(
    test: Mapping[str, Any], timeline: Sequence[contacts.Logged], longest: dt.timedelta
) -> Evidence | None:
    if test.get("spans_days") is True:
        return None
    length = timeline[-1].at - timeline[0].at
    if length <= longest:
        return None
    return {"hours": round(length / dt.timedelta(hours=1), 1)}


def _reply_first(timeline: Sequence[contacts.Logged], where: dt.tzinfo) -> Evidence | None:
    opened = next((e for e in timeline if e.code in contacts.OPENING), None)
    if opened is None:
        return None
    early = next((e for e in timeline if e.code not in contacts.OPENING), None)
    if early is None or (early.at, early.sequence) > (opened.at, opened.sequence):
        return None
    return {"event": early.code, "contacted": _clock(opened.at, where)}


def _clock_ahead(timeline: Sequence[contacts.Logged], ahead: dt.timedelta) -> Evidence | None:
    most = max(
        (e.at - e.received for e in timeline if e.received is not None),
        default=dt.timedelta(0),
    )
    if most <= ahead:
        return None
    return {"ahead": round(most / dt.timedelta(minutes=1), 1)}


class EvidenceMissing(Rule):
    """Checklist items whose answer needs a screenshot or photo, answered yes or no with
    none attached for them: the answer cannot be checked, and the score rests on it."""

    code = "shadow-evidence-missing"
    modes = SHADOW_ONLY
    severity: ClassVar[Severity] = "review"
    explanation = N_("Answered without the screenshot or photo the checklist asks for: %(items)s.")

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        needing = layout.evidence
        if layout.kind != SHADOW_KIND or not needing:
            return None

        def check(case: Case) -> Evidence | None:
            answers = case.subject.answers
            files = case.subject.shadow.get("evidence") or ()
            backed = {f.get("item") for f in files if isinstance(f, Mapping)}
            missing = tuple(
                code for code in needing if answers.get(code) in ANSWERED and code not in backed
            )
            return {"items": missing} if missing else None

        return check


class EvidenceReused(Rule):
    """An evidence file whose bytes as uploaded are those of a file behind another test's
    response submitted before. Only the later response is flagged, as with duplicate
    answers: the first use of a file may well be honest."""

    code = "shadow-evidence-reused"
    modes = SHADOW_ONLY
    severity: ClassVar[Severity] = "reject"
    explanation = N_(
        "The same file, byte for byte, was uploaded as evidence for response %(earlier)s"
        " (%(files)s of this test's files were)."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        if layout.kind != SHADOW_KIND:
            return None

        def check(case: Case) -> Evidence | None:
            facts = case.neighbours.shadow
            if facts is None or not facts.reused:
                return None
            files = {sha for sha, _ in facts.reused}
            return {"earlier": min(earlier for _, earlier in facts.reused), "files": len(files)}

        return check


class ContactsOverlap(Rule):
    """The tester in two contacts at once: a contact of this test (`contacts.windows`)
    overlapping one of another of their tests, submitted or still open. Two chats side
    by side are possible, so a person decides; a case over several days counts only its
    contacts, never the days between."""

    code = "shadow-contacts-overlap"
    modes = SHADOW_ONLY
    severity: ClassVar[Severity] = "review"
    explanation = N_(
        "The same tester was in another contact at the same time: test %(test)s, for"
        " %(minutes)s minutes from %(at)s."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        if layout.kind != SHADOW_KIND:
            return None

        def check(case: Case) -> Evidence | None:
            facts = case.neighbours.shadow
            test = case.subject.shadow
            if facts is None or not facts.others:
                return None
            mine = contacts.windows(contacts.events(test), test.get("spans_days") is True)
            for other in sorted(facts.others, key=lambda o: o.test):
                theirs = contacts.windows(_timeline(other.events), other.spans_days)
                shared = contacts.overlap(mine, theirs)
                if shared is not None:
                    minutes = round((shared[1] - shared[0]) / dt.timedelta(minutes=1), 1)
                    return {
                        "test": other.test,
                        "minutes": minutes,
                        "at": _clock(shared[0], _zone(case)),
                    }
            return None

        return check


def _timeline(events: Sequence[tuple[str, dt.datetime]]) -> list[contacts.Logged]:
    found = [contacts.Logged(code, at, None, n) for n, (code, at) in enumerate(events)]
    return sorted(found, key=lambda event: (event.at, event.sequence))
