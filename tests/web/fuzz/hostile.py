"""What the fuzz tests send and how they judge an answer: the values that once broke a
route or sit on a type's boundary, hostile headers, Hypothesis's settings, and the check
every answer must pass."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SECURITY_HEADERS = ("X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options")

BOUNDARY = [
    "",
    "0",
    "-1",
    "1",
    str(2**31 - 1),
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "1" + "0" * 100,
    "9" * 5000,
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "1.5",
    "0x10",
    " 7 ",
    "٢٠٢٦",  # Arabic-Indic digits: int() reads them, a 4-digit pattern must not
    "２０２６",  # full-width: what a Chinese keyboard types
    "²",  # isdigit() holds, int() fails
    "\x00",
    "http://[x",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example")',
    "../../etc/passwd",
    "%00",
    "\u202e",
    "😀" * 50,
    "x" * 20_000,
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
]
"""Values some part of the app once mishandled, or that sit on a boundary of a type."""
HOSTS = ["a" * 64 + ".example", "a..b", "x" * 300, "", "例子.测试", ".", "localhost"]
REFERERS = ["http://[x", "http://[::1/x", "http://localhost/s/", "javascript:alert(1)", "//e", ""]
LANGUAGES = ["en", "zh-CN", "zh-TW", "xx", "*;q=nan", "", "zh-Hant-TW-" + "x" * 300]

SETTINGS = settings(
    max_examples=int(os.environ.get("FIELDWORK_FUZZ_EXAMPLES", "80")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

value = st.one_of(
    st.sampled_from(BOUNDARY),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats().map(str),
)
segment = st.one_of(
    st.sampled_from(BOUNDARY).filter(lambda text: "/" not in text and "\x00" not in text),
    st.text(st.characters(blacklist_characters="/?#%\x00", blacklist_categories=["Cs"])),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Host": st.sampled_from(HOSTS),
        "Referer": st.sampled_from(REFERERS),
        "Accept-Language": st.sampled_from(LANGUAGES),
    },
)


def fields(
    names: list[str], valid: dict[str, Any] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """A form or query: a valid one (so the route reads on past its first check) with a
    few of its fields, or of the route's others, given hostile values, some dropped, and
    perhaps a stray field."""
    base = valid or {}
    named = [*names, *base]
    hostile = st.dictionaries(st.sampled_from(named), value, max_size=3) if named else st.just({})
    dropped = st.sets(st.sampled_from(sorted(base) or [""]), max_size=2)
    stray = st.dictionaries(st.text(min_size=1, max_size=8), value, max_size=1)

    def built(changed: dict[str, str], gone: set[str], extra: dict[str, str]) -> dict[str, Any]:
        kept = {name: sent for name, sent in base.items() if name not in gone}
        return {**extra, **kept, **changed}

    return st.builds(built, hostile, dropped, stray)


def sound(page: Any) -> bool:
    """No server error, and the headers every answer carries."""
    return page.status_code < 500 and all(page.headers.get(name) for name in SECURITY_HEADERS)


def check(page: Any, what: str) -> None:
    assert sound(page), f"{what}: {page.status_code} {dict(page.headers)}"


def with_headers(client: FlaskClient, sent: dict[str, str], send: Callable[[], Any]) -> Any:
    """Send a request with these headers added, Host replacing the test client's own (in
    `environ_base` the client's Host would win)."""
    opens = client.open

    def open_with(*args: Any, **kwargs: Any) -> Any:
        kwargs["headers"] = {**sent, **(kwargs.get("headers") or {})}
        return opens(*args, **kwargs)

    client.open = open_with  # type: ignore[method-assign]
    try:
        return send()
    finally:
        del client.open
