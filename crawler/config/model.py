"""The configuration as typed values: frozen dataclasses holding every default.

A partial config.yaml overrides only what it sets; everything else comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from crawler import __version__
from crawler.errors import UsageError
from monitors.base import MonitorConfig

DEFAULT_USER_AGENT = f"newsmon/{__version__} (+https://github.com/newsmon/newsmon)"


NOTIFY_REASONS = ("new", "update")  # update: the event's facts changed


class ConfigError(UsageError, ValueError):
    """The configuration file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class FeedSource:
    """One URL to poll: an RSS/Atom/RDF/JSON feed or a (news) sitemap."""

    url: str
    kind: str  # "feed" | "sitemap"
    ignore_validators: bool = False


@dataclass(frozen=True)
class Outlet:
    name: str
    sources: tuple[FeedSource, ...]
    interval: timedelta
    fetch_pages: bool = True  # false: keep what the feed itself carries, fetch no page
    # Adaptive polling (set either bound): the interval follows the feed's publishing
    # rate, clamped to [min_interval, max_interval]; `interval` applies until one is known.
    min_interval: timedelta | None = None
    max_interval: timedelta | None = None
    # Its items are lists of other outlets' headlines (Google News and the like): they may
    # join an event through their own headline but never open one.
    aggregator: bool = False


@dataclass(frozen=True)
class FetchSettings:
    """Politeness and limits for every HTTP request newsmon makes."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    max_bytes: int = 10 * 2**20
    retries: int = 2
    retry_backoff: float = 2.0
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    autothrottle: bool = True
    obey_robots: bool = True
    keep_html: bool = False
    max_article_attempts: int = 3
    max_new_per_feed: int = 200
    extraction_workers: int = 2
    # (ip, port) of DNS servers to ask instead of the system resolver; empty: the system's
    dns_servers: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class StorySettings:
    """How alike two articles must be to share a story (see crawler/dedupe.py)."""

    near_duplicate: float = 0.5  # estimated Jaccard of word 5-shingles: a copy
    headline: float = 0.25  # IDF cosine of a headline with a story's headlines: joins it
    headline_merge: float = 0.5  # a headline this close to a second story merges the two
    window: timedelta = timedelta(days=3)  # only stories within this of the article's time


@dataclass(frozen=True)
class NotifyTarget:
    """Where alerts go: any Apprise URL. The URL may hold secrets, so only
    `name` is ever stored or logged."""

    name: str
    url: str = field(repr=False)
    monitors: tuple[str, ...] = ()  # empty: every monitor
    on: tuple[str, ...] = ("new",)

    def wants(self, monitor: str) -> bool:
        return not self.monitors or monitor in self.monitors


@dataclass(frozen=True)
class EventSettings:
    """How events are shown."""

    # Events are titled in this language (a code: en, ko, ja) when one of their reports
    # is written in it; else in the language of their first report.
    title_language: str | None = None


@dataclass(frozen=True)
class DaemonSettings:
    """The daemon's own options: where it serves Prometheus metrics, if anywhere."""

    metrics_port: int | None = None  # None: no metrics endpoint
    metrics_host: str = "127.0.0.1"


@dataclass(frozen=True)
class DisplaySettings:
    """How the reading commands, digests and alerts show events to people."""

    timezone: str = "UTC"  # an IANA name; `--tz` overrides it per command
    atom_entries: int = 50  # an Atom digest keeps this many of the latest events


@dataclass(frozen=True)
class WebSettings:
    """`newsmon serve`: what visitors of the web view may do."""

    # Datasette's SQL box and `?sql=` run any SELECT a visitor types; a recursive one
    # keeps a core busy until the time limit. Off unless the user turns it on.
    allow_sql: bool = False
    sql_time_limit_ms: int = 1000  # every query a page or visitor runs stops after this


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    allow_private_networks: bool
    fetch: FetchSettings
    outlets: tuple[Outlet, ...]
    monitors: tuple[MonitorConfig, ...]
    stories: StorySettings = StorySettings()
    notify: tuple[NotifyTarget, ...] = ()
    events: EventSettings = EventSettings()
    # The file `opml import` and `add` write outlets to (`outlets_file:`); its outlets are
    # part of `outlets` above. None when config.yaml names none.
    outlets_file: Path | None = None
    daemon: DaemonSettings = DaemonSettings()
    display: DisplaySettings = DisplaySettings()
    web: WebSettings = WebSettings()

    def outlet(self, name: str) -> Outlet:
        for outlet in self.outlets:
            if outlet.name.casefold() == name.casefold():
                return outlet
        known = ", ".join(o.name for o in self.outlets)
        raise ConfigError(f"{self.path}: no outlet named {name!r} (known: {known})")

    @property
    def aggregators(self) -> frozenset[str]:
        """Names of the outlets marked `aggregator: true`."""
        return frozenset(o.name for o in self.outlets if o.aggregator)
