"""Responses: drafts in progress and submitted responses, each stored exactly once."""
