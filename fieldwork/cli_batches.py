"""`flask fieldwork quality run` and `flask fieldwork export …`: the review pipeline's commands.

They call the same services as the staff pages, so a batch exported here has
the same bytes as one downloaded there.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlmodel import Session, col

from fieldwork import catalog, db, quality
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.definitions.service import Versions
from fieldwork.exports import files
from fieldwork.exports import service as exports
from fieldwork.exports.models import Batch
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import filters
from fieldwork.responses.models import Response
from fieldwork.review import screening

quality_group = AppGroup("quality", help="Run the quality rules over stored responses.")
export_group = AppGroup("export", help="Preview, freeze, list and write batches for scoring.")


@contextmanager
def _bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    with click.progressbar(length=max(total, 1), label=label) as bar:
        yield bar.update


def _questionnaire_ids(session: Session, chosen: str | None) -> list[str]:
    known = Versions().ids(session)
    if chosen is None:
        return known
    if chosen not in known:
        raise click.ClickException(
            f"no questionnaire {chosen!r} is loaded (loaded: {', '.join(known) or 'none'})"
        )
    return [chosen]


def _versions(
    session: Session, versions: Versions, questionnaire_id: str
) -> dict[str, Questionnaire]:
    hashes = session.execute(
        select(col(QuestionnaireVersion.content_hash)).where(
            col(QuestionnaireVersion.questionnaire_id) == questionnaire_id
        )
    ).scalars()
    built = {h: versions.by_hash(session, h) for h in hashes}
    return {h: q for h, q in built.items() if q is not None}


@quality_group.command("run")
@click.option("--questionnaire", "questionnaire_id", help="Only this questionnaire.")
def quality_run_command(questionnaire_id: str | None) -> None:
    """Evaluate every response again; store and audit what changed (idempotent)."""
    session = db.session()
    versions = Versions()
    policy = screening.Policy.from_config(current_app.config)
    for qid in _questionnaire_ids(session, questionnaire_id):
        current = versions.current(session, qid)
        assert current is not None
        count = session.execute(
            select(func.count()).where(col(Response.questionnaire_id) == qid)
        ).scalar_one()
        with _bar(2 * count, f"{qid}: {count} responses") as progress:
            summary = screening.run(
                session, current, _versions(session, versions, qid), policy, progress
            )
        click.echo(
            f"{qid}: {summary.responses} responses checked, flags changed on"
            f" {summary.flags_changed}, status changed on {summary.status_changed},"
            f" {summary.skipped} left alone (decided meanwhile);"
            f" rules version {', '.join(summary.rules_versions) or '-'}"
        )


FILTER_OPTIONS = {
    "questionnaire": "The questionnaire's id (required).",
    "version": "Content hash, or its first 12 characters as `load` prints them; repeatable.",
    "campaign": None,
    "wave": None,
    "from": "YYYY-MM-DD, a day in FIELDWORK_BABEL_DEFAULT_TIMEZONE (the staff pages' zone).",
    "to": "YYYY-MM-DD, the last day taken, in the same zone.",
    "segment": "Repeatable.",
    "mode": f"One of {', '.join(filters.MODES)}; repeatable.",
}
"""The batch page's filter fields, each an option of the same name: the values go, as
given, to the one parser the pages use, so they are checked and worded the same way."""


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for name, words in reversed(FILTER_OPTIONS.items()):
        multiple = name not in filters.SINGLE
        command = click.option(f"--{name}", f"filter_{name}", multiple=multiple, help=words)(
            command
        )
    return command


def _filters(chosen: dict[str, Any]) -> filters.Filter:
    """The filter the options ask for; every problem with them, in English, if none."""
    data = {name: _listed(chosen.pop(f"filter_{name}")) for name in filters.BATCH.names}
    known = catalog.filter_values(db.session())
    parsed = filters.parse(data, known, filters.BATCH)
    if parsed.filter is None:
        raise click.ClickException("\n".join(_problem(p, known) for p in parsed.problems))
    return parsed.filter


def _listed(given: str | tuple[str, ...] | None) -> list[str]:
    if given is None:
        return []
    return [given] if isinstance(given, str) else list(given)


def _problem(problem: filters.Problem, known: filters.Known) -> str:
    """The problem's message as the pages word it in English, and what the option takes
    where that is a short list."""
    offered = CHOICES.get(problem.code)
    hint = f" ({', '.join(offered(known)) or 'none'})" if offered else ""
    return f"--{problem.field}: {problem.words()}{hint}"


CHOICES: dict[str, Callable[[filters.Known], list[str]]] = {
    filters.NO_QUESTIONNAIRE: lambda known: sorted(known.versions),
    filters.UNKNOWN_QUESTIONNAIRE: lambda known: sorted(known.versions),
    filters.UNKNOWN_SEGMENT: lambda known: sorted(known.segments),
    filters.UNKNOWN_MODE: lambda known: sorted(known.modes),
}
"""What to list after a problem, as a form's choices would show it."""


def _echo_preview(counts: exports.Preview) -> None:
    click.echo(f"considered {counts.considered}, included (approved) {counts.included}")
    for status, count in sorted(counts.by_status.items()):
        click.echo(f"  status {status}: {count}")
    for (segment, mode), count in sorted(counts.by_segment_mode.items()):
        click.echo(f"  {segment} × {mode}: {count}")


@export_group.command("preview")
@_filter_options
def preview_command(**chosen: Any) -> None:
    """Show what freezing these filters now would give."""
    _echo_preview(exports.preview(db.session(), _filters(chosen)))


@export_group.command("freeze")
@_filter_options
@click.option("--name", required=True, help="Up to 120 characters.")
@click.option("--by", "username", required=True, help="The admin or reviewer freezing it.")
def freeze_command(name: str, username: str, **chosen: Any) -> None:
    """Freeze a batch of the approved responses matching the filters."""
    session = db.session()
    chosen_filter = _filters(chosen)
    creator = session.execute(
        select(StaffUser).where(col(StaffUser.username) == username)
    ).scalar_one_or_none()
    if creator is None or creator.role not in ("admin", "reviewer"):
        raise click.ClickException(f"{username!r} is not an admin or reviewer")
    current = Versions().current(session, chosen_filter.questionnaire_id or "")
    assert current is not None  # BATCH filters name a stored questionnaire
    try:
        batch = exports.freeze(
            session,
            name,
            chosen_filter,
            quality.rules_version(screening.settings(current)),
            creator,
        )
    except exports.BatchError as error:
        raise click.ClickException(
            {
                "bad-name": "give the batch a name of 1 to 120 characters",
                "empty": "no approved response matches these filters",
                "no-questionnaire": "choose a questionnaire",
            }.get(error.code, error.code)
        ) from None
    click.echo(f"froze batch {batch.id}: {batch.size} responses, {batch.excluded} excluded")


@export_group.command("list")
def list_command() -> None:
    """List the frozen batches, newest first."""
    for batch in exports.batches(db.session()):
        click.echo(
            f"{batch.id}\t{batch.created_at:%Y-%m-%d %H:%M}\t{batch.questionnaire_id}"
            f"\t{batch.size} responses\t{batch.excluded} excluded\t{batch.name}"
        )


@export_group.command("write")
@click.argument("batch_id", type=int)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--bom", is_flag=True, help="Start the CSV files with a byte order mark (Excel).")
def write_command(batch_id: int, directory: Path, bom: bool) -> None:
    """Write a batch's files and zip into DIRECTORY."""
    session = db.session()
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise click.ClickException(
            f"there is no batch {batch_id} (see: flask fieldwork export list)"
        )
    with _bar(batch.size, f"batch {batch_id}") as progress:
        written = files.files_of(
            session, batch, current_app.config["EXPORTS_DIR"], bom=bom, progress=progress
        )
    directory.mkdir(parents=True, exist_ok=True)
    for name, path in written.items():
        shutil.copyfile(path, directory / name)
        click.echo(str(directory / name))
