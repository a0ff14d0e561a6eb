"""The session cookie: signed, HttpOnly, SameSite=Lax, and Secure whenever served over https."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Flask marks the cookie Secure only if told to in config, which a deployment behind
    https easily forgets: the cookie holding a staff login then also went out over any
    plain-http request to the same host. A request that came over https (directly, or
    through a declared proxy's X-Forwarded-Proto) now always gets a Secure cookie."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)
