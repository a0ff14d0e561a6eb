"""Paradata taken from the request: browser family and a keyed hash of the IP address.

The raw user agent and the raw IP are never stored: the family is enough to
spot a bot, and a keyed hash is enough to spot duplicates without revealing
anyone's address.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from ua_parser import parse_user_agent


def browser_family() -> str:
    agent = request.headers.get("User-Agent", "")[:512]
    parsed = parse_user_agent(agent) if agent else None
    return parsed.family if parsed else "Other"


def ip_hash() -> str:
    return keyed_hash(request.remote_addr or "")


def keyed_hash(text: str) -> str:
    """A hash of `text` under the deployment's IP_HASH_KEY: equal for equal text, and
    telling nothing of it to anyone without the key."""
    key = str(current_app.config["IP_HASH_KEY"]).encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
