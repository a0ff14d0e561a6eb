"""Reading a folder of definitions with every check the app applies to them.

The questionnaire core checks what a questionnaire is; the quality rules check
their own `quality:` settings. This is where the two meet, so neither core
imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fieldwork.paper.fonts import glyph_problems
from fieldwork.quality.settings import check_settings
from fieldwork.questionnaire.loader import Catalog, load_directory


def quality_problems(definition: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The problems of a definition's quality rule settings, located under "quality"."""
    return [("quality", code, message) for code, message in check_settings(definition)]


CHECKS = (quality_problems, glyph_problems)


def read_folder(directory: Path) -> Catalog:
    """Every questionnaire and the segments in `directory`, checked as `flask fieldwork
    check` and `load` do."""
    return load_directory(directory, CHECKS)
