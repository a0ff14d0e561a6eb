"""Person fit: ratings that hang together far less than the questionnaire's own respondents'
do, as when answers are picked at random.

The norms (`quality.norms`: mean and covariance of the scales over a sample of stored
responses) come with the neighbours, so the rule stays a plain function of one case. A
response is judged on the scales it answered; its squared Mahalanobis distance is
compared with the chi-square quantile for that many scales at a small tail probability,
so that honest answers, however satisfied or unhappy, pass all but that seldom, and no
threshold depends on how many scales a route shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.norms import chi_square_quantile
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule


class RandomAnswering(Rule):
    """The ratings' combination lies far out among the other responses' (random answering)."""

    code = "random-answering"
    modes = frozenset({"online", "paper"})  # a respondent's ratings, not a checklist's
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "tail": Number(0.001, minimum=1e-6, maximum=0.1),
        "min_items": Number(5, minimum=3, integer=True),
        "min_responses": Number(200, minimum=20, integer=True),
    }
    explanation = N_(
        "The %(items)s ratings given hang together much less than other respondents' do"
        " (distance %(distance)s, usually at most %(limit)s)."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        tail = params["tail"]
        fewest = params["min_items"]
        enough = params["min_responses"]
        if len(layout.scales) < fewest:
            return None

        def check(case: Case) -> Evidence | None:
            norms = case.neighbours.norms
            if norms is None or norms.count < enough:
                return None
            found = norms.distance(case.subject.answers)
            if found is None or found[1] < fewest:
                return None
            distance, items = found
            limit = chi_square_quantile(items, 1 - tail)
            if distance <= limit:
                return None
            return {"distance": round(distance, 1), "limit": round(limit, 1), "items": items}

        return check
