"""What each route reads from a request, by endpoint: the query parameters and form fields
its view reads (and a valid form, so the fuzz gets past the first check). Every endpoint
the app serves must have a recipe here: `test_every_route` fails naming one that has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldwork.responses import filters
from fieldwork.shadow.hand_entry import DATE_FIELDS, TIME_FIELDS
from fieldwork.web.paper import RUN_FIELDS
from fieldwork.web.shadow_checklist import ITEM_FIELD
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES
from tests.shadow.plans import PLAN_FORM
from tests.shadow.submitted import ANSWERS as CHECKLIST


@dataclass(frozen=True)
class Recipe:
    query: tuple[str, ...] = ()
    form: tuple[str, ...] = ()
    valid: Mapping[str, Any] = field(default_factory=dict)
    """A form (a query, for a route that only shows) the route accepts; "{name}" stands
    for a real value of the path argument `name` (`world.World.known`)."""
    upload: bool = False
    """Multipart, with a file in `FILE_FIELD`."""
    json: bool = False
    """The form is sent as a JSON body (the logger's offline queue)."""


ANSWERS = {name: sent for answers in TWO_PAGES.complete.values() for name, sent in answers.items()}
"""Every answer of the two-page survey, as its pages (and a paper sheet's keyer) send them."""
KEYED = tuple(ANSWERS)
QUEUE = tuple(filters.QUEUE.names)
IN_FORM = tuple(f"filter-{name}" for name in QUEUE)
"""The queue's filters as a decision's hidden fields carry them (review.FILTER_PREFIX)."""
BATCH = tuple(filters.BATCH.names)
NEXT = ("next",)
DISPLAY = ("size", "contrast")
SHADOW_LIST = ("definition", "state", "tester", "platform", "campaign", "wave", "page")
PLAN = {**PLAN_FORM, "tester": "tester.li"}  # the world's tester
RUN = {
    "questionnaire": TWO_PAGES.id,
    "language": "zh-Hant",
    "size": "large",
    "count": "1",
    "issued_to": "worker.li",
    "segment": "elderly",
    "verification": "all",
    "share": "10",
}
"""A print run the form issues."""
TYPED = {"event": "contacted", "year": "2026", "month": "11", "day": "3", "hour": "19"}

ROUTES: dict[str, Recipe] = {
    "static": Recipe(),
    # the public survey
    "survey.home": Recipe(),
    "survey.start": Recipe(
        ("campaign", "wave", "assisted", "segment", "lang", *DISPLAY),
        valid={"campaign": "c1", "segment": "elderly", "lang": "en"},
    ),
    "survey.begin": Recipe(form=("consent",), valid={"consent": "yes"}),
    "survey.page": Recipe(("change",), ("action", *KEYED), {**ANSWERS, "action": "continue"}),
    "survey.check": Recipe(),
    "survey.submit": Recipe(form=("submission_id", "special"), valid=ANSWERS),
    "survey.done": Recipe(),
    "survey.saved": Recipe(),
    "survey.resume": Recipe(form=("code",), valid={"code": "ABCD-EFGH"}),
    "preferences.language": Recipe(NEXT, valid={"next": "/s/two_pages/"}),
    "preferences.display": Recipe((*DISPLAY, *NEXT), valid={"size": "large", "contrast": "high"}),
    # staff
    "staff.login": Recipe(NEXT, ("username", "password"), {"username": "guessed.wu"}),
    "staff.logout": Recipe(),
    "staff.overview": Recipe(),
    "review.queue": Recipe((*QUEUE, "page", "saved", "end")),
    "review.response": Recipe(QUEUE),
    "review.decide": Recipe(
        QUEUE,
        ("status", "reason", "comment", "row_version", "then"),
        {"status": "approved", "reason": "valid", "row_version": "1"},
    ),
    "review.bulk": Recipe(
        form=("scope", "seen", "status", "reason", "comment", "pick", "page", *IN_FORM),
        valid={"scope": "filter", "seen": "1:1", "status": "approved", "reason": "valid"},
    ),
    "batches.index": Recipe(),
    "batches.preview": Recipe(BATCH, valid={"questionnaire": TWO_PAGES.id}),
    "batches.freeze": Recipe(
        form=(*BATCH, "name"), valid={"questionnaire": TWO_PAGES.id, "name": "fuzz"}
    ),
    "batches.show": Recipe(),
    "batches.download": Recipe(("bom",)),
    "batches.progress": Recipe(("bom",)),
    "batches.progress_status": Recipe(("bom",)),
    "batches.retry": Recipe(form=("bom",)),
    # paper
    "paper.index": Recipe(),
    "paper.issue": Recipe(form=RUN_FIELDS, valid=RUN),
    "paper.run": Recipe(),
    "paper.run_pdf": Recipe(),
    "paper.go": Recipe(("id",), valid={"id": "{sheet_id}"}),
    "paper.sheet": Recipe(),
    "paper.void": Recipe(form=("reason", "confirm"), valid={"reason": "torn", "confirm": "yes"}),
    "paper.keyer_statistics": Recipe(("campaign",)),
    "paper.keyer_statistics_file": Recipe(("campaign",)),
    "entry.index": Recipe(("done", "state")),
    "entry.start": Recipe(form=("sheet",), valid={"sheet": "{sheet_id}"}),
    "entry.page": Recipe(),
    "entry.save": Recipe(form=(*KEYED, "keystrokes"), valid=ANSWERS),
    "entry.finishing": Recipe(),
    "entry.finish": Recipe(),
    "reconcile.index": Recipe(("done",)),
    "reconcile.sheet": Recipe(),
    "reconcile.settle": Recipe(
        form=(*(f"pick-{code}" for code in TWO_PAGES.complete), *(f"t-{name}" for name in KEYED)),
        valid={"pick-CALLS": "typed", "t-CALLS": "3"},  # world: the sheet keyed twice differs
    ),
    # shadow tests
    "shadow_plans.index": Recipe(SHADOW_LIST),
    "shadow_plans.plan": Recipe(("definition",)),
    "shadow_plans.plan_grid": Recipe(form=(*PLAN, "campaign", "wave", "spans_days"), valid=PLAN),
    "shadow_plans.test": Recipe(),
    "shadow_plans.assign": Recipe(form=("tester",), valid={"tester": "tester.li"}),
    "shadow_plans.void": Recipe(form=("reason",), valid={"reason": "duplicate"}),
    "shadow_plans.rates_page": Recipe(("definition", "campaign", "wave")),
    "shadow_log.page": Recipe(("logged", "undone")),
    "shadow_log.tap": Recipe(form=("code", "note"), valid={"code": "contacted"}),
    "shadow_log.typed": Recipe(form=("event", *DATE_FIELDS, *TIME_FIELDS, "note"), valid=TYPED),
    "shadow_log.undo": Recipe(),
    "shadow_log.post_events": Recipe(form=("events", "undo"), json=True),
    "shadow_log.service_worker": Recipe(),
    "shadow_checklist.checklist": Recipe(("added", "removed")),
    "shadow_checklist.submit": Recipe(form=(*CHECKLIST, "confirm"), valid=CHECKLIST),
    "shadow_checklist.upload": Recipe(form=(ITEM_FIELD,), valid={ITEM_FIELD: "chat"}, upload=True),
    "shadow_checklist.remove": Recipe(),
    "shadow_evidence.file": Recipe(),
}

SERVES: dict[str, tuple[str, ...]] = {
    "static": ("anonymous", "respondent"),
    "survey": ("anonymous", "respondent"),
    "preferences": ("anonymous", "respondent"),
    "staff": ("anonymous", "admin", "reviewer", "fieldworker", "tester"),
    "review": ("admin", "reviewer"),
    "batches": ("admin", "reviewer"),
    "paper": ("admin", "reviewer", "fieldworker"),
    "entry": ("fieldworker",),
    "reconcile": ("admin", "reviewer"),
    "shadow_plans": ("admin", "reviewer", "tester"),
    "shadow_log": ("tester",),
    "shadow_checklist": ("tester",),
    "shadow_evidence": ("admin", "reviewer"),
}
"""Whom each blueprint's pages are for (`world.ROLES`): drawn half the time, so most
requests get past the door, the other half from every role, so the door is tried too."""
