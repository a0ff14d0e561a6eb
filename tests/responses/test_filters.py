"""The one filter: every check of the parser, its messages, hostile input, the batch JSON."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
from collections.abc import Mapping, Sequence

import pytest

from fieldwork.responses import filters
from fieldwork.responses.filters import BATCH, QUEUE, Filter, Known, Problem, parse

QID, OTHER = "after_sales", "shop_visit"
MINE, NEWER, THEIRS = "a" * 64, "ab" + "c" * 62, "f" * 64
KNOWN = Known(
    versions={QID: (NEWER, MINE), OTHER: (THEIRS,)},
    segments=frozenset({"parents", "young"}),
    time_zone="Asia/Shanghai",
)
LIMITS = {"first": "2000-01-01", "last": "2099-12-31"}


def problems(data: Mapping[str, Sequence[str]], fields: filters.Fields = BATCH) -> list[Problem]:
    parsed = parse(data, KNOWN, fields)
    assert (parsed.filter is None) == bool(parsed.problems)
    return list(parsed.problems)


def batch(**data: Sequence[str]) -> list[Problem]:
    """Problems of batch filters for QID plus `data` (`from_` is the field `from`)."""
    sent = {key.rstrip("_"): value for key, value in data.items()}
    return problems({"questionnaire": [QID], **sent})


def one(code: str, field: str, **params: str) -> list[Problem]:
    return [Problem(code, field, params)]


# ---------------------------------------------------------------- each check


def test_a_batch_needs_a_questionnaire() -> None:
    assert problems({}) == one(filters.NO_QUESTIONNAIRE, "questionnaire")
    assert problems({"questionnaire": ["  "]}) == one(filters.NO_QUESTIONNAIRE, "questionnaire")


def test_the_queue_takes_every_questionnaire_when_none_is_chosen() -> None:
    expected = Filter(time_zone="Asia/Shanghai", statuses=("pending",))
    assert parse({}, KNOWN, QUEUE).filter == expected


def test_the_queue_takes_pending_responses_unless_told_otherwise() -> None:
    for blank in ({}, {"status": []}, {"status": ["", " "]}):
        parsed = parse(blank, KNOWN, QUEUE).filter
        assert parsed is not None and parsed.statuses == ("pending",), blank
    everything = parse({"status": ["all"]}, KNOWN, QUEUE).filter
    assert everything is not None and everything.statuses == ()
    # "All statuses" is said again in links and hidden fields, so it survives them.
    assert everything.as_args(QUEUE) == {"status": ["all"]}
    assert parse(everything.as_args(QUEUE), KNOWN, QUEUE).filter == everything
    # A batch has no default: no status is every status, as its stored filters say.
    assert "status" not in Filter(questionnaire_id=QID).as_args(BATCH)


def test_an_unknown_questionnaire_is_named() -> None:
    expected = one(filters.UNKNOWN_QUESTIONNAIRE, "questionnaire", value="nope")
    assert problems({"questionnaire": ["nope"]}) == expected
    assert problems({"questionnaire": ["nope"]}, QUEUE) == expected


def test_a_version_must_be_of_the_questionnaire_chosen() -> None:
    assert batch(version=[THEIRS]) == one(
        filters.UNKNOWN_VERSION, "version", value=THEIRS[:39] + "…"
    )
    assert batch(version=["not-a-version"]) == one(
        filters.UNKNOWN_VERSION, "version", value="not-a-version"
    )


def test_a_version_may_be_named_by_the_start_of_its_hash_if_only_one_starts_so() -> None:
    assert parse({"questionnaire": [QID], "version": [MINE[:8]]}, KNOWN).filter == Filter(
        QID, versions=(MINE,), time_zone="Asia/Shanghai"
    )
    assert batch(version=[MINE[:7]])[0].code == filters.UNKNOWN_VERSION  # too short to tell
    assert batch(version=["a" + "c" * 7])[0].code == filters.UNKNOWN_VERSION  # no such start


def test_a_version_of_an_unknown_questionnaire_is_not_a_second_problem() -> None:
    found = problems({"questionnaire": ["nope"], "version": [MINE]})
    assert [p.code for p in found] == [filters.UNKNOWN_QUESTIONNAIRE]


@pytest.mark.parametrize(
    ("field", "value", "code", "fields"),
    [
        ("segment", "martians", filters.UNKNOWN_SEGMENT, BATCH),
        ("mode", "fax", filters.UNKNOWN_MODE, BATCH),
        ("status", "deleted", filters.UNKNOWN_STATUS, QUEUE),
        ("flag", "%", filters.UNKNOWN_FLAG, QUEUE),
    ],
)
def test_a_value_no_list_offers_is_named(
    field: str, value: str, code: str, fields: filters.Fields
) -> None:
    good = {"segment": "parents", "mode": "online", "status": "pending", "flag": "speeder"}
    found = problems({"questionnaire": [QID], field: [good[field], value]}, fields)
    assert found == one(code, field, value=value)


@pytest.mark.parametrize(
    "typed", ["2026-13-01", "2026-11-31", "2026-02-30", "yesterday", "20261122", "2026-W47-1"]
)
def test_a_day_must_be_year_month_day(typed: str) -> None:
    assert batch(from_=[typed]) == one(filters.NOT_A_DAY, "from")
    assert batch(to=[typed]) == one(filters.NOT_A_DAY, "to")


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_a_day_far_from_any_fieldwork_is_refused(typed: str) -> None:
    assert batch(to=[typed]) == one(filters.DAY_OUT_OF_RANGE, "to", **LIMITS)


def test_the_first_and_last_days_taken() -> None:
    parsed = parse({"questionnaire": [QID], "from": ["2000-01-01"], "to": ["2099-12-31"]}, KNOWN)
    assert parsed.filter is not None
    assert (parsed.filter.submitted_from, parsed.filter.submitted_to) == (
        filters.FIRST_DAY,
        filters.LAST_DAY,
    )


def test_full_width_digits_from_a_chinese_keyboard_are_a_day() -> None:
    parsed = parse({"questionnaire": [QID], "from": ["２０２６－１１－０４"]}, KNOWN)
    assert parsed.filter is not None and parsed.filter.submitted_from == dt.date(2026, 11, 4)


def test_from_after_to_is_shown_at_from() -> None:
    assert batch(from_=["2026-12-01"], to=["2026-11-01"]) == one(filters.FROM_AFTER_TO, "from")


def test_one_day_from_and_to_is_that_day() -> None:
    assert batch(from_=["2026-11-04"], to=["2026-11-04"]) == []


@pytest.mark.parametrize("field", ["campaign", "wave"])
def test_an_over_long_campaign_or_wave_is_refused(field: str) -> None:
    assert batch(**{field: ["x" * 65]}) == one(filters.TOO_LONG, field, max="64")
    assert batch(**{field: ["x" * 64]}) == []


@pytest.mark.parametrize("field", ["questionnaire", "from", "to", "campaign", "wave"])
def test_a_field_of_one_value_given_two_is_refused(field: str) -> None:
    values = {"questionnaire": [QID, OTHER], "from": ["2026-11-01", "2026-11-02"]}
    data = {"questionnaire": [QID], field: values.get(field, ["2026-11-01", "Q4"])}
    assert one(filters.ONE_VALUE, field) == problems(data)[:1]


def test_the_same_value_twice_is_one_value() -> None:
    parsed = parse({"questionnaire": [QID, QID], "segment": ["young", "young", ""]}, KNOWN)
    assert parsed.filter == Filter(QID, segments=("young",), time_zone="Asia/Shanghai")


def test_every_field_with_a_problem_has_one_in_the_order_of_the_form() -> None:
    found = problems(
        {
            "questionnaire": [QID],
            "mode": ["fax", "pigeon"],
            "from": ["soon"],
            "segment": ["martians"],
            "wave": ["w" * 65],
        }
    )
    assert [(p.field, p.code) for p in found] == [
        ("wave", filters.TOO_LONG),
        ("from", filters.NOT_A_DAY),
        ("segment", filters.UNKNOWN_SEGMENT),
        ("mode", filters.UNKNOWN_MODE),
    ]


def test_good_filters_parse_into_the_filter_and_back() -> None:
    data = {
        "questionnaire": [" " + QID + " "],
        "version": [MINE],
        "campaign": ["Q4"],
        "wave": ["1"],
        "from": ["2026-11-01"],
        "to": ["2026-11-30"],
        "segment": ["parents", "young"],
        "mode": ["paper"],
    }
    chosen = parse(data, KNOWN).filter
    assert chosen == Filter(
        QID,
        (MINE,),
        "Q4",
        "1",
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        ("parents", "young"),
        ("paper",),
        "Asia/Shanghai",
    )
    assert parse(chosen.as_args(), KNOWN).filter == chosen


def test_queue_filters_parse_and_round_trip() -> None:
    data = {"status": ["pending", "on_hold"], "flag": ["speeder"], "to": ["2026-11-30"]}
    chosen = parse(data, KNOWN, QUEUE).filter
    assert chosen is not None
    assert (chosen.statuses, chosen.flags) == (("pending", "on_hold"), ("speeder",))
    assert parse(chosen.as_args(), KNOWN, QUEUE).filter == chosen


def test_only_the_fields_offered_are_read() -> None:
    data = {"version": ["junk"], "campaign": ["x" * 999], "page": ["2"], "csrf_token": ["t"]}
    expected = Filter(time_zone="Asia/Shanghai", statuses=("pending",))
    assert parse(data, KNOWN, QUEUE).filter == expected
    assert batch(status=["deleted"], flag=["junk"], name=["x" * 999]) == []


# ---------------------------------------------------------------- hostile input

HOSTILE = [
    "x" * 1_000_000,
    "\x00",
    "\udcff\udcfe",  # what surrogateescape makes of bytes that are not UTF-8
    "\ufffd\ufffd",
    "\u202e2026-11-04",  # right-to-left override
    "2026-11-04\n",
    "２０２６-１１-３１",
    "1e309",
    "-1",
    "' OR 1=1 --",
    '%"code": "%',
    "🙂" * 10_000,
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", [*BATCH.names, "status", "flag"])
def test_hostile_values_are_a_problem_with_a_short_message(field: str, value: str) -> None:
    fields = QUEUE if field in ("status", "flag") else BATCH
    base = {} if field == "questionnaire" else {"questionnaire": [QID]}
    parsed = parse({**base, field: [value] * 3}, KNOWN, fields)
    for problem in parsed.problems:
        assert problem.field == field
        assert len(problem.words()) < 200
    if parsed.filter is not None:  # a campaign or wave is any text of up to 64 characters
        assert field in ("campaign", "wave") or value.strip() == "2026-11-04"
        assert len(value.strip()) <= 64


def test_thousands_of_repeated_junk_values_give_one_problem() -> None:
    found = batch(segment=[f"junk{i}" for i in range(10_000)])
    assert found == one(filters.UNKNOWN_SEGMENT, "segment", value="junk0")


def test_a_value_quoted_in_a_message_is_cut_short() -> None:
    (found,) = batch(segment=["m" * 500])
    assert found.params["value"] == "m" * 39 + "…"


# ---------------------------------------------------------------- messages


def test_every_code_has_a_message() -> None:
    """A code is only a code with words for it: every Problem the module builds from a
    named code, and every code a table or the day reader gives, is in MESSAGES."""
    tree = ast.parse(inspect.getsource(filters))
    named = {
        node.args[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Problem"
        and node.args
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id.isupper()
    }
    codes = {getattr(filters, name) for name in named}
    codes |= {code for code, _values in filters.UNKNOWN.values()}
    codes |= {filters.NOT_A_DAY, filters.DAY_OUT_OF_RANGE}
    assert codes - set(filters.MESSAGES) == set()
    assert len(codes) == len(filters.MESSAGES)  # and no message outlives its code


def test_messages_fill_in_their_parameters() -> None:
    words = Problem(filters.DAY_OUT_OF_RANGE, "to", LIMITS).words()
    assert words == "Enter a date from 2000-01-01 to 2099-12-31."
    translated = Problem(filters.UNKNOWN_MODE, "mode", {"value": "fax"}).words(
        lambda message: message.replace("There is no mode", "No such mode as")
    )
    assert translated == "No such mode as “fax”: choose one from the list."


# ---------------------------------------------------------------- as a batch stores it

STORED = (
    '{"questionnaire_id": "after_sales", "versions": ["' + MINE + '"], "campaign": "Q4", '
    '"wave": null, "submitted_from": "2026-11-01", "submitted_to": null, '
    '"segments": ["parents"], "modes": [], "time_zone": "Asia/Shanghai"}'
)
"""A batch's filters as they have always been stored: the same keys in the same order."""


def test_a_batch_stores_its_filter_as_it_always_has() -> None:
    chosen = Filter(
        QID,
        versions=(MINE,),
        campaign="Q4",
        submitted_from=dt.date(2026, 11, 1),
        segments=("parents",),
        time_zone="Asia/Shanghai",
    )
    assert json.dumps(chosen.as_json(), ensure_ascii=False) == STORED
    assert Filter.from_json(json.loads(STORED)) == chosen


def test_a_stored_filter_reads_back_to_the_same_json() -> None:
    assert json.dumps(Filter.from_json(json.loads(STORED)).as_json()) == STORED


def test_queue_only_fields_are_stored_only_when_set() -> None:
    chosen = Filter(QID, statuses=("approved",), flags=("speeder",))
    data = chosen.as_json()
    assert list(data)[-2:] == ["statuses", "flags"]
    assert Filter.from_json(data) == chosen
    assert "statuses" not in Filter(QID).as_json()


def test_the_modes_a_filter_takes_are_the_modes_the_pages_name() -> None:
    from fieldwork.web.labels import MODES

    assert set(filters.MODES) == set(MODES)
