"""One filter everywhere: the queue, the batch page and `flask fieldwork export` refuse the
same input with the same problem and words, and hostile input is a clear 4xx."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import textwrap
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.responses import filters
from fieldwork.responses.filters import Problem
from tests.conftest import csrf_of
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import add_response, fast_password_hashing, sign_in, staff
from tests.test_pure_cores import ROOT

USERNAME = "reviewer.chen"


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)


@pytest.fixture
def reviewer(app: Flask, client: FlaskClient) -> int:
    user = staff(app, USERNAME)
    sign_in(client, USERNAME)
    client.get("/settings/language/en")
    return user


SAME_BAD_INPUT = [
    ({"from": "2026-11-31"}, Problem(filters.NOT_A_DAY, "from")),
    ({"to": "9999-12-31"}, Problem(filters.DAY_OUT_OF_RANGE, "to", filters.DAY_LIMITS)),
    (
        {"from": "2026-12-01", "to": "2026-11-01"},
        Problem(filters.FROM_AFTER_TO, "from"),
    ),
    ({"segment": "martians"}, Problem(filters.UNKNOWN_SEGMENT, "segment", {"value": "martians"})),
    ({"mode": "fax"}, Problem(filters.UNKNOWN_MODE, "mode", {"value": "fax"})),
]


def error_next_to(page: str, field_id: str) -> str:
    """The words of the error message shown next to a field."""
    found = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert found, f"no error next to {field_id}"
    words = re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", words)).strip()


@pytest.mark.parametrize(("sent", "problem"), SAME_BAD_INPUT)
def test_queue_batch_page_and_cli_refuse_the_same_input_in_the_same_words(
    app: Flask, client: FlaskClient, reviewer: int, sent: dict[str, str], problem: Problem
) -> None:
    words = problem.words()
    query = urlencode({"questionnaire": SURVEY.id, **sent})
    queue = client.get(f"/staff/review/?{query}")
    assert queue.status_code == 400
    assert error_next_to(queue.text, f"f-{problem.field}") == words
    batch = client.get(f"/staff/batches/preview?{query}")
    assert batch.status_code == 400
    assert error_next_to(batch.text, f"b-{problem.field}") == words
    options = [part for key, value in sent.items() for part in (f"--{key}", value)]
    command = app.test_cli_runner().invoke(
        args=["fieldwork", "export", "preview", "--questionnaire", SURVEY.id, *options]
    )
    assert command.exit_code != 0
    assert f"--{problem.field}: {words}" in command.output


def test_a_problem_comes_back_in_the_users_language_next_to_its_field(
    client: FlaskClient, reviewer: int
) -> None:
    client.get("/settings/language/zh-Hant")
    page = client.get("/staff/review/?segment=martians&status=pending").text
    assert error_next_to(page, "f-segment") == "沒有「martians」這個使用者族群，請從清單中選擇。"
    assert 'href="#f-segment"' in page  # the summary leads to it
    assert re.search(r'<option value="pending"\s+selected', page)  # the other choice kept


def test_a_batch_form_comes_back_with_a_problem_at_its_fieldset_and_the_choices_kept(
    client: FlaskClient, reviewer: int
) -> None:
    query = f"questionnaire={SURVEY.id}&segment=parents&segment=martians&mode=paper&wave=w1"
    page = client.get(f"/staff/batches/preview?{query}")
    assert page.status_code == 400
    assert 'id="b-segment"' in page.text and 'href="#b-segment"' in page.text
    assert 'name="segment" value="parents" checked' in page.text
    assert 'name="mode" value="paper" checked' in page.text
    assert 'name="wave" value="w1"' in page.text


def test_the_cli_lists_what_an_unknown_value_could_be(app: Flask) -> None:
    command = app.test_cli_runner().invoke(
        args=["fieldwork", "export", "preview", "--questionnaire", "nope", "--mode", "fax"]
    )
    assert command.exit_code != 0
    lines = command.output.splitlines()
    assert lines[0].startswith("Error: --questionnaire: There is no questionnaire “nope”")
    listed = lines[0].rsplit("(", 1)[1].rstrip(")").split(", ")
    assert SURVEY.id in listed and listed == sorted(listed)
    assert lines[1] == (
        "--mode: There is no mode “fax”: choose one from the list. (online, paper, shadow)"
    )


def test_an_over_long_campaign_is_shown_next_to_it(client: FlaskClient, reviewer: int) -> None:
    page = client.get(f"/staff/batches/preview?questionnaire={SURVEY.id}&campaign={'c' * 5000}")
    assert page.status_code == 400
    assert error_next_to(page.text, "b-campaign") == "Shorten this to 64 characters or fewer."


HOSTILE_QUERIES = [
    "segment=" + "x" * 100_000,
    "from=" + "9" * 10_000,
    "questionnaire=" + "q" * 100_000,
    "status=pending&status=" + "&status=".join(f"junk{i}" for i in range(2_000)),
    "from=2026-11-01&from=2026-11-02",
    "questionnaire=a&questionnaire=b",
    "mode=%F0%9F%99%82",
    "segment=%E2%80%AEsdrawkcab",
    "flag=%25%22code%22",
    "to=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-13-01",
]


@pytest.mark.parametrize("page", ["/staff/review/", "/staff/batches/preview"])
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_filters_get_a_clear_400_never_a_500(
    client: FlaskClient, reviewer: int, page: str, query: str
) -> None:
    answer = client.get(f"{page}?{query}")
    assert answer.status_code == 400, query[:80]
    assert 'class="error-summary"' in answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("query", ["%FF%FE=1", "segment=%C3%28", "from=%ED%A0%80"])
def test_filters_that_are_not_utf8_are_refused_before_anything_reads_them(
    client: FlaskClient, reviewer: int, query: str
) -> None:
    for page in ("/staff/review/", "/staff/batches/preview"):
        answer = client.get(f"{page}?{query}")
        assert answer.status_code == 400 and "not valid UTF-8" in answer.text


def test_keys_that_are_no_filter_are_ignored(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    add_response(app)
    junk = "page=abc&sort=id%3Bdrop&version=zzz&campaign=x&name=y&csrf_token=t"
    assert client.get(f"/staff/review/?{junk}").status_code == 200
    query = f"questionnaire={SURVEY.id}&status=deleted&flag=none&page=2&bom=1"
    assert client.get(f"/staff/batches/preview?{query}").status_code == 200


def test_a_bulk_form_with_filters_edited_to_nonsense_is_refused_as_a_whole(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    add_response(app)
    queue = client.get("/staff/review/").text
    form = {"csrf_token": csrf_of(queue), "scope": "filter", "seen": "1.1"}
    form |= {"status": "approved", "reason": "valid", "filter-segment": "martians"}
    refused = client.post("/staff/review/bulk", data=form)
    assert refused.status_code == 400 and "Traceback" not in refused.text


PROBE = textwrap.dedent(
    """
    import importlib, pathlib, sys

    root = pathlib.Path(sys.argv[1])
    names = ["fieldwork.cli_batches", "fieldwork.responses.filters"] + [
        ".".join(p.relative_to(root).with_suffix("").parts)
        for p in sorted((root / "fieldwork").rglob("service.py"))
    ]
    for name in names:
        importlib.import_module(name)
    leaked = sorted(m for m in sys.modules if m.startswith("fieldwork.web"))
    assert names and not leaked, f"{names} import {leaked}"
    """
)


def test_the_cli_and_the_services_import_nothing_from_the_web() -> None:
    """The command line and the services word their own problems: `fieldwork.web` is the
    pages' layer, and importing it would tie a command to Flask-Babel's request locale."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
