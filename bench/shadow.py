"""The shadow-test event logger under 50 concurrent testers, against bare inserts.

What it measures (issue 13, point 9): testers signed in to the real app, each logging a
20-event timeline on its own planned test, and half of them sending the whole timeline a
second time, as a phone does when it replays its offline queue. Every event must be
stored exactly once and in the order the tester logged it, whatever arrived twice; the
logger must keep up with the database (a rate ratio) and answer a tap quickly (p99).

Two loads, each on tests of its own, counted alike:

- The burst ("app: burst"): every tester sends their timeline at the same moment, as the
  logger's queue sends it when a phone comes back online (`--batch`: events per request,
  the whole timeline by default; 1 sends one request per tap, back to back). This is the
  most the logger is ever asked at once, and the rate ratio is judged on it.
- Live taps ("app: live"): every tester taps their timeline one request per tap, as the
  page sends while online, a tap every `--live-pace` seconds (1 s: brisker than any
  contact, where replies take seconds to minutes), the testers starting spread over that
  second. The p99 target is judged here: it is what a tester waits for after a tap while
  the others tap too. The burst's p99 is printed beside it: how long a queue waits in a
  crowd of fifty arriving at once, which on two cores is set by the queue, not the code.

In both, the replay is the whole queue as one POST; of the testers that replay, half do
it after their last request was answered, and half while theirs are still going.

The baseline, in the same run and the same database: the same number of rows inserted
into the same table (`shadow_event`, with its unique id and index), by as many threads
as there are testers, each inserting its own timeline one row and one commit at a time
with SQLAlchemy Core. On SQLite each insert and commit takes the app's writer turn
(`fieldwork.writers`), so the threads queue as the app's writers do instead of sleeping
in SQLite's busy handler. The app's rate is the events it stored per second of its
phase (the replays' requests included); the baseline's, rows per second of its phase.

Run from the repository root:

    python bench/shadow.py                    # 50 testers x 20 events, about a minute
    python bench/shadow.py --rounds 3         # baseline and app three times; rates = median
    python bench/shadow.py --testers 500      # a stress size (sign-ins take a minute)
    python bench/shadow.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/fieldwork_bench

Targets: zero lost, zero duplicated, every timeline stored in the order sent, no event
refused and no request failed, in both loads; app/baseline rate >= 0.3 (the burst); p99
latency <= 100 ms over every request of the live load (taps and replays). Exit 0 only
when all pass (with --no-fail, the speed targets do not count), 1 when one misses, 2 when
the benchmark could not run.

The servers are `bench/submit.py`'s: gunicorn on a socket the script holds, 2 workers
x 1 thread by default (the README's deployment on this 2-core machine).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy import create_engine, event
from sqlmodel import Session, select

from fieldwork import db, writers
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions import service as definitions
from fieldwork.quality.subjects import as_utc
from fieldwork.questionnaire.loader import load_directory
from fieldwork.shadow import events as logging_events
from fieldwork.shadow import plans
from fieldwork.shadow.models import ShadowEvent, ShadowTest

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "bench") not in sys.path:  # run as a script, bench/ is first already
    sys.path.insert(0, str(REPO / "bench"))

import submit  # noqa: E402  (bench/submit.py: the servers and the percentiles)

TARGET_RATIO = 0.3
TARGET_P99_MS = 100.0
DEFINITION = "shadow_after_sales"
PASSWORD = "bench tester password 7"  # noqa: S105  (throwaway users in a temporary database)
LOGIN_PATH = "/staff/login"
CHINA = dt.timezone(dt.timedelta(hours=8))

# A contact as a tester logs it: a bot that repeats itself, a hold, a transfer that
# drops, a second try; cycled when --events asks for more than twenty.
TIMELINE = (
    "contacted",
    "bot_replied",
    "bot_repeated",
    "bot_replied",
    "asked_for_human",
    "put_on_hold",
    "transferred",
    "line_dropped",
    "contacted",
    "bot_replied",
    "asked_for_human",
    "transferred",
    "human_replied",
    "put_on_hold",
    "human_replied",
    "callback_promised",
    "human_replied",
    "problem_solved",
    "human_replied",
    "contact_ended",
)
SCENARIOS = ("return_request", "refund_chase", "repair", "complaint", "elderly_help")
SLOTS = ("weekday_morning", "weekday_afternoon", "weekday_evening", "weekend_evening")
STEP = dt.timedelta(seconds=7)  # between two events on the device's clock


class BenchError(submit.BenchError):
    """The benchmark could not run (setup, server start, sign-in)."""


# --------------------------------------------------------------------------------------
# The database: migrated, the shipped definitions stored, testers and their tests
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tester:
    username: str
    user_id: int


@dataclass
class Timeline:
    """One planned test and the events its tester will send, in the order logged."""

    test_id: int
    tester: Tester | None  # None: a baseline test, written to by bare inserts
    events: list[dict[str, Any]]

    @property
    def ids(self) -> list[str]:
        return [event["id"] for event in self.events]


@dataclass(frozen=True)
class Setting:
    """What every round plans from: the shipped definition, its cells and the testers."""

    definition: Any  # fieldwork.questionnaire.shadow.ShadowDefinition
    cells: list[tuple[str, str]]  # (platform, channel) as platforms.yaml offers them
    testers: list[Tester]


def prepare(url: str, testers: int) -> Setting:
    """Migrate, store the shipped definitions (as `flask fieldwork load` does) and create
    the admin who plans and the testers, each a real staff user with a password."""
    db.upgrade(url)
    catalog = load_directory(REPO / "questionnaires")
    if catalog.problems or DEFINITION not in catalog.shadows:
        raise BenchError(f"questionnaires/ has problems or no {DEFINITION}: {catalog.problems}")
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            definitions.store(session, catalog.stored())
            accounts.create_user(session, "bench.admin", PASSWORD, "admin")
            made = []
            for number in range(1, testers + 1):
                user = accounts.create_user(session, f"bench.tester{number:03}", PASSWORD, "tester")
                assert user.id is not None
                made.append(Tester(user.username, user.id))
    finally:
        engine.dispose()
    cells = [(p.code, channel) for p in catalog.platforms.platforms for channel in p.channels]
    return Setting(catalog.shadows[DEFINITION], cells, made)


@dataclass(frozen=True)
class Round:
    """One round's tests: the testers' (logged through the app), the HTTP floor's and the
    baseline's (assigned to nobody), each with its timeline."""

    app: list[Timeline]
    live: list[Timeline]
    floor: list[Timeline]
    baseline: list[Timeline]


def plan_round(url: str, setting: Setting, events: int) -> Round:
    """Two tests for each tester (one sent as queues, one tapped live) and as many as
    testers for the floor and for the baseline, planned
    by the admin across the shipped platforms' channels, scenarios and slots; each with
    its timeline of events, in the past by the device's clock, in China's time zone."""
    testers, cells, size = setting.testers, setting.cells, len(setting.testers)
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            admin = session.exec(select(StaffUser).where(StaffUser.username == "bench.admin")).one()
            owners: list[Tester | None] = [*testers, *testers, *([None] * 2 * size)]
            timelines = []
            for number, owner in enumerate(owners):
                platform, channel = cells[number % len(cells)]
                chosen = plans.Plan(
                    platform=platform,
                    channel=channel,
                    scenario=SCENARIOS[number % len(SCENARIOS)],
                    slot=SLOTS[number % len(SLOTS)],
                    campaign="bench",
                    tester_id=owner.user_id if owner else None,
                )
                test: ShadowTest = plans.plan(session, setting.definition, chosen, admin)
                assert test.id is not None
                timelines.append(Timeline(test.id, owner, timeline_events(events)))
    finally:
        engine.dispose()
    return Round(
        timelines[:size],
        timelines[size : 2 * size],
        timelines[2 * size : 3 * size],
        timelines[3 * size :],
    )


def timeline_events(count: int) -> list[dict[str, Any]]:
    """`count` events as the logger's script makes them: a fresh id each, numbered from 1,
    the device's time with its zone, ending a minute ago."""
    start = dt.datetime.now(CHINA).replace(microsecond=0) - STEP * count - dt.timedelta(minutes=1)
    return [
        {
            "id": str(uuid.uuid4()),
            "sequence": number,
            "code": TIMELINE[(number - 1) % len(TIMELINE)],
            "at": (start + STEP * number).isoformat(),
        }
        for number in range(1, count + 1)
    ]


@contextlib.contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'fieldwork.db'}"


@contextlib.contextmanager
def postgres_database(url: str, keep: bool) -> Iterator[str]:
    """`submit.py`'s dedicated database (its name must contain 'bench'; dropped, created,
    and dropped after). The submit bench's own tables in it are not used here."""
    with submit.postgres_database(url, keep) as databases:
        yield databases.app_url


# --------------------------------------------------------------------------------------
# The baseline: bare inserts, one row and one commit at a time, as many threads as testers
# --------------------------------------------------------------------------------------


@dataclass
class Phase:
    """What one phase of a round did: its wall time and, for the app, every request."""

    seconds: float
    latencies: list[float] = field(default_factory=list)  # every request's, in seconds
    requests: int = 0
    acknowledged: set[str] = field(default_factory=set)  # stored or already stored
    refused: list[str] = field(default_factory=list)  # "event id: reason"
    failures: list[str] = field(default_factory=list)  # requests without a good answer
    cpu: float | None = None  # CPU seconds: the server's workers, or the baseline's process


def baseline(url: str, timelines: list[Timeline]) -> Phase:
    """Insert every timeline's events with plain INSERT + COMMIT, one thread per timeline."""
    table = ShadowEvent.__table__  # type: ignore[attr-defined]
    insert = table.insert()
    sqlite = url.startswith("sqlite")
    engine = create_engine(
        url,
        pool_size=len(timelines),  # a connection per thread, as each app worker holds its own
        max_overflow=0,
        **({"connect_args": {"timeout": 30, "check_same_thread": False}} if sqlite else {}),
    )
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    rows = [[_row(line.test_id, each) for each in line.events] for line in timelines]
    ready = threading.Barrier(len(timelines) + 1)
    failures: list[str] = []

    def insert_all(own: list[dict[str, Any]]) -> None:
        try:
            with engine.connect() as connection:
                ready.wait()
                for row in own:
                    with writers.turn(engine):
                        connection.execute(insert, row)
                        connection.commit()
        except Exception as error:  # reported, and the run fails
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=insert_all, args=(own,), daemon=True) for own in rows]
    for thread in threads:
        thread.start()
    ready.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return Phase(seconds, failures=failures, cpu=cpu)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """The app's pragmas (`fieldwork.db.make_engine`): the same database, the same costs."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _row(test_id: int, each: dict[str, Any]) -> dict[str, Any]:
    """The row the app stores for an event (`fieldwork.shadow.events`)."""
    moment = dt.datetime.now(dt.UTC)
    return {
        "event_id": each["id"],
        "test_id": test_id,
        "sequence": each["sequence"],
        "code": each["code"],
        "note": None,
        "device_at": dt.datetime.fromisoformat(each["at"]).astimezone(dt.UTC),
        "received_at": moment,
        "entered": "tap",
        "undone_at": None,
    }


# --------------------------------------------------------------------------------------
# The testers: signed in, sending taps and replays over HTTP
# --------------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


class Device:
    """A tester's phone: its cookies and CSRF token; a new connection per request unless
    keep-alive (a second Device shares the cookies, as a second tab would)."""

    def __init__(self, port: int, keepalive: bool, timeout: float) -> None:
        self.port, self.keepalive, self.timeout = port, keepalive, timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.headers: dict[str, str] = {}  # more, or other, headers on every request

    def twin(self) -> Device:
        other = Device(self.port, self.keepalive, self.timeout)
        other.cookies, other.csrf = self.cookies, self.csrf
        return other

    def request(
        self, method: str, path: str, body: bytes | None = None, kind: str = ""
    ) -> tuple[int, bytes, str]:
        headers = {
            "User-Agent": submit.USER_AGENT,
            "Accept-Language": submit.ACCEPT_LANGUAGE,
            **self.headers,
        }
        if not self.keepalive:
            headers["Connection"] = "close"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if kind:
            headers["Content-Type"] = kind
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        finally:
            if not self.keepalive:
                self.connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, data, response.headers.get("Location", "")

    def sign_in(self, username: str) -> None:
        """The sign-in form, then a page of the signed-in session for its CSRF token."""
        token = self._token()
        form = urlencode({"csrf_token": token, "username": username, "password": PASSWORD})
        status, data, _ = self.request(
            "POST", LOGIN_PATH, form.encode(), "application/x-www-form-urlencoded"
        )
        if status != 303:
            raise BenchError(f"{username} could not sign in ({status}): {data[:300]!r}")
        self.csrf = self._token()  # renewed at sign-in

    def _token(self) -> str:
        self.csrf = ""
        status, data, _ = self.request("GET", LOGIN_PATH)
        found = CSRF_INPUT.search(data.decode("utf-8", "replace"))
        if status != 200 or found is None:
            raise BenchError(f"{LOGIN_PATH} answered {status} without a CSRF token")
        return found.group(1)

    def send(self, path: str, events: list[dict[str, Any]], phase: Phase, lock: Any) -> None:
        """POST events; note the latency, what was acknowledged, refused or failed."""
        body = json.dumps({"events": events}).encode()
        started = time.perf_counter()
        try:
            status, data, _ = self.request("POST", path, body, "application/json")
        except (OSError, http.client.HTTPException) as error:
            with lock:
                phase.requests += 1
                phase.failures.append(f"{type(error).__name__}: {error}")
            return
        latency = time.perf_counter() - started
        answer = _json(data) if status == 200 else None
        with lock:
            phase.requests += 1
            phase.latencies.append(latency)
            if answer is None:
                phase.failures.append(f"{status}: {data[:200]!r}")
                return
            phase.acknowledged.update(answer.get("stored", []), answer.get("already", []))
            phase.refused += [f"{r.get('id')}: {r.get('reason')}" for r in answer["refused"]]
            if not _timeline_holds(answer.get("timeline"), events):
                phase.failures.append(f"{path}: the answer's timeline lacks events sent")


def _json(data: bytes) -> dict[str, Any] | None:
    try:
        found = json.loads(data)
    except ValueError:
        return None
    return found if isinstance(found, dict) and isinstance(found.get("refused"), list) else None


def _timeline_holds(shown: Any, sent: list[dict[str, Any]]) -> bool:
    """Whether the timeline the answer shows the tester holds what this request sent,
    in the order sent: what the page draws after a tap."""
    if not isinstance(shown, list):
        return False
    shown_ids = [each.get("id") for each in shown if isinstance(each, dict)]
    wanted = {each["id"] for each in sent}
    return [i for i in shown_ids if i in wanted] == [each["id"] for each in sent]


def sign_in_all(port: int, testers: list[Tester], keepalive: bool, timeout: float) -> list[Device]:
    """Every tester signed in on their own device, a few at a time (argon2 is slow)."""

    def one(tester: Tester) -> Device:
        device = Device(port, keepalive, timeout)
        device.sign_in(tester.username)
        return device

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, testers))


REPLAY_AFTER, REPLAY_DURING = "after", "during"


@dataclass(frozen=True)
class Load:
    """How a tester's device sends: events per request, and seconds between requests."""

    batch: int = 1
    pace: float = 0.0


def replay_of(number: int) -> str | None:
    """Half the testers replay their queue: every other one of those while still tapping."""
    if number % 2:
        return None
    return REPLAY_DURING if number % 4 == 0 else REPLAY_AFTER


def app_phase(
    server: submit.Server,
    devices: list[Device],
    timelines: list[Timeline],
    path: str,
    load: Load,
) -> Phase:
    """Every tester sends their timeline at once; half replay it (see the module docstring).
    `path` is the endpoint with `{test}` for the test's id."""
    phase = Phase(0.0)
    lock = threading.Lock()
    ready = threading.Barrier(len(devices) + 1)
    replays: list[threading.Thread] = []

    def tester(number: int, device: Device, line: Timeline) -> None:
        where = path.format(test=line.test_id)
        sends = [line.events[i : i + load.batch] for i in range(0, len(line.events), load.batch)]
        replay = replay_of(number)
        ready.wait()
        if load.pace:  # testers tap at their own moments, not in step
            time.sleep(load.pace * number / len(devices))
        for place, chunk in enumerate(sends):
            if replay == REPLAY_DURING and place == len(sends) // 2:
                twin = device.twin()
                thread = threading.Thread(
                    target=twin.send, args=(where, line.events, phase, lock), daemon=True
                )
                with lock:
                    replays.append(thread)
                thread.start()
            if place and load.pace:
                time.sleep(load.pace)
            device.send(where, chunk, phase, lock)
        if replay == REPLAY_AFTER:
            device.send(where, line.events, phase, lock)

    threads = [
        threading.Thread(target=tester, args=(n, d, t), daemon=True)
        for n, (d, t) in enumerate(zip(devices, timelines, strict=True))
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    started, cpu = time.perf_counter(), server.cpu_seconds()
    for thread in threads:
        thread.join()
    for thread in replays:
        thread.join()
    phase.seconds = time.perf_counter() - started
    after = server.cpu_seconds()
    phase.cpu = after - cpu if after is not None and cpu is not None else None
    return phase


# --------------------------------------------------------------------------------------
# The HTTP floor: gunicorn, JSON and the same insert, without the app
# --------------------------------------------------------------------------------------

FLOOR_PATH = "/floor/{test}"
APP_PATH = "/staff/shadow/tests/{test}/events"
_floor: dict[str, Any] = {}


def floor_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """What any logger that takes one request per tap pays before the app's own work:
    gunicorn, the JSON read and written, and the app's insert-unless-stored of the events
    with one commit, under the app's writer turn. No Flask, sign-in, CSRF, test lookup,
    checks or timeline read back: the answer echoes the events sent as the timeline.
    gunicorn loads it as `shadow:floor_app`, the database in FIELDWORK_DATABASE_URL."""
    if environ["REQUEST_METHOD"] != "POST":  # the readiness probe
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]
    if not _floor:  # a worker's first request: the engine is its own
        _floor["engine"] = engine = db.make_engine(os.environ["FIELDWORK_DATABASE_URL"])
        _floor["insert"] = logging_events._INSERT_ONCE[engine.dialect.name].returning(
            logging_events._TABLE.c.event_id
        )
    test_id = int(environ["PATH_INFO"].rsplit("/", 1)[1])
    length = int(environ.get("CONTENT_LENGTH") or 0)
    sent = json.loads(environ["wsgi.input"].read(length))["events"]
    engine, stored = _floor["engine"], set()
    if sent:
        with writers.turn(engine), engine.begin() as connection:
            rows = [_row(test_id, each) for each in sent]
            stored = set(connection.execute(_floor["insert"], rows).scalars())
    ids = [each["id"] for each in sent]
    body = json.dumps(
        {
            "stored": [i for i in ids if i in stored],
            "already": [i for i in ids if i not in stored],
            "refused": [],
            "timeline": [{"id": i} for i in ids],
        }
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


# --------------------------------------------------------------------------------------
# Counting in the database afterwards
# --------------------------------------------------------------------------------------


@dataclass
class Count:
    sent: int = 0  # distinct events the testers logged
    acknowledged: int = 0  # answered as stored or already stored
    stored: int = 0  # rows of the tests
    lost: int = 0  # acknowledged, not stored
    unacknowledged: int = 0  # sent, never acknowledged (refused, or its request failed)
    duplicated: int = 0  # rows beyond the first for an event, or rows nobody sent
    out_of_order: int = 0  # tests whose stored timeline is not the one sent, in order
    undone: int = 0  # rows marked undone (nobody undid anything)

    def add(self, other: Count) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def count(url: str, timelines: list[Timeline], acknowledged: set[str]) -> Count:
    """Every event of the timelines looked up in `shadow_event`, in the order the app
    reads a timeline back (`events.recorded`: device time, then sequence)."""
    table = ShadowEvent.__table__  # type: ignore[attr-defined]
    engine = create_engine(url)
    stored: dict[int, list[Any]] = {line.test_id: [] for line in timelines}
    try:
        with engine.connect() as connection:
            query = sa.select(
                table.c.test_id,
                table.c.event_id,
                table.c.sequence,
                table.c.device_at,
                table.c.undone_at,
            ).where(table.c.test_id.in_(list(stored)))
            for row in connection.execute(query):
                stored[row.test_id].append(row)
    finally:
        engine.dispose()
    total = Count()
    for line in timelines:
        rows = sorted(stored[line.test_id], key=lambda r: (as_utc(r.device_at), r.sequence))
        ids = [row.event_id for row in rows]
        sent = set(line.ids)
        total.sent += len(sent)
        total.acknowledged += len(sent & acknowledged)
        total.stored += len(rows)
        total.lost += len((sent & acknowledged) - set(ids))
        total.unacknowledged += len(sent - acknowledged)
        total.duplicated += len(ids) - len(set(ids) & sent)
        total.out_of_order += ids != line.ids
        total.undone += sum(1 for row in rows if row.undone_at is not None)
    return total


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


SIDES = ("baseline", "floor", "app", "live")


@dataclass
class Result:
    """Every round's phases by side, and each side's events counted in the database."""

    events: int  # per round and side
    phases: dict[str, list[Phase]] = field(default_factory=lambda: {s: [] for s in SIDES})
    counts: dict[str, Count] = field(default_factory=lambda: {s: Count() for s in SIDES})

    def rate(self, side: str) -> float:
        """Events per second of the side's phase, the median of rounds (nan if not run)."""
        phases = self.phases[side]
        return submit.median([self.events / p.seconds for p in phases]) if phases else math.nan

    def cpu_ms(self, side: str) -> float:
        """CPU per event, in ms: the server's workers (the app, the floor) or the process
        inserting (the baseline); hardly moved by other work on the machine."""
        cpu = [p.cpu for p in self.phases[side] if p.cpu is not None]
        return submit.median(cpu) * 1000 / self.events if cpu else math.nan


def report(args: argparse.Namespace, backend: str, load: str, result: Result) -> tuple[bool, bool]:
    """Print the figures and a PASS/FAIL line per target; returns (correct, fast)."""
    phases, counts = result.phases, result.counts
    ratio = result.rate("app") / result.rate("baseline")
    latencies = {s: sorted(x for p in phases[s] for x in p.latencies) for s in SIDES}
    # The rate is the burst's: every queue at once is the most the logger is ever asked.
    # The p99 is the live taps': what a tester waits for after a tap while 49 others tap
    # too (the burst's is printed beside it, and says how long a queue waits in a crowd).
    timed = "live" if phases["live"] else "app"
    p99 = submit.percentile(latencies[timed], 99)
    refused = [x for side in ("app", "live") for p in phases[side] for x in p.refused]
    failures = [f"{s}: {x}" for s in SIDES for p in phases[s] for x in p.failures]
    replaying = sum(1 for n in range(args.testers) if replay_of(n))
    server = submit.ServerConfig(args.workers, args.threads, args.keepalive, 0.0)
    print()
    burst = args.batch or args.events
    print(
        f"shadow logger benchmark: {args.testers} testers x {args.events} events; app: all at "
        f"once, {burst} event(s) per request; live: one request per tap, "
        f"{args.live_pace:g} s apart; {replaying} testers of each replay their queue as one "
        f"batch, half of them while still sending; {args.rounds} round(s); "
        f"{server.describe()}, {'keep-alive' if args.keepalive else 'a connection per request'}"
        f"; {backend}"
    )
    print(f"load average at start (other work on this machine skews every side): {load}")
    print()

    def each(figure: Any) -> list[str]:
        return [figure(side) if phases[side] else "-" for side in SIDES]

    def latency(side: str) -> str:
        return " / ".join(f"{submit.percentile(latencies[side], p):.0f}" for p in (50, 95, 99))

    def counted(name: str) -> Any:
        return lambda side: str(getattr(counts[side], name))

    rows = [
        ("events per round", *each(lambda side: str(result.events))),
        ("events/s (median of rounds)", *each(lambda side: f"{result.rate(side):.0f}")),
        (
            "ratio to the baseline, rate",
            *each(lambda s: f"{result.rate(s) / result.rate('baseline'):.2f}"),
        ),
        ("CPU per event, ms", *each(lambda side: f"{result.cpu_ms(side):.2f}")),
        (
            "ratio to the baseline, 1/CPU",
            *each(lambda s: f"{result.cpu_ms('baseline') / result.cpu_ms(s):.2f}"),
        ),
        (
            "phase seconds by round",
            *each(lambda s: " ".join(f"{p.seconds:.2f}" for p in phases[s])),
        ),
        (
            "requests (taps + replays)",
            *each(lambda s: str(sum(p.requests for p in phases[s])) if s != "baseline" else ""),
        ),
        ("latency p50/p95/p99, ms", *each(lambda s: latency(s) if s != "baseline" else "")),
        ("events sent", *each(counted("sent"))),
        ("acknowledged", *each(counted("acknowledged"))),
        ("stored", *each(counted("stored"))),
        ("lost", *each(counted("lost"))),
        ("duplicated", *each(counted("duplicated"))),
        ("never acknowledged", *each(counted("unacknowledged"))),
        ("timelines out of order", *each(counted("out_of_order"))),
        ("refused events", *each(lambda s: str(sum(len(p.refused) for p in phases[s])))),
        ("failed requests", *each(lambda s: str(sum(len(p.failures) for p in phases[s])))),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"{'':{width}}  {'baseline':>14}  {'HTTP floor':>14}  {'app: burst':>14}  {'app: live':>14}"
    )
    for name, *values in rows:
        print(f"{name:{width}}  " + "  ".join(f"{v:>14}" for v in values))
    app = Count()
    for side in ("app", "live"):
        app.add(counts[side])
    speed = [
        (f"rate ratio >= {TARGET_RATIO} (burst)", f"{ratio:.2f}", ratio >= TARGET_RATIO),
        (f"p99 latency <= {TARGET_P99_MS:g} ms ({timed})", f"{p99:.1f}", p99 <= TARGET_P99_MS),
    ]
    correctness = [
        ("zero lost", str(app.lost), app.lost == 0),
        ("zero duplicated", str(app.duplicated), app.duplicated == 0),
        (
            "every event acknowledged and stored",
            f"{app.acknowledged}/{app.stored}/{app.sent}",
            app.acknowledged == app.stored == app.sent,
        ),
        ("every timeline in the order sent", str(app.out_of_order), not app.out_of_order),
        ("nothing undone", str(app.undone), not app.undone),
        ("zero refused events", str(len(refused)), not refused),
        ("zero failed requests", str(len(failures)), not failures),
        (
            "the baseline stored every row",
            f"{counts['baseline'].stored}/{counts['baseline'].sent}",
            counts["baseline"].stored == counts["baseline"].sent,
        ),
    ]
    print()
    for name, value, ok in speed + correctness:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<38} {value}")
    for title, found in (("refused", refused), ("failures", failures)):
        if found:
            print(f"\nfirst {title}:")
            for line in list(dict.fromkeys(found))[:5]:
                print(f"  {line}")
    return all(ok for *_, ok in correctness), all(ok for *_, ok in speed)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    positive = submit._positive(int)
    parser = argparse.ArgumentParser(
        description="The shadow-test event logger: concurrent testers over HTTP, some "
        "replaying their queue, against bare inserts of the same events."
    )
    parser.add_argument("--testers", type=positive, default=50, help="concurrent testers (50)")
    parser.add_argument(
        "--events", type=positive, default=20, help="events in each tester's timeline (20)"
    )
    parser.add_argument(
        "--rounds",
        type=positive,
        default=1,
        help="baseline then app this many times, on fresh tests; rates are the median (1)",
    )
    parser.add_argument(
        "--batch",
        type=positive,
        default=None,
        help="events per request in the burst (default: the whole timeline, as a phone's "
        "queue sends it; 1: one request per tap, back to back)",
    )
    parser.add_argument(
        "--live-pace",
        type=float,
        default=1.0,
        help="seconds between a tester's taps in the live load, one request each (default "
        "1; 0 skips the live load)",
    )
    parser.add_argument("--workers", type=positive, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=positive, default=1, help="threads per worker (1)")
    parser.add_argument(
        "--keepalive",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="reuse each device's connection (default: one per request, as from a proxy)",
    )
    parser.add_argument(
        "--timeout", type=positive, default=60, help="seconds before a request fails (60)"
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL database instead of a temporary SQLite file; it is DROPPED and "
        "recreated, and its name must contain 'bench'",
    )
    parser.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also drive the HTTP floor (gunicorn, JSON and the same insert, no app) with "
        "the same load (default: yes)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--no-fail", action="store_true", help="exit 0 on speed misses (correctness still fails)"
    )
    args = parser.parse_args(argv)
    if args.live_pace < 0:
        parser.error("--live-pace must be >= 0")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql URL (SQLite is the default)")
    return args


def run(args: argparse.Namespace, url: str, folder: Path) -> Result:
    started = time.perf_counter()
    setting = prepare(url, args.testers)
    print(
        f"{len(setting.testers)} testers created ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    config = submit.ServerConfig(args.workers, args.threads, args.keepalive, startup_timeout=60.0)
    environment = {
        "FIELDWORK_DATABASE_URL": url,
        "FIELDWORK_SECRET_KEY": "bench-secret-key",
        "FIELDWORK_IP_HASH_KEY": "bench-ip-hash-key",
    }
    result = Result(events=args.testers * args.events)
    load = Load(args.batch or args.events, 0.0)
    live = Load(1, args.live_pace)
    rounds: list[tuple[Round, dict[str, set[str]]]] = []
    with contextlib.ExitStack() as servers:
        app = servers.enter_context(submit.gunicorn("app", "app:app", environment, config, folder))
        floor = None
        if args.floor:
            floor = servers.enter_context(
                submit.gunicorn(
                    "floor", "shadow:floor_app", environment, config, folder, REPO / "bench"
                )
            )
        started = time.perf_counter()
        devices = sign_in_all(app.port, setting.testers, args.keepalive, args.timeout)
        print(f"signed in ({time.perf_counter() - started:.1f} s)", flush=True)
        for number in range(1, args.rounds + 1):
            planned = plan_round(url, setting, args.events)
            acknowledged = {"baseline": {e for line in planned.baseline for e in line.ids}}
            result.phases["baseline"].append(baseline(url, planned.baseline))
            if floor is not None:
                anonymous = [Device(floor.port, args.keepalive, args.timeout) for _ in devices]
                phase = app_phase(floor, anonymous, planned.floor, FLOOR_PATH, load)
                result.phases["floor"].append(phase)
                acknowledged["floor"] = phase.acknowledged
            phase = app_phase(app, devices, planned.app, APP_PATH, load)
            result.phases["app"].append(phase)
            acknowledged["app"] = phase.acknowledged
            if args.live_pace:
                phase = app_phase(app, devices, planned.live, APP_PATH, live)
                result.phases["live"].append(phase)
                acknowledged["live"] = phase.acknowledged
            rounds.append((planned, acknowledged))
            rates = ", ".join(
                f"{side} {result.events / result.phases[side][-1].seconds:.0f}"
                for side in SIDES
                if result.phases[side]
            )
            print(f"round {number}: events/s {rates}", flush=True)
    # The servers stopped gracefully: every request they took has finished.
    for planned, acknowledged in rounds:
        for side, seen in acknowledged.items():
            result.counts[side].add(count(url, getattr(planned, side), seen))
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = submit.load_average()
    return submit.guarded("shadow", args.keep, lambda folder: _bench(args, load, folder))


def _bench(args: argparse.Namespace, load: str, folder: Path) -> int:
    with contextlib.ExitStack() as stack:
        if args.database_url:
            url = stack.enter_context(postgres_database(args.database_url, args.keep))
            backend = "PostgreSQL"
        else:
            url = stack.enter_context(sqlite_database(folder))
            backend = "SQLite (WAL)"
        result = run(args, url, folder)
        correct, fast = report(args, backend, load, result)
    if not correct:
        return 1
    return 0 if fast or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
