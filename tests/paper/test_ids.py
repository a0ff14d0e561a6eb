"""Sheet ids: the check character catches every typo it promises to, and typing forgives
what a person does to an id without changing it."""

from __future__ import annotations

import random

import pytest

from fieldwork.paper import ids

# A fixed sample, so a failure names the same ids every run.
SAMPLE = [ids.draw(random.Random(seed).choice) for seed in range(200)]


def test_ids_use_only_characters_that_cannot_be_mistaken() -> None:
    assert not set("01OILUZ") & set(ids.ALPHABET)
    assert len(set(ids.ALPHABET)) == len(ids.ALPHABET) == 29
    assert all(len(sheet_id) == 9 and set(sheet_id) <= set(ids.ALPHABET) for sheet_id in SAMPLE)


def test_every_drawn_id_passes_its_check() -> None:
    assert all(ids.is_valid(sheet_id) for sheet_id in SAMPLE)


def test_every_single_wrong_character_is_caught() -> None:
    for sheet_id in SAMPLE:
        for position, right in enumerate(sheet_id):
            for wrong in ids.ALPHABET.replace(right, ""):
                typo = sheet_id[:position] + wrong + sheet_id[position + 1 :]
                assert not ids.is_valid(typo), (sheet_id, typo)


def test_every_swap_of_neighbours_is_caught() -> None:
    swaps = 0
    for sheet_id in SAMPLE:
        for position in range(len(sheet_id) - 1):
            first, second = sheet_id[position], sheet_id[position + 1]
            if first == second:
                continue
            typo = sheet_id[:position] + second + first + sheet_id[position + 2 :]
            assert not ids.is_valid(typo), (sheet_id, typo)
            swaps += 1
    assert swaps > 1500  # the sample really swaps (the check character included)


def test_ids_drawn_by_the_cryptographic_source_differ() -> None:
    drawn = {ids.draw() for _ in range(2000)}
    assert len(drawn) == 2000


def test_an_id_is_shown_in_two_groups_of_four_and_its_check_character() -> None:
    assert ids.shown("K7QM3XWDR") == "K7QM-3XWD-R"


@pytest.mark.parametrize(
    "typed",
    [
        "{shown}",
        "{plain}",
        "{lower}",
        "  {lower_spaced}  ",
        "{plain_hyphens}",
        "{full_width}",
    ],
)
def test_typing_forgives_case_spaces_hyphens_and_full_width(typed: str) -> None:
    sheet_id = SAMPLE[0]
    forms = {
        "shown": ids.shown(sheet_id),
        "plain": sheet_id,
        "lower": sheet_id.lower(),
        "lower_spaced": " ".join([sheet_id[:4], sheet_id[4:8], sheet_id[8]]).lower(),
        "plain_hyphens": "-".join(sheet_id),
        "full_width": "".join(chr(ord(c) + 0xFEE0) for c in sheet_id),
    }
    assert ids.parse(typed.format(**forms)) == sheet_id


@pytest.mark.parametrize(
    ("typed", "code", "character"),
    [
        ("", ids.WRONG_LENGTH, ""),
        ("ABCD-EFGH", ids.WRONG_LENGTH, ""),
        ("ABCD-EFGH-JK", ids.WRONG_LENGTH, ""),
        ("A" * 100_000, ids.WRONG_LENGTH, ""),
        ("ABCD-0FGH-J", ids.BAD_CHARACTER, "0"),
        ("abcd-efgh-l", ids.BAD_CHARACTER, "L"),
        ("ABCD/EFGH/J", ids.BAD_CHARACTER, "/"),
        ("问卷ABCDEFGH", ids.BAD_CHARACTER, "问"),
        ("ABCD-EFGH-\x00", ids.BAD_CHARACTER, "\x00"),
    ],
)
def test_text_that_cannot_be_an_id_is_refused_with_a_code(
    typed: str, code: str, character: str
) -> None:
    with pytest.raises(ids.IdError) as refused:
        ids.parse(typed)
    assert (refused.value.code, refused.value.character) == (code, character)


def test_an_id_with_one_wrong_character_fails_its_check() -> None:
    sheet_id = SAMPLE[1]
    wrong = ids.ALPHABET[(ids.ALPHABET.index(sheet_id[3]) + 1) % len(ids.ALPHABET)]
    with pytest.raises(ids.IdError) as refused:
        ids.parse(sheet_id[:3] + wrong + sheet_id[4:])
    assert refused.value.code == ids.CHECK_FAILS
