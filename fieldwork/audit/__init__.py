"""The audit log: who changed what on which response, when, and why, never updated."""
