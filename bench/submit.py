"""Submission throughput and exactly-once storage, against a minimal WSGI baseline.

What it measures: how many complete questionnaires per second the real app
(gunicorn + Flask + SQLModel) stores when N respondents submit at once, the
latency of each submit POST, and whether every acknowledged submission is
stored exactly once. The submit POST is the request that must never fail or
double-count, and the one whose cost (parse, validate, segment, insert) grows
with the questionnaire, so it is the one benchmarked.

Why a baseline: the machine is small and shared, so absolute figures drift from
run to run. In the same run the same clients drive a minimal WSGI app (defined
below, no Flask) served by gunicorn with the same worker settings, which takes
the same urlencoded payload, parses it with urllib.parse.parse_qs and inserts
it as JSON with a unique submission_id into the same kind of database (SQLite
in WAL mode with the app's pragmas, or the same PostgreSQL database). The
ratio app/baseline says how much of the floor cost of "HTTP + parse + one
insert" the app adds, and is what the target is set on.

Run from the repository root:

    python bench/submit.py                       # 8 clients, 2 s warm-up, 10 s measured
    python bench/submit.py --clients 16 --seconds 20 --rounds 3
    python bench/submit.py --requests 2000       # a fixed count instead of a duration
    python bench/submit.py --floor               # also the framework floor and the app's work
                                                 # without it (bench/floor.py, bench/work.py)
    python bench/submit.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/fieldwork_bench

Targets (exit 1 if missed, unless --no-fail, which only spares the speed
targets): app/baseline rate >= 0.5, app p99 <= 50 ms, no lost, duplicated or
failed submission. Correctness misses always exit 1.

This module is also the baseline's WSGI module (gunicorn imports it as
`submit:baseline_app`), so its top level imports only the standard library;
SQLAlchemy, psycopg and fieldwork are imported where they are used.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType
from typing import Any, Protocol
from urllib.parse import parse_qs, quote_plus, urlencode

REPO = Path(__file__).resolve().parent.parent
QID = "after_sales_consumer"
START_PATH = f"/s/{QID}/"
SUBMIT_PATH = f"/s/{QID}/submit"
DONE_PREFIX = f"/s/{QID}/done/"

TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0

# One complete, valid set of answers to the shipped questionnaire, as the browser
# sends it (the same answers as COMPLETE in tests/conftest.py).
ANSWERS: list[tuple[str, str]] = [
    ("S1", "age_35_44"),
    ("S2", "no"),
    ("S3", "taobao_tmall"),
    ("S3", "jd"),
    ("S4", "clothing"),
    ("S5", "in_app_chat"),
    ("S6", "jd"),
    ("Q1-day", "3"),
    ("Q1-month", "9"),
    ("Q1-year", "2026"),
    ("Q2", "bot_then_human"),
    ("Q3-hours", "1"),
    ("Q3-minutes", "15"),
    ("Q4", "yes_after_several"),
    ("Q5", "3"),
    ("Q6", "sent_to_seller"),
    ("Q7", "4"),
    ("Q8", "3"),
    ("Q9", "_dont_know"),
    ("Q10", "5"),
    ("Q11", "4"),
    ("Q12", "2"),
    ("Q13", "3"),
    ("Q14", "4"),
    ("Q15", "7"),
    ("O1", "退货更快一点"),
    ("O2", "客服一直让我找商家。\n最后解决了。"),
]
ENCODED_ANSWERS = urlencode(ANSWERS)

# A real browser's headers: the app parses the user agent into paradata.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.8"

CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE_ATTRIBUTE = re.compile(r"\bvalue=\"([^\"]*)\"")

DUPLICATE_IDS = 5  # submission ids each posted by every client at the same moment
APP_TABLE = "response"
BASELINE_TABLE = "bench_baseline_response"


class BenchError(Exception):
    """The benchmark could not run (setup, server start, a refused smoke submission)."""


# --------------------------------------------------------------------------------------
# The baseline: a minimal WSGI app, loaded by gunicorn as `submit:baseline_app`.
# --------------------------------------------------------------------------------------

BASELINE_DSN_ENV = "FIELDWORK_BENCH_BASELINE_DSN"  # sqlite:///path or postgresql://...
BASELINE_PAGE = (
    b'<!doctype html><form method="post" action="submit">'
    b'<input type="hidden" name="csrf_token" value="baseline"></form>'
)
_baseline_local = threading.local()


class _DBConnection(Protocol):
    def execute(self, query: Any, params: Any = ..., /) -> Any: ...
    def commit(self) -> None: ...


def _baseline_connection() -> tuple[_DBConnection, str]:
    """This thread's connection and its insert statement, opened on first use."""
    found: tuple[_DBConnection, str] | None = getattr(_baseline_local, "connection", None)
    if found is not None:
        return found
    dsn = os.environ[BASELINE_DSN_ENV]
    if dsn.startswith("sqlite:///"):
        lite = sqlite3.connect(dsn.removeprefix("sqlite:///"), timeout=30, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL"):
            lite.execute(f"PRAGMA {pragma}")
        found = (lite, "?")
    else:
        import psycopg

        found = (psycopg.connect(dsn), "%s")
    _baseline_local.connection = found
    return found


def baseline_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET: a page with a CSRF-like hidden input. POST: parse, insert once as JSON, 303."""
    if environ["REQUEST_METHOD"] == "GET":
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(BASELINE_PAGE))),
                ("Set-Cookie", "session=baseline; HttpOnly; Path=/; SameSite=Lax"),
            ],
        )
        return [BASELINE_PAGE]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(length).decode("utf-8"), keep_blank_values=True)
    try:
        submission_id = str(uuid.UUID(form.pop("submission_id", [""])[0]))
    except ValueError:
        start_response("400 Bad Request", [("Content-Length", "0")])
        return [b""]
    form.pop("csrf_token", None)
    connection, mark = _baseline_connection()
    connection.execute(
        f"INSERT INTO {BASELINE_TABLE} (submission_id, answers, submitted_at) "  # noqa: S608
        f"VALUES ({mark}, {mark}, {mark}) ON CONFLICT (submission_id) DO NOTHING",
        (submission_id, json.dumps(form, ensure_ascii=False), time.strftime("%Y-%m-%dT%H:%M:%SZ")),
    )
    connection.commit()
    start_response(
        "303 See Other",
        [
            ("Location", DONE_PREFIX + submission_id),
            ("Content-Length", "0"),
        ],
    )
    return [b""]


# --------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Databases:
    app_url: str  # SQLAlchemy URL the app uses
    baseline_url: str  # SQLAlchemy URL of the baseline's database (for counting)
    baseline_dsn: str  # what the baseline app connects with
    floor_url: str | None = None  # the framework floor's own copy of the app's tables
    work_url: str | None = None  # and the app's work without the framework's


def prepare_app_database(url: str) -> None:
    """Migrate and load the shipped questionnaires, as `flask fieldwork migrate/load` do."""
    from sqlmodel import Session

    from fieldwork import db
    from fieldwork.definitions import service as definitions
    from fieldwork.questionnaire.loader import load_directory

    db.upgrade(url)
    catalog = load_directory(REPO / "questionnaires")
    if catalog.problems:
        problems = "\n".join(map(str, catalog.problems))
        raise BenchError(f"the questionnaires have problems:\n{problems}")
    if QID not in catalog.questionnaires:
        raise BenchError(f"questionnaires/ has no {QID}")
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            definitions.store(session, catalog.questionnaires.values())
    finally:
        engine.dispose()


def prepare_baseline_table(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(_baseline_ddl(url)))
    finally:
        engine.dispose()


def _baseline_ddl(url: str) -> str:
    key = (
        "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        if url.startswith("postgresql")
        else "id INTEGER PRIMARY KEY"
    )
    return (
        f"CREATE TABLE {BASELINE_TABLE} ({key}, submission_id VARCHAR(36) NOT NULL UNIQUE, "
        "answers TEXT NOT NULL, submitted_at VARCHAR(32) NOT NULL)"
    )


@contextlib.contextmanager
def sqlite_databases(directory: Path, floor: bool) -> Iterator[Databases]:
    app_url = f"sqlite:///{directory / 'fieldwork.db'}"
    baseline_url = f"sqlite:///{directory / 'baseline.db'}"
    floor_url = f"sqlite:///{directory / 'floor.db'}" if floor else None
    work_url = f"sqlite:///{directory / 'work.db'}" if floor else None
    for url in (app_url, floor_url, work_url):
        if url:
            prepare_app_database(url)
    prepare_baseline_table(baseline_url)
    yield Databases(app_url, baseline_url, baseline_url, floor_url, work_url)


@contextlib.contextmanager
def postgres_database(url: str, keep: bool) -> Iterator[Databases]:
    """A dedicated database, created empty and dropped afterwards; never a shared one."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database or ""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name:
        raise BenchError(
            f"refusing to use database {name!r}: the benchmark drops and recreates it, so its "
            "name must contain 'bench' (e.g. fieldwork_bench)"
        )
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        drop()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        rendered = parsed.render_as_string(hide_password=False)
        prepare_app_database(rendered)
        prepare_baseline_table(rendered)
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        yield Databases(rendered, rendered, dsn)
    finally:
        try:
            if not keep:
                drop()
        finally:
            admin.dispose()


def stored_ids(url: str, table: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(f"SELECT submission_id FROM {table}"))  # noqa: S608
            return [row[0] for row in rows]
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int
    keepalive: bool
    startup_timeout: float

    def describe(self) -> str:
        return f"gunicorn -w {self.workers} -k gthread --threads {self.threads}"


@dataclass
class Server:
    label: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def workers(self) -> list[int]:
        """The process ids of the master's workers now (Linux /proc); raises OSError."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the workers (Linux /proc); None if unknown."""
        try:
            total = 0
            for pid in self.workers():
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            return total / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None


@contextlib.contextmanager
def gunicorn(
    label: str,
    wsgi: str,
    env: dict[str, str],
    config: ServerConfig,
    logs: Path,
    pythonpath: Path | None = None,
) -> Iterator[Server]:
    """Serve `wsgi` on a free loopback port until the block ends; always stopped after."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    log = logs / f"{label}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"fd://{listener.fileno()}",  # our socket: no race for the port
        "--workers",
        str(config.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(config.threads),
        "--keep-alive",
        "30",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--no-control-socket",  # the default control socket is one per user, shared
        "--log-level",
        "warning",  # to stderr, i.e. the log file below
    ]
    if pythonpath is not None:
        command += ["--pythonpath", str(pythonpath)]
    command.append(wsgi)
    child_env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"} | env
    try:
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=child_env,
                pass_fds=(listener.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: Ctrl-C here reaches only us
            )
    finally:
        listener.close()  # the server holds its own copy
    server = Server(label, port, process, log)
    try:
        _wait_ready(server, config.startup_timeout)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise BenchError(f"{server.label} server exited at start:\n{server.log_tail()}")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            connection.request("GET", START_PATH)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
            raise BenchError(
                f"{server.label} server answered {response.status} on {START_PATH}:\n"
                f"{server.log_tail()}"
            )
        except (OSError, http.client.HTTPException):
            pass  # not listening yet
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise BenchError(
                f"{server.label} server not ready after {timeout:.0f} s:\n{server.log_tail()}"
            )
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Graceful stop (in-flight requests finish), then kill its process group if need be."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------


class Respondent:
    """One browser: its own connection and cookies; GETs the start page once, then submits."""

    def __init__(self, port: int, keepalive: bool, timeout: float) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.keepalive = keepalive
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, bytes]:
        headers = {"User-Agent": USER_AGENT, "Accept-Language": ACCEPT_LANGUAGE}
        if not self.keepalive:
            headers["Connection"] = "close"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body.encode() if body else None, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, response.headers.get("Location", ""), data

    def open(self) -> None:
        status, _location, data = self._request("GET", START_PATH)
        page = data.decode("utf-8", "replace")
        tag = CSRF_INPUT.search(page)
        value = VALUE_ATTRIBUTE.search(tag.group(0)) if tag else None
        if status != 200 or value is None:
            raise BenchError(f"start page answered {status} without a CSRF token:\n{page[:500]}")
        self.csrf = value.group(1)

    def submit(self, submission_id: str) -> str | None:
        """POST one complete questionnaire; None if stored (303 to its done page), else why not."""
        body = f"csrf_token={quote_plus(self.csrf)}&submission_id={submission_id}&{ENCODED_ANSWERS}"
        try:
            status, location, data = self._request("POST", SUBMIT_PATH, body)
        except (OSError, http.client.HTTPException) as error:
            return f"{type(error).__name__}: {error}"
        if status == 303 and location.endswith(DONE_PREFIX + submission_id):
            return None
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", data.decode("utf-8", "replace")))
        return f"{status} {location or ''} {text.strip()[:300]}".strip()

    def close(self) -> None:
        self.connection.close()


@dataclass
class ClientLog:
    latencies: list[float] = field(default_factory=list)  # measured POSTs, seconds
    last_end: float = 0.0
    acknowledged: list[str] = field(default_factory=list)  # every 303'd submission id
    posts: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    label: str
    latencies: list[float]
    window: float
    posts: int
    acknowledged: set[str]
    errors: list[str]
    client_cpu: float  # CPU seconds the load generator used per wall second
    server_cpu_ms: float | None  # worker CPU per measured response

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.window if self.window > 0 else 0.0


class Budget:
    """A shared count of measured requests still to send (--requests)."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            self._left -= 1
            return self._left >= 0


def run_load(
    server: Server,
    clients: int,
    config: ServerConfig,
    warmup: float,
    seconds: float,
    requests: int | None,
    timeout: float,
) -> LoadResult:
    """Closed loop: each client submits, waits for the answer, submits again."""
    respondents = [Respondent(server.port, config.keepalive, timeout) for _ in range(clients)]
    for respondent in respondents:
        respondent.open()
    smoke = str(uuid.uuid4())
    refused = respondents[0].submit(smoke)
    if refused is not None:
        raise BenchError(
            f"{server.label} refused a complete submission: {refused}\n{server.log_tail()}"
        )
    logs = [ClientLog() for _ in respondents]
    logs[0].acknowledged.append(smoke)
    budget = Budget(requests) if requests is not None else None
    ready = threading.Barrier(clients + 1)
    clock: dict[str, float] = {}

    def loop(respondent: Respondent, log: ClientLog) -> None:
        ready.wait()
        measure_from, stop_at = clock["measure_from"], clock["stop_at"]
        while True:
            started = time.perf_counter()
            measured = started >= measure_from
            if measured and (started >= stop_at if budget is None else not budget.take()):
                return
            submission_id = str(uuid.uuid4())
            error = respondent.submit(submission_id)
            ended = time.perf_counter()
            log.posts += 1
            if error is None:
                log.acknowledged.append(submission_id)
            else:
                log.errors.append(error)
            if measured:
                log.last_end = ended
                if error is None:
                    log.latencies.append(ended - started)

    threads = [
        threading.Thread(target=loop, args=(r, log), daemon=True)
        for r, log in zip(respondents, logs, strict=True)
    ]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    clock["measure_from"] = now + warmup
    clock["stop_at"] = now + warmup + (seconds if budget is None else math.inf)
    ready.wait()
    time.sleep(warmup)
    cpu_before, server_before = time.process_time(), server.cpu_seconds()
    for thread in threads:
        thread.join()
    cpu_after, server_after = time.process_time(), server.cpu_seconds()
    for respondent in respondents:
        respondent.close()
    window = max((log.last_end for log in logs), default=0.0) - clock["measure_from"]
    latencies = sorted(x for log in logs for x in log.latencies)
    server_cpu_ms = (
        (server_after - server_before) * 1000 / len(latencies)
        if server_before is not None and server_after is not None and latencies
        else None
    )
    return LoadResult(
        label=server.label,
        latencies=latencies,
        window=window,
        posts=sum(log.posts for log in logs) + 1,
        acknowledged={x for log in logs for x in log.acknowledged},
        errors=[e for log in logs for e in log.errors],
        client_cpu=(cpu_after - cpu_before) / window if window > 0 else 0.0,
        server_cpu_ms=server_cpu_ms,
    )


@dataclass
class DuplicateResult:
    ids: list[str]
    posts: int
    acknowledged: set[str]
    errors: list[str]


def post_duplicates(
    server: Server, clients: int, config: ServerConfig, timeout: float
) -> DuplicateResult:
    """Every client posts the same submission id at the same moment, a few times over."""
    respondents = [Respondent(server.port, config.keepalive, timeout) for _ in range(clients)]
    for respondent in respondents:
        respondent.open()
    ids = [str(uuid.uuid4()) for _ in range(DUPLICATE_IDS)]
    result = DuplicateResult(ids, 0, set(), [])
    lock = threading.Lock()
    for submission_id in ids:
        together = threading.Barrier(clients)

        def post(
            respondent: Respondent,
            submission_id: str = submission_id,
            together: threading.Barrier = together,
        ) -> None:
            together.wait()
            error = respondent.submit(submission_id)
            with lock:
                result.posts += 1
                if error is None:
                    result.acknowledged.add(submission_id)
                else:
                    result.errors.append(error)

        threads = [threading.Thread(target=post, args=(r,), daemon=True) for r in respondents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for respondent in respondents:
        respondent.close()
    return result


# --------------------------------------------------------------------------------------
# Verification and report
# --------------------------------------------------------------------------------------


@dataclass
class Storage:
    stored: int  # rows in the table
    acknowledged: int  # distinct submission ids answered with a 303
    lost: int  # acknowledged but not stored
    duplicated: int  # rows beyond the first for a submission id
    unacknowledged: int  # stored although the client saw an error (not a loss)
    duplicate_rows: int  # rows for the ids posted concurrently by every client


def verify(url: str, table: str, acknowledged: set[str], duplicate_ids: list[str]) -> Storage:
    rows = stored_ids(url, table)
    distinct = set(rows)
    posted_together = set(duplicate_ids)
    return Storage(
        stored=len(rows),
        acknowledged=len(acknowledged),
        lost=len(acknowledged - distinct),
        duplicated=len(rows) - len(distinct),
        unacknowledged=len(distinct - acknowledged),
        duplicate_rows=sum(1 for row in rows if row in posted_together),
    )


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values, in milliseconds."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class Summary:
    rate: float
    p50: float
    p99: float
    measured: int
    posts: int
    errors: list[str]
    client_cpu: float
    server_cpu_ms: float | None


def summarise(rounds: list[LoadResult], duplicates: DuplicateResult) -> Summary:
    latencies = sorted(x for r in rounds for x in r.latencies)
    server_cpu = [r.server_cpu_ms for r in rounds if r.server_cpu_ms is not None]
    return Summary(
        rate=median([r.rate for r in rounds]),
        p50=percentile(latencies, 50),
        p99=percentile(latencies, 99),
        measured=len(latencies),
        posts=sum(r.posts for r in rounds) + duplicates.posts,
        errors=[e for r in rounds for e in r.errors] + duplicates.errors,
        client_cpu=max(r.client_cpu for r in rounds),
        server_cpu_ms=median(server_cpu) if server_cpu else None,
    )


def report(
    args: argparse.Namespace,
    config: ServerConfig,
    backend: str,
    load: str,
    summaries: dict[str, Summary],
    storage: dict[str, Storage],
) -> tuple[bool, bool]:
    """Print the table; returns (correct, fast)."""
    base, app = summaries["baseline"], summaries["app"]
    ratio = app.rate / base.rate if base.rate else 0.0
    length = f"{args.requests} requests" if args.requests else f"{args.seconds:g} s"
    print()
    print(
        f"submit benchmark: {args.clients} clients, {length} measured after {args.warmup:g} s "
        f"warm-up, {args.rounds} round(s); {config.describe()}, "
        f"{'keep-alive' if config.keepalive else 'a connection per request'}; {backend}"
    )
    print(f"load average at start (other work on this machine skews both sides): {load}")
    print()

    def cpu(value: float | None) -> str:
        return "?" if value is None else f"{value:.2f}"

    rows: list[tuple[str, str, str]] = [
        ("responses/s (median of rounds)", f"{base.rate:.1f}", f"{app.rate:.1f}"),
        ("p50 latency, ms", f"{base.p50:.1f}", f"{app.p50:.1f}"),
        ("p99 latency, ms", f"{base.p99:.1f}", f"{app.p99:.1f}"),
        ("measured responses", str(base.measured), str(app.measured)),
        ("server CPU per response, ms", cpu(base.server_cpu_ms), cpu(app.server_cpu_ms)),
        ("load generator CPU, cores", f"{base.client_cpu:.2f}", f"{app.client_cpu:.2f}"),
        ("POSTs sent (all phases)", str(base.posts), str(app.posts)),
        ("failed POSTs", str(len(base.errors)), str(len(app.errors))),
        (
            "acknowledged submissions",
            str(storage["baseline"].acknowledged),
            str(storage["app"].acknowledged),
        ),
        ("stored rows", str(storage["baseline"].stored), str(storage["app"].stored)),
        ("lost", str(storage["baseline"].lost), str(storage["app"].lost)),
        ("duplicated", str(storage["baseline"].duplicated), str(storage["app"].duplicated)),
        (
            "stored after a failed POST",
            str(storage["baseline"].unacknowledged),
            str(storage["app"].unacknowledged),
        ),
        (
            f"rows for {DUPLICATE_IDS} ids x {args.clients} concurrent posts",
            str(storage["baseline"].duplicate_rows),
            str(storage["app"].duplicate_rows),
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'baseline':>10}  {'app':>10}")
    for name, left, right in rows:
        print(f"{name:{width}}  {left:>10}  {right:>10}")
    print(f"{'ratio app/baseline, rate':{width}}  {'':>10}  {ratio:>10.2f}")
    if base.server_cpu_ms and app.server_cpu_ms:
        # When both sides are CPU-bound this predicts the rate ratio, and other load on the
        # machine hardly moves it: a cross-check for a noisy run.
        cost = base.server_cpu_ms / app.server_cpu_ms
        print(f"{'ratio app/baseline, 1/CPU cost':{width}}  {'':>10}  {cost:>10.2f}")

    app_storage = storage["app"]
    speed = [
        (f"rate ratio >= {TARGET_RATIO}", f"{ratio:.2f}", ratio >= TARGET_RATIO),
        (f"app p99 <= {TARGET_P99_MS:g} ms", f"{app.p99:.1f}", app.p99 <= TARGET_P99_MS),
    ]
    correctness = [
        ("zero lost", str(app_storage.lost), app_storage.lost == 0),
        ("zero duplicated", str(app_storage.duplicated), app_storage.duplicated == 0),
        (
            "concurrent duplicates stored once",
            f"{app_storage.duplicate_rows}/{DUPLICATE_IDS}",
            app_storage.duplicate_rows == DUPLICATE_IDS,
        ),
        (
            "stored == acknowledged",
            f"{app_storage.stored}/{app_storage.acknowledged}",
            app_storage.stored == app_storage.acknowledged,
        ),
        ("zero failed POSTs", str(len(app.errors)), not app.errors),
    ]
    print()
    for name, value, ok in speed + correctness:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<36} {value}")
    for label, summary in summaries.items():
        if summary.errors:
            print(f"\nfirst failures ({label}):")
            for error in list(dict.fromkeys(summary.errors))[:3]:
                print(f"  {error}")
    baseline_storage = storage["baseline"]
    if baseline_storage.lost or baseline_storage.duplicated or base.errors:
        print("\nwarning: the baseline itself failed or lost submissions; the ratio is unreliable")
    return all(ok for *_rest, ok in correctness), all(ok for *_rest, ok in speed)


BOUNDS = {
    "floor": "framework floor (bench/floor.py, no app work)",
    "work": "app work, no framework (bench/work.py)",
}


def report_floor(results: dict[str, list[LoadResult]], base: Summary) -> None:
    print()
    for label, title in BOUNDS.items():
        rounds = results[label]
        rate = median([r.rate for r in rounds])
        cpu = [r.server_cpu_ms for r in rounds if r.server_cpu_ms is not None]
        print(
            f"{title}: {rate:.1f} responses/s, "
            f"server CPU {median(cpu) if cpu else math.nan:.2f} ms per response, "
            f"ratio to the baseline {rate / base.rate if base.rate else 0.0:.2f}"
        )


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def _positive(kind: type[int] | type[float]) -> Callable[[str], Any]:
    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, not {text}")
        return value

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Submit throughput, latency and exactly-once storage of the app "
        "against a minimal WSGI baseline, both under gunicorn."
    )
    parser.add_argument(
        "--clients", type=_positive(int), default=8, help="concurrent respondents (default 8)"
    )
    length = parser.add_mutually_exclusive_group()
    length.add_argument(
        "--seconds",
        type=_positive(float),
        default=10.0,
        help="measured duration per round and server (default 10)",
    )
    length.add_argument(
        "--requests",
        type=_positive(int),
        help="measured POSTs per round and server, instead of --seconds",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds of unmeasured submissions first (default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=_positive(int),
        default=1,
        help="alternate baseline and app this many times; the rate is the "
        "median of rounds (default 1)",
    )
    parser.add_argument(
        "--workers",
        type=_positive(int),
        default=2,
        help="gunicorn worker processes (default 2: one per core)",
    )
    parser.add_argument(
        "--threads",
        type=_positive(int),
        default=1,
        help="threads per worker (default 1, as the README deploys the app: with more, a "
        "thread holding SQLite's write turn waits for the GIL while the other worker's "
        "writers wait for it)",
    )
    parser.add_argument(
        "--keepalive",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="reuse each client's connection (default: a new connection per "
        "request, as from a reverse proxy)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=30.0,
        help="seconds before a request counts as failed (default 30)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="run against this PostgreSQL database instead of a temporary "
        "SQLite file; it is DROPPED and recreated, and its name must "
        "contain 'bench' (e.g. postgresql+psycopg://postgres@127.0.0.1/"
        "fieldwork_bench)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure the framework floor (bench/floor.py: Flask, session, CSRF and one "
        "insert, none of the app's work) and the app's work without the framework "
        "(bench/work.py) against the same baseline; SQLite only",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (databases, server logs) or database",
    )
    parser.add_argument(
        "--no-fail",
        action="store_true",
        help="exit 0 even if a speed target is missed (correctness misses still exit 1)",
    )
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql URL (SQLite is the default)")
    if args.floor and args.database_url:
        parser.error("--floor runs on SQLite only")
    if args.warmup < 0:
        parser.error("--warmup must be >= 0")
    return args


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def guarded(name: str, keep: bool, bench: Callable[[Path], int]) -> int:
    """Run `bench` in a temporary folder of its own, with the exits every benchmark shares:
    2 if it could not run, 130 when stopped (Ctrl-C or kill, even when started with SIGINT
    ignored, as `cmd &` does, the servers stop too); the folder goes unless `keep`."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    folder = Path(tempfile.mkdtemp(prefix=f"fieldwork-bench-{name}-"))
    try:
        return bench(folder)
    except BenchError as error:
        print(f"benchmark could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


def load_average() -> str:
    """The machine's load average at the start, printed beside the figures."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = load_average()
    return guarded("submit", args.keep, lambda folder: _bench(args, load, folder))


def _bench(args: argparse.Namespace, load: str, folder: Path) -> int:
    config = ServerConfig(args.workers, args.threads, args.keepalive, startup_timeout=60.0)
    with contextlib.ExitStack() as stack:
        if args.database_url:
            databases = stack.enter_context(postgres_database(args.database_url, args.keep))
            backend = "PostgreSQL"
        else:
            databases = stack.enter_context(sqlite_databases(folder, args.floor))
            backend = "SQLite (WAL)"
        print(f"databases ready ({backend}); starting servers in {folder}", flush=True)
        with contextlib.ExitStack() as servers:
            baseline = servers.enter_context(
                gunicorn(
                    "baseline",
                    "submit:baseline_app",
                    {BASELINE_DSN_ENV: databases.baseline_dsn},
                    config,
                    folder,
                    pythonpath=REPO / "bench",
                )
            )
            app = servers.enter_context(
                gunicorn(
                    "app",
                    "app:app",
                    {
                        "FIELDWORK_DATABASE_URL": databases.app_url,
                        "FIELDWORK_SECRET_KEY": "bench-secret-key",
                        "FIELDWORK_IP_HASH_KEY": "bench-ip-hash-key",
                    },
                    config,
                    folder,
                )
            )
            measured = [baseline, app]
            bounds = (("floor", databases.floor_url), ("work", databases.work_url))
            for label, url in bounds:
                if url:
                    environment = {
                        "FIELDWORK_DATABASE_URL": url,
                        "FIELDWORK_SECRET_KEY": "bench-secret-key",
                    }
                    measured.append(
                        servers.enter_context(
                            gunicorn(
                                label,
                                f"{label}:app",
                                environment,
                                config,
                                folder,
                                pythonpath=REPO / "bench",
                            )
                        )
                    )
            results: dict[str, list[LoadResult]] = {s.label: [] for s in measured}
            for number in range(1, args.rounds + 1):
                for server in measured:
                    result = run_load(
                        server,
                        args.clients,
                        config,
                        args.warmup,
                        args.seconds,
                        args.requests,
                        args.timeout,
                    )
                    results[server.label].append(result)
                    print(
                        f"round {number} {server.label:>8}: {result.rate:8.1f} responses/s, "
                        f"p99 {percentile(result.latencies, 99):6.1f} ms, "
                        f"{len(result.errors)} failed",
                        flush=True,
                    )
            duplicates = {
                server.label: post_duplicates(server, args.clients, config, args.timeout)
                for server in (baseline, app)
            }
        # Servers stopped gracefully: every request they took has finished.
        tables = {
            "baseline": (databases.baseline_url, BASELINE_TABLE),
            "app": (databases.app_url, APP_TABLE),
        }
        storage: dict[str, Storage] = {}
        summaries: dict[str, Summary] = {}
        for label, (url, table) in tables.items():
            acknowledged = set().union(
                *(r.acknowledged for r in results[label]), duplicates[label].acknowledged
            )
            storage[label] = verify(url, table, acknowledged, duplicates[label].ids)
            summaries[label] = summarise(results[label], duplicates[label])
        correct, fast = report(args, config, backend, load, summaries, storage)
        if "floor" in results:
            report_floor(results, summaries["baseline"])
    if not correct:
        return 1
    return 0 if fast or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
