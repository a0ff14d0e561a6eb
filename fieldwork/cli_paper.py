"""`flask fieldwork paper …`: issue a print run of numbered sheets, void a sheet.

The same service as the staff pages (`fieldwork.paper.service`), with its refusals worded
here in English for whoever runs the command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session, col, select

from fieldwork import catalog, db
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.paper import ids, printing
from fieldwork.paper import service as paper
from fieldwork.paper.models import SIZES, PrintRun
from fieldwork.paper.verification import ADAPTIVE, POLICIES

paper_group = AppGroup("paper", help="Issue and print runs of numbered paper sheets; void sheets.")

RUN_WORDS = {
    "unknown-questionnaire": "no questionnaire {questionnaire!r} is loaded (loaded: {loaded})",
    "not-for-paper": "{questionnaire!r} is not a survey, so it is not printed on paper",
    "unknown-language": "the questionnaire is not in {given!r} (it is in: {languages})",
    "unknown-size": "the size must be one of: " + ", ".join(SIZES),
    "count-not-a-number": "the count must be a whole number",
    "count-out-of-range": "the count must be from 1 to {most}",
    "bad-label": "1 to 64 letters, digits, '.', '_' or '-'",
    "unknown-segment": "the questionnaire does not serve the segment {given!r} "
    "(it serves: {segments})",
    "not-a-fieldworker": "{given!r} is not an active fieldworker (fieldworkers: {fieldworkers})",
    "not-allowed": "{given!r} is not an admin: only admins issue runs",
    "unknown-verification": "the verification must be one of: " + ", ".join(POLICIES),
    "share-out-of-range": "the share is a percentage from 0 to 100",
}
"""Each problem with an order for a run, for the option it is about."""
SHEET_WORDS = {
    ids.WRONG_LENGTH: "a sheet id has 9 characters (e.g. K7QM-3XWD-R)",
    ids.BAD_CHARACTER: "{character!r} is not used in sheet ids",
    ids.CHECK_FAILS: "this is not a sheet id: a character is mistyped (the check fails)",
    paper.UNKNOWN: "no sheet has this id",
    paper.ILLEGAL: "a sheet that is {old} cannot be made {new}",
    paper.CHANGED: "the sheet changed meanwhile; try again",
    paper.NOT_ALLOWED: "only admins void sheets",
    paper.NO_REASON: "give the reason for voiding the sheet",
    paper.REASON_TOO_LONG: "shorten the reason to {most} characters or fewer",
}
"""Why a sheet cannot be voided (the entry's refusals are the entry pages' to word)."""
OPTIONS = {"issued_to": "--to", "creator": "--by", "questionnaire": "QUESTIONNAIRE"}


def _staff(session: Session, username: str | None) -> StaffUser | None:
    if username is None:
        return None
    query = select(StaffUser).where(col(StaffUser.username) == username)
    return session.exec(query).first()


def _admin(session: Session, username: str | None) -> StaffUser | None:
    """The admin `--by` names; the command line itself when none is named."""
    user = _staff(session, username)
    if username is not None and (user is None or user.role not in paper.ISSUERS):
        raise click.ClickException(f"--by: {username!r} is not an admin")
    return user


def _words(problems: Sequence[paper.Problem], given: Mapping[str, Any], extra: Any) -> str:
    lines = []
    for problem in problems:
        option = OPTIONS.get(problem.field, f"--{problem.field.replace('_', '-')}")
        values = {**extra, **problem.params, "given": given.get(problem.field)}
        values = {k: ", ".join(v) if isinstance(v, tuple) else v for k, v in values.items()}
        lines.append(f"{option}: {RUN_WORDS[problem.code].format(**values)}")
    return "\n".join(lines)


@paper_group.command("issue")
@click.argument("questionnaire_id", metavar="QUESTIONNAIRE")
@click.option("--count", required=True, help=f"Sheets to issue, 1 to {paper.MAX_COUNT}.")
@click.option("--language", required=True, help="One of the questionnaire's languages.")
@click.option("--size", required=True, help=" or ".join(SIZES) + " (large print).")
@click.option("--campaign", help="Preset on every sheet.")
@click.option("--wave", help="Preset on every sheet.")
@click.option("--segment", help="A segment the questionnaire serves, preset on every sheet.")
@click.option("--to", "issued_to", required=True, help="The fieldworker the sheets go to.")
@click.option("--by", "creator", help="The admin issuing them (recorded); else the command line.")
@click.option(
    "--verification",
    default=ADAPTIVE,
    show_default=True,
    help="Which sheets are keyed twice: " + ", ".join(POLICIES) + ".",
)
@click.option(
    "--share", default="10", show_default=True, help="Percent keyed twice (sample, adaptive)."
)
def issue_command(
    questionnaire_id: str, count: str, creator: str | None, share: str, **given: Any
) -> None:
    """Issue a print run of numbered sheets; prints the run and its sheet ids."""
    session = db.session()
    versions = Versions()
    questionnaire = versions.current(session, questionnaire_id)
    order = paper.Order(count=paper.count_from(count), share=paper.share_from(share), **given)
    try:
        run = paper.issue(session, questionnaire, order, _admin(session, creator))
    except paper.RunRefused as refused:
        extra = {
            "questionnaire": questionnaire_id,
            "loaded": ", ".join(versions.ids(session)) or "none",
            "fieldworkers": ", ".join(u.username for u in paper.fieldworkers(session)) or "none",
        }
        shown = {**given, "count": count, "creator": creator, "share": share}
        raise click.ClickException(_words(refused.problems, shown, extra)) from None
    click.echo(
        f"run {run.id}: {run.count} sheets of {run.questionnaire_id}"
        f" ({run.version_hash[:12]}, {run.language}, {run.size}) for {order.issued_to}"
    )
    for sheet in paper.sheets(session, run.id or 0):
        click.echo(f"{sheet.number}\t{ids.shown(sheet.id)}")


@paper_group.command("void")
@click.argument("sheet", metavar="ID")
@click.option("--reason", required=True, help="Why: lost, spoiled, printed twice….")
@click.option("--by", "creator", help="The admin voiding it (recorded); else the command line.")
def void_command(sheet: str, reason: str, creator: str | None) -> None:
    """Void a sheet, so it can never be typed in; the reason goes in its history."""
    session = db.session()
    try:
        found = paper.find(session, sheet)
        paper.void(session, found.id, reason, _admin(session, creator))
    except paper.SheetError as error:
        words = SHEET_WORDS[error.code].format(**error.params)
        raise click.ClickException(f"{sheet}: {words}") from None
    click.echo(f"{ids.shown(found.id)}: void")


@paper_group.command("print")
@click.argument("run_id", metavar="RUN", type=click.IntRange(1, 2**31 - 1))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The PDF file to write.",
)
def print_command(run_id: int, out: Path) -> None:
    """Write the PDF of an issued run: its sheets in number order, each page stamped with
    the sheet's id, QR code and what it was issued for."""
    session = db.session()
    run = session.get(PrintRun, run_id)
    if run is None:
        raise click.ClickException(f"RUN: there is no print run {run_id}")
    questionnaire = Versions().by_hash(session, run.version_hash)
    if questionnaire is None:
        raise click.ClickException(f"RUN: the questionnaire version of run {run_id} is gone")
    click.echo(f"printing run {run_id}: {run.count} sheets ({run.language}, {run.size})…")
    segments = {segment.code: segment.label for segment in catalog.segments()}
    cache = Path(current_app.config["PAPER_FONTS_DIR"])
    document = printing.run_pdf(session, run, questionnaire, segments, cache)
    out.write_bytes(document)
    click.echo(f"wrote {out} ({len(document) / 1e6:.1f} MB)")
