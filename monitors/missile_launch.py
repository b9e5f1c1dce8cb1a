"""Missile launch detector: does this article REPORT a launch by a watched actor?

Why lead-only evidence: news about a launch says so in the headline or first paragraphs
("North Korea fired two ballistic missiles early Sunday, the JCS said"), while the many
articles that merely mention launches (analysis, sanctions, court cases, anniversaries)
do so further down, in the past tense of history, or with cue words in the headline. So
an article matches when a title or lead sentence

* has a launch phrase ("fired ... missiles", "missile launches", "test-launches",
  "launch of ... missiles", "missiles ... launched"),
* whose nearest country mention is a watched actor, as outlets write it ("N Korea",
  "the North", "North fires", "Kim oversees"), so South Korea's own test is not North
  Korea's launch,
* that is not history or background ("since 2019", "sanctions", "court"),
* and is news: the headline, or tied to a recent time or a reporting verb ("said").

Analysis cues in the title or first paragraph ("Analysis:", "why", "timeline") demand a
lead sentence with both a recent time and a reporting verb.

What kind of account it is matters for grouping: state media's own account the next day
("North Korea says it tested...", "KCNA said", "Kim oversaw") is a `confirmation`; a
headline about reactions ("talks after North Korean missiles") a `follow-up`. Their time
words usually date the account, not the launch, so the engine lets them join the launch
they describe.

Facts come from the title and every sentence of the text that is about this launch:
sentences about other times ("In December, the country tested cruise missiles") or
other launches ("the first since the hypersonic test"), capabilities and history give
none. Each fact keeps the sentence it was read from.
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

from monitors.base import ArticleView, EventTime, Match, MonitorConfig
from monitors.timeexpr import lead_paragraphs, period_mentioned, resolve_event_time

KIND = "missile_launch"
DEFAULT_ZONE = "Asia/Seoul"
DEFAULT_ACTORS = ("North Korea",)
OPTIONS = frozenset({"zone", "actors"})
RECENT = timedelta(days=3)  # a time reference this close to publication makes it news
FACT_SENTENCES = 80  # facts are read from this many sentences of a full text at most
OTHER_TIME_SLACK = timedelta(days=1)  # a sentence's period this far off is another launch
MILES_TO_KM = 1.609

# How each actor is written. An actor not listed here is matched by its own name only.
ACTOR_ALIASES = MappingProxyType(
    {
        "North Korea": (
            "North Korea",
            "North Korean",
            "N. Korea",
            "N.Korea",
            "N Korea",
            "N. Korean",
            "N Korean",
            "DPRK",
            "Pyongyang",
            "Kim Jong Un",
            "Kim Jong-un",
            "Kim Jong-Un",
            "KCNA",
        ),
        "South Korea": ("South Korea", "South Korean", "S. Korea", "S Korea", "Seoul", "ROK"),
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
_LAUNCH_VERBS = (
    r"(?:test-)?(?:fired|fires|launched|launches|tested|tests)|test-launch(?:ed|es)"
    r"|test-fire[sd]"
)
# House styles that name North Korea only in context: "the North" in text about it,
# "North" right before a launch verb ("after North fires missiles"), "Kim" before the
# verbs of a leader watching a test ("Kim oversees hypersonic missile tests").
CONTEXT_ALIASES = MappingProxyType(
    {
        "North Korea": (
            r"\bthe North\b",
            rf"\bNorth(?=\s+(?:{_LAUNCH_VERBS})\b)",
            r"\bKim(?=\s+(?:oversees|oversaw|supervises|supervised|guides|guided|watches"
            r"|watched|observes|observed|inspects|inspected)\b)",
        )
    }
)

_NOUN = r"(?:missiles?|ICBMs?|SRBMs?|MRBMs?|IRBMs?|SLBMs?|projectiles?)"
_WORDS = r"(?:\s+[\w'’-]+){0,8}?"
# The launch phrase, in its shapes. `verb` marks where the launcher acts. A verb glued
# to a hyphen ("submarine-launched ballistic missile") describes a kind of missile.
LAUNCH_ACTIVE = re.compile(rf"(?i)(?<![\w-])(?P<verb>{_LAUNCH_VERBS})\b{_WORDS}\s+{_NOUN}\b")
LAUNCH_PASSIVE = re.compile(
    rf"(?i)\b{_NOUN}(?:\s+[\w'’.-]+){{0,4}}?\s+(?P<verb>(?:was|were|had been|have been)\s+"
    r"(?:fired|launched|test-fired)|(?<![\w-])(?:launched|fired|test-fired))\b"
)
LAUNCH_NOUN = re.compile(
    rf"(?i)\b(?P<verb>missile\s+(?:launch(?:es|ing)?(?:\s+drills?)?|firings?|test-firings?"
    rf"|tests?|drills?)|(?:test[- ])?(?:launch(?:es)?|firings?|test-firings?|tests?)\s+of"
    rf"{_WORDS}\s+{_NOUN})\b"
)
LAUNCH_PATTERNS = ((LAUNCH_ACTIVE, True), (LAUNCH_PASSIVE, False), (LAUNCH_NOUN, False))
# A headline about what followed a launch: "Talks After North Korean Missiles".
REACTION = re.compile(
    r"(?i)\b(?:after|following)\s+(?:the\s+)?(?:latest\s+|recent\s+)?(?P<actor>[\w.'’ -]{2,40}?)"
    rf"\s+(?:{_NOUN}|missile\s+launch(?:es)?|launch(?:es)?)\b"
)
# Every launch pattern names one of these: a text without any cannot match, and most
# news is about something else, so this one search spares the sentence-by-sentence work.
ANY_NOUN = re.compile(r"(?i)missile|ICBM|SRBM|MRBM|IRBM|SLBM|projectile")
SPECULATION_BEFORE = re.compile(
    r"(?i)\b(?:may|might|could|would|will|to|plans? to|expected to|set to|preparing to"
    r"|ready to|vows? to|threatens? to)\s+(?:have\s+)?$"
)
HISTORY_CUES = re.compile(
    r"(?i)\bsince\s+(?:19|20)\d\d\b|\bin\s+(?:19|20)\d\d\b|\bin recent (?:years|months)\b"
    r"|\bover the (?:past|last)\s+(?:\w+\s+)?(?:years?|decades?|months?)\b|\blast year\b"
    r"|\bso far this year\b|\brecord number\b|\b(?:dozens|hundreds) of\b|\bmore than \d{3,}\b"
    r"|\bhistory of\b|\banniversary\b|\bpreviously\b|\bfirst\s+(?:\w+\s+){0,4}since\b"
    r"|\bsince the\b|\blast (?:month|week)\b|\bearlier this (?:month|year)\b"
)
BACKGROUND_CUES = re.compile(
    r"(?i)\bsanction(?:s|ed)?\b|\bcourt\b|\bsentenced\b|\bconvicted\b|\bindicted\b|\btrial\b"
    r"|\bprosecutors?\b|\blawsuit\b|\bverdict\b|\bresolutions?\b|\bin response to\b"
)
# Tests that fly nothing: an engine or a motor on a stand.
NOT_A_FLIGHT = re.compile(
    r"(?i)\b(?:engine|motor)\s+(?:tests?|test-firings?|firings?)\b"
    r"|\b(?:ground|static|stand)\s+(?:jet\s+)?(?:tests?|firings?|fire)\b"
    r"|\btests?\s+of\s+(?:(?:a|an|its|the|new)\s+)*(?:[\w-]+\s+){0,3}(?:engine|motor)s?\b"
)
# Sentences about what a weapon could do give no facts about this flight.
CAPABILITY = re.compile(
    r"(?i)\b(?:capable of|can reach|could reach|able to|designed to|range of up to|would)\b"
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
# The launcher's own account: state media, "North Korea says it tested", "Kim oversaw".
CONFIRMATION = re.compile(
    r"(?i)\b(?:KCNA|Korean Central News Agency|state media|state-run media|state news agency"
    r"|state TV|state television|Rodong Sinmun|official media|nation says)\b"
    r"|\b(?:says|said|claims|claimed)\s+(?:that\s+)?(?:it\s+)?(?:had\s+|has\s+)?"
    r"(?:successfully\s+)?(?:test-fired|tested|launched|fired|test-launched|conducted)\b"
    r"|\bKim(?:\s+Jong[ -]un)?\s+(?:oversees|oversaw|supervises|supervised|guides|guided"
    r"|watches|watched|observes|observed)\b"
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
        "more than 10": "more than 10",
    }
)
_QUANT = "|".join(
    re.escape(q) for q in sorted([*NUMBER_WORDS, *VAGUE_COUNTS], key=len, reverse=True)
)
# A number glued to a colon or dot is a clock or a decimal ("at 07:41"), never a count.
COUNT = re.compile(
    rf"(?i)(?<![\d:.,])\b(?P<q>{_QUANT}|\d{{1,2}})\s+(?:(?!and\b|or\b)[\w'’-]+\s+){{0,3}}?"
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
    (re.compile(r"\bSLBMs?\b|(?i:\bsubmarine-launched ballistic\b)"), "SLBM"),
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
# A sentence beyond the headline and the evidence gives facts only when it refers to this
# launch: "the missiles flew...", "they landed...", or names the launcher. "Cruise missiles
# are harder to detect than ballistic missiles" is about missiles in general.
THIS_LAUNCH = re.compile(
    r"(?i)\b(?:the|these|those|both|all|two|its)\s+(?:[\w-]+\s+){0,3}?(?:missiles?|launch(?:es)?"
    r"|projectiles?|weapons|rockets|firings?|tests?|drills?)\b"
    r"|\b(?:it|they|which)\s+(?:flew|travell?ed|landed|fell|reached|splashed|flown)\b"
)
DEFINITE = re.compile(r"(?i)\b(?:the|all|both|these|those)\s+$")
# Words of a sentence that is about a launch and its flight: only those give facts.
LAUNCH_CONTEXT = re.compile(
    r"(?i)\b(?:launch\w*|fired|fires|firing|missiles?|projectiles?|flew|flown|flight|travell?ed"
    r"|altitude|apogee|splash(?:ed)?\s+down|landed|fell|ICBMs?|SRBMs?)\b"
)
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
        time = self._time(article)
        sentences = [title, *_text_sentences(article.text, title)]
        facts, sources = extract_facts(
            sentences, evidence, self.actors, time, article.published, self.zone
        )
        opening = "\n".join([title, evidence.sentence, *lead[:1]])
        account = evidence.account
        if account == "report" and (
            CONFIRMATION.search(opening) or _speaks(opening, evidence.actor)
        ):
            account = "confirmation"
        return Match(
            kind=KIND,
            time=time,
            facts={"actor": evidence.actor, **facts},
            evidence=evidence.sentence,
            account=account,
            fact_evidence=sources,
        )

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
    account: str = "report"


def _evidence(
    title: str,
    lead: Sequence[str],
    actors: Sequence[str],
    published: datetime | None,
    zone: ZoneInfo,
) -> _Evidence | None:
    """The first lead (then title) sentence that reports a launch, under the analysis gate.

    A headline that only reacts to a launch ("talks after North Korean missiles") is a
    follow-up when nothing in the lead reports the launch itself.
    """
    opening = f"{title}\n{lead[0] if lead else ''}"
    strict = bool(ANALYSIS_CUES.search(title) or ANALYSIS_CUES.search(opening))
    context = _korea_context(opening)
    candidates = [(s, False) for p in lead for s in split_sentences(p)]
    candidates += [(title, True)] if title else []
    for sentence, is_title in candidates:
        actor = launch_actor(sentence, actors, context=context)
        if actor is None or _about_another_time(sentence, published, zone):
            continue
        timed = _recent_time(sentence, published, zone)
        reported = bool(REPORTING.search(sentence))
        if strict and not (timed and reported and not is_title):
            continue
        if is_title or timed or reported:
            return _Evidence(sentence, actor)
    if title and not strict:
        actor = reaction_actor(title, actors, context=context)
        if actor is not None:
            return _Evidence(title, actor, "follow-up")
    return None


def launch_actor(sentence: str, actors: Sequence[str], *, context: bool = True) -> str | None:
    """The watched actor a sentence says launched missiles, or None.

    None also when the launch is history or background, speculative, a test that flies
    nothing, or by someone else: the country named nearest to the launch verb decides who
    launched. `context`: the text is about Korea, so "the North" and "North fires" are
    North Korea.
    """
    if HISTORY_CUES.search(sentence) or BACKGROUND_CUES.search(sentence):
        return None
    if NOT_A_FLIGHT.search(sentence):
        return None
    mentions = _mentions(sentence, actors, context)
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


def reaction_actor(title: str, actors: Sequence[str], *, context: bool = True) -> str | None:
    """The watched actor whose launch a headline reacts to ("Talks After North Korean
    Missiles"), or None."""
    for m in REACTION.finditer(title):
        named = _mentions(m.group("actor"), actors, context)
        if named and named[0][0] == 0 and named[0][2] in actors:
            return named[0][2]
    return None


def extract_facts(
    sentences: Sequence[str],
    evidence: _Evidence,
    actors: Sequence[str],
    time: EventTime | None,
    published: datetime | None,
    zone: ZoneInfo,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(facts, the sentence each fact was read from) from the sentences about this launch.

    The evidence sentence goes first, then the title, then the text in order; the first
    sentence that gives a fact keeps it (types are the union of every relevant sentence).
    A count needs a launch phrase by the actor in its sentence (or the title), so a count
    of other missiles is not this launch's.
    """
    ordered = [evidence.sentence, *(s for s in sentences if s != evidence.sentence)]
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    types: list[str] = []
    taken: set[str] = set()
    landings: list[tuple[int, str, str]] = []
    context = any(_korea_context(s) for s in ordered[:3])

    def keep(key: str, value: Any, sentence: str) -> None:
        slot = {"count_text": "count"}.get(key, key)  # a number or "several": one fact
        if slot not in taken:
            taken.add(slot)
            facts[key] = value
            sources[key] = sentence

    for index, raw in enumerate(ordered[:FACT_SENTENCES]):
        sentence = _before_history(raw)
        headline = index == 0 or raw == sentences[0]
        if not sentence or not (headline or LAUNCH_CONTEXT.search(sentence)):
            continue
        if BACKGROUND_CUES.search(sentence) or CAPABILITY.search(sentence):
            continue
        if _about_another_time(sentence, published, zone, time):
            continue
        if _launched_by_another(sentence, evidence.actor, context):
            continue  # "South Korea fired Hyunmoo missiles in response": not this launch
        launched = launch_actor(sentence, actors, context=context) == evidence.actor
        if not (headline or launched or THIS_LAUNCH.search(sentence)):
            continue
        count = _count(sentence, definite=not (headline or launched))
        if count is not None:
            keep(*count, raw)
        for found in _types(sentence):
            if found not in types:
                types.append(found)
                sources.setdefault("missile_types", raw)
        for key, pattern in (("distance_km", DISTANCE), ("apogee_km", APOGEE)):
            m = pattern.search(sentence)
            if m:
                keep(key, _kilometres(m), raw)
        area = _launch_area(sentence, actors)
        if area:
            keep("launch_area", area, raw)
        for rank, pattern in enumerate(LANDING_AREAS):
            m = pattern.search(sentence)
            if m:
                landings.append((rank, " ".join(m.group("x").split()), raw))
                break
    if types:
        facts["missile_types"] = sorted(types)
    if landings:  # the most specific wins ("East Sea" over "the sea"), then the earliest
        _, facts["landing_area"], sources["landing_area"] = min(landings, key=lambda c: c[0])
    return facts, sources


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; abbreviations such as "U.S." and "a.m." do not end one."""
    return [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]


def _count(sentence: str, *, definite: bool = False) -> tuple[str, Any] | None:
    """The count a sentence gives; `definite`: only "the two missiles", which refers back
    to this launch, from a sentence that does not itself report it."""
    m = COUNT.search(sentence)
    if m is None or (definite and not DEFINITE.search(sentence[: m.start()])):
        return None
    quantity = m.group("q").lower()
    if quantity in VAGUE_COUNTS:
        return "count_text", VAGUE_COUNTS[quantity]
    return "count", int(quantity) if quantity.isdigit() else NUMBER_WORDS[quantity]


def _types(sentence: str) -> list[str]:
    return [
        m.group(1) if label is None else label
        for pattern, label in MISSILE_TYPES
        for m in pattern.finditer(sentence)
    ]


def _before_history(sentence: str) -> str:
    """The part of a sentence before it turns to history: "..., the first launch since"."""
    m = HISTORY_CUES.search(sentence)
    return sentence[: m.start()].strip() if m else sentence


def _about_another_time(
    sentence: str,
    published: datetime | None,
    zone: ZoneInfo,
    time: EventTime | None = None,
) -> bool:
    """Does the sentence's own time point away from this launch (or from recent days)?"""
    period = period_mentioned(sentence, published, zone)
    if period is None:
        return False
    if time is not None and time.precision != "days":
        low, high = time.start - OTHER_TIME_SLACK, time.end + OTHER_TIME_SLACK
    elif published is not None:
        low, high = published - RECENT, published + OTHER_TIME_SLACK
    else:
        return False
    return period[1] <= low or period[0] >= high


def _text_sentences(text: str, title: str) -> list[str]:
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    return [s for p in paragraphs for s in split_sentences(p)][:FACT_SENTENCES]


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


KOREA_CONTEXT = re.compile(r"(?i)\bKorea|\bPyongyang\b|\bSeoul\b|\bKim Jong|\bDPRK\b|\bKCNA\b")


def _korea_context(text: str) -> bool:
    return bool(KOREA_CONTEXT.search(text))


SPEAKS = re.compile(r"\s+(?:says|said|claims|claimed|announces|announced)\b")


def _speaks(text: str, actor: str) -> bool:
    """Is the actor itself the one telling ("North Korea says latest tests...")?"""
    return any(
        name == actor and SPEAKS.match(text, end)
        for _, end, name in _mentions(text, (actor,), context=True)
    )


def _launched_by_another(sentence: str, actor: str, context: bool) -> bool:
    """Is some other country the one doing the launching in this sentence?"""
    mentions = _mentions(sentence, (actor,), context)
    for m in LAUNCH_ACTIVE.finditer(sentence):
        before = [(m.start("verb") - end, name) for _, end, name in mentions if end <= m.start()]
        if before and min(before)[1] != actor:
            return True
    return False


def _mentions(sentence: str, actors: Sequence[str], context: bool) -> list[tuple[int, int, str]]:
    """(start, end, actor) for every country named in the sentence, longest alias first."""
    pattern, lookup, extra = _alias_pattern(tuple(actors))
    found = [(m.start(), m.end(), lookup[m.group().casefold()]) for m in pattern.finditer(sentence)]
    if context:
        taken = [(s, e) for s, e, _ in found]
        for regex, actor in extra:
            for m in regex.finditer(sentence):
                if not any(s <= m.start() < e for s, e in taken):
                    found.append((m.start(), m.end(), actor))
        found.sort()
    return found


@functools.cache
def _alias_pattern(
    actors: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Built once per set of watched actors: it was most of this monitor's time."""
    aliases = [(alias, name) for name, names in ACTOR_ALIASES.items() for alias in names]
    aliases += [(actor, actor) for actor in actors]
    aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    lookup = {alias.casefold(): name for alias, name in reversed(aliases)}
    pattern = "|".join(re.escape(alias) for alias, _ in aliases)
    extra = tuple(
        (re.compile(regex), actor) for actor in actors for regex in CONTEXT_ALIASES.get(actor, ())
    )
    return re.compile(rf"(?<![\w.])(?:{pattern})(?![\w])"), lookup, extra


def _launch_area(sentence: str, actors: Sequence[str]) -> str | None:
    if not LAUNCH_CONTEXT.search(sentence):
        return None
    others = [
        alias for name, names in ACTOR_ALIASES.items() if name not in actors for alias in names
    ]
    watched = {actor.casefold() for actor in actors}
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
