"""Reading a folder of definitions with every check the app applies to them.

The questionnaire core checks what a questionnaire is; the quality rules check
their own `quality:` settings. This is where the two meet, so neither core
imports the other. Checks of features built on definitions (the fonts a printed sheet
needs) are handed in by the app's glue (`catalog.read_definitions`), so this service
imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fieldwork.quality.settings import check_settings
from fieldwork.questionnaire.loader import Catalog, DefinitionCheck, load_directory


def quality_problems(definition: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The problems of a definition's quality rule settings, located under "quality"."""
    return [("quality", code, message) for code, message in check_settings(definition)]


CHECKS = (quality_problems,)


def read_folder(directory: Path, also: Sequence[DefinitionCheck] = ()) -> Catalog:
    """Every questionnaire and the segments in `directory`, with the quality settings
    checked, and the checks `also` names."""
    return load_directory(directory, (*CHECKS, *also))
