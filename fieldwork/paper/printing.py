"""The PDF of a print run: every sheet it issued, in number order, each page stamped with
the sheet's id, its QR code and what it was issued for, worded in the sheet's language.

The body is the questionnaire version the run was issued for (`sheet.sheet_html`), laid
out once per design (`stamps.stamp_sheets`), so a run of hundreds of sheets costs little
more than one. What a page or a command needs to know of the run comes in as plain
values: the questionnaire version and the segments' names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from sqlmodel import Session, col, select

from fieldwork.paper import ids
from fieldwork.paper.models import PaperSheet, PrintRun
from fieldwork.paper.sheet import sheet_html
from fieldwork.paper.stamps import Stamp, stamp_sheets
from fieldwork.quality.flags import N_
from fieldwork.questionnaire.model import Questionnaire, Text
from fieldwork.ui_catalogs import gettext

AUTONYMS = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
"""Each language named in itself: the stamp says which language the sheet is in."""
CAMPAIGN = N_("campaign %(campaign)s")
WAVE = N_("wave %(wave)s")


def issued_for(run: PrintRun, questionnaire: Questionnaire, segments: Mapping[str, Text]) -> str:
    """The line every page of a run's sheets prints under the id, in the sheet's language:
    title · campaign · wave · preset segment · language."""
    language = run.language
    translate = gettext(language)
    parts = [questionnaire.title.get(language, questionnaire.id)]
    if run.campaign:
        parts.append(translate(CAMPAIGN) % {"campaign": run.campaign})
    if run.wave:
        parts.append(translate(WAVE) % {"wave": run.wave})
    if run.segment:
        parts.append(segments.get(run.segment, {}).get(language, run.segment))
    parts.append(AUTONYMS.get(language, language))
    return " · ".join(parts)


def run_pdf(
    session: Session,
    run: PrintRun,
    questionnaire: Questionnaire,
    segments: Mapping[str, Text],
    cache: Path | None = None,
) -> bytes:
    """The run's sheets as one PDF. `questionnaire` is the version the run was issued for
    (`run.version_hash`), `segments` the segments' names by code."""
    if questionnaire.content_hash != run.version_hash:
        raise ValueError(f"run {run.id} was issued for version {run.version_hash[:12]}")
    numbered = select(col(PaperSheet.id)).where(col(PaperSheet.run_id) == run.id)
    sheet_ids = session.exec(numbered.order_by(col(PaperSheet.number))).all()
    line = issued_for(run, questionnaire, segments)
    return stamp_sheets(
        sheet_html(questionnaire, language=run.language, size=run.size),
        language=run.language,
        title=questionnaire.title.get(run.language, questionnaire.id),
        stamps=[Stamp(ids.shown(sheet_id), line) for sheet_id in sheet_ids],
        cache=cache,
    )


def file_name(run: PrintRun) -> str:
    """A name to save the run's PDF under: the run, questionnaire and language."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", f"{run.questionnaire_id}-{run.language}")
    return f"print-run-{run.id}-{safe}.pdf"
