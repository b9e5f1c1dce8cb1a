"""Keyword monitor: a detector written entirely in config.yaml, for events without code.

Why: many watches ("port strike", "typhoon landfall") need no grammar, only terms that
must, may or must not occur. Options are validated when the config is loaded, so a
typo fails the run at start-up rather than silently matching nothing.

    - name: typhoons
      type: keywords
      include: [typhoon, tropical storm]
      exclude: [anniversary]
      require: [landfall]
      regex: ['\\bcategory [1-5]\\b']
      fields: [title, text]
      zone: Asia/Manila
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitors.base import ArticleView, Match, MonitorConfig
from monitors.language import resolve_event_time

OPTIONS = frozenset({"include", "exclude", "require", "regex", "kind", "fields", "zone"})
FIELDS = ("title", "text")
DEFAULT_ZONE = "UTC"
EVIDENCE_CHARS = 300


@dataclass(frozen=True)
class KeywordMonitor:
    """Matches when an include term occurs (if any are given), a regex matches (if any are
    given), every `require` phrase occurs and no `exclude` term does. Terms are
    case-insensitive whole words."""

    name: str
    kind: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    require: tuple[str, ...]
    regex: tuple[re.Pattern[str], ...]
    fields: tuple[str, ...]
    zone: ZoneInfo

    def match(self, article: ArticleView) -> Match | None:
        haystack = "\n".join(getattr(article, f) or "" for f in self.fields)
        terms = sorted({term for term in self.include if _find(term, haystack)})
        hits = [m for pattern in self.regex if (m := pattern.search(haystack))]
        if (self.include and not terms) or (self.regex and not hits):
            return None
        if not all(_find(phrase, haystack) for phrase in self.require):
            return None
        if any(_find(term, haystack) for term in self.exclude):
            return None
        first = _find(terms[0], haystack) if terms else hits[0]
        return Match(
            kind=self.kind,
            time=resolve_event_time(article.text, article.published, self.zone),
            facts={"terms": terms},
            evidence=_sentence_around(haystack, first.start()) if first else None,
        )


def from_config(config: MonitorConfig) -> KeywordMonitor:
    """Validate the options of a `type: keywords` block; ValueError names the bad option."""
    options: Mapping[str, Any] = config.options
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ValueError(
            f"unknown option {unknown[0]!r} (expected one of: {', '.join(sorted(OPTIONS))})"
        )
    include = _terms(options, "include")
    regex = tuple(_compile(source) for source in _terms(options, "regex"))
    if not include and not regex:
        raise ValueError("option 'include': give at least one term (or a 'regex')")
    fields = _terms(options, "fields") or FIELDS
    bad = [f for f in fields if f not in FIELDS]
    if bad:
        raise ValueError(f"option 'fields': {bad[0]!r} is not one of: title, text")
    kind = options.get("kind", config.name)
    if not isinstance(kind, str) or not kind.strip():
        raise ValueError("option 'kind': expected a non-empty string")
    zone_name = options.get("zone", DEFAULT_ZONE)
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"option 'zone': unknown time zone {zone_name!r}") from None
    return KeywordMonitor(
        name=config.name,
        kind=kind.strip(),
        include=include,
        exclude=_terms(options, "exclude"),
        require=_terms(options, "require"),
        regex=regex,
        fields=tuple(dict.fromkeys(fields)),
        zone=zone,
    )


def _terms(options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = options.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"option {key!r}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _compile(source: str) -> re.Pattern[str]:
    try:
        return re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"option 'regex': {source!r} is not a valid regex ({exc})") from None


def _find(term: str, text: str) -> re.Match[str] | None:
    """Case-insensitive, word-bounded; whitespace inside a phrase matches any whitespace."""
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.search(rf"(?<!\w){words}(?!\w)", text, re.IGNORECASE)


def _sentence_around(text: str, position: int) -> str:
    """The sentence (or line) holding `position`, for a human checking the match."""
    stop = text.rfind(". ", 0, position)
    start = max(stop + 2 if stop != -1 else 0, text.rfind("\n", 0, position) + 1)
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()[:EVIDENCE_CHARS]
