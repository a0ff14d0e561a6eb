"""The JSON documents stored with responses (answers, page times), decoded many at once.

The export and the bulk quality run read a million of them as text: one orjson call over
an array of a chunk's documents takes a fraction of a `json.loads` per document, which
makes every key anew.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson


def loads_all(texts: Sequence[str]) -> list[Any]:
    """Each JSON text decoded, in one orjson call when they make an array together; else
    one by one with `json`, which reads what orjson refuses (NaN, integers past 64 bits)
    or raises on a text that is not JSON, as it always did."""
    try:
        found: list[Any] = orjson.loads(f"[{','.join(texts)}]")
    except orjson.JSONDecodeError:
        found = []
    if len(found) != len(texts):  # a text that is not one JSON value
        found = [json.loads(text) for text in texts]
    return found
