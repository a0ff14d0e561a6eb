"""Language and display settings: chosen on any page, remembered, presettable by link."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, request, session

from fieldwork.config import LANGUAGES
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


def current_display() -> Display:
    size = session.get("size")
    return Display(
        size=size if size in SIZES else "standard",
        contrast=session.get("contrast") is True,
    )


def apply_display(size: str | None, contrast: str | None) -> None:
    """Remember display settings given as query values; unknown values are ignored."""
    if size in SIZES:
        session["size"] = size
    if contrast in ("on", "off"):
        session["contrast"] = contrast == "on"


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything pointing off-site becomes the home page."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.get("/language/<tag>")
def language(tag: str) -> Response:
    if tag not in LANGUAGES:
        abort(404)
    session["lang"] = tag
    session.permanent = True
    return see_other(safe_next(request.args.get("next")))


@bp.get("/display")
def display() -> Response:
    apply_display(request.args.get("size"), request.args.get("contrast"))
    session.permanent = True
    return see_other(safe_next(request.args.get("next")))
