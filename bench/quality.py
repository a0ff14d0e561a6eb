"""How well the quality rules tell careless responses from honest ones, on a labelled set.

A seeded population (bench/respondents.py) of honest people of every kind and careless
ones of every kind is played through the real web pages of the shipped questionnaire:
the start page, consent, every question page, save and resume, check answers, submit,
each person from their own network address and browser, on the app's own clock moved
(`fieldwork.clock.set_to`) as their pages take time. Scripts that post the whole form
without walking it do just that. Then the bulk run (`flask fieldwork quality run`'s
work) judges every stored response, and the labels are compared with what it found.

Printed: per careless kind, the share caught (flagged for review or rejected) and the
share rejected; per honest group, the share flagged and the share rejected. Targets
(PASS/FAIL lines; exit 1 if any fails):

    recall overall >= 0.90; speeders, straight-liners and duplicates >= 0.95 each
    honest flagged <= 3 % overall, and <= 10 % in every honest group
    honest rejected <= 0.5 %

Run from the repository root:

    python bench/quality.py                        # about 3,000 people, seed 1
    python bench/quality.py --people 600 --seed 7  # smaller, another population
    python bench/quality.py --show speeder         # list what each speeder got

The set is a benchmark, not a test: rules are tuned on its principles, not its seeds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask import Flask
from flask.testing import FlaskClient
from respondents import CARELESS, HONEST, Person, population
from sqlalchemy import select
from walking import QID, Clock, Walker

from fieldwork import catalog, clock, create_app, db
from fieldwork.config import ROOT
from fieldwork.definitions import service as definitions
from fieldwork.definitions.reading import read_folder
from fieldwork.responses.models import REJECTED, Response
from fieldwork.review import screening

RECALL = 0.90
RECALL_STRICT = 0.95
STRICT_KINDS = ("speeder", "straight-liner", "duplicate")
HONEST_FLAGGED = 0.03
HONEST_GROUP_FLAGGED = 0.10
HONEST_REJECTED = 0.005


@contextmanager
def app_on(folder: Path) -> Iterator[Flask]:
    """The app on a fresh SQLite database in `folder`, the shipped questionnaires stored."""
    url = f"sqlite:///{folder / 'quality.db'}"
    db.upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret",
            "IP_HASH_KEY": "bench-ip-key",
            "EXPORTS_DIR": str(folder / "exports"),
        }
    )
    with app.app_context():
        definitions.store(
            db.session(), read_folder(ROOT / "questionnaires").questionnaires.values()
        )
        db.session().commit()
    try:
        yield app
    finally:
        app.extensions["fieldwork.engine"].dispose()


@dataclass
class Outcome:
    person: Person
    submission_id: str | None
    flagged: bool = False
    rejected: bool = False
    rules: tuple[str, ...] = ()


def play(app: Flask, people: list[Person], progress: bool = True) -> list[Outcome]:
    with app.app_context():
        questionnaire = catalog.versions().current(db.session(), QID)
    assert questionnaire is not None
    time_ = Clock()

    def browser(person: Person, address: str | None) -> FlaskClient:
        client = app.test_client()
        client.environ_base.update(
            REMOTE_ADDR=address or person.address, HTTP_USER_AGENT=person.browser
        )
        return client

    walker = Walker(questionnaire, time_, browser)
    devices: dict[str, FlaskClient] = {}
    outcomes = []
    begun = time.monotonic()
    with clock.set_to(time_):
        for n, person in enumerate(people, 1):
            if person.device:
                client = devices.setdefault(person.device, walker.client(person))
            else:
                client = walker.client(person)
            outcomes.append(Outcome(person, walker.walk(person, client)))
            if progress and (n % 100 == 0 or n == len(people)):
                rate = n / (time.monotonic() - begun)
                print(f"\r  played {n}/{len(people)} ({rate:.0f} a second)", end="", flush=True)
    if progress:
        print()
    return outcomes


def judge(app: Flask, outcomes: list[Outcome]) -> None:
    """The bulk run over everything stored, then each outcome read back."""
    with app.app_context():
        session = db.session()
        versions = catalog.versions()
        current = versions.current(session, QID)
        assert current is not None
        stored = session.execute(
            select(Response.version_hash).where(Response.questionnaire_id == QID).distinct()
        ).scalars()
        hashes = {h: versions.by_hash(session, h) for h in stored}
        policy = screening.Policy.from_config(app.config)
        screening.run(session, current, {h: q for h, q in hashes.items() if q}, policy)
        rows = session.execute(
            select(Response.submission_id, Response.status, Response.flags)
        ).all()
    stored = {row.submission_id: row for row in rows}
    for outcome in outcomes:
        row = stored.get(outcome.submission_id or "")
        if row is None:  # refused at the door counts as caught and rejected
            outcome.flagged = outcome.rejected = True
            outcome.rules = ("refused",)
            continue
        severe = [f for f in row.flags if f["severity"] in ("review", "reject")]
        outcome.flagged = bool(severe) or row.status == REJECTED
        outcome.rejected = row.status == REJECTED
        outcome.rules = tuple(sorted({f["code"] for f in severe}))


def report(outcomes: list[Outcome], show: str | None) -> bool:
    by_kind: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[(outcome.person.group, outcome.person.kind)].append(outcome)
    print(f"\n{'group':9} {'kind':20} {'n':>5} {'flagged':>8} {'rejected':>9}  rules that fired")
    for (group, kind), items in sorted(by_kind.items()):
        flagged = sum(o.flagged for o in items) / len(items)
        rejected = sum(o.rejected for o in items) / len(items)
        rules = Counter(rule for o in items for rule in o.rules).most_common(4)
        named = ", ".join(f"{rule} {count}" for rule, count in rules)
        print(f"{group:9} {kind:20} {len(items):5} {flagged:8.1%} {rejected:9.1%}  {named}")
        if show == kind:
            for o in items:
                print(f"    {o.person.locale:7} flagged={o.flagged} rules={o.rules}")
    careless = [o for o in outcomes if o.person.group == CARELESS]
    honest = [o for o in outcomes if o.person.group == HONEST]
    results = []

    def target(name: str, value: float, bound: float, at_least: bool) -> None:
        ok = value >= bound if at_least else value <= bound
        sign = ">=" if at_least else "<="
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {name}: {value:.3f} (target {sign} {bound})")

    print()
    target("recall, all careless", _share(careless, "flagged"), RECALL, True)
    for kind in STRICT_KINDS:
        items = [o for o in careless if o.person.kind == kind]
        target(f"recall, {kind}", _share(items, "flagged"), RECALL_STRICT, True)
    target("honest flagged", _share(honest, "flagged"), HONEST_FLAGGED, False)
    target("honest rejected", _share(honest, "rejected"), HONEST_REJECTED, False)
    worst = max(
        {o.person.kind for o in honest},
        key=lambda kind: _share([o for o in honest if o.person.kind == kind], "flagged"),
    )
    worst_share = _share([o for o in honest if o.person.kind == worst], "flagged")
    target(f"honest flagged in the worst group ({worst})", worst_share, HONEST_GROUP_FLAGGED, False)
    return all(results)


def _share(items: list[Outcome], attribute: str) -> float:
    return sum(getattr(o, attribute) for o in items) / len(items) if items else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=3000, help="about how many (default 3000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", help="list each outcome of one kind")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="fieldwork-quality-") as folder,
        app_on(Path(folder)) as app,
    ):
        with app.app_context():
            questionnaire = catalog.versions().current(db.session(), QID)
        assert questionnaire is not None
        people = population(questionnaire, args.people, args.seed)
        honest = sum(p.group == HONEST for p in people)
        print(
            f"{len(people)} people ({honest} honest, {len(people) - honest} careless),"
            f" seed {args.seed}"
        )
        begun = time.monotonic()
        outcomes = play(app, people)
        played = time.monotonic() - begun
        judge(app, outcomes)
        print(f"played in {played:.0f} s, judged in {time.monotonic() - begun - played:.0f} s")
        return 0 if report(outcomes, args.show) else 1


if __name__ == "__main__":
    sys.exit(main())
