"""Where the browser goes next: 303 See Other, and the page to come back to.

Flask's `redirect` adds a small HTML page for clients that do not follow redirects;
every browser follows a 303, and the page cost a second write to the socket on the
busiest request there is (submit). So the body is empty.
"""

from __future__ import annotations

from flask import Response, request


def see_other(location: str) -> Response:
    """A 303 to `location` with no body."""
    return Response(status=303, headers={"Location": location})


def here() -> str:
    """This page's path and query: where a settings link or a sign-in brings the user back
    to."""
    return request.full_path.rstrip("?")
