"""`flask fieldwork paper issue` and `paper void`: what they print, and what they refuse."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import Result
from flask import Flask
from sqlmodel import Session, select

from fieldwork import db
from fieldwork.paper import ids
from fieldwork.paper import service as paper
from fieldwork.paper.models import VOID, PaperSheet, PrintRun
from tests.review.factories import fast_password_hashing, staff

ISSUE = ["paper", "issue", "two_pages", "--language", "zh-Hant", "--size", "large"]


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "worker.li", "fieldworker")
    staff(app, "admin.wang", "admin")
    staff(app, "reviewer.chen", "reviewer")


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


def fieldwork(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["fieldwork", *args])


SHOWN = re.compile(r"^(\d+)\t([2-9A-Y]{4}-[2-9A-Y]{4}-[2-9A-Y])$", re.MULTILINE)


def test_issue_prints_the_run_and_each_sheet_id(app: Flask, session: Session) -> None:
    result = fieldwork(
        app, *ISSUE, "--count", "5", "--to", "worker.li", "--campaign", "2026Q4",
        "--wave", "2", "--segment", "elderly", "--by", "admin.wang",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = session.exec(select(PrintRun)).one()
    assert result.output.startswith(f"run {run.id}: 5 sheets of two_pages (")
    printed = SHOWN.findall(result.output)
    stored = paper.sheets(session, run.id or 0)
    assert printed == [(str(s.number), ids.shown(s.id)) for s in stored]
    presets = (run.campaign, run.wave, run.segment, run.language)
    assert presets == ("2026Q4", "2", "elderly", "zh-Hant")
    assert [e.actor for e in paper.history(session, stored[0].id)] == ["admin.wang"]


def test_issue_without_by_is_recorded_as_the_command_line(app: Flask, session: Session) -> None:
    result = fieldwork(app, *ISSUE, "--count", "1", "--to", "worker.li")
    assert result.exit_code == 0, result.output
    [sheet] = session.exec(select(PaperSheet)).all()
    assert [e.actor for e in paper.history(session, sheet.id)] == [paper.COMMAND_LINE]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["paper", "issue", "nope", "--language", "en", "--size", "large", "--count", "2",
          "--to", "worker.li"], "QUESTIONNAIRE: no questionnaire 'nope' is loaded (loaded: "),
        ([*ISSUE[:3], "--language", "fr", "--size", "large", "--count", "2", "--to",
          "worker.li"], "--language: the questionnaire is not in 'fr' (it is in: zh-Hans, "),
        ([*ISSUE, "--count", "0", "--to", "worker.li"], "--count: the count must be from 1 to"),
        ([*ISSUE, "--count", "1001", "--to", "worker.li"], "from 1 to 1000"),
        ([*ISSUE, "--count", "ten", "--to", "worker.li"], "--count: the count must be a whole"),
        ([*ISSUE, "--count", "2", "--to", "nobody"], "--to: 'nobody' is not an active fieldworker"
         " (fieldworkers: worker.li)"),
        ([*ISSUE, "--count", "2", "--to", "reviewer.chen"], "not an active fieldworker"),
        ([*ISSUE, "--count", "2", "--to", "worker.li", "--by", "reviewer.chen"],
         "--by: 'reviewer.chen' is not an admin"),
        ([*ISSUE, "--count", "2", "--to", "worker.li", "--segment", "martians"],
         "--segment: the questionnaire does not serve the segment 'martians'"),
        ([*ISSUE, "--count", "2", "--to", "worker.li", "--campaign", "a b"], "--campaign: 1 to 64"),
        ([*ISSUE[:5], "--size", "A3", "--count", "2", "--to", "worker.li"], "--size: the size"),
    ],
)  # fmt: skip
def test_issue_refuses_bad_input_clearly_and_stores_nothing(
    app: Flask, session: Session, args: list[str], words: str
) -> None:
    result = fieldwork(app, *args)
    assert result.exit_code != 0
    assert words in result.output
    assert session.exec(select(PrintRun)).all() == []


def test_issue_lists_every_problem_at_once(app: Flask) -> None:
    result = fieldwork(
        app, *ISSUE[:3], "--language", "fr", "--size", "A3", "--count", "0", "--to", "x"
    )
    assert result.exit_code != 0
    assert [line.split(":")[0] for line in result.output.splitlines()[1:]] == [
        "--size",
        "--count",
        "--to",
    ]
    assert result.output.startswith("Error: --language:")


def test_void_marks_the_sheet_and_records_the_reason(app: Flask, session: Session) -> None:
    fieldwork(app, *ISSUE, "--count", "1", "--to", "worker.li")
    [sheet] = session.exec(select(PaperSheet)).all()
    typed = ids.shown(sheet.id).lower()
    result = fieldwork(app, "paper", "void", typed, "--reason", "torn", "--by", "admin.wang")
    assert result.exit_code == 0, result.output
    assert result.output == f"{ids.shown(sheet.id)}: void\n"
    session.expire_all()
    assert paper.find(session, sheet.id).state == VOID
    assert paper.history(session, sheet.id)[-1].comment == "torn"


@pytest.mark.parametrize(
    ("typed", "reason", "words"),
    [
        ("ABCD", "torn", "a sheet id has 9 characters"),
        ("ABCD-0FGH-J", "torn", "'0' is not used in sheet ids"),
        ("{wrong}", "torn", "a character is mistyped"),
        ("{unknown}", "torn", "no sheet has this id"),
        ("{sheet}", " ", "give the reason"),
        ("{void}", "again", "a sheet that is void cannot be made void"),
    ],
)
def test_void_refuses_clearly(
    app: Flask, session: Session, typed: str, reason: str, words: str
) -> None:
    fieldwork(app, *ISSUE, "--count", "2", "--to", "worker.li")
    sheet, void = session.exec(select(PaperSheet).order_by(PaperSheet.number)).all()
    assert fieldwork(app, "paper", "void", void.id, "--reason", "lost").exit_code == 0
    wrong = ids.ALPHABET[(ids.ALPHABET.index(sheet.id[0]) + 1) % 29] + sheet.id[1:]
    forms = {"wrong": wrong, "unknown": ids.draw(), "sheet": sheet.id, "void": void.id}
    result = fieldwork(app, "paper", "void", typed.format(**forms), "--reason", reason)
    assert result.exit_code != 0
    assert words in result.output
    session.expire_all()
    assert session.get(PaperSheet, sheet.id).state == "issued"  # type: ignore[union-attr]
