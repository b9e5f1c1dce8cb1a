"""What a monitor is: a small protocol and the values it returns.

A monitor looks at one stored article and says whether it reports an event
the monitor watches; if so, the event's kind, the event's own time (resolved
against the publication time, with its precision) and the facts it can
extract. The engine (crawler.events) groups matches into events; monitors
never see the database, the network or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

__all__ = ["ACCOUNTS", "ArticleView", "EventTime", "Match", "Monitor", "MonitorConfig"]


@dataclass(frozen=True)
class MonitorConfig:
    """One `monitors:` block of config.yaml: its name, its type and the type's own options.

    Defined here, not by the engine, so a monitor module depends on nothing but this
    package: the engine reads the block and hands it over.
    """

    name: str
    type: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleView:
    """The parts of a stored article a monitor may read."""

    url: str
    title: str
    text: str
    published: datetime | None  # timezone-aware, in the source's own offset when known
    language: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class EventTime:
    """When the event happened, as precisely as the text allows.

    `start` and `end` are timezone-aware and bound the interval the text
    permits: "around 7:50 a.m. Sunday" (KST) is a few minutes; "Sunday" is
    that whole local day; "early Thursday" is local 00:00-09:00. Two reports
    are compatible when their intervals, widened by a tolerance, overlap.
    """

    start: datetime
    end: datetime
    precision: str  # "minute" | "hour" | "part_of_day" | "day" | "days"
    phrase: str | None = None  # the words it was read from; None when defaulted

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("EventTime bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("EventTime ends before it starts")


ACCOUNTS = ("report", "confirmation", "reaction", "analysis", "follow-up")


@dataclass(frozen=True)
class Match:
    """A monitor's verdict that an article reports an event it watches.

    `account` says what kind of report it is: a direct `report` of the event, the
    actor's own `confirmation` (state media's next-day account of a launch), a
    `reaction` to it (a statement, a condemnation, an emergency meeting, a market move,
    a photo of people watching the news of it), an `analysis` whose subject it is, or a
    `follow-up` (what followed, referring back to it). Later accounts join the event
    they describe even when their own time words date the account rather than the event.

    `opens`: whether the match may open an event of its own. A reaction or an analysis
    does not: it says an event happened without being a report of it, so it waits until
    a report opens the event it fits.
    """

    kind: str  # e.g. "missile_launch"
    time: EventTime | None
    facts: Mapping[str, Any] = field(default_factory=dict)  # JSON-serialisable values
    evidence: str | None = None  # the sentence that convinced the monitor
    account: str = "report"  # one of ACCOUNTS
    fact_evidence: Mapping[str, str] = field(default_factory=dict)  # fact -> its sentence
    opens: bool = True  # False: may join an event, never opens one (it is held until one opens)

    def __post_init__(self) -> None:
        if self.account not in ACCOUNTS:
            raise ValueError(f"account must be one of {ACCOUNTS}, not {self.account!r}")


class Monitor(Protocol):
    """Anything with a name and a `match` method is a monitor."""

    name: str

    def match(self, article: ArticleView) -> Match | None: ...
