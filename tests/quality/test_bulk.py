"""The bulk index gives every response the neighbours per-response evaluation would see."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from typing import Any

import pytest

from fieldwork.quality import (
    FARM_CANDIDATES,
    SAME_IP_COUNTED,
    BulkIndex,
    Earlier,
    Neighbours,
    Settings,
    Subject,
    answer_signature,
    bands,
    evaluate,
    fingerprint,
    settings_of,
)
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, OTHER_IP, subject, survey

SURVEY = survey()
SETTINGS = settings_of(SURVEY.definition)


def oracle(
    q: Questionnaire, settings: Settings, subjects: list[Subject], one: Subject
) -> Neighbours:
    """Neighbours worked out the slow, obvious way, as queries at submit time would."""
    durations = [s.seconds for s in subjects if s.seconds is not None]
    window = dt.timedelta(hours=settings.number("duplicate-ip", "window_hours"))
    earlier = sorted(
        (s for s in subjects if one.ip_hash and s.ip_hash == one.ip_hash and s.precedes(one)),
        key=lambda s: (s.submitted_at, s.id),
    )
    near = [s for s in earlier if one.submitted_at - s.submitted_at <= window]
    mine = fingerprint(q, one.answers)
    same = [s for s in earlier if mine and fingerprint(q, s.answers) == mine]
    return Neighbours(
        median_seconds=statistics.median(durations) if durations else None,
        duration_count=len(durations),
        same_ip_latest=Earlier(near[-1].id, near[-1].submitted_at) if near else None,
        same_ip_count=min(len(near), SAME_IP_COUNTED),
        same_answers_first=same[0].id if same else None,
        **alike(q, settings, subjects, one, near[-SAME_IP_COUNTED:]),
    )


def alike(
    q: Questionnaire,
    settings: Settings,
    subjects: list[Subject],
    one: Subject,
    same_ip: list[Subject],
) -> dict[str, Any]:
    """The near-duplicate fields, by comparing answers question by question: the latest
    of `same_ip` (oldest first) within `max_different`; and the other addresses among the
    latest FARM_CANDIDATES earlier responses in the window sharing a band, and among the
    later ones that find it so."""
    if one.ip_hash is None or answer_signature(q, one.answers) is None:
        return {}
    closed = [c for c in ("C1", "C2", *(f"R{i}" for i in range(1, 9)))]

    def apart(a: Subject, b: Subject) -> int:
        return sum(a.answers.get(c) != b.answers.get(c) for c in closed)

    most = settings.number("duplicate-answers", "max_different")
    found = next(((s.id, apart(one, s)) for s in reversed(same_ip) if apart(one, s) <= most), None)
    window = dt.timedelta(hours=settings.number("click-farm", "window_hours"))
    farthest = settings.number("click-farm", "max_different")

    def farm_of(x: Subject) -> list[Subject]:
        """What x finds looking back: the candidates per band, from other addresses, alike."""
        ordered = sorted(
            (s for s in subjects if s.ip_hash and s.precedes(x)),
            key=lambda s: (s.submitted_at, s.id),
        )
        in_window = [s for s in ordered if x.submitted_at - s.submitted_at <= window]
        mine = bands(answer_signature(q, x.answers))
        candidates: dict[int, Subject] = {}
        for band, value in enumerate(mine):
            sharing = [s for s in in_window if bands(answer_signature(q, s.answers))[band] == value]
            candidates.update((s.id, s) for s in sharing[-FARM_CANDIDATES:])
        return [
            s
            for s in candidates.values()
            if s.ip_hash != x.ip_hash
            and answer_signature(q, s.answers) is not None
            and apart(x, s) <= farthest
        ]

    earlier = farm_of(one)
    alike_later = [
        s
        for s in subjects
        if s.ip_hash not in (None, one.ip_hash)
        and one.precedes(s)
        and s.submitted_at - one.submitted_at <= window
        and answer_signature(q, s.answers) is not None
        and apart(one, s) <= farthest
    ]
    later = [s for s in alike_later if one in farm_of(s)]  # found among its candidates
    latest = max(earlier, key=lambda s: (s.submitted_at, s.id)) if earlier else None
    following = min(later, key=lambda s: (s.submitted_at, s.id)) if later else None
    return {
        "near_answers": found[0] if found else None,
        "near_different": found[1] if found else 0,
        "farm_addresses": len({s.ip_hash for s in earlier + later}),
        "farm_latest": latest.id if latest else None,
        "farm_following": following.id if following else None,
    }


def synthetic(count: int, seed: int) -> list[Subject]:
    """Responses from a few addresses over three days, some with the same answers or times."""
    rng = random.Random(seed)
    ips = [f"{rng.getrandbits(256):064x}" for _ in range(25)]
    start = NOW - dt.timedelta(days=3)
    times = [start + dt.timedelta(minutes=rng.randrange(0, 3 * 24 * 60)) for _ in range(count // 2)]
    subjects = []
    for id in rng.sample(range(1, 10 * count), count):
        answers: dict[str, object] = {f"R{i}": rng.choice([4, 5]) for i in range(1, 9)}
        answers["C1"] = rng.choice(["yes", "no"])
        if rng.random() < 0.3:
            answers["O1"] = rng.choice(["无", "asdfasdf", "退款太慢了。", "Good"])
        subjects.append(
            subject(
                id,
                answers,
                seconds=rng.choice([None, rng.uniform(-10, 2000), rng.uniform(100, 900)]),
                submitted=rng.choice(times),  # shared times: order falls back on the id
                ip=rng.choice([None, *ips]),
                pages={"p1": rng.choice([0.5, 12.0])},
            )
        )
    return subjects


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_index_agrees_with_per_response_evaluation(seed: int) -> None:
    subjects = synthetic(300, seed)
    index = BulkIndex(SURVEY, SETTINGS)
    for one in random.Random(seed).sample(subjects, len(subjects)):  # any order will do
        index.observe(one)
    rules_seen: set[str] = set()
    for one in subjects:
        expected = evaluate(SURVEY, SETTINGS, one, oracle(SURVEY, SETTINGS, subjects, one), NOW)
        assert index.neighbours(one) == oracle(SURVEY, SETTINGS, subjects, one)
        assert index.evaluate(one, NOW) == expected
        rules_seen |= {flag.rule for flag in expected}
    # Not vacuous: every rule that compares responses fired somewhere.
    assert {"duplicate-ip", "duplicate-answers", "click-farm", "speeder"} <= rules_seen


def test_bulk_index_follows_the_window_of_the_settings() -> None:
    q = survey(**{"duplicate-ip": {"window_hours": 2}})
    settings = settings_of(q.definition)
    subjects = synthetic(200, 7)
    index = BulkIndex(q, settings)
    for one in subjects:
        index.observe(one)
    for one in subjects:
        assert index.neighbours(one) == oracle(q, settings, subjects, one)


def test_the_earliest_of_duplicates_stays_unflagged() -> None:
    answers = {"C1": "yes", "R1": 5}
    first = subject(10, answers, submitted=NOW - dt.timedelta(hours=3))
    second = subject(11, answers, submitted=NOW - dt.timedelta(hours=2))
    third = subject(3, answers, submitted=NOW - dt.timedelta(hours=2))  # same time, lower id
    index = BulkIndex(SURVEY, SETTINGS)
    for one in (second, third, first):
        index.observe(one)
    flags = {
        one.id: {f.rule: f.kwargs for f in index.evaluate(one, NOW)}
        for one in (first, third, second)
    }
    assert flags[10] == {}
    # The same answers again: a duplicate, not merely a shared address.
    assert flags[3] == {"duplicate-answers": {"earlier": 10}}
    assert flags[11] == {"duplicate-answers": {"earlier": 10}}


def test_other_addresses_and_paper_responses_are_not_duplicates() -> None:
    answers = {"C1": "yes"}
    ones = [
        subject(1, answers),
        subject(2, answers, ip=OTHER_IP),
        subject(3, answers, ip=None, seconds=None, pages={"p1": 600.0}),
    ]
    index = BulkIndex(SURVEY, SETTINGS)
    for one in ones:
        index.observe(one)
    assert [index.evaluate(one, NOW) for one in ones] == [[], [], []]


def test_the_median_needs_enough_responses() -> None:
    index = BulkIndex(SURVEY, SETTINGS)
    quick = subject(1, seconds=200)
    index.observe(quick)
    for id in range(2, 30):
        index.observe(subject(id, seconds=900, ip=None))
    assert index.neighbours(quick).median_seconds == 900
    assert index.evaluate(quick, NOW) == []  # 29 durations: too few to trust the median
    index = BulkIndex(SURVEY, SETTINGS)
    for one in [quick, *(subject(id, seconds=900, ip=None) for id in range(2, 31))]:
        index.observe(one)
    assert [f.kwargs["reasons"] for f in index.evaluate(quick, NOW)] == [("median",)]


def test_an_unobserved_response_is_compared_with_nothing_but_the_median() -> None:
    index = BulkIndex(SURVEY, SETTINGS)
    index.observe(subject(1))
    later = subject(2, submitted=NOW)
    assert index.neighbours(later) == Neighbours(median_seconds=600.0, duration_count=1)


def test_observing_after_the_first_pass_is_refused() -> None:
    index = BulkIndex(SURVEY, SETTINGS)
    index.observe(subject(1))
    index.neighbours(subject(1))
    with pytest.raises(RuntimeError):
        index.observe(subject(2))


def test_another_questionnaire_s_response_is_refused() -> None:
    with pytest.raises(ValueError, match="answers other"):
        BulkIndex(SURVEY, SETTINGS).observe(subject(1, qid="other"))
