"""Batch export, data.xlsx and the bulk quality run, at 50,000 and 1,000,000 responses.

What it measures: the jobs whose cost grows with the whole survey, not with one
request. (a) Writing a frozen batch's files as `fieldwork.exports.files.write` does:
data.csv, data.parquet, codebook, cleaning log and manifest, then batch.zip. (b) Up to
100,000 responses, the same with data.xlsx alone. (c)
`fieldwork.review.screening.run`, the bulk quality run over every response, twice: the
first finds and writes what the synthetic data hides (speeders, answers from one
network address, straight-lining, empty or mashed open answers), the second must
change nothing. Each size given (`--responses`, by default a quarter's batch of 50,000
and then a million) runs on a database of its own, against its own baseline.

Why a baseline: the machine is small and shared, so absolute times drift from run to
run. In the same run, on the same database, the database's own driver streams the same
approved responses with the same columns (response metadata, then every question's
answer: `json_extract` in SQLite, `->>` in PostgreSQL) into `csv.writer`: the floor cost
of reading the responses and writing one CSV. It runs before and after the export, and
the ratios use the mean of the two.

On PostgreSQL (`--database-url`), the database named is dropped and created afresh for
each size, so its name must contain "bench".

Why a process per phase: every measured phase (and the fill, the freeze and the
checks) runs in a fresh interpreter (`python bench/export.py --phase …`), so its peak
memory is its own. The peak is the kernel's high-water mark of the process's resident
memory (VmHWM in /proc/self/status). `getrusage(RUSAGE_SELF).ru_maxrss` is not used on
Linux: a child started by fork or vfork and exec keeps the maximum it reached before the
exec, which includes its parent's resident memory. A phase whose work forks processes of
its own (a large quality run judges in workers) reports the larger of its peak and theirs
(`RUSAGE_CHILDREN`: forked without exec, their peak is their own, pages shared with the
phase included).

Run from the repository root:

    python bench/export.py                        # 50,000, then 1,000,000 responses
    python bench/export.py --responses 50000      # a quarter's batch alone
    python bench/export.py --database-url postgresql+psycopg://postgres@127.0.0.1/fieldwork_bench
    python bench/export.py --profile /tmp/prof    # also cProfile the measured phases
    python bench/export.py --export-only          # no quality runs: to work on the export

Targets, at every size (exit 1 if missed, unless --no-fail, which only spares the speed
and memory targets): export/baseline <= 1.5, each quality run/baseline <= 3, export peak
memory <= 300 MB, and where it is written data.xlsx/baseline <= 3. Correctness misses
always exit 1: data.csv, data.parquet and the baseline hold every approved response in
the same order, the manifest's counts and checksums match, the second quality run
changes nothing, and data.xlsx holds every row.

The top level imports only the standard library, so the orchestrating process stays
small; each phase imports fieldwork, SQLAlchemy and pyarrow where it runs.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import csv
import datetime as dt
import itertools
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parent.parent
QID = "after_sales_consumer"
STAFF = ("bench", "a-long-password-123", "admin")
DATABASE = "bench.db"
EXPORT_DIR = "export"
BASELINE_CSV = "baseline.csv"

TARGET_EXPORT_RATIO = 1.5
TARGET_QUALITY_RATIO = 3.0
TARGET_EXPORT_MB = 300.0
TARGET_XLSX_RATIO = 3.0
XLSX_UP_TO = 100_000
"""Responses up to which data.xlsx is written and timed too (a quarter's batch; a larger
one takes minutes at a few thousand rows a second and is rarely opened in a spreadsheet)."""
DEFAULT_RESPONSES = (50_000, 1_000_000)

FILL_CHUNK = 10_000  # rows per executemany
MIN_RESPONSES = 100  # fewer may leave no approved response to freeze


class BenchError(Exception):
    """The benchmark could not run (a phase failed or gave no result)."""


# --------------------------------------------------------------------------------------
# Measuring inside a phase process
# --------------------------------------------------------------------------------------


def memory_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB."""
    try:
        status = Path("/proc/self/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):  # not Linux: ru_maxrss, in bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mb = peak / (1 << 20 if sys.platform == "darwin" else 1 << 10)
        return peak_mb, peak_mb


class Meter:
    """Wall and CPU time of a phase's measured work, and the process's memory around it.

    CPU time counts every thread (pyarrow's, SQLite's) and finished child processes.

    `with meter:` wraps the work: what the phase does before (imports, opening the
    database) or after (reading back counts) is not timed. With a profile path, the
    work runs under cProfile and the stats are written there (times are then inflated).
    """

    def __init__(self, profile: str | None = None) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.start_mb = 0.0
        self.peak_mb = 0.0
        self._profile_path = profile
        self._profiler: Any = None
        self._started = (0.0, 0.0)

    def __enter__(self) -> Meter:
        self.start_mb = memory_mb()[0]
        if self._profile_path:
            import cProfile

            self._profiler = cProfile.Profile()
            self._profiler.enable()
        self._started = (time.perf_counter(), _cpu_seconds())
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        wall, cpu = self._started
        self.seconds = time.perf_counter() - wall
        self.cpu_seconds = _cpu_seconds() - cpu
        self.peak_mb = max(memory_mb()[1], _children_peak_mb())
        if self._profiler is not None:
            self._profiler.disable()
            self._profiler.dump_stats(self._profile_path)


def _children_peak_mb() -> float:
    """The peak resident memory of the largest finished child process, in MB."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1 << 20 if sys.platform == "darwin" else 1 << 10)


def _cpu_seconds() -> float:
    """CPU time of this process's threads and of its finished children (the fill's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Progress:
    """Counts what a phase handled; past a few seconds, prints a line at every tenth."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._next = 1
        self._started = time.perf_counter()

    def __call__(self, count: int) -> None:
        self.done += count
        while self.total and self.done * 10 >= self._next * self.total and self._next <= 10:
            seconds = time.perf_counter() - self._started
            if seconds > 5:
                print(f"  {self.label}: {self._next * 10}% after {seconds:.0f} s", flush=True)
            self._next += 1


@dataclass
class PhaseResult:
    label: str
    seconds: float
    cpu_seconds: float
    start_mb: float  # resident memory when the work started: interpreter, imports, setup
    peak_mb: float  # the process's peak, whenever it came
    details: dict[str, Any] = field(default_factory=dict)


def sqlite_url(database: Path) -> str:
    return f"sqlite:///{database}"


def database_url(folder: Path, spec: Mapping[str, Any]) -> str:
    """The phase's database: the run's PostgreSQL database, else the folder's SQLite file."""
    url: str | None = spec.get("url")
    return url or sqlite_url(folder / DATABASE)


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def psycopg_dsn(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg takes it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --------------------------------------------------------------------------------------
# Synthetic responses
# --------------------------------------------------------------------------------------

INSERT_COLUMNS = (
    "id",
    "submission_id",
    "reference",
    "questionnaire_id",
    "version_hash",
    "mode",
    "segment",
    "segment_source",
    "campaign",
    "wave",
    "locale",
    "status",
    "flags",
    "answers",
    "paradata",
    "answers_hash",
    "started_at",
    "submitted_at",
    "ip_hash",
    "fingerprint",
    "answer_signature",
    "band_1",
    "band_2",
    "band_3",
    "duration_seconds",
    "rules_version",
    "entered_by",
    "row_version",
    "reviewed_by",
)
INSERT = (  # built from the constant column names above, not from input
    f"INSERT INTO response ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(INSERT_COLUMNS))})"
)

# Open answers are put together from these sentences, by the response's language. They
# hold what the export must get right: CJK, emoji, line breaks, commas, quotes, and text
# a spreadsheet would run as a formula.
SENTENCES: Mapping[str, Sequence[str]] = {
    "zh-Hans": (
        "退货流程太复杂了，希望简化一点。",
        "客服态度很好，很快就解决了。",
        "希望能更快转人工客服，机器人根本听不懂我在说什么。",
        "退款到账太慢了，等了整整两个星期。",
        "快递上门取件很方便 👍",
        "字太小了，老人看不清楚。\n希望能有大字版。",
        "商家一直推给平台，平台又推给商家，踢皮球。",
        "整体满意，下次还会在这里买。😊",
        "电话客服一直占线，打了五次才打通。",
        '主播说"七天无理由"，结果拆封就不给退，太坑了！',
        "希望直播间买的东西售后也能有保障，不要说一套做一套。",
        "+1 同意，售后电话应该放在首页。",
        "@平台 请给老人留一个人工客服入口。",
        "换货寄回去以后，一个月都没有消息 😡",
    ),
    "zh-Hant": (
        "退貨流程太複雜了，希望能簡化。",
        "客服很有耐心，問題很快就解決了。",
        "機器人客服一直答非所問，找不到真人。",
        "退款等了十天才入帳。",
        "希望字體可以再大一點，長輩才看得清楚 🙏",
    ),
    "en": (
        "Refunds took far too long.",
        "The bot kept looping; I never reached a person.",
        "Great service, thanks! 🎉",
        'They said "7-day returns", then refused because the box was opened.',
        "-5 stars if I could.",
        "Pick-up was easy,\nbut the refund took three weeks.",
    ),
}
SAYS_NOTHING = ("无", "没有", "暂无", "没有意见。", "n/a", "-", "111", "不知道")
MASH = ("asdfasdf", "jjjjjjjjj", "qwertyuiop", "sdfghjkl", "xcvbnmzx")
BROWSERS = (
    ("Chrome Mobile", 30),
    ("WeChat", 25),
    ("Mobile Safari", 20),
    ("Chrome", 10),
    ("Edge", 5),
    ("Samsung Internet", 4),
    ("Firefox", 3),
    ("Other", 3),
)

# How often the synthetic responses show what the quality rules look for.
SPEEDERS = 0.02  # under the questionnaire's 120 s minimum
TOO_LONG = 0.0005  # over a day between start and submit
SAME_IP = 0.025  # from the address of a recent response (a household, an office)
SAME_ANSWERS = 0.2  # of those: the same closed answers again
STRAIGHT = 0.01  # one rating for every rating question
SAME_TEXT = 0.002  # one text pasted into every open question
MASHED = 0.002  # keyboard mash in an open answer
NOTHING = 0.03  # an open answer that says nothing ("无", "n/a")


def _weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """(values, cumulative weights), for `_pick`."""
    values = tuple(value for value, _ in pairs)
    return values, tuple(itertools.accumulate(weight for _, weight in pairs))


# A survey's responses come online or on paper; shadow tests answer checklists.
MODES = _weighted([("online", 93), ("paper", 7)])
LOCALES = _weighted([("zh-Hans", 80), ("zh-Hant", 12), ("en", 8)])
SIZES = _weighted([("standard", 85), ("large", 12), ("x-large", 3)])
ELDERLY_SIZES = _weighted([("standard", 35), ("large", 50), ("x-large", 15)])
# A reviewer decided the rejected ones and reopened the pending ones: the bulk run leaves
# their status alone. Approved is the automatic decision, which the run may change.
STATUSES = _weighted([("approved", 85), ("rejected", 10), ("pending", 5)])
MOODS = _weighted([(1, 5), (2, 10), (3, 20), (4, 35), (5, 30)])  # overall satisfaction
AGES = (2, 12, 24, 22, 20, 12, 8)  # weights of the seven age bands of S1


class Synthesiser:
    """Valid, varied responses to one questionnaire, as the app would have stored them.

    Driven by the definition: every shown required question is answered, multiple
    choices respect exclusive options and min/max_selected, numbers and dates their
    bounds, and hidden questions are left out (the export memo of visibility decides).
    Deterministic for a seed: each chunk has its own random generator, so chunks can
    be made in any order or in parallel.
    """

    def __init__(
        self,
        questionnaire: Any,
        *,
        responses: int,
        seed: int,
        end: dt.datetime,
        days: float,
        staff_id: int,
        rules_version: str,
    ) -> None:
        from fieldwork.exports.layout import Visibility
        from fieldwork.quality.evaluation import Checker
        from fieldwork.quality.layout import Layout
        from fieldwork.quality.similarity import bands
        from fieldwork.questionnaire.segments import derive
        from fieldwork.responses.service import answers_hash
        from fieldwork.review import screening
        from fieldwork.web.pages import paginate

        self.questionnaire = questionnaire
        self.seed = seed
        self.staff_id = staff_id
        self.rules_version = rules_version
        self._visible = Visibility(questionnaire)
        self._fingerprint = Layout.of(questionnaire).fingerprint
        self._signature = Layout.of(questionnaire).signature
        self._bands = bands
        self._answers_hash = answers_hash
        # What submit stores on a paper response before any rule finds anything: the note
        # naming the rules that have no data for it.
        checker = Checker(questionnaire, screening.settings(questionnaire))
        self._flags = {
            mode: json.dumps([note.as_json()] if (note := checker.not_applied(mode)) else [])
            for mode in ("online", "paper")
        }
        rules = questionnaire.segmentation.rules
        self._derive = lambda answers: derive(rules, answers)
        # The answers the segment rules read (S1 and S2 in the shipped questionnaire).
        self._segment_codes = sorted(
            {code for r in rules if r.derive_if for code, _ in r.derive_if.references()}
        )
        self._paginate = paginate
        self._segments: dict[tuple[Any, ...], str] = {}
        self._pages: dict[tuple[frozenset[str], bool], tuple[tuple[str, int], ...]] = {}
        self._asks = _asks(questionnaire)
        self._end_us = _micros(end)
        self._span_us = int(days * 86_400 * 1_000_000)
        self._step_us = self._span_us / responses
        self._browsers = _weighted(BROWSERS)

    def rows(self, first_id: int, count: int) -> tuple[list[tuple[Any, ...]], int]:
        """`count` rows for the response table from id `first_id`, and how many were validated
        against `fieldwork.answers` (one in a hundred, raising on any issue)."""
        rng = random.Random(f"{self.seed}:{first_id}")
        recent: list[tuple[str, dict[str, Any]]] = []  # (ip hash, answers) of recent rows
        rows = []
        validated = 0
        for response_id in range(first_id, first_id + count):
            row, ip_answers = self._row(rng, response_id, recent)
            if ip_answers is not None:
                recent.append(ip_answers)
                if len(recent) > 200:
                    del recent[:100]
            if response_id % 100 == 1:
                self.validate(json.loads(row[13]))
                validated += 1
            rows.append(row)
        return rows, validated

    def validate(self, answers: Mapping[str, Any]) -> None:
        from fieldwork.answers import clean, validate

        issues = validate(self.questionnaire, answers)
        if issues or clean(self.questionnaire, answers) != answers:
            raise BenchError(f"the filler made invalid answers {answers!r}: {issues}")

    def _row(
        self, rng: random.Random, response_id: int, recent: list[tuple[str, dict[str, Any]]]
    ) -> tuple[tuple[Any, ...], tuple[str, dict[str, Any]] | None]:
        mode = _pick(rng, *MODES)
        submitted_us = int(
            self._end_us - self._span_us + (response_id - 1 + rng.random()) * self._step_us
        )
        submitted = _moment(submitted_us)
        locale = _pick(rng, *LOCALES)

        ip_hash = None
        copied: Mapping[str, Any] | None = None
        if mode != "paper":
            if recent and rng.random() < SAME_IP:
                ip_hash, earlier = recent[rng.randrange(max(0, len(recent) - 50), len(recent))]
                if rng.random() < SAME_ANSWERS:
                    copied = earlier
            else:
                ip_hash = f"{rng.getrandbits(256):064x}"
        answers, visible = self.answers(rng, submitted.date(), locale, copied)

        segment_key = tuple(answers.get(code) for code in self._segment_codes)
        segment = self._segments.get(segment_key)
        if segment is None:
            segment = self._segments[segment_key] = self._derive(answers)
        # Invitation links preset the segment; the derived one, so no conflict is recorded.
        source = "link" if mode == "online" and rng.random() < 0.2 else "answers"

        paradata: dict[str, Any]
        if mode == "paper":  # keyed in from a sheet: no start time, page times or address
            started = duration = None
            paradata = {"page_seconds": {}, "locale": locale}
        else:
            elderly = segment == "elderly"
            size = _pick(rng, *(ELDERLY_SIZES if elderly else SIZES))
            draw = rng.random()
            if draw < SPEEDERS:
                seconds = rng.uniform(35, 118)
            elif draw < SPEEDERS + TOO_LONG:
                seconds = rng.uniform(90_000, 200_000)
            else:
                seconds = min(max(math.exp(rng.gauss(math.log(540), 0.45)), 125), 5400)
            started_us = submitted_us - int(seconds * 1_000_000)
            started = _moment(started_us)
            duration = (submitted_us - started_us) / 1_000_000
            paradata = {
                "page_seconds": self._page_seconds(
                    rng, answers, visible, size != "standard", duration
                ),
                "locale": locale,
                "text_size": size,
                "contrast": "high" if rng.random() < (0.1 if elderly else 0.04) else "standard",
                "browser": _pick(rng, *self._browsers),
            }
        paradata["submitted_at"] = submitted.isoformat()
        if started is not None:
            paradata["started_at"] = started.isoformat()

        status = _pick(rng, *STATUSES)
        reviewed_by = None if status == "approved" else self.staff_id
        first_half = submitted_us < self._end_us - self._span_us // 2
        # As the screener stores them at submit: bands only where an address is compared.
        signature = self._signature(answers)
        banded = self._bands(signature) if ip_hash is not None else (None, None, None)
        row = (
            response_id,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            _reference(response_id, self.seed),
            self.questionnaire.id,
            self.questionnaire.content_hash,
            mode,
            segment,
            source,
            "autumn-2026" if rng.random() < 0.7 else None,
            "w1" if first_half else "w2",
            locale,
            status,
            self._flags[mode],
            json.dumps(answers),  # as SQLAlchemy's JSON type stores it
            json.dumps(paradata),
            self._answers_hash(self.questionnaire.content_hash, answers),
            _stored_time(started) if started is not None else None,
            _stored_time(submitted),
            ip_hash,
            self._fingerprint(answers) or "",  # as the screener stores it at submit
            signature,
            *banded,
            duration,
            self.rules_version,
            self.staff_id if mode == "paper" else None,
            1,
            reviewed_by,
        )
        return row, ((ip_hash, answers) if ip_hash is not None else None)

    def answers(
        self,
        rng: random.Random,
        day: dt.date,
        locale: str,
        copied: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """One respondent's answers and the questions they saw; with `copied`, its closed
        answers and new open ones."""
        mood = _pick(rng, *MOODS)
        straight = rng.randint(1, 5) if copied is None and rng.random() < STRAIGHT else None
        given: dict[str, Any] = {}
        for ask in self._asks:
            if ask.kind == "open":
                continue  # `_open_answers`, once the visible questions are known
            if copied is not None:
                value = copied.get(ask.code)
            elif straight is not None and ask.kind == "rating":
                value = straight
            elif ask.allow and rng.random() < 0.04:
                value = rng.choice(ask.allow)
            else:
                value = self._answer(rng, ask, mood, day)
            if value is not None:
                given[ask.code] = value
        if copied is None:
            self._consistent(rng, given, mood, day)
        visible = self._visible(given)
        answers = {code: value for code, value in given.items() if code in visible}
        self._open_answers(rng, answers, visible, locale)
        return answers, visible

    def _consistent(
        self, rng: random.Random, given: dict[str, Any], mood: int, day: dt.date
    ) -> None:
        """Draw again the answers a consistency check of the questionnaire finds cannot all be
        true (as a respondent seldom gives them), a few times at most: drawn independently,
        a third of the answers would contradict themselves, which no survey sees."""
        by_code = {ask.code: ask for ask in self._asks}
        for _ in range(5):
            met = [check for check in self.questionnaire.consistency if check.met(given)]
            if not met:
                return
            for code in (code for check in met for code in check.questions):
                if code in by_code and code in given:
                    given[code] = self._answer(rng, by_code[code], mood, day)

    def _answer(self, rng: random.Random, ask: _Ask, mood: int, day: dt.date) -> Any:
        kind = ask.kind
        if kind == "single_choice":
            if ask.weights:
                return _pick(rng, ask.values, ask.weights)
            # Earlier choices are more popular, as they usually are.
            return ask.values[min(int(rng.expovariate(0.5)), len(ask.values) - 1)]
        if kind == "multiple_choice":
            if ask.exclusive and rng.random() < 0.05:
                return [ask.exclusive]
            picked = set(rng.sample(ask.values, rng.randint(ask.low, ask.high)))
            return [value for value in ask.values if value in picked]  # in choice order
        if kind == "rating":
            return min(max(mood + rng.choice((-2, -1, -1, 0, 0, 1)), ask.low), ask.high)
        if kind == "scale_0_10":
            return min(max(2 * mood + rng.choice((-2, -1, 0, 0, 1)), 0), 10)
        if kind == "number":
            return min(int(rng.expovariate(0.4)), ask.high)
        if kind == "duration":
            return min(int(rng.expovariate(1 / 90)), ask.high)
        if kind == "date":
            return max(day - dt.timedelta(days=rng.randint(0, 40)), ask.first_day).isoformat()
        raise BenchError(f"the filler does not know the question type {kind}")

    def _open_answers(
        self, rng: random.Random, answers: dict[str, Any], visible: frozenset[str], locale: str
    ) -> None:
        asked = [ask for ask in self._asks if ask.kind == "open" and ask.code in visible]
        if rng.random() < SAME_TEXT:
            text = rng.choice(SENTENCES[locale])
            answers.update((ask.code, text) for ask in asked)
            return
        for ask in asked:
            if rng.random() >= (0.12 if ask.long else 0.3):
                continue
            draw = rng.random()
            if draw < NOTHING:
                text = rng.choice(SAYS_NOTHING)
            elif draw < NOTHING + MASHED:
                text = rng.choice(MASH)
            else:
                sentences = rng.choices(SENTENCES[locale], k=rng.randint(1, 4) if ask.long else 1)
                text = rng.choice(("", " ", "\n")).join(sentences)
            answers[ask.code] = text[: ask.high]

    def _page_seconds(
        self,
        rng: random.Random,
        answers: Mapping[str, Any],
        visible: frozenset[str],
        one_per_page: bool,
        seconds: float,
    ) -> dict[str, float]:
        """Seconds on each page the respondent saw (the web's pages), adding up to `seconds`."""
        pages = self._pages.get((visible, one_per_page))
        if pages is None:
            pages = self._pages[visible, one_per_page] = tuple(
                (page.key, len(page.questions))
                for page in self._paginate(self.questionnaire, answers, one_per_page)
            )
        weights = [size * rng.uniform(0.6, 1.4) for _, size in pages]
        share = seconds / sum(weights)
        return {page: round(weight * share, 1) for (page, _), weight in zip(pages, weights)}  # noqa: B905


class _Ask(NamedTuple):
    """One question as the filler answers it, read from the definition once."""

    code: str
    kind: str  # the question type, or "open" for short and long text
    allow: tuple[str, ...]  # special answers, e.g. ("_dont_know",)
    values: tuple[str, ...] = ()  # choices (a multiple choice's without the exclusive one)
    weights: tuple[float, ...] = ()  # cumulative, when given
    exclusive: str | None = None  # a multiple choice's "none of these"
    low: int = 0
    high: int = 0  # bounds; an open question's max_length
    first_day: dt.date = dt.date(2020, 1, 1)
    long: bool = False


def _asks(questionnaire: Any) -> tuple[_Ask, ...]:
    asks = []
    for question in questionnaire.questions:
        kind, options = question.type, question.options
        values = tuple(c.value for c in question.choices if not c.exclusive)
        if kind in ("short_text", "long_text"):
            ask = _Ask(
                question.code,
                "open",
                (),
                high=options.get("max_length", 2000),
                long=kind == "long_text",
            )
        elif kind == "multiple_choice":
            exclusive = next((c.value for c in question.choices if c.exclusive), None)
            high = min(options.get("max_selected", len(values)), len(values), 4)
            low = options.get("min_selected", 1)
            ask = _Ask(question.code, kind, question.allow, values, (), exclusive, low, high)
        elif kind == "date":
            first = dt.date.fromisoformat(options.get("min", "2020-01-01"))
            ask = _Ask(question.code, kind, question.allow, first_day=first)
        else:
            low, high = options.get("min", 1), options.get("max", 5 if kind == "rating" else 50)
            ask = _Ask(question.code, kind, question.allow, values, low=low, high=high)
            if question.code == "S1":  # age bands: the shipped S1's seven, youngest first
                ask = ask._replace(weights=_weighted(list(zip(values, AGES, strict=True)))[1])
        asks.append(ask)
    return tuple(asks)


def _pick(rng: random.Random, values: Sequence[Any], cumulative: Sequence[float]) -> Any:
    """A weighted choice: random.choices without its per-call set-up."""
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _moment(micros: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=micros)


def _stored_time(moment: dt.datetime) -> str:
    """A UTC time as SQLAlchemy stores a DateTime in SQLite: naive, to the microsecond."""
    return moment.isoformat(" ", "microseconds")[:26]  # without "+00:00"


REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _reference(response_id: int, seed: int) -> str:
    """A unique 8-character reference: the id scrambled by a bijection of 31**8."""
    size = len(REFERENCE_ALPHABET)
    number = (response_id * 2_654_435_761 + seed * 97_531) % size**8  # odd, not a multiple of 31
    letters = []
    for _ in range(8):
        number, digit = divmod(number, size)
        letters.append(REFERENCE_ALPHABET[digit])
    return "".join(letters)


_SYNTHESISER: Synthesiser | None = None


def _init_worker(options: dict[str, Any]) -> None:
    global _SYNTHESISER
    _SYNTHESISER = _synthesiser(**options)


def _make_chunk(task: tuple[int, int]) -> tuple[list[tuple[Any, ...]], int]:
    assert _SYNTHESISER is not None
    return _SYNTHESISER.rows(*task)


def _synthesiser(
    responses: int, seed: int, end: str, days: float, staff_id: int, rules_version: str
) -> Synthesiser:
    from fieldwork.questionnaire.loader import load_directory

    catalog = load_directory(REPO / "questionnaires")
    return Synthesiser(
        catalog.questionnaires[QID],
        responses=responses,
        seed=seed,
        end=dt.datetime.fromisoformat(end),
        days=days,
        staff_id=staff_id,
        rules_version=rules_version,
    )


# --------------------------------------------------------------------------------------
# Phases: each runs in its own process (`--phase NAME --spec JSON`)
# --------------------------------------------------------------------------------------


def phase_fill(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """A fresh database by the migrations, the shipped definitions, a staff user, then
    the responses, inserted with sqlite3's executemany in chunks in one transaction."""
    from sqlmodel import Session

    from fieldwork import db, quality
    from fieldwork.accounts.service import create_user
    from fieldwork.definitions.service import store
    from fieldwork.questionnaire.loader import load_directory
    from fieldwork.review import screening

    database = folder / DATABASE
    url = database_url(folder, spec)
    db.upgrade(url)
    engine = db.make_engine(url)
    catalog = load_directory(REPO / "questionnaires")
    if catalog.problems:
        raise BenchError(f"the shipped questionnaires have problems: {catalog.problems}")
    questionnaire = catalog.questionnaires[QID]
    with Session(engine, expire_on_commit=False) as session:
        store(session, catalog.questionnaires.values())
        staff = create_user(session, *STAFF)
    engine.dispose()
    assert staff.id is not None
    responses: int = spec["responses"]
    options = {
        "responses": responses,
        "seed": spec["seed"],
        # The last response an hour ago: no time is in the future for the rules.
        "end": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        "days": spec["days"],
        "staff_id": staff.id,
        "rules_version": quality.rules_version(screening.settings(questionnaire)),
    }
    tasks = [
        (first, min(FILL_CHUNK, responses - first + 1))
        for first in range(1, responses + 1, FILL_CHUNK)
    ]
    workers: int = spec["workers"]
    if is_postgres(url):
        with meter:
            validated = _fill_postgres(url, tasks, workers, options)
        return _filled(url, responses, validated, questionnaire)
    validated = 0
    with meter, contextlib.closing(sqlite3.connect(database)) as connection:
        # No journal and no syncing while the fill runs: a failed fill is thrown away.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")  # 256 MB: the indexes stay in memory
        # The migrations' plain indexes are built once at the end, from their own SQL (the
        # schema ends up the same): a third faster than keeping them up row by row.
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'response' AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        with _chunks(tasks, workers, options) as chunks:
            for rows, checked in chunks:
                connection.executemany(INSERT, rows)
                validated += checked
        for _, sql in indexes:
            connection.execute(sql)
        connection.commit()
        connection.execute("PRAGMA journal_mode=WAL")  # what the app's engine sets
    return _filled(url, responses, validated, questionnaire)


@contextlib.contextmanager
def _chunks(
    tasks: Sequence[tuple[int, int]], workers: int, options: dict[str, Any]
) -> Iterator[Iterator[tuple[list[tuple[Any, ...]], int]]]:
    """The rows of each task, in order, made by `workers` processes (or here, with one)."""
    if workers > 1:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, initializer=_init_worker, initargs=(options,)) as pool:
            yield pool.imap(_make_chunk, tasks)
    else:
        maker = _synthesiser(**options)
        yield (maker.rows(*task) for task in tasks)


def _fill_postgres(
    url: str, tasks: Sequence[tuple[int, int]], workers: int, options: dict[str, Any]
) -> int:
    """The rows COPYed into PostgreSQL in one transaction, the plain indexes dropped for
    it and made again from their own definitions; then ANALYZE, as autovacuum would soon
    do on a table that grew this much, and the id sequence moved past the rows."""
    import psycopg

    validated = 0
    with psycopg.connect(psycopg_dsn(url)) as connection:
        connection.execute("SET TIME ZONE 'UTC'")  # the stored times are naive UTC
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'response' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'response'::regclass)"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        copy_sql = f"COPY response ({', '.join(INSERT_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, _chunks(tasks, workers, options) as chunks:
            for rows, checked in chunks:
                with cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                validated += checked
        for _, sql in indexes:
            connection.execute(sql)
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('response', 'id'), max(id)) FROM response"
        )
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")
    return validated


def _counts(connection: Any, query: str) -> dict[str, int]:
    from sqlalchemy import text

    return {str(row[0]): int(row[1]) for row in connection.execute(text(query))}


def _filled(url: str, responses: int, validated: int, questionnaire: Any) -> dict[str, Any]:
    from sqlalchemy import text

    from fieldwork import db

    engine = db.make_engine(url)
    with engine.connect() as connection:
        counts = _counts(connection, "SELECT status, count(*) FROM response GROUP BY 1")
        modes = _counts(connection, "SELECT mode, count(*) FROM response GROUP BY 1")
        if is_postgres(url):
            size = connection.execute(text("SELECT pg_database_size(current_database())"))
            database_bytes = size.scalar_one()
        else:
            database_bytes = Path(engine.url.database or "").stat().st_size
    engine.dispose()
    return {
        "rows": responses,
        "validated": validated,
        "by_status": counts,
        "by_mode": modes,
        "codes": [q.code for q in questionnaire.questions],
        "database_mb": database_bytes / (1 << 20),
    }


def phase_freeze(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """One batch of every approved response, frozen as `flask fieldwork export freeze` does."""
    from sqlalchemy import select
    from sqlmodel import Session, col

    from fieldwork import db, quality
    from fieldwork.accounts.models import StaffUser
    from fieldwork.definitions.service import Versions
    from fieldwork.exports import service as exports
    from fieldwork.responses.filters import Filter
    from fieldwork.review import screening

    engine = db.make_engine(database_url(folder, spec))
    with Session(engine, expire_on_commit=False) as session:
        current = Versions().current(session, QID)
        assert current is not None
        creator = session.execute(
            select(StaffUser).where(col(StaffUser.username) == STAFF[0])
        ).scalar_one()
        rules_version = quality.rules_version(screening.settings(current))
        with meter:
            batch = exports.freeze(
                session, "bench", Filter(questionnaire_id=QID), rules_version, creator
            )
        included = exports.preview(session, Filter(questionnaire_id=QID))
    engine.dispose()
    return {
        "rows": batch.size + batch.excluded,
        "batch_id": batch.id,
        "size": batch.size,
        "excluded": batch.excluded,
        "by_segment_mode": {
            f"{segment}/{mode}": count
            for (segment, mode), count in sorted(included.by_segment_mode.items())
        },
    }


BASELINE_FIXED = (
    ("response_id", "id"),
    ("questionnaire_id", "questionnaire_id"),
    ("version_hash", "version_hash"),
    ("mode", "mode"),
    ("segment", "segment"),
    ("segment_source", "segment_source"),
    ("language", "locale"),
    ("text_size", "json_extract(paradata, '$.text_size')"),
    ("contrast", "json_extract(paradata, '$.contrast')"),
    ("started_at", "started_at"),
    ("submitted_at", "submitted_at"),
    ("duration_seconds", "duration_seconds"),
)
QUESTION_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def baseline_query(codes: Sequence[str]) -> str:
    """The approved responses in id order: metadata, then each question's stored answer
    (a multiple choice's list as its JSON text)."""
    if not all(QUESTION_CODE.match(code) for code in codes):
        raise BenchError(f"unexpected question codes: {codes}")
    columns = [expression for _, expression in BASELINE_FIXED]
    columns += [f"json_extract(answers, '$.{code}')" for code in codes]
    # The codes are checked identifiers from the shipped questionnaire, not user input.
    return (
        f"SELECT {', '.join(columns)} FROM response "  # noqa: S608
        "WHERE questionnaire_id = ? AND status = 'approved' ORDER BY id"
    )


BASELINE_FIXED_POSTGRES = {
    "json_extract(paradata, '$.text_size')": "p->>'text_size'",
    "json_extract(paradata, '$.contrast')": "p->>'contrast'",
}


def baseline_query_postgres(codes: Sequence[str]) -> str:
    """`baseline_query` in PostgreSQL's words: `->>` where SQLite has json_extract, on the
    documents parsed once per row as jsonb: `->>` on a json column parses the whole
    document again for every column taken, and without OFFSET 0 the planner copies the
    cast into every column, which made this floor ten times slower."""
    if not all(QUESTION_CODE.match(code) for code in codes):
        raise BenchError(f"unexpected question codes: {codes}")
    columns = [BASELINE_FIXED_POSTGRES.get(column, column) for _, column in BASELINE_FIXED]
    columns += [f"a->>'{code}'" for code in codes]
    return (
        f"SELECT {', '.join(columns)} FROM response, "  # noqa: S608
        "LATERAL (SELECT answers::jsonb AS a, paradata::jsonb AS p OFFSET 0) AS parsed "
        "WHERE questionnaire_id = %s AND status = 'approved' ORDER BY id"
    )


def phase_baseline(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """The approved responses streamed into csv.writer by the database's own driver, with
    no framework: the floor cost. sqlite3 for SQLite; for PostgreSQL psycopg, through a
    server-side cursor so the rows stream as they do from SQLite."""
    codes: list[str] = spec["codes"]
    url = database_url(folder, spec)
    header = [name for name, _ in BASELINE_FIXED] + codes
    target = folder / BASELINE_CSV
    rows = 0
    with contextlib.ExitStack() as stack:
        if is_postgres(url):
            import psycopg

            connection: Any = stack.enter_context(psycopg.connect(psycopg_dsn(url)))
            cursor = stack.enter_context(connection.cursor(name="baseline"))
            cursor.itersize = 5000
            query = baseline_query_postgres(codes)
        else:
            connection = stack.enter_context(contextlib.closing(sqlite3.connect(folder / DATABASE)))
            cursor = connection.cursor()
            query = baseline_query(codes)
        file = stack.enter_context(target.open("w", encoding="utf-8", newline=""))
        with meter:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(header)
            for row in cursor.execute(query, (QID,)):
                writer.writerow(row)
                rows += 1
    return {"rows": rows, "bytes": target.stat().st_size}


def phase_export(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """`files.write` of the frozen batch, as the web page and the CLI call it, without XLSX
    (or, for the XLSX phase, with data.xlsx alone).

    `files.formats` is patched to give ("csv", "parquet"), what it gives a batch over
    Excel's row limit, or `spec["formats"]`; nothing else is changed. `Export.pack` is
    wrapped only to time the zip, which `files.write` writes after the other files.
    """
    from unittest import mock

    from sqlmodel import Session

    from fieldwork import db
    from fieldwork.definitions.service import Versions
    from fieldwork.exports import batch as writer
    from fieldwork.exports import files
    from fieldwork.exports.models import Batch

    pack = writer.Export.pack
    zip_seconds: list[float] = []

    def timed_pack(export: Any, target: Path) -> Path:
        started = time.perf_counter()
        try:
            return pack(export, target)
        finally:
            zip_seconds.append(time.perf_counter() - started)

    engine = db.make_engine(database_url(folder, spec))
    target = folder / spec.get("target", EXPORT_DIR)
    chosen = tuple(spec.get("formats", ("csv", "parquet")))
    with Session(engine, expire_on_commit=False) as session:
        batch = session.get(Batch, spec["batch_id"])
        assert batch is not None
        progress = Progress(spec["label"], batch.size)
        with (
            mock.patch.object(files, "formats", lambda batch: chosen),
            mock.patch.object(writer.Export, "pack", timed_pack),
            meter,
        ):
            files.write(session, batch, target, progress=progress, versions=Versions())
    engine.dispose()
    return {
        "rows": progress.done,
        "zip_seconds": sum(zip_seconds),
        "files": {p.name: p.stat().st_size for p in sorted(target.iterdir())},
    }


def phase_quality(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """`screening.run` over every response, as `flask fieldwork quality run` calls it."""
    from dataclasses import asdict

    from sqlalchemy import func, select
    from sqlmodel import Session, col

    from fieldwork import db
    from fieldwork.audit.models import AuditEntry
    from fieldwork.definitions.models import QuestionnaireVersion
    from fieldwork.definitions.service import Versions
    from fieldwork.responses.models import Response
    from fieldwork.review import screening

    engine = db.make_engine(database_url(folder, spec))
    with Session(engine, expire_on_commit=False) as session:
        versions = Versions()
        current = versions.current(session, QID)
        assert current is not None
        hashes = session.execute(
            select(col(QuestionnaireVersion.content_hash)).where(
                col(QuestionnaireVersion.questionnaire_id) == QID
            )
        ).scalars()
        built = {h: versions.by_hash(session, h) for h in hashes}
        by_hash = {h: q for h, q in built.items() if q is not None}
        count = session.execute(
            select(func.count()).where(col(Response.questionnaire_id) == QID)
        ).scalar_one()
        progress = Progress(spec["label"], 2 * count)  # told of every response twice
        with meter:
            summary = screening.run(session, current, by_hash, screening.Policy(), progress)
        audited = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    engine.dispose()
    return {"rows": summary.responses, "audit_rows": audited} | asdict(summary)


def phase_database(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """Drop the run's dedicated PostgreSQL database and, with `create`, make it anew: empty,
    for the fill to migrate. Refuses a name without "bench": never a shared database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(spec["url"])
    name = parsed.database or ""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name or name == "test":
        raise BenchError(
            f"refusing to use database {name!r}: the benchmark drops and recreates it, so its "
            "name must contain 'bench' (e.g. fieldwork_bench_export)"
        )
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if spec["create"]:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            server = connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        admin.dispose()
    return {"server": server}


def phase_check(folder: Path, spec: Mapping[str, Any], meter: Meter) -> dict[str, Any]:
    """What the files hold against the batch: rows, order, manifest counts and checksums."""
    with meter:
        return _check_files(folder, spec)


def _check_files(folder: Path, spec: Mapping[str, Any]) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from fieldwork.exports import manifest

    export = folder / EXPORT_DIR
    size, excluded = spec["size"], spec["excluded"]
    document = json.loads((export / manifest.NAME).read_text(encoding="utf-8"))
    counts = document["counts"]
    with (
        (export / "data.csv").open(encoding="utf-8", newline="") as data,
        (folder / BASELINE_CSV).open(encoding="utf-8", newline="") as base,
    ):
        data_rows, base_rows = csv.reader(data), csv.reader(base)
        header = next(data_rows)
        next(base_rows)
        csv_rows = base_total = same_order = 0
        for exported, plain in itertools.zip_longest(data_rows, base_rows):
            csv_rows += exported is not None
            base_total += plain is not None
            same_order += exported is not None and plain is not None and exported[0] == plain[0]
    parquet_rows = pq.ParquetFile(export / "data.parquet").metadata.num_rows
    with (export / "cleaning_log.csv").open(encoding="utf-8", newline="") as log:
        logged = sum(1 for _ in csv.reader(log)) - 1
    checksums_ok = all(
        manifest.describe(export / name)
        == manifest.FileEntry(name, entry["bytes"], entry["sha256"])
        for name, entry in document["files"].items()
    )
    by_segment_mode = {
        f"{segment}/{mode}": count
        for segment, modes in counts["by_segment_mode"].items()
        for mode, count in modes.items()
    }
    checks = [
        ("data.csv rows == batch size", f"{csv_rows}/{size}", csv_rows == size),
        ("data.parquet rows == batch size", f"{parquet_rows}/{size}", parquet_rows == size),
        ("data.csv columns == manifest", str(len(header)), len(header) == document["columns"]),
        (
            "baseline rows, same ids in the same order",
            f"{same_order}/{size}",
            same_order == size and base_total == size,
        ),
        (
            "manifest responses/excluded == batch",
            f"{counts['responses']}/{counts['excluded']}",
            counts["responses"] == size and counts["excluded"] == excluded,
        ),
        (
            "manifest segment x mode == database",
            f"{sum(by_segment_mode.values())}",
            dict(sorted(by_segment_mode.items())) == spec["by_segment_mode"],
        ),
        ("cleaning_log rows == excluded", f"{logged}/{excluded}", logged == excluded),
        ("manifest sizes and sha256 == files", str(len(document["files"])), checksums_ok),
    ]
    from sqlalchemy import text

    from fieldwork import db

    url = database_url(folder, spec)
    flag_codes = (
        "SELECT flag->>'code', count(*) FROM response, json_array_elements(response.flags) "
        "AS flag GROUP BY 1 ORDER BY 2 DESC"
        if is_postgres(url)
        else "SELECT json_extract(flag.value, '$.code'), count(*) "
        "FROM response, json_each(response.flags) AS flag GROUP BY 1 ORDER BY 2 DESC"
    )
    engine = db.make_engine(url)
    with engine.connect() as connection:
        found = [tuple(row) for row in connection.execute(text(flag_codes))]
        statuses = _counts(connection, "SELECT status, count(*) FROM response GROUP BY 1")
    engine.dispose()
    return {"checks": checks, "flags": found, "by_status": statuses}


PHASES: Mapping[str, Callable[[Path, Mapping[str, Any], Meter], dict[str, Any]]] = {
    "fill": phase_fill,
    "freeze": phase_freeze,
    "baseline": phase_baseline,
    "export": phase_export,
    "quality": phase_quality,
    "check": phase_check,
    "database": phase_database,
}


def run_child(name: str, folder: Path, spec: Mapping[str, Any]) -> int:
    """Inside a phase process: run it and write its result as JSON for the parent."""
    os.chdir(REPO)
    meter = Meter(spec.get("profile"))
    details = PHASES[name](folder, spec, meter)
    result = PhaseResult(
        label=spec["label"],
        seconds=meter.seconds,
        cpu_seconds=meter.cpu_seconds,
        start_mb=meter.start_mb,
        peak_mb=meter.peak_mb,
        details=details,
    )
    (folder / f"{spec['label']}.json").write_text(json.dumps(result.__dict__, default=str))
    return 0


def run_phase(name: str, folder: Path, label: str, **spec: Any) -> PhaseResult:
    """Run one phase in a fresh interpreter and read back what it measured."""
    spec["label"] = label
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", name]
    command += ["--folder", str(folder), "--spec", json.dumps(spec)]
    finished = subprocess.run(command, cwd=REPO, check=False)
    if finished.returncode != 0:
        raise BenchError(f"phase {label} failed (exit status {finished.returncode})")
    try:
        data = json.loads((folder / f"{label}.json").read_text())
    except (OSError, ValueError) as error:
        raise BenchError(f"phase {label} gave no result: {error}") from error
    return PhaseResult(**data)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


Verdict = tuple[str, str, bool]  # (target, measured value, passed)


def report(
    args: argparse.Namespace, load: str, database: str, results: dict[str, PhaseResult]
) -> tuple[list[Verdict], list[Verdict]]:
    """Print the tables; returns the (speed and memory, correctness) verdicts."""
    fill, freeze, export = results["fill"], results["freeze"], results["export"]
    xlsx = results.get("xlsx")
    baselines = [results["baseline-1"], results["baseline-2"]]
    quality = [results[label] for label in ("quality-1", "quality-2") if label in results]
    check = results["check"]
    base = sum(b.seconds for b in baselines) / len(baselines)
    base_cpu = sum(b.cpu_seconds for b in baselines) / len(baselines)
    zip_seconds = export.details["zip_seconds"]
    files_seconds = export.seconds - zip_seconds

    print()
    print(
        f"export benchmark: {fill.details['rows']:,} responses to {QID} "
        f"(seed {args.seed}, {args.days:g} days); batch {freeze.details['batch_id']} holds "
        f"{freeze.details['size']:,} approved, {freeze.details['excluded']:,} excluded; "
        f"{database}, database {fill.details['database_mb']:,.0f} MB"
    )
    print(f"load average at start (other work on this machine skews both sides): {load}")
    if args.profile:
        print(f"PROFILED run (cProfile stats in {args.profile}): the times are inflated")
    print()
    rows = [
        ("fill (executemany or COPY, one transaction)", fill),
        ("freeze (INSERT ... SELECT into batch_item)", freeze),
        ("baseline: driver + csv.writer, 1st", baselines[0]),
        ("export: files.write without XLSX", export),
        ("baseline: driver + csv.writer, 2nd", baselines[1]),
        *([("xlsx: files.write, data.xlsx alone", xlsx)] if xlsx else []),
        *((f"quality run {n} (screening.run)", run) for n, run in enumerate(quality, 1)),
    ]
    width = max(len(name) for name, _ in rows)
    print(
        f"{'phase':{width}}  {'wall s':>8}  {'CPU s':>8}  {'rows/s':>9}  "
        f"{'peak MB':>8}  {'at start':>8}"
    )
    for name, result in rows:
        count = result.details.get("rows", 0)
        rate = count / result.seconds if result.seconds else 0.0
        print(
            f"{name:{width}}  {result.seconds:8.2f}  {result.cpu_seconds:8.2f}  {rate:9,.0f}  "
            f"{result.peak_mb:8.1f}  {result.start_mb:8.1f}"
        )
        if result is export or result is xlsx:
            print(f"{'  of which batch.zip':{width}}  {result.details['zip_seconds']:8.2f}")
    print()
    export_ratio = files_seconds / base if base else math.inf
    print(f"{'baseline, mean of both runs':{width}}  {base:8.2f} s, CPU {base_cpu:.2f} s")
    print(f"{'ratio export/baseline (data files)':{width}}  {export_ratio:8.2f}")
    print(f"{'ratio export/baseline (with zip)':{width}}  {export.seconds / base:8.2f}")
    export_cpu_ratio = (export.cpu_seconds / base_cpu) if base_cpu else math.inf
    print(f"{'ratio export/baseline, CPU (with zip)':{width}}  {export_cpu_ratio:8.2f}")
    quality_ratios = [run.seconds / base if base else math.inf for run in quality]
    for number, ratio in enumerate(quality_ratios, 1):
        print(f"{f'ratio quality run {number}/baseline':{width}}  {ratio:8.2f}")
    xlsx_ratio = math.inf
    if xlsx:
        xlsx_seconds = xlsx.seconds - xlsx.details["zip_seconds"]
        xlsx_ratio = xlsx_seconds / base if base else math.inf
        print(f"{'ratio xlsx/baseline (data.xlsx, no zip)':{width}}  {xlsx_ratio:8.2f}")
    print()
    for number, run in enumerate(quality, 1):
        d = run.details
        print(
            f"quality run {number}: {d['responses']:,} responses, flags changed on "
            f"{d['flags_changed']:,}, status changed on {d['status_changed']:,}, "
            f"{d['skipped']:,} left alone; rules {', '.join(d['rules_versions'])}"
        )
    flags = ", ".join(f"{code} {count:,}" for code, count in check.details["flags"]) or "none"
    print(f"flags stored after the runs: {flags}")
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(check.details["by_status"].items()))
    print(f"statuses after the runs: {statuses}")
    print(
        f"answers checked against fieldwork.answers.validate while filling: "
        f"{fill.details['validated']:,}, all valid"
    )

    speed = [
        (
            f"export/baseline <= {TARGET_EXPORT_RATIO:g} (data files)",
            f"{export_ratio:.2f}",
            export_ratio <= TARGET_EXPORT_RATIO,
        ),
        *(
            (
                f"quality run {n}/baseline <= {TARGET_QUALITY_RATIO:g}",
                f"{ratio:.2f}",
                ratio <= TARGET_QUALITY_RATIO,
            )
            for n, ratio in enumerate(quality_ratios, 1)
        ),
        (
            f"export peak memory <= {TARGET_EXPORT_MB:g} MB",
            f"{export.peak_mb:.0f} MB",
            export.peak_mb <= TARGET_EXPORT_MB,
        ),
        *(
            [
                (
                    f"data.xlsx/baseline <= {TARGET_XLSX_RATIO:g}",
                    f"{xlsx_ratio:.2f}",
                    xlsx_ratio <= TARGET_XLSX_RATIO,
                )
            ]
            if xlsx
            else []
        ),
    ]
    correctness = [
        *[(name, value, ok) for name, value, ok in check.details["checks"]],
        (
            "export wrote every batch row",
            f"{export.details['rows']}/{freeze.details['size']}",
            export.details["rows"] == freeze.details["size"],
        ),
        *(
            (
                "quality run 2 changed nothing",
                f"{second.details['flags_changed']} flags, "
                f"{second.details['status_changed']} statuses",
                second.details["flags_changed"] == 0 and second.details["status_changed"] == 0,
            )
            for second in quality[1:]
        ),
        *(
            [
                (
                    "data.xlsx holds every batch row",
                    f"{xlsx.details['rows']}/{freeze.details['size']}",
                    xlsx.details["rows"] == freeze.details["size"],
                )
            ]
            if xlsx
            else []
        ),
    ]
    print()
    for name, value, ok in speed + correctness:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<44} {value}")
    return speed, correctness


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text.replace("_", "").replace(",", ""))
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, not {text}")
        return value

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time and peak memory of a frozen batch's export and of the bulk quality "
        "run over N synthetic responses, against the database's own driver + csv on the same "
        "database, for each size given."
    )
    parser.add_argument(
        "--responses",
        type=_at_least(MIN_RESPONSES),
        nargs="+",
        default=list(DEFAULT_RESPONSES),
        metavar="N",
        help="synthetic responses to fill, one run per size, each against its own baseline "
        "(default: 50,000 then 1,000,000)",
    )
    parser.add_argument(
        "--database-url",
        help="run on this PostgreSQL database instead of a SQLite file "
        "(postgresql+psycopg://postgres@127.0.0.1:5432/fieldwork_bench_export): it is DROPPED "
        "and recreated for each size and dropped after, so its name must contain 'bench'",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the fill (default 1)")
    parser.add_argument(
        "--days",
        type=float,
        default=60.0,
        help="fieldwork period the submissions spread over, ending an hour ago (default 60)",
    )
    parser.add_argument(
        "--fill-workers",
        type=_at_least(1),
        help="processes making rows while one inserts (default: 2 from 50,000 responses on "
        "two cores or more, else 1: starting them takes a few seconds)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        type=Path,
        help="write cProfile stats of each measured phase into DIR (inflates the times)",
    )
    parser.add_argument(
        "--export-only",
        action="store_true",
        help="skip the two quality runs: fill, freeze, baselines, export and checks only",
    )
    parser.add_argument(
        "--no-xlsx",
        action="store_true",
        help=f"skip writing data.xlsx alone (done up to {XLSX_UP_TO:,} responses)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (database, export files, baseline CSV)",
    )
    parser.add_argument(
        "--no-fail",
        action="store_true",
        help="exit 0 even if a speed or memory target is missed (correctness misses still exit 1)",
    )
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql URL (SQLite is the default)")
    return args


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        return run_child(args.phase, args.folder, json.loads(args.spec))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    verdicts: list[tuple[str, list[Verdict], list[Verdict]]] = []
    try:
        for responses in args.responses:
            where = f"{responses:,} responses, {'PostgreSQL' if args.database_url else 'SQLite'}"
            speed, correctness = run_size(args, responses)
            verdicts.append((where, speed, correctness))
    except BenchError as error:
        print(f"benchmark could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if len(verdicts) > 1:
        print("\nall targets:")
        for where, speed, correctness in verdicts:
            for name, value, ok in speed + correctness:
                print(f"{'PASS' if ok else 'FAIL'}  {where:<32} {name:<44} {value}")
    if not all(ok for _, _, correctness in verdicts for *_rest, ok in correctness):
        return 1
    fast = all(ok for _, speed, _ in verdicts for *_rest, ok in speed)
    return 0 if fast or args.no_fail else 1


def run_size(args: argparse.Namespace, responses: int) -> tuple[list[Verdict], list[Verdict]]:
    """Every phase over `responses` synthetic responses, in a temporary folder (and a fresh
    PostgreSQL database with --database-url); prints the report, returns its verdicts."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-bench-export-"))
    tag = f"{responses}-" if len(args.responses) > 1 else ""

    def profile(label: str) -> str | None:
        return str(args.profile.resolve() / f"{tag}{label}.prof") if args.profile else None

    results: dict[str, PhaseResult] = {}
    url: str | None = args.database_url

    def run(name: str, label: str, **spec: Any) -> PhaseResult:
        result = results[label] = run_phase(name, folder, label, url=url, **spec)
        rows = f"{result.details['rows']:,} rows " if "rows" in result.details else ""
        print(f"{label}: {rows}in {result.seconds:.1f} s, peak {result.peak_mb:.0f} MB", flush=True)
        return result

    try:
        if url:
            server = run("database", "database", create=True).details["server"]
            database = f"PostgreSQL {server}"
        else:
            database = f"SQLite {sqlite3.sqlite_version}"
        print(f"filling {responses:,} responses into {url or folder / DATABASE}", flush=True)
        big = responses >= 50_000
        fill = run(
            "fill",
            "fill",
            responses=responses,
            seed=args.seed,
            days=args.days,
            workers=args.fill_workers or (2 if big and (os.cpu_count() or 1) > 1 else 1),
        )
        freeze = run("freeze", "freeze")
        batch_id = freeze.details["batch_id"]
        codes = fill.details["codes"]
        run("baseline", "baseline-1", codes=codes, profile=profile("baseline"))
        run("export", "export", batch_id=batch_id, profile=profile("export"))
        run("baseline", "baseline-2", codes=codes)
        if responses <= XLSX_UP_TO and not args.no_xlsx:
            spec = {"formats": ["xlsx"], "target": f"{EXPORT_DIR}-xlsx"}
            run("export", "xlsx", batch_id=batch_id, profile=profile("xlsx"), **spec)
        if not args.export_only:
            run("quality", "quality-1", profile=profile("quality-1"))
            run("quality", "quality-2", profile=profile("quality-2"))
        run(
            "check",
            "check",
            size=freeze.details["size"],
            excluded=freeze.details["excluded"],
            by_segment_mode=freeze.details["by_segment_mode"],
        )
        return report(args, load, database, results)
    finally:
        if args.keep:
            print(f"kept {folder}" + (f" and database {url}" if url else ""))
        else:
            if url:
                with contextlib.suppress(BenchError):
                    run_phase("database", folder, "drop", url=url, create=False)
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
