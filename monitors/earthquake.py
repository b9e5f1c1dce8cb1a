"""Earthquake detector: does this article REPORT a shock that happened?

Built from the general parts only: the words are data (one lexicon per language,
`monitors/lexicons/earthquake/<language>.yaml`), the place is `monitors.places`, the
time is `monitors.timeexpr`, read in the zone of the place. An article matches when its
headline or a lead sentence names a shock (`nouns`) with a sign that it happened
(`happened`: a verb of striking, a magnitude, deaths) and no sign that it did not
(`not_a_shock`: figures of speech, drills, anniversaries, forecasts).

Facts: `place` (a path of English names, broad to narrow), `magnitude` and the
`agency` that measured it (USGS, JMA, EMSC...: the one named nearest the magnitude),
`depth_km`, `deaths`, and `aftershock` when the shock reported is one.

Identity: two reports are one shock when their places agree on the hierarchy
("Hualien" and "Taiwan" agree, "Honshu" and "Sumatra" do not), their magnitudes are
within 0.4 (agencies and revisions differ by tenths; an aftershock a unit
smaller is another shock), and their times overlap. An aftershock is its own event,
linked to the largest earlier shock at the same place in the two weeks before it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitors import places
from monitors.base import Agreement, ArticleView, Identity, Match, MonitorConfig, Parent
from monitors.language import (
    EventWords,
    NumberWords,
    languages,
    parse_number,
    resolve_event_time,
    rules_for,
)
from monitors.language.stamps import lead_paragraphs
from monitors.lexicon import Section, read_lexicon, with_folder

__all__ = ["IDENTITY", "KIND", "EarthquakeMonitor", "from_config"]

KIND = "earthquake"
BUILTIN = Path(__file__).resolve().parent / "lexicons" / "earthquake"
OPTIONS = frozenset({"min_magnitude", "lexicons"})
LEAD_SENTENCES = 4  # facts and the place come from the headline and this many sentences
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=다\.)|\n+")
KEYS = frozenset(
    {
        "language",
        "nouns",
        "aftershock",
        "happened",
        "not_a_shock",
        "magnitude",
        "depth",
        "deaths",
        "agencies",
    }
)
MILES_TO_KM = 1.609
FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")

IDENTITY = Identity(
    agree=MappingProxyType(
        {
            "place": Agreement("within"),
            "magnitude": Agreement("near", tolerance=0.4),
        }
    ),
    min_similarity=0.2,
    merge=MappingProxyType({"place": "most_precise", "deaths": "max"}),
    parent=Parent("aftershock", ("place",), timedelta(days=14), rank="magnitude"),
)


@dataclass(frozen=True)
class QuakeLexicon:
    language: str
    numbers: NumberWords
    nouns: re.Pattern[str]
    aftershock: re.Pattern[str]
    happened: re.Pattern[str]
    not_a_shock: re.Pattern[str]
    magnitude: tuple[re.Pattern[str], ...]  # each with a group `value` (and `unit`)
    depth: tuple[re.Pattern[str], ...]
    deaths: tuple[re.Pattern[str], ...]
    agencies: Mapping[str, re.Pattern[str]]


def load_lexicon(path: Path) -> QuakeLexicon:
    """One language's words, every key checked: a LexiconError names the file and key."""
    top = read_lexicon(path)
    top.check_keys(KEYS, ("language", "nouns", "happened", "magnitude"))
    code = str(top.text("language"))
    language = languages().get(code)
    if language is None:
        raise top.error("language", f"no language file for {code!r} (monitors/language/)")
    # {number}: a number in digits or words ("12", "two", "두"), read by the language file
    top = top.with_fragments({"number": f"(?P<value>{language.numbers.number.pattern})"})
    agencies = top.section("agencies", required=False)
    return QuakeLexicon(
        language=code,
        numbers=language.numbers,
        nouns=_pattern(top, "nouns"),
        aftershock=_pattern(top, "aftershock", required=False),
        happened=_pattern(top, "happened"),
        not_a_shock=_pattern(top, "not_a_shock", required=False),
        magnitude=_patterns(top, "magnitude"),
        depth=_patterns(top, "depth"),
        deaths=_patterns(top, "deaths"),
        agencies=MappingProxyType({str(k): _pattern(agencies, str(k)) for k in agencies.data}),
    )


def _pattern(section: Section, key: str, *, required: bool = True) -> re.Pattern[str]:
    source = section.pattern_source(key, required=required)
    if source is None:
        return re.compile(r"(?!)")  # matches nothing
    try:
        return re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise section.error(key, f"not a valid pattern ({exc})") from None


def _patterns(section: Section, key: str) -> tuple[re.Pattern[str], ...]:
    """A list of patterns kept apart: each names its groups `value` and `unit`."""
    value = section.data.get(key) or []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise section.error(key, "expected a pattern or a list of patterns")
    compiled = []
    for item in items:
        try:
            pattern = re.compile(section.expand(item, key), re.IGNORECASE)
        except re.error as exc:
            raise section.error(key, f"not a valid pattern ({exc})") from None
        if "value" not in pattern.groupindex:
            raise section.error(key, "each pattern needs a group named 'value'")
        compiled.append(pattern)
    return tuple(compiled)


def _first(patterns: Sequence[re.Pattern[str]], sentence: str) -> re.Match[str] | None:
    found = [m for pattern in patterns if (m := pattern.search(sentence))]
    return min(found, key=lambda m: m.start(), default=None)


@functools.cache
def builtin() -> Mapping[str, QuakeLexicon]:
    return load_folder(BUILTIN)


def load_folder(folder: Path) -> Mapping[str, QuakeLexicon]:
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        lexicon = load_lexicon(path)
        found[lexicon.language] = lexicon
    return MappingProxyType(found)


@dataclass(frozen=True)
class EarthquakeMonitor:
    """Reports of earthquakes of at least `min_magnitude` (when a report states one)."""

    name: str
    min_magnitude: float = 0.0
    lexicons: Mapping[str, QuakeLexicon] = field(default_factory=builtin, repr=False)
    identity: Identity = IDENTITY

    def match(self, article: ArticleView) -> Match | None:
        title = article.title.strip()
        rules = rules_for(article.language, article.text, title)
        lex = self.lexicons.get(rules.language) or self.lexicons["en"]
        lead = _lead_sentences(article.text, title)
        evidence = _evidence([title, *lead], lex)
        if evidence is None:
            return None
        facts, sources = _facts(evidence, title, lead, lex, article.language)
        if facts.get("magnitude", self.min_magnitude) < self.min_magnitude:
            return None
        zone = _zone(facts.get("place"))
        time = resolve_event_time(
            article.text or title,
            article.published,
            zone,
            rules.time,
            EventWords(body_clock=lex.nouns),
        )
        return Match(kind=KIND, time=time, facts=facts, evidence=evidence, fact_evidence=sources)


def from_config(config: MonitorConfig) -> EarthquakeMonitor:
    """Options: `min_magnitude` (reports stating less are not matched) and `lexicons` (a
    folder of `<language>.yaml` files adding to or replacing the built-in languages)."""
    unknown = set(config.options) - OPTIONS
    if unknown:
        raise ValueError(
            f"unknown option {sorted(unknown)[0]!r} (expected: {', '.join(sorted(OPTIONS))})"
        )
    least = config.options.get("min_magnitude", 0.0)
    if isinstance(least, bool) or not isinstance(least, int | float) or not 0 <= least < 10:
        raise ValueError("option 'min_magnitude': expected a number from 0 to 10")
    lexicons = with_folder(builtin(), config.options.get("lexicons"), load_folder)
    return EarthquakeMonitor(config.name, float(least), MappingProxyType(lexicons))


def _lead_sentences(text: str, title: str) -> list[str]:
    paragraphs = lead_paragraphs(text)
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    sentences = [s.strip() for p in paragraphs for s in SENTENCE_END.split(p) if s and s.strip()]
    return sentences[:LEAD_SENTENCES]


def _evidence(candidates: Sequence[str], lex: QuakeLexicon) -> str | None:
    """The first of headline and lead that tells of a shock that happened; or a
    headline naming the shock ("Japan quake") whose first lead sentence tells what
    happened ("The JMA put it at magnitude 5.8")."""
    for sentence in candidates:
        if not sentence or not lex.nouns.search(sentence):
            continue
        if lex.not_a_shock.search(sentence):
            continue
        if _happened(sentence, lex):
            return sentence
    title, *lead = candidates
    named = bool(title) and lex.nouns.search(title) and not lex.not_a_shock.search(title)
    if named and lead and _happened(lead[0], lex) and not lex.not_a_shock.search(lead[0]):
        return title
    return None


def _happened(sentence: str, lex: QuakeLexicon) -> bool:
    return bool(lex.happened.search(sentence) or _first(lex.magnitude, sentence))


def _facts(
    evidence: str, title: str, lead: list[str], lex: QuakeLexicon, language: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    sentences = [evidence, *(s for s in [title, *lead] if s != evidence)]
    place = places.event_place(title, lead, language or lex.language, lex.nouns)
    if place:
        facts["place"] = list(place)
    for sentence in sentences:
        found = _first(lex.magnitude, sentence)
        if found and "magnitude" not in facts:
            value = _number(found.group("value"))
            if value is not None and 0 < value < 10:
                facts["magnitude"] = value
                sources["magnitude"] = sentence
                agency = _agency(sentence, found.start(), lex)
                if agency:
                    facts["agency"] = agency
                    sources["agency"] = sentence
        depth = _first(lex.depth, sentence)
        if depth and "depth_km" not in facts:
            km = _kilometres(depth)
            if km is not None:
                facts["depth_km"] = km
                sources["depth_km"] = sentence
        deaths = _first(lex.deaths, sentence)
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
    first = lex.nouns.search(evidence)
    if first and lex.aftershock.fullmatch(first.group()):
        facts["aftershock"] = True
        sources["aftershock"] = evidence
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


def _zone(place: Any) -> ZoneInfo:
    name = places.zone_of(tuple(place)) if place else None
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
