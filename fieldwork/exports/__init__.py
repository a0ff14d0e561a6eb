"""Batch exports: frozen batches (models, service) and the files written for them.

The file side (records, layout, columns, codebook, writers, manifest, archive)
reads plain `ExportRecord`s and imports neither Flask nor SQLModel, so it is
tested and benchmarked without an app. This module imports nothing on purpose:
loading `exports.models` for a migration must not pull in pyarrow.
"""
