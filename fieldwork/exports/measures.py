"""A shadow test's measures as columns of the data files, and the codebook's words for them.

A batch holding shadow responses adds, after the response metadata, what each test
showed as `fieldwork.shadow.metrics.of` reads it (the one reading review pages and
quality rules share, so a file never disagrees with them): the day planned, whether
the case spans days, the contact's length, per indicator its value and whether it met
its threshold, and the checklist's score. The indicator columns are those of the
definition versions the batch holds, not of the tests that happen to be in it, so
every batch of a definition has the same columns; a test whose scenario or channel an
indicator does not measure holds NOT_MEASURED there, and a measure whose events were
never logged (no reply at all) NOT_REACHED.

Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from fieldwork.exports.columns import Cell, Column, Kind
from fieldwork.exports.phrases import phrase
from fieldwork.exports.records import ExportError, ExportRecord, Missing
from fieldwork.questionnaire.shadow import FOLLOWED, INTERVAL, OCCURS, Indicator, ShadowDefinition
from fieldwork.shadow import metrics
from fieldwork.shadow.timeline import Measure

CODES = (Missing.NOT_MEASURED, Missing.NOT_REACHED)
"""The missing codes measures add to a batch's files, in the order manifests list them."""
MEASURE = "measure"
"""A measure's type in the codebook."""
TAGS = ("dimension", "threshold", "rate_at_least")
"""What the codebook says of an indicator's columns beside its words."""

Words = Mapping[str, str]
"""A text by language."""


@dataclass(frozen=True)
class Described:
    """One column beyond the questions as the codebook describes it: its words, value
    labels and unit by language, its range, the missing codes it may hold, and tags."""

    column: Column
    text: Words
    values: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    unit: Words = field(default_factory=dict)
    range: str = ""
    missing: tuple[Missing, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def words(key: str, languages: Sequence[str], **names: Mapping[str, str] | str) -> Words:
    """A phrase in every language, its named placeholders filled in that language (a
    definition's text by language, or one text for all)."""
    return {
        lang: phrase(key, lang).format(
            **{k: v if isinstance(v, str) else _in(v, lang) for k, v in names.items()}
        )
        for lang in languages
    }


def labels(
    languages: Sequence[str], *pairs: tuple[str, str]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """Value labels by language from (value, phrase key) pairs."""
    return {lang: tuple((value, phrase(key, lang)) for value, key in pairs) for lang in languages}


def _in(text: Mapping[str, str], language: str) -> str:
    return text.get(language) or next(iter(text.values()), "")


YES_NO = (("1", "yes"), ("0", "no"))
PASS_FAIL = (("1", "passed"), ("0", "failed"))


class Measures:
    """The measure columns of a batch's shadow definition versions, and each test's cells."""

    def __init__(self, definitions: Sequence[ShadowDefinition]) -> None:
        """`definitions`: the versions the batch's responses answered, newest first; the
        newest names the indicator columns' order, and an indicator only an older version
        has follows them."""
        if not definitions:
            raise ValueError("measures need a shadow definition")
        self.definitions = {d.content_hash: d for d in definitions}
        found: dict[str, Indicator] = {}
        for definition in definitions:
            for indicator in definition.indicators:
                found.setdefault(indicator.code, indicator)
        self.indicators = tuple(found.values())
        # Indicators that measure every test of every version: never NOT_MEASURED.
        self._everywhere = {
            code
            for code, indicator in found.items()
            if not indicator.scenarios
            and not indicator.channels
            and all(any(i.code == code for i in d.indicators) for d in definitions)
        }
        self.columns: tuple[Column, ...] = (
            Column("planned_on", Kind.TEXT),
            Column("spans_days", Kind.INTEGER),
            Column("contact_seconds", Kind.NUMBER),
            *(c for indicator in self.indicators for c in _indicator_columns(indicator)),
            Column("checklist_score", Kind.NUMBER),
            Column("checklist_capped", Kind.INTEGER),
        )

    def table(self, records: Sequence[ExportRecord]) -> list[list[Cell]]:
        """The records' cells, one list per column of `columns`."""
        rows = [self._cells(record) for record in records]
        if not rows:
            return [[] for _ in self.columns]
        return [list(column) for column in zip(*rows, strict=True)]

    def _cells(self, record: ExportRecord) -> list[Cell]:
        definition = self.definitions.get(record.version_hash)
        if definition is None:
            raise ExportError(
                f"response {record.id} answered {record.version_hash[:12]}, "
                "which is not a shadow definition of this batch"
            )
        frozen = record.shadow or {}
        scenario = record.provenance.get("scenario") or ""
        channel = record.provenance.get("channel") or ""
        try:
            shown = metrics.of(
                definition, scenario, channel, {metrics.PARADATA: frozen}, record.answers
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ExportError(f"response {record.id}: its test cannot be read: {error}") from error
        spans = frozen.get("spans_days")
        cells: list[Cell] = [
            frozen.get("planned_on"),
            None if spans is None else int(bool(spans)),
            Missing.NOT_REACHED
            if shown.contact_seconds is None
            else _seconds(shown.contact_seconds),
        ]
        measured = {m.code: m for m in shown.measures}
        for indicator in self.indicators:
            cells += _indicator_cells(indicator, measured.get(indicator.code))
        points = shown.score.points
        cells += [Missing.NOT_APPLICABLE if points is None else points, int(shown.score.capped)]
        return cells

    def described(self, languages: Sequence[str]) -> Iterator[Described]:
        """The codebook's words for every column, in column order."""
        newest = next(iter(self.definitions.values()))
        yield Described(
            self.columns[0],
            words("planned_on", languages),
            unit=dict.fromkeys(languages, "YYYY-MM-DD"),
        )
        yield Described(
            self.columns[1],
            words("spans_days", languages),
            labels(languages, *YES_NO),
            range="0..1",
        )
        yield Described(
            self.columns[2],
            words("contact_seconds", languages),
            unit=words("seconds", languages),
            missing=(Missing.NOT_REACHED,),
        )
        for indicator in self.indicators:
            yield from self._indicator_described(indicator, languages)
        yield Described(
            self.columns[-2],
            words("checklist_score", languages, cap=f"{newest.cap:g}"),
            unit=words("points", languages),
            range="0..100",
            missing=(Missing.NOT_APPLICABLE,),
        )
        yield Described(
            self.columns[-1],
            words("checklist_capped", languages),
            labels(languages, *YES_NO),
            range="0..1",
        )

    def _indicator_described(
        self, indicator: Indicator, languages: Sequence[str]
    ) -> Iterator[Described]:
        name = indicator.name
        unmeasured = () if indicator.code in self._everywhere else (Missing.NOT_MEASURED,)
        tags = {
            "dimension": indicator.dimension,
            "threshold": "" if indicator.limit is None else f"<= {indicator.limit:g}",
            "rate_at_least": ""
            if indicator.rate_at_least is None
            else f"{indicator.rate_at_least:g}",
        }
        value, *rest, passed = _indicator_columns(indicator)
        if indicator.measure == INTERVAL:
            yield Described(
                value,
                words("measure_interval", languages, name=name),
                unit=words("seconds", languages),
                missing=(*unmeasured, Missing.NOT_REACHED),
                tags=tags,
            )
        elif indicator.measure == OCCURS:
            happened = labels(languages, ("1", "happened"), ("0", "not_happened"))
            yield Described(
                value,
                words("measure_occurs", languages, name=name),
                happened,
                range="0..1",
                missing=unmeasured,
                tags=tags,
            )
        else:
            yield Described(
                value,
                words(f"measure_{indicator.measure}", languages, name=name),
                unit=words("times", languages),
                missing=unmeasured,
                tags=tags,
            )
        for of in rest:  # a followed indicator's times the event happened
            yield Described(
                of,
                words("measure_of", languages, name=name),
                unit=words("times", languages),
                missing=unmeasured,
                tags=tags,
            )
        yield Described(
            passed,
            words("measure_pass", languages, name=name),
            labels(languages, *PASS_FAIL),
            range="0..1",
            missing=unmeasured,
            tags=tags,
        )


def _indicator_columns(indicator: Indicator) -> tuple[Column, ...]:
    """`<code>_value`, for a followed indicator `<code>_of` (times the event happened),
    and `<code>_pass`."""
    kind = Kind.NUMBER if indicator.measure == INTERVAL else Kind.INTEGER
    of = (Column(f"{indicator.code}_of", Kind.INTEGER),) if indicator.measure == FOLLOWED else ()
    return (
        Column(f"{indicator.code}_value", kind),
        *of,
        Column(f"{indicator.code}_pass", Kind.INTEGER),
    )


def _indicator_cells(indicator: Indicator, found: Measure | None) -> list[Cell]:
    width = 3 if indicator.measure == FOLLOWED else 2
    if found is None:
        return [Missing.NOT_MEASURED] * width
    value: Cell
    if found.value is None:
        value = Missing.NOT_REACHED
    elif indicator.measure == INTERVAL:
        value = _seconds(found.value)
    else:
        value = int(found.value)
    of = [found.of if found.of is not None else 0] if width == 3 else []
    return [value, *of, int(found.passed)]


def _seconds(value: float) -> float:
    """Seconds as the files hold them: to the millisecond, as `duration_seconds`."""
    return round(float(value), 3)
