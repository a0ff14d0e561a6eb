"""Fieldwork: survey and mystery-shopper fieldwork for after-sales service evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork import config, private

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, i18n, CSRF, blueprints and CLI."""
    # Imported here so that importing a pure core (fieldwork.questionnaire, …) loads no Flask.
    from flask import Flask

    app = Flask(
        __name__,
        instance_path=str(config.ROOT / "instance"),
        static_folder=str(config.ROOT / "static"),
        instance_relative_config=True,
    )
    instance = Path(app.instance_path)
    app.config.update(config.defaults(instance))
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.check(app.config)
    for name, key in (("SECRET_KEY", "secret_key"), ("IP_HASH_KEY", "ip_hash_key")):
        if not app.config.get(name):
            app.config[name] = config.instance_secret(instance, key)
    private.tighten(config.kept_private(instance, app.config))

    from fieldwork import cli, db, i18n, web

    db.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
