"""A place as a path of English names, broad to narrow, and when two paths agree.

("Taiwan", "Hualien") lies inside ("Taiwan",), so reports naming either may tell of one
event; ("Japan", "Honshu") and ("Indonesia", "Sumatera") cannot. Two places agree
when one path is a prefix of the other; an unknown place agrees with nothing and
decides nothing (that is the caller's rule to make).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitors.places.gazetteer import entry_for

Place = tuple[str, ...]


def agree(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when one place lies within the other (or they are the same)."""
    if not a or not b:
        return False
    shorter = min(len(a), len(b))
    return tuple(a[:shorter]) == tuple(b[:shorter])


def shared(a: Sequence[str], b: Sequence[str]) -> Place:
    """The broadest place both lie in: ("Taiwan",) for Hualien and Yilan, () for none."""
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return tuple(out)


def zone_of(place: Sequence[str]) -> str | None:
    """The IANA zone a place keeps its day in: its own, else its nearest region's.

    A country with one zone has it; a country with several (the United States,
    Indonesia) has none, and its regions and cities have theirs.
    """
    for depth in range(len(place), 0, -1):
        entry = entry_for(tuple(place[:depth]))
        if entry is None:
            return None
        if entry.zone:
            return entry.zone
    return None
