"""Codes people read aloud or write down: Damm-checked resume codes and reference codes."""

from __future__ import annotations

import re

import pytest

from fieldwork.responses import codes

SAMPLES = [codes.new_resume_code() for _ in range(25)] + ["000000000000", "123456789018"]


def test_damm_matches_the_published_example() -> None:
    # Damm's worked example: 572 gets the check digit 4, and 5724 checks to 0.
    assert (codes.damm("572"), codes.damm("5724")) == (4, 0)


def test_fixed_sample_codes_are_valid() -> None:
    assert all(codes.damm(code) == 0 for code in SAMPLES[-2:])


def test_new_resume_code_is_twelve_digits() -> None:
    assert re.fullmatch(r"[0-9]{12}", codes.new_resume_code())


def test_new_resume_code_passes_its_own_check() -> None:
    code = codes.new_resume_code()
    assert codes.normalise_resume_code(code) == code


def test_new_resume_codes_differ() -> None:
    assert len({codes.new_resume_code() for _ in range(50)}) == 50


@pytest.mark.parametrize("code", SAMPLES)
def test_every_single_digit_error_is_detected(code: str) -> None:
    typos = [
        code[:i] + wrong + code[i + 1 :]
        for i, right in enumerate(code)
        for wrong in "0123456789"
        if wrong != right
    ]
    assert len(typos) == 12 * 9
    assert [t for t in typos if codes.normalise_resume_code(t) is not None] == []


@pytest.mark.parametrize("code", SAMPLES)
def test_every_adjacent_transposition_is_detected(code: str) -> None:
    swaps = [
        code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        for i in range(len(code) - 1)
        if code[i] != code[i + 1]
    ]
    assert [s for s in swaps if codes.normalise_resume_code(s) is not None] == []


# --- normalisation -------------------------------------------------------------------------

CODE = "123456789018"


@pytest.mark.parametrize(
    "typed",
    [
        "1234 5678 9018",
        " 123456789018 ",
        "1234-5678-9018",
        "1234–5678–9018",
        "1234—5678—9018",
        "1234.5678.9018",
        "1234\u30005678\u30009018",
        "１２３４５６７８９０１８",
        "１２３４ ５６７８ ９０１８",
        "1234－5678－9018",
        "1234\u22125678\u22129018",
        "1234\u20105678\u20109018",
    ],
    ids=[
        "spaces",
        "padded",
        "hyphens",
        "en dashes",
        "em dashes",
        "dots",
        "ideographic spaces",
        "full-width digits",
        "full-width digits and spaces",
        "full-width hyphens",
        "minus signs",
        "unicode hyphens",
    ],
)
def test_typed_code_is_normalised_to_its_digits(typed: str) -> None:
    assert codes.normalise_resume_code(typed) == CODE


def test_formatted_code_reads_back() -> None:
    formatted = codes.format_resume_code(CODE)
    assert formatted == "1234 5678 9018"
    assert codes.normalise_resume_code(formatted) == CODE


def test_code_one_digit_short_is_refused() -> None:
    assert codes.normalise_resume_code(CODE[:-1]) is None


def test_code_one_digit_long_is_refused_even_if_its_check_holds() -> None:
    longer = CODE + "0"  # a trailing 0 keeps a Damm check of 0: only the length refuses it
    assert codes.damm(longer) == 0
    assert codes.normalise_resume_code(longer) is None


def test_eleven_digits_that_check_are_refused() -> None:
    body = "1234567890"
    short = body + str(codes.damm(body))
    assert codes.normalise_resume_code(short) is None


@pytest.mark.parametrize(
    "typed", ["", "abcdefghijkl", "12345678901x", "١٢٣٤٥٦٧٨٩٠١٨", "1234_5678_9018"]
)
def test_anything_but_twelve_digits_is_refused(typed: str) -> None:
    assert codes.normalise_resume_code(typed) is None


# --- reference codes -----------------------------------------------------------------------


def test_reference_uses_only_unambiguous_characters() -> None:
    reference = codes.new_reference()
    assert len(reference) == 8
    assert set(reference) <= set(codes.REFERENCE_ALPHABET)


def test_reference_alphabet_leaves_out_look_alikes() -> None:
    assert set("01OIL") & set(codes.REFERENCE_ALPHABET) == set()


def test_reference_is_printed_in_two_halves() -> None:
    assert codes.format_reference("ABCD2345") == "ABCD-2345"


# --- what is wrong with a typed code ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["", "   ", CODE[:-1], CODE + "0", "abcd efgh ijkl", "12345678901x"]
)
def test_anything_but_twelve_digits_is_not_twelve_digits(typed: str) -> None:
    assert codes.resume_code_problem(typed) == codes.NOT_TWELVE_DIGITS


@pytest.mark.parametrize(
    "typed", [CODE[:-1] + "9", "1234 5678 9019", "2134 5678 9018", "１２３４５６７８９０１９"]
)
def test_twelve_digits_whose_check_fails_are_mistyped(typed: str) -> None:
    assert codes.resume_code_problem(typed) == codes.MISTYPED


def test_a_code_that_checks_has_no_problem() -> None:
    assert codes.resume_code_problem("1234-5678-9018") is None
