"""Make the fixture of `test_frozen_batches.py` with the code of a given commit.

    .venv/bin/python tests/exports/make_frozen_fixture.py [COMMIT] [--out FOLDER]

COMMIT defaults to 3a0c74c, the last commit before migration 0009 (response
provenance). FOLDER defaults to tests/exports/frozen_before_0009. The suite never
runs this: it is here so a maintainer can see where the stored bytes came from,
and make them again from another commit.

What it does, in order:

1. checks COMMIT out into a temporary git worktree and runs this file again
   there (`--inside`), with PYTHONPATH pointing at that worktree, so every
   `fieldwork` import below is the code of COMMIT (the libraries are this
   virtual environment's: the manifests record their versions);
2. inside: migrates a new SQLite database to that commit's head, stores two
   versions of the shipped `after_sales_consumer` questionnaire (the file at
   COMMIT, and an older label of it without Q13 and O4), two staff users and
   33 responses (segments, modes, statuses, flags, special answers, hidden
   questions, multiple choice, dates, long Chinese text, `=1+1`…), runs that
   commit's quality rules over them, takes some reviewer decisions, freezes two
   batches (one with filters, one of everything with excluded responses) at
   fixed times, and changes the database after freezing;
3. exports every batch with and without a byte order mark through that
   commit's `fieldwork.exports.files.write`, the function behind
   `flask fieldwork export write`, into FOLDER/batch-<id>[-bom]/;
4. writes FOLDER/database.json: the commit, the migration revision, the
   exported folders, and every row of every table at that revision (times as
   ISO 8601 in UTC, JSON columns as JSON), which the test inserts into SQLite
   or PostgreSQL. The audit log is left out: it holds the wall-clock times of
   the quality run, and no export reads it.

The inside part reaches the old code through `import_module`, so it names that
commit's modules and functions without tying this file to today's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from importlib import import_module
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_COMMIT = "3a0c74c"
DEFAULT_OUT = Path(__file__).resolve().parent / "frozen_before_0009"
QID = "after_sales_consumer"
UTC = dt.UTC


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", nargs="?", default=DEFAULT_COMMIT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)  # the old tree
    options = parser.parse_args()
    if options.inside:
        make(options.inside, options.out.resolve(), options.commit)
    else:
        outside(options.commit, options.out.resolve())


def outside(commit: str, out: Path) -> None:
    """Run this file in a temporary worktree of `commit`, then remove the worktree."""
    full = _git("rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    tree = Path(tempfile.mkdtemp(prefix="fw-fixture-")) / "tree"
    _git("worktree", "add", "--detach", str(tree), full)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for folder in out.glob("batch-*"):  # README.md stays
            shutil.rmtree(folder)
        (out / "database.json").unlink(missing_ok=True)
        environment = {**os.environ, "PYTHONPATH": str(tree)}
        script = Path(__file__).resolve()
        subprocess.run(
            [sys.executable, str(script), full, "--out", str(out), "--inside", str(tree)],
            check=True,
            cwd=tree,
            env=environment,
        )
    finally:
        _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(tree.parent, ignore_errors=True)


def _git(*arguments: str) -> str:
    done = subprocess.run(["git", *arguments], check=True, cwd=ROOT, capture_output=True, text=True)
    return done.stdout


# ---------------------------------------------------------------- inside the old tree


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


BASE: dict[str, Any] = {
    "S1": "age_35_44",
    "S2": "no",
    "S3": ["taobao_tmall", "jd"],
    "S4": "clothing",
    "S5": "in_app_chat",
    "S6": "jd",
    "Q1": "2026-09-03",
    "Q2": "bot_then_human",
    "Q3": 75,
    "Q4": "yes_after_several",
    "Q5": 3,
    "Q6": ["sent_to_seller"],
    "Q7": 4,
    "Q8": 3,
    "Q9": "_dont_know",
    "Q10": 5,
    "Q11": 4,
    "Q12": 2,
    "Q13": 3,
    "Q14": 4,
    "Q15": 7,
    "O1": "退货更快一点",
    "O2": "客服一直让我找商家。\n最后解决了。",
}

LONG_CHINESE = (
    "我今年七十二岁，第一次在网上买电饭煲。收到的时候盖子是裂的，我不会用手机拍照上传，"
    "打了三次客服电话都是机器人，按了好几次“转人工”都没有用。后来是孙女帮我在App里申请了退货，"
    "快递员上门取件的时候还说要我自己付运费，我们跟客服说了很久才退回来。"
) * 4
"""A long answer in Chinese, about 500 characters: wider than any spreadsheet cell shows."""

OLDER_LABEL = "2025.4"
"""The older version: the shipped file without Q13 and O4 (asked of older people later)."""

IP = [hashlib.sha256(f"fixture-address-{n}".encode()).hexdigest() for n in range(40)]


def responses() -> list[dict[str, Any]]:
    """Every response to store, in id order: what differs from BASE and how it came in."""

    def online(
        n: int,
        submitted: dt.datetime,
        seconds: int = 540,
        changes: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        **fields: Any,
    ) -> dict[str, Any]:
        answers = {k: v for k, v in {**BASE, **(changes or {})}.items() if k not in drop}
        return {
            "id": n,
            "answers": answers,
            "mode": "online",
            "submitted_at": submitted,
            "started_at": submitted - dt.timedelta(seconds=seconds),
            "ip": IP[n],
            **fields,
        }

    def paper(n: int, submitted: dt.datetime, changes: dict[str, Any]) -> dict[str, Any]:
        answers = {**BASE, **changes}
        return {
            "id": n,
            "answers": answers,
            "mode": "paper",
            "submitted_at": submitted,
            "started_at": None,
            "ip": None,
            "entered_by": 2,
        }

    older = ("Q13", "O4")
    return [
        online(1, at(1, 2, 15), version="older", drop=older, locale="zh-Hans"),
        online(2, at(1, 3), changes={"S1": "age_70_plus", "O2": LONG_CHINESE}, text_size="large"),
        online(3, at(2, 4), changes={"O1": "=1+1", "O3": "@SUM(A1:A9)"}),
        online(
            4,
            at(2, 5),
            changes={"S5": "did_not_contact", "Q2": "human_directly", "Q10": 1},
            locale="en",
        ),  # Q2, Q3, Q6, Q10, Q11 hidden: their answers are dropped as in a form
        online(5, at(3, 6), changes={"S3": ["none"], "O1": "-5 分"}),  # S6 hidden
        online(6, at(3, 7), changes={"Q2": "bot_only", "S1": "age_18_24"}),  # Q3 hidden
        online(
            7,
            at(4, 8),
            changes={"Q7": "_not_applicable", "O3": "never asked", "S2": "yes"},
        ),  # O3 hidden
        online(
            8,
            at(4, 9),
            changes={
                "Q1": "_dont_know",
                "Q3": "_dont_know",
                "Q5": "_dont_know",
                "Q8": "_dont_know",
            },
        ),
        online(9, at(5, 10), changes={"S2": "yes", "Q6": ["none"]}, campaign="wechat-2026"),
        online(
            10,
            at(5, 11),
            changes={"S1": "age_25_34", "Q15": 0, "Q5": 0, "O1": '慢, "非常" 慢\n第二行 👍'},
            wave="w1",
        ),
        online(11, at(6, 12), changes={"S1": "age_25_34"}, link="elderly"),  # conflict
        paper(12, at(6, 13), {"S1": "age_60_69", "O2": "纸质问卷：字太小。"}),
        online(13, at(7, 1), seconds=60),  # a speeder
        online(14, at(7, 2), ip=IP[1], version="older", drop=older, locale="zh-Hans"),
        online(
            15,
            at(8, 3),
            changes={f"Q{k}": 3 for k in (7, 8, 10, 11, 12, 13, 14)} | {"Q9": 3},
        ),
        online(
            16,
            at(8, 4),
            changes={"O2": 'Slow, "very" slow\nsecond line', "S6": "_dont_know"},
            locale="en",
        ),
        online(
            17,
            at(9, 5),
            changes={"S1": "age_60_69", "O4": "字大一点，电话能找到人。"},
            locale="zh-Hant",
        ),
        online(18, at(9, 6), changes={"O1": "+86 138 0000 0000", "Q3": 4320}, contrast="high"),
        online(
            19, at(10, 7), changes={"O1": "\tTabbed", "Q6": ["sent_to_brand", "sent_to_courier"]}
        ),
        online(20, at(10, 8), version="older", drop=older, changes={"S1": "age_70_plus"}),
        online(21, at(11, 9), changes={"Q4": "not_solved", "Q14": 1, "Q15": 1, "O2": ""}),
        paper(22, at(11, 10), {"S1": "age_45_59", "S5": "phone_hotline", "Q1": "2025-12-31"}),
        online(23, at(12, 11), changes={"S4": "fresh_food", "Q7": 5, "Q12": 5}),
        online(24, at(12, 12), changes={"S3": ["douyin", "kuaishou", "other"], "S6": "douyin"}),
        {**online(25, at(13, 1)), "mode": "shadow"},
        online(26, at(13, 2), changes={"S1": "age_18_24", "Q6": ["passed_between_staff"]}),
        online(27, at(14, 3), changes={"S1": "age_60_69"}, text_size="large", link="elderly"),
        online(28, at(30, 17), changes={"S1": "age_35_44"}),  # 1 October in Shanghai
        online(29, at(31, 20, month=8), changes={"S1": "age_70_plus"}),  # 1 September there
        online(30, at(15, 4), seconds=45, changes={"Q1": "2026-02-28"}),  # rejected by the rules
        online(31, at(15, 5), changes={"O1": "#N/A", "Q9": 5}),
        online(32, at(16, 6), changes={"S1": "age_45_59", "Q4": "in_progress"}),
    ]


def after_freezing() -> dict[str, Any]:
    """A response stored after both batches were frozen: it must be in neither."""
    submitted = at(20, 9)
    return {
        "id": 33,
        "answers": BASE,
        "mode": "online",
        "ip": IP[33],
        "submitted_at": submitted,
        "started_at": submitted - dt.timedelta(minutes=8),
    }


DECISIONS = {  # reviewer decisions taken before freezing: response id -> status
    13: "approved",  # a speeder let through by a reviewer: included, with its flag
    14: "approved",
    21: "rejected",
    26: "on_hold",
    32: "pending",
}
LATER = {3: "rejected", 21: "approved"}  # decided after freezing: the batches keep the old


def make(tree: Path, out: Path, commit: str) -> None:
    """Build the database with the code in `tree`, export its batches into `out`, dump it."""
    assert Path(import_module("fieldwork").__file__ or "").is_relative_to(tree), "not the old code"
    from alembic import command
    from sqlalchemy import create_engine, text
    from sqlmodel import Session

    db = import_module("fieldwork.db")
    work = Path(tempfile.mkdtemp(prefix="fw-fixture-db-"))
    try:
        url = f"sqlite:///{work / 'fixture.db'}"
        command.upgrade(db.alembic_config(url), "head")
        engine = db.make_engine(url)
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        session = Session(engine, expire_on_commit=False)
        versions = _store_versions(session, tree)
        _store_staff(session)
        _store_responses(session, versions, responses())
        _screen(session, versions)
        _decide(session, DECISIONS)
        batches = _freeze(session, versions["current"])
        _decide(session, LATER)
        _store_responses(session, versions, [after_freezing()])
        _screen(session, versions)
        exports = _export(session, batches, out)
        session.close()
        _dump(create_engine(url), out / "database.json", commit, str(revision), exports)
        engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _store_versions(session: Any, tree: Path) -> dict[str, Any]:
    loader = import_module("fieldwork.questionnaire.loader")
    definitions = import_module("fieldwork.definitions.service")
    models = import_module("fieldwork.definitions.models")
    catalog = loader.load_directory(tree / "questionnaires")
    assert not catalog.problems, catalog.problems
    current = catalog.questionnaires[QID]
    raw = json.loads(json.dumps(current.definition))
    raw["version"] = OLDER_LABEL
    for section in raw["sections"]:
        section["questions"] = [q for q in section["questions"] if q["code"] not in ("Q13", "O4")]
    older = loader.build(raw)
    definitions.store(session, [older, current])
    for questionnaire, loaded in ((older, at(1, 0, month=3)), (current, at(1, 0, month=6))):
        row = session.get(models.QuestionnaireVersion, questionnaire.content_hash)
        row.loaded_at = loaded
        session.add(row)
    session.commit()
    return {"current": current, "older": older, "segments": catalog.segments}


def _store_staff(session: Any) -> None:
    models = import_module("fieldwork.accounts.models")
    for number, name, role in ((1, "reviewer-1", "reviewer"), (2, "fieldworker-1", "fieldworker")):
        session.add(
            models.StaffUser(
                id=number,
                username=name,
                password_hash="(fixture: signs in with no password)",
                role=role,
                created_at=at(1, 0, month=5),
            )
        )
    session.commit()


def _store_responses(session: Any, versions: dict[str, Any], specs: list[dict[str, Any]]) -> None:
    answer_rules = import_module("fieldwork.answers")
    service = import_module("fieldwork.responses.service")
    models = import_module("fieldwork.responses.models")
    for spec in specs:
        questionnaire = versions[spec.get("version", "current")]
        cleaned = answer_rules.clean(questionnaire, spec["answers"])
        issues = answer_rules.validate(questionnaire, cleaned)
        assert not issues, (spec["id"], issues)
        segmentation = service.segment_of(versions["segments"], spec.get("link"), cleaned)
        started, submitted = spec["started_at"], spec["submitted_at"]
        locale = spec.get("locale", "zh-Hans")
        paradata: dict[str, Any] = {"locale": locale, "submitted_at": submitted.isoformat()}
        if spec["mode"] != "paper":
            seconds = (submitted - started).total_seconds()
            pages = ("screening", "response", "resolution", "compliance", "experience", "open")
            paradata |= {
                "page_seconds": {page: round(seconds / len(pages), 1) for page in pages},
                "text_size": spec.get("text_size", "standard"),
                "contrast": spec.get("contrast", "standard"),
                "browser": "Chrome",
                "started_at": started.isoformat(),
            }
        session.add(
            models.Response(
                id=spec["id"],
                submission_id=str(uuid.UUID(int=spec["id"])),
                reference=f"FX{spec['id']:04d}",
                questionnaire_id=QID,
                version_hash=questionnaire.content_hash,
                mode=spec["mode"],
                segment=segmentation.segment,
                segment_source=segmentation.source,
                campaign=spec.get("campaign"),
                wave=spec.get("wave"),
                locale=locale,
                flags=segmentation.flags,
                answers=cleaned,
                paradata=paradata,
                answers_hash=service.answers_hash(questionnaire.content_hash, cleaned),
                started_at=started,
                submitted_at=submitted,
                ip_hash=spec["ip"],
                duration_seconds=(submitted - started).total_seconds() if started else None,
                entered_by=spec.get("entered_by"),
            )
        )
    session.commit()


def _screen(session: Any, versions: dict[str, Any]) -> None:
    screening = import_module("fieldwork.review.screening")
    every = {q.content_hash: q for q in (versions["current"], versions["older"])}
    screening.run(session, versions["current"], every, screening.Policy())


def _decide(session: Any, decisions: dict[int, str]) -> None:
    models = import_module("fieldwork.responses.models")
    for response_id, status in decisions.items():
        response = session.get(models.Response, response_id)
        response.status = status
        response.reviewed_by = 1
        response.row_version += 1
        session.add(response)
    session.commit()


def _freeze(session: Any, current: Any) -> list[Any]:
    exports = import_module("fieldwork.exports.service")
    accounts = import_module("fieldwork.accounts.models")
    quality = import_module("fieldwork.quality")
    screening = import_module("fieldwork.review.screening")
    creator = session.get(accounts.StaffUser, 1)
    rules = quality.rules_version(screening.settings(current))
    chosen = [
        (
            "Online, September (elderly, young, general)",
            exports.Filters(
                questionnaire_id=QID,
                submitted_from=dt.date(2026, 9, 1),
                submitted_to=dt.date(2026, 9, 30),
                segments=("elderly", "young", "general"),
                modes=("online",),
                time_zone="Asia/Shanghai",
            ),
            dt.datetime(2026, 10, 2, 9, 0, tzinfo=UTC),
        ),
        (
            '全部答卷 — every response, "quoted", <odd> & long',
            exports.Filters(questionnaire_id=QID),
            dt.datetime(2026, 10, 5, 10, 30, 15, 654321, tzinfo=UTC),
        ),
    ]
    batches = []
    for name, filters, frozen_at in chosen:
        batch = exports.freeze(session, name, filters, rules, creator)
        batch.created_at = frozen_at  # freeze reads the clock; a fixture must not
        session.add(batch)
        session.commit()
        batches.append(batch)
    return batches


def _export(session: Any, batches: list[Any], out: Path) -> list[dict[str, Any]]:
    files = import_module("fieldwork.exports.files")
    written = []
    for batch in batches:
        for bom in (False, True) if batch.id == 2 else (False,):  # one BOM copy is enough
            name = f"batch-{batch.id}{'-bom' if bom else ''}"
            files.write(session, batch, out / name, bom=bom)
            written.append({"batch": batch.id, "bom": bom, "folder": name})
    return written


def _dump(
    engine: Any, target: Path, commit: str, revision: str, exports: list[dict[str, Any]]
) -> None:
    from sqlalchemy import MetaData, select

    metadata = MetaData()
    metadata.reflect(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in ("alembic_version", "audit_log"):
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).mappings().all()
            tables[table.name] = [
                {name: _plain(value) for name, value in row.items()} for row in rows
            ]
    document = {
        "made_by": "tests/exports/make_frozen_fixture.py",
        "commit": commit,
        "revision": revision,
        "exports": exports,
        "tables": tables,
    }
    target.write_text(_one_row_a_line(document), encoding="utf-8")


def _one_row_a_line(document: dict[str, Any]) -> str:
    """JSON with a line per table row: small, and a diff of two fixtures reads row by row."""

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    head = {key: value for key, value in document.items() if key != "tables"}
    lines = [compact(head)[:-1] + ',"tables":{']
    for number, (name, rows) in enumerate(document["tables"].items()):
        lines.append(f"{compact(name)}:[")
        lines += [compact(row) + ("," if i < len(rows) - 1 else "") for i, row in enumerate(rows)]
        lines.append("]" + ("," if number < len(document["tables"]) - 1 else ""))
    return "\n".join([*lines, "}}"]) + "\n"


def _plain(value: Any) -> Any:
    """A value as JSON holds it: times as ISO 8601 in UTC (SQLite keeps them naive UTC)."""
    if isinstance(value, dt.datetime):
        aware = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    return value


if __name__ == "__main__":
    main()
