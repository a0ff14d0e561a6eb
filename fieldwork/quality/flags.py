"""Flags: what a rule found about one response, as data a reviewer and an export can read.

A flag is a stable rule code, a severity and its evidence (parameters). It is
built so that evaluating the same response twice gives equal flags, and so that
its JSON form, stored with the response, reads back into an equal flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["reject", "review", "note"]
SEVERITIES: tuple[Severity, ...] = ("reject", "review", "note")
"""Most to least serious: reject drops a response (level 1), review queues it (level 2)."""
RANK: Mapping[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

Scalar = str | int | float | bool | None
Value = Scalar | tuple[Scalar, ...]
"""A parameter value: JSON scalars, or a tuple of them (a JSON list once stored)."""

RESERVED = frozenset({"code", "severity"})


def N_(message: str) -> str:
    """Mark a message for translation without translating it (pybabel extracts `N_`).

    Rule explanations are defined here, far from any request; the web layer
    translates them when it shows a flag, in the reviewer's language.
    """
    return message


@dataclass(frozen=True)
class Flag:
    """One finding: `rule` is the stable code, `params` its evidence, sorted by name."""

    rule: str
    severity: Severity
    params: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, rule: str, severity: Severity, **params: Value) -> Flag:
        return cls(rule, severity, _frozen(params))

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Flag:
        """The flag a stored `as_json()` document stands for."""
        severity = document["severity"]
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        params = {k: v for k, v in document.items() if k not in RESERVED}
        return cls(str(document["code"]), severity, _frozen(params))

    @property
    def kwargs(self) -> dict[str, Value]:
        return dict(self.params)

    def param(self, name: str, default: Value = None) -> Value:
        return next((value for key, value in self.params if key == name), default)

    def as_json(self) -> dict[str, Any]:
        """{"code": …, "severity": …, **params}, tuples as lists: what is stored."""
        document: dict[str, Any] = {"code": self.rule, "severity": self.severity}
        for key, value in self.params:
            document[key] = list(value) if isinstance(value, tuple) else value
        return document


def _frozen(params: Mapping[str, Any]) -> tuple[tuple[str, Value], ...]:
    clash = RESERVED & set(params)
    if clash:
        raise ValueError(f"parameter names {sorted(clash)} are reserved")
    return tuple(
        (key, tuple(value) if isinstance(value, list | tuple) else value)
        for key, value in sorted(params.items())
    )
