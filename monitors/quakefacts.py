"""The facts of an earthquake report: magnitude and its agency, depth, deaths, place.

Read from the sentence that told of the shock first, then the headline and the lead.
A number inside a phrase naming an earlier shock ("after the deadly 7.7 quake") is that
shock's, not this report's: the caller blanks such phrases out before reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from monitors import places
from monitors.language import parse_number

if TYPE_CHECKING:
    from monitors.earthquake import QuakeLexicon

MILES_TO_KM = 1.609
FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def first_match(patterns: Sequence[re.Pattern[str]], sentence: str) -> re.Match[str] | None:
    found = [m for pattern in patterns if (m := pattern.search(sentence))]
    return min(found, key=lambda m: m.start(), default=None)


def read_facts(
    evidence: str, title: str, lead: Sequence[str], lex: QuakeLexicon, language: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(facts, the sentence each came from): `evidence` first, then headline and lead."""
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    sentences = [evidence, *(s for s in [title, *lead] if s != evidence)]
    place = places.event_place(title, lead, language or lex.language, lex.nouns)
    if place:
        facts["place"] = list(place)
    for sentence in sentences:
        found = first_match(lex.magnitude, sentence)
        if found and "magnitude" not in facts:
            value = _number(found.group("value"))
            if value is not None and 0 < value < 10:
                facts["magnitude"] = value
                sources["magnitude"] = sentence
                agency = _agency(sentence, found.start(), lex)
                if agency:
                    facts["agency"] = agency
                    sources["agency"] = sentence
        depth = first_match(lex.depth, sentence)
        if depth and "depth_km" not in facts:
            km = _kilometres(depth)
            if km is not None:
                facts["depth_km"] = km
                sources["depth_km"] = sentence
        deaths = first_match(lex.deaths, sentence)
        if deaths and "deaths" not in facts:
            count = _count(deaths, lex)
            if count is not None and count == int(count):
                facts["deaths"] = int(count)
                sources["deaths"] = sentence
    if "magnitude" in facts and "agency" not in facts:
        # a headline's magnitude, with the agency named in the lead ("..., the USGS said")
        for sentence in lead:
            agency = _agency(sentence, 0, lex)
            if agency:
                facts["agency"], sources["agency"] = agency, sentence
                break
    if "place" in facts:
        sources["place"] = next(
            (s for s in sentences if any(_named(part, s) for part in facts["place"])), evidence
        )
    return facts, sources


def _count(found: re.Match[str], lex: QuakeLexicon) -> float | None:
    """A number the pattern found, in digits or in the language's number words."""
    if "word" in found.groupdict():
        return parse_number(found, lex.numbers)
    return _number(found.group("value"))


def _agency(sentence: str, position: int, lex: QuakeLexicon) -> str | None:
    """The agency named nearest the magnitude in its sentence."""
    best: tuple[int, str] | None = None
    for name, pattern in lex.agencies.items():
        for found in pattern.finditer(sentence):
            distance = abs(found.start() - position)
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else None


def _kilometres(found: re.Match[str]) -> float | int | None:
    groups = found.groupdict()
    value = _number(groups.get("value") or "")
    unit = (groups.get("unit") or "km").casefold()
    if value is None:
        return None
    if unit.startswith("mile"):
        value = round(value * MILES_TO_KM)
    return int(value) if value == int(value) else value


def _number(text: str) -> float | None:
    text = (
        text.translate(FULL_WIDTH).replace(",", ".")
        if text.count(",") == 1 and len(text.split(",")[1]) < 3
        else text.translate(FULL_WIDTH).replace(",", "").replace(" ", "")
    )
    try:
        return float(text)
    except ValueError:
        return None


def _named(name: str, sentence: str) -> bool:
    return name.casefold() in sentence.casefold()
