"""The web layer: the only package that touches the request and the session."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldwork.config import LANGUAGES
from fieldwork.web import (
    batches,
    entry,
    errors,
    labels,
    paper,
    preferences,
    reconcile,
    redirects,
    review,
    sessions,
    shadow_checklist,
    shadow_evidence,
    shadow_log,
    shadow_plans,
    staff,
    survey,
)


def init_app(app: Flask) -> None:
    proxies = app.config["PROXIES"]  # a number: config.check made it one
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.session_interface = sessions.SessionInterface()
    errors.init_app(app)  # first: its encoding check must read the body before CSRF parses it
    CSRFProtect(app)  # every POST, the anonymous survey included
    app.register_blueprint(preferences.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(batches.bp)
    app.register_blueprint(paper.bp)
    app.register_blueprint(entry.bp)
    app.register_blueprint(reconcile.bp)
    app.register_blueprint(shadow_log.bp)
    app.register_blueprint(shadow_plans.bp)
    app.register_blueprint(shadow_evidence.bp)
    app.register_blueprint(shadow_checklist.bp)
    app.jinja_env.globals.update(labels.template_globals())

    @app.context_processor
    def page_globals() -> dict[str, object]:
        return {
            "languages": LANGUAGES,
            "display": preferences.current_display(),
            "here": redirects.here(),
            "staff_user": staff.current_user,
        }

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:  # directly, or by X-Forwarded-Proto from a declared proxy
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in CACHEABLE:
            response.headers["Cache-Control"] = "no-store"
        return response


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # form-action: an injected form cannot post answers elsewhere; base-uri: an injected
    # <base> cannot send relative links and scripts elsewhere; frame-ancestors: no page is
    # framed to trick a click (X-Frame-Options says so to older browsers). The evidence
    # route sends its own, stricter, sandboxed policy: setdefault keeps it.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}

HSTS = "max-age=31536000; includeSubDomains"
"""Sent only on a request that came over HTTPS: on plain HTTP a browser ignores it, and a
development server on http://localhost must stay reachable."""

CACHEABLE = frozenset({"static", "shadow_log.service_worker"})
"""Endpoints whose responses may be kept by a browser or a shared cache: the app's own code
and styles, the same for everyone. Every other response is `no-store`: answers, check-your-
answers, resume codes, every staff page, download and JSON show someone's data, and a page
kept on a shared computer, or by a cache between, would show it to the next person. One
place decides, so a new page is private without anyone remembering to say so."""
