"""Whether a report and an event may be one event, by the monitor's declared identity.

Each fact the monitor's `Identity.agree` names must agree when both state it (an
actor, a place on its hierarchy, a magnitude within its tolerance); a fact one of them
leaves unstated is `unknown`, and the engine then may ask for headline similarity
(`needs_alike_headlines`). A
follower (the flag of the identity's `parent` rule) and an event that is not one never
agree: the follower is an event of its own, linked to the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitors.base import Identity


@dataclass
class Verdict:
    """How one candidate event compares with a match."""

    event_id: int
    fits: bool
    agreed: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # stated by the report alone
    conflict: str | None = None
    similarity: float = 0.0
    overlap_hours: float = 0.0
    outlets: int = 0
    time_end: str = ""

    def key(self, distance: float) -> tuple[int, float, int, float, int]:
        return (len(self.agreed), self.similarity, self.outlets, -distance, self.event_id)

    def summary(self) -> dict[str, Any]:
        row: dict[str, Any] = {"event": self.event_id, "similarity": round(self.similarity, 3)}
        if self.agreed:
            row["agreed"] = self.agreed
        if self.unknown:
            row["unknown"] = self.unknown
        if self.conflict:
            row["conflict"] = self.conflict
        row["time_overlap_hours"] = round(self.overlap_hours, 2)
        return row


def vague(precision: str | None) -> bool:
    """Whether a time is known only to days: a report naming no time stands for the two
    days before its publication, and an overlap with it says little."""
    return precision == "days"


def needs_alike_headlines(verdict: Verdict, vague_time: bool, identity: Identity) -> bool:
    """Whether the facts alone cannot make a report and an event one, so that their
    headlines must be `min_similarity` alike: when no fact was compared (one side states
    none), and when one side's time is `vague` and the report states a fact the event
    cannot check. An event that knows only a country ("Indonesia") fits every shock of
    that country in those days, and a report of a magnitude 6.1 off Sumatra may be any
    of them. The reverse, a report saying less than its event (a follow-up without the
    magnitude), is the usual case and joins on what it does say.
    (`Identity.undated_checks_facts` turns the second case off.)"""
    if not verdict.agreed:
        return True
    return identity.undated_checks_facts and vague_time and bool(verdict.unchecked)


def compare(event_facts: Any, facts: Any, identity: Identity) -> Verdict:
    verdict = Verdict(event_id=0, fits=True)
    flag = identity.parent.flag if identity.parent else None
    if flag and bool(event_facts.get(flag)) != bool(facts.get(flag)):
        # a follower (an aftershock) is its own event, linked to the one it follows
        verdict.fits = False
        verdict.conflict = (
            f"{flag} differs: {bool(event_facts.get(flag))} vs {bool(facts.get(flag))}"
        )
        return verdict
    for key, agreement in identity.agree.items():
        if key not in event_facts or key not in facts:
            verdict.unknown.append(key)
            if key in facts:
                verdict.unchecked.append(key)
        elif agreement.agrees(event_facts[key], facts[key]):
            verdict.agreed[key] = facts[key]
        else:
            verdict.fits = False
            verdict.conflict = f"{key} differs: {_shown(event_facts[key])} vs {_shown(facts[key])}"
            return verdict
    return verdict


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " / ".join(str(v) for v in value)
    return str(value)
