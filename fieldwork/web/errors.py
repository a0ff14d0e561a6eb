"""Error pages in the user's language: every 4xx a page that says what to do, never a 500.

The handler itself must not fail, whatever the request holds: what it reads from the
request is read defensively, a page that cannot be rendered (a Host header Werkzeug
refuses leaves no URL adapter for the template's links) falls back to a fixed page, and
an error that escapes Flask altogether is answered at the WSGI level by the same fixed
page with strict security headers instead of the server's bare 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from html import escape
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from fieldwork.web.redirects import here

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

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
    500: _l("Try again later."),
}
"""A 500's words say only what is known. What a failed request did is known only by where
it was sent (SERVER_ERROR_WORDS); anything else is not claimed."""

SERVER_ERROR_WORDS = {
    ("survey.page", "POST"): _l(
        "The answers of the pages before this one were saved; the answers on this page "
        "may not have been. Try again later."
    ),
    ("survey.submit", "POST"): _l(
        "Your answers may not have been sent. Try again later: go back to the check page "
        "and send them again."
    ),
}
"""Per (endpoint, method) that saves what a respondent sent, the truth about it after a
failure: the drafts of earlier pages were committed by earlier requests, this one's
transaction may or may not have been."""
CHANGED_MAYBE = _l("What you just sent may not have been saved. Check it, then try again later.")
"""Any other request that may change something (POST and the like)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number in a path names nothing."""

FIXED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1><p>{detail}</p><p><a href="/">Home</a></p></main></body></html>
"""
"""The page answered when the app's own cannot be rendered: no template, no URL building,
no translation machinery that could fail again."""
FIXED_TITLES = {400: "Bad request", 404: "Page not found", 500: "Server error"}
FIXED_DETAIL = "Something went wrong with this request. Go back and try again later."
FIXED_HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
    (
        "Content-Security-Policy",
        "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
)
"""Stricter than the app's own: the fixed page needs nothing, not even its stylesheet."""


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
    """The error page in the user's language, or the fixed page if that cannot be made:
    an error page that fails would leave the server's bare 500, without headers."""
    try:
        return render_template(
            "errors/error.html",
            status=status,
            title=str(TITLES.get(status, TITLES[400])),
            detail=detail or str(MESSAGES.get(status, MESSAGES[400])),
            links=links or [],
            back=_came_from(),
        ), status
    except Exception:  # whatever broke, the answer must still be a page
        log.exception("the error page could not be rendered; the fixed page was sent")
        return fixed_page(status), status


def fixed_page(status: int) -> str:
    """The fixed page for a status, in English: the language machinery may be what failed."""
    title = FIXED_TITLES.get(status, FIXED_TITLES[500 if status >= 500 else 400])
    return FIXED_PAGE.format(title=escape(title), detail=escape(FIXED_DETAIL))


def _came_from() -> str | None:
    """The page of this site the request came from, for the Back link the error page's
    words ask for (the browser's own Back may resubmit a form); None from elsewhere, and
    None from a Referer or Host that cannot be read (`http://[x` is no URL)."""
    try:
        parts = urlsplit(request.referrer or "")
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return path if path.startswith("/") and path != here() else None
    except ValueError:
        return None


def server_error_words() -> str:
    """What a 500 can truthfully tell the user, from where the request was sent."""
    try:
        method = request.method
        known = SERVER_ERROR_WORDS.get((request.endpoint or "", method))
    except Exception:  # a request too broken to read: claim nothing
        return str(MESSAGES[500])
    if known is not None:
        return str(known)
    return str(MESSAGES[500] if method in SAFE_METHODS else CHANGED_MAYBE)


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
    bound_path_integers(app)
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
        return render_error(500, server_error_words())

    app.wsgi_app = LastResort(app.wsgi_app)  # type: ignore[method-assign]


class BoundedInteger(IntegerConverter):
    """An id in a path: a number no id column can hold matches no route (404), instead of
    reaching the database, where SQLite overflows on 2**63 and PostgreSQL on 2**31."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def bound_path_integers(app: Flask) -> None:
    """Every `<int:…>` of the routes registered after this call is a BoundedInteger."""
    app.url_map.converters["int"] = BoundedInteger


class LastResort:
    """Around the whole app: an exception that escapes Flask's own handling (an error page
    that failed while Flask was already handling an error) is answered with the fixed 500
    page and strict security headers, never the server's bare 500."""

    def __init__(self, wrapped: WSGIApplication) -> None:
        self.wrapped = wrapped

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.wrapped(environ, start_response)
        except Exception:  # the last line: nothing may reach the server
            log.exception("an error escaped the app's handlers; the fixed page was sent")
            body = fixed_page(500).encode()
            headers = [*FIXED_HEADERS, ("Content-Length", str(len(body)))]
            start_response("500 INTERNAL SERVER ERROR", headers, None)
            return [body]
