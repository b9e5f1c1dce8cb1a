"""Event time from news prose: "early Sunday", "around 7:50 a.m.", "28일 오전 8시께" → an interval.

Why this exists: outlets report one event with different words and clocks (KST in
Seoul, GMT on the wire, "Sunday" in a follow-up published on Monday, "전날" in a
Korean report of state media's account). Grouping reports into events needs each
report's *event* time as an interval with a precision, not its publication time.
Everything is read relative to the publication time and the event's local zone, and
a relative phrase never resolves to a day after publication.

How: the lead (first paragraphs) is scanned for three kinds of expression: day anchors
("Sunday", "yesterday", "Jan. 4", "28일", "昨日"), parts of day ("early", "오전",
"午前") and clock times ("7:50 a.m.", "0750 GMT", "8시께", "7時50分ごろ"). The first
anchor that is not merely the day something was *said* ("North Korea said Monday ...",
"... 29일 밝혔다", "通信は29日、... 28日に") fixes the day, in its own zone when it
names one ("Monday night ET"); a part of day and a clock consistent with it narrow
the interval. The clock is one whose sentence names the event (the monitor's
`EventWords`), else the first; beyond the lead, a clock about the event still sharpens
a day. Nothing in the lead → the whole text; nothing at all → the two days before
publication.

The words are per language (`monitors.language.timerules.TimeRules`, read from a
language file's `time:` section); the rules here are the same for all, and know no
monitor. Without rules, English. Clocks: `monitors.language.clocks`; stamps and
captions: `monitors.language.stamps`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from monitors.base import EventTime, Precision
from monitors.language.clocks import Clock, clocks, place_clock
from monitors.language.dayanchors import (
    Anchor,
    anchors,
    month_number,
    part_name,
    pick,
    weekday_on_or_before,
)
from monitors.language.stamps import english_time as english
from monitors.language.stamps import is_caption, lead_paragraphs, mask_stamps
from monitors.language.timerules import NO_EVENT_WORDS, EventWords, TimeRules

__all__ = ["english", "lead_paragraphs", "mask_stamps", "period_mentioned", "resolve_event_time"]

DEFAULT_WINDOW = timedelta(days=2)  # "days": nothing found, the event is shortly before publication
APPROX_SLACK = timedelta(minutes=15)  # "around 7:50"
EXACT_SLACK = timedelta(minutes=5)  # "at 7:50": reports still differ by a few minutes
# A day word may be in the outlet's zone, not the event's: outlets write from UTC-8 (US
# west coast) to UTC+9 (Seoul, Tokyo), so a day's hours may lie this far either way.
OUTLET_ZONES = (timedelta(hours=-8), timedelta(hours=9))


@dataclass(frozen=True)
class _Part:
    start: int
    part: str
    phrase: str


@dataclass(frozen=True)
class _Found:
    anchors: tuple[Anchor, ...]
    parts: tuple[_Part, ...]
    clocks: tuple[Clock, ...]

    def __bool__(self) -> bool:
        return bool(self.anchors or self.parts or self.clocks)


def resolve_event_time(
    text: str,
    published: datetime | None,
    zone: ZoneInfo,
    rules: TimeRules | None = None,
    event: EventWords = NO_EVENT_WORDS,
) -> EventTime | None:
    """The event's time as read from the lead of `text`, as a UTC interval.

    `published` anchors relative phrases ("Sunday", "yesterday", a bare clock time);
    `zone` is where the event happened (a monitor passes the zone of the event's place),
    the zone of clock times and day words without a zone word of their own; `event`,
    the monitor's words for its event, says which clocks and day words are about it.
    Returns the default "days" interval when nothing is found, and None only when
    there is no publication time and nothing absolute (a date with a year) in the text.
    """
    rules = rules or english()
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)  # stored naive times are UTC
    paragraphs = [p for p in text.splitlines() if p.strip() and not is_caption(p.strip(), rules)]
    lead = "\n".join(lead_paragraphs(text, rules))
    whole = "\n".join(paragraphs)
    scopes = [(lead, False)] + ([(whole, True)] if whole != lead else [])  # beyond: less
    for scope, beyond_lead in scopes:
        found = _scan(scope, published, zone, rules, event)
        if event.clause is not None:
            # in a language that can tell, only a day word whose clause names the event
            # counts ("지난 24일 핵잠수함 건조 현장을 시찰" recalls another day); beyond the
            # lead, nothing else does
            named = tuple(a for a in found.anchors if a.eventful and not a.reporting)
            found = _Found(named, *(((), ()) if beyond_lead else (found.parts, found.clocks)))
        if found:
            result = _combine(found, published, zone, rules)
            if result is not None:
                if event.body_clock is not None and result.precision != "minute":
                    whole_text = "\n".join(paragraphs)
                    return _body_clock(whole_text, result, published, zone, rules, event)
                return result
    if published is None:
        return None
    end = published.astimezone(UTC)
    return EventTime(start=end - DEFAULT_WINDOW, end=end, precision="days", phrase=None)


def period_mentioned(
    sentence: str,
    published: datetime | None,
    zone: ZoneInfo,
    rules: TimeRules | None = None,
    event: EventWords = NO_EVENT_WORDS,
) -> tuple[datetime, datetime] | None:
    """The period a sentence's own time words point at (a day, or part of a month), if any.

    So "In December, the country tested cruise missiles" can be told apart from the
    launch a January report is about: facts come only from sentences about this launch.
    Statement days ("said Monday") are not counted; a sentence pointing at "last month"
    or "years ago" gives an interval ending well before publication.
    """
    rules = rules or english()
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    if published is not None and rules.other_period and rules.other_period.search(sentence):
        far = published - timedelta(days=7)
        return far - timedelta(days=365), far
    text = mask_stamps(sentence, rules)
    local_today = published.astimezone(zone).date() if published is not None else None
    anchor = pick(anchors(text, local_today, rules, (), event))
    if anchor is not None:
        return _utc_days(anchor.day, anchor.day + timedelta(days=1), zone)
    m = rules.month_period.search(text) if rules.month_period else None
    if m is None or local_today is None:
        return None
    month = month_number(m.group("mon"), rules)
    if month is None:
        return None
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else local_today.year
    if not groups.get("year") and month > local_today.month:
        year -= 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    modifier = rules.period_modifiers.get((groups.get("mod") or "").lower())
    first, stop = {
        "early": (date(year, month, 1), date(year, month, 11)),
        "mid": (date(year, month, 10), date(year, month, 21)),
        "late": (date(year, month, 20), next_month),
    }.get(modifier or "", (date(year, month, 1), next_month))
    return _utc_days(first, stop, zone)


def _utc_days(first: date, stop: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight of `stop`) in UTC."""
    return (
        datetime.combine(first, time(), tzinfo=zone).astimezone(UTC),
        datetime.combine(stop, time(), tzinfo=zone).astimezone(UTC),
    )


def _scan(
    text: str, published: datetime | None, zone: ZoneInfo, rules: TimeRules, event: EventWords
) -> _Found:
    text = mask_stamps(text, rules)
    found_clocks = clocks(text, rules, event)
    # A weekday that belongs to a clock in another zone ("2135 GMT Saturday") is not a
    # local day: blank those clocks out before looking for day anchors.
    masked = text
    for clock in found_clocks:
        if clock.zone is not None and str(clock.zone) != str(zone):
            masked = masked[: clock.start] + " " * (clock.end - clock.start) + masked[clock.end :]
    local_today = published.astimezone(zone).date() if published is not None else None
    days = anchors(masked, local_today, rules, _quoted_spans(masked, rules), event)
    days = tuple(_zoned(a, masked, published, zone, rules) for a in days)
    taken = [(a.start, a.start + len(a.phrase)) for a in days]
    parts = []
    for m in rules.part.finditer(masked) if rules.part else ():
        groups = m.groupdict()
        # "pre-dawn" and "in the early hours" both mean "early"
        name = part_name(groups.get("mod") or groups.get("mod2"), groups.get("part") or "hours")
        if (
            name is not None
            and name in rules.parts_of_day
            and not any(s <= m.start() < e for s, e in taken)
        ):
            parts.append(_Part(m.start(), name, m.group()))
    return _Found(days, tuple(parts), found_clocks)


def _quoted_spans(text: str, rules: TimeRules) -> list[tuple[int, int]]:
    return [m.span() for m in rules.quoted.finditer(text)] if rules.quoted else []


def _combine(
    found: _Found, published: datetime | None, zone: ZoneInfo, rules: TimeRules
) -> EventTime | None:
    """Anchor day, then part of day, then clock time: each narrows the one before."""
    # The day a statement was made is never the event's day: a state-media account
    # "said today" describes yesterday's launch.
    anchor = pick(found.anchors)
    phrases: list[tuple[int, str]] = []
    part, day = None, None
    day_zone: tzinfo = zone
    if anchor is not None:
        day, part, day_zone = anchor.day, anchor.part, anchor.zone or zone
        phrases.append((anchor.start, anchor.phrase))
        if part is None:  # "the previous day ... on Sunday morning": same day, finer
            same = [a for a in found.anchors if a.day == day and a.part and a.start > anchor.start]
            if same:
                part = same[0].part
                phrases.append((same[0].start, same[0].phrase))
    if part is None and found.parts:
        part = found.parts[0].part
        phrases.append((found.parts[0].start, found.parts[0].phrase))
    if day is None and published is not None and part is not None:
        day = published.astimezone(zone).date()
        if _window(day, part, zone, rules)[0] > published:
            day -= timedelta(days=1)
    window = _window(day, part, day_zone, rules) if day is not None else None
    placed = _best_clock(found.clocks, window, published, zone)
    if placed is not None:
        clock, at = placed
        if clock.weekday is not None and clock.zone is not None and published is not None:
            phrases = []  # "2250 GMT Saturday" dates itself: no other phrase was used
        phrases.append((clock.start, clock.phrase))
        slack = APPROX_SLACK if clock.approx else EXACT_SLACK
        return _event(at - slack, at + slack, "minute", phrases)
    if window is None:
        return None
    return _event(window[0], window[1], "part_of_day" if part else "day", phrases)


def _best_clock(
    found: tuple[Clock, ...],
    window: tuple[datetime, datetime] | None,
    published: datetime | None,
    zone: ZoneInfo,
) -> tuple[Clock, datetime] | None:
    """The clock that dates the event: one whose sentence names the event (in text order),
    else the first clock; inside the day words' window, or for a clock about the event
    inside that window read in any outlet's zone (a US outlet's "Monday night" is
    Tuesday in Seoul). A clock that fits neither is ignored."""
    about = [c for c in found if c.about]
    candidates = about + [c for c in found[:1] if not c.about]
    for clock in candidates:
        at = place_clock(clock, window, published, zone)
        if at is not None:
            return clock, at
    if window is None:
        return None
    offset = window[0].astimezone(zone).utcoffset() or timedelta()
    wide = (
        min(window[0], window[0] + offset - OUTLET_ZONES[1]),
        max(window[1], window[1] + offset - OUTLET_ZONES[0]),
    )
    for clock in about:
        at = place_clock(clock, wide, published, zone)
        if at is not None:
            return clock, at
    return None


def _body_clock(
    text: str,
    result: EventTime,
    published: datetime | None,
    zone: ZoneInfo,
    rules: TimeRules,
    event: EventWords,
) -> EventTime:
    """A sharper time from beyond the lead: the first clock, in a sentence about the event
    (`EventWords.body_clock`), that falls inside the time the lead gave (or within half a
    day of it). Reports of a state-media account give the military's clock time far
    down ("합참은 ... 전날 오전 8시께 ... 포착했다고 밝혔다", "The missile was launched at
    around 7:50 a.m., the Joint Chiefs of Staff said")."""
    masked = mask_stamps(text, rules)
    found = tuple(c for c in clocks(masked, rules, event) if c.about)
    placed = _best_clock(found, (result.start, result.end), published, zone)
    if placed is None:
        return result
    clock, at = placed
    slack = APPROX_SLACK if clock.approx else EXACT_SLACK
    phrase = "; ".join(p for p in (result.phrase, clock.phrase) if p)
    return EventTime((at - slack).astimezone(UTC), (at + slack).astimezone(UTC), "minute", phrase)


def _zoned(
    anchor: Anchor, text: str, published: datetime | None, zone: ZoneInfo, rules: TimeRules
) -> Anchor:
    """A day word with its own zone word ("Monday night ET", "late Sunday (GMT)") is a
    day in that zone: counted from publication there, its hours in that zone."""
    end = anchor.start + len(anchor.phrase)
    suffix = rules.zone_suffix.match(text, end) if rules.zone_suffix else None
    named = suffix.group("zone") if suffix else None
    tz = rules.zones.get(named) if named else None
    if suffix is None or tz is None or str(tz) == str(zone):
        return anchor
    day = anchor.day
    if published is not None and not any(p.fullmatch(anchor.phrase) for p in rules.dates):
        there = published.astimezone(tz).date()
        if rules.weekday is not None and rules.weekday.fullmatch(anchor.phrase):
            day = weekday_on_or_before(day.weekday(), there)  # "Saturday" there
        else:
            day -= published.astimezone(zone).date() - there  # "yesterday" there
    return replace(anchor, day=day, zone=tz, phrase=text[anchor.start : suffix.end()].strip())


def _window(
    day: date, part: str | None, zone: tzinfo, rules: TimeRules
) -> tuple[datetime, datetime]:
    first, last = rules.parts_of_day[part] if part else (0, 24)
    midnight = datetime.combine(day, time())
    return (
        (midnight + timedelta(hours=first)).replace(tzinfo=zone),
        (midnight + timedelta(hours=last)).replace(tzinfo=zone),
    )


def _event(
    start: datetime, end: datetime, precision: Precision, phrases: list[tuple[int, str]]
) -> EventTime:
    spans = sorted((start, start + len(p), p) for start, p in phrases)
    kept = [
        p for s, e, p in spans if not any(s2 <= s and e <= e2 and p2 != p for s2, e2, p2 in spans)
    ]
    phrase = "; ".join(kept) or None
    return EventTime(start.astimezone(UTC), end.astimezone(UTC), precision, phrase)
