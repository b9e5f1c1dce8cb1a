"""The words of time in one language, read from the `time:` section of a language file.

Why a separate value: `monitors.language.timeexpr` is the one resolver of event times,
and its rules (a statement's day is not the event's day, never after publication, a
clock about the event dates it) are the same in every language. What differs is the words:
"Sunday" or "일요일" or "日曜日", "7:50 a.m." or "오전 7시 50분께" or "午前7時50分ごろ",
"said Monday" or "29일 밝혔다" or "29日、発表した". A `TimeRules` holds them, compiled;
`monitors.language.stamps.english_time()` is the English one, the default.

The patterns name the groups the resolver reads (documented per key in
docs/languages.md and in `monitors/language/en.yaml`): a date has `day` and may have
`mon`, `year`, `wd`; a clock has `h` and may have `m`, `ap`, `half`, `approx`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitors.lexicon import Section, one_of, whole_number

__all__ = ["EventWords", "TimeRules", "time_rules"]

# Optional patterns, each with the groups the resolver reads from it.
OPTIONAL = MappingProxyType(
    {
        "weekday": ("wd",),
        "relative": ("rel",),
        "part": (),
        "zone_suffix": ("zone",),
        "zone_prefix": ("zone",),
        "approx_before": (),
        "statement_before": (),
        "statement_after": (),
        "clause_start": (),
        "statement_speaker": (),
        "restatement": (),
        "sentence_break": (),
        "stamps": (),
        "dateline": ("date",),
        "stamp_words": (),
        "year_date": (),
        "quoted": (),
        "caption": (),
        "month_period": ("mon",),
        "other_period": (),
    }
)
TABLES = ("weekdays", "months", "parts_of_day", "zones", "relative_days", "period_modifiers")
KEYS = frozenset({*OPTIONAL, *TABLES, "meridiem", "dates", "clocks", "lead_cut", "possessive"})
Pattern = re.Pattern[str]


@dataclass(frozen=True, eq=False)
class EventWords:
    """Words naming the event a monitor watches, in one language, passed in by the monitor
    (the rules of time know no event): `clause`, a day word whose clause names the event
    is the event's day ("28일 ... 발사했다"), and then only such day words count;
    `verb_after`, a day word heading a clause with the event's verb is no statement day
    ("On Monday, the North fired"); `body_clock`, a clock beyond the lead counts in a
    sentence with these words."""

    clause: Pattern | None = None
    verb_after: Pattern | None = None
    body_clock: Pattern | None = None


NO_EVENT_WORDS = EventWords()


@dataclass(frozen=True, eq=False)
class TimeRules:
    """One language's time words and patterns, compiled. Optional patterns are None.

    Tables: `weekdays` (name → 0 for Monday), `months` (name or its first three letters →
    1-12), `parts_of_day` (name → local hours [start, end)), `zones` (word → tzinfo, None
    for "the event's zone"), `relative_days` (word → days before publication, part of day,
    and how it is counted: false from publication, true from the previous day word,
    "statement" from the first statement day named, as Korean "이날"), `period_modifiers`
    ("early"/"초" → early, mid, late), `meridiem` ("p"/"오후" → am or pm).
    """

    weekdays: Mapping[str, int]
    months: Mapping[str, int]
    parts_of_day: Mapping[str, tuple[int, int]]
    zones: Mapping[str, tzinfo | None]
    relative_days: Mapping[str, tuple[int, str | None, bool | str]]
    period_modifiers: Mapping[str, str]
    meridiem: Mapping[str, str]
    dates: tuple[Pattern, ...]
    clocks: tuple[Pattern, ...]
    lead_cut: Pattern  # where a lead without paragraph breaks may be cut
    weekday: Pattern | None = None
    relative: Pattern | None = None
    part: Pattern | None = None
    zone_suffix: Pattern | None = None  # right after a clock or a day word: its zone
    zone_prefix: Pattern | None = None  # right before a clock: "한국시간 오전 7시"
    approx_before: Pattern | None = None
    statement_before: Pattern | None = None  # "said " before a day word
    statement_after: Pattern | None = None  # ", KCNA said" / " 밝혔다" after a day word
    clause_start: Pattern | None = None  # statement_after counts only at a clause start
    statement_speaker: Pattern | None = None  # "통신은 " before a day word ...
    restatement: Pattern | None = None  # "오늘(29일)": the second day word is the first
    sentence_break: Pattern | None = None
    possessive_after: Pattern | None = None
    possessive_end: Pattern | None = None
    stamps: Pattern | None = None
    dateline: Pattern | None = None
    stamp_words: Pattern | None = None
    year_date: Pattern | None = None
    quoted: Pattern | None = None
    caption: Pattern | None = None
    month_period: Pattern | None = None
    other_period: Pattern | None = None


def _hours(value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) for v in value)
        or not 0 <= value[0] < value[1] <= 48
    ):
        raise ValueError(value)
    return value[0], value[1]


def _zone(value: Any) -> tzinfo | None:
    """`null` (the event's zone), `UTC`, an IANA name, or {name, offset hours}."""
    if value is None:
        return None
    if value == "UTC":
        return UTC
    if isinstance(value, Mapping) and set(value) == {"name", "offset"}:
        return timezone(timedelta(hours=float(value["offset"])), str(value["name"]))
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(value) from None
    raise TypeError(value)


def _relative(
    parts: Mapping[str, tuple[int, int]],
) -> Callable[[Any], tuple[int, str | None, bool | str]]:
    def convert(value: Any) -> tuple[int, str | None, bool | str]:
        if not isinstance(value, list) or len(value) != 3:
            raise ValueError(value)
        back, part, chained = value
        if not isinstance(back, int) or not (isinstance(chained, bool) or chained == "statement"):
            raise ValueError(value)
        if part is not None and part not in parts:
            raise ValueError(value)
        return back, part, chained

    return convert


def _alternation(words: Mapping[str, Any]) -> str:
    """The words of a table as one alternation, longest first (so "last night" beats
    "last"), each escaped: for the `{..._words}` fragments."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def time_rules(
    section: Section, shared_zones: Mapping[str, Any] = MappingProxyType({})
) -> TimeRules:
    """Validate and compile a language file's `time:` section; `shared_zones` are zone
    words of every language ("KST", "GMT"), under the language's own.

    Generated fragments: `{relative_words}` (the keys of relative_days) and
    `{zone_words}` (the keys of zones), so a word added to a table is found by the
    patterns without editing them.
    """
    section.check_keys(KEYS, required=("dates", "clocks", "lead_cut"))
    parts = section.table("parts_of_day", _hours, "[start hour, end hour]")
    expected = "null, UTC, an IANA zone or {name, offset}"
    shared = Section({"zones": shared_zones}, "common.yaml").table("zones", _zone, expected)
    zones = {**shared, **section.table("zones", _zone, expected)}
    relative = section.table(
        "relative_days",
        _relative(parts),
        "[days back, part of day or null, false/true/statement]",
    )
    section = section.with_fragments(
        {"relative_words": _alternation(relative), "zone_words": _alternation(zones)}
    )
    period_modifiers = section.table(
        "period_modifiers", one_of("early", "mid", "late"), "early, mid or late"
    )
    meridiem = section.table("meridiem", one_of("am", "pm"), "am or pm")
    possessive = section.pattern_source("possessive", required=False)
    return TimeRules(
        weekdays=section.table("weekdays", whole_number(0, 6), "a weekday number 0 (Monday) to 6"),
        months=section.table("months", whole_number(1, 12), "a month number 1 to 12"),
        parts_of_day=parts,
        zones=zones,
        relative_days=relative,
        period_modifiers=period_modifiers,
        meridiem=meridiem,
        dates=section.ordered("dates", ("day",), required=True),
        clocks=section.ordered("clocks", ("h",), required=True),
        lead_cut=section.regex("lead_cut"),
        possessive_after=None if possessive is None else re.compile(possessive + r"\b"),
        possessive_end=None if possessive is None else re.compile(possessive + r"\Z"),
        **{key: section.regex(key, required=False, groups=g) for key, g in OPTIONAL.items()},
    )
