"""Numbers and quantities in prose: "five", "1,200", "1 200,5", "3천", "1만2000" and "10 km".

Why: a monitor's facts are often amounts (a magnitude, a depth in km, deaths, a
flight of 1,000 km) written with each language's digits, separators, number words
and multiplier words ("thousand", "千", "만"). The words and separators come from the
language file's `numbers:` section and the units from its `units:` section; the rules
(a number, a multiplier, a unit right after) are the same in every language.
A monitor declares its own patterns ("magnitude", "depth km") on top of these values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitors.lexicon import Section

__all__ = ["NumberWords", "Quantity", "find_quantities", "number_words", "parse_number"]

NUMBER_KEYS = frozenset({"words", "multipliers", "decimal", "group"})
Pattern = re.Pattern[str]


@dataclass(frozen=True)
class Quantity:
    """An amount found in a text: `value` in the unit as written (`unit`, the table's
    key), `base_value` in the unit's base (`base`: "m" for km, miles, feet)."""

    value: float
    unit: str
    base: str
    base_value: float
    start: int
    end: int
    text: str


@dataclass(frozen=True, eq=False)
class NumberWords:
    """One language's numbers: number words, multiplier words, separators, units."""

    words: Mapping[str, int]
    multipliers: Mapping[str, int]
    decimal: str
    group: str
    units: Mapping[str, tuple[str, float]]
    number: Pattern  # one number, with group `num` (digits) or `word`, and `mult`, `rest`
    quantity: Pattern  # a number and a unit right after it: group `unit`

    def factor(self, unit: str) -> tuple[str, float] | None:
        """The base and factor of a unit word (any case), or None."""
        return self.units.get(unit) or self.units.get(unit.lower())


def _alternation(words: Mapping[str, Any]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


def _unit(value: Any) -> tuple[str, float]:
    """`[base unit, factor]`: km is `[m, 1000]`."""
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], str)
        or not isinstance(value[1], int | float)
        or isinstance(value[1], bool)
        or value[1] <= 0
    ):
        raise ValueError(value)
    return value[0], float(value[1])


def _positive(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(value)
    return value


def number_words(numbers: Section, units: Section) -> NumberWords:
    """Validate and compile a language file's `numbers:` and `units:` sections."""
    numbers.check_keys(NUMBER_KEYS)
    words = numbers.table("words", _positive, "a whole number")
    multipliers = numbers.table("multipliers", _positive, "a whole number")
    decimal = numbers.text("decimal", required=False, default=".") or "."
    group = numbers.text("group", required=False, default=",") or ","
    table = {str(k): _unit(v) for k, v in _checked_units(units).items()}
    digits = rf"\d+(?:[{re.escape(group)}]\d{{3}})*(?:{re.escape(decimal)}\d+)?"
    one = rf"(?:(?P<num>{digits})|(?<![^\W\d_])(?P<word>{_alternation(words)})(?![^\W\d_]))"
    mult = rf"(?:\s?(?P<mult>{_alternation(multipliers)})(?:\s?(?P<rest>\d+))?)?"
    number = re.compile(rf"(?<![\d.,]){one}{mult}", re.IGNORECASE)
    unit = rf"\s*(?P<unit>{_alternation(table)})(?![A-Za-z])"
    return NumberWords(
        words=words,
        multipliers=multipliers,
        decimal=decimal,
        group=group,
        units={**{k.lower(): v for k, v in table.items()}, **table},
        number=number,
        quantity=re.compile(number.pattern + unit, re.IGNORECASE),
    )


def _checked_units(units: Section) -> dict[str, Any]:
    out = {}
    for key, value in units.data.items():
        try:
            _unit(value)
        except ValueError:
            raise units.error(str(key), f"expected [base unit, factor], not {value!r}") from None
        out[str(key)] = value
    return out


def parse_number(m: re.Match[str], words: NumberWords) -> float | None:
    """The value of a `NumberWords.number` (or `.quantity`) match."""
    if m.group("num"):
        digits = m.group("num").replace(words.group, "").replace(words.decimal, ".")
        try:
            value = float(digits)
        except ValueError:
            return None
    else:
        value = float(words.words.get(m.group("word")) or words.words[m.group("word").lower()])
    if m.group("mult"):
        mult = words.multipliers.get(m.group("mult")) or words.multipliers[m.group("mult").lower()]
        value = value * mult + (float(m.group("rest")) if m.group("rest") else 0)
    return value


def find_quantities(text: str, words: NumberWords) -> tuple[Quantity, ...]:
    """Every number with a unit right after it, in text order."""
    found = []
    for m in words.quantity.finditer(text):
        value = parse_number(m, words)
        known = words.factor(m.group("unit"))
        if value is None or known is None:
            continue
        base, factor = known
        found.append(Quantity(value, m.group("unit"), base, value * factor, *m.span(), m.group()))
    return tuple(found)
