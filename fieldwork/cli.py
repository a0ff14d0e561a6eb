"""`flask fieldwork …`: check definitions, migrate, load, create staff, manage translations.

Commands parse their arguments, call one service and report; they exit
non-zero on any problem so scripts and CI can rely on them.
"""

from __future__ import annotations

import getpass
import os
import secrets
import tomllib
from collections.abc import Callable
from pathlib import Path

import click
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask, current_app
from flask.cli import AppGroup

from fieldwork import catalog, db
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import ROLES, StaffUser
from fieldwork.cli_batches import export_group, quality_group
from fieldwork.cli_paper import paper_group
from fieldwork.cli_shadow import shadow_group
from fieldwork.config import LANGUAGES, ROOT
from fieldwork.definitions import service as definitions
from fieldwork.i18n import babel_id
from fieldwork.questionnaire.loader import Catalog
from fieldwork.questionnaire.problems import Problem
from fieldwork.responses import purge

group = AppGroup("fieldwork", help="Fieldwork administration.")
translations = AppGroup("translations", help="Extract, update and compile UI catalogs (pybabel).")
group.add_command(translations)

TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
CATALOG_LOCALES = [babel_id(tag) for tag in LANGUAGES if tag != "en"]
"""English is the source language of UI strings, so it needs no catalog."""


def init_app(app: Flask) -> None:
    group.add_command(quality_group)
    group.add_command(export_group)
    group.add_command(paper_group)
    group.add_command(shadow_group)
    app.cli.add_command(group)


def _catalog() -> Catalog:
    return catalog.read_definitions(Path(current_app.config["QUESTIONNAIRES_DIR"]))


def ui_strings(source: Path = ROOT / "fieldwork") -> list[str | tuple[str, ...]]:
    """Every UI string the code and templates use, found as `translations extract` finds them.

    Read from the source, not from messages.pot: a string added without running `extract`
    is in no catalog either, and would be shown in English on every page.
    """
    mappings = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["babel"]
    method_map = [(m["pattern"], m["method"]) for m in mappings["mappings"]]
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found = extract_from_dir(str(source), method_map, keywords=keywords)
    return list(dict.fromkeys(message for _file, _line, message, _notes, _context in found))


def catalog_problems(
    translations_dir: Path = TRANSLATIONS, source: Path = ROOT / "fieldwork"
) -> list[Problem]:
    """UI strings missing from a shipped locale's catalog."""
    problems: list[Problem] = []
    wanted = ui_strings(source)
    for locale in CATALOG_LOCALES:
        path = translations_dir / locale / "LC_MESSAGES" / "messages.po"
        name = str(path.relative_to(translations_dir.parent))
        if not path.exists():
            problems.append(Problem(name, "-", "missing-catalog", f"no catalog for {locale}"))
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for msgid in wanted:
            message = catalog.get(msgid)
            strings = message.string if message else ""
            translated = all(strings) if isinstance(strings, tuple) else bool(strings)
            if message is None or not translated or message.fuzzy:
                key = msgid if isinstance(msgid, str) else msgid[0]
                problems.append(
                    Problem(
                        name, "-", "missing-translation", f"no {locale} translation for {key!r}"
                    )
                )
    return problems


@group.command("check")
def check_command() -> None:
    """Check every questionnaire and shadow definition, segments.yaml, platforms.yaml and
    the UI catalogs; list every problem."""
    catalog = _catalog()
    problems = catalog.problems + catalog_problems()
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    counts = [
        f"{len(catalog.questionnaires)} questionnaire(s)",
        f"{len(catalog.segments)} segments",
    ]
    if catalog.shadows:  # named only in a folder that has them, as the shipped one does
        counts.append(f"{len(catalog.shadows)} shadow definition(s)")
    if catalog.platforms.platforms:
        counts.append(f"{len(catalog.platforms.platforms)} platforms")
    click.echo(", ".join(counts) + ": OK")


@group.command("migrate")
def migrate_command() -> None:
    """Apply database migrations."""
    db.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@group.command("load")
def load_command() -> None:
    """Check the questionnaire files and store their versions; refuses if any has a problem."""
    catalog = _catalog()
    if catalog.problems:
        for problem in catalog.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("fix these problems first (flask fieldwork check)")
    try:
        stored = definitions.store(db.session(), catalog.stored())
    except definitions.VersionClash as clash:
        raise click.ClickException(str(clash)) from None
    for questionnaire, new in stored:
        state = "loaded" if new else "unchanged"
        click.echo(
            f"{questionnaire.id} {questionnaire.version} {questionnaire.content_hash[:12]}: {state}"
        )


_PASSWORD_ENV = click.option(
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable instead of prompting.",
)


def _password(password_env: str | None) -> str:
    if password_env:
        if password_env not in os.environ:
            raise click.ClickException(f"the environment variable {password_env} is not set")
        return os.environ[password_env]
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        raise click.ClickException("the passwords differ")
    return password


def _account_change(change: Callable[[], StaffUser], done: str) -> None:
    try:
        user = change()
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.username}: {done}")


@group.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@_PASSWORD_ENV
def create_user_command(username: str, role: str, password_env: str | None) -> None:
    """Create a staff user with a role."""
    password = _password(password_env)
    _account_change(
        lambda: accounts.create_user(db.session(), username, password, role),
        f"created with the role {role}",
    )


@group.command("set-password")
@click.argument("username")
@_PASSWORD_ENV
def set_password_command(username: str, password_env: str | None) -> None:
    """Give a staff user a new password; their open sessions end."""
    password = _password(password_env)
    _account_change(
        lambda: accounts.set_password(db.session(), username, password),
        "new password set; signed out everywhere",
    )


@group.command("deactivate-user")
@click.argument("username")
def deactivate_user_command(username: str) -> None:
    """Stop a staff user signing in; their open sessions end. Their work stays."""
    _account_change(
        lambda: accounts.set_active(db.session(), username, False),
        "deactivated; signed out everywhere",
    )


@group.command("activate-user")
@click.argument("username")
def activate_user_command(username: str) -> None:
    """Let a deactivated staff user sign in again."""
    _account_change(lambda: accounts.set_active(db.session(), username, True), "active")


@group.command("unlock-user")
@click.argument("username")
def unlock_user_command(username: str) -> None:
    """Clear the failed sign-ins that hold an account back after too many wrong passwords."""
    _account_change(lambda: accounts.unlock(db.session(), username), "failed sign-ins cleared")


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be deleted; delete nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete drafts never submitted and untouched for longer than a resume code lives,
    expired staff sessions and failed attempts no limit reads. Responses, submitted
    drafts, the audit log and batches are never touched."""
    counts = purge.purge(db.session(), current_app.config["RESUME_DAYS"], dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    for name, count in counts.items():
        click.echo(f"{verb} {count} {name}")


@group.command("create-admin")
def create_admin_command() -> None:
    """Create the first admin with a random password if there is no staff user yet."""
    path = Path(current_app.instance_path) / "admin-password"
    if accounts.any_user(db.session()):
        if path.exists():
            click.echo(f"staff sign-in: admin, password in {path}")
        return
    password = secrets.token_urlsafe(12)
    accounts.create_user(db.session(), "admin", password, "admin")
    # Private from the start: written first and chmod-ed after, it was readable by every
    # local user for a moment.
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(handle, 0o600)  # a file left from before keeps its mode otherwise
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    click.echo(f"created staff user admin with password {password} (kept in {path})")


@group.command("links")
@click.option("--base", default="http://127.0.0.1:5000", show_default=True)
def links_command(base: str) -> None:
    """Print the links a person needs: the survey per language, invitations, staff sign-in."""
    ids = definitions.Versions().ids(db.session())
    for qid in ids:
        click.echo(f"Survey {qid}:")
        for tag in LANGUAGES:
            click.echo(f"  {tag:8} {base}/s/{qid}/?lang={tag}")
        invitation = f"{base}/s/{qid}/?segment=elderly&campaign=demo&wave=1"
        click.echo(f"  elderly invitation (large text): {invitation}")
    click.echo(f"Continue with a resume code: {base}/resume")
    click.echo(f"Staff sign-in: {base}/staff/login")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


@translations.command("extract")
def extract_command() -> None:
    """Collect UI strings from code and templates into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "pyproject.toml"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--project",
        "fieldwork",
        "-o",
        str(TEMPLATE),
        str(ROOT / "fieldwork"),
    )
    click.echo(f"wrote {TEMPLATE.relative_to(ROOT)}")


@translations.command("update")
def update_command() -> None:
    """Merge the template into every catalog (new locales are created)."""
    for locale in CATALOG_LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        verb = "update" if po.exists() else "init"
        _pybabel(verb, "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", locale, "--no-wrap")
    click.echo("catalogs updated")


@translations.command("compile")
def compile_command() -> None:
    """Build the .mo files the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")
    click.echo("catalogs compiled")
