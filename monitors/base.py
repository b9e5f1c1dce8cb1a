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
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Protocol, get_args

__all__ = [
    "ACCOUNTS",
    "DEFAULT_IDENTITY",
    "Agreement",
    "ArticleView",
    "EventTime",
    "Identity",
    "Match",
    "Monitor",
    "MonitorConfig",
    "MonitorError",
    "Parent",
    "identity_of",
]


class MonitorError(Exception):
    """A monitor cannot be built from what it was given (a bad option, a lexicon that does
    not load). `monitors/` stands alone, so this is its own base; the `newsmon` command
    reports it as a configuration error and exits with `exit_code`."""

    exit_code: ClassVar[int] = 2


@dataclass(frozen=True)
class MonitorConfig:
    """One `monitors:` block of config.yaml: its name, its type and the type's own options.

    Defined here, not by the engine, so a monitor module depends on nothing but this
    package: the engine reads the block and hands it over.
    """

    name: str  # unique; events, digests and alerts name it
    type: str  # a module in monitors/ (`keywords`, `missile_launch`) or any dotted module path
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


Precision = Literal["minute", "hour", "part_of_day", "day", "days"]


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
    precision: Precision
    phrase: str | None = None  # the words it was read from; None when defaulted

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("EventTime bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("EventTime ends before it starts")


Account = Literal["report", "confirmation", "reaction", "analysis", "follow-up"]
ACCOUNTS: tuple[Account, ...] = get_args(Account)


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
    account: Account = "report"
    fact_evidence: Mapping[str, str] = field(default_factory=dict)  # fact -> its sentence
    opens: bool = True  # False: may join an event, never opens one (it is held until one opens)

    def __post_init__(self) -> None:
        if self.account not in ACCOUNTS:
            raise ValueError(f"account must be one of {ACCOUNTS}, not {self.account!r}")


@dataclass(frozen=True)
class Agreement:
    """How two reports' values of one fact must relate for the reports to be one event.

    - `equal`: the same value ("North Korea" and "North Korea");
    - `within`: places and other hierarchies, written as paths from broad to narrow:
      one path is a prefix of the other (("Taiwan",) and ("Taiwan", "Hualien County")
      agree; ("Japan", "Honshu") and ("Indonesia", "Sumatra") do not);
    - `near`: numbers at most `tolerance` apart (agencies' magnitudes differ by tenths).
    """

    rule: Literal["equal", "within", "near"] = "equal"
    tolerance: float = 0.0

    def agrees(self, a: Any, b: Any) -> bool:
        if self.rule == "within":
            x, y = _path(a), _path(b)
            shorter = min(len(x), len(y))
            return bool(x and y) and x[:shorter] == y[:shorter]
        if self.rule == "near" and _is_number(a) and _is_number(b):
            return abs(float(a) - float(b)) <= self.tolerance + 1e-9
        return _folded(a) == _folded(b)


MergeRule = Literal["majority", "union", "max", "most_precise"]


@dataclass(frozen=True)
class Parent:
    """An event that follows another of the same monitor and is linked to it, not merged
    (an aftershock and its main shock): the flag fact that marks the follower, the facts
    that must agree with the earlier event, how long before it the earlier one may be,
    and the fact that picks among several (the largest wins)."""

    flag: str
    agree: tuple[str, ...]
    window: timedelta
    rank: str | None = None


@dataclass(frozen=True)
class Identity:
    """What makes two reports one event: declared by each monitor, applied by the engine.

    `agree`: facts that must agree when both reports state them; when the two share
    none of them (one states no place, say), the headlines must be at least
    `min_similarity` alike;
    `time_tolerance`: how far apart two reports' event-time intervals may be;
    `undated_window`: the interval of a report that names no time, before publication;
    `confirmation_lag`: how long after the event the actor's own account comes;
    `merge`: how each fact's values from several reports make the event's value
    (`majority`; `union` for lists, the default for them; `max` for counts that grow;
    `most_precise` for places: the deepest path the reports support);
    `one_of`: groups of facts that are one quantity told two ways ("3" and "several"):
    the event shows the largest, a number winning a tie;
    `lists_to_open`: how many independent headline lists that agree open an event when
    no report has; `parent`: how a follower event is linked to an earlier one (a report
    flagged as a follower and an event that is not, or the reverse, are never one event);
    `follow_up_reach`: how long before its publication a `follow-up` account (what
    followed the event: rescue, losses) may find the event it follows, since its own time
    words date the account;
    `undated_checks_facts`: when the report's time or the event's is known only to days
    (no time word: the days before publication), a report stating a fact its event
    lacks (a magnitude, where the event knows only a country) joins only when the
    headlines are `min_similarity` alike; a monitor that tells follow-ups and
    aftershocks from fresh reports itself may turn it off.
    """

    agree: Mapping[str, Agreement] = field(
        default_factory=lambda: MappingProxyType({"place": Agreement("within")})
    )
    time_tolerance: timedelta = timedelta(hours=3)
    undated_window: timedelta = timedelta(days=2)
    min_similarity: float = 0.0
    confirmation_lag: timedelta = timedelta(0)
    merge: Mapping[str, MergeRule] = field(default_factory=lambda: MappingProxyType({}))
    one_of: tuple[tuple[str, ...], ...] = ()
    lists_to_open: int = 2
    parent: Parent | None = None
    follow_up_reach: timedelta = timedelta(0)
    undated_checks_facts: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_similarity <= 1.0:
            raise ValueError("min_similarity must be between 0 and 1")
        if self.lists_to_open < 2:
            raise ValueError("lists_to_open must be at least 2: one list alone opens nothing")


DEFAULT_IDENTITY = Identity()


class Monitor(Protocol):
    """Anything with a name and a `match` method is a monitor. It may declare an
    `identity` (see Identity); without one, reports agree on `place`."""

    name: str

    def match(self, article: ArticleView) -> Match | None: ...


def identity_of(monitor: Any) -> Identity:
    """The monitor's declared identity, or the default."""
    identity = getattr(monitor, "identity", None)
    return identity if isinstance(identity, Identity) else DEFAULT_IDENTITY


def _path(value: Any) -> tuple[object, ...]:
    if isinstance(value, list | tuple):
        return tuple(_folded(v) for v in value)
    return (_folded(value),)


def _folded(value: Any) -> object:
    return value.casefold().strip() if isinstance(value, str) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
