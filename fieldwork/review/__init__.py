"""Review: statuses and decisions on responses, quality flags applied, the audit log."""
