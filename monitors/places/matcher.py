"""Every gazetteer name found in a text, in one pass, by the rules of its script.

One Aho-Corasick automaton holds all names (lower-cased, as UTF-8 bytes), built once
on first use. A
hit is kept by the rules of the name's script: a Latin name stands as a whole word and
begins with a capital as written ("Nice" the city, not "nice"; "US", never "us"); a
Japanese or Chinese name is a run of characters inside any text; a Korean name starts a
word and may carry a particle or a place word after it (대만에서, 화롄현, 일본 정부); a
katakana name is a whole katakana run (トラン is not in トランプ).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import ahocorasick

from monitors.places.gazetteer import names

HANGUL = re.compile(r"[\uac00-\ud7af]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
KATAKANA = re.compile(r"[\u30a0-\u30ff\uff66-\uff9f]")
# what may follow a Korean place name inside its word: particles, then nouns that
# compound with a place (동부 east, 앞바다 offshore, 정부 government, 기상청 weather agency)
KOREAN_TAILS = re.compile(
    r"(?:(?:동|서|남|북|중|남동|북동|남서|북서)(?:부|쪽)?|앞바다|해역|연안|근해|인근|일대|전역|"
    r"현|시|섬|도|군|주|성|상|정부|당국|측|산|발|내|기상청|외무성|외교부|국방부|군대?|에서|에선)?"
    r"(?:은|는|이|가|을|를|의|에|에서|에선|에는|에도|로|으로|와|과|도|만|까지|부터|서|과의|와의|이며|며)?$"
)


# a key's value packs its length, how it must be written, and which places it may mean
CAPITAL, CAPITALS = 1, 2
LENGTH_BITS, FLAG_BITS = 8, 2
MANY = 1 << 20  # the place number is an index into the table of shared names (value < 2**31)


@dataclass(frozen=True, slots=True)
class Hit:
    """A name found at text[start:end]; `entries` are the gazetteer places it may mean."""

    start: int
    end: int
    entries: tuple[int, ...]


@functools.cache
def automaton() -> tuple[ahocorasick.Automaton[int], tuple[tuple[int, ...], ...]]:
    """The automaton over every name, and the places of names that mean several."""
    machine = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    shared: list[tuple[int, ...]] = []
    for name, entries in names():
        key = _bytes(_lower(name))
        if len(key) >= 1 << LENGTH_BITS:
            continue
        if len(entries) == 1:
            place = entries[0]
        else:
            place = MANY | len(shared)
            shared.append(entries)
        machine.add_word(key, (place << FLAG_BITS | _flags(name)) << LENGTH_BITS | len(key))
    machine.make_automaton()
    return machine, tuple(shared)


def find(text: str) -> list[Hit]:
    """The place names in a text, longest first where they overlap, in text order."""
    machine, shared = automaton()
    hits = []
    encoded = _bytes(_lower(text))
    ascii_only = len(encoded) == len(text)
    for end_index, value in machine.iter(encoded):
        length = value & ((1 << LENGTH_BITS) - 1)
        flags = value >> LENGTH_BITS & ((1 << FLAG_BITS) - 1)
        place = value >> (LENGTH_BITS + FLAG_BITS)
        start, end = end_index - length + 1, end_index + 1
        if not ascii_only:  # UTF-8 keeps a whole key on character boundaries
            start = len(encoded[:start].encode("latin-1").decode("utf-8"))
            end = start + len(encoded[end_index - length + 1 : end].encode("latin-1").decode())
        if _stands(text, start, end, flags):
            entries = shared[place & ~MANY] if place & MANY else (place,)
            hits.append(Hit(start, end, entries))
    hits.sort(key=lambda hit: (hit.start - hit.end, hit.start))
    kept: list[Hit] = []
    for hit in hits:
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda hit: hit.start)


def _flags(name: str) -> int:
    letters = name.replace(".", "")
    if letters.isupper() and len(letters) <= 3:
        return CAPITALS
    return CAPITAL if name[0].isupper() else 0


def _bytes(text: str) -> str:
    """The text's UTF-8 bytes, one character each: the automaton then walks an alphabet of
    256 symbols, not tens of thousands, and runs several times faster."""
    return text.encode("utf-8").decode("latin-1")


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _stands(text: str, start: int, end: int, flags: int) -> bool:
    first, last = text[start], text[end - 1]
    if LATIN.match(first) or LATIN.match(last):
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isalnum() or after.isalnum():
            return False
        if flags == CAPITALS:
            return text[start:end].isupper()
        return flags != CAPITAL or first.isupper()
    if KATAKANA.match(first) or KATAKANA.match(last):
        # a katakana run is one word: トラン is not in トランプ
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        return not (KATAKANA.match(before) or KATAKANA.match(after))
    if HANGUL.match(first):
        if start and HANGUL.match(text[start - 1]):
            return False
        tail_end = end
        while tail_end < len(text) and HANGUL.match(text[tail_end]):
            tail_end += 1
        return KOREAN_TAILS.match(text, end, tail_end) is not None
    return True
