"""The language files: picking a language, finding terms by script, numbers and units."""

from __future__ import annotations

import pytest

from monitors.language import (
    convert,
    find_term,
    languages,
    parse_number,
    quantities,
    rules_for,
    term_pattern,
)


def test_every_language_file_loads_with_its_general_parts() -> None:
    found = languages()
    assert set(found) >= {"en", "ko", "ja", "fr", "es"}
    for code, language in found.items():
        assert language.language == code
        assert language.time.clocks and language.time.zones
        assert language.numbers.units


@pytest.mark.parametrize(
    ("declared", "text", "code"),
    [
        ("ko", "규모 5.0 지진이 발생했다", "ko"),
        (None, "규모 5.0 지진이 발생했다", "ko"),
        ("ko", "東北地方で強い地震が発生した", "ja"),  # a Korean portal's Japanese item
        ("ko-KR", "A strong earthquake struck the coast", "en"),
        ("fr", "Un séisme a frappé la côte", "fr"),
        ("es-MX", "Un sismo sacudió la costa", "es"),
        (None, "Un séisme a frappé la côte", "en"),  # Latin letters: only by declaration
        ("de", "Ein Erdbeben erschütterte die Küste", "en"),  # no German file: English
        ("fr", "규모 5.0 지진이 발생했다", "ko"),
    ],
)
def test_the_language_is_the_declared_one_when_the_script_agrees(
    declared: str | None, text: str, code: str
) -> None:
    assert rules_for(declared, text).language == code


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        # Latin letters: whole words, any case, any whitespace inside a phrase
        ("quake", "A strong Quake hit", "Quake"),
        ("quake", "earthquakes hit", None),
        ("tropical storm", "a Tropical\n storm formed", "Tropical\n storm"),
        ("séisme", "Un séisme a frappé", "séisme"),
        ("sismo", "sismológico", None),
        # Chinese and Japanese: inside words
        ("地震", "東北地方で大地震が発生", "地震"),
        ("余震", "余震が続く", "余震"),
        # Korean: with particles attached, not inside another word
        ("지진", "강한 지진이 발생했다", "지진이"),
        ("지진", "지진으로 건물이", "지진으로"),
        ("지진", "지진 발생", "지진"),
        ("지진", "지진계가 흔들렸다", None),
        ("여진", "대여진행", None),
    ],
)
def test_terms_match_as_their_script_is_written(term: str, text: str, found: str | None) -> None:
    m = find_term(term, text)
    assert (m.group() if m else None) == found


def test_a_term_pattern_is_compiled_once() -> None:
    assert term_pattern("quake") is term_pattern("quake")
    with pytest.raises(ValueError):
        term_pattern("  ")


@pytest.mark.parametrize(
    ("code", "text", "value", "unit", "metres"),
    [
        ("en", "The missile flew 1,000 km east.", 1000, "km", 1_000_000),
        ("en", "at a depth of 10.5 kilometres", 10.5, "kilometres", 10_500),
        ("en", "about 620 miles (1,000 km)", 620, "miles", 620 * 1609.344),
        ("en", "five miles offshore", 5, "miles", 5 * 1609.344),
        ("en", "an altitude of 2 thousand meters", 2000, "meters", 2000),
        ("ko", "약 1만2000㎞를 비행했다", 12000, "㎞", 12_000_000),
        ("ko", "고도 3천 km까지", 3000, "km", 3_000_000),
        ("ja", "深さ10キロで発生", 10, "キロ", 10_000),
        ("fr", "à 1 200,5 kilomètres", 1200.5, "kilomètres", 1_200_500),
        ("es", "a 1.200 kilómetros", 1200, "kilómetros", 1_200_000),
    ],
)
def test_quantities_read_numbers_and_units_in_each_language(
    code: str, text: str, value: float, unit: str, metres: float
) -> None:
    found = quantities(text, code)[0]
    assert (found.value, found.unit, found.base) == (value, unit, "m")
    assert found.base_value == pytest.approx(metres)
    assert text[found.start : found.end] == found.text


def test_a_quantity_converts_to_another_unit_of_its_kind() -> None:
    found = quantities("it flew 620 miles", "en")[0]
    assert convert(found, "km", "en") == pytest.approx(997.79, abs=0.01)
    with pytest.raises(ValueError):
        convert(found, "seconds", "en")


def test_numbers_alone_are_read_with_the_languages_words() -> None:
    english = languages()["en"].numbers
    korean = languages()["ko"].numbers
    assert parse_number(english.number.search("killed three people"), english) == 3
    assert parse_number(english.number.search("1.5 million homes"), english) == 1_500_000
    assert parse_number(korean.number.search("사망자 3천명"), korean) == 3000
