"""Soak and fault benchmark: the real app under load while its workers are killed.

What it proves (issue 14, point 5): that a gunicorn worker dying mid-request, as a
process does when it runs out of memory or is killed by an operator, costs nothing
that was acknowledged. For a few minutes, against the app under gunicorn as the README
deploys it (one single-threaded worker per core, behind a proxy: FIELDWORK_PROXIES=1):

- respondents (bench/respondents.py's seeded population, walked by bench/walking.py, the
  walk of bench/quality.py) go through the online questionnaire page by page, each from
  their own address and browser: start page, consent, question pages with answers, save
  and resume for some, the check page, the submit with its submission id;
- reviewers, signed in, read the pending queue, open a response and approve or reject
  it with the response page's form (each reviewer decides a response at most once);
- a killer sends SIGKILL to a random worker every 2 to 8 s (seeded), and the master
  starts another.

Every client retries a request whose connection died, as a phone does: the same request
again, a submit with the same submission id. A submission is acknowledged when its
submit got the 303 to its own done page; a decision when its POST got the 303 back to
the response. Responses are decided only by reviewers (FIELDWORK_AUTO_APPROVE=0 and
FIELDWORK_AUTO_REJECT=0), so the queue never runs dry.

First a calm phase (no killing, `--calm` seconds, after `--warmup` seconds not
counted) with the same clients: its rate of finished walks is the baseline the killing
phase's rate is divided by.

At the end the clients stop, the server stops gracefully, and the database is checked
against what the clients saw: acknowledged submissions stored exactly once, each
acknowledged decision in the audit log exactly once, no decision twice.

Run from the repository root:

    python bench/soak.py                     # SQLite, 30 s calm + 2 min killing
    python bench/soak.py --minutes 5 --seed 7
    python bench/soak.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/soak_bench

Targets (exit 1 if one misses): zero lost and zero duplicated submissions; no 5xx answer;
no connection dropped but by a kill; every walk finished; zero decisions lost or
duplicated; at least one worker killed. 2 if the benchmark could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import itertools
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import sqlalchemy as sa
from sqlmodel import Session

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "bench") not in sys.path:  # run as a script, bench/ is first already
    sys.path.insert(0, str(REPO / "bench"))

import shadow  # noqa: E402  (its Device: a browser over HTTP, signed in or not)
import submit  # noqa: E402  (the servers, the dedicated database, the percentiles)
from respondents import Person, population  # noqa: E402
from walking import QID, Clock, Refused, Walker, csrf  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from fieldwork import db  # noqa: E402
from fieldwork.accounts import service as accounts  # noqa: E402
from fieldwork.audit.models import AuditEntry  # noqa: E402
from fieldwork.quality.subjects import as_utc  # noqa: E402
from fieldwork.questionnaire.loader import load_directory  # noqa: E402
from fieldwork.responses.models import Response  # noqa: E402

ATTEMPTS = 20  # tries of a request whose connection keeps dying before a client gives up
RETRY_PAUSE = 0.2  # seconds before trying again, as a phone's retry waits a moment
AIMED = 0.5  # the share of kills that wait for a submit in flight (see _aim)
FORM = "application/x-www-form-urlencoded"
QUEUE_PATH = "/staff/review/"
QUEUE_LINK = re.compile(r'href="(/staff/review/(\d+)(?:\?[^"]*)?)"')
DECIDE_FORM = re.compile(r'<form method="post" action="(/staff/review/\d+[^"]*)"')
ROW_VERSION = re.compile(r'name="row_version" value="(\d+)"')
DECISIONS = (("approved", "valid"), ("approved", "valid"), ("rejected", "duplicate"))
WARMUP, CALM, KILLING, END = "warm-up", "calm", "killing", "end"


class GaveUp(Exception):
    """A request's connection died on every attempt."""


# --------------------------------------------------------------------------------------
# What the clients saw
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dropped:
    """A request whose connection died before its answer."""

    start: float
    end: float
    kind: str  # "submit", "review" or "page"
    what: str
    died_at: dt.datetime  # by the wall clock, which the server's stamps share
    submission: str = ""  # a submit's submission id


@dataclass
class Seen:
    """Everything the clients and the killer saw, by the clock of this process."""

    phase_start: dict[str, float] = field(default_factory=dict)
    kills: list[float] = field(default_factory=list)
    timings: dict[str, list[tuple[float, float]]] = field(  # kind: (ended at, seconds)
        default_factory=lambda: {"submit": [], "review": [], "page": []}
    )
    dropped: list[Dropped] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    walks: list[float] = field(default_factory=list)  # when each acknowledged walk ended
    acknowledged: set[str] = field(default_factory=set)  # submission ids
    not_stored: int = 0  # walks the app answered but did not store (a refused script)
    failed_walks: list[str] = field(default_factory=list)
    decisions: set[tuple[int, int, str]] = field(default_factory=set)  # response, actor, status
    attempted: set[tuple[int, int]] = field(default_factory=set)  # response, actor
    decided_at: list[float] = field(default_factory=list)
    conflicts: int = 0  # 409: another reviewer decided the response first
    submitting: int = 0  # submits in flight now
    failed_decisions: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def phase_of(self, moment: float) -> str:
        """The phase a moment falls in: WARMUP, CALM, KILLING or END."""
        begun = [name for name, start in self.phase_start.items() if start <= moment]
        return begun[-1] if begun else WARMUP

    def killed(self, dropped: Dropped) -> bool:
        """Whether a worker was killed while this connection was open."""
        return any(dropped.start <= moment <= dropped.end for moment in self.kills)


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: dict[str, str]
    text: str


def _local(target: str) -> str:
    """The path and query of a Location, absolute or not."""
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _kind(method: str, path: str) -> str:
    if path.startswith("/staff/review"):
        return "review"
    return "submit" if method == "POST" and path.endswith("/submit") else "page"


def _id_in(body: bytes | None) -> str:
    """The submission id a form carries, or ""."""
    return parse_qs((body or b"").decode()).get("submission_id", [""])[0]


class Browser:
    """A `walking.Client` over HTTP on a `shadow.Device`: every answer timed and noted, a
    request whose connection died sent again as it was."""

    def __init__(self, device: shadow.Device, seen: Seen) -> None:
        self.device, self.seen = device, seen

    def get(self, path: str, *, query_string: dict[str, str] | None = None) -> Answer:
        return self.send("GET", path + (f"?{urlencode(query_string)}" if query_string else ""))

    def post(self, path: str, *, data: Any) -> Answer:
        items = data.items(multi=True) if isinstance(data, MultiDict) else data.items()
        return self.send("POST", path, urlencode(list(items), doseq=True).encode())

    def send(self, method: str, target: str, body: bytes | None = None) -> Answer:
        path, seen = _local(target), self.seen
        kind = _kind(method, path)
        for _attempt in range(ATTEMPTS):
            started = time.monotonic()
            try:
                status, data, location = self._counted(kind, method, path, body)
            except (OSError, http.client.HTTPException) as error:
                what = f"{method} {path}: {error!r}"
                died = Dropped(
                    started, time.monotonic(), kind, what, dt.datetime.now(dt.UTC), _id_in(body)
                )
                with seen.lock:
                    seen.dropped.append(died)
                time.sleep(RETRY_PAUSE)
                continue
            ended = time.monotonic()
            with seen.lock:
                seen.timings[kind].append((ended, ended - started))
                if status >= 500:
                    seen.server_errors.append(f"{status} {method} {path}")
            return Answer(status, {"Location": location}, data.decode("utf-8", "replace"))
        raise GaveUp(f"{method} {path}: the connection died {ATTEMPTS} times")

    def _counted(
        self, kind: str, method: str, path: str, body: bytes | None
    ) -> tuple[int, bytes, str]:
        """The request, with the submits in flight counted for the killer to aim at."""
        submitting = kind == "submit"
        with self.seen.lock:
            self.seen.submitting += submitting
        try:
            return self.device.request(method, path, body, FORM if body is not None else "")
        finally:
            with self.seen.lock:
                self.seen.submitting -= submitting


# --------------------------------------------------------------------------------------
# The clients and the killer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewer:
    username: str
    user_id: int


def respondent(walker: Walker, people: Iterator[Person], seen: Seen, stop: threading.Event) -> None:
    """Walks one person after another until told to stop (a walk begun is finished)."""
    while not stop.is_set():
        with seen.lock:
            person = next(people)
        try:
            submission_id = walker.walk(person, walker.client(person))
        except (Refused, GaveUp) as error:
            with seen.lock:
                seen.failed_walks.append(str(error))
            continue
        with seen.lock:
            if submission_id is None:
                seen.not_stored += 1
            else:
                seen.acknowledged.add(submission_id)
                seen.walks.append(time.monotonic())


def reviewer(browser: Browser, who: Reviewer, seed: int, seen: Seen, stop: threading.Event) -> None:
    """Opens the pending queue, a response it has not decided, and decides it."""
    choose = random.Random(seed)
    mine: set[int] = set()
    while not stop.is_set():
        try:
            decided = _review_one(browser, who, choose, mine, seen)
        except (Refused, GaveUp) as error:
            with seen.lock:
                seen.failed_decisions.append(str(error))
            decided = False
        if not decided:
            stop.wait(0.2)  # nothing pending yet, or a refusal not to hammer


def _review_one(
    browser: Browser, who: Reviewer, choose: random.Random, mine: set[int], seen: Seen
) -> bool:
    """One decision, as a reviewer makes it from the queue; False if nothing was pending."""
    queue = browser.get(QUEUE_PATH)
    if queue.status_code != 200:
        raise Refused(f"{who.username}: the queue answered {queue.status_code}")
    links = [
        (int(found), html.unescape(link))
        for link, found in QUEUE_LINK.findall(queue.text)
        if int(found) not in mine
    ]
    if not links:
        return False
    response_id, link = choose.choice(links)
    page = browser.get(link)
    action, version = DECIDE_FORM.search(page.text), ROW_VERSION.search(page.text)
    if page.status_code != 200 or action is None or version is None:
        raise Refused(f"{who.username}: {link} answered {page.status_code} without its form")
    status, reason = choose.choice(DECISIONS)
    form = {"csrf_token": csrf(page.text), "row_version": version.group(1)}
    mine.add(response_id)
    with seen.lock:
        seen.attempted.add((response_id, who.user_id))
    reply = browser.post(
        html.unescape(action.group(1)), data={**form, "status": status, "reason": reason}
    )
    with seen.lock:
        if reply.status_code == 303 and f"/staff/review/{response_id}" in reply.headers["Location"]:
            seen.decisions.add((response_id, who.user_id, status))
            seen.decided_at.append(time.monotonic())
        elif reply.status_code == 409:
            seen.conflicts += 1
        else:
            seen.failed_decisions.append(f"{who.username}: decision answered {reply.status_code}")
    return True


def killer(
    server: submit.Server, bounds: tuple[float, float], seed: int, seen: Seen, stop: threading.Event
) -> None:
    """SIGKILL a random worker at random moments; the master starts another."""
    choose = random.Random(seed)
    while not stop.wait(choose.uniform(*bounds)):
        if choose.random() < AIMED:
            _aim(seen, choose, stop)
        with contextlib.suppress(OSError):
            workers = sorted(server.workers())
            if workers:
                os.kill(choose.choice(workers), signal.SIGKILL)
                with seen.lock:
                    seen.kills.append(time.monotonic())


def _aim(seen: Seen, choose: random.Random, stop: threading.Event) -> None:
    """Wait (up to a second) for a submit in flight, then a random part of a submit's
    usual time: the kill lands inside it, before or after its commit, if it hits the
    worker serving it (one chance in the number of workers)."""
    deadline = time.monotonic() + 1.0
    while not seen.submitting and time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.002)
    with seen.lock:
        recent = [seconds for _at, seconds in seen.timings["submit"][-20:]]
    time.sleep(choose.uniform(0, submit.median(recent) if recent else 0.05))


# --------------------------------------------------------------------------------------
# Setting up, running, checking
# --------------------------------------------------------------------------------------


def prepare(url: str, reviewers: int) -> list[Reviewer]:
    """The reviewers, real staff users with a password (the database is migrated and the
    shipped questionnaires stored already)."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            made = []
            for number in range(1, reviewers + 1):
                user = accounts.create_user(
                    session, f"soak.reviewer{number}", shadow.PASSWORD, "reviewer"
                )
                assert user.id is not None
                made.append(Reviewer(user.username, user.id))
            return made
    finally:
        engine.dispose()


def run(
    args: argparse.Namespace, url: str, folder: Path
) -> tuple[Seen, submit.Server, list[Reviewer]]:
    staff = prepare(url, args.reviewers)
    questionnaire = load_directory(REPO / "questionnaires").questionnaires[QID]
    people = itertools.cycle(population(questionnaire, args.people, args.seed))
    config = submit.ServerConfig(args.workers, 1, keepalive=False, startup_timeout=60.0)
    environment = {
        "FIELDWORK_DATABASE_URL": url,
        "FIELDWORK_SECRET_KEY": "bench-secret-key",
        "FIELDWORK_IP_HASH_KEY": "bench-ip-hash-key",
        "FIELDWORK_PROXIES": "1",  # each person's address comes as a proxy sends it
        # Every response waits for the reviewers: none approved clean, and none rejected
        # as a speeder (the walks are scripts, pages a few milliseconds apart).
        "FIELDWORK_AUTO_APPROVE": "0",
        "FIELDWORK_AUTO_REJECT": "0",
    }
    seen, stop = Seen(), threading.Event()
    with submit.gunicorn("app", "app:app", environment, config, folder) as server:

        def device(headers: dict[str, str]) -> shadow.Device:
            made = shadow.Device(server.port, False, args.timeout)
            made.headers = headers
            return made

        def browser(person: Person, address: str | None) -> Browser:
            headers = {"X-Forwarded-For": address or person.address, "User-Agent": person.browser}
            return Browser(device(headers), seen)

        walker = Walker(questionnaire, Clock(), browser)
        signed_in = []
        for number, who in enumerate(staff):
            own = device({"X-Forwarded-For": f"192.168.0.{number + 1}"})
            own.sign_in(who.username)  # before any killing: argon2 is slow, and not the point
            signed_in.append(Browser(own, seen))
        clients = [
            threading.Thread(target=respondent, args=(walker, people, seen, stop), daemon=True)
            for _ in range(args.respondents)
        ] + [
            threading.Thread(target=reviewer, args=(b, who, args.seed + n, seen, stop), daemon=True)
            for n, (b, who) in enumerate(zip(signed_in, staff, strict=True))
        ]
        for thread in clients:
            thread.start()
        print(f"{args.warmup:g} s warm-up, calm for {args.calm:g} s", flush=True)
        stop.wait(args.warmup)
        seen.phase_start[CALM] = time.monotonic()
        stop.wait(args.calm)
        seen.phase_start[KILLING] = time.monotonic()
        slayer = threading.Thread(
            target=killer, args=(server, args.kill_interval, args.seed, seen, stop), daemon=True
        )
        slayer.start()
        print(f"killing workers for {args.minutes:g} min", flush=True)
        stop.wait(args.minutes * 60)
        seen.phase_start[END] = time.monotonic()
        stop.set()
        slayer.join()
        for thread in clients:
            thread.join()
    # The server stopped gracefully: every request it took has finished.
    return seen, server, staff


@dataclass
class Stored:
    submissions: list[str]
    decisions: Counter[tuple[int, int, str]]  # (response, actor, new status): audit rows
    by_pair: Counter[tuple[int, int]]  # (response, actor): status audit rows
    submitted: dict[str, dt.datetime]  # when the submits whose connection died were stored


def stored(url: str, reviewers: set[int], killed_submits: set[str]) -> Stored:
    table = AuditEntry.__table__  # type: ignore[attr-defined]
    responses = Response.__table__  # type: ignore[attr-defined]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(table.c.response_id, table.c.actor_id, table.c.new).where(
                    table.c.action == "status", table.c.actor_id.in_(reviewers)
                )
            ).all()
            submitted = connection.execute(
                sa.select(responses.c.submission_id, responses.c.submitted_at).where(
                    responses.c.submission_id.in_(killed_submits)
                )
            ).all()
    finally:
        engine.dispose()
    return Stored(
        submit.stored_ids(url, submit.APP_TABLE),
        Counter((row.response_id, row.actor_id, row.new) for row in rows),
        Counter((row.response_id, row.actor_id) for row in rows),
        {row.submission_id: as_utc(row.submitted_at) for row in submitted},
    )


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def _p99(seen: Seen, kind: str, phase: str) -> float:
    return submit.percentile(
        sorted(s for at, s in seen.timings[kind] if seen.phase_of(at) == phase), 99
    )


def _rate(seen: Seen, moments: list[float], phase: str) -> float:
    start = seen.phase_start[phase]
    end = seen.phase_start[KILLING if phase == CALM else END]
    return sum(1 for at in moments if seen.phase_of(at) == phase) / (end - start)


def report(
    args: argparse.Namespace, backend: str, load: str, seen: Seen, found: Stored, log: str
) -> bool:
    """Print the figures and a PASS/FAIL line per target; returns whether all pass."""
    rows_stored = set(found.submissions)
    lost = len(seen.acknowledged - rows_stored)
    duplicated = len(found.submissions) - len(rows_stored)
    killed = [d for d in seen.dropped if seen.killed(d)]
    # A submit killed after its commit: its retry was answered from the stored row.
    committed = [
        d
        for d in killed
        if d.submission in found.submitted and found.submitted[d.submission] <= d.died_at
    ]
    unexplained = [d.what for d in seen.dropped if not seen.killed(d)]
    acknowledged = {(response, actor) for response, actor, _status in seen.decisions}
    decisions_lost = sum(1 for d in seen.decisions if found.decisions[d] == 0)
    decisions_doubled = sum(1 for count in found.by_pair.values() if count > 1)
    strangers = sum(1 for pair in found.by_pair if pair not in seen.attempted)
    low, high = args.kill_interval
    print()
    print(
        f"soak: {args.respondents} respondents, {args.reviewers} reviewers; {args.warmup:g} s "
        f"warm-up, {args.calm:g} s "
        f"calm, then {args.minutes:g} min killing a worker every {low:g}-{high:g} s (seed "
        f"{args.seed}); gunicorn -w {args.workers} -k gthread --threads 1; {backend}"
    )
    print(f"load average at start {load}, at end {submit.load_average()}")
    print()
    rate = {phase: _rate(seen, seen.walks, phase) for phase in (CALM, KILLING)}
    table = [
        ("walks acknowledged per second", *(f"{rate[p]:.2f}" for p in (CALM, KILLING))),
        (
            "decisions acknowledged per second",
            *(f"{_rate(seen, seen.decided_at, p):.2f}" for p in (CALM, KILLING)),
        ),
        (
            "p99 latency of submits, ms",
            *(f"{_p99(seen, 'submit', p):.0f}" for p in (CALM, KILLING)),
        ),
        (
            "p99 latency of review pages, ms",
            *(f"{_p99(seen, 'review', p):.0f}" for p in (CALM, KILLING)),
        ),
    ]
    width = max(len(row[0]) for row in table)
    print(f"{'':{width}}  {CALM:>8}  {KILLING:>8}")
    for name, calm, killing in table:
        print(f"{name:{width}}  {calm:>8}  {killing:>8}")
    ratio = rate[KILLING] / rate[CALM] if rate[CALM] else float("nan")
    print(f"{'ratio killing/calm, walks per second':{width}}  {'':>8}  {ratio:>8.2f}")
    print()
    counts = [
        ("workers killed", len(seen.kills)),
        ("killed connections (retried)", len(killed)),
        ("  of which submits", sum(1 for d in killed if d.kind == "submit")),
        ("    stored before their connection died", len(committed)),
        ("  of which review pages", sum(1 for d in killed if d.kind == "review")),
        ("acknowledged submissions", len(seen.acknowledged)),
        ("stored responses", len(found.submissions)),
        ("stored, never acknowledged", len(rows_stored - seen.acknowledged)),
        ("walks the app did not store (scripts refused)", seen.not_stored),
        ("decisions acknowledged", len(seen.decisions)),
        ("decisions stored (reviewers' audit rows)", sum(found.by_pair.values())),
        ("decisions stored, never acknowledged", len(found.by_pair.keys() - acknowledged)),
        ("decisions refused as changed (409)", seen.conflicts),
    ]
    width = max(len(name) for name, _ in counts)
    for name, value in counts:
        print(f"{name:{width}}  {value:>8}")
    targets = [
        ("zero lost", lost),
        ("zero duplicated", duplicated),
        ("zero 5xx answers", len(seen.server_errors)),
        ("no connection dropped but by a kill", len(unexplained)),
        ("every walk finished", len(seen.failed_walks)),
        ("zero decisions lost", decisions_lost),
        ("zero decisions duplicated", decisions_doubled + strangers),
        ("every decision form answered", len(seen.failed_decisions)),
    ]
    print()
    for name, value in targets:
        print(f"{'PASS' if value == 0 else 'FAIL'}  {name:<38} {value}")
    print(
        f"{'PASS' if seen.kills else 'FAIL'}  {'at least one worker killed':<38} {len(seen.kills)}"
    )
    problems = [
        ("5xx answers", seen.server_errors),
        ("connections dropped with no kill", unexplained),
        ("walks not finished", seen.failed_walks),
        ("decision forms not answered", seen.failed_decisions),
    ]
    for title, found_problems in problems:
        if found_problems:
            print(f"\nfirst {title}:")
            for line in list(dict.fromkeys(found_problems))[:5]:
                print(f"  {line}")
    if seen.server_errors:
        print(f"\nthe server's log ends:\n{log}")
    return bool(seen.kills) and all(value == 0 for _, value in targets)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    positive, seconds = submit._positive(int), submit._positive(float)
    parser = argparse.ArgumentParser(
        description="The app under respondents and reviewers while gunicorn workers are "
        "killed at random; checks that nothing acknowledged is lost or doubled."
    )
    parser.add_argument(
        "--minutes", type=seconds, default=2.0, help="minutes of killing workers (2)"
    )
    parser.add_argument(
        "--calm", type=seconds, default=30.0, help="seconds of the same load first, no killing (30)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds of the same load before the calm phase, not counted (5)",
    )
    parser.add_argument(
        "--respondents", type=positive, default=6, help="respondents walking at once (6)"
    )
    parser.add_argument("--reviewers", type=positive, default=2, help="reviewers at once (2)")
    parser.add_argument(
        "--kill-interval",
        type=seconds,
        nargs=2,
        metavar=("LOW", "HIGH"),
        default=(2.0, 8.0),
        help="seconds between two kills, drawn uniformly (2 8)",
    )
    parser.add_argument("--seed", type=int, default=1, help="people, choices and kills (1)")
    parser.add_argument(
        "--people", type=positive, default=600, help="the population walked, in a cycle (600)"
    )
    parser.add_argument(
        "--workers",
        type=positive,
        default=max(2, os.cpu_count() or 2),
        help="gunicorn workers (default: one per core, at least 2)",
    )
    parser.add_argument(
        "--timeout", type=seconds, default=60.0, help="seconds before a request fails (60)"
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL database instead of a temporary SQLite file; it is DROPPED and "
        "recreated, and its name must contain 'bench'",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.warmup < 0:
        parser.error("--warmup must be >= 0")
    if args.kill_interval[0] > args.kill_interval[1]:
        parser.error("--kill-interval: LOW must not be above HIGH")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql URL (SQLite is the default)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = submit.load_average()
    return submit.guarded("soak", args.keep, lambda folder: _soak(args, load, folder))


def _soak(args: argparse.Namespace, load: str, folder: Path) -> int:
    with contextlib.ExitStack() as stack:
        if args.database_url:
            url = stack.enter_context(shadow.postgres_database(args.database_url, args.keep))
            backend = "PostgreSQL"
        else:
            url = f"sqlite:///{folder / 'fieldwork.db'}"
            submit.prepare_app_database(url)
            backend = "SQLite (WAL)"
        seen, server, staff = run(args, url, folder)
        killed_submits = {d.submission for d in seen.dropped if d.submission}
        found = stored(url, {who.user_id for who in staff}, killed_submits)
        passed = report(args, backend, load, seen, found, server.log_tail(60))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
