"""`flask fieldwork …` commands, run through Flask's CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

from fieldwork import db
from fieldwork.accounts import service as accounts
from fieldwork.attempts import service as attempts
from fieldwork.config import ROOT
from tests import questionnaires
from tests.conftest import csrf_of


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    """A folder of definitions with problems, and no copy of schema.json for editors."""
    shutil.copy(ROOT / "questionnaires" / "segments.yaml", tmp_path)
    raw = yaml.safe_load((questionnaires.FOLDER / "two_pages.yaml").read_text("utf-8"))
    questions = [q for section in raw["sections"] for q in section["questions"]]
    questions[0]["type"] = "ratng"
    questions[1]["code"] = questions[2]["code"]
    del questions[3]["text"]["zh-Hant"]
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return tmp_path


@pytest.mark.shipped
def test_check_passes_on_the_shipped_files(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["fieldwork", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


@pytest.mark.shipped
def test_check_counts_the_shipped_shadow_definition_and_platforms(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(ROOT / "questionnaires"))
    result = app.test_cli_runner().invoke(args=["fieldwork", "check"])
    assert result.exit_code == 0, result.output
    assert "segments, 1 shadow definition(s), 8 platforms: OK" in result.output


def test_check_names_a_platform_offering_an_unknown_channel(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = yaml.safe_load((ROOT / "questionnaires" / "platforms.yaml").read_text("utf-8"))
    raw["platforms"][0]["channels"].append("carrier_pigeon")
    (tmp_path / "platforms.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["fieldwork", "check"])
    assert result.exit_code != 0
    assert "platforms.yaml: taobao: platform taobao offers unknown channel carrier_pigeon" in (
        result.output
    )


def test_check_lists_every_problem_and_fails(
    app: Flask, broken_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(broken_dir))
    result = app.test_cli_runner().invoke(args=["fieldwork", "check"])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.startswith("broken.yaml: ")]
    assert any("unknown type 'ratng'" in line for line in lines)
    assert any("is used twice" in line for line in lines)
    assert any("has no zh-Hant text" in line for line in lines)


def test_check_names_what_is_wrong_in_a_consistency_check(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "questionnaires" / "segments.yaml", tmp_path)
    raw = yaml.safe_load((questionnaires.FOLDER / "two_pages.yaml").read_text("utf-8"))
    [declared] = raw["consistency"]
    declared["cannot_all_hold"][1] = {"question": "CALLS", "at_least": 51}
    del declared["explanation"]["zh-Hant"]
    (tmp_path / "two_pages.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["fieldwork", "check"])
    assert result.exit_code != 0
    assert result.output.splitlines()[:2] == [
        "two_pages.yaml: consistency: explanation of channel_but_no_contact has no zh-Hant text",
        "two_pages.yaml: consistency: channel_but_no_contact: cannot_all_hold:"
        " CALLS is never at_least 51: its answers stop at 50",
    ]


def test_load_refuses_a_broken_file(
    app: Flask, broken_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(broken_dir))
    result = app.test_cli_runner().invoke(args=["fieldwork", "load"])
    assert result.exit_code != 0


def test_load_twice_changes_nothing(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["fieldwork", "load"])
    assert result.exit_code == 0 and "unchanged" in result.output


def test_load_refuses_changed_content_under_a_loaded_version(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data.csv names a response's version by its label: one label, one text and thresholds."""
    for name in ("schema.json", "segments.yaml"):
        shutil.copy(ROOT / "questionnaires" / name, tmp_path)
    loaded = questionnaires.FOLDER / "two_pages.yaml"  # stored by the suite's app
    raw = yaml.safe_load(loaded.read_text("utf-8"))
    raw["quality"] = {"speeder": {"min_seconds": 150}}
    edited = tmp_path / "two_pages.yaml"
    edited.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(tmp_path))
    refused = app.test_cli_runner().invoke(args=["fieldwork", "load"])
    assert refused.exit_code != 0
    assert f"version {raw['version']} is already loaded with other content" in refused.output


def test_create_user_validates_and_refuses_duplicates(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW", "a long enough password")
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["fieldwork", "create-user", "wang", "--role", "tester", "--password-env", "PW"]
    )
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(
        args=["fieldwork", "create-user", "wang", "--role", "tester", "--password-env", "PW"]
    )
    assert again.exit_code != 0 and "taken" in again.output
    monkeypatch.setenv("PW", "short")
    weak = runner.invoke(
        args=["fieldwork", "create-user", "zhao", "--role", "admin", "--password-env", "PW"]
    )
    assert weak.exit_code != 0 and "at least" in weak.output
    bad_role = runner.invoke(
        args=["fieldwork", "create-user", "zhao", "--role", "king", "--password-env", "PW"]
    )
    assert bad_role.exit_code != 0


def test_links_name_every_language_and_the_elderly_invitation(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["fieldwork", "links"])
    assert result.exit_code == 0
    for fragment in ("lang=zh-Hans", "lang=zh-Hant", "lang=en", "segment=elderly", "/staff/login"):
        assert fragment in result.output


@pytest.mark.parametrize(
    ("username", "password", "words"),
    [
        ("admin\n", "a long enough password", "username"),  # looked like "admin"
        ("zhao", "aaaaaaaaaaaa", "too easy"),
        ("zhao", "abababababab", "too easy"),
        ("zhao.wei", "zhao.wei2026!", "too easy"),
    ],
)
def test_create_user_refuses_lookalike_names_and_guessable_passwords(
    app: Flask, monkeypatch: pytest.MonkeyPatch, username: str, password: str, words: str
) -> None:
    monkeypatch.setenv("PW", password)
    result = app.test_cli_runner().invoke(
        args=["fieldwork", "create-user", username, "--role", "admin", "--password-env", "PW"]
    )
    assert result.exit_code != 0 and words in result.output
    with app.app_context():
        assert not accounts.any_user(db.session())


def test_create_user_names_an_unset_password_variable(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_PW", raising=False)
    result = app.test_cli_runner().invoke(
        args=["fieldwork", "create-user", "zhao", "--role", "admin", "--password-env", "NO_SUCH_PW"]
    )
    assert result.exit_code != 0 and "NO_SUCH_PW is not set" in result.output


# --- managing staff accounts ----------------------------------------------------------------

PASSWORD = "correct horse battery"


def staff_client(app: Flask, username: str = "li.na") -> FlaskClient:
    """A browser signed in as a new admin `username`."""
    with app.app_context():
        accounts.create_user(db.session(), username, PASSWORD, "admin")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert sign_in(client, username, PASSWORD) == 303
    assert client.get("/staff/").status_code == 200
    return client


def sign_in(client: FlaskClient, username: str, password: str) -> int:
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "username": username, "password": password}
    return client.post("/staff/login", data=form).status_code


def fieldwork(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["fieldwork", *args])


def test_set_password_signs_the_user_out_and_only_the_new_one_works(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = staff_client(app)
    monkeypatch.setenv("PW", "a brand new passphrase")
    done = fieldwork(app, "set-password", "li.na", "--password-env", "PW")
    assert done.exit_code == 0 and "signed out everywhere" in done.output
    assert browser.get("/staff/").status_code == 303  # to the sign-in page
    assert sign_in(browser, "li.na", PASSWORD) == 422
    assert sign_in(browser, "li.na", "a brand new passphrase") == 303
    monkeypatch.setenv("PW", "aaaaaaaaaaaa")
    weak = fieldwork(app, "set-password", "li.na", "--password-env", "PW")
    assert weak.exit_code != 0 and "too easy" in weak.output


def test_a_deactivated_user_is_signed_out_and_refused_until_activated(app: Flask) -> None:
    browser = staff_client(app)
    assert fieldwork(app, "deactivate-user", "li.na").exit_code == 0
    assert browser.get("/staff/").status_code == 303
    assert sign_in(browser, "li.na", PASSWORD) == 422
    assert fieldwork(app, "activate-user", "li.na").exit_code == 0
    assert sign_in(browser, "li.na", PASSWORD) == 303


def test_unlock_user_lets_the_owner_in_after_someone_guessed(app: Flask) -> None:
    owner = staff_client(app)
    for _ in range(attempts.LOGIN_PAIR.free):
        sign_in(owner, "li.na", "a wrong guess")
    assert sign_in(owner, "li.na", PASSWORD) == 429
    unlocked = fieldwork(app, "unlock-user", "li.na")
    assert unlocked.exit_code == 0 and "failed sign-ins cleared" in unlocked.output
    assert sign_in(owner, "li.na", PASSWORD) == 303


@pytest.mark.parametrize(
    "command", [["set-password", "ghost"], ["deactivate-user", "ghost"], ["unlock-user", "ghost"]]
)
def test_account_commands_name_an_unknown_user(
    app: Flask, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("PW", "a brand new passphrase")
    result = fieldwork(
        app, *command, *(["--password-env", "PW"] if "password" in command[0] else [])
    )
    assert result.exit_code != 0 and "there is no staff user ghost" in result.output


def test_create_user_refuses_a_name_that_differs_only_in_case(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW", PASSWORD)
    assert (
        fieldwork(app, "create-user", "admin", "--role", "admin", "--password-env", "PW").exit_code
        == 0
    )
    result = fieldwork(app, "create-user", "Admin", "--role", "tester", "--password-env", "PW")
    assert result.exit_code != 0 and "differ only in case" in result.output
