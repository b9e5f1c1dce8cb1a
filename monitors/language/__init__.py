"""Language machinery shared by every monitor: one data file per language, no event's words.

Why a room of its own: reading a report's time, its numbers and its terms is the same
work for a missile launch, an earthquake or a strike; only the words of each
language differ, and they live in `monitors/language/<code>.yaml` (docs/languages.md
lists the keys). Nothing here knows any monitor: a monitor passes its own event words
(`EventWords`) and the zone of the event's place.

The API a monitor uses:

- `rules_for(language, text)`: the `Language` to read a text with (declared language
  when the text's script agrees, else by script).
- `term_pattern(term)` / `find_term(term, text)`: a term as its script is written
  (Latin whole words, CJK substrings, Korean with particles).
- `quantities(text, language)`: numbers with units (10 km, 1,200 miles, 3천 km), with
  values converted to the unit's base (`convert` for another unit).
- `resolve_event_time(text, published, zone, rules, event)`: the event's time.
"""

from __future__ import annotations

from monitors.language.numbers import NumberWords, Quantity, find_quantities, parse_number
from monitors.language.rules import (
    DEFAULT_LANGUAGE,
    FOLDER,
    Language,
    choose,
    languages,
    load_language,
    primary,
    rules_for,
)
from monitors.language.terms import find_term, term_pattern
from monitors.language.timeexpr import period_mentioned, resolve_event_time
from monitors.language.timerules import EventWords, TimeRules

__all__ = [
    "DEFAULT_LANGUAGE",
    "FOLDER",
    "EventWords",
    "Language",
    "NumberWords",
    "Quantity",
    "TimeRules",
    "choose",
    "convert",
    "find_term",
    "languages",
    "load_language",
    "parse_number",
    "period_mentioned",
    "primary",
    "quantities",
    "resolve_event_time",
    "rules_for",
    "term_pattern",
]


def quantities(text: str, language: str | Language = DEFAULT_LANGUAGE) -> tuple[Quantity, ...]:
    """Every number with a unit right after it in `text`, read with `language`'s words."""
    rules = language if isinstance(language, Language) else languages()[primary(language)]
    return find_quantities(text, rules.numbers)


def convert(quantity: Quantity, unit: str, language: str | Language = DEFAULT_LANGUAGE) -> float:
    """`quantity` in another unit of the same base ("km" → "miles"); ValueError otherwise."""
    rules = language if isinstance(language, Language) else languages()[primary(language)]
    known = rules.numbers.factor(unit)
    if known is None or known[0] != quantity.base:
        raise ValueError(f"cannot express {quantity.text!r} in {unit!r}")
    return quantity.base_value / known[1]
