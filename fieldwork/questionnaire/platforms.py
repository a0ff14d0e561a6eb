"""The platforms shadow tests contact and the channels each offers (platforms.yaml).

Channels come from one list, so "the phone hotline" of one platform and of another are
the same thing in the plan and in the roll-ups; a platform can only offer channels of
that list. Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fieldwork.questionnaire.model import Text

Found = tuple[str, str, str]
"""(location, check code, message) for one problem."""


@dataclass(frozen=True)
class Channel:
    """A way to reach customer service (in-app chat, the AI bot, the phone hotline…)."""

    code: str
    name: Text


@dataclass(frozen=True)
class Platform:
    code: str
    name: Text
    channels: tuple[str, ...]  # codes of Channel, in the file's order


@dataclass(frozen=True)
class Platforms:
    """Everything platforms.yaml holds, once it has passed its checks."""

    languages: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()
    platforms: tuple[Platform, ...] = ()

    def platform(self, code: str) -> Platform | None:
        return next((p for p in self.platforms if p.code == code), None)

    def channel(self, code: str) -> Channel | None:
        return next((c for c in self.channels if c.code == code), None)


def platforms_of(raw: Mapping[str, Any]) -> tuple[Platforms, list[Found]]:
    """The platforms and channels of a parsed file, and every problem with them. A file
    with problems yields no platforms, as a questionnaire with problems yields none."""
    found = list(dict.fromkeys(_problems(raw)))
    if found:
        return Platforms(), found
    languages = tuple(raw["languages"])
    channels = tuple(Channel(c["code"], dict(c["name"])) for c in raw["channels"])
    platforms = tuple(
        Platform(p["code"], dict(p["name"]), tuple(p["channels"])) for p in raw["platforms"]
    )
    return Platforms(languages, channels, platforms), []


def _problems(raw: Mapping[str, Any]) -> Iterator[Found]:
    languages = _list(raw.get("languages"))
    if not languages or not all(isinstance(lang, str) for lang in languages):
        yield "-", "platforms", "languages must be a non-empty list of language tags"
    for key in ("channels", "platforms"):
        if not _list(raw.get(key)):
            yield "-", "platforms", f"{key} must be a non-empty list"
    channels = _entries(raw.get("channels"))
    platforms = _entries(raw.get("platforms"))
    yield from _entry_problems("channel", _list(raw.get("channels")), languages)
    yield from _entry_problems("platform", _list(raw.get("platforms")), languages)
    known = {str(c.get("code")) for c in channels}
    for platform in platforms:
        where, offered = str(platform.get("code")), _list(platform.get("channels"))
        if not offered or not all(isinstance(code, str) for code in offered):
            yield where, "platforms", "channels must be a non-empty list of channel codes"
            continue
        for code in offered:
            if code not in known:
                yield where, "unknown-channel", f"platform {where} offers unknown channel {code}"
            if offered.count(code) > 1:
                yield where, "duplicate-code", f"platform {where} lists channel {code} twice"


def _entry_problems(what: str, entries: list[Any], languages: list[Any]) -> Iterator[Found]:
    """Every entry has a code of its own and a name in every language of the file."""
    codes = [e.get("code") for e in entries if isinstance(e, Mapping)]
    for entry in entries:
        code = entry.get("code") if isinstance(entry, Mapping) else None
        if not isinstance(code, str) or not code:
            yield "-", "platforms", f"every {what} needs a code"
            continue
        if codes.count(code) > 1:
            yield code, "duplicate-code", f"{what} code {code} is used twice"
        name = entry.get("name")
        for lang in languages:
            text = name.get(lang) if isinstance(name, Mapping) else None
            if not isinstance(text, str) or not text.strip():
                yield code, "missing-translation", f"{what} name has no {lang} text"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _entries(value: Any) -> list[Mapping[str, Any]]:
    return [e for e in _list(value) if isinstance(e, Mapping)]
