"""Paper questionnaires: what a printed sheet says, and, to come, sheets, entry and
reconciliation (see docs/architecture.md)."""
