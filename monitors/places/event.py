"""The place of an event, read from a report's headline and lead.

A report names many places: where it was filed, who reacted, where the event happened.
Each mention is weighed by where it stands (the headline and the first sentence count
most, earlier before later), by the words around it (a preposition or postposition
that ties it to the event raises it; a dateline drops it; a speaking government counts
only when nothing else is named; the country that acts counts a third, a place where the
event was only felt a quarter) and by its distance to the monitor's event words; a
mention the event word names ("quake in Peru") backs its place twice. A
name that may mean several places takes the meaning that shares a country with the
other mentions. The answer is the best-supported place, made narrower by a place inside
it that the report ties to the event nearly as strongly: "Taiwan" in the headline and
"near Hualien" in the lead give Hualien; "Residents of Sapporo" after "a quake hit
northern Japan" does not make the quake Sapporo's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitors.places.cues import Cues, cues_for, dateline_end
from monitors.places.gazetteer import load, preference
from monitors.places.matcher import find
from monitors.places.paths import Place, agree

LEAD_SENTENCES = 3
WEIGHT_TITLE = 3.0
WEIGHT_SENTENCE = (2.0, 1.2, 0.8)
EVENT_CUE = 2.0
ANCHOR_BONUS = 2.0
ANCHOR_REACH = 80  # characters; an event word farther away than this adds nothing
ECHO_FACTOR = 0.25
SPEAKER_WEIGHT = 0.1  # a reacting government: the place only when no other is named
REFINE_SHARE = 0.4  # a narrower place needs this share of the strongest agreeing weight
ORDER_DECAY = 0.15  # each earlier mention in the same text weighs a little more
BEFORE_SPAN = 48  # characters read before a name for its cues, and after it
AFTER_SPAN = 24
CLAUSE_END = re.compile(r"[;:!?.。！？|—–]\s|[;。！？|]")
# "... - The Japan Times", "... | Taipei Times": the outlet a headline list names
OUTLET = re.compile(r"\s[-–—|]\s(?=[^-–—|]{2,40}$)(?!.*\d)")
ACTOR_FACTOR = 0.3  # the country that fires or strikes, not where the shot lands
GOVERNED_FACTOR = 2.0  # "quake in Peru", "terremoto en Perú", "台湾東部で地震"
GOVERNED_GAP = 24  # characters between the event word and its place, cue included


@dataclass(frozen=True)
class Mention:
    """A place as the report wrote it: `where` is "title" or the lead sentence's index."""

    place: Place
    written: str
    where: str | int
    start: int
    end: int
    weight: float
    governed: bool = False  # named by the event word itself ("quake in Peru")


def event_mention(
    title: str,
    sentences: Sequence[str],
    language: str | None,
    anchor: re.Pattern[str] | str | None = None,
) -> Mention | None:
    """The mention that names where the event is, with the text that says so."""
    pattern = re.compile(anchor) if isinstance(anchor, str) else anchor
    found = _mentions(title, sentences, cues_for(language), pattern)
    if not found:
        return None
    chosen = _resolve(found)
    best = max(chosen, key=lambda m: (_support(m.place, chosen), m.weight, len(m.place)))
    # the most specific place that agrees, if the report ties it to the event too
    agreeing = [m for m in chosen if agree(m.place, best.place)]
    strong = REFINE_SHARE * max(m.weight for m in agreeing)
    return max(
        (m for m in agreeing if m.weight >= strong or m is best),
        key=lambda m: (len(m.place), m.weight),
    )


def event_place(
    title: str,
    sentences: Sequence[str],
    language: str | None,
    anchor: re.Pattern[str] | str | None = None,
) -> Place | None:
    """Where the event a report tells of happened, as a path of English names."""
    mention = event_mention(title, sentences, language, anchor)
    return mention.place if mention else None


def mentions(text: str, language: str | None = None) -> list[Mention]:
    """Every place named in one text, each weighed as event_place weighs a headline."""
    return _resolve(_mentions(text, (), cues_for(language), None))


@dataclass(frozen=True)
class _Candidate:
    places: tuple[Place, ...]  # what the name may mean, most likely first
    written: str
    where: str | int
    start: int
    end: int
    weight: float
    governed: bool = False


def _mentions(
    title: str,
    sentences: Sequence[str],
    cues: tuple[Cues, ...],
    anchor: re.Pattern[str] | None,
) -> list[_Candidate]:
    texts: list[tuple[str | int, str, float]] = [("title", title or "", WEIGHT_TITLE)]
    texts += [
        (i, text or "", WEIGHT_SENTENCE[i]) for i, text in enumerate(sentences[:LEAD_SENTENCES])
    ]
    found = []
    for where, text, base in texts:
        skip = dateline_end(text)
        stop = _outlet_start(text) if where == "title" else len(text)
        anchors = [m.span() for m in anchor.finditer(text)] if anchor else []
        order = 0
        for start, end, places in _named(text, cues):
            if start < skip or start >= stop:
                continue
            own = tuple(cue for cue in cues if cue.script.match(text, start))
            weight = _weigh(text, start, end, own)
            if anchors:
                weight += ANCHOR_BONUS * _nearness(text, start, end, anchors)
            if _acts(text, end, own):
                weight *= ACTOR_FACTOR
            weight *= base / (1 + ORDER_DECAY * order)
            order += 1
            governed = bool(anchors) and _governed(text, start, end, anchors, own)
            found.append(_Candidate(places, text[start:end], where, start, end, weight, governed))
    return found


def _named(text: str, cues: tuple[Cues, ...]) -> list[tuple[int, int, tuple[Place, ...]]]:
    """(start, end, what it may mean) of every place name in a text, in text order."""
    gazetteer = load()
    named = []
    for hit in find(text):
        entries = sorted((gazetteer.entries[i] for i in hit.entries), key=preference, reverse=True)
        named.append((hit.start, hit.end, tuple(dict.fromkeys(e.path for e in entries))))
    for cue in cues:
        if cue.abbreviation is None:
            continue
        for found in cue.abbreviation.finditer(text):
            taken = any(s <= found.start() < e for s, e, _ in named)
            if not taken:
                named.append((found.start(), found.end(), (cue.abbreviations[found.group()],)))
    return sorted(named, key=lambda item: item[0])


def _outlet_start(title: str) -> int:
    """Where a headline's trailing outlet name begins ("... - The Japan Times")."""
    found = OUTLET.search(title)
    return found.start() if found else len(title)


def _acts(text: str, end: int, cues: tuple[Cues, ...]) -> bool:
    """Whether the place is the one who acts ("North Korea fired"), not where it happened."""
    after = text[end : end + AFTER_SPAN]
    return any(cue.actor_after and cue.actor_after.match(after) for cue in cues)


def _nearness(text: str, start: int, end: int, anchors: list[tuple[int, int]]) -> float:
    """1 beside an event word, 0 from ANCHOR_REACH characters or past a clause's end."""
    best = 0.0
    for a_start, a_end in anchors:
        gap = text[end:a_start] if a_start >= end else text[a_end:start]
        if CLAUSE_END.search(gap):
            continue
        best = max(best, 1 - len(gap) / ANCHOR_REACH)
    return best


def _governed(
    text: str, start: int, end: int, anchors: list[tuple[int, int]], cues: tuple[Cues, ...]
) -> bool:
    """Whether the event word itself names the place, through nothing but a cue between
    them: "quake in Peru", "earthquake strikes off Honshu", "台湾東部で地震". A place the
    same headline names elsewhere ("video filmed in Colombia") is only near the word."""
    for a_start, a_end in anchors:
        if a_end <= start and start - a_end <= GOVERNED_GAP:
            gap = text[a_end:start]
            cued = any(c.event_before and c.event_before.search(gap) for c in cues)
        elif a_start >= end and a_start - end <= GOVERNED_GAP:
            gap = text[end:a_start]
            cued = any(c.event_after and c.event_after.match(gap) for c in cues)
        else:
            continue
        if cued and not CLAUSE_END.search(gap):
            return True
    return False


def _weigh(text: str, start: int, end: int, cues: tuple[Cues, ...]) -> float:
    """A mention's weight from its neighbours: a cue ties it to the event or to a speaker."""
    before = text[max(0, start - BEFORE_SPAN) : start]
    after = text[end : end + AFTER_SPAN]
    for cue in cues:
        if (cue.speaker_before and cue.speaker_before.search(before)) or (
            cue.speaker_after and cue.speaker_after.match(after)
        ):
            return SPEAKER_WEIGHT
    weight = 1.0
    for cue in cues:
        if (cue.echo_before and cue.echo_before.search(before)) or (
            cue.echo_after and cue.echo_after.match(after)
        ):
            return weight * ECHO_FACTOR
    for cue in cues:
        if (cue.event_before and cue.event_before.search(before)) or (
            cue.event_after and cue.event_after.match(after)
        ):
            return weight + EVENT_CUE
    return weight


def _resolve(found: list[_Candidate]) -> list[Mention]:
    """Each name's meaning: the one the other mentions agree with most, else the likeliest."""
    resolved = []
    for candidate in found:
        others = [other for other in found if other is not candidate]

        def backing(place: Place, others: list[_Candidate] = others) -> float:
            # sharing a country is what tells Georgia the state from Georgia the country
            return sum(o.weight for o in others if any(place[0] == p[0] for p in o.places))

        place = max(
            candidate.places,
            key=lambda p: (backing(p), -candidate.places.index(p)),
        )
        resolved.append(
            Mention(
                place,
                candidate.written,
                candidate.where,
                candidate.start,
                candidate.end,
                candidate.weight,
                candidate.governed,
            )
        )
    return resolved


def _support(place: Place, chosen: list[Mention]) -> float:
    """What backs a place against the others: a mention the event word names counts
    twice. (Within the place chosen, narrowing weighs mentions as written.)"""
    return sum(
        m.weight * (GOVERNED_FACTOR if m.governed else 1.0) for m in chosen if agree(place, m.place)
    )
