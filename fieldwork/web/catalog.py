"""The app's view of definitions: stored questionnaire versions and the segments file."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from fieldwork.definitions.service import Versions
from fieldwork.questionnaire.loader import SEGMENTS_FILE, load_directory, read_segments
from fieldwork.questionnaire.segments import Segment


def versions() -> Versions:
    found: Versions = current_app.extensions.setdefault("fieldwork.versions", Versions())
    return found


def segments() -> list[Segment]:
    """Segments from segments.yaml, read once per process."""
    if "fieldwork.segments" not in current_app.extensions:
        directory = Path(current_app.config["QUESTIONNAIRES_DIR"])
        raws = {q.id: q.definition for q in load_directory(directory).questionnaires.values()}
        found, _problems = read_segments(directory / SEGMENTS_FILE, raws)
        current_app.extensions["fieldwork.segments"] = found
    loaded: list[Segment] = current_app.extensions["fieldwork.segments"]
    return loaded


def segment(code: str) -> Segment | None:
    return next((s for s in segments() if s.code == code), None)
