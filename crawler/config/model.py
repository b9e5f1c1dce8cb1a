"""The configuration as typed values: frozen dataclasses holding every default.

A partial config.yaml overrides only what it sets; everything else comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from crawler import __version__
from crawler.errors import UsageError
from crawler.model import SourceKind
from monitors.base import MonitorConfig

if TYPE_CHECKING:
    from crawler.store.backend import DatabaseURL

DEFAULT_USER_AGENT = f"newsmon/{__version__} (+https://github.com/newsmon/newsmon)"


NOTIFY_REASONS = ("new", "update")  # update: the event's facts changed


class ConfigError(UsageError, ValueError):
    """The configuration file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class FeedSource:
    """One URL to poll: an RSS/Atom/RDF/JSON feed or a (news) sitemap."""

    url: str  # http(s), with a host
    kind: SourceKind
    ignore_validators: bool = (
        False  # for servers that answer 304 wrongly: never send ETag or Last-Modified
    )


@dataclass(frozen=True)
class Outlet:
    """One publisher: a name and the feeds and sitemaps polled for it."""

    name: str  # unique across config.yaml and the outlets file, any case
    sources: tuple[FeedSource, ...]
    interval: timedelta  # how often its feeds are polled (at least 1m)
    fetch_pages: bool = True  # false: keep what the feed itself carries, fetch no page
    # Adaptive polling (set either bound): the interval follows the feed's publishing
    # rate, clamped to [min_interval, max_interval]; `interval` applies until one is known.
    min_interval: timedelta | None = None
    max_interval: timedelta | None = None  # the longest adaptive interval
    # Its items are lists of other outlets' headlines (Google News and the like): they may
    # join an event through their own headline but never open one.
    aggregator: bool = False


@dataclass(frozen=True)
class FetchSettings:
    """Politeness and limits for every HTTP request newsmon makes."""

    user_agent: str = DEFAULT_USER_AGENT  # sent with every request, robots.txt included
    timeout: float = 30.0  # per request, in seconds
    max_bytes: int = 10 * 2**20  # larger responses are abandoned and recorded
    retries: int = 2  # per request, pausing retry_backoff, then 2x, 4x...
    retry_backoff: float = 2.0  # the first pause between retries, in seconds
    per_host_concurrency: int = 2  # requests in flight to one host at once
    per_host_delay: float = 1.0  # seconds between requests to one host; AutoThrottle adapts it
    autothrottle: bool = True  # adapt each host's delay to its latency
    obey_robots: bool = True  # fetch nothing robots.txt forbids
    keep_html: bool = False  # keep each page's HTML (gzip) for re-extraction
    max_article_attempts: int = 3  # tries per page; then the feed's own text, if any, is kept
    max_new_per_feed: int = 200  # pages fetched per feed per poll; the rest wait for the next
    extraction_workers: int = 2  # processes for extraction and feed parsing; 0: inline
    # (ip, port) of DNS servers to ask instead of the system resolver; empty: the system's
    dns_servers: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class StorySettings:
    """How alike two articles must be to share a story (see crawler/stories/)."""

    near_duplicate: float = 0.5  # estimated Jaccard of word 5-shingles: a copy
    headline: float = 0.25  # IDF cosine of a headline with a story's headlines: joins it
    headline_merge: float = 0.5  # a headline this close to a second story merges the two
    window: timedelta = timedelta(days=3)  # only stories within this of the article's time


@dataclass(frozen=True)
class NotifyTarget:
    """Where alerts go: any Apprise URL. The URL may hold secrets, so only
    `name` is ever stored or logged."""

    name: str  # how the target is named in the database, the logs and `newsmon notify`
    url: str = field(repr=False)  # an Apprise URL, usually `${ENV_VAR}`: it may hold a token
    monitors: tuple[str, ...] = ()  # empty: every monitor
    on: tuple[str, ...] = ("new",)  # `new` events, and `update`s that change their facts

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
    metrics_host: str = "127.0.0.1"  # the address metrics are served on: they name feed URLs


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
    # Correction buttons on the event pages (dismiss, move, merge, split): anyone who can
    # reach the server could then change events. Off unless the user turns it on.
    corrections: bool = False
    # Who made a correction, as a proxy in front of `newsmon serve` names its user
    # (e.g. X-Forwarded-User); None: the form's own "by" field.
    user_header: str | None = None


@dataclass(frozen=True)
class Config:
    """The whole of config.yaml, with the outlets of its outlets file."""

    path: Path
    database: Path | DatabaseURL  # a file (SQLite) or a postgresql:// URL
    # May feeds, pages and redirects reach loopback or private addresses? (The demo and
    # the tests serve their outlets on 127.0.0.1.)
    allow_private_networks: bool
    fetch: FetchSettings
    outlets: tuple[Outlet, ...]  # at least one, here or in the outlets file
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
