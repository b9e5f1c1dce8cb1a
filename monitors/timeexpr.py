"""Event time from news prose: "early Sunday", "around 7:50 a.m.", "Jan. 4" → an interval.

Why this exists: outlets report one event with different words and clocks (KST in
Seoul, GMT on the wire, "Sunday" in a follow-up published on Monday). Grouping reports
into events needs each report's *event* time as an interval with a precision, not its
publication time. Everything is read relative to the publication time and the event's
local zone, and a relative phrase never resolves to a day after publication.

How: the lead (first paragraphs) is scanned for three kinds of expression: day anchors
("Sunday", "yesterday", "Jan. 4"), parts of day ("early", "in the morning") and clock
times ("7:50 a.m.", "0750 GMT"). The first anchor that is not merely the day something
was *said* ("North Korea said Monday ...") fixes the day; a part of day and a clock
consistent with it narrow the interval. Nothing in the lead → the whole text; nothing
at all → the two days before publication.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

from monitors.base import EventTime

LEAD_PARAGRAPHS = 3
LEAD_CHARS = 1200
DEFAULT_WINDOW = timedelta(days=2)  # "days": nothing found, the event is shortly before publication
APPROX_SLACK = timedelta(minutes=15)  # "around 7:50"
EXACT_SLACK = timedelta(minutes=5)  # "at 7:50": reports still differ by a few minutes
DATE_FUTURE_LIMIT = timedelta(days=1)  # an explicit date may be at most this after publication

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = MappingProxyType(
    {
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "may": 5,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    }
)
# Local hours [start, end); "night" runs into the next day.
PARTS_OF_DAY = MappingProxyType(
    {
        "early": (0, 9),
        "morning": (5, 12),
        "afternoon": (12, 18),
        "evening": (17, 22),
        "night": (20, 28),
    }
)
# Zone words that override the event's local zone. "local" means: the event's zone.
ZONES = MappingProxyType(
    {
        "KST": ZoneInfo("Asia/Seoul"),
        "JST": ZoneInfo("Asia/Tokyo"),
        "GMT": UTC,
        "UTC": UTC,
        "ET": ZoneInfo("America/New_York"),
        "EST": timezone(timedelta(hours=-5), "EST"),
        "EDT": timezone(timedelta(hours=-4), "EDT"),
        "Korea time": ZoneInfo("Asia/Seoul"),
        "Seoul time": ZoneInfo("Asia/Seoul"),
        "Japan time": ZoneInfo("Asia/Tokyo"),
        "Tokyo time": ZoneInfo("Asia/Tokyo"),
        "local time": None,
    }
)
# Relative day words: (days before publication, part of day, relative to the previous anchor).
RELATIVE_DAYS = MappingProxyType(
    {
        "today": (0, None, False),
        "tonight": (0, "evening", False),
        "this morning": (0, "morning", False),
        "this afternoon": (0, "afternoon", False),
        "this evening": (0, "evening", False),
        "yesterday": (1, None, False),
        "last night": (1, "night", False),
        "overnight": (1, "night", False),
        "the previous day": (1, None, True),
        "the day before": (1, None, True),
        "a day earlier": (1, None, True),
        "the previous night": (1, "night", True),
    }
)

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ZONE = "|".join(re.escape(z) for z in sorted(ZONES, key=len, reverse=True))
_MOD = r"(?:(?P<mod>early|late)\s+(?:on\s+)?)?"
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night))?"

DATE_MONTH_FIRST = re.compile(
    rf"(?:\b(?P<wd>{_WEEKDAY}),?\s+)?\b(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?![\d:])(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
DATE_DAY_FIRST = re.compile(
    rf"(?:\b(?P<wd>{_WEEKDAY}),?\s+)?\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<mon>{_MONTH})\b\.?(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
WEEKDAY_ANCHOR = re.compile(rf"(?i:\b{_MOD})\b(?P<wd>{_WEEKDAY})\b(?:'s)?(?i:{_PART})\b")
RELATIVE_ANCHOR = re.compile(
    r"(?i)\b(?:(?P<mod>early|late)\s+)?(?P<rel>"
    + "|".join(re.escape(r) for r in sorted(RELATIVE_DAYS, key=len, reverse=True))
    + r")\b"
    + _PART
    + r"\b"
)
STANDALONE_PART = re.compile(
    r"(?i)\b(?:(?P<mod>early|late)\s+)?in\s+the\s+(?:(?P<mod2>early|late)\s+)?"
    r"(?P<part>morning|afternoon|evening|hours)\b"
    r"|\b(?P<pre>pre-dawn|before dawn|early[- ]morning)\b"
)
CLOCK_12H = re.compile(
    r"(?<![\d.:])(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s*(?i:(?P<ap>[ap])\.?\s?m)\b\.?"
)
CLOCK_24H = re.compile(r"(?<![\d.:])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])")
CLOCK_MILITARY = re.compile(
    rf"(?<![\d.:])(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s*(?:hrs\s+|hours\s+)?(?=(?:{_ZONE})\b)"
)
ZONE_SUFFIX = re.compile(
    rf"\s*(?:(?:on\s+)?(?P<wd1>{_WEEKDAY})\s*)?\(?\s*(?P<zone>{_ZONE})\b\)?"
    rf"(?:\s*,?\s*(?:on\s+)?(?P<wd2>{_WEEKDAY})\b\)?)?"
)
APPROX_BEFORE = re.compile(
    r"(?i)\b(?:around|about|approximately|roughly|circa|some|shortly\s+(?:after|before)"
    r"|just\s+(?:after|before))\s+(?:at\s+)?$"
)
_REPORTING_VERB = (
    r"(?:said|says|say|announced|announces|reported|reports|confirmed|confirms|stated|added"
    r"|claimed|claims|revealed|reveals|disclosed|released|published|showed|shows|told\s+\w+"
    r"|(?:in\s+)?a\s+(?:statement|report|dispatch)(?:\s+(?:released|issued|published))?)"
)
REPORTING_BEFORE = re.compile(rf"(?i)\b{_REPORTING_VERB}\s+(?:on\s+|early\s+|late\s+)?$")
# "On Monday, KCNA said ...": a time word heading a clause whose verb is a reporting verb
# (and no launch verb in between) dates the statement, not the event.
REPORTING_AFTER = re.compile(
    rf"(?i)^(?:'s)?\s*,?\s*(?:(?!\b(?:fired|fires|launched|launches|tested|tests|test-fired"
    rf"|test-launched|conducted)\b)[^.;:!?\n]){{0,60}}?\b{_REPORTING_VERB}\b"
)
CLAUSE_START = re.compile(r"(?i)(?:^|[.;!?\n“\"]\s*)(?:(?:on|early|late|later|then|and|but)\s+)*$")
LAUNCH_VERB_AFTER = re.compile(
    r"(?i)^[^.;!?\n]{0,80}?\b(?:fired|fires|launched|launches|tested|tests|test-fired"
    r"|test-launched|conducted)\b"
)
# Stamps: a page's own byline or update time ("December 29, 2025 09:41 GMT", "Published
# On 29 Dec 2025", "20 Aug 2026 05:08PM (Updated: ...)") and wire datelines ("SEOUL, Jan 4
# (Reuters) -") say when the text was written, never when the event happened. News prose
# does not give an event's clock time together with the year, so a date with a year next to
# a clock time is a stamp.
_YEAR_DATE = (
    rf"(?:(?:{_WEEKDAY}|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)),?\s+)?"
    rf"(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2})"
)
_STAMP_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[AaPp]\.?\s?[Mm]\.?)?"
_STAMP_ZONE = r"(?:\s*\(?(?:GMT|UTC|KST|JST|ET|EST|EDT|BST|CET|IST|SGT|HKT)(?:[+-]\d{1,2})?\)?)?"
STAMPS = re.compile(
    rf"(?i)(?:\b(?:first\s+)?(?:published|updated|last\s+updated|posted|modified)"
    rf"(?:\s+(?:on|at))?\s*:?\s*(?:{_YEAR_DATE}(?:\s*(?:,|at|\||-|–)?\s*"
    rf"{_STAMP_CLOCK}{_STAMP_ZONE})?|{_STAMP_CLOCK}{_STAMP_ZONE}(?:\s*,?\s*{_YEAR_DATE})?"
    rf"|\d+\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago))"
    rf"|(?:{_YEAR_DATE}\s*(?:,|at|\||-|–|T)?\s*{_STAMP_CLOCK}{_STAMP_ZONE})"
    rf"|(?:{_STAMP_CLOCK}{_STAMP_ZONE}\s*(?:,|on|\||-|–)?\s*{_YEAR_DATE})"
)
DATELINE = re.compile(
    rf"(?:^|(?<=\s))[A-Z][A-Z.'’-]+(?:[ /][A-Z][A-Z.'’-]+)*,\s+(?P<date>(?:{_MONTH}\.?\s+"
    rf"\d{{1,2}}|\d{{1,2}}\s+{_MONTH}\.?)(?:,?\s+(?:19|20)\d\d)?)\s*\((?:Reuters|AP|AFP"
    r"|Yonhap|Kyodo|UPI|Xinhua|dpa|Bloomberg|KCNA|IANS|PTI|ANI)\)"
)
# What is left of a paragraph that is nothing but a stamp or a byline.
STAMP_WORDS = re.compile(
    r"(?i)\b(?:by|and|on|at|updated|published|posted|last|first|modified|am|pm|gmt|utc|kst|jst"
    r"|et|edt|est|bst|read|min|mins|minutes?|hours?|ago|time|staff|reporter|correspondent)\b"
)
YEAR_DATE = re.compile(rf"(?i){_YEAR_DATE}")
QUOTED = re.compile(r"“[^“”\n]{1,400}”|\"[^\"\n]{1,400}\"")
CAPTION = re.compile(
    r"^(?:In this (?:photo|image|picture|file photo)|This (?:photo|image)|Photo:|FILE\s*[-—])"
    r"|\(\s*(?:AP|Reuters|AFP|Yonhap|EPA|Getty Images)(?: Photo)?\s*\)\s*$"
)


@dataclass(frozen=True)
class _Anchor:
    """A day the text names, as a local calendar date, maybe with a part of day."""

    start: int
    day: date
    part: str | None
    phrase: str
    reporting: bool  # "said Monday": the day of a statement, not of the event


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
    zone: object  # a tzinfo, or None for the event's zone
    weekday: int | None  # "2135 GMT Saturday": a weekday in the clock's own zone
    approx: bool
    phrase: str


@dataclass(frozen=True)
class _Found:
    anchors: tuple[_Anchor, ...]
    parts: tuple[_Part, ...]
    clocks: tuple[_Clock, ...]

    def __bool__(self) -> bool:
        return bool(self.anchors or self.parts or self.clocks)


def resolve_event_time(text: str, published: datetime | None, zone: ZoneInfo) -> EventTime | None:
    """The event's time as read from the lead of `text`, as a UTC interval.

    `published` anchors relative phrases ("Sunday", "yesterday", a bare clock time);
    `zone` is where the event happened, the zone of clock times without a zone word.
    Returns the default "days" interval when nothing is found, and None only when
    there is no publication time and nothing absolute (a date with a year) in the text.
    """
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)  # stored naive times are UTC
    paragraphs = [p for p in text.splitlines() if p.strip() and not CAPTION.search(p.strip())]
    lead = "\n".join(lead_paragraphs(text))
    for scope in (lead, "\n".join(paragraphs)):
        found = _scan(scope, published, zone)
        if found:
            result = _combine(found, published, zone)
            if result is not None:
                return result
    if published is None:
        return None
    end = published.astimezone(UTC)
    return EventTime(start=end - DEFAULT_WINDOW, end=end, precision="days", phrase=None)


def lead_paragraphs(text: str) -> list[str]:
    """The lead: the first LEAD_PARAGRAPHS paragraphs, more while under LEAD_CHARS in all.

    Photo captions are skipped; a lead without paragraph breaks is cut at the first
    sentence end after LEAD_CHARS, so one long line does not count as a short lead.
    """
    lead: list[str] = []
    total = 0
    for line in text.splitlines():
        paragraph = line.strip()
        if not paragraph or CAPTION.search(paragraph):
            continue
        if len(lead) >= LEAD_PARAGRAPHS and total + len(paragraph) > LEAD_CHARS:
            break
        lead.append(paragraph)
        total += len(paragraph) + 1
        if total > LEAD_CHARS:
            break
    if lead and total > LEAD_CHARS:
        cut = lead[-1].find(". ", max(0, LEAD_CHARS - (total - len(lead[-1]) - 1)))
        lead[-1] = lead[-1][: cut + 1] if cut != -1 else lead[-1]
    return lead


MONTH_PERIOD = re.compile(
    rf"(?i:\b(?:in|since|during|until|through|from|by|of|early|late|mid|earlier|later)\s+"
    rf"(?:(?P<mod>early|late|mid)[- ]+)?)(?P<mon>{_MONTH})\b(?!\.?\s*\d{{1,2}}\b)"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
)
OTHER_PERIOD = re.compile(
    r"(?i)\b(?:last|previous|past)\s+(?:week|month|year|weekend|summer|autumn|fall|winter"
    r"|spring)\b|\bearlier\s+(?:this|that|in\s+the)\s+(?:week|month|year)\b"
    r"|\b(?:weeks|months|years)\s+(?:ago|earlier|before)\b|\bin\s+(?:19|20)\d\d\b"
)


def period_mentioned(
    sentence: str, published: datetime | None, zone: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """The period a sentence's own time words point at (a day, or part of a month), if any.

    So "In December, the country tested cruise missiles" can be told apart from the
    launch a January report is about: facts come only from sentences about this launch.
    Statement days ("said Monday") are not counted; a sentence pointing at "last month"
    or "years ago" gives an interval ending well before publication.
    """
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    if published is not None and OTHER_PERIOD.search(sentence):
        far = published - timedelta(days=7)
        return far - timedelta(days=365), far
    text = mask_stamps(sentence)
    local_today = published.astimezone(zone).date() if published is not None else None
    anchor = next((a for a in _anchors(text, local_today) if not a.reporting), None)
    if anchor is not None:
        return _utc_days(anchor.day, anchor.day + timedelta(days=1), zone)
    m = MONTH_PERIOD.search(text)
    if m is None or local_today is None:
        return None
    month = MONTHS[m.group("mon")[:3].lower()]
    year = int(m.group("year")) if m.group("year") else local_today.year
    if not m.group("year") and month > local_today.month:
        year -= 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    first, stop = {
        "early": (date(year, month, 1), date(year, month, 11)),
        "mid": (date(year, month, 10), date(year, month, 21)),
        "late": (date(year, month, 20), next_month),
    }.get((m.group("mod") or "").lower(), (date(year, month, 1), next_month))
    return _utc_days(first, stop, zone)


def _utc_days(first: date, stop: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight of `stop`) in UTC."""
    return (
        datetime.combine(first, time(), tzinfo=zone).astimezone(UTC),
        datetime.combine(stop, time(), tzinfo=zone).astimezone(UTC),
    )


def mask_stamps(text: str) -> str:
    """`text` with byline stamps, update times and dateline dates blanked out (same length).

    They say when the text was written; read as event times they moved launches by the
    hours between a launch and its report.
    """
    chars = list(text)

    def blank(start: int, end: int) -> None:
        chars[start:end] = " " * (end - start)

    for m in STAMPS.finditer(text):
        blank(*m.span())
    for m in DATELINE.finditer(text):
        blank(*m.span("date"))
    masked = "".join(chars)
    # a line that was nothing but a stamp, a dated byline or a bare date goes altogether
    offset = 0
    for line in masked.split("\n"):
        changed = line != text[offset : offset + len(line)]
        if line.strip() and (changed or YEAR_DATE.search(line)):
            rest = STAMP_WORDS.sub(" ", YEAR_DATE.sub(" ", line))
            if len(re.findall(r"[^\W\d_]{2,}", rest)) <= (3 if changed else 0):
                blank(offset, offset + len(line))
        offset += len(line) + 1
    return "".join(chars)


def _scan(text: str, published: datetime | None, zone: ZoneInfo) -> _Found:
    text = mask_stamps(text)
    clocks = _clocks(text)
    # A weekday that belongs to a clock in another zone ("2135 GMT Saturday") is not a
    # local day: blank those clocks out before looking for day anchors.
    masked = text
    for clock in clocks:
        if clock.zone is not None and str(clock.zone) != str(zone):
            masked = masked[: clock.start] + " " * (clock.end - clock.start) + masked[clock.end :]
    local_today = published.astimezone(zone).date() if published is not None else None
    anchors = _anchors(masked, local_today, _quoted_spans(masked))
    taken = [(a.start, a.start + len(a.phrase)) for a in anchors]
    parts = tuple(
        # "pre-dawn" and "in the early hours" both mean "early"
        _Part(
            m.start(),
            _part_name(m.group("mod") or m.group("mod2"), m.group("part") or "hours"),
            m.group(),
        )
        for m in STANDALONE_PART.finditer(masked)
        if not any(s <= m.start() < e for s, e in taken)
    )
    return _Found(anchors, parts, clocks)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in QUOTED.finditer(text)]


def _anchors(
    text: str, local_today: date | None, quoted: Sequence[tuple[int, int]] = ()
) -> tuple[_Anchor, ...]:
    """Day anchors in text order; each resolved to a local calendar date.

    Relative words inside quotation marks ("today's launching drill", in a statement
    quoted a day later) belong to the speaker's day, which the text does not give: they
    are skipped.
    """
    found: list[_Anchor] = []
    spans: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(s < m.end() and m.start() < e for s, e in spans)

    def reporting(m: re.Match[str]) -> bool:
        """The day something was said ("said Monday", "On Monday, KCNA said"), not "Sunday's
        drill", which names the day of the drill even after "said"."""
        if re.match(r"['’]s\b", text[m.end() : m.end() + 3]) or m.group().endswith(("'s", "’s")):
            return False
        if REPORTING_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            return True
        if not CLAUSE_START.search(text[max(0, m.start() - 30) : m.start()]):
            return False
        after = text[m.end() : m.end() + 100]
        return bool(REPORTING_AFTER.match(after)) and not LAUNCH_VERB_AFTER.match(after)

    for pattern in (DATE_MONTH_FIRST, DATE_DAY_FIRST):
        for m in pattern.finditer(text):
            day = _explicit_date(m, local_today)
            if day is not None and free(m):
                spans.append(m.span())
                found.append(_Anchor(m.start(), day, None, m.group(), reporting(m)))
    if local_today is not None:
        for m in WEEKDAY_ANCHOR.finditer(text):
            if free(m):
                spans.append(m.span())
                day = _weekday_on_or_before(_weekday_index(m.group("wd")), local_today)
                part = _part_name(m.group("mod"), m.group("part"))
                found.append(_Anchor(m.start(), day, part, m.group(), reporting(m)))
        for m in RELATIVE_ANCHOR.finditer(text):
            if not free(m):
                continue
            spans.append(m.span())
            if any(s <= m.start() < e for s, e in quoted):
                continue
            back, part, chained = RELATIVE_DAYS[m.group("rel").lower()]
            base = local_today
            if chained:  # "said Monday it had fired ... the previous day"
                before = [a for a in found if a.start < m.start()]
                base = max(before, key=lambda a: a.start).day if before else local_today
            part = _part_name(m.group("mod"), m.group("part") or part)
            found.append(
                _Anchor(m.start(), base - timedelta(days=back), part, m.group(), reporting(m))
            )
    return tuple(sorted(found, key=lambda a: a.start))


def _explicit_date(m: re.Match[str], local_today: date | None) -> date | None:
    month = MONTHS[m.group("mon")[:3].lower()]
    year = int(m.group("year")) if m.group("year") else None
    if year is None:
        if local_today is None:
            return None
        year = local_today.year
        try:
            if date(year, month, int(m.group("day"))) > local_today + DATE_FUTURE_LIMIT:
                year -= 1
        except ValueError:
            return None
    try:
        return date(year, month, int(m.group("day")))
    except ValueError:
        return None


def _clocks(text: str) -> tuple[_Clock, ...]:
    """Clock times in text order, each with its zone word and approximation, if any."""
    found: list[_Clock] = []
    for pattern in (CLOCK_12H, CLOCK_MILITARY, CLOCK_24H):
        for m in pattern.finditer(text):
            if any(c.start < m.end() and m.start() < c.end for c in found):
                continue
            hour, minute = int(m.group("h")), int(m.group("m") or 0)
            if "ap" in m.groupdict() and m.group("ap"):
                hour = hour % 12 + (12 if m.group("ap").lower() == "p" else 0)
            end, zone, weekday = m.end(), None, None
            suffix = ZONE_SUFFIX.match(text, m.end())
            if suffix:
                end, zone = suffix.end(), ZONES[suffix.group("zone")]
                wd = suffix.group("wd1") or suffix.group("wd2")
                weekday = _weekday_index(wd) if wd and zone is not None else None
            approx = bool(APPROX_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
            found.append(
                _Clock(
                    m.start(), end, time(hour, minute), zone, weekday, approx, text[m.start() : end]
                )
            )
    found.sort(key=lambda c: c.start)
    return tuple(found)


def _combine(found: _Found, published: datetime | None, zone: ZoneInfo) -> EventTime | None:
    """Anchor day, then part of day, then clock time: each narrows the one before."""
    # The day a statement was made is never the event's day: a state-media account
    # "said today" describes yesterday's launch.
    anchor = next((a for a in found.anchors if not a.reporting), None)
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
        if _window(day, part, zone)[0] > published:
            day -= timedelta(days=1)
    window = _window(day, part, zone) if day is not None else None
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


def _place_clock(
    clock: _Clock,
    window: tuple[datetime, datetime] | None,
    published: datetime | None,
    zone: ZoneInfo,
) -> datetime | None:
    """The instant a clock time names: inside the anchor window, never after publication."""
    tz = clock.zone or zone
    if clock.weekday is not None and published is not None:
        days = [_weekday_on_or_before(clock.weekday, published.astimezone(tz).date())]
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


def _window(day: date, part: str | None, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first, last = PARTS_OF_DAY[part] if part else (0, 24)
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


def _part_name(mod: str | None, part: str | None) -> str | None:
    """Modifier + part → a PARTS_OF_DAY key: "early" alone or with morning → early."""
    mod = mod.lower() if mod else None
    part = part.lower() if part else None
    if part == "hours" or (mod == "early" and part in (None, "morning")):
        return "early"
    if mod == "late" and part in (None, "night"):
        return "night"
    return part


def _weekday_index(name: str) -> int:
    return WEEKDAYS.index(name.lower())


def _weekday_on_or_before(weekday: int, day: date) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)
