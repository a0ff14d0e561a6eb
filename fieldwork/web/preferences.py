"""Language and display settings: chosen on any page, remembered, presettable by link.

A choice made here beats whatever an invitation link presets, for the rest of the
session, as the language does: the session keeps the two apart (`size`, `contrast`
chosen; `link_size`, `link_contrast` preset). The display is also kept with the drafts
this browser holds, so resuming one elsewhere shows it as it was left.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, request, session

from fieldwork import db
from fieldwork.config import LANGUAGES
from fieldwork.responses import service
from fieldwork.web.redirects import see_other

bp = Blueprint("preferences", __name__, url_prefix="/settings")

SIZES = ("standard", "large", "x-large")


@dataclass(frozen=True)
class Display:
    size: str = "standard"
    contrast: bool = False

    @property
    def large(self) -> bool:
        """Large and extra large text show one question per page and nothing that pops up."""
        return self.size != "standard"

    @property
    def css_classes(self) -> str:
        classes = [f"size-{self.size}"]
        if self.contrast:
            classes.append("contrast-high")
        return " ".join(classes)

    def stored(self) -> dict[str, str]:
        """As a draft keeps it, in the words of the paradata and the export columns."""
        return {"text_size": self.size, "contrast": "high" if self.contrast else "standard"}


def current_display() -> Display:
    """The display chosen, else the one an invitation link preset, else standard."""
    size = next((s for s in (session.get("size"), session.get("link_size")) if s in SIZES), None)
    contrast = session.get("contrast", session.get("link_contrast"))
    return Display(size=size or "standard", contrast=contrast is True)


def apply_link_display(size: str | None, contrast: str | None) -> None:
    """Presets from an invitation link (query values); unknown values are ignored. They
    show only where nothing was chosen."""
    with _kept_with_drafts():
        if size in SIZES:
            session["link_size"] = size
        if contrast in ("on", "off"):
            session["link_contrast"] = contrast == "on"


def choose_display(size: str | None, contrast: str | None) -> None:
    """Settings the person chose (query values): they beat any link's from now on."""
    with _kept_with_drafts():
        _choose(size, contrast)


def restore_display(stored: Any) -> None:
    """The display a resumed draft was left in (`Display.stored`), as if chosen here."""
    if isinstance(stored, str):  # drafts started before the contrast was kept: a size
        stored = {"text_size": stored}
    if isinstance(stored, Mapping):
        contrast = {"high": "on", "standard": "off"}.get(str(stored.get("contrast")))
        _choose(stored.get("text_size"), contrast)


def _choose(size: str | None, contrast: str | None) -> None:
    if size in SIZES:
        session["size"] = size
    if contrast in ("on", "off"):
        session["contrast"] = contrast == "on"


@contextmanager
def _kept_with_drafts() -> Iterator[None]:
    """Store the display with this browser's open drafts if the block changed it."""
    before = current_display()
    yield
    after = current_display()
    drafts = session.get("drafts") or {}  # questionnaire id -> draft id, kept by survey.py
    if after != before and drafts:
        service.keep_display(db.session(), list(drafts.values()), after.stored())


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything else becomes the home page. Read as text, not
    parsed: a URL parser raises on some hostile values ("http://[x"), and a browser reads
    "/\\host" as "//host", off-site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target if target.isprintable() else "/"  # a tab or newline: browsers drop them


@bp.get("/language/<tag>")
def language(tag: str) -> Response:
    if tag not in LANGUAGES:
        abort(404)
    session["lang"] = tag
    session.permanent = True
    return see_other(safe_next(request.args.get("next")))


@bp.get("/display")
def display() -> Response:
    choose_display(request.args.get("size"), request.args.get("contrast"))
    session.permanent = True
    return see_other(safe_next(request.args.get("next")))
