"""Dates as feeds and pages write them, read into aware datetimes.

A shared leaf: feeds, pages and the article record all read publication times, and
each must agree on what "Seg, 24 Set 2018 19:42:40 -0300" or a date without a zone
means.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime

from feedparser.datetimes import _parse_date as _feedparser_date

from crawler.untrusted import MAX_DATE

# RFC 822 dates written with local month names (UOL: "Seg, 24 Set 2018 19:42:40 -0300").
LOCAL_MONTHS = {
    "jan": "Jan",
    "janv": "Jan",
    "ene": "Jan",
    "gen": "Jan",
    "jän": "Jan",
    "fev": "Feb",
    "févr": "Feb",
    "fevr": "Feb",
    "feb": "Feb",
    "mar": "Mar",
    "mars": "Mar",
    "mär": "Mar",
    "abr": "Apr",
    "avr": "Apr",
    "apr": "Apr",
    "mai": "May",
    "may": "May",
    "mag": "May",
    "jun": "Jun",
    "juin": "Jun",
    "giu": "Jun",
    "jul": "Jul",
    "juil": "Jul",
    "lug": "Jul",
    "ago": "Aug",
    "août": "Aug",
    "aug": "Aug",
    "set": "Sep",
    "sept": "Sep",
    "sep": "Sep",
    "out": "Oct",
    "okt": "Oct",
    "oct": "Oct",
    "ott": "Oct",
    "nov": "Nov",
    "dez": "Dec",
    "dic": "Dec",
    "déc": "Dec",
    "dec": "Dec",
}
_RFC822_LOCAL = re.compile(r"^(?:[^\W\d]+\.?,\s*)?(\d{1,2})\s+([^\W\d]+)\.?\s+(\d{2,4}\s.*)$")


def parse_date(text: str | None) -> datetime | None:
    """RFC 822 or ISO 8601 (W3C-DTF) date text, keeping the source's own offset."""
    if not text or not text.strip() or len(text) > MAX_DATE:
        return None  # no date is that long: the regexes below need not read it
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    local = _RFC822_LOCAL.match(text)
    if local and local.group(2).lower() in LOCAL_MONTHS:
        english = f"{local.group(1)} {LOCAL_MONTHS[local.group(2).lower()]} {local.group(3)}"
        try:
            return email.utils.parsedate_to_datetime(english)
        except (TypeError, ValueError, IndexError):
            pass
    parsed = _feedparser_date(text)  # the many odd formats feedparser knows (Portuguese days...)
    return utc_from_struct(parsed) if parsed else None


def utc_from_struct(stamp: time.struct_time) -> datetime:
    """feedparser's parsed dates (a struct_time in UTC) as an aware datetime."""
    return datetime(
        stamp.tm_year,
        stamp.tm_mon,
        stamp.tm_mday,
        stamp.tm_hour,
        stamp.tm_min,
        stamp.tm_sec,
        tzinfo=UTC,
    )


def iso_with_offset(value: datetime | None) -> str | None:
    """ISO 8601 with the value's own offset (UTC when it has none)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")
