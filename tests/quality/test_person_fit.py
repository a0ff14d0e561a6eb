"""Person fit: the norms of the ratings, the distance of one response from them, and the
random-answering rule that flags ratings hanging together far less than honest ones do."""

from __future__ import annotations

import dataclasses
import pickle
import random
from typing import Any

import pytest

from fieldwork.quality import ALONE, BulkIndex, Flag, Neighbours, evaluate, explain, settings_of
from fieldwork.quality.norms import Norms, chi_square_quantile, estimate
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, one_factor_norms, question, questionnaire, subject

# --- the statistics ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freedom", "probability", "exact"),
    [(2, 0.999, 13.816), (5, 0.999, 20.515), (9, 0.999, 27.877), (9, 0.5, 8.343)],
)
def test_the_chi_square_quantile_is_close_to_the_tables(
    freedom: int, probability: float, exact: float
) -> None:
    assert chi_square_quantile(freedom, probability) == pytest.approx(exact, rel=0.03)


def two_scales(variance: tuple[float, float], covariance: float = 0.0) -> Norms:
    (a, b) = variance
    return Norms(("A", "B"), (3.0, 5.0), ((a, covariance), (covariance, b)), count=500)


def test_independent_scales_add_their_squared_standard_scores() -> None:
    """One above the mean on a scale of variance 1, four above on one of variance 4: 1 + 4."""
    assert two_scales((1.0, 4.0)).distance({"A": 4, "B": 9}) == (pytest.approx(5.0), 2)


def test_scales_that_move_together_make_disagreeing_answers_far() -> None:
    """Correlation 0.8: a pair that disagrees lies further out than one that agrees
    by the same amounts, (d1² - 2ρ d1 d2 + d2²) / (1 - ρ²)."""
    norms = two_scales((1.0, 1.0), 0.8)
    agree = norms.distance({"A": 4, "B": 6})
    disagree = norms.distance({"A": 4, "B": 4})
    assert agree == (pytest.approx((1 - 1.6 + 1) / 0.36), 2)
    assert disagree == (pytest.approx((1 + 1.6 + 1) / 0.36), 2)


def test_a_one_factor_covariance_gives_the_sherman_morrison_distance() -> None:
    """Σ = aI + b11ᵀ: D² = (|d|² - b (Σd)² / (a + kb)) / a."""
    a, b, k = 0.3, 0.7, 8
    norms = one_factor_norms(k, variance=a + b, covariance=b)
    answers = {f"R{i}": value for i, value in enumerate((5, 1, 4, 2, 5, 3, 1, 4), 1)}
    deviations = [value - 3 for value in answers.values()]
    expected = (sum(d * d for d in deviations) - b * sum(deviations) ** 2 / (a + k * b)) / a
    assert norms.distance(answers) == (pytest.approx(expected), 8)


def test_scales_not_answered_with_a_number_are_left_out_of_the_comparison() -> None:
    """Hidden by skip logic, "don't know" or unanswered: the distance is the one over the
    sub-matrix of the scales answered, with as many degrees of freedom."""
    norms = Norms(
        ("A", "B", "C"),
        (3.0, 3.0, 3.0),
        ((1.0, 0.8, 0.0), (0.8, 1.0, 0.0), (0.0, 0.0, 2.0)),
        count=500,
    )
    pair = norms.distance({"A": 4, "B": 2})
    assert pair == (pytest.approx((1 + 1.6 + 1) / 0.36), 2)
    assert norms.distance({"A": 4, "B": 2, "C": "_dont_know"}) == pair
    assert norms.distance({"A": 4, "B": 2, "C": None, "X": 1}) == pair
    assert norms.distance({"A": 4, "C": 1}) == (pytest.approx(1 + 4 / 2), 2)
    assert norms.distance({"X": 5}) is None


def test_scales_that_never_differ_cannot_be_compared() -> None:
    """Two scales always answered alike: their covariance has no inverse, and no distance."""
    norms = two_scales((1.0, 1.0), 1.0)
    assert norms.distance({"A": 4, "B": 6}) is None
    assert norms.distance({"A": 4}) == (pytest.approx(1.0), 1)


def test_norms_pickle_for_the_bulk_run_s_workers() -> None:
    norms = one_factor_norms()
    answers = {f"R{i}": 1 + i % 5 for i in range(1, 9)}
    before = norms.distance(answers)  # its factor worked out and kept
    copy = pickle.loads(pickle.dumps(norms))  # noqa: S301 -- our own bytes, just made
    assert copy == norms and copy.distance(answers) == before


# --- estimating the norms from a questionnaire's own responses ---------------------------

SCALES = tuple(f"R{i}" for i in range(1, 9))


def honest(r: random.Random, mood: float | None = None) -> dict[str, Any]:
    """Ratings 1–5 from one satisfaction plus a little noise, as honest raters give them;
    now and then a "don't know", and R7–R8 shown only to those who contacted someone."""
    mood = r.gauss(0, 1) if mood is None else mood
    answers: dict[str, Any] = {}
    for code in SCALES:
        value = 3 + 0.9 * mood + r.gauss(0, 0.5)
        answers[code] = "_dont_know" if r.random() < 0.03 else min(5, max(1, round(value)))
    if r.random() < 0.2:
        del answers["R7"], answers["R8"]
    return answers


def at_random(r: random.Random) -> dict[str, Any]:
    return {code: r.randint(1, 5) for code in SCALES}


def flagged_share(norms: Norms, population: list[dict[str, Any]], tail: float = 0.001) -> float:
    def far(answers: dict[str, Any]) -> bool:
        found = norms.distance(answers)
        return found is not None and found[0] > chi_square_quantile(found[1], 1 - tail)

    return sum(map(far, population)) / len(population)


def test_estimated_norms_tell_random_ratings_from_honest_ones() -> None:
    r = random.Random(11)
    sample = [honest(r) for _ in range(1800)] + [at_random(r) for _ in range(200)]
    norms = estimate(SCALES, sample)
    assert norms is not None and norms.items == SCALES and norms.count == 2000
    assert flagged_share(norms, [honest(r) for _ in range(3000)]) < 0.01
    assert flagged_share(norms, [at_random(r) for _ in range(500)]) > 0.85


def test_careless_responses_in_the_sample_do_not_hide_themselves() -> None:
    """A tenth of the sample answering at random would widen plain estimates so much that
    many random responses looked ordinary; the robust estimate leaves them out."""
    r = random.Random(12)
    sample = [honest(r) for _ in range(1800)] + [at_random(r) for _ in range(200)]
    clean = estimate(SCALES, [honest(r) for _ in range(2000)])
    robust = estimate(SCALES, sample)
    assert clean is not None and robust is not None
    for row_clean, row_robust in zip(clean.covariance, robust.covariance, strict=True):
        assert row_robust == pytest.approx(row_clean, rel=0.25)
    assert flagged_share(robust, [at_random(r) for _ in range(500)]) > 0.85


def test_honest_uniform_raters_are_not_far_from_the_norms() -> None:
    """Everything at the top, or everything at the bottom, is where a very satisfied or a
    very unhappy person honestly lies: along the direction honest ratings move together."""
    r = random.Random(13)
    norms = estimate(SCALES, [honest(r) for _ in range(2000)])
    assert norms is not None
    for value in (1, 5):
        distance, items = norms.distance(dict.fromkeys(SCALES, value)) or (0.0, 0)
        assert items == 8 and distance < chi_square_quantile(8, 0.999)


def test_a_scale_too_seldom_answered_or_never_varied_is_left_out() -> None:
    r = random.Random(14)
    sample = [{**honest(r), "SAME": 3} for _ in range(500)]
    sample[0]["RARE"] = 4
    norms = estimate(("RARE", *SCALES, "SAME"), sample)
    assert norms is not None and norms.items == SCALES


def test_too_few_answers_give_no_norms() -> None:
    assert estimate(SCALES, [{"R1": 3, "R2": 4}] * 5) is None
    assert estimate(SCALES, []) is None


# --- the rule ----------------------------------------------------------------------------


def graded(**quality: Any) -> Questionnaire:
    """Eight ratings, a 0–10 scale and an open question."""
    return questionnaire(
        *(question(code, "rating", allow=["dont_know"]) for code in SCALES),
        question("NPS", "scale_0_10"),
        question("O1", "short_text"),
        quality=quality or None,
    )


GRADED = graded()
RANDOM = {"R1": 5, "R2": 1, "R3": 4, "R4": 1, "R5": 5, "R6": 2, "R7": 1, "R8": 4}


def random_answering(
    answers: dict[str, Any], norms: Norms | None, q: Questionnaire = GRADED, mode: str = "online"
) -> list[Flag]:
    found = evaluate(
        q,
        settings_of(q.definition),
        subject(answers=answers, mode=mode),
        Neighbours(norms=norms),
        NOW,
    )
    return [flag for flag in found if flag.rule == "random-answering"]


def test_ratings_that_do_not_hang_together_are_held_for_review_with_their_distance() -> None:
    (flag,) = random_answering(RANDOM, one_factor_norms(variance=1.0, covariance=0.7))
    assert flag.severity == "review"
    assert flag.kwargs["items"] == 8 and flag.kwargs["limit"] == 26.3
    assert flag.kwargs["distance"] > 50
    [(message, params)] = explain(flag.as_json())
    assert message % params == (
        f"The 8 ratings given hang together much less than other respondents' do"
        f" (distance {flag.kwargs['distance']}, usually at most 26.3)."
    )


def test_ratings_that_move_together_pass_however_high_or_low() -> None:
    norms = one_factor_norms(variance=1.0, covariance=0.7)
    for values in ((5, 5, 4, 5, 5, 5, 4, 5), (1, 1, 1, 1, 1, 1, 1, 1), (3, 2, 3, 3, 4, 3, 3, 2)):
        assert random_answering(dict(zip(SCALES, values, strict=True)), norms) == []


def test_nothing_is_judged_before_there_are_enough_responses_to_compare_with() -> None:
    q = graded(**{"random-answering": {"min_responses": 50}})
    enough = one_factor_norms(variance=1.0, covariance=0.7, responses=50)
    too_few = dataclasses.replace(enough, count=49)
    assert random_answering(RANDOM, too_few, q) == []
    assert random_answering(RANDOM, None, q) == []
    assert random_answering(RANDOM, ALONE.norms, q) == []
    assert [flag.rule for flag in random_answering(RANDOM, enough, q)] == ["random-answering"]


def test_too_few_ratings_answered_are_not_judged() -> None:
    """Four of eight ratings answered, the rest "don't know": under `min_items` (5)."""
    norms = one_factor_norms(variance=1.0, covariance=0.7)
    four = {**RANDOM, **dict.fromkeys(("R5", "R6", "R7", "R8"), "_dont_know")}
    assert random_answering(four, norms) == []
    assert random_answering({**RANDOM, "R7": "_dont_know", "R8": None}, norms) != []


def test_a_smaller_tail_asks_for_a_greater_distance() -> None:
    norms = one_factor_norms(variance=1.0, covariance=0.7)
    answers = {**dict.fromkeys(SCALES, 3), "R1": 5, "R2": 1, "R3": 5}
    assert random_answering(answers, norms) != []
    strict = graded(**{"random-answering": {"tail": 0.000001}})
    assert random_answering(answers, norms, strict) == []


def test_a_checklist_s_ratings_are_not_judged() -> None:
    norms = one_factor_norms(variance=1.0, covariance=0.7)
    assert random_answering(RANDOM, norms, mode="shadow") == []


def test_the_bulk_index_hands_its_norms_to_every_response() -> None:
    """Whether a response has earlier ones from its address or none: the same norms, and
    the flag `evaluate` gives with them."""
    norms = one_factor_norms(variance=1.0, covariance=0.7)
    settings = settings_of(GRADED.definition)
    ones = [
        subject(1, RANDOM),
        subject(2, RANDOM),  # the same address and answers: a duplicate too
        subject(3, dict(zip(SCALES, (4, 4, 5, 4, 3, 4, 4, 5), strict=True)), ip=None),
    ]
    index = BulkIndex(GRADED, settings, norms)
    for one in ones:
        index.observe(one)
    for one in ones:
        assert index.neighbours(one).norms is norms
        expected = evaluate(GRADED, settings, one, index.neighbours(one), NOW)
        assert index.evaluate(one, NOW) == expected
    assert [f.rule for f in index.evaluate(ones[0], NOW)] == ["random-answering"]
    assert "random-answering" in {f.rule for f in index.evaluate(ones[1], NOW)}
    assert index.evaluate(ones[2], NOW) == []
