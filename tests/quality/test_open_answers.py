"""Open answers: one text pasted everywhere, keyboard mash, answers that say nothing.

Real answers in Chinese and English must pass untouched: the mash rule is tested
against sentences like the ones respondents write.
"""

from __future__ import annotations

from typing import Any

import pytest

from fieldwork.quality import ALONE, Flag, evaluate, settings_of
from fieldwork.quality.open_text import is_empty_equivalent, mash_sign, normalise
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, question, questionnaire, subject, survey

SURVEY = survey()

CHINESE = [
    "客服态度很好，但是退款太慢了。",
    "希望能有电话客服。",
    "机器人客服答非所问，转人工要等二十多分钟。",
    "退货流程太复杂了，上门取件的时间一直改。",
    "商家一直拖着不处理，最后还是平台介入才退的款。",
    "希望客服能说人话，不要一直发模板。",
    "直播间里说七天无理由，结果收到货就不认了！！！",
    "整体还可以，就是等待时间太长了……",
    "好评，处理得很快，谢谢客服小姐姐😊",
    "太慢了啊啊啊啊啊",
    "客服態度很好，但是退款太慢了。",
    "希望能有電話客服，長輩不會打字。",
    "退貨要自己付運費，不太合理。",
    "我花了300元买的耳机，修了两次都没修好。",
    "快快快，快点退款",
]
ENGLISH = [
    "The agent was polite but the refund took three weeks.",
    "Please add a phone hotline for older customers.",
    "The chatbot kept sending me the same link, sooooo slow.",
    "Nothing was resolved until I complained on Weibo.",
    "I waited 45 minutes in the queue, then the chat closed.",
    "Great service!!! Quick and friendly.",
    "They asked me to upload photos of the package three times.",
    "refund ok",
    "Strengths: fast pickup. Weaknesses: rude staff.",
    "rhythm of replies was fine; https link in the SMS was broken",
    "Mixed 中英 answer: the JD app is fine but 客服 is slow",
    "iPhone15 pro max 256g, repaired twice",
    "order no. 2026110512, still waiting",
    "+86 138 0000 0000",
    "2026-11-05",
]
SHORT_HONEST = ["无", "没有", "挺好的", "no", "fine", "谢谢", "希望更好", "好的", "ok", "很满意"]
MASH = [
    "asdfasdfjkl",
    "jjjjjjjj",
    "qwertyuiop",
    "sdfghjkl",
    "fjdksla",
    "zxcvbnm",
    "asdasdasdasd",
    "hjkhjkhjk",
    "xcvbnmxcvb",
    "lkjhgfdsa",
    "哈哈哈哈哈哈",
    "ASDF ASDF",
    "dfgdfgdfgdfg",
    "qwer asdf zxcv",
    # runs of signs, a chunk said again, characters picked at random
    "123456789",
    "😀😀😀😀😀😀",
    "👍👍👍🙏🙏🙏",
    "......",
    "1111111",
    "qwerqwer",
    "嘿嘿嘿嘿",
    "希望更好希望更好",
    "aK3j9QzP2x",
    "PyYngFb51yBM",
    "弲雛嘓溦崗赪螈該",
    "鑴鵟齾龘鸜爩",
]
EMPTY = [
    "无",
    "没有",
    "沒有",
    "no",
    "None",
    "N/A",
    "-",
    ".",
    "...",
    "111",
    "😀",
    "不知道",
    "无。",
    "  无  ",
]


def rule(q: Questionnaire, code: str, answers: dict[str, Any]) -> list[Flag]:
    found = evaluate(q, settings_of(q.definition), subject(answers=answers), ALONE, NOW)
    return [flag for flag in found if flag.rule == code]


# --- keyboard mash ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", CHINESE + ENGLISH + SHORT_HONEST)
def test_real_answers_are_not_mash(answer: str) -> None:
    assert mash_sign(normalise(answer)) is None
    assert rule(SURVEY, "open-mash", {"O1": answer}) == []


@pytest.mark.parametrize("answer", MASH)
def test_keyboard_mash_is_recognised(answer: str) -> None:
    assert mash_sign(normalise(answer)) is not None


def test_mash_is_flagged_for_review_naming_the_questions() -> None:
    answers = {"O1": "客服态度很好，但是退款太慢了。", "O2": "asdfasdfjkl", "O3": "jjjjjjjj"}
    assert rule(SURVEY, "open-mash", answers) == [
        Flag.of(
            "open-mash",
            "review",
            questions=("O2", "O3"),
            signs=("keyboard-walk", "one-or-two-letters"),
        )
    ]


def test_empty_equivalents_are_not_also_mash() -> None:
    assert rule(SURVEY, "open-mash", {"O1": "111", "O2": "..."}) == []


def test_a_long_run_of_signs_is_mash_not_an_empty_answer() -> None:
    answers = {"O1": "1111111", "O2": "😀😀😀😀😀"}
    assert rule(SURVEY, "open-empty", answers) == []
    (flag,) = rule(SURVEY, "open-mash", answers)
    assert flag.kwargs["signs"] == ("no-letters", "no-letters")


def test_short_answers_are_not_judged_as_mash() -> None:
    assert rule(SURVEY, "open-mash", {"O1": "ok", "O2": "哈哈"}) == []


# --- empty-equivalent answers ----------------------------------------------------------------


@pytest.mark.parametrize("answer", EMPTY)
def test_empty_equivalents_are_recognised(answer: str) -> None:
    assert is_empty_equivalent(answer)


@pytest.mark.parametrize(
    "answer", ["无线耳机坏了", "no refund yet", "1 day", "没有人回复我", "n/a today"]
)
def test_answers_that_start_like_an_empty_word_say_something(answer: str) -> None:
    assert not is_empty_equivalent(answer)


def test_empty_answers_are_noted() -> None:
    answers = {"O1": "无", "O2": "退货要自己付运费。", "O3": "N/A"}
    assert rule(SURVEY, "open-empty", answers) == [
        Flag.of("open-empty", "note", questions=("O1", "O3"))
    ]


def test_extra_empty_words_come_from_settings() -> None:
    q = survey(**{"open-empty": {"extra_words": ["没啥可说的"]}})
    assert rule(SURVEY, "open-empty", {"O1": "没啥可说的！"}) == []
    assert rule(q, "open-empty", {"O1": "没啥可说的！"})[0].kwargs["questions"] == ("O1",)


# --- the same text everywhere ----------------------------------------------------------------


def test_the_same_text_in_every_open_answer_is_flagged() -> None:
    text = "客服态度很好，但是退款太慢了。"
    answers = {"O1": text, "O2": text + " ", "O3": text}
    assert rule(SURVEY, "open-same-text", answers) == [
        Flag.of("open-same-text", "review", questions=("O1", "O2", "O3"), count=3)
    ]


def test_the_same_text_in_two_of_three_answered_is_not_flagged() -> None:
    answers = {"O1": "Too slow", "O2": "Too slow", "O3": "Add a hotline"}
    assert rule(SURVEY, "open-same-text", answers) == []


def test_one_answered_open_question_is_not_enough() -> None:
    assert rule(SURVEY, "open-same-text", {"O1": "The refund was slow."}) == []


def test_unanswered_open_questions_do_not_count() -> None:
    answers = {"O1": "Refund was slow", "O2": "refund was  SLOW", "O3": None}
    assert rule(SURVEY, "open-same-text", answers)[0].kwargs["count"] == 2


def test_the_same_trivial_text_is_not_a_paste() -> None:
    assert rule(SURVEY, "open-same-text", {"O1": "无", "O2": "无", "O3": "好"}) == []
    assert rule(SURVEY, "open-same-text", {"O1": "还行", "O2": "还行"}) == []


def test_a_common_honest_phrase_written_twice_is_not_a_paste() -> None:
    assert rule(SURVEY, "open-same-text", {"O1": "希望更好", "O2": "希望更好"}) == []
    assert rule(SURVEY, "open-same-text", {"O1": "all good!", "O2": "All good"}) == []


# --- the question pasted back ----------------------------------------------------------------

ASKED = questionnaire(
    question(
        "O1",
        "long_text",
        text={
            "zh-Hans": "您对平台的售后服务还有什么建议？",
            "en": "What else would you suggest to improve after-sales service?",
        },
        hint={
            "zh-Hans": "比如客服、退货或者退款。",
            "en": "For example support, returns or refunds.",
        },
    ),
)


@pytest.mark.parametrize(
    "answer",
    [
        "您对平台的售后服务还有什么建议？",
        "您对平台的售后服务还有什么建议",
        "what else would you suggest to improve after sales service",
        "比如客服、退货或者退款。",
    ],
)
def test_the_question_or_its_hint_pasted_back_is_mash(answer: str) -> None:
    (flag,) = rule(ASKED, "open-mash", {"O1": answer})
    assert flag.kwargs == {"questions": ("O1",), "signs": ("question-text",)}


@pytest.mark.parametrize(
    "answer", ["对平台的售后服务没有什么建议，挺好的。", "建议退款快一点", "I suggest a hotline."]
)
def test_an_answer_that_echoes_a_few_words_of_the_question_is_not(answer: str) -> None:
    assert rule(ASKED, "open-mash", {"O1": answer}) == []


def test_a_realistic_response_raises_no_open_answer_flag() -> None:
    answers = {"O1": CHINESE[0], "O2": CHINESE[1], "O3": ENGLISH[0]}
    found = evaluate(SURVEY, settings_of(SURVEY.definition), subject(answers=answers), ALONE, NOW)
    assert [f.rule for f in found if f.rule.startswith("open-")] == []
