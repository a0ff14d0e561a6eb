"""The web layer: the only package that touches the request and the session."""

from __future__ import annotations

from flask import Flask
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
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
        )
        return response
