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
"... 29일 밝혔다", "通信は29日、... 28日に") fixes the day; a part of day and a clock
consistent with it narrow the interval. Nothing in the lead → the whole text; nothing
at all → the two days before publication.

The words are per language (`monitors.timerules.TimeRules`, read from a lexicon's
`time:` section); the rules here are the same for all. Without rules, English.
Stamps and captions: `monitors.stamps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from monitors.base import EventTime
from monitors.dayanchors import (
    ANY_SENTENCE_BREAK,
    Anchor,
    anchors,
    month_number,
    part_name,
    pick,
    weekday_on_or_before,
)
from monitors.launchrules import english_time as english
from monitors.stamps import is_caption, lead_paragraphs, mask_stamps
from monitors.timerules import TimeRules

__all__ = ["english", "lead_paragraphs", "mask_stamps", "period_mentioned", "resolve_event_time"]

DEFAULT_WINDOW = timedelta(days=2)  # "days": nothing found, the event is shortly before publication
APPROX_SLACK = timedelta(minutes=15)  # "around 7:50"
EXACT_SLACK = timedelta(minutes=5)  # "at 7:50": reports still differ by a few minutes


@dataclass(frozen=True)
class _Part:
    start: int
    part: str
    phrase: str


@dataclass(frozen=True)
class _Clock:
    start: int
    end: int
    at: time
    zone: tzinfo | None  # None: the event's zone
    weekday: int | None  # "2135 GMT Saturday": a weekday in the clock's own zone
    approx: bool
    phrase: str


@dataclass(frozen=True)
class _Found:
    anchors: tuple[Anchor, ...]
    parts: tuple[_Part, ...]
    clocks: tuple[_Clock, ...]

    def __bool__(self) -> bool:
        return bool(self.anchors or self.parts or self.clocks)


def resolve_event_time(
    text: str, published: datetime | None, zone: ZoneInfo, rules: TimeRules | None = None
) -> EventTime | None:
    """The event's time as read from the lead of `text`, as a UTC interval.

    `published` anchors relative phrases ("Sunday", "yesterday", a bare clock time);
    `zone` is where the event happened, the zone of clock times without a zone word.
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
        found = _scan(scope, published, zone, rules)
        if rules.event_after is not None:
            # in a language that can tell, only a day word whose clause names the event
            # counts ("지난 24일 핵잠수함 건조 현장을 시찰" recalls another day); beyond the
            # lead, nothing else does
            named = tuple(a for a in found.anchors if a.eventful and not a.reporting)
            found = _Found(named, *(((), ()) if beyond_lead else (found.parts, found.clocks)))
        if found:
            result = _combine(found, published, zone, rules)
            if result is not None:
                if rules.body_clock_context is not None and result.precision != "minute":
                    return _body_clock("\n".join(paragraphs), result, published, zone, rules)
                return result
    if published is None:
        return None
    end = published.astimezone(UTC)
    return EventTime(start=end - DEFAULT_WINDOW, end=end, precision="days", phrase=None)


def period_mentioned(
    sentence: str, published: datetime | None, zone: ZoneInfo, rules: TimeRules | None = None
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
    anchor = pick(anchors(text, local_today, rules))
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


def _scan(text: str, published: datetime | None, zone: ZoneInfo, rules: TimeRules) -> _Found:
    text = mask_stamps(text, rules)
    clocks = _clocks(text, rules)
    # A weekday that belongs to a clock in another zone ("2135 GMT Saturday") is not a
    # local day: blank those clocks out before looking for day anchors.
    masked = text
    for clock in clocks:
        if clock.zone is not None and str(clock.zone) != str(zone):
            masked = masked[: clock.start] + " " * (clock.end - clock.start) + masked[clock.end :]
    local_today = published.astimezone(zone).date() if published is not None else None
    days = anchors(masked, local_today, rules, _quoted_spans(masked, rules))
    taken = [(a.start, a.start + len(a.phrase)) for a in days]
    parts = []
    for m in rules.part.finditer(masked) if rules.part else ():
        groups = m.groupdict()
        # "pre-dawn" and "in the early hours" both mean "early"
        name = part_name(groups.get("mod") or groups.get("mod2"), groups.get("part") or "hours")
        if name in rules.parts_of_day and not any(s <= m.start() < e for s, e in taken):
            parts.append(_Part(m.start(), name, m.group()))
    return _Found(days, tuple(parts), clocks)


def _quoted_spans(text: str, rules: TimeRules) -> list[tuple[int, int]]:
    return [m.span() for m in rules.quoted.finditer(text)] if rules.quoted else []


def _clocks(text: str, rules: TimeRules) -> tuple[_Clock, ...]:
    """Clock times in text order, each with its zone word and approximation, if any."""
    found: list[_Clock] = []
    for pattern in rules.clocks:
        for m in pattern.finditer(text):
            if any(c.start < m.end() and m.start() < c.end for c in found):
                continue
            groups = m.groupdict()
            hour, minute = int(m.group("h")), int(groups.get("m") or 0)
            if groups.get("half"):
                minute = 30
            meridiem = rules.meridiem.get(groups["ap"].lower()) if groups.get("ap") else None
            if meridiem is not None:
                hour = hour % 12 + (12 if meridiem == "pm" else 0)
            if not (0 <= hour <= 23 and 0 <= minute <= 59):
                continue
            end, zone, weekday = m.end(), None, None
            suffix = rules.zone_suffix.match(text, m.end()) if rules.zone_suffix else None
            if suffix and suffix.group("zone") in rules.zones:
                end, zone = suffix.end(), rules.zones[suffix.group("zone")]
                named = suffix.groupdict()
                wd = named.get("wd1") or named.get("wd2")
                weekday = rules.weekdays.get(wd.lower()) if wd and zone is not None else None
            approx = bool(groups.get("approx")) or bool(
                rules.approx_before
                and rules.approx_before.search(text[max(0, m.start() - 30) : m.start()])
            )
            found.append(
                _Clock(
                    m.start(), end, time(hour, minute), zone, weekday, approx, text[m.start() : end]
                )
            )
    found.sort(key=lambda c: c.start)
    return tuple(found)


def _combine(
    found: _Found, published: datetime | None, zone: ZoneInfo, rules: TimeRules
) -> EventTime | None:
    """Anchor day, then part of day, then clock time: each narrows the one before."""
    # The day a statement was made is never the event's day: a state-media account
    # "said today" describes yesterday's launch.
    anchor = pick(found.anchors)
    phrases: list[tuple[int, str]] = []
    part, day = None, None
    if anchor is not None:
        day, part = anchor.day, anchor.part
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
    window = _window(day, part, zone, rules) if day is not None else None
    # Only the first clock describes the event; one inconsistent with the window is ignored.
    clock = found.clocks[0] if found.clocks else None
    at = _place_clock(clock, window, published, zone) if clock else None
    if clock is not None and at is not None:
        phrases.append((clock.start, clock.phrase))
        slack = APPROX_SLACK if clock.approx else EXACT_SLACK
        return _event(at - slack, at + slack, "minute", phrases)
    if window is None:
        return None
    return _event(window[0], window[1], "part_of_day" if part else "day", phrases)


def _body_clock(
    text: str, result: EventTime, published: datetime | None, zone: ZoneInfo, rules: TimeRules
) -> EventTime:
    """A sharper time from beyond the lead: the first clock, in a sentence about the event
    (`body_clock_context`), that falls inside the day the lead gave. Korean reports of a
    state-media account give the military's clock time far down ("합참은 ... 전날 오전
    8시께 ... 포착했다고 밝혔다")."""
    masked = mask_stamps(text, rules)
    breaks = rules.sentence_break or ANY_SENTENCE_BREAK
    for clock in _clocks(masked, rules):
        starts = [m.end() for m in breaks.finditer(masked, 0, clock.start)]
        stop = breaks.search(masked, clock.end)
        sentence = masked[starts[-1] if starts else 0 : stop.start() if stop else len(masked)]
        if not rules.body_clock_context.search(sentence):  # type: ignore[union-attr]
            continue
        at = _place_clock(clock, (result.start, result.end), published, zone)
        if at is not None:
            slack = APPROX_SLACK if clock.approx else EXACT_SLACK
            phrase = "; ".join(p for p in (result.phrase, clock.phrase) if p)
            return EventTime(
                (at - slack).astimezone(UTC), (at + slack).astimezone(UTC), "minute", phrase
            )
    return result


def _place_clock(
    clock: _Clock,
    window: tuple[datetime, datetime] | None,
    published: datetime | None,
    zone: ZoneInfo,
) -> datetime | None:
    """The instant a clock time names: inside the anchor window, never after publication."""
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


def _window(
    day: date, part: str | None, zone: ZoneInfo, rules: TimeRules
) -> tuple[datetime, datetime]:
    first, last = rules.parts_of_day[part] if part else (0, 24)
    midnight = datetime.combine(day, time())
    return (
        (midnight + timedelta(hours=first)).replace(tzinfo=zone),
        (midnight + timedelta(hours=last)).replace(tzinfo=zone),
    )


def _event(
    start: datetime, end: datetime, precision: str, phrases: list[tuple[int, str]]
) -> EventTime:
    spans = sorted((start, start + len(p), p) for start, p in phrases)
    kept = [
        p for s, e, p in spans if not any(s2 <= s and e <= e2 and p2 != p for s2, e2, p2 in spans)
    ]
    phrase = "; ".join(kept) or None
    return EventTime(start.astimezone(UTC), end.astimezone(UTC), precision, phrase)
