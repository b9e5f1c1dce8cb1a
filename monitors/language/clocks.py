"""Clock times in news prose: "around 7:50 a.m.", "(2250 GMT Saturday)", "한국시간 오전 7시50분께".

Why a module of its own: a clock is the sharpest statement of an event's time, and
reading one well is more than its digits: its zone ("GMT", "KST", "(한국시간)",
"日本時間", "heure de Paris", else the event's zone), a weekday in that zone, whether
it is approximate ("around", "께", "ごろ", "vers"), and whether its sentence is about
the event at all (the monitor's `EventWords.body_clock`: "the missile was fired at
7:50 a.m." is, "the meeting began at 3 p.m." is not). `monitors.language.timeexpr`
decides which clock dates the event and where it falls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from monitors.language.dayanchors import ANY_SENTENCE_BREAK, weekday_on_or_before
from monitors.language.timerules import EventWords, TimeRules

__all__ = ["Clock", "clocks", "place_clock"]

APPROX_CHARS = 30  # how far before a clock "around" may be
SENTENCE_CHARS = 400  # a clock's sentence is looked for this far either side
ZONE_PREFIX_CHARS = 20  # how far before a clock its zone word may be ("한국시간 오전")


@dataclass(frozen=True)
class Clock:
    start: int
    end: int
    at: time
    zone: tzinfo | None  # None: the event's zone
    weekday: int | None  # "2135 GMT Saturday": a weekday in the clock's own zone
    approx: bool
    phrase: str
    about: bool = False  # its sentence names the event (the monitor's words)


def clocks(text: str, rules: TimeRules, event: EventWords | None = None) -> tuple[Clock, ...]:
    """Clock times in text order, each with its zone word and approximation, if any."""
    found: list[Clock] = []
    for pattern in rules.clocks:
        for m in pattern.finditer(text):
            if any(c.start < m.end() and m.start() < c.end for c in found):
                continue
            clock = _read(m, text, rules)
            if clock is not None:
                found.append(clock)
    found.sort(key=lambda c: c.start)
    if event is None or event.body_clock is None:
        return tuple(found)
    breaks = rules.sentence_break or ANY_SENTENCE_BREAK
    return tuple(_with_about(c, text, breaks, event.body_clock) for c in found)


def _read(m: re.Match[str], text: str, rules: TimeRules) -> Clock | None:
    groups = m.groupdict()
    hour, minute = int(m.group("h")), int(groups.get("m") or 0)
    if groups.get("half"):
        minute = 30
    meridiem = rules.meridiem.get(groups["ap"].lower()) if groups.get("ap") else None
    if meridiem is not None:
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    start, end, zone, weekday = m.start(), m.end(), None, None
    suffix = rules.zone_suffix.match(text, m.end()) if rules.zone_suffix else None
    if suffix and suffix.group("zone") in rules.zones:
        end, zone = suffix.end(), rules.zones[suffix.group("zone")]
        named = suffix.groupdict()
        wd = named.get("wd1") or named.get("wd2")
        weekday = rules.weekdays.get(wd.lower()) if wd and zone is not None else None
    elif rules.zone_prefix is not None:
        scan = rules.zone_prefix.finditer(text, max(0, m.start() - ZONE_PREFIX_CHARS), m.start())
        before = next((b for b in scan if b.end() == m.start()), None)
        if before and before.group("zone") in rules.zones:
            start, zone = before.start(), rules.zones[before.group("zone")]
    approx = bool(groups.get("approx")) or bool(
        rules.approx_before
        and rules.approx_before.search(text[max(0, start - APPROX_CHARS) : start])
    )
    phrase = text[start:end]
    if phrase.endswith((")", "）")) and not any(c in phrase for c in "(（"):
        phrase = phrase[:-1].rstrip()  # "(2250 GMT)": the clock, not the bracket
    return Clock(start, end, time(hour, minute), zone, weekday, approx, phrase)


def _with_about(clock: Clock, text: str, breaks: re.Pattern[str], words: re.Pattern[str]) -> Clock:
    """The clock's sentence: from the last break before it to the first after it (a
    clock's own "a.m." ends no sentence)."""
    first = max(0, clock.start - SENTENCE_CHARS)
    starts = [m.end() for m in breaks.finditer(text, first, clock.start)]
    stop = breaks.search(text, clock.end, clock.end + SENTENCE_CHARS)
    sentence = text[
        starts[-1] if starts else first : stop.start() if stop else clock.end + SENTENCE_CHARS
    ]
    if not words.search(sentence):
        return clock
    return Clock(**{**clock.__dict__, "about": True})


def place_clock(
    clock: Clock,
    window: tuple[datetime, datetime] | None,
    published: datetime | None,
    zone: ZoneInfo,
) -> datetime | None:
    """The instant a clock time names: inside the window, never after publication."""
    tz = clock.zone or zone
    if clock.weekday is not None and published is not None:
        days = [weekday_on_or_before(clock.weekday, published.astimezone(tz).date())]
        window = None  # its own weekday and zone are more specific than the local anchor
    elif window is not None:
        base = window[0].astimezone(tz).date()
        days = [base, base + timedelta(days=1), base - timedelta(days=1)]
    elif published is not None:
        base = published.astimezone(tz).date()
        days = [base, base - timedelta(days=1)]
    else:
        return None
    for day in days:
        at = datetime.combine(day, clock.at, tzinfo=tz)
        if window is not None and not window[0] <= at < window[1]:
            continue
        if published is not None and at > published:
            continue
        return at
    return None
