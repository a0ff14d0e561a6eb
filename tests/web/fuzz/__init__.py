"""The fuzz suite: random, huge, malformed and boundary values in every part of every
request the app answers (`test_every_route`), and deeper recipes for the forms whose
valid values are hard to guess (`test_features`). No answer may be a server error or
lack the security headers, and a refused request may leave no row behind.

Hypothesis draws the requests, derandomized so CI runs the same ones every time;
FIELDWORK_FUZZ_EXAMPLES=1000 searches deeper, for minutes, by hand.
"""
