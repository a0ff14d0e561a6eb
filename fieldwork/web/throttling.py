"""The key a request's guesses are counted under: the client's network, hashed."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app, request


def address_key() -> str:
    """A keyed hash of the client's address, or for IPv6 of its /64 network: one phone or
    home line is given a whole /64, and counting each of its addresses alone would let it
    try 2**64 times."""
    address = request.remote_addr or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        if isinstance(parsed, ipaddress.IPv6Address):
            mapped = parsed.ipv4_mapped
            network = str(mapped or ipaddress.IPv6Network((parsed, 64), strict=False))
        else:
            network = str(parsed)
    key = str(current_app.config["IP_HASH_KEY"]).encode()
    return hmac.new(key, b"attempts:" + network.encode(), hashlib.sha256).hexdigest()
