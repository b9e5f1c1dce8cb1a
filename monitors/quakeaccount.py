"""What kind of account of a shock an earthquake report is, and which sentence says so.

- a `report` of a shock that happened: a sentence naming a shock (`nouns`) with a sign
  that it happened (`happened`: a verb of striking, a magnitude, deaths);
- an aftershock: that sentence names a shock that happened and then, after a word that
  places it later (`follows`: "after the deadly 7.7 quake"), the earlier one: the
  report's shock is the later one, and the earlier one's number is not its magnitude;
- a `follow-up`: the headline or the first sentence names a shock in the words of what
  followed it (`follow_up`: rescue, aid, losses, rebuilding), or names it only after
  such a time word ("a week after the quake"), or dates it before the account ("the
  quake of last week"), or recalls it in a relative clause while telling of something
  else ("the harvest escaped the quake that struck ..."). Its time words date the account, not the
  shock, so it reaches back to the shock it follows.

Evidence comes from the headline and the first lead sentence; later lead sentences count
only when the headline names a shock, since a story about something else that mentions
a quake further down is not a report of one. A shock dated in an earlier year, an
anniversary or a figure of speech (`not_a_shock`) is not a shock that happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from monitors.quakefacts import FULL_WIDTH, first_match

if TYPE_CHECKING:
    from monitors.earthquake import QuakeLexicon

YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# "the strongest since 2011", "desde 1999", "2011年以来": a year compared with, not the date
SINCE = re.compile(
    r"(?:since|desde|depuis|seit|in\s+over|em\s+mais\s+de)\s+(?:(?:\w+\s+){0,2})?$", re.I
)
SINCE_AFTER = re.compile(r"^\s*(?:年)?(?:以来|이후|以降)")


@dataclass(frozen=True)
class Reading:
    evidence: str  # the sentence that convinced the monitor
    account: Literal["report", "follow-up"]
    aftershock: bool
    sentences: tuple[str, ...]  # headline and lead, an earlier shock's phrase blanked out


def read(
    title: str, lead: Sequence[str], lex: QuakeLexicon, published: datetime | None
) -> Reading | None:
    """How the article tells of a shock, or None when it tells of none."""
    named = _names_shock(title, lex, published)
    candidates = [title, *lead] if named else [title, *lead[:1]]
    evidence = _evidence(candidates, lex, published)
    opening = [s for s in (title, *lead[:1]) if _names_shock(s, lex, published)]
    follow_up = next((s for s in opening if _follows_up(s, lex)), None)
    if evidence is None and follow_up is None:
        return None
    chosen = evidence or follow_up or title
    later = _follows_another(chosen, lex)
    sentences = tuple(_blank(s, lex) for s in (title, *lead))
    first = lex.nouns.search(chosen)
    aftershock = later or bool(first and lex.aftershock.fullmatch(first.group()))
    account: Literal["report", "follow-up"] = (
        "follow-up" if follow_up is not None and not later else "report"
    )
    return Reading(chosen, account, aftershock, sentences)


def _names_shock(sentence: str, lex: QuakeLexicon, published: datetime | None) -> bool:
    return bool(
        sentence
        and lex.nouns.search(sentence)
        and not lex.not_a_shock.search(sentence)
        and not _earlier_year(sentence, published)
    )


def _evidence(
    candidates: Sequence[str], lex: QuakeLexicon, published: datetime | None
) -> str | None:
    """The first candidate that tells of a shock that happened; or a headline naming the
    shock ("Japan quake") whose first lead sentence tells what happened."""
    for sentence in candidates:
        if _names_shock(sentence, lex, published) and happened(_blank(sentence, lex), lex):
            return sentence
    title, *lead = candidates
    if (
        _names_shock(title, lex, published)
        and lead
        and not lex.not_a_shock.search(lead[0])
        and happened(lead[0], lex)
        and not _earlier_year(lead[0], published)
    ):
        return title
    return None


def happened(sentence: str, lex: QuakeLexicon) -> bool:
    return bool(lex.happened.search(sentence) or first_match(lex.magnitude, sentence))


def _follows_up(sentence: str, lex: QuakeLexicon) -> bool:
    """Told as what followed the shock: dated before the account ("last week") or recalled
    in a relative clause ("losses from the quake that struck ..."); or, with
    no sign of the shock happening in the sentence itself, in aftermath words or named
    only after a word placing the account later ("a week after the quake")."""
    if lex.earlier.search(sentence) or lex.recalled.search(sentence):
        return True
    if happened(_blank(sentence, lex), lex):
        return False  # a report of the shock itself, whatever followed
    if lex.follow_up.search(sentence):
        return True
    phrase = lex.follows.search(sentence)
    first = lex.nouns.search(sentence)
    return bool(phrase and first and first.start() >= phrase.start())


def _follows_another(sentence: str, lex: QuakeLexicon) -> bool:
    """A shock that happened, then an earlier one after a `follows` word."""
    for phrase in lex.follows.finditer(sentence):
        before = sentence[: phrase.start()]
        if lex.nouns.search(before) and happened(before, lex):
            return True
    return False


def _blank(sentence: str, lex: QuakeLexicon) -> str:
    """The sentence with every phrase naming an earlier shock after this one's blanked."""
    for phrase in lex.follows.finditer(sentence):
        if lex.nouns.search(sentence[: phrase.start()]):
            span = phrase.end() - phrase.start()
            sentence = sentence[: phrase.start()] + " " * span + sentence[phrase.end() :]
    return sentence


def _earlier_year(sentence: str, published: datetime | None) -> bool:
    """The sentence dates what it tells in an earlier year: history, not news."""
    if published is None:
        return False
    text = sentence.translate(FULL_WIDTH)
    return any(
        int(found.group()) < published.year
        and not SINCE.search(text[max(0, found.start() - 24) : found.start()])
        and not SINCE_AFTER.match(text[found.end() :])
        for found in YEAR.finditer(text)
    )
