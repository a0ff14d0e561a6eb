"""How a questionnaire's respondents usually rate, and how far one response's ratings lie
from that: the norms the random-answering rule compares a response with.

Honest ratings hang together: a satisfied person rates most things high, an unhappy one
low, so the ratings of one response move together. The norms are the mean and covariance
of the numeric scales (ratings and 0–10 scales) over a sample of the questionnaire's own
stored responses; a response's squared Mahalanobis distance D² over the scales it
answered says how unlike the others its combination of ratings is. For honest answers it
follows roughly a chi-square distribution with one degree of freedom per scale answered;
ratings picked at random disagree with each other as honest ones seldom do, and lie far
out in it.

The sample may hold careless responses too, which would widen the norms and hide what
they should show. So the estimate is made robust: the rows lying further out than all but
1 % of honest ones would are left out and the norms estimated again, a few times over;
then the norms are scaled so that the median distance of the rows inside is the honest
one's, which careless rows, outside, do not move.

Pure Python, no numpy: with about ten scales, a covariance matrix is tiny. Skip logic
hides some scales from some respondents, so a response is compared on the sub-matrix of
the scales it answered, whose Cholesky factor is worked out once per pattern of answered
scales and kept; a distance then costs about k²/2 multiplications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import mul
from statistics import NormalDist, median
from typing import Any

INSIDE = 0.99
"""Rows further out than all but 1 % of honest ones lie are left out when the norms are
estimated again: careless answers lie there, honest ones seldom. A cut by distance, not a
share of the rows: a share would trim honest rows too, and on ratings' few values that
narrows some directions of the norms far more than others, so that honest answers would
then lie far out along them."""

ROUNDS = 3
"""Times the norms are estimated again without the furthest rows (each round's norms, less
widened by careless rows, find more of them), and times the scale is found again."""

FEWEST_ANSWERS = 10
"""A scale answered by fewer responses of the sample (or with every answer the same) has
no spread to compare with: the norms leave it out."""

Factor = tuple[tuple[float, ...], ...]
"""The lower-triangular Cholesky factor of a covariance sub-matrix, row by row."""


@cache
def chi_square_quantile(freedom: int, probability: float) -> float:
    """The `probability` quantile of a chi-square with `freedom` degrees of freedom.

    Wilson–Hilferty: the cube root of chi-square over its degrees is nearly normal. Within
    a few per cent of the exact value from two degrees up, which is plenty for a limit.
    """
    ninth = 2 / (9 * freedom)
    root = 1 - ninth + NormalDist().inv_cdf(probability) * math.sqrt(ninth)
    return freedom * max(root, 0.0) ** 3


@dataclass(frozen=True)
class Norms:
    """The mean and covariance of a questionnaire's scales over a sample of its responses.

    `count` is how many responses of the sample answered two scales or more: the rule
    trusts the norms only from its `min_responses`. A plain value that pickles, so the
    bulk run hands the same norms to its worker processes.
    """

    items: tuple[str, ...]
    means: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
    count: int
    _factors: dict[int, Factor | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def distance(self, answers: Mapping[str, Any]) -> tuple[float, int] | None:
        """(D², how many scales) over the scales answered with a number, or None when none
        is, or when their covariance cannot be inverted (two scales always answered alike)."""
        mask = 0
        deviations = []
        for bit, code, mean in self._scales:
            value = answers.get(code)
            if type(value) is int:  # "don't know" and hidden scales are passed over
                mask |= bit
                deviations.append(value - mean)
        if not deviations:
            return None
        if mask not in self._factors:  # worked out once per pattern of scales answered
            self._factors[mask] = _cholesky(self._sub_matrix(mask))
        factor = self._factors[mask]
        if factor is None:
            return None
        return _squared_length(factor, deviations), len(deviations)

    @property
    def _scales(self) -> tuple[tuple[int, str, float], ...]:
        """(bit, code, mean) of every scale, made once: `distance` reads them per response."""
        found: tuple[tuple[int, str, float], ...] | None = self.__dict__.get("_scales_made")
        if found is None:
            found = tuple(
                (1 << position, code, mean)
                for position, (code, mean) in enumerate(zip(self.items, self.means, strict=True))
            )
            self.__dict__["_scales_made"] = found
        return found

    def _sub_matrix(self, mask: int) -> list[list[float]]:
        chosen = [p for p in range(len(self.items)) if mask >> p & 1]
        return [[self.covariance[i][j] for j in chosen] for i in chosen]


def _cholesky(matrix: Sequence[Sequence[float]]) -> Factor | None:
    """The lower Cholesky factor of a symmetric matrix, or None if it is not positive
    definite (to working precision)."""
    lower: list[list[float]] = []
    for i, row in enumerate(matrix):
        current: list[float] = []
        for j in range(i + 1):
            other = current if j == i else lower[j]
            rest = row[j] - sum(a * b for a, b in zip(current[:j], other[:j], strict=True))
            if i == j:
                if rest <= 1e-9 * max(row[i], 1e-300):
                    return None
                current.append(math.sqrt(rest))
            else:
                current.append(rest / lower[j][j])
        lower.append(current)
    return tuple(tuple(row) for row in lower)


def _squared_length(factor: Factor, deviations: Sequence[float]) -> float:
    """|L⁻¹ d|²: the squared Mahalanobis distance, by forward substitution. `map` stops at
    the shorter sequence, so each row's products leave out its diagonal, the last value."""
    solved: list[float] = []
    for row, deviation in zip(factor, deviations, strict=True):
        solved.append((deviation - sum(map(mul, row, solved))) / row[-1])
    squared: float = sum(map(mul, solved, solved))
    return squared


Row = dict[str, int]
"""One sample response's answers to the scales, only those answered with a number."""


def estimate(items: Sequence[str], sample: Iterable[Mapping[str, Any]]) -> Norms | None:
    """Robust norms of `items` over `sample` (answers of stored responses), or None when
    fewer than two items have answers enough to compare with."""
    rows = []
    for answers in sample:
        row = {code: value for code in items if type(value := answers.get(code)) is int}
        if len(row) >= 2:
            rows.append(row)
    norms = _moments(tuple(items), rows)
    for _ in range(ROUNDS):
        if norms is None:
            return None
        norms, distances = _calibrated(norms, rows)
        inside = [row for row, found in zip(rows, distances, strict=True) if _inside(found)]
        norms = _moments(norms.items, inside)
    return None if norms is None else _calibrated(norms, rows)[0]


Found = tuple[float, int] | None
"""A row's (D², scales), or None where it cannot be compared."""


def _inside(found: Found) -> bool:
    """Whether a row lies no further out than all but the last `1 - INSIDE` of honest ones
    (a row that cannot be compared is kept: nothing says it is careless)."""
    return found is None or found[0] <= chi_square_quantile(found[1], INSIDE)


def _calibrated(norms: Norms, rows: Sequence[Row]) -> tuple[Norms, list[Found]]:
    """`norms` widened (or narrowed) so that the median distance of the rows inside the cut
    is what it is for honest answers, the median of chi-square below its `INSIDE` quantile;
    and every row's distance from them.

    Estimates from the rows inside alone are too narrow. Careless rows, outside, do not move
    this median as they would the median of every row. The cut moves with the scale, so the
    scale is found again a few times; scaling the covariance by s divides every D² by s, so
    the distances are worked out once.
    """
    distances = [norms.distance(row) for row in rows]
    scale = 1.0
    for _ in range(ROUNDS):
        ratios = [
            found[0] / scale / chi_square_quantile(found[1], INSIDE / 2)
            for found in distances
            if found is not None and _inside((found[0] / scale, found[1]))
        ]
        scale *= (median(ratios) if ratios else 0.0) or 1.0  # 0 if most rows sit on the mean
    covariance = tuple(tuple(value * scale for value in row) for row in norms.covariance)
    scaled = [None if found is None else (found[0] / scale, found[1]) for found in distances]
    return Norms(norms.items, norms.means, covariance, len(rows)), scaled


def _moments(items: tuple[str, ...], rows: Sequence[Row]) -> Norms | None:
    """Means and covariances from every row that answered each scale (and each pair), the
    scales too seldom answered or never varied left out; None if fewer than two remain."""
    columns = {code: [row[code] for row in rows if code in row] for code in items}
    kept = tuple(
        code
        for code in items
        if len(columns[code]) >= FEWEST_ANSWERS and len(set(columns[code])) > 1
    )
    if len(kept) < 2:
        return None
    means = {code: math.fsum(columns[code]) / len(columns[code]) for code in kept}
    covariance = {(a, a): _covariance(rows, a, a, means) for a in kept}
    for position, a in enumerate(kept):
        for b in kept[position + 1 :]:
            covariance[a, b] = covariance[b, a] = _covariance(rows, a, b, means)
    return Norms(
        items=kept,
        means=tuple(means[code] for code in kept),
        covariance=tuple(tuple(covariance[a, b] for b in kept) for a in kept),
        count=len(rows),
    )


def _covariance(rows: Sequence[Row], a: str, b: str, means: Mapping[str, float]) -> float:
    """The covariance of scales a and b over the rows that answered both (0 if under two:
    such scales are never shown together)."""
    mean_a, mean_b = means[a], means[b]
    products = [(row[a] - mean_a) * (row[b] - mean_b) for row in rows if a in row and b in row]
    return math.fsum(products) / (len(products) - 1) if len(products) > 1 else 0.0
