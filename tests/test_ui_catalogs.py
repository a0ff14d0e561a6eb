"""A language's UI catalog outside a request, as a printed sheet needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldwork import ui_catalogs


def test_each_language_translates_with_its_own_catalog() -> None:
    assert ui_catalogs.gettext("zh-Hans")("Tick one box.") == "请只勾一个。"
    assert ui_catalogs.gettext("zh-Hant")("Tick one box.") == "請只勾一個。"
    assert ui_catalogs.gettext("en")("Tick one box.") == "Tick one box."


def test_a_language_that_is_not_offered_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        ui_catalogs.translations("fr")


def test_a_catalog_not_compiled_is_an_error_not_english(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="translations compile"):
        ui_catalogs.translations("zh-Hant", tmp_path)
