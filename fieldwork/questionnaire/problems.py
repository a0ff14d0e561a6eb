"""Problems found in a definition file: data, not exceptions, so a check reports them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, located by question code where there is one."""

    file: str
    location: str  # a question code, a section code or "-" for the file as a whole
    code: str  # stable identifier of the check, e.g. "duplicate-code"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


@dataclass(frozen=True)
class Issue:
    """One thing wrong with one answer: a stable code and parameters, worded only by the UI."""

    question: str
    code: str  # e.g. "required", "above-max"
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, question: str, code: str, **params: object) -> Issue:
        return cls(question, code, tuple(sorted(params.items())))

    @property
    def kwargs(self) -> dict[str, object]:
        return dict(self.params)
