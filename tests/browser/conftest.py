"""Real-browser fixtures and checks: the app over HTTP, Debian's Chromium, axe-core.

One HTTP server and one Chromium per run; a fresh browser context per test
(`bypass_csp` so axe-core, loaded into every page as an init script, can run in
pages that send a strict CSP).
If Chromium cannot start, every browser test fails with the reason: a missing
browser must never look like a passing or skipped accessibility suite.

The checks here gather problems instead of stopping at the first one, so a
single walk through the survey reports everything wrong on every page.

The walks answer the suite's two-page survey (tests/questionnaires/two_pages.yaml) unless
told otherwise; the few that walk the shipped questionnaire on purpose are marked
`shipped`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import get_babel
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from fieldwork import db
from fieldwork.config import ROOT
from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses.models import Response
from tests import questionnaires
from tests.conftest import QID, SHIPPED
from tests.questionnaires import Survey
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES

CHROMIUM = os.environ.get("FIELDWORK_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
SHOTS = os.environ.get("FIELDWORK_BROWSER_SHOTS")  # a folder: screenshot every audited page
LANGS = ("zh-Hans", "zh-Hant", "en")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = 320  # WCAG 1.4.10 reflow: no horizontal scrolling at 320 CSS pixels

# Large text: the elderly-friendly rules, measured on computed styles.
LARGE_MIN_TEXT_PX = 24
LARGE_MIN_LINE_HEIGHT = 1.5
LARGE_MIN_CONTROL_PX = 60

__all__ = ["QID", "SHIPPED", "TWO_PAGES"]


# ---------------------------------------------------------------- server and browser


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def compile_catalogs(target: Path) -> None:
    """The UI catalogs as a deployment compiles them (`flask fieldwork translations compile`)."""
    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(ROOT / "translations").with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source, mo.open("wb") as compiled:
            write_mo(compiled, read_po(source))


@contextmanager
def translated(app: Flask, directory: Path) -> Iterator[None]:
    """Serve the UI in the compiled catalogs (.mo files are build output, not in git)."""
    babel = get_babel(app)
    with app.app_context():
        cache = babel.instance.domain_instance.cache
    before = babel.translation_directories
    babel.translation_directories = [str(directory)]
    cache.clear()
    try:
        yield
    finally:
        babel.translation_directories = before
        cache.clear()


@pytest.fixture(scope="package")
def live_server(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's app served over HTTP from a background thread, UI strings translated."""
    catalogs = tmp_path_factory.mktemp("catalogs")
    compile_catalogs(catalogs)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    with translated(app, catalogs):
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright | str]:
    """Playwright's driver, or why it could not start."""
    try:
        driver = sync_playwright().start()
    except Exception as error:  # any failure to start is the message
        yield f"Playwright could not start its driver: {error!r}"
        return
    yield driver
    driver.stop()


def launch_chromium(driver: Playwright, executable: str = CHROMIUM) -> Browser | str:
    """Debian's Chromium, headless, or why it could not start."""
    try:
        # Playwright turns the back/forward cache off; people's browsers have it on, and a
        # page the Back button restores from it keeps the state its script left.
        return driver.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--disable-back-forward-cache"],
        )
    except Exception as error:
        return (
            f"Chromium could not be started from {executable}, so the browser tests cannot run. "
            f"Install Debian's chromium package (apt-get install chromium). Cause: {error}"
        )


@pytest.fixture(scope="package")
def chromium(playwright: Playwright | str) -> Iterator[Browser | str]:
    """One browser for the package, or why there is none: launched once, not per test."""
    browser = playwright if isinstance(playwright, str) else launch_chromium(playwright)
    yield browser
    if not isinstance(browser, str):
        browser.close()


@pytest.fixture
def open_context(
    chromium: Browser | str, live_server: str
) -> Iterator[Callable[..., BrowserContext]]:
    """Opens fresh browser contexts (own cookies) on the live server; closed after the test.

    Without a browser, opening one fails the test with the reason: a browser test that
    cannot run must never pass or be skipped quietly.
    """
    opened: list[BrowserContext] = []

    def open_(**options: Any) -> BrowserContext:
        if isinstance(chromium, str):
            pytest.fail(chromium, pytrace=False)
        settings: dict[str, Any] = {
            "base_url": live_server,
            "bypass_csp": True,
            "viewport": DESKTOP,
            "locale": "en-GB",
        }
        settings.update(options)
        context = chromium.new_context(**settings)
        context.set_default_timeout(10_000)
        if settings.get("java_script_enabled", True):
            # axe-core in every page from the start: Chromium compiles an init script once,
            # where adding the 570 kB script at each audit parsed it again every time.
            context.add_init_script(path=str(AXE_JS))
        opened.append(context)
        return context

    yield open_
    for context in opened:
        context.close()


# ---------------------------------------------------------------- the questionnaire


def questionnaire_of(survey: Survey) -> Questionnaire:
    """The survey's questionnaire, read from its file: shipped or the suite's own."""
    return _read(survey.id)


@cache
def _read(qid: str) -> Questionnaire:
    catalog = read_folder(ROOT / "questionnaires") if qid == QID else questionnaires.read()
    return catalog.questionnaires[qid]


def question_types(survey: Survey = TWO_PAGES) -> dict[str, str]:
    return {q.code: q.type for q in questionnaire_of(survey).questions}


def questionnaire_text(code: str, lang: str, survey: Survey = TWO_PAGES) -> str:
    return str(questionnaire_of(survey).question(code).text[lang])


def stored_response(app: Flask, reference: str) -> Response | None:
    with app.app_context():
        found: Response | None = (
            db.session()
            .execute(select(Response).where(Response.reference == reference.replace("-", "")))
            .scalar_one_or_none()
        )
        return found


def page_codes(page: Page) -> list[str]:
    """Question codes asked on the page, in order."""
    codes: list[str] = page.eval_on_selector_all(
        "form [id$='-group']", "groups => groups.map(g => g.id.slice(0, -'-group'.length))"
    )
    return codes


def answers_for(code: str, survey: Survey = TWO_PAGES) -> list[tuple[str, list[str]]]:
    """(field name, values) pairs answering one question, from the survey's complete answers."""
    fields = survey.complete.get(code, {})
    return [(name, value if isinstance(value, list) else [value]) for name, value in fields.items()]


def answer_with_mouse(page: Page, code: str, survey: Survey = TWO_PAGES) -> None:
    """Answer a question as a person with a mouse does: click labels, click fields and type."""
    for name, values in answers_for(code, survey):
        kind = page.get_attribute(f'[name="{name}"]', "type")
        for value in values:
            if kind in ("radio", "checkbox"):
                box = page.locator(f'input[name="{name}"][value="{value}"]')
                page.click(f'label[for="{box.get_attribute("id")}"]')
                assert box.is_checked(), f"clicking the label of {name}={value} did not select it"
            else:
                page.click(f'[name="{name}"]')
                page.keyboard.type(value)


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def choose_display(page: Page, setting: str) -> None:
    """Choose a text size or contrast in the header (`size=large`, `contrast=on`…), first
    unfolding the settings, as large text shows them folded under their name."""
    unfold_settings(page)
    click_and_wait(page, f'header a[href*="{setting}"]')


def choose_language(page: Page, tag: str) -> None:
    """Choose a language in the header; large text folds the languages with the display."""
    unfold_settings(page)
    click_and_wait(page, f'header a[hreflang="{tag}"]')


def unfold_settings(page: Page) -> None:
    folded = page.locator(".display-settings:not([open]) > summary")
    if folded.count():
        folded.click()


# ---------------------------------------------------------------- checks


# Names an element in a report: tag#id.class.class
_NAME_JS = """
const nameOf = el => {
  const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    classes.filter(Boolean).map(c => '.' + c).join('');
};
"""

_REFLOW_JS = f"""
() => {{
  {_NAME_JS}
  const root = document.documentElement;
  const width = root.clientWidth;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .filter(el => !el.closest('.visually-hidden, .skip-link'))
    .map(el => nameOf(el) + ' right=' + Math.round(el.getBoundingClientRect().right));
  return {{scroll: root.scrollWidth, client: width, wide: wide.slice(0, 8)}};
}}
"""

_LARGE_JS = f"""
([minText, minLineHeight, minControl]) => {{
  {_NAME_JS}
  const problems = [];
  const shown = el => {{
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' &&
      !el.closest('.visually-hidden, .skip-link');
  }};
  const hasText = el => [...el.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const bodySize = parseFloat(getComputedStyle(document.body).fontSize);
  if (bodySize < minText) problems.push(`body font-size ${{bodySize}}px < ${{minText}}px`);
  for (const el of document.body.querySelectorAll('*')) {{
    if (!shown(el) || !hasText(el)) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    if (size < minText - 0.01) problems.push(`text ${{size}}px < ${{minText}}px: ${{nameOf(el)}}`);
    if (el.closest('h1, h2, h3, h4, h5, h6')) continue;  // the rule is for body text
    const lh = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
    if (lh < minLineHeight * size - 0.5) {{
      problems.push(`line-height ${{lh}}px < ${{minLineHeight}} × ${{size}}px: ${{nameOf(el)}}`);
    }}
  }}
  const tall = (el, what) => {{
    const h = el.getBoundingClientRect().height;
    if (h < minControl - 0.5) {{
      problems.push(`${{what}} ${{Math.round(h)}}px high < ${{minControl}}px: ${{nameOf(el)}}`);
    }}
  }};
  const controls =
    'input:not([type=hidden], [type=radio], [type=checkbox]), textarea, select, button';
  for (const el of document.querySelectorAll(controls)) {{
    if (shown(el)) tall(el, 'control');
  }}
  // Every link and every summary is tapped, not only those styled as controls.
  for (const el of document.querySelectorAll('a[href], summary')) {{
    if (shown(el)) tall(el, el.tagName === 'A' ? 'link' : 'summary');
  }}
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {{
    const label = el.labels && el.labels[0];
    if (!label) problems.push(`no label for ${{nameOf(el)}}`);
    else if (shown(label)) tall(label, 'choice label (the click target)');
  }}
  return problems;
}}
"""

_ERROR_SUMMARY_JS = """
() => {
  const summary = document.querySelector('.error-summary');
  if (!summary) return {found: false};
  const links = [...summary.querySelectorAll('a')].map(a => a.getAttribute('href'));
  const missing = links.filter(
    href => !href || !href.startsWith('#') || !document.getElementById(href.slice(1)));
  const active = document.activeElement;
  return {found: true, focused: active === summary, active: active.outerHTML.slice(0, 120),
          links, missing};
}
"""

# Where the focus is, and whether it shows: an outline of 2px or more, or a box shadow.
FOCUS_JS = """
selector => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {
    body: el === document.body,
    matches: el !== document.body && el.matches(selector),
    visible: el === document.body || outline || shadow,
    what: el.outerHTML.slice(0, 100),
  };
}
"""


def format_violations(label: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe: {len(violations)} violation(s) on {label}"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:6]:
            lines.append(f"      target: {json.dumps(node['target'], ensure_ascii=False)}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            lines.append(f"      {summary[:400]}")
        if len(violation["nodes"]) > 6:
            lines.append(f"      … and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


class Checks:
    """Problems found on a walk through the app, reported together at the end."""

    def __init__(self, page: Page, *, lang: str, size: str = "standard", contrast: bool = False):
        self.page = page
        self.lang = lang
        self.size = size  # standard, large or x-large, as the header offers them
        self.contrast = contrast
        self.problems: list[str] = []
        self.audited: list[str] = []

    def here(self, label: str) -> None:
        """Every page: language and display settings are the ones chosen."""
        page = self.page
        lang = page.get_attribute("html", "lang")
        if lang != self.lang:
            self.problems.append(f"{label}: <html lang> is {lang!r}, expected {self.lang!r}")
        classes = (page.get_attribute("html", "class") or "").split()
        wanted = {f"size-{self.size}"} | ({"contrast-high"} if self.contrast else set())
        if set(classes) != wanted:
            self.problems.append(f"{label}: display classes {classes}, expected {sorted(wanted)}")

    def audit(self, label: str, *, axe: bool = True) -> None:
        """axe-core with the WCAG 2.2 AA tags, reflow at 320 px, and the large-text rules.

        `axe=False` keeps the cheap layout checks for a page whose kind axe already saw.
        """
        label = f"{label} [{self.lang}, {self.size}{', high contrast' if self.contrast else ''}]"
        if SHOTS:
            name = re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_")
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        self.here(label)
        if axe:
            self.audited.append(label)
            self.axe(label)
        self.reflow(label)
        if self.size != "standard":
            self.large_rules(label)

    def axe(self, label: str) -> None:
        page = self.page
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        if result["violations"]:
            self.problems.append(format_violations(label, result["violations"]))

    def reflow(self, label: str) -> None:
        page = self.page
        viewport = page.viewport_size
        page.set_viewport_size({"width": NARROW, "height": 800})
        try:
            found = page.evaluate(_REFLOW_JS)
        finally:
            page.set_viewport_size(viewport or DESKTOP)
        if found["scroll"] > found["client"]:
            self.problems.append(
                f"{label}: scrolls sideways at {NARROW}px (scrollWidth {found['scroll']} > "
                f"{found['client']}); too wide: {found['wide']}"
            )

    def large_rules(self, label: str) -> None:
        found = self.page.evaluate(
            _LARGE_JS, [LARGE_MIN_TEXT_PX, LARGE_MIN_LINE_HEIGHT, LARGE_MIN_CONTROL_PX]
        )
        self.problems.extend(f"{label}: {problem}" for problem in found)

    def tab_through(self, label: str, limit: int = 120) -> None:
        """Tab through the whole page: every stop shows where the focus is."""
        page = self.page
        seen: set[str] = set()
        for _ in range(limit):
            page.keyboard.press("Tab")
            found = page.evaluate(FOCUS_JS, "*")
            if found["body"] or found["what"] in seen:
                break
            seen.add(found["what"])
            if not found["visible"]:
                self.problems.append(f"{label}: focus not visible on {found['what']}")
        if len(seen) < 3:
            self.problems.append(f"{label}: Tab reached only {len(seen)} elements")

    def post_empty(self, label: str, button: str) -> None:
        """Send a form with what it needs missing, and check the error state it comes back in."""
        title = self.page.title()
        click_and_wait(self.page, button)
        self.error_summary(label)
        after = self.page.title()
        if after == title or not after.endswith(title):
            self.problems.append(
                f"{label}: the title should start with “Error:” in words, it is {after!r}"
            )

    def error_summary(self, label: str) -> None:
        """After a failed post: the summary exists, has focus, and links to real fields."""
        found = self.page.evaluate(_ERROR_SUMMARY_JS)
        # Without JavaScript the focus comes from `autofocus`, which the browser applies at
        # its next rendering update: that can come just after the load event. Allow 1 s.
        for _ in range(20):
            if not found["found"] or found["focused"]:
                break
            self.page.wait_for_timeout(50)
            found = self.page.evaluate(_ERROR_SUMMARY_JS)
        if not found["found"]:
            self.problems.append(f"{label}: no error summary after posting an empty page")
            return
        if not found["focused"]:
            self.problems.append(
                f"{label}: the error summary does not have the focus, {found['active']} has"
            )
        if not found["links"]:
            self.problems.append(f"{label}: the error summary has no links")
        if found["missing"]:
            self.problems.append(
                f"{label}: the error summary links to missing ids {found['missing']}"
            )

    def report(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} problem(s) over {len(self.audited)} audited pages:\n\n"
            + "\n\n".join(self.problems)
        )


def staff_sign_in_page(
    open_context: Callable[..., BrowserContext], lang: str, mode: str
) -> tuple[Page, Checks]:
    """The staff sign-in page in `lang`, and in large text and high contrast on a phone when
    `mode` is "large" (desktop, standard otherwise), with the checks the audit runs."""
    large = mode == "large"
    page = open_context(viewport=PHONE if large else DESKTOP).new_page()
    checks = Checks(page, lang=lang)
    page.goto(f"/settings/language/{lang}")
    if large:
        page.goto("/settings/display?size=large&next=/")
        page.goto("/settings/display?contrast=on&next=/")
        checks.size, checks.contrast = "large", True
    page.goto("/staff/login")
    return page, checks


def sign_in_as(page: Page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    click_and_wait(page, "main button[type=submit]")
