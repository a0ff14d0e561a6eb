"""Every route the app serves, found in `app.url_map` (so a route added later is fuzzed too,
or fails here for want of a recipe), driven blueprint by blueprint as each role: its path
arguments real or hostile, its query and form fields (`routes.ROUTES`) hostile, with a
valid CSRF token so the form is read. No answer may be a server error or lack the
security headers; a refused request (4xx) may add or remove no row but in the tables that
record refusals (`world.RECORDS_REFUSALS`).
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session
from werkzeug.routing import Rule

from fieldwork.web.shadow_checklist import FILE_FIELD
from tests.review.factories import fast_password_hashing
from tests.shadow.submitted import png
from tests.web.fuzz.hostile import BOUNDARY, SETTINGS, check, fields, headers, value, with_headers
from tests.web.fuzz.routes import ROUTES, SERVES, Recipe
from tests.web.fuzz.world import RECORDS_REFUSALS, ROLES, World, built

JSON = "application/json"
BLUEPRINTS = sorted({endpoint.partition(".")[0] for endpoint in ROUTES})
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
"""A path argument in a rule: its converter (none: a string) and its name."""
RESET = frozenset({"staff.login", "staff.logout", "survey.submit"})
"""Routes after which the role's client is made afresh: they sign in or out, or end the draft."""

IDS = [0, 1, -1, 2**31 - 1, 2**31, 2**63, 10**30]
"""Ids on the edges of the int converter and of the columns."""
hostile_segment = st.one_of(st.sampled_from(BOUNDARY), value, st.text(max_size=300))
FILES = [
    b"",
    png(),
    png()[:40],  # a PNG cut short
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b"GIF89a" + b"\xff" * 32,
    b"<svg onload=alert(1)>",
    b"%PDF-1.7\n",
    b"\xff\xd8\xff" + b"\x00" * 100,  # a JPEG's start only
]
FILE_NAMES = [
    "x.png",
    "",
    "../../etc/passwd",
    "a\x00.png",
    "😀.png",
    "x" * 2000,
    "CON",
    "a.png.exe",
]
upload = st.tuples(
    st.one_of(st.sampled_from(FILES), st.binary(max_size=2048)),
    st.one_of(st.sampled_from(FILE_NAMES), value),
)


def test_every_route_has_a_recipe(app: Flask) -> None:
    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing, stale = served - ROUTES.keys(), ROUTES.keys() - served
    assert not missing, f"routes with no recipe in tests/web/fuzz/routes.py: {sorted(missing)}"
    assert not stale, f"recipes of routes the app no longer serves: {sorted(stale)}"
    assert set(BLUEPRINTS) == SERVES.keys(), "routes.SERVES names whom each blueprint serves"


@pytest.fixture
def world(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    fast_password_hashing(monkeypatch)
    yield built(app, session)
    for thread in threading.enumerate():  # the batch builds it started end before the next test
        if thread.name.startswith("export "):
            thread.join(timeout=60)


def _path(world: World, rule: Rule, data: st.DataObject) -> str:
    """The rule's path, each argument a real value (so the view reads on) or a hostile one."""

    def filled(match: re.Match[str]) -> str:
        converter, name = match.groups()
        hostile = st.sampled_from(IDS).map(str) if converter == "int" else hostile_segment
        real = st.sampled_from(world.known[name]) if world.known[name] else hostile
        return quote(data.draw(st.one_of(real, real, hostile), label=name), safe="")

    return ARGUMENT.sub(filled, rule.rule)


def _sent(world: World, recipe: Recipe, method: str, role: str, data: st.DataObject) -> Any:
    """The query, and for a change the form (or JSON, or multipart with a file) with the
    role's valid CSRF token: what `client.open` takes besides the path."""
    valid = world.filled(recipe.valid)
    if method == "GET":
        return {"query_string": data.draw(fields(list(recipe.query), valid), label="query")}
    query = data.draw(fields(list(recipe.query)), label="query")
    form = data.draw(fields(list(recipe.form), valid), label="form")
    token = world.tokens[role]
    if recipe.json:
        body = json.dumps(form, allow_nan=True)
        headers = {"X-CSRFToken": token}
        return {"query_string": query, "data": body, "content_type": JSON, "headers": headers}
    if recipe.upload:
        content, name = data.draw(upload, label="file")
        form[FILE_FIELD] = (io.BytesIO(content), name)
    return {"query_string": query, "data": {"csrf_token": token, **form}}


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The tables whose row count changed, but those that record refusals."""
    return {
        table: (count, after[table])
        for table, count in before.items()
        if count != after[table] and table not in RECORDS_REFUSALS
    }


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
@SETTINGS
@given(data=st.data())
def test_every_route_never_fails(world: World, blueprint: str, data: st.DataObject) -> None:
    rules = [r for r in world.app.url_map.iter_rules() if r.endpoint.partition(".")[0] == blueprint]
    rule = data.draw(st.sampled_from(rules), label="route")
    method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})), label="method")
    role = data.draw(st.sampled_from(SERVES[blueprint]) | st.sampled_from(ROLES), label="role")
    url = _path(world, rule, data)
    sent = _sent(world, ROUTES[rule.endpoint], method, role, data)
    extra = data.draw(st.just({}) | st.just({}) | headers, label="headers")
    client, before = world.clients[role], world.rows()
    page = with_headers(client, extra, lambda: client.open(url, method=method, **sent))
    what = f"{role} {method} {url} {sent} {extra}"
    check(page, what)
    if 400 <= page.status_code < 500:
        changed = _changed(before, world.rows())
        assert not changed, f"{what}: refused with {page.status_code}, yet rows changed {changed}"
    if rule.endpoint in RESET:
        world.act_as(role)
