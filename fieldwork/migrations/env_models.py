"""Importing this registers every table on SQLModel.metadata (for Alembic and its tests)."""
