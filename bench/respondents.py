"""A seeded population of respondents for bench/quality.py: honest people and careless ones.

Each `Person` knows who they are (a labelled kind, honest or careless), what they
would answer to every question of a questionnaire (as the form fields a browser
sends), how long they spend on a page, which network address and browser they come
from, and whether they save and come back. The driver walks them through the real
pages; nothing here touches the app, so the labels cannot leak into what the rules see.

Honest people answer from a latent satisfaction: one number per person that pulls all
their ratings up or down together, plus a little noise, as real raters do. Their
timings vary with age and the question (reading a choice list, typing an answer).
Careless people are the kinds the rules must catch: speeders, straight-liners,
duplicates and near-duplicates from one address, click farms (one answer set spread
over many addresses), random and patterned answering, junk open answers, answers that
contradict each other, and scripts that post the form without walking it.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from fieldwork.questionnaire.model import Question, Questionnaire

Form = dict[str, Any]
"""Form fields for one question: name -> value or list of values."""

HONEST = "honest"
CARELESS = "careless"

# Kinds, with their share of the population. Honest groups are what must not be flagged;
# careless kinds are what must be caught. Several kinds come in clusters (a household, a
# community worker's day, a click farm), so their counts are rounded to whole clusters.
HONEST_KINDS = {
    "young-fast": 0.14,
    "middle": 0.14,
    "elderly-alone": 0.10,
    "elderly-assisted": 0.10,  # a community worker's tablet: one address, several a day
    "family": 0.08,  # two to four people on one home network, the same day
    "resumed-later": 0.06,  # saves, comes back days later from another address
    "uniform-satisfied": 0.05,  # every rating at the top, honestly
    "uniform-unhappy": 0.03,
    "short-answers": 0.06,  # "无", "挺好的", "fine", and one common phrase twice
    "parents": 0.06,
}
CARELESS_KINDS = {
    "speeder": 0.02,
    "straight-liner": 0.02,
    "duplicate": 0.02,  # the same answers again from the same address
    "near-duplicate": 0.015,  # the same person again, one or two answers changed
    "click-farm": 0.03,  # one answer set, small changes, many addresses, one day
    "direct-post": 0.015,  # a script posting the whole form, no pages walked
    "random": 0.02,
    "pattern": 0.015,  # 1-2-3-1-2-3, 1-5-1-5
    "open-junk": 0.02,  # emoji, digits, qwerqwer, 嘿嘿嘿嘿, random characters, question pasted
    "contradiction": 0.015,  # "solved at first contact" after contacting ten times
}

LOCALES = (("zh-Hans", 0.7), ("zh-Hant", 0.15), ("en", 0.15))

HONEST_TEXT = {
    "zh-Hans": [
        "客服回复太慢了，等了很久才有人理我。",
        "退货流程还算顺利，就是上门取件晚了一天。",
        "希望机器人能早点转人工，一直绕圈子很烦。",
        "商家和平台互相推，最后是平台介入才解决。",
        "整体还可以，退款到账比较快。",
        "电话打了三次才打通，希望多安排一些客服。",
        "字太小了，老人看不清楚，希望有大字版。",
        "直播间里问问题没人回答，下播以后更找不到人。",
        "售后态度很好，问题一次就解决了。",
        "换货寄回来的还是坏的，又折腾了一周。",
    ],
    "zh-Hant": [
        "客服回覆太慢了，等了很久才有人理我。",
        "退貨流程還算順利，就是上門取件晚了一天。",
        "希望機器人能早點轉人工，一直繞圈子很煩。",
        "整體還可以，退款到帳比較快。",
        "電話打了三次才打通，希望多安排一些客服。",
        "售後態度很好，問題一次就解決了。",
    ],
    "en": [
        "The chat bot kept repeating itself before I reached a person.",
        "The refund came quickly once the parcel was picked up.",
        "It took three calls to get through on the hotline.",
        "The seller and the platform kept passing me back and forth.",
        "Good service overall, the problem was solved at once.",
        "The pickup was a day late but otherwise fine.",
    ],
}
SHORT_TEXT = {
    "zh-Hans": ["无", "没有", "挺好的", "还行", "希望更好", "没意见", "很满意"],
    "zh-Hant": ["無", "沒有", "挺好的", "還行", "希望更好", "很滿意"],
    "en": ["no", "none", "fine", "good", "all good", "nothing", "ok"],
}
COMMON_PHRASE = {"zh-Hans": "希望更好", "zh-Hant": "希望更好", "en": "keep it up"}
JUNK = (
    lambda r: "😀" * r.randint(5, 12),
    lambda r: "👍👍👍🙏🙏🙏" * r.randint(1, 3),
    lambda r: str(r.randint(10**5, 10**9)),
    lambda r: "." * r.randint(6, 20),
    lambda r: "qwer" * r.randint(2, 4),
    lambda r: "嘿嘿" * r.randint(2, 5),
    lambda r: "好好好好" * r.randint(1, 3),
    lambda r: "".join(
        r.choice(string.ascii_letters + string.digits) for _ in range(r.randint(8, 20))
    ),
    lambda r: "".join(chr(r.randint(0x4E00, 0x9FA5)) for _ in range(r.randint(6, 14))),
    lambda r: "asdfgh" + "jkl" * r.randint(1, 3),
)
BROWSERS = (
    "Mozilla/5.0 (Linux; Android 12; HUAWEI P40) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/118.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/119.0 Safari/537.36",
)


@dataclass
class Person:
    """One respondent of the benchmark, labelled."""

    kind: str
    group: str  # HONEST or CARELESS
    locale: str
    address: str
    browser: str
    start: dt.datetime
    answers: dict[str, Form]  # form fields for every question, by code
    link: dict[str, str] = field(default_factory=dict)  # invitation link values
    pace: Callable[[Question], float] = lambda q: 5.0  # seconds on a page of that question
    device: str = ""  # people sharing a device share a browser session (cookies)
    save_after: int | None = None  # pages answered before saving; then resumes
    resume_after: dt.timedelta = dt.timedelta(0)
    resume_address: str = ""
    direct_post: bool = False


def population(questionnaire: Questionnaire, size: int, seed: int) -> list[Person]:
    """About `size` people, honest and careless in the shares above, sorted by start time."""
    maker = _Maker(questionnaire, random.Random(seed))
    people: list[Person] = []
    for kind, share in {**HONEST_KINDS, **CARELESS_KINDS}.items():
        wanted = max(1, round(size * share))
        made = getattr(maker, kind.replace("-", "_"))
        group: list[Person] = []
        while len(group) < wanted:
            group.extend(made())
        people.extend(group)
    people.sort(key=lambda p: p.start)
    return people


class _Maker:
    """The people of each kind. Clustered kinds return several people at once."""

    WINDOW = dt.timedelta(days=14)

    def __init__(self, questionnaire: Questionnaire, r: random.Random) -> None:
        self.q = questionnaire
        self.r = r
        self.begin = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)
        self.addresses = 0

    # -- building blocks ------------------------------------------------------------

    def address(self) -> str:
        self.addresses += 1
        n = self.addresses
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    def locale(self) -> str:
        return self.r.choices([tag for tag, _ in LOCALES], [w for _, w in LOCALES])[0]

    def moment(self) -> dt.datetime:
        """A time in the campaign's fortnight, mostly by day in China (UTC+8)."""
        day = self.r.randrange(self.WINDOW.days)
        hour = self.r.choices(range(24), [1 if h >= 15 or h < 1 else 6 for h in range(24)])[0]
        return self.begin + dt.timedelta(days=day, hours=hour, minutes=self.r.random() * 60)

    def pace(self, mean: float, spread: float = 0.5) -> Callable[[Question], float]:
        """Seconds on a page: reading grows with the choices, typing with the text."""
        r = self.r

        def seconds(question: Question) -> float:
            work = 1 + 0.15 * len(question.choices)
            if question.type in ("long_text", "short_text"):
                work = 3
            if question.type in ("date", "duration"):
                work = 1.6
            return max(1.0, r.lognormvariate(0, spread) * mean * work)

        return seconds

    def person(self, kind: str, group: str, answers: dict[str, Form], **more: Any) -> Person:
        locale = more.pop("locale", None) or self.locale()
        return Person(
            kind=kind,
            group=group,
            locale=locale,
            address=more.pop("address", None) or self.address(),
            browser=more.pop("browser", None) or self.r.choice(BROWSERS),
            start=more.pop("start", None) or self.moment(),
            answers=answers,
            **more,
        )

    def honest_answers(
        self,
        locale: str,
        age: str | None = None,
        parent: bool | None = None,
        mood: float | None = None,
        texts: str = "honest",
    ) -> dict[str, Form]:
        """Answers of a real person: ratings pulled together by one satisfaction."""
        r = self.r
        mood = r.gauss(0, 1) if mood is None else mood
        self.written: set[str] = set()
        forms: dict[str, Form] = {}
        for q in self.q.questions:
            forms[q.code] = self._honest(q, locale, mood, age, parent, texts)
        if forms.get("Q4") == {"Q4": "yes_first_time"}:  # solved at once: one or two contacts
            forms["Q5"] = {"Q5": r.choice(("1", "1", "1", "2"))}
        return forms

    def _honest(
        self,
        q: Question,
        locale: str,
        mood: float,
        age: str | None,
        parent: bool | None,
        texts: str,
    ) -> Form:
        r = self.r
        code = q.code
        if q.type in ("rating", "scale_0_10"):
            if q.allow and r.random() < 0.04:
                return {code: r.choice(q.allow)}
            low, high = (
                (0, 10)
                if q.type == "scale_0_10"
                else (q.options.get("min", 1), q.options.get("max", 5))
            )
            middle, reach = (low + high) / 2, (high - low) / 2
            value = middle + reach * (0.45 * mood + r.gauss(0, 0.25))
            return {code: str(min(high, max(low, round(value))))}
        if code == "S1" and age:
            return {code: age}
        if code == "S2" and parent is not None:
            return {code: "yes" if parent else "no"}
        if code == "Q4":  # solved or not goes with how satisfied
            ranked = [c.value for c in q.choices]  # best first
            index = min(len(ranked) - 1, max(0, round(1.8 - 1.2 * mood + r.gauss(0, 0.7))))
            return {code: ranked[index]}
        if code == "Q5":
            return {code: str(max(1, round(r.lognormvariate(0.6, 0.6))))}
        if q.type == "single_choice":
            return {code: r.choice(q.choices).value}
        if q.type == "multiple_choice":
            ordinary = [c.value for c in q.choices if not c.exclusive and c.value != "none"]
            most = q.options.get("max_selected", 3)
            return {code: r.sample(ordinary, r.randint(1, min(3, most, len(ordinary))))}
        if q.type == "date":
            day = self.begin.date() - dt.timedelta(days=r.randint(3, 90))
            return {
                f"{code}-year": str(day.year),
                f"{code}-month": str(day.month),
                f"{code}-day": str(day.day),
            }
        if q.type == "duration":
            minutes = min(q.options.get("max", 10080), round(r.lognormvariate(4, 1.5)))
            hours, rest = divmod(minutes, 60)
            return {f"{code}-hours": str(hours), f"{code}-minutes": str(rest)}
        if q.type == "number":
            return {code: str(r.randint(0, 5))}
        # Open answers: many leave them empty, some write a sentence, some a word.
        if r.random() < (0.2 if texts == "short" else 0.45):
            return {code: ""}
        # A person writes something different in each box (short answers may repeat).
        pool = SHORT_TEXT[locale] if texts == "short" else HONEST_TEXT[locale]
        return {code: r.choice(pool) if texts == "short" else self._fresh(pool)}

    def _fresh(self, pool: list[str]) -> str:
        unused = [text for text in pool if text not in self.written]
        text = self.r.choice(unused or pool)
        self.written.add(text)
        return text

    def age(self, *groups: str) -> str:
        return self.r.choice(groups)

    def rated(self) -> list[str]:
        return [q.code for q in self.q.questions if q.type in ("rating", "scale_0_10")]

    def with_ratings(self, forms: dict[str, Form], values: Iterator[int]) -> dict[str, Form]:
        forms = dict(forms)
        for q in self.q.questions:
            if q.type == "rating":
                forms[q.code] = {q.code: str(next(values))}
            elif q.type == "scale_0_10":
                forms[q.code] = {q.code: str(min(10, 2 * next(values)))}
        return forms

    def no_texts(self, forms: dict[str, Form]) -> dict[str, Form]:
        return {
            code: ({code: ""} if self.q.question(code).type.endswith("_text") else form)
            for code, form in forms.items()
        }

    def changed(self, forms: dict[str, Form], count: int) -> dict[str, Form]:
        """The same answers with `count` closed answers changed."""
        forms = dict(forms)
        closed = [
            q for q in self.q.questions if q.type in ("rating", "single_choice", "scale_0_10")
        ]
        for q in self.r.sample(closed, count):
            fresh = self._honest(q, "en", self.r.gauss(0, 1.5), None, None, "honest")
            while fresh == forms[q.code] and q.type != "single_choice":
                fresh = self._honest(q, "en", self.r.gauss(0, 1.5), None, None, "honest")
            forms[q.code] = fresh
        return forms

    # -- honest groups -----------------------------------------------------------------

    def young_fast(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale, age=self.age("age_18_24", "age_25_34"), parent=False)
        return [self.person("young-fast", HONEST, answers, locale=locale, pace=self.pace(4))]

    def middle(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale, age=self.age("age_35_44", "age_45_59"), parent=False)
        return [self.person("middle", HONEST, answers, locale=locale, pace=self.pace(7))]

    def parents(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale, age=self.age("age_25_34", "age_35_44"), parent=True)
        link = {"segment": "parents"} if self.r.random() < 0.5 else {}
        return [
            self.person("parents", HONEST, answers, locale=locale, link=link, pace=self.pace(6))
        ]

    def elderly_alone(self) -> list[Person]:
        locale = self.r.choice(("zh-Hans", "zh-Hans", "zh-Hant"))
        answers = self.honest_answers(
            locale, age=self.age("age_60_69", "age_70_plus"), parent=False
        )
        return [
            self.person(
                "elderly-alone", HONEST, answers, locale=locale,
                link={"segment": "elderly"}, pace=self.pace(16, 0.6),
            )
        ]  # fmt: skip

    def elderly_assisted(self) -> list[Person]:
        """A community worker's day: five to eight elderly people on one tablet."""
        locale = self.r.choice(("zh-Hans", "zh-Hant"))
        address, device = self.address(), f"tablet-{self.addresses}"
        start = self.moment().replace(hour=1)  # 09:00 in China
        people = []
        for _ in range(self.r.randint(5, 8)):
            answers = self.honest_answers(
                locale, age=self.age("age_60_69", "age_70_plus"), parent=False
            )
            people.append(
                self.person(
                    "elderly-assisted", HONEST, answers, locale=locale, address=address,
                    browser=BROWSERS[0], device=device, start=start,
                    link={"segment": "elderly"}, pace=self.pace(12, 0.5),
                )
            )  # fmt: skip
            start += dt.timedelta(minutes=self.r.randint(25, 50))
        return people

    def family(self) -> list[Person]:
        """Two to four people of one household, on one home network, within a day."""
        address = self.address()
        locale = self.locale()
        start = self.moment()
        people = []
        for _ in range(self.r.randint(2, 4)):
            age = self.age("age_18_24", "age_25_34", "age_35_44", "age_45_59", "age_60_69")
            answers = self.honest_answers(locale, age=age)
            people.append(
                self.person(
                    "family", HONEST, answers, locale=locale, address=address,
                    start=start, pace=self.pace(6),
                )
            )  # fmt: skip
            start += dt.timedelta(hours=self.r.uniform(0.2, 20))
        return people

    def resumed_later(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale)
        return [
            self.person(
                "resumed-later", HONEST, answers, locale=locale, pace=self.pace(8),
                save_after=self.r.randint(3, 10),
                resume_after=dt.timedelta(days=self.r.uniform(1, 12)),
                resume_address=self.address(),
            )
        ]  # fmt: skip

    def uniform_satisfied(self) -> list[Person]:
        locale = self.locale()
        answers = self.with_ratings(self.honest_answers(locale, mood=2.5), iter(lambda: 5, None))
        answers["Q4"] = {"Q4": "yes_first_time"}
        answers["Q5"] = {"Q5": "1"}
        return [self.person("uniform-satisfied", HONEST, answers, locale=locale, pace=self.pace(6))]

    def uniform_unhappy(self) -> list[Person]:
        locale = self.locale()
        answers = self.with_ratings(self.honest_answers(locale, mood=-2.5), iter(lambda: 1, None))
        answers["Q4"] = {"Q4": "not_solved"}
        return [self.person("uniform-unhappy", HONEST, answers, locale=locale, pace=self.pace(6))]

    def short_answers(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale, texts="short")
        if self.r.random() < 0.5:  # a common phrase, honestly, in two answers
            opened = [q.code for q in self.q.questions if q.type.endswith("_text")][:2]
            for code in opened:
                answers[code] = {code: COMMON_PHRASE[locale]}
        return [self.person("short-answers", HONEST, answers, locale=locale, pace=self.pace(6))]

    # -- careless kinds ------------------------------------------------------------------

    def speeder(self) -> list[Person]:
        locale = self.locale()
        answers = self.no_texts(self.honest_answers(locale, mood=self.r.gauss(0, 1)))
        return [self.person("speeder", CARELESS, answers, locale=locale, pace=self.pace(1.2, 0.3))]

    def straight_liner(self) -> list[Person]:
        locale = self.locale()
        value = self.r.choice((3, 3, 4, 2))
        answers = self.with_ratings(self.honest_answers(locale), iter(lambda: value, None))
        return [
            self.person(
                "straight-liner", CARELESS, self.no_texts(answers), locale=locale,
                pace=self.pace(2.5, 0.4),
            )
        ]  # fmt: skip

    def duplicate(self) -> list[Person]:
        """The second of two identical submissions from one address (the first is honest)."""
        first = self.middle()[0]
        again = replace(
            first, kind="duplicate", group=CARELESS,
            start=first.start + dt.timedelta(minutes=self.r.randint(20, 180)),
            pace=self.pace(2),
        )  # fmt: skip
        first.kind = "first-of-pair"
        return [first, again]

    def near_duplicate(self) -> list[Person]:
        first = self.middle()[0]
        again = replace(
            first, kind="near-duplicate", group=CARELESS,
            answers=self.changed(first.answers, self.r.randint(1, 2)),
            start=first.start + dt.timedelta(minutes=self.r.randint(20, 300)),
            pace=self.pace(2.5),
        )  # fmt: skip
        first.kind = "first-of-pair"
        return [first, again]

    def click_farm(self) -> list[Person]:
        """One answer set spread over many addresses within hours, a few answers varied."""
        locale = self.r.choice(("zh-Hans", "zh-Hans", "en"))
        template = self.no_texts(self.honest_answers(locale, mood=1.5))
        text = {"O1": {"O1": self.r.choice(HONEST_TEXT[locale])}}
        start = self.moment()
        people = []
        for _ in range(self.r.randint(15, 30)):
            answers = self.changed(template, self.r.randint(0, 2))
            if self.r.random() < 0.5:
                answers.update(text)
            people.append(
                self.person(
                    "click-farm", CARELESS, answers, locale=locale, start=start,
                    pace=self.pace(self.r.uniform(3, 7)),
                )
            )  # fmt: skip
            start += dt.timedelta(minutes=self.r.uniform(2, 20))
        return people

    def direct_post(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale)
        return [self.person("direct-post", CARELESS, answers, locale=locale, direct_post=True)]

    def random(self) -> list[Person]:
        """Answers picked at random, at an ordinary pace."""
        locale = self.locale()
        r = self.r
        forms = self.no_texts(self.honest_answers(locale))
        for q in self.q.questions:
            if q.type == "rating":
                forms[q.code] = {
                    q.code: str(r.randint(q.options.get("min", 1), q.options.get("max", 5)))
                }
            elif q.type == "scale_0_10":
                forms[q.code] = {q.code: str(r.randint(0, 10))}
            elif q.type == "single_choice" and q.code not in ("S1", "S2"):
                forms[q.code] = {q.code: r.choice(q.choices).value}
        return [
            self.person("random", CARELESS, forms, locale=locale, pace=self.pace(r.uniform(3, 6)))
        ]

    def pattern(self) -> list[Person]:
        cycle = self.r.choice(((1, 2, 3), (1, 2, 3, 4, 5), (1, 5), (5, 4, 3, 2, 1), (2, 4)))
        start = self.r.randrange(len(cycle))
        values = (cycle[(start + i) % len(cycle)] for i in range(100))
        locale = self.locale()
        answers = self.no_texts(self.with_ratings(self.honest_answers(locale), values))
        return [self.person("pattern", CARELESS, answers, locale=locale, pace=self.pace(3))]

    def open_junk(self) -> list[Person]:
        locale = self.locale()
        answers = self.honest_answers(locale)
        opened = [q for q in self.q.questions if q.type.endswith("_text")]
        for q in self.r.sample(opened, self.r.randint(1, 3)):
            if self.r.random() < 0.15:  # the question pasted back as its answer
                answers[q.code] = {q.code: q.text.get(locale) or next(iter(q.text.values()))}
            else:
                answers[q.code] = {q.code: self.r.choice(JUNK)(self.r)}
        return [self.person("open-junk", CARELESS, answers, locale=locale, pace=self.pace(4))]

    def contradiction(self) -> list[Person]:
        """Solved at first contact, yet contacted many times; or "human at once" and a bot loop."""
        locale = self.locale()
        answers = self.honest_answers(locale)
        answers["Q4"] = {"Q4": "yes_first_time"}
        answers["Q5"] = {"Q5": str(self.r.randint(5, 20))}
        return [self.person("contradiction", CARELESS, answers, locale=locale, pace=self.pace(5))]
