"""The keyboard focus shows on every kind of control, in standard and in high contrast.

Measured on screenshot pixels (the colours on screen: a native checkbox's are in no
computed style), at two device pixels per CSS pixel. Each control is reached with Tab and
shot focused, then shot again after losing the focus. From the middle of each side of
the control, outwards: the ring is everything between the control's edge and the last
pixel the focus changed; its bands are the colours in it at least 1 CSS px wide; the
surroundings are the page just beyond it; the control is what lies within its edge (4 CSS
px deep, every colour there at least 1 CSS px wide, as shown focused).

A ring passes if one of its bands has a WCAG contrast of 3:1 or more with the
surroundings, and one has 3:1 or more with each colour of the control it meets: a
two-colour ring (WCAG technique C40) stays visible where one of its colours melts into
the page or the control. The skip link aside, every control a respondent or a reviewer
meets is here: links in the page and in the header, the display settings' summary,
buttons, radio buttons and checkboxes (not ticked and ticked), text inputs, a textarea,
and the staff pages' selects. Words on a fill the focus gives them must stay readable
too (4.5:1, from computed styles): the header's light link colour on the light fill was
not.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.browser.conftest import TWO_PAGES, answer_with_mouse, choose_display, click_and_wait
from tests.browser.pixels import RGB, contrast, decode_png, hex_of
from tests.review.factories import PASSWORD, fast_password_hashing, staff

pytestmark = [pytest.mark.browser, pytest.mark.layout]

SCALE = 2  # device pixels per CSS pixel: a 1 px border is two pixels, not a blend
REACH = 14  # CSS px looked at outside the control: the ring and the page beyond it
DEPTH = 4  # CSS px looked at inside the control
MINIMUM = 3.0  # WCAG 1.4.11 non-text contrast
SIDES = ("left", "right", "top", "bottom")


@dataclass(frozen=True)
class Side:
    """What one side of a focused control shows, from its edge outwards."""

    ring: list[RGB]  # the ring's bands, innermost first
    page: RGB
    control: list[RGB]  # the control's colours nearest the ring, outermost first

    @property
    def against_page(self) -> float:
        return max((contrast(band, self.page) for band in self.ring), default=1.0)

    @property
    def against_control(self) -> float:
        return min(
            (max((contrast(band, c) for band in self.ring), default=1.0) for c in self.control),
            default=1.0,
        )

    def __str__(self) -> str:
        return (
            f"ring {[hex_of(b) for b in self.ring]}, page {hex_of(self.page)} "
            f"({self.against_page:.2f}:1), control {[hex_of(c) for c in self.control]} "
            f"({self.against_control:.2f}:1)"
        )


def bands(pixels: list[RGB]) -> list[RGB]:
    """The colours of runs at least two pixels (1 CSS px) long: a lone pixel where two
    colours meet is a blend of them, not a colour on the page."""
    runs: list[tuple[RGB, int]] = []
    for pixel in pixels:
        if runs and not changed(runs[-1][0], pixel):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((pixel, 1))
    found: list[RGB] = []
    for colour, length in runs:
        if length >= 2 and colour not in found:
            found.append(colour)
    return found


def changed(one: RGB, other: RGB) -> bool:
    """Two colours that are not the same one (PNG screenshots are exact, but antialiasing
    moves a channel by a few steps)."""
    return max(abs(a - b) for a, b in zip(one, other, strict=True)) > 12


def strip(box: dict[str, float], side: str) -> tuple[dict[str, float], float]:
    """The screenshot clip (whole CSS px, so no resampling) of a line across one side of
    the box, through its middle, and where the box's edge falls in it, in device pixels
    from the clip's start."""
    across = side in ("left", "right")
    low, size = (box["x"], box["width"]) if across else (box["y"], box["height"])
    depth = min(DEPTH, size / 2)
    if side in ("left", "top"):
        edge, start, end = low, math.floor(low - REACH), math.ceil(low + depth)
    else:
        edge = low + size
        start, end = math.floor(edge - depth), math.ceil(edge + REACH)
    middle = math.floor(box["y"] + box["height"] / 2 if across else box["x"] + box["width"] / 2)
    if across:
        return {"x": start, "y": middle, "width": end - start, "height": 1}, (edge - start) * SCALE
    return {"x": middle, "y": start, "width": 1, "height": end - start}, (edge - start) * SCALE


def line(page: Page, clip: dict[str, float]) -> list[RGB]:
    """The pixels along the clip's length (its first row or column)."""
    rows = decode_png(page.screenshot(clip=clip, animations="disabled"))
    return rows[0] if clip["height"] == 1 else [row[0] for row in rows]


# The focused control's text and background colours, if it has words on a solid fill.
TEXT_JS = """
el => {
  const s = getComputedStyle(el);
  const rgba = c => c.match(/[\\d.]+/g).map(Number);
  const back = rgba(s.backgroundColor);
  if (!el.innerText.trim() || (back.length > 3 && back[3] < 1)) return null;
  return [rgba(s.color).slice(0, 3), back.slice(0, 3)];
}
"""
BOX_JS = """
el => {
  el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  return {x: r.x, y: r.y, width: r.width, height: r.height};
}
"""


def tab_to(page: Page, selector: str, *, tick: bool) -> None:
    """Press Tab until the control has the focus (then Space, to tick it, if asked)."""
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.eval_on_selector(selector, "el => el === document.activeElement"):
            break
    else:
        pytest.fail(f"Tab never reached {selector} on {page.url}")
    if tick:
        page.keyboard.press("Space")


def text_contrast(page: Page, selector: str) -> float | None:
    """The contrast of the focused control's words with the fill the focus gives them
    (computed styles), if it has both."""
    found = page.eval_on_selector(selector, TEXT_JS)
    if not found:
        return None
    (red, green, blue), (r, g, b) = found
    return contrast((red, green, blue), (r, g, b))


def sides_of(page: Page, selector: str) -> dict[str, Side | str]:
    """The focused control's ring on each side there is room to look at, or what is wrong
    there; the control loses the focus."""
    box = page.eval_on_selector(selector, BOX_JS)
    viewport = page.viewport_size or {"width": 0, "height": 0}
    room = {
        side: (clip, edge)
        for side, (clip, edge) in ((side, strip(box, side)) for side in SIDES)
        if clip["x"] >= 0
        and clip["y"] >= 0
        and clip["x"] + clip["width"] <= viewport["width"]
        and clip["y"] + clip["height"] <= viewport["height"]
    }
    focused = {side: line(page, clip) for side, (clip, _) in room.items()}
    page.evaluate("() => document.activeElement.blur()")
    return {
        side: read_side(focused[side], line(page, clip), edge, outward=side in ("right", "bottom"))
        for side, (clip, edge) in room.items()
    }


def read_side(after: list[RGB], before: list[RGB], edge: float, *, outward: bool) -> Side | str:
    """One side's ring, page and control from its pixels focused and not."""
    # Distances from the edge in device pixels, + outside the control, - inside; a pixel
    # the edge cuts through is a blend of the two and belongs to neither.
    pixels = sorted(
        ((i + 0.5 - edge) if outward else (edge - i - 0.5), now, then)
        for i, (now, then) in enumerate(zip(after, before, strict=True))
    )
    outside = [p for p in pixels if p[0] >= 0.5]
    moved = [distance for distance, now, then in outside if changed(now, then)]
    if not moved:
        return "no focus ring: nothing outside the control changes"
    reach = max(moved)
    beyond = [now for distance, now, _ in outside if distance > reach + 1]
    if not beyond:
        return f"the ring reaches {reach / SCALE:.1f} px or further"
    return Side(
        ring=bands([now for distance, now, _ in outside if distance <= reach]),
        page=beyond[0],
        control=bands([now for distance, now, _ in reversed(pixels) if distance <= -0.5]),
    )


@pytest.fixture
def reviewer(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reviewer, to reach the staff pages' selects."""
    fast_password_hashing(monkeypatch)
    staff(app, "chen")


# (what, selector, tick): the page each is on is opened by `controls`.
QUESTION_PAGE = [
    ("link in the page", "main a.back-link", False),
    ("link in the header", "header a.setting", False),
    ("display settings summary", ".display-settings > summary", False),
    ("radio button", "input[type=radio]", False),
    ("radio button, chosen", "input[type=radio]", True),
    ("checkbox", "input[type=checkbox]", False),
    ("checkbox, ticked", "input[type=checkbox]", True),
    ("button", 'button[value="continue"]', False),
    ("secondary button", 'button[value="save"]', False),
]
SECOND_PAGE = [
    ("text input", "#CALLS", False),
    ("textarea", "#STORY", False),
]
STAFF_PAGE = [
    ("staff select", "main select", False),
]


def controls(page: Page) -> Iterator[tuple[str, str, bool]]:
    """Walk to each control's page, yielding the controls on it to measure there."""
    page.goto(TWO_PAGES.start)
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    first = page.url
    yield from QUESTION_PAGE
    page.goto(first)
    for code in ("AGE", "KIDS", "CHANNELS"):
        answer_with_mouse(page, code)
    click_and_wait(page, 'button[value="continue"]')
    yield from SECOND_PAGE
    page.goto("/staff/login")
    page.fill("#username", "chen")
    page.fill("#password", PASSWORD)
    click_and_wait(page, "main button[type=submit]")
    page.goto("/staff/review/")
    yield from STAFF_PAGE


@pytest.mark.parametrize("theme", ["standard", "high contrast"])
def test_the_focus_ring_stands_out_from_the_page_and_the_control(
    open_context: Any, reviewer: None, theme: str
) -> None:
    page = open_context(device_scale_factor=SCALE).new_page()
    if theme == "high contrast":
        page.goto("/resume")
        choose_display(page, "contrast=on")
    problems: list[str] = []
    measured: list[str] = []
    for what, selector, tick in controls(page):
        tab_to(page, selector, tick=tick)
        words = text_contrast(page, selector)
        if words is not None and words < 4.5:
            problems.append(f"{theme}, {what}: its words are {words:.2f}:1 on the focus's fill")
        sides = sides_of(page, selector)
        if len(sides) < 2:
            problems.append(f"{theme}, {what}: too near the window's edge to measure")
        for side, found in sides.items():
            label = f"{theme}, {what}, {side}"
            if isinstance(found, str):
                problems.append(f"{label}: {found}")
                continue
            measured.append(f"{label}: {found}")
            if found.against_page < MINIMUM or found.against_control < MINIMUM:
                problems.append(f"{label}: {found}")
    print("\n".join(measured))  # the figures, for `pytest -s`
    assert not problems, "focus not visible enough:\n" + "\n".join(problems)
