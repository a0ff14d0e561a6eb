"""The key a request's guesses are counted under: the client's network, hashed."""

from __future__ import annotations

import ipaddress

from flask import request

from fieldwork.web.paradata import keyed_hash


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
    return keyed_hash(f"attempts:{network}")
