"""Importing this registers every table on SQLModel.metadata (for Alembic and its tests)."""

import fieldwork.accounts.models
import fieldwork.attempts.models
import fieldwork.definitions.models
import fieldwork.exports.models
import fieldwork.responses.models
import fieldwork.review.models  # noqa: F401
