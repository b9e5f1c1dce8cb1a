"""Day words in news prose: which calendar day each names, and whose day it is.

Why a module of its own: a day word is the hardest part of an event time. "Sunday",
"28일", "２８日" name a day; "yesterday", "어제", "昨日" count back from publication;
"the previous day", "전날", "前日" count back from the day named before; and whose day
it is decides whether it counts: "said Monday", "29일 밝혔다", "통신は29日、" date a
statement, not the event. `monitors.language.timeexpr` combines the anchors found here
with parts of the day and clock times. The words are per language
(`monitors.language.timerules`); the words of the event, if any, come from the monitor
(`EventWords`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from monitors.language.timerules import NO_EVENT_WORDS, EventWords, TimeRules

__all__ = ["Anchor", "anchors", "month_number", "part_name", "pick", "weekday_on_or_before"]

DATE_FUTURE_LIMIT = timedelta(days=1)  # an explicit date may be at most this after publication
EVENT_AFTER_CHARS = 80  # how far after a day word its clause may name the event
SPEAKER_CHARS = 30  # how far before a day word its speaker ("통신은") may be
ANY_SENTENCE_BREAK = re.compile(r"[.!?。！？](?!\d)")
TIME_GAP = re.compile(r"\s*(?:\([^)]{0,12}\)\s*)?")  # "28일(일) 오전": between a day and its time


@dataclass(frozen=True)
class Anchor:
    """A day the text names, as a local calendar date, maybe with a part of day."""

    start: int
    day: date
    part: str | None
    phrase: str
    reporting: bool  # "said Monday": the day of a statement, not of the event
    eventful: bool = False  # its clause names the event ("28일 ... 발사했다")
    clocked: bool = False  # ... and a clock follows it ("전날 오전 8시께 ... 발사된")
    zone: tzinfo | None = None  # its own zone word ("Monday night ET"); None: the event's


def anchors(
    text: str,
    local_today: date | None,
    rules: TimeRules,
    quoted: Sequence[tuple[int, int]] = (),
    event: EventWords = NO_EVENT_WORDS,
) -> tuple[Anchor, ...]:
    """Day anchors in text order; each resolved to a local calendar date.

    Relative words inside quotation marks ("today's launching drill", in a statement
    quoted a day later) belong to the speaker's day, which the text does not give: they
    are skipped. Where patterns overlap, dates win over weekdays over relative words.
    """
    spans: list[tuple[int, int]] = []
    hits: list[_Hit] = []

    def free(m: re.Match[str]) -> bool:
        return not any(s < m.end() and m.start() < e for s, e in spans)

    for pattern in rules.dates:
        for m in pattern.finditer(text):
            day = _explicit_date(m, local_today, rules)
            if day is not None and free(m):
                spans.append(m.span())
                hits.append(_Hit(m, day, None, None))
    if local_today is not None and rules.weekday is not None:
        for m in rules.weekday.finditer(text):
            weekday = rules.weekdays.get(m.group("wd").lower())
            if weekday is not None and free(m):
                spans.append(m.span())
                groups = m.groupdict()
                part = _known_part(part_name(groups.get("mod"), groups.get("part")), rules)
                hits.append(_Hit(m, weekday_on_or_before(weekday, local_today), part, None))
    if local_today is not None and rules.relative is not None:
        for m in rules.relative.finditer(text):
            if not free(m):
                continue
            spans.append(m.span())
            known = rules.relative_days.get(m.group("rel").lower())
            if known is None or any(s <= m.start() < e for s, e in quoted):
                continue
            groups = m.groupdict()
            part = _known_part(part_name(groups.get("mod"), groups.get("part") or known[1]), rules)
            hits.append(_Hit(m, local_today, part, known))
    hits.sort(key=lambda h: h.m.start())
    found: list[Anchor] = []
    for index, hit in enumerate(hits):
        m, day = hit.m, hit.day
        statement = _said(m, text, rules, event)
        if hit.relative is not None:
            back, _, chained = hit.relative
            said = next((a for a in found if a.reporting), None)
            if chained == "statement" and said is not None:  # "이날", "전날": from the report's day
                day, statement = said.day, statement or back == 0
            elif chained and found:  # "said Monday it had fired ... the previous day"
                day = found[-1].day
            day -= timedelta(days=back)
        explicit = hit.relative is None or hit.relative[0] == 0
        if not statement and explicit and _speaker_day(hits, index, text, rules):
            statement = True
        if found and rules.restatement is not None:
            previous = found[-1]
            if rules.restatement.match(text[previous.start + len(previous.phrase) : m.start()]):
                statement = previous.reporting  # "오늘(29일)": the same day, said again
        eventful = _eventful(hits, index, text, rules, event)
        clocked = eventful and _time_follows(text, m.end(), rules, parts=False)
        found.append(Anchor(m.start(), day, hit.part, m.group(), statement, eventful, clocked))
    return tuple(found)


@dataclass(frozen=True)
class _Hit:
    """A day word found, before its meaning is settled by the day words around it."""

    m: re.Match[str]
    day: date  # for a relative word: the publication's local day
    part: str | None
    relative: tuple[int, str | None, bool | str] | None  # its relative_days entry, if any


def _said(m: re.Match[str], text: str, rules: TimeRules, event: EventWords) -> bool:
    """The day something was said ("said Monday", "On Monday, KCNA said", "29일 밝혔다"),
    not "Sunday's drill", which names the day of the drill even after "said"."""
    if rules.possessive_after is not None and (
        rules.possessive_after.match(text[m.end() : m.end() + 3])
        or (rules.possessive_end is not None and rules.possessive_end.search(m.group()))
    ):
        return False
    before = text[max(0, m.start() - 40) : m.start()]
    if rules.statement_before is not None and rules.statement_before.search(before):
        return True
    if rules.clause_start is not None and not rules.clause_start.search(
        text[max(0, m.start() - 30) : m.start()]
    ):
        return False
    if rules.statement_after is None:
        return False
    after = text[m.end() : m.end() + 100]
    named = event.verb_after is not None and event.verb_after.match(after)
    return bool(rules.statement_after.match(after)) and not named


def _speaker_day(hits: Sequence[_Hit], index: int, text: str, rules: TimeRules) -> bool:
    """A date right after the one who speaks ("국방부는 29일 ... 지적했다", "조선중앙통신은
    29일 ... 전날 ... 보도했다") is the day of the statement, unless a time of day follows
    it ("합참은 28일 오전 7시 50분께 북한이 ... 발사했다고 밝혔다") and no other day word
    does in its sentence."""
    m = hits[index].m
    if rules.statement_speaker is None or not rules.statement_speaker.search(
        text[max(0, m.start() - SPEAKER_CHARS) : m.start()]
    ):
        return False
    breaks = rules.sentence_break or ANY_SENTENCE_BREAK
    for later in hits[index + 1 :]:
        between = text[m.end() : later.m.start()]
        if breaks.search(between):
            break
        if not (rules.restatement and rules.restatement.match(between)):
            return True
    return not _time_follows(text, m.end(), rules)


def _eventful(
    hits: Sequence[_Hit], index: int, text: str, rules: TimeRules, event: EventWords
) -> bool:
    """Does the day word's clause, up to the next day word, name the event ("28일 ...
    발사했다")? When the monitor says how (`EventWords.clause`)."""
    if event.clause is None:
        return False
    end = hits[index].m.end()
    stop = hits[index + 1].m.start() if index + 1 < len(hits) else len(text)
    stop = min(stop, end + EVENT_AFTER_CHARS)
    cut = (rules.sentence_break or ANY_SENTENCE_BREAK).search(text, end, stop)
    return bool(event.clause.search(text, end, cut.start() if cut else stop))


def _time_follows(text: str, end: int, rules: TimeRules, *, parts: bool = True) -> bool:
    """Does a clock (or, with `parts`, a part of the day) come right after a day word
    ("28일 오전 7시")?"""
    gap = TIME_GAP.match(text, end)
    at = gap.end() if gap else end
    patterns = [*rules.clocks, *([rules.part] if rules.part and parts else [])]
    return any(p.match(text, at) for p in patterns)


def pick(anchors: Sequence[Anchor]) -> Anchor | None:
    """The anchor that dates the event: not a statement's day; one whose clause names the
    event, with its own clock if there is such a one (the sharper account when two day
    words disagree: "북한이 29일 ... 발사했다" in a text whose officials say "전날 오전
    8시께 ... 발사된 미사일", the day before its publication), else the first."""
    candidates = [a for a in anchors if not a.reporting]
    tests: tuple[Callable[[Anchor], bool], ...] = (
        lambda a: a.eventful and a.clocked,
        lambda a: a.eventful,
    )
    for wanted in tests:
        found = next((a for a in candidates if wanted(a)), None)
        if found is not None:
            return found
    return candidates[0] if candidates else None


def month_number(text: str, rules: TimeRules) -> int | None:
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    key = text.lower()
    return rules.months.get(key) or rules.months.get(key[:3])


def _explicit_date(m: re.Match[str], local_today: date | None, rules: TimeRules) -> date | None:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    day = int(m.group("day"))
    if groups.get("mon") is None:  # "28일": this month, or the last if that is still ahead
        if local_today is None:
            return None
        return _day_of_month(day, year, local_today)
    month = month_number(groups["mon"], rules)
    if month is None:
        return None
    if year is None:
        if local_today is None:
            return None
        year = local_today.year
        try:
            if date(year, month, day) > local_today + DATE_FUTURE_LIMIT:
                year -= 1
        except ValueError:
            return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_of_month(day: int, year: int | None, local_today: date) -> date | None:
    try:
        found = date(year or local_today.year, local_today.month, day)
    except ValueError:
        found = None
    if year is None and (found is None or found > local_today + DATE_FUTURE_LIMIT):
        last_month = local_today.replace(day=1) - timedelta(days=1)
        try:
            found = date(last_month.year, last_month.month, day)
        except ValueError:
            return None
    return found


def part_name(mod: str | None, part: str | None) -> str | None:
    """Modifier + part → a parts_of_day key: "early" alone or with morning → early."""
    mod = mod.lower() if mod else None
    part = part.lower() if part else None
    if part == "hours" or (mod == "early" and part in (None, "morning")):
        return "early"
    if mod == "late" and part in (None, "night"):
        return "night"
    return part


def _known_part(part: str | None, rules: TimeRules) -> str | None:
    return part if part in rules.parts_of_day else None


def weekday_on_or_before(weekday: int, day: date) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)
