"""Facts as an analyst reads them: "Distance: 900 km", not "distance_km: 900".

Monitors name facts for programs (snake_case keys, a unit in the name, seconds); every
human-readable format and the alerts show them through `fact_lines`, with each value in
its unit and, where the reports disagree ("2 missiles" by one outlet, "3" by another),
which outlets said what. JSON keeps the raw keys and values: they are data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler.report.wording import clean, fact_value

# A fact told in words beside its number ("several", "more than 10" beside 3) is keyed
# `<fact>_text`: it is labelled as the fact itself, so the two read as one fact.
WORDS_SUFFIX = "_text"


MAX_OUTLETS_NAMED = 3  # per disputed value; the rest are "+N"


def number(value: float) -> str:
    """900 → "900", 1500 → "1,500", 6.80 → "6.8"."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".removesuffix(".0")
    return f"{int(value):,}"


def duration(seconds: float) -> str:
    """10199 → "2 h 50 min", 2700 → "45 min", 40 → "40 s": minutes are precise enough."""
    if seconds < 60:
        return f"{number(round(seconds))} s"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{number(hours)} h {minutes} min" if minutes else f"{number(hours)} h"


# Unit suffixes of fact keys: the suffix leaves the label and joins the value.
UNITS: dict[str, Callable[[float], str]] = {
    "_km": lambda value: f"{number(value)} km",
    "_m": lambda value: f"{number(value)} m",
    "_seconds": duration,
}
DURATION_SUFFIX = "_seconds"  # "flight_seconds": a span of time, labelled "Flight time"


def fact_label(key: Any) -> str:
    """ "distance_km" → "Distance", "flight_seconds" → "Flight time", "count_text" →
    "Count"."""
    text = clean(key)
    if text.endswith(WORDS_SUFFIX) and len(text) > len(WORDS_SUFFIX):
        text = text[: -len(WORDS_SUFFIX)]
    for suffix in UNITS:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            if suffix == DURATION_SUFFIX and not text.endswith(("time", "duration")):
                text += " time"
            break
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else text


PLACE = "place"  # every monitor's place: a path from broad to narrow, read narrow first


def fact_text(key: Any, value: Any) -> str:
    """A fact's value in its unit ("900 km", "2 h 50 min"); lists item by item; a place
    as it is written, narrow to broad ("Hualien, Taiwan")."""
    if clean(key) == PLACE and isinstance(value, list | tuple):
        return ", ".join(fact_value(part) for part in reversed(value))
    if isinstance(value, list | tuple):
        return ", ".join(fact_text(key, item) for item in value)
    unit = next((f for suffix, f in UNITS.items() if clean(key).endswith(suffix)), None)
    if unit is not None and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return unit(value)
        except (OverflowError, ValueError):  # inf, nan: shown as stored
            pass
    return fact_value(value)


@dataclass(frozen=True)
class FactLine:
    """One fact to show: its label, its best-supported value, and what else was reported."""

    label: str
    value: str
    differ: tuple[tuple[str, str], ...] = ()  # (value, outlets that gave it), when >1 value

    def differ_text(self) -> str:
        """ "3 (Harbor Wire); 2 (Seoul Ledger)", or "" when every report agrees."""
        return "; ".join(f"{value} ({outlets})" for value, outlets in self.differ)


def disputed(value: Any, reported: int) -> bool:
    """Do the reports differ on a fact shown as `value`, given `reported` distinct values?
    Not for a list (missile types): it is the union of what the reports named, one
    report's "ballistic" and another's "hypersonic" add up."""
    return reported > 1 and not isinstance(value, list)


def fact_lines(event: dict[str, Any]) -> list[FactLine]:
    """The event's facts to show, labelled, each with its disagreements (from
    `fact_sources`; a fact and its words form share a label, so they are one fact)."""
    facts = event.get("facts") or {}
    sources = event.get("fact_sources") or {}
    if not isinstance(facts, dict):
        return []
    outlets = _outlets_by_article(event)
    lines = []
    for key, value in facts.items():
        label, text = fact_label(key), fact_text(key, value)
        if not label or not text:
            continue
        options = [
            option
            for other, given in (sources.items() if isinstance(sources, dict) else ())
            if fact_label(other) == label and isinstance(given, list)
            for option in given
            if isinstance(option, dict)
        ]
        differ: tuple[tuple[str, str], ...] = ()
        if disputed(value, len(options)):
            options.sort(key=lambda option: option.get("value") != value)  # shown one first
            differ = tuple(
                (fact_text(key, option.get("value")), _who(option.get("articles"), outlets))
                for option in options
            )
        lines.append(FactLine(label, text, differ))
    return lines


def _outlets_by_article(event: dict[str, Any]) -> dict[Any, str]:
    return {
        article.get("id"): clean(article.get("outlet")) or "unknown outlet"
        for article in event.get("articles") or []
        if isinstance(article, dict)
    }


def _who(article_ids: Any, outlets: dict[Any, str]) -> str:
    """The outlets behind one value, each once: "A, B, C +2"; reports when unknown."""
    ids = article_ids if isinstance(article_ids, list) else []
    names = list(dict.fromkeys(outlets[i] for i in ids if i in outlets))
    if not names:
        return f"{len(ids)} report{'s' if len(ids) != 1 else ''}"
    shown = ", ".join(names[:MAX_OUTLETS_NAMED])
    return f"{shown} +{len(names) - MAX_OUTLETS_NAMED}" if len(names) > MAX_OUTLETS_NAMED else shown
