"""Mystery-shopper shadow tests: a tester's event timeline and checklist, and what they
show against a definition's thresholds (`timeline`, `checklist`: pure). Plans, the event
logger, evidence and their pages are to come (see docs/architecture.md)."""
