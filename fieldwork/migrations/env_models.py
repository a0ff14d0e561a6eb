"""Importing this registers every table on SQLModel.metadata (for Alembic and its tests)."""

# One name, `fieldwork`, is bound by all of these: the linter sees the last as unused.
import fieldwork.accounts.models
import fieldwork.attempts.models
import fieldwork.audit.models
import fieldwork.definitions.models
import fieldwork.exports.models
import fieldwork.paper.models
import fieldwork.responses.models
import fieldwork.shadow.models  # noqa: F401
