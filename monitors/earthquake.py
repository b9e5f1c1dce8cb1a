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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitors import places
from monitors.base import (
    Agreement,
    ArticleView,
    EventTime,
    Identity,
    Match,
    MonitorConfig,
    Parent,
)
from monitors.language import EventWords, NumberWords, languages, resolve_event_time, rules_for
from monitors.language.stamps import lead_paragraphs
from monitors.lexicon import Section, read_lexicon, with_folder
from monitors.quakeaccount import read
from monitors.quakefacts import read_facts

__all__ = ["IDENTITY", "KIND", "EarthquakeMonitor", "from_config"]

KIND = "earthquake"
BUILTIN = Path(__file__).resolve().parent / "lexicons" / "earthquake"
OPTIONS = frozenset({"min_magnitude", "lexicons"})
LEAD_SENTENCES = 4  # facts and the place come from the headline and this many sentences
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|(?<=다\.)|\n+")
KEYS = frozenset(
    {
        "language",
        "nouns",
        "aftershock",
        "happened",
        "not_a_shock",
        "follow_up",
        "follows",
        "earlier",
        "recalled",
        "magnitude",
        "depth",
        "deaths",
        "agencies",
    }
)
FOLLOW_UP_WINDOW = timedelta(days=7)  # a follow-up's own interval: the week before it
RECENT = timedelta(days=1)  # a follow-up's stated time earlier than this dates the shock
REACH = timedelta(days=14)  # how far back a follow-up may find the shock it follows

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
    follow_up_reach=REACH,
    undated_checks_facts=False,  # its accounts tell follow-ups and aftershocks apart
)


@dataclass(frozen=True)
class QuakeLexicon:
    language: str
    numbers: NumberWords
    nouns: re.Pattern[str]
    aftershock: re.Pattern[str]
    happened: re.Pattern[str]
    not_a_shock: re.Pattern[str]
    follow_up: re.Pattern[str]
    follows: re.Pattern[str]
    earlier: re.Pattern[str]
    recalled: re.Pattern[str]
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
    top = top.with_fragments(
        {
            "number": f"(?P<value>{language.numbers.number.pattern})",
            "shock": f"(?:{top.pattern_source('nouns')})",  # any of the nouns
        }
    )
    agencies = top.section("agencies", required=False)
    return QuakeLexicon(
        language=code,
        numbers=language.numbers,
        nouns=_pattern(top, "nouns"),
        aftershock=_pattern(top, "aftershock", required=False),
        happened=_pattern(top, "happened"),
        not_a_shock=_pattern(top, "not_a_shock", required=False),
        follow_up=_pattern(top, "follow_up", required=False),
        follows=_pattern(top, "follows", required=False),
        earlier=_pattern(top, "earlier", required=False),
        recalled=_pattern(top, "recalled", required=False),
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
        reading = read(title, lead, lex, article.published)
        if reading is None:
            return None
        blanked = dict(zip((title, *lead), reading.sentences, strict=True))
        facts, sources = read_facts(
            blanked[reading.evidence],
            reading.sentences[0],
            reading.sentences[1:],
            lex,
            article.language,
        )
        sources = {k: _unblanked(v, blanked) for k, v in sources.items()}
        if reading.aftershock:
            facts["aftershock"], sources["aftershock"] = True, reading.evidence
        if facts.get("magnitude", self.min_magnitude) < self.min_magnitude:
            return None
        if reading.account == "follow-up" and "place" not in facts:
            return None  # what followed a shock it cannot place: nothing to join
        zone = _zone(facts.get("place"))
        time = resolve_event_time(
            article.text or title,
            article.published,
            zone,
            rules.time,
            EventWords(body_clock=lex.nouns),
        )
        if reading.account == "follow-up":
            time = _follow_up_time(time, article.published)
            if time is not None and published_before(time, article.published, REACH):
                return None  # what followed a shock long past: history, not news
        return Match(
            kind=KIND,
            time=time,
            facts=facts,
            evidence=reading.evidence,
            account=reading.account,
            fact_evidence=sources,
        )


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


def _unblanked(sentence: str, blanked: Mapping[str, str]) -> str:
    return next((k for k, v in blanked.items() if v == sentence), sentence)


def _follow_up_time(time: EventTime | None, published: datetime | None) -> EventTime | None:
    """A follow-up's time words date the account ("on Monday" rescuers searched), not
    the shock: the days before its publication, or the stated time when it is earlier
    ("the quake of 10 August"), at the "days" precision that never sets an event's."""
    if published is None:
        return time
    end = published.astimezone(UTC)
    if time is not None and time.precision != "days" and time.end < end - RECENT:
        return time
    return EventTime(end - FOLLOW_UP_WINDOW, end, "days", None)


def published_before(time: EventTime, published: datetime | None, span: timedelta) -> bool:
    """Whether the interval ends more than `span` before the publication."""
    return published is not None and time.end < published.astimezone(UTC) - span


def _zone(place: Any) -> ZoneInfo:
    name = places.zone_of(tuple(place)) if place else None
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
