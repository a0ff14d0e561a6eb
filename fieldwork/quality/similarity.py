"""How alike two responses' closed answers are, from a compact signature and its bands.

A response's *signature* holds, for each closed question of its version in
questionnaire order, two bytes hashed from the question code and the answer
(unanswered included), so the number of questions two responses answered
differently is counted from the signatures alone: no answers need to be read.

Its *bands* split those positions into `BANDS` interleaved groups (position i
into band i mod BANDS) and hash each group to a 63-bit number. Two responses
that differ in at most BANDS - 1 questions agree on at least one whole band
(pigeonhole), so "which responses have nearly these answers" is a lookup of
equal band values in an index, never a scan of all pairs: storage keeps a
column and an index per band, the bulk run groups equal values.

Two different answers share their two bytes with a chance of 1 in 65,536, so a
count can come out one lower than the truth that seldom; it never comes out higher.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

BANDS = 3
"""Bands per signature: near-duplicates differing in up to BANDS - 1 answers are found."""

WIDTH = 2
"""Bytes per closed question in a signature."""

_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

Bands = tuple[int | None, int | None, int | None]
NO_BANDS: Bands = (None, None, None)


def signature(closed: Sequence[str], answers: Mapping[str, Any]) -> str | None:
    """Hex signature of the answers to the `closed` questions, or None if none is answered."""
    if not any(answers.get(code) is not None for code in closed):
        return None
    parts = []
    for code in closed:
        answer = _CANONICAL.encode([code, answers.get(code)])
        parts.append(hashlib.blake2b(answer.encode("utf-8"), digest_size=WIDTH).digest())
    return b"".join(parts).hex()


def bands(signature_hex: str | None) -> Bands:
    """The BANDS band values of a signature (None for an empty band, or no signature)."""
    if not signature_hex:
        return NO_BANDS
    raw = bytes.fromhex(signature_hex)
    positions = [raw[i : i + WIDTH] for i in range(0, len(raw), WIDTH)]
    found: list[int | None] = []
    for band in range(BANDS):
        chosen = positions[band::BANDS]
        if not chosen:
            found.append(None)
            continue
        digest = hashlib.blake2b(bytes([band]) + b"".join(chosen), digest_size=8).digest()
        found.append(int.from_bytes(digest, "big") >> 1)  # fits a signed BIGINT
    return found[0], found[1], found[2]


def differences(one: bytes, other: bytes) -> int:
    """How many closed questions two signatures (raw bytes) answer differently; positions
    only one of them has (another version's questions) count as different."""
    shorter, longer = sorted((len(one), len(other)))
    extra = (longer - shorter) // WIDTH
    if shorter == 0:
        return extra
    apart = int.from_bytes(one[:shorter], "big") ^ int.from_bytes(other[:shorter], "big")
    if not apart:
        return extra
    # Fold every position's 16 bits into its lowest one, then count the positions.
    apart |= apart >> 8
    apart |= apart >> 4
    apart |= apart >> 2
    apart |= apart >> 1
    return (apart & _low_bits(shorter)).bit_count() + extra


_LOW: dict[int, int] = {}


def _low_bits(length: int) -> int:
    """An int with the lowest bit of each WIDTH-byte position of `length` bytes set."""
    mask = _LOW.get(length)
    if mask is None:
        mask = _LOW[length] = int.from_bytes(
            (b"\0" * (WIDTH - 1) + b"\1") * (length // WIDTH), "big"
        )
    return mask


Candidate = tuple[Any, int, Any, bytes | None]
"""An earlier response as the near-duplicate searches see it: (a key that orders responses
by submit time then id, id, IP hash or any key standing for it, signature bytes or None)."""


def nearest_same_address(
    mine: bytes, candidates: Sequence[Candidate], most: int
) -> tuple[int, int] | None:
    """(id, differences) of the latest candidate whose answers differ in at most `most`
    closed questions from `mine`; `candidates` are the same address's, latest first."""
    for _, found, _, theirs in candidates:
        if theirs is not None:
            apart = differences(mine, theirs)
            if apart <= most:
                return found, apart
    return None


def farm(
    mine: bytes, address: Any, candidates: Sequence[Candidate], most: int
) -> tuple[int, int | None]:
    """(how many other addresses, latest id) among the candidates whose answers differ in
    at most `most` closed questions from `mine`. A candidate may come more than once (it
    shares several bands): it counts once."""
    addresses = set()
    latest: tuple[Any, int] | None = None
    for order, found, theirs_at, theirs in candidates:
        if theirs_at is None or theirs_at == address or theirs is None:
            continue
        if theirs_at in addresses and latest is not None and (order, found) <= latest:
            continue  # counted already, and not the latest: spare the comparison
        if differences(mine, theirs) <= most:
            addresses.add(theirs_at)
            if latest is None or (order, found) > latest:
                latest = (order, found)
    return len(addresses), latest[1] if latest is not None else None
