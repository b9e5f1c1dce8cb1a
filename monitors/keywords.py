"""Keyword monitor: a detector written entirely in config.yaml, for events without code.

Why: many watches ("port strike", "typhoon landfall", "earthquake") need no grammar,
only terms that must, may or must not occur, a few facts read by patterns, and a rule
for when two reports are one event. Options are validated when the config is loaded,
so a typo fails the run at start-up rather than silently matching nothing.

    - name: quakes
      type: keywords
      include:                      # a list, or terms per language
        en: [earthquake, quake, temblor]
        ja: [地震]
        ko: [지진]
      exclude: [political earthquake, anniversary, drill]
      facts:                        # named patterns, each with a group `value`
        magnitude: {pattern: 'magnitude (?P<value>\\d+(?:\\.\\d+)?)', type: number}
        deaths: {pattern: '(?P<value>\\d+) (?:people )?(?:were )?killed', merge: max}
        aftershock: {pattern: 'aftershock|余震', type: flag}   # read from the headline
      identity: [place, {fact: magnitude, tolerance: 0.5}]   # default: [place]
      min_similarity: 0.2
      follows: {fact: aftershock, within: 14d, rank: magnitude}  # keywordidentity

Terms match as the script writes words: Latin terms as whole words (case-insensitive,
any whitespace inside a phrase), CJK terms anywhere (地震 inside Japanese text),
Korean terms with a particle attached (지진이, 지진으로). The event's place
(`monitors.places`) is a fact of every match; its local day words are read in the
place's time zone, else in `zone`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitors import keywordidentity, places
from monitors.base import ArticleView, Identity, Match, MonitorConfig
from monitors.language import EventWords, find_term, resolve_event_time, rules_for, term_pattern
from monitors.language.stamps import lead_paragraphs

OPTIONS = frozenset(
    {
        "include",
        "exclude",
        "require",
        "regex",
        "kind",
        "fields",
        "zone",
        "facts",
        "identity",
        "min_similarity",
        "follows",
    }
)
FACT_OPTIONS = frozenset({"pattern", "type", "merge", "unit"})
FactType = Literal["number", "text", "flag"]
FACT_TYPES: tuple[FactType, ...] = get_args(FactType)
FACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FIELDS = ("title", "text")
DEFAULT_ZONE = "UTC"
EVIDENCE_CHARS = 300
LEAD_SENTENCES = 4
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")
UNITS_TO_KM = {"km": 1.0, "kilometers": 1.0, "kilometres": 1.0, "mi": 1.609, "miles": 1.609}
ANY_LANGUAGE = "*"


@dataclass(frozen=True)
class FactPattern:
    """A fact read by patterns: the first match's group `value`, as a number or text."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    type: FactType = "number"
    unit: str | None = None

    def read(self, sentences: Sequence[str]) -> tuple[Any, str] | None:
        for sentence in sentences:
            found = [m for p in self.patterns if (m := p.search(sentence))]
            if not found:
                continue
            first = min(found, key=lambda m: m.start())
            value = first.groupdict().get("value") or first.group()
            parsed = self._value(value.strip(), first.groupdict().get("unit"))
            if parsed is not None:
                return parsed, sentence
        return None

    def _value(self, text: str, unit: str | None) -> Any:
        if self.type == "flag":
            return True
        if self.type == "text":
            return text[:200] or None
        digits = text.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text) else text
        try:
            number = float(digits.replace(",", "."))
        except ValueError:
            return None
        if unit and self.unit == "km":
            number *= UNITS_TO_KM.get(unit.casefold(), 1.0)
        return int(number) if number == int(number) else round(number, 2)


@dataclass(frozen=True)
class KeywordMonitor:
    """Matches when an include term occurs (if any are given), a regex matches (if any are
    given), every `require` phrase occurs and no `exclude` term does."""

    name: str
    kind: str
    include: Mapping[str, tuple[str, ...]]
    exclude: tuple[str, ...]
    require: tuple[str, ...]
    regex: tuple[re.Pattern[str], ...]
    fields: tuple[str, ...]
    zone: ZoneInfo
    facts: tuple[FactPattern, ...] = ()
    identity: Identity = field(default_factory=Identity)

    def match(self, article: ArticleView) -> Match | None:
        haystack = "\n".join(getattr(article, f) or "" for f in self.fields)
        wanted = _for_language(self.include, article.language)
        terms = sorted({term for term in wanted if find_term(term, haystack)})
        hits = [m for pattern in self.regex if (m := pattern.search(haystack))]
        if (wanted and not terms) or (self.regex and not hits) or (self.include and not wanted):
            return None
        if not all(find_term(phrase, haystack) for phrase in self.require):
            return None
        if any(find_term(term, haystack) for term in self.exclude):
            return None
        first = find_term(terms[0], haystack) if terms else hits[0]
        title = article.title.strip()
        lead = _lead_sentences(article.text, title)
        facts: dict[str, Any] = {"terms": terms}
        sources: dict[str, str] = {}
        anchor = _anchor(terms)
        place = places.event_place(title, lead, article.language, anchor)
        if place:
            facts["place"] = list(place)
            sources["place"] = title
        for fact in self.facts:
            # a flag reads the headline alone: "fears of aftershocks" in a lead is no follower
            read = fact.read([title] if fact.type == "flag" else [title, *lead])
            if read is not None:
                facts[fact.name], sources[fact.name] = read
        zone = self.zone
        if place and (name := places.zone_of(place)):
            zone = _zone(name) or zone
        rules = rules_for(article.language, article.text, title)
        event = EventWords(clause=None, verb_after=None, body_clock=anchor)
        time = resolve_event_time(article.text or title, article.published, zone, rules.time, event)
        return Match(
            kind=self.kind,
            time=time,
            facts=facts,
            evidence=_sentence_around(haystack, first.start()) if first else None,
            fact_evidence=sources,
        )


def from_config(config: MonitorConfig) -> KeywordMonitor:
    """Validate the options of a `type: keywords` block; ValueError names the bad option."""
    options: Mapping[str, Any] = config.options
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ValueError(
            f"unknown option {unknown[0]!r} (expected one of: {', '.join(sorted(OPTIONS))})"
        )
    include = _include(options.get("include", []))
    regex = tuple(_compile(source, "regex") for source in _terms(options, "regex"))
    if not include and not regex:
        raise ValueError("option 'include': give at least one term (or a 'regex')")
    fields = _terms(options, "fields") or FIELDS
    bad = [f for f in fields if f not in FIELDS]
    if bad:
        raise ValueError(f"option 'fields': {bad[0]!r} is not one of: title, text")
    kind = options.get("kind", config.name)
    if not isinstance(kind, str) or not kind.strip():
        raise ValueError("option 'kind': expected a non-empty string")
    zone = _zone(str(options.get("zone", DEFAULT_ZONE)))
    if zone is None:
        raise ValueError(f"option 'zone': unknown time zone {options.get('zone')!r}")
    facts = _facts(options.get("facts", {}))
    return KeywordMonitor(
        name=config.name,
        kind=kind.strip(),
        include=include,
        exclude=_terms(options, "exclude"),
        require=_terms(options, "require"),
        regex=regex,
        fields=tuple(dict.fromkeys(fields)),
        zone=zone,
        facts=facts,
        identity=keywordidentity.identity(options, {f.name: f.type for f in facts}),
    )


def _for_language(include: Mapping[str, tuple[str, ...]], language: str | None) -> tuple[str, ...]:
    """Terms for any language, plus those of the article's language."""
    code = (language or "").split("-")[0].lower()
    return include.get(ANY_LANGUAGE, ()) + (include.get(code, ()) if code else ())


def _include(value: Any) -> Mapping[str, tuple[str, ...]]:
    if isinstance(value, Mapping):
        by_language = {}
        for language, terms in value.items():
            code = str(language).strip().lower()
            if not re.fullmatch(r"[a-z]{2,3}|\*", code):
                raise ValueError(f"option 'include': {language!r} is not a language code")
            by_language[code] = _terms({"include": terms}, "include")
        return MappingProxyType(by_language)
    terms = _terms({"include": value}, "include")
    return MappingProxyType({ANY_LANGUAGE: terms} if terms else {})


def _facts(value: Any) -> tuple[FactPattern, ...]:
    if not isinstance(value, Mapping):
        raise ValueError("option 'facts': expected a mapping of fact names to patterns")
    facts = []
    for name, spec in value.items():
        if not isinstance(name, str) or not FACT_NAME.match(name) or name in ("terms", "place"):
            raise ValueError(
                f"option 'facts': {name!r} is not a usable fact name (lower case, digits, _)"
            )
        if isinstance(spec, str | list):
            spec = {"pattern": spec}
        if not isinstance(spec, Mapping):
            raise ValueError(f"option 'facts.{name}': expected a pattern or a mapping")
        bad = sorted(set(spec) - FACT_OPTIONS)
        if bad:
            raise ValueError(
                f"option 'facts.{name}': unknown key {bad[0]!r} "
                f"(expected: {', '.join(sorted(FACT_OPTIONS))})"
            )
        kind = spec.get("type", "number")
        if kind not in FACT_TYPES:
            raise ValueError(f"option 'facts.{name}.type': expected one of {', '.join(FACT_TYPES)}")
        patterns = _terms({"pattern": spec.get("pattern")}, "pattern")
        if not patterns:
            raise ValueError(f"option 'facts.{name}.pattern': give at least one pattern")
        unit = spec.get("unit")
        if unit is not None and unit != "km":
            raise ValueError(f"option 'facts.{name}.unit': only 'km' converts (miles to km)")
        facts.append(
            FactPattern(
                name, tuple(_compile(p, f"facts.{name}.pattern") for p in patterns), kind, unit
            )
        )
    return tuple(facts)


def _terms(options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = options.get(key, [])
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"option {key!r}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _compile(source: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"option {key!r}: {source!r} is not a valid regex ({exc})") from None


def _anchor(terms: Sequence[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(term_pattern(t).pattern for t in terms), re.IGNORECASE)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _lead_sentences(text: str, title: str) -> list[str]:
    paragraphs = lead_paragraphs(text)
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    sentences = [s.strip() for p in paragraphs for s in SENTENCE_END.split(p) if s and s.strip()]
    return sentences[:LEAD_SENTENCES]


def _sentence_around(text: str, position: int) -> str:
    """The sentence (or line) holding `position`, for a human checking the match."""
    stop = text.rfind(". ", 0, position)
    start = max(stop + 2 if stop != -1 else 0, text.rfind("\n", 0, position) + 1)
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()[:EVIDENCE_CHARS]
