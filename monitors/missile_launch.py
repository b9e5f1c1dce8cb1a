"""Missile launch detector: does this article REPORT a new launch by a watched actor?

Why lead-only rules: news about a launch says so in the headline or first paragraphs
("North Korea fired two ballistic missiles early Sunday, the JCS said"), while the many
articles that merely mention launches (analysis, sanctions, court cases, anniversaries)
do so further down, in the past tense of history, or with cue words in the headline. So
an article matches when a title or lead sentence

* has a launch phrase ("fired ... missiles", "missile launches", "missiles ... launched"),
* whose nearest country mention is a watched actor (so South Korea's own test is not
  North Korea's launch),
* that is not history or background ("since 2019", "sanctions", "court"),
* and is news: the headline, or tied to a recent time or a reporting verb ("said").

Analysis cues in the title or first paragraph ("Analysis:", "why", "timeline") demand a
lead sentence with both a recent time and a reporting verb. Facts come from regexes in
the tables below, applied to the title and lead only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.config import MonitorConfig
from monitors.base import ArticleView, EventTime, Match
from monitors.timeexpr import lead_paragraphs, resolve_event_time

KIND = "missile_launch"
DEFAULT_ZONE = "Asia/Seoul"
DEFAULT_ACTORS = ("North Korea",)
OPTIONS = frozenset({"zone", "actors"})
RECENT = timedelta(days=3)  # a time reference this close to publication makes it news
MILES_TO_KM = 1.609

# How each actor is written. An actor not listed here is matched by its own name only.
ACTOR_ALIASES = MappingProxyType(
    {
        "North Korea": ("North Korea", "North Korean", "N. Korea", "N.Korea", "DPRK", "Pyongyang"),
        "South Korea": ("South Korea", "South Korean", "S. Korea", "Seoul", "ROK"),
        "Japan": ("Japan", "Japanese", "Tokyo"),
        "United States": ("United States", "U.S.", "US", "American", "Washington", "Pentagon"),
        "China": ("China", "Chinese", "Beijing"),
        "Russia": ("Russia", "Russian", "Moscow", "Kremlin"),
        "Iran": ("Iran", "Iranian", "Tehran"),
        "Israel": ("Israel", "Israeli"),
        "Ukraine": ("Ukraine", "Ukrainian", "Kyiv"),
        "Taiwan": ("Taiwan", "Taiwanese", "Taipei"),
        "India": ("India", "Indian"),
        "Pakistan": ("Pakistan", "Pakistani"),
        "Houthis": ("Houthis", "Houthi", "Yemen"),
    }
)
# "the North" is North Korea only in text that is about North Korea; accept it as an alias.
EXTRA_ALIASES = MappingProxyType({"North Korea": ("the North",)})

_NOUN = r"(?:missiles?|ICBMs?|SRBMs?|MRBMs?|IRBMs?|projectiles?)"
_WORDS = r"(?:\s+[\w'’-]+){0,8}?"
# The launch phrase, in its three shapes. `verb` marks where the launcher acts.
LAUNCH_ACTIVE = re.compile(
    rf"(?i)\b(?P<verb>(?:test-)?(?:fired|fires|launched|launches|tested|tests)|test-launched)"
    rf"\b{_WORDS}\s+{_NOUN}\b"
)
LAUNCH_PASSIVE = re.compile(
    rf"(?i)\b{_NOUN}(?:\s+[\w'’.-]+){{0,4}}?\s+(?P<verb>(?:was|were|had been|have been)\s+"
    r"(?:fired|launched|test-fired)|launched|fired|test-fired)\b"
)
LAUNCH_NOUN = re.compile(
    rf"(?i)\b(?P<verb>missile\s+(?:launch(?:es)?|firings?|tests?)|launch(?:es)?\s+of{_WORDS}\s+{_NOUN})\b"
)
LAUNCH_PATTERNS = ((LAUNCH_ACTIVE, True), (LAUNCH_PASSIVE, False), (LAUNCH_NOUN, False))
# Every launch pattern names one of these: a text without any cannot match, and most
# news is about something else, so this one search spares the sentence-by-sentence work.
ANY_NOUN = re.compile(r"(?i)missile|ICBM|SRBM|MRBM|IRBM|projectile")
SPECULATION_BEFORE = re.compile(r"(?i)\b(?:may|might|could|would|will)\s+(?:have\s+)?$")
HISTORY_CUES = re.compile(
    r"(?i)\bsince\s+(?:19|20)\d\d\b|\bin\s+(?:19|20)\d\d\b|\bin recent (?:years|months)\b"
    r"|\bover the (?:past|last)\s+(?:\w+\s+)?(?:years|decades?|months)\b|\blast year\b"
    r"|\bso far this year\b|\brecord number\b|\b(?:dozens|hundreds) of\b|\bmore than \d{2,}\b"
    r"|\bhistory of\b|\banniversary\b|\bpreviously\b"
)
BACKGROUND_CUES = re.compile(
    r"(?i)\bsanction(?:s|ed)?\b|\bcourt\b|\bsentenced\b|\bconvicted\b|\bindicted\b|\btrial\b"
    r"|\bprosecutors?\b|\blawsuit\b|\bverdict\b|\bresolutions?\b|\bin response to\b"
)
ANALYSIS_CUES = re.compile(
    r"(?i)^\s*(?:analysis|explainer|opinion|commentary|editorial|q&a|fact check)\b|\bexplainer\b"
    r"|\bwhy\b|\bwhat we know\b|\bwhat to know\b|\bhistory of\b|\btimeline\b"
    r"|\bin recent years\b|\bsince (?:19|20)\d\d\b"
)
REPORTING = re.compile(
    r"(?i)\b(?:said|says|say|told|according to|detected|confirmed|reported|announced"
    r"|stated|statement)\b"
)
SENTENCE_END = re.compile(
    r"(?<!\bU\.S\.)(?<!\ba\.m\.)(?<!\bp\.m\.)(?<!\bN\.)(?<!\bS\.)(?<!\bMr\.)(?<!\bDr\.)"
    r"(?<!\bGen\.)(?<!\bNo\.)(?<=[.!?”\"])\s+(?=[A-Z“\"‘(])"
)

NUMBER_WORDS = MappingProxyType(
    {
        "a": 1,
        "an": 1,
        "one": 1,
        "single": 1,
        "a single": 1,
        "two": 2,
        "a pair of": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
    }
)
VAGUE_COUNTS = MappingProxyType(
    {
        "several": "several",
        "multiple": "several",
        "a number of": "several",
        "a barrage of": "several",
        "a salvo of": "several",
        "a volley of": "several",
        "a series of": "several",
    }
)
_QUANT = "|".join(
    re.escape(q) for q in sorted([*NUMBER_WORDS, *VAGUE_COUNTS], key=len, reverse=True)
)
COUNT = re.compile(
    rf"(?i)\b(?P<q>{_QUANT}|\d{{1,2}})\s+(?:(?!and\b|or\b)[\w'’-]+\s+){{0,3}}?"
    rf"(?:{_NOUN}|missile\s+launch(?:es)?)\b"
)
# (pattern, label): canonical missile types; a pattern with a group keeps the text as written.
MISSILE_TYPES = (
    (re.compile(r"(?i)\bshort-range ballistic\b"), "short-range ballistic"),
    (re.compile(r"(?i)\bballistic\b"), "ballistic"),
    (re.compile(r"(?i)\bcruise missiles?\b"), "cruise"),
    (re.compile(r"(?i)\bhypersonic\b"), "hypersonic"),
    (re.compile(r"\bSRBMs?\b"), "SRBM"),
    (re.compile(r"\bMRBMs?\b|(?i:\bmedium-range ballistic\b)"), "MRBM"),
    (re.compile(r"\bIRBMs?\b|(?i:\bintermediate-range ballistic\b)"), "IRBM"),
    (re.compile(r"\bICBMs?\b|(?i:\bintercontinental ballistic\b)"), "ICBM"),
    (re.compile(r"\b((?:Hwasong|Pukguksong|Hyunmoo)-\d+[A-Za-z]*|KN-\d+)\b"), None),
)
_NUM = r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<u>kilometers|kilometres|km|miles)\b"
_ABOUT = r"(?:(?:about|around|roughly|approximately|some|nearly|almost|up to|more than|over"
_ABOUT += r"|at least|an estimated)\s+)?"
DISTANCE = re.compile(
    rf"(?i)\b(?:flew|flown|flying|travell?ed|travell?ing|covered|range of|distance of)\s+"
    rf"(?:for\s+)?{_ABOUT}{_NUM}(?:\s*\(\s*{_ABOUT}(?P<n2>\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<u2>kilometers|kilometres|km|miles)\s*\))?"
)
APOGEE = re.compile(
    rf"(?i)\b(?:altitude|apogee|height)\s+of\s+{_ABOUT}{_NUM}(?:\s*\(\s*{_ABOUT}"
    r"(?P<n2>\d[\d,]*(?:\.\d+)?)\s*(?P<u2>kilometers|kilometres|km|miles)\s*\))?"
)
LAUNCH_AREA = re.compile(
    r"\b(?:from|near)\s+(?:near\s+|around\s+)?(?:the\s+)?(?P<x>(?:(?:area|vicinity|region)\s+"
    r"(?:around|near|of)\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:\s+(?:capital\s+region"
    r"|capital|area|region|province|county|coast|city))?)"
)
LAUNCH_CONTEXT = re.compile(r"(?i)\b(?:launch\w*|fired|fires|firing|missiles?)\b")
# Most specific first: the first pattern that matches anywhere in the lead wins.
LANDING_AREAS = (
    re.compile(
        r"(?i)\b(?P<x>(?:outside|inside|within)\s+(?:of\s+)?Japan's\s+"
        r"(?:exclusive\s+economic\s+zone|EEZ))"
    ),
    re.compile(
        r"\b(?:into|toward|towards|in|over|off)\s+(?:the\s+)?(?P<x>(?:East|West|Yellow|South China"
        r"|East China)\s+Sea|Sea\s+of\s+Japan|Pacific(?:\s+Ocean)?)\b"
    ),
    re.compile(r"(?i)\b(?P<x>off\s+(?:its|the|North Korea's)\s+(?:east|west)(?:ern)?\s+coast)"),
    re.compile(
        r"(?i)\b(?:into|in|toward|towards)\s+(?P<x>waters\s+off\s+(?:its|the)\s+(?:\w+\s+)?coast)"
    ),
    re.compile(r"(?i)\b(?:into|toward|towards|in)\s+the\s+(?P<x>sea|ocean)\b"),
    re.compile(r"(?i)\b(?:into|in)\s+the\s+(?P<x>water)\b"),
)


@dataclass(frozen=True)
class MissileLaunchMonitor:
    """Reports of new missile launches by `actors`; event times read in `zone`."""

    name: str
    zone: ZoneInfo
    actors: tuple[str, ...] = DEFAULT_ACTORS

    def match(self, article: ArticleView) -> Match | None:
        title = article.title.strip()
        lead = _lead_paragraphs(article.text, title)
        if not ANY_NOUN.search(title) and not any(ANY_NOUN.search(p) for p in lead):
            return None
        evidence = _evidence(title, lead, self.actors, article.published, self.zone)
        if evidence is None:
            return None
        window = "\n".join([title, *lead])
        facts = {"actor": evidence.actor, **extract_facts(window, evidence.sentence, self.actors)}
        return Match(kind=KIND, time=self._time(article), facts=facts, evidence=evidence.sentence)

    def _time(self, article: ArticleView) -> EventTime | None:
        """From the body; from the title when the body names no time at all."""
        found = resolve_event_time(article.text, article.published, self.zone)
        if (found is None or found.precision == "days") and article.title:
            titled = resolve_event_time(article.title, article.published, self.zone)
            if titled is not None and titled.precision != "days":
                return titled
        return found


def from_config(config: MonitorConfig) -> MissileLaunchMonitor:
    """Build from a config.yaml block: options `zone` (IANA name) and `actors` (names)."""
    unknown = set(config.options) - OPTIONS
    if unknown:
        raise ValueError(f"unknown option {sorted(unknown)[0]!r} (expected: zone, actors)")
    zone_name = config.options.get("zone", DEFAULT_ZONE)
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"option 'zone': unknown time zone {zone_name!r}") from None
    actors = config.options.get("actors", list(DEFAULT_ACTORS))
    if isinstance(actors, str):
        actors = [actors]
    if not actors or not all(isinstance(a, str) and a.strip() for a in actors):
        raise ValueError("option 'actors': expected a non-empty list of names")
    return MissileLaunchMonitor(config.name, zone, tuple(a.strip() for a in actors))


@dataclass(frozen=True)
class _Evidence:
    sentence: str
    actor: str


def _evidence(
    title: str,
    lead: Sequence[str],
    actors: Sequence[str],
    published: datetime | None,
    zone: ZoneInfo,
) -> _Evidence | None:
    """The first lead (then title) sentence that reports a launch, under the analysis gate."""
    opening = f"{title}\n{lead[0] if lead else ''}"
    strict = bool(ANALYSIS_CUES.search(title) or ANALYSIS_CUES.search(opening))
    candidates = [(s, False) for p in lead for s in split_sentences(p)]
    candidates += [(title, True)] if title else []
    for sentence, is_title in candidates:
        actor = launch_actor(sentence, actors)
        if actor is None:
            continue
        timed = _recent_time(sentence, published, zone)
        reported = bool(REPORTING.search(sentence))
        if strict and not (timed and reported and not is_title):
            continue
        if is_title or timed or reported:
            return _Evidence(sentence, actor)
    return None


def launch_actor(sentence: str, actors: Sequence[str]) -> str | None:
    """The watched actor a sentence says launched missiles, or None.

    None also when the launch is history or background, speculative, or by someone
    else: the country named nearest to the launch verb decides who launched.
    """
    if HISTORY_CUES.search(sentence) or BACKGROUND_CUES.search(sentence):
        return None
    mentions = _mentions(sentence, actors)
    for pattern, active in LAUNCH_PATTERNS:
        for m in pattern.finditer(sentence):
            verb = m.start("verb")
            if SPECULATION_BEFORE.search(sentence[max(0, verb - 20) : verb]):
                continue
            before = [(verb - end, name) for start, end, name in mentions if end <= verb]
            after = [(start - m.end(), name) for start, end, name in mentions if start >= m.end()]
            inside = [(0, name) for start, end, name in mentions if m.start() <= start < verb]
            ranked = sorted(inside + before) if active else sorted(inside + before + after)
            if not ranked and active:
                ranked = sorted(after)
            if ranked and ranked[0][1] in actors:
                return ranked[0][1]
    return None


def extract_facts(window: str, sentence: str, actors: Sequence[str]) -> dict[str, Any]:
    """Count, types, distance, apogee, launch and landing area; absent keys were not found."""
    facts: dict[str, Any] = {}
    count = COUNT.search(sentence)
    if count:
        quantity = count.group("q").lower()
        if quantity in VAGUE_COUNTS:
            facts["count_text"] = VAGUE_COUNTS[quantity]
        else:
            facts["count"] = int(quantity) if quantity.isdigit() else NUMBER_WORDS[quantity]
    types = {
        (m.group(1) if label is None else label)
        for pattern, label in MISSILE_TYPES
        for m in pattern.finditer(window)
    }
    if types:
        facts["missile_types"] = sorted(types)
    for key, pattern in (("distance_km", DISTANCE), ("apogee_km", APOGEE)):
        m = pattern.search(window)
        if m:
            facts[key] = _kilometres(m)
    area = _launch_area(window, actors)
    if area:
        facts["launch_area"] = area
    for pattern in LANDING_AREAS:
        m = pattern.search(window)
        if m:
            facts["landing_area"] = " ".join(m.group("x").split())
            break
    return facts


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; abbreviations such as "U.S." and "a.m." do not end one."""
    return [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]


def _lead_paragraphs(text: str, title: str) -> list[str]:
    paragraphs = lead_paragraphs(text)
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = lead_paragraphs(text.strip()[len(title) :])  # headline repeated as line 1
    return paragraphs


def _recent_time(sentence: str, published: datetime | None, zone: ZoneInfo) -> bool:
    found = resolve_event_time(sentence, published, zone)
    if found is None or found.precision == "days":
        return False
    return published is None or found.end >= published - RECENT


def _mentions(sentence: str, actors: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, actor) for every country named in the sentence, longest alias first."""
    pattern, lookup = _alias_pattern(tuple(actors))
    return [(m.start(), m.end(), lookup[m.group().casefold()]) for m in pattern.finditer(sentence)]


@functools.cache
def _alias_pattern(actors: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """Built once per set of watched actors: it was most of this monitor's time."""
    aliases = [(alias, name) for name, names in ACTOR_ALIASES.items() for alias in names]
    for actor in actors:
        aliases += [(alias, actor) for alias in (*EXTRA_ALIASES.get(actor, ()), actor)]
    aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    lookup = {alias.casefold(): name for alias, name in reversed(aliases)}
    pattern = "|".join(re.escape(alias) for alias, _ in aliases)
    return re.compile(rf"(?<![\w.])(?:{pattern})(?![\w])"), lookup


def _launch_area(window: str, actors: Sequence[str]) -> str | None:
    others = [
        alias for name, names in ACTOR_ALIASES.items() if name not in actors for alias in names
    ]
    watched = {actor.casefold() for actor in actors}
    for sentence in split_sentences(window.replace("\n", " ")):
        if not LAUNCH_CONTEXT.search(sentence):
            continue
        for m in LAUNCH_AREA.finditer(sentence):
            area = " ".join(m.group("x").split())
            if area.casefold() in watched or any(area.startswith(o) for o in others):
                continue  # "from North Korea" names the launcher; "from Seoul" is not a site
            return area
    return None


def _kilometres(m: re.Match[str]) -> int | float:
    """Kilometres from a DISTANCE/APOGEE match: the km figure if given, else miles × 1.609."""
    pairs = [(m.group("n"), m.group("u"))]
    if m.group("n2"):
        pairs.append((m.group("n2"), m.group("u2")))
    for number, unit in pairs:
        if not unit.lower().startswith("mile"):
            value = float(number.replace(",", ""))
            return int(value) if value.is_integer() else value
    return round(float(pairs[0][0].replace(",", "")) * MILES_TO_KM)
