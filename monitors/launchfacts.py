"""Facts of one launch, each with the sentence it was read from.

Why only some sentences: a report of today's launch also recalls earlier ones ("In
December, the country tested cruise missiles", "2023년 9월 ... 1천500km를 비행"),
what the weapon could do ("capable of reaching"), and other countries' launches. So
facts come from the headline and the sentences about *this* launch: the one that
reports it, and others that refer back to it ("the two missiles flew...", "발사된 미사일
수발을 포착"). Sentences about other times, capabilities and background give none.
The words are the lexicon's (`monitors.launchrules`); values are canonical where the
lexicon gives a label ("서해상" → West Sea, "弾道ミサイル" → ballistic), so reports of
one launch in three languages agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitors.base import EventTime
from monitors.language import period_mentioned
from monitors.launchactors import korea_context, launch_actor, launched_by_another
from monitors.launchrules import LaunchLexicon

__all__ = ["about_another_time", "extract_facts"]

RECENT = timedelta(days=3)  # a time reference this close to publication makes it news
FACT_SENTENCES = 80  # facts are read from this many sentences of a full text at most
OTHER_TIME_SLACK = timedelta(days=1)  # a sentence's period this far off is another launch
MILES_TO_KM = 1.609
DIGITS = re.compile(r"\d+")


def extract_facts(
    sentences: Sequence[str],
    evidence_sentence: str,
    actor: str,
    actors: Sequence[str],
    time: EventTime | None,
    published: datetime | None,
    zone: ZoneInfo,
    lexicon: LaunchLexicon,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(facts, the sentence each fact was read from) from the sentences about this launch.

    The evidence sentence goes first, then the title, then the text in order; the first
    sentence that gives a fact keeps it (types are the union of every relevant sentence).
    A count needs a launch phrase by the actor in its sentence (or the title), so a count
    of other missiles is not this launch's.
    """
    lex = lexicon
    ordered = [evidence_sentence, *(s for s in sentences if s != evidence_sentence)]
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    types: list[str] = []
    taken: set[str] = set()
    landings: list[tuple[int, str, str]] = []
    context = any(korea_context(s, lex) for s in ordered[:3])

    def keep(key: str, value: Any, sentence: str) -> None:
        slot = {"count_text": "count"}.get(key, key)  # a number or "several": one fact
        if slot not in taken:
            taken.add(slot)
            facts[key] = value
            sources[key] = sentence

    for index, raw in enumerate(ordered[:FACT_SENTENCES]):
        sentence = _before_history(raw, lex)
        headline = index == 0 or raw == sentences[0]
        if not sentence or not (headline or lex.launch_context.search(sentence)):
            continue
        if any(
            cue is not None and cue.search(sentence) for cue in (lex.background, lex.capability)
        ):
            continue
        if about_another_time(sentence, published, zone, lex, time):
            continue
        if launched_by_another(sentence, actor, lex, context):
            continue  # "South Korea fired Hyunmoo missiles in response": not this launch
        launched = launch_actor(sentence, actors, lex, context=context) == actor
        refers = lex.this_launch is not None and lex.this_launch.search(sentence)
        if not (headline or launched or refers):
            continue
        count = _count(sentence, lex, definite=not (headline or launched))
        if count is not None:
            keep(*count, raw)
        for found in _types(sentence, lex):
            if found not in types:
                types.append(found)
                sources.setdefault("missile_types", raw)
        for key, patterns in (("distance_km", lex.distance), ("apogee_km", lex.apogee)):
            m = _first(patterns, sentence)
            if m:
                keep(key, _kilometres(m, lex), raw)
        m = _first(lex.flight_time, sentence)
        if m and (seconds := _seconds(m, lex)):
            keep("flight_seconds", seconds, raw)
        area = _launch_area(sentence, actors, lex)
        if area:
            keep("launch_area", area, raw)
        for rank, landing in enumerate(lex.landing_areas):
            m = landing.regex.search(sentence)
            if m:
                landings.append((rank, landing.label or " ".join(m.group("x").split()), raw))
                break
    if types:
        facts["missile_types"] = sorted(types)
    if landings:  # the most specific wins ("East Sea" over "the sea"), then the earliest
        _, facts["landing_area"], sources["landing_area"] = min(landings, key=lambda c: c[0])
    return facts, sources


def about_another_time(
    sentence: str,
    published: datetime | None,
    zone: ZoneInfo,
    lexicon: LaunchLexicon,
    time: EventTime | None = None,
) -> bool:
    """Does the sentence's own time point away from this launch (or from recent days)?"""
    period = period_mentioned(sentence, published, zone, lexicon.time, lexicon.event)
    if period is None:
        return False
    if time is not None and time.precision != "days":
        low, high = time.start - OTHER_TIME_SLACK, time.end + OTHER_TIME_SLACK
    elif published is not None:
        low, high = published - RECENT, published + OTHER_TIME_SLACK
    else:
        return False
    return period[1] <= low or period[0] >= high


def _first(patterns: Sequence[re.Pattern[str]], sentence: str) -> re.Match[str] | None:
    for pattern in patterns:
        m = pattern.search(sentence)
        if m:
            return m
    return None


def _count(sentence: str, lex: LaunchLexicon, *, definite: bool = False) -> tuple[str, Any] | None:
    """The count a sentence gives; `definite`: only "the two missiles", which refers back
    to this launch, from a sentence that does not itself report it (in languages whose
    lexicon says how such a reference looks)."""
    m = _first(lex.count, sentence)
    if m is None:
        return None
    if definite and lex.definite is not None and not lex.definite.search(sentence[: m.start()]):
        return None
    quantity = m.group("q").lower()
    if quantity in lex.vague_counts:
        return "count_text", lex.vague_counts[quantity]
    if quantity.isdigit():
        return "count", int(quantity)
    number = lex.numbers.get(quantity)
    return None if number is None else ("count", number)


def _types(sentence: str, lex: LaunchLexicon) -> list[str]:
    """Canonical types; a label may name group 1 as {1} ("Hwasong-{1}" for "화성-18형")."""
    found = []
    for kind in lex.missile_types:
        for m in kind.regex.finditer(sentence):
            if kind.label is None:
                found.append(m.group(1))
            elif "{1}" in kind.label:
                found.append(kind.label.replace("{1}", m.group(1) or ""))
            else:
                found.append(kind.label)
    return found


def _before_history(sentence: str, lex: LaunchLexicon) -> str:
    """The part of a sentence before it turns to history: "..., the first launch since"."""
    m = lex.history.search(sentence) if lex.history is not None else None
    return sentence[: m.start()].strip() if m else sentence


def _launch_area(sentence: str, actors: Sequence[str], lex: LaunchLexicon) -> str | None:
    if not lex.launch_context.search(sentence):
        return None
    others = [alias for a in lex.actors.values() if a.name not in actors for alias in a.names]
    watched = {actor.casefold() for actor in actors}
    for pattern in lex.launch_area:
        for m in pattern.finditer(sentence):
            area = " ".join(m.group("x").split())
            if area.casefold() in watched or any(area.startswith(o) for o in others):
                continue  # "from North Korea" names the launcher; "from Seoul" is not a site
            return area
    return None


def number(text: str, lex: LaunchLexicon) -> float:
    """A written number: "1,500", "1.5", and with the lexicon's units "1천500" (1500),
    "1만199" (10199), "２千" (2000)."""
    text = text.replace(",", "").replace("，", "").replace(" ", "")
    if not lex.number_units or not any(unit in text for unit in lex.number_units):
        return float(text)
    total, digits = 0.0, ""
    for char in text:
        if char in lex.number_units:
            total += (float(digits) if digits else 1.0) * lex.number_units[char]
            digits = ""
        else:
            digits += char
    return total + (float(digits) if digits else 0.0)


def _kilometres(m: re.Match[str], lex: LaunchLexicon) -> int | float:
    """Kilometres from a distance/apogee match: the km figure if given, else miles × 1.609."""
    pairs = [(m.group("n"), m.group("u"))]
    if "n2" in m.re.groupindex and m.group("n2"):
        pairs.append((m.group("n2"), m.group("u2")))
    for written, unit in pairs:
        if not unit.lower().startswith("mile"):
            value = number(written, lex)
            return int(value) if value.is_integer() else value
    return round(number(pairs[0][0], lex) * MILES_TO_KM)


def _seconds(m: re.Match[str], lex: LaunchLexicon) -> int | None:
    """A flight's duration in seconds from groups h, m and s (each optional)."""
    groups = m.groupdict()
    total = 0.0
    for key, scale in (("h", 3600), ("m", 60), ("s", 1)):
        if groups.get(key):
            total += number(groups[key], lex) * scale
    return round(total) or None
