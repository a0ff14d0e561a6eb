"""The bulk run: neighbours for every response of a questionnaire, from one streaming pass.

    index = BulkIndex(questionnaire, settings)
    for subject in stream():          # first pass, any order
        index.observe(subject)
    for subject in stream():          # second pass
        flags = index.evaluate(subject, now)

It gives each response the same neighbours that the queries at submit time
would (every response observed counting as stored), so a bulk run and
per-response evaluation agree, but for one thing submit cannot know: the later
members of a click farm, which the bulk run counts for the earlier ones too.
Memory stays lean for a million responses: no subject is kept, only numbers in
typed arrays and one byte string (about 100 bytes a response with a network
address, most of it the answer signature: two bytes a closed question) — IP
hashes and answer fingerprints as their first 64 bits, times as integer
microseconds, signature bands as integers.
When the first pass ends, the median is taken, every group of responses from
one IP is worked through once, and so is every group sharing a signature
band, looking back as far as the queries at submit do (`SAME_IP_COUNTED`,
`FARM_CANDIDATES`), never over all pairs; what the second pass needs is then
a shared Neighbours, or a binary search among the few responses that have an
earlier one from the same IP or nearly the same answers.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import compress, count, islice
from operator import eq
from typing import TypeGuard

from fieldwork.quality.evaluation import Checker
from fieldwork.quality.flags import Flag
from fieldwork.quality.norms import Norms
from fieldwork.quality.settings import Settings
from fieldwork.quality.similarity import (
    BANDS,
    NO_BANDS,
    Bands,
    bands,
    differences,
    nearest_same_address,
)
from fieldwork.quality.subjects import (
    FARM_CANDIDATES,
    SAME_IP_COUNTED,
    UTC,
    Earlier,
    Neighbours,
    Subject,
)
from fieldwork.questionnaire.model import Questionnaire

EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = EPOCH.replace(tzinfo=None)
MICROSECOND = dt.timedelta(microseconds=1)


def key64(hex_digest: str) -> int:
    """The first 64 bits of a hex digest (an HMAC of an IP, a fingerprint) as an int.

    Within one questionnaire's responses two different hashes share them with a
    chance of about n²/2⁶⁵: one in thirty million for a million responses.
    """
    try:
        return int(hex_digest[:16], 16)
    except ValueError:  # not hex: still a stable key, from the text itself
        return int.from_bytes(hex_digest.encode("utf-8")[:8].ljust(8, b"\0"), "big")


def micros(moment: dt.datetime) -> int:
    """Exact integer microseconds since the epoch of a datetime, a naive one (as SQLite hands
    them back) taken as UTC."""
    return (moment - (EPOCH if moment.tzinfo else NAIVE_EPOCH)) // MICROSECOND


def _given(seconds: float | None) -> TypeGuard[float]:
    return seconds is not None


@dataclass(frozen=True)
class Noted:
    """Some responses' first-pass data as the index keeps it (see `noted`): typed arrays
    that pickle in one piece, so a worker process can make them from the rows it read."""

    count: int
    durations: array[float]
    ids: array[int]  # the responses with a network address, and what follows of them
    times: array[int]
    ips: array[int]
    answers: array[int]
    signatures: bytes
    signature_ends: array[int]  # where each one ends in `signatures`
    bands: tuple[array[int], ...]


def noted(
    ids: Sequence[int],
    submitted: Sequence[dt.datetime],
    seconds: Sequence[float | None],
    ip_hashes: Sequence[str | None],
    fingerprints: Sequence[str | None],
    signatures: Sequence[str | None],
    banded: Sequence[Sequence[int | None]],
) -> Noted:
    """What `BulkIndex.add` keeps of responses given as columns of equal length (`banded`:
    one column per band), as `note` reads them. The first pass over a million responses
    is spent here: column by column, the work runs in C (a million Subjects, or a million
    calls of `note`, cost more than the rest of the pass)."""
    addressed = [ip is not None for ip in ip_hashes]
    joined = bytearray()
    ends = array("Q")
    for signature in compress(signatures, addressed):
        if signature:
            joined += bytes.fromhex(signature)
        ends.append(len(joined))
    return Noted(
        count=len(ids),
        durations=array("d", filter(_given, seconds)),
        ids=array("q", compress(ids, addressed)),
        times=array("q", map(micros, compress(submitted, addressed))),
        ips=array("Q", map(key64, compress(ip_hashes, addressed))),  # type: ignore[arg-type]
        answers=array("Q", (key64(f) if f else 0 for f in compress(fingerprints, addressed))),
        signatures=bytes(joined),
        signature_ends=ends,
        bands=tuple(
            array("q", (-1 if band is None else band for band in compress(column, addressed)))
            for column in banded
        ),
    )


class BulkIndex:
    """What one questionnaire's responses know of each other, for the bulk run."""

    def __init__(
        self, questionnaire: Questionnaire, settings: Settings, norms: Norms | None = None
    ) -> None:
        """`norms`: the ratings' norms every response is compared with (see `Neighbours`)."""
        self.checker = Checker(questionnaire, settings)
        self.questionnaire_id = questionnaire.id
        hours = settings.number("duplicate-ip", "window_hours")
        self._window = dt.timedelta(hours=hours) // MICROSECOND
        farm_hours = settings.number("click-farm", "window_hours")
        self._farm_window = dt.timedelta(hours=farm_hours) // MICROSECOND
        self._near_most = int(settings.number("duplicate-answers", "max_different"))
        self._farm_most = int(settings.number("click-farm", "max_different"))
        self._fingerprint = self.checker.layout.fingerprint
        self._signature = self.checker.layout.signature
        # First pass: one entry per response with an IP hash, and one per duration.
        self._ids = array("q")
        self._times = array("q")
        self._ips = array("Q")
        self._answers = array("Q")  # closed-answer fingerprint, 0 when none answered
        self._signatures = bytearray()  # every signature, one after the other
        self._signature_ends = array("Q")  # where each one ends in it
        self._bands = [array("q") for _ in range(BANDS)]  # -1 for none
        self._durations: array[float] | None = array("d")
        # After it: only responses that have an earlier one from the same IP, by id.
        self._hit_ids = array("q")
        self._hit_latest = array("q")
        self._hit_latest_times = array("q")
        self._hit_counts = array("q")
        self._hit_answers = array("q")  # first earlier id with the same answers, or -1
        self._hit_near = array("q")  # latest earlier id with nearly the same answers, or -1
        self._hit_near_different = array("q")
        # After it: responses nearly alike to earlier ones from other IPs, by id.
        self._farm_ids = array("q")
        self._farm_counts = array("q")
        self._farm_latest = array("q")  # -1 for none
        self._farm_following = array("q")  # -1 for none
        self._alone = Neighbours(norms=norms)
        self.observed = 0

    def observe(self, subject: Subject, fingerprint: str | None = None) -> None:
        """First pass: note what later responses will compare with this one.

        `fingerprint`, when the caller has it stored, spares reading the answers.
        """
        if subject.questionnaire_id != self.questionnaire_id:
            raise ValueError(
                f"response {subject.id} answers {subject.questionnaire_id},"
                f" not {self.questionnaire_id}"
            )
        signature = None
        if subject.ip_hash is not None:
            if fingerprint is None:
                fingerprint = self._fingerprint(subject.answers)
            signature = self._signature(subject.answers)
        self.note(
            subject.id,
            subject.submitted_at,
            subject.seconds,
            subject.ip_hash,
            fingerprint,
            signature,
            bands(signature),
        )

    def note(
        self,
        response_id: int,
        submitted_at: dt.datetime,
        seconds: float | None,
        ip_hash: str | None,
        fingerprint: str | None,
        signature: str | None = None,
        banded: Bands = NO_BANDS,
    ) -> None:
        """First pass, from what is stored of a response of this questionnaire: `observe`
        without building a Subject. `submitted_at` is aware, or naive UTC; `fingerprint`,
        `signature` and its bands (as stored) are read when `ip_hash` is not None."""
        columns = ((response_id,), (submitted_at,), (seconds,), (ip_hash,), (fingerprint,))
        self.add(noted(*columns, (signature,), tuple((band,) for band in banded)))

    def add(self, part: Noted) -> None:
        """First pass: what `noted` made of some responses, in any order."""
        if self._durations is None:
            raise RuntimeError("the first pass is over: observe before neighbours")
        self.observed += part.count
        self._durations.extend(part.durations)
        self._ids.extend(part.ids)
        self._times.extend(part.times)
        self._ips.extend(part.ips)
        self._answers.extend(part.answers)
        self._signature_ends.extend(map(len(self._signatures).__add__, part.signature_ends))
        self._signatures += part.signatures
        for values, band in zip(self._bands, part.bands, strict=True):
            values.extend(band)

    def finish(self) -> None:
        """End the first pass: the median, then every same-IP group in (time, id) order."""
        durations = self._durations
        if durations is None:
            return
        self._durations = None
        ordered = sorted(durations)
        del durations
        count = len(ordered)
        median = None
        if count:
            middle = count // 2
            median = ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        del ordered
        self._alone = replace(self._alone, median_seconds=median, duration_count=count)

        hits: list[tuple[int, int, int, int, int, int, int]] = []
        for members in _shared(self._ips).values():
            hits += self._group(members)
        hits.sort()
        for hit_id, latest, latest_time, same_ip, same_answers, near, apart in hits:
            self._hit_ids.append(hit_id)
            self._hit_latest.append(latest)
            self._hit_latest_times.append(latest_time)
            self._hit_counts.append(same_ip)
            self._hit_answers.append(same_answers)
            self._hit_near.append(near)
            self._hit_near_different.append(apart)
        self._farms()
        # The first pass's arrays are not needed any more: free them for the second.
        self._ids, self._times = array("q"), array("q")
        self._ips, self._answers = array("Q"), array("Q")
        self._signatures, self._signature_ends = bytearray(), array("Q")
        self._bands = []

    def _signature_at(self, position: int) -> bytes | None:
        start = self._signature_ends[position - 1] if position else 0
        end = self._signature_ends[position]
        return bytes(self._signatures[start:end]) if end > start else None

    def _signatures_of(self, members: list[int]) -> Callable[[int], bytes | None]:
        """The signature of `members[i]`, read once and only when asked for."""
        read: dict[int, bytes | None] = {}

        def signature(i: int) -> bytes | None:
            if i not in read:
                read[i] = self._signature_at(members[i])
            return read[i]

        return signature

    def _farms(self) -> None:
        """For every response, the other IPs with nearly its answers within click-farm's
        window, either side: a later response finds its matches among the `FARM_CANDIDATES`
        latest earlier responses sharing each band of its signature in the window (what the
        band seeks at submit find, `similarity.farm` over their union), and each match counts
        for both. So the first members of a cluster, which had no earlier match when they
        were submitted, are found with it here. Only the matches are kept, never the
        candidates."""
        times, ids, ips = self._times, self._ids, self._ips
        most = self._farm_most
        # Per response: the other addresses, its latest earlier match, its first later one.
        matches: dict[int, tuple[set[int], list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for values in self._bands:
            groups = _shared(values, ignore=-1)
            for members in groups.values():
                members.sort(key=lambda k: (times[k], ids[k]))
                signature = self._signatures_of(members)
                oldest = 0
                for position, k in enumerate(members):
                    at = times[k]
                    while at - times[members[oldest]] > self._farm_window:
                        oldest += 1
                    first = max(oldest, position - FARM_CANDIDATES)
                    if first == position or (mine := signature(position)) is None:
                        continue  # most band values are shared by no earlier response
                    for earlier in range(first, position):
                        c = members[earlier]
                        if ips[c] == ips[k] or (theirs := signature(earlier)) is None:
                            continue
                        if differences(mine, theirs) <= most:
                            _match(matches, k, ips[c], (times[c], ids[c]), later=False)
                            _match(matches, c, ips[k], (times[k], ids[k]), later=True)
        found = sorted(
            (
                ids[k],
                len(addresses),
                latest[0][1] if latest else -1,
                following[0][1] if following else -1,
            )
            for k, (addresses, latest, following) in matches.items()
        )
        del matches
        for farm_id, how_many, latest_id, following_id in found:
            self._farm_ids.append(farm_id)
            self._farm_counts.append(how_many)
            self._farm_latest.append(latest_id)
            self._farm_following.append(following_id)

    def _group(self, members: list[int]) -> list[tuple[int, int, int, int, int, int, int]]:
        """(id, latest earlier id in the window or -1, its time, how many, first same-answers
        id or -1, latest nearly-same id or -1, how many answers differ) for every response
        of one IP that has an earlier one."""
        times, ids, answers = self._times, self._ids, self._answers
        members.sort(key=lambda k: (times[k], ids[k]))
        found = []
        first_with: dict[int, int] = {}
        oldest = 0  # the first member still inside the window of the current one
        for position, k in enumerate(members):
            at = times[k]
            while at - times[members[oldest]] > self._window:
                oldest += 1
            in_window = min(position - oldest, SAME_IP_COUNTED)
            fingerprint = answers[k]
            same = first_with.get(fingerprint, -1) if fingerprint else -1
            if fingerprint and same < 0:
                first_with[fingerprint] = ids[k]
            if in_window or same >= 0:
                latest = members[position - 1]
                near = (
                    self._near(k, members[position - in_window : position]) if in_window else None
                )
                found.append(
                    (
                        ids[k],
                        ids[latest] if in_window else -1,
                        times[latest] if in_window else 0,
                        in_window,
                        same,
                        near[0] if near else -1,
                        near[1] if near else 0,
                    )
                )
        return found

    def _near(self, k: int, earlier: list[int]) -> tuple[int, int] | None:
        """The latest of `earlier` (same IP, in the window, oldest first) with nearly the
        answers of `k`, and how many differ: what the same-address seek at submit finds."""
        mine = self._signature_at(k)
        if mine is None:
            return None
        ids = self._ids
        latest_first = [(0, ids[c], 0, self._signature_at(c)) for c in reversed(earlier)]
        return nearest_same_address(mine, latest_first, self._near_most)

    def neighbours(self, subject: Subject) -> Neighbours:
        """Second pass: what the rules need to know of the others about this response."""
        if self._durations is not None:
            self.finish()
        if subject.ip_hash is None:
            return self._alone
        addresses, latest_farm, following = self._farm_of(subject.id)
        hits = self._hit_ids
        at = bisect_left(hits, subject.id)
        if at == len(hits) or hits[at] != subject.id:
            if not addresses:
                return self._alone
            return replace(
                self._alone,
                farm_addresses=addresses,
                farm_latest=latest_farm,
                farm_following=following,
            )
        latest = self._hit_latest[at]
        same_answers = self._hit_answers[at]
        near = self._hit_near[at]
        return Neighbours(
            median_seconds=self._alone.median_seconds,
            duration_count=self._alone.duration_count,
            same_ip_latest=(
                Earlier(latest, EPOCH + self._hit_latest_times[at] * MICROSECOND)
                if latest >= 0
                else None
            ),
            same_ip_count=self._hit_counts[at],
            same_answers_first=same_answers if same_answers >= 0 else None,
            near_answers=near if near >= 0 else None,
            near_different=self._hit_near_different[at] if near >= 0 else 0,
            farm_addresses=addresses,
            farm_latest=latest_farm,
            farm_following=following,
            norms=self._alone.norms,
        )

    def _farm_of(self, response_id: int) -> tuple[int, int | None, int | None]:
        """(other addresses with nearly the same answers, the latest earlier and the first
        later of their responses)."""
        farms = self._farm_ids
        at = bisect_left(farms, response_id)
        if at == len(farms) or farms[at] != response_id:
            return 0, None, None
        latest, following = self._farm_latest[at], self._farm_following[at]
        return (
            self._farm_counts[at],
            latest if latest >= 0 else None,
            following if following >= 0 else None,
        )

    def evaluate(self, subject: Subject, now: dt.datetime) -> list[Flag]:
        """Second pass: the flags of one response, as `evaluate` would give them."""
        return self.checker.evaluate(subject, self.neighbours(subject), now)


def _match(
    matches: dict[int, tuple[set[int], list[tuple[int, int]], list[tuple[int, int]]]],
    k: int,
    address: int,
    order: tuple[int, int],
    later: bool,
) -> None:
    """Note that `k` nearly matches a response from `address` at `order` (time, id): the
    latest of its earlier matches and the first of its later ones are kept."""
    addresses, latest, following = matches.setdefault(k, (set(), [], []))
    addresses.add(address)
    if later:
        if not following or order < following[0]:
            following[:] = [order]
    elif not latest or order > latest[0]:
        latest[:] = [order]


def _shared(values: array[int], ignore: int | None = None) -> dict[int, list[int]]:
    """Positions by value, for the values more than one position holds (but `ignore`).

    Sorting and finding the repeated values run in C (one list of ints at a time: no
    tuples, no keys); only the positions of shared values are visited in Python.
    """
    ordered = sorted(values)
    shared = set(compress(ordered, map(eq, ordered, islice(ordered, 1, None))))
    del ordered
    shared.discard(ignore)
    groups: dict[int, list[int]] = {}
    for position in compress(count(), map(shared.__contains__, values)):
        groups.setdefault(values[position], []).append(position)
    return groups
