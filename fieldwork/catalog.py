"""The app's view of definitions: stored questionnaire versions, the segments file, and
the automatic review their rules drive."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlmodel import Session

from fieldwork.definitions.reading import read_folder
from fieldwork.definitions.service import Versions
from fieldwork.paper.fonts import glyph_problems
from fieldwork.questionnaire.loader import (
    PLATFORMS_FILE,
    SEGMENTS_FILE,
    Catalog,
    read_platforms,
    read_segments,
)
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.platforms import Platforms
from fieldwork.questionnaire.segments import Segment
from fieldwork.responses import filters
from fieldwork.review.screening import Policy, Screener


def read_definitions(directory: Path) -> Catalog:
    """Every definition in `directory`, with every check the app applies, as `flask
    fieldwork check` and `load` read them: the quality settings', and that the shipped
    fonts can print every character of a survey's text (`paper.fonts`)."""
    return read_folder(directory, (glyph_problems,))


def versions() -> Versions:
    found: Versions = current_app.extensions.setdefault("fieldwork.versions", Versions())
    return found


def screener() -> Screener:
    """The automatic review run at submit, one per app (it keeps the medians it read)."""
    found: Screener | None = current_app.extensions.get("fieldwork.screener")
    if found is None:  # built once: setdefault would build (and drop) one every submit
        found = Screener(Policy.from_config(current_app.config), _current)
        current_app.extensions["fieldwork.screener"] = found
    return found


def _current(session: Session, questionnaire_id: str) -> Questionnaire | None:
    """The version whose thresholds judge a submission: the current one."""
    return versions().current(session, questionnaire_id)


def platforms() -> Platforms:
    """Platforms and channels from platforms.yaml, read once per process (none if the
    folder has no such file, or it has problems: `flask fieldwork check` reports them)."""
    if "fieldwork.platforms" not in current_app.extensions:
        path = Path(current_app.config["QUESTIONNAIRES_DIR"]) / PLATFORMS_FILE
        found = read_platforms(path)[0] if path.exists() else Platforms()
        current_app.extensions["fieldwork.platforms"] = found
    loaded: Platforms = current_app.extensions["fieldwork.platforms"]
    return loaded


def segments() -> list[Segment]:
    """Segments from segments.yaml, read once per process."""
    if "fieldwork.segments" not in current_app.extensions:
        directory = Path(current_app.config["QUESTIONNAIRES_DIR"])
        raws = {q.id: q.definition for q in read_folder(directory).questionnaires.values()}
        found, _problems = read_segments(directory / SEGMENTS_FILE, raws)
        current_app.extensions["fieldwork.segments"] = found
    loaded: list[Segment] = current_app.extensions["fieldwork.segments"]
    return loaded


def segment(code: str) -> Segment | None:
    return next((s for s in segments() if s.code == code), None)


def filter_values(session: Session) -> filters.Known:
    """What the queue's, the batch page's and the CLI's filters can name in this app."""
    zone = str(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return filters.known(session, [s.code for s in segments()], zone)
