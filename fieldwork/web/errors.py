"""Error pages in the user's language: every 4xx a page that says what to do, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fieldwork.web.redirects import here

F = TypeVar("F", bound=Callable[..., Any])

TITLES = {
    400: _l("Something in this request is not right"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This page cannot be used that way"),
    409: _l("This could not be saved"),
    413: _l("What you sent is too large"),
    500: _l("Sorry, there is a problem with the service"),
}
MESSAGES = {
    400: _l("The page may be out of date. Go back, reload the page and try again."),
    403: _l("Sign in with an account that has access, or go back."),
    404: _l("Check the address, or go back to the start."),
    405: _l("Go back and use the buttons on the page."),
    409: _l("Go back and try again."),
    413: _l("Make your answer shorter and try again."),
    500: _l("Your answers so far are saved. Try again later."),
}


class ClientError(HTTPException):
    """A 4xx with a sentence for the user, raised by views only."""

    def __init__(self, status: int, detail: str, links: list[tuple[str, str]] | None = None):
        super().__init__(detail)
        self.code = status
        self.detail = detail
        self.links = links or []


def render_error(
    status: int, detail: str | None = None, links: list[tuple[str, str]] | None = None
) -> tuple[str, int]:
    return render_template(
        "errors/error.html",
        status=status,
        title=str(TITLES.get(status, TITLES[400])),
        detail=detail or str(MESSAGES.get(status, MESSAGES[400])),
        links=links or [],
        back=_came_from(),
    ), status


def _came_from() -> str | None:
    """The page of this site the request came from, for the Back link the error page's
    words ask for (the browser's own Back may resubmit a form); None from elsewhere."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and path != here() else None


def takes_files(limit: int) -> Callable[[F], F]:
    """Mark a view whose multipart body carries a file of up to `limit` bytes: its body is
    allowed that size (and a little for the form around it), and is binary, so only its
    address is checked for encoding here (the view reads its few text fields itself)."""

    def mark(view: F) -> F:
        view.upload_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def _upload_limit() -> int | None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "upload_limit", None)
    return limit if isinstance(limit, int) and request.mimetype == "multipart/form-data" else None


def reject_bad_encoding() -> tuple[str, int] | None:
    """Refuse a query or form body that is not valid UTF-8, or holds a NUL character, before
    anything reads it.

    Werkzeug would read invalid bytes in a multipart body as U+FFFD and the answer would be
    stored mangled; only views marked `takes_files` take a file, so any other such body is
    text through and through.
    No keyboard types a NUL, and PostgreSQL can neither store nor compare one: a username,
    batch filter or address holding one failed there with a 500.
    """
    limit = _upload_limit()
    if limit is not None:
        request.max_content_length = limit + 64 * 1024
    try:
        sent = [unquote_to_bytes(request.query_string).decode("utf-8"), request.path]
        if request.mimetype == "application/x-www-form-urlencoded":
            sent.append(unquote_to_bytes(request.get_data(cache=True)).decode("utf-8"))
        elif request.mimetype == "multipart/form-data" and limit is None:
            sent.append(request.get_data(cache=True).decode("utf-8"))
    except UnicodeDecodeError:
        return render_error(400, _("The text sent was not valid UTF-8. Go back and type it again."))
    if any("\x00" in text for text in sent):
        return render_error(
            400,
            _("The text sent held a character that cannot be stored. Go back and type it again."),
        )
    return None


def init_app(app: Flask) -> None:
    app.before_request(reject_bad_encoding)

    @app.errorhandler(ClientError)
    def client_error(error: ClientError) -> tuple[str, int]:
        return render_error(error.code or 400, error.detail, error.links)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _(
                "This form had expired or was sent from elsewhere, so nothing was saved. "
                "Go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(500)
