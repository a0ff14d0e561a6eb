"""303 See Other: where a form post, or a page the browser cannot see now, sends it next.

Flask's `redirect` adds a small HTML page for clients that do not follow redirects;
every browser follows a 303, and the page cost a second write to the socket on the
busiest request there is (submit). So the body is empty.
"""

from __future__ import annotations

from flask import Response


def see_other(location: str) -> Response:
    """A 303 to `location` with no body."""
    return Response(status=303, headers={"Location": location})
