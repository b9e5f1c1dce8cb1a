"""config.yaml → frozen dataclasses, validated before any network I/O.

Every default lives here. A partial file overrides only what it sets. Every
problem is reported as one `ConfigError` naming the file, line and key path
(`outlets[2].interval`), so a typo in a crontab-driven setup is found at once.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler import __version__
from crawler.schedule import (
    DEFAULT_INTERVAL,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_MIN_INTERVAL,
    MIN_INTERVAL,
)
from crawler.untrusted import MAX_URL
from monitors.base import MonitorConfig

ENV_VAR = "NEWSMON_CONFIG"
DEFAULT_PATH = "config.yaml"
DEFAULT_USER_AGENT = f"newsmon/{__version__} (+https://github.com/newsmon/newsmon)"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_DURATION_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 10**6,
    "mib": 2**20,
    "gb": 10**9,
    "gib": 2**30,
}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Bounds checked before any value is built: a 596-byte YAML alias bomb in a monitor's
# `zone:` once cost minutes and gigabytes before a MemoryError.
MAX_CONFIG_BYTES = 16 * 2**20
MAX_VALUE = 4096  # characters in one value, also after ${VAR} expansion
MAX_ALIAS_EXPANSION = 10_000  # values that aliases may add to the document
MAX_NESTING = 100
MAX_PATH_PART = 255  # bytes in one component of the database path (NAME_MAX)
NOTIFY_REASONS = ("new", "update")  # update: the event's facts changed
_APPRISE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


class ConfigError(ValueError):
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
class Config:
    path: Path
    database: Path
    allow_private_networks: bool
    fetch: FetchSettings
    outlets: tuple[Outlet, ...]
    monitors: tuple[MonitorConfig, ...]
    stories: StorySettings = StorySettings()
    notify: tuple[NotifyTarget, ...] = ()

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


def resolve_path(option: str | None) -> Path:
    """`--config`, else NEWSMON_CONFIG, else ./config.yaml."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT_PATH)


def load(path: Path) -> Config:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file (use --config PATH or {ENV_VAR})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse(text, path)


# libyaml when present: the pure-Python composer took half a second on 1,000 feeds
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str, path: Path) -> Config:
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested more than {MAX_NESTING} levels deep") from None
    if node is None:
        raise ConfigError(f"{path}: the file is empty")
    check_size(node, path)
    return _Reader(path).config(node)


def check_size(root: yaml.Node, path: Path) -> None:
    """Refuse a document whose aliases expand too far, that nests too deep, or holds an
    oversized value, before anything is built from it.

    Each distinct node is visited once (its expanded size is remembered), so a
    billion-value alias bomb costs a few microseconds to find out.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    busy: set[int] = set()
    while stack:
        node, depth, finished = stack.pop()
        if finished:
            busy.discard(id(node))
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[id(node)] = min(total, 10 * MAX_ALIAS_EXPANSION)
            continue
        if id(node) in sizes:
            continue
        line = f"{path}:{node.start_mark.line + 1}"
        if id(node) in busy:
            raise ConfigError(f"{line}: an alias refers to the value that contains it")
        if depth > MAX_NESTING:
            raise ConfigError(f"{line}: nested more than {MAX_NESTING} levels deep")
        if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_VALUE:
            raise ConfigError(
                f"{line}: a value of {len(node.value):,} characters (at most {MAX_VALUE:,})"
            )
        busy.add(id(node))
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))
    if sizes[id(root)] - len(sizes) > MAX_ALIAS_EXPANSION:
        raise ConfigError(
            f"{path}: YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} extra values"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _Reader:
    """Walks the YAML node tree so every error can name its line and key path."""

    def __init__(self, path: Path):
        self.path = path
        self._constructor = yaml.SafeLoader("")  # one for the whole file, not one per value

    def fail(self, node: yaml.Node | None, key: str, message: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        prefix = f"{key}: " if key else ""
        return ConfigError(f"{self.path}{line}: {prefix}{message}")

    def mapping(self, node: yaml.Node, key: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping of keys to values")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = key_node.value
            path = f"{key}.{name}" if key else name
            if name not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(key_node, path, f"unknown key (expected one of: {hint})")
            if name in result:
                raise self.fail(key_node, path, "duplicate key")
            result[name] = value_node
        return result

    def sequence(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.value and node.tag.endswith(":str"):
            return [node]  # a single URL written without brackets
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "expected a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, "expected a single value")
        return self._constructor.construct_object(node)

    def string(self, node: yaml.Node, key: str) -> str:
        value = self.scalar(node, key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, key, "expected a non-empty string")
        return self.expand_env(node, key, value.strip())

    def expand_env(self, node: yaml.Node, key: str, value: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise self.fail(node, key, f"environment variable {name} is not set")
            return os.environ[name]

        expanded = _ENV_REF.sub(substitute, value)
        if len(expanded) > MAX_VALUE:
            raise self.fail(
                node, key, f"{len(expanded):,} characters after ${{...}} (at most {MAX_VALUE:,})"
            )
        return expanded

    def boolean(self, node: yaml.Node, key: str) -> bool:
        value = self.scalar(node, key)
        if not isinstance(value, bool):
            raise self.fail(node, key, f"expected true or false, got {node.value!r}")
        return value

    def integer(self, node: yaml.Node, key: str, minimum: int) -> int:
        value = self.scalar(node, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(node, key, f"expected a whole number >= {minimum}, got {node.value!r}")
        return value

    def duration(self, node: yaml.Node, key: str, minimum: timedelta) -> timedelta:
        match = _DURATION.match(str(self.scalar(node, key)))
        if not match:
            raise self.fail(node, key, f"{node.value!r} is not a duration (e.g. 30s, 15m, 2h, 1d)")
        value = timedelta(seconds=float(match.group(1)) * _DURATION_UNITS[match.group(2)])
        if value < minimum:
            raise self.fail(node, key, f"{node.value!r} is shorter than the minimum {minimum}")
        return value

    def size(self, node: yaml.Node, key: str) -> int:
        match = _SIZE.match(str(self.scalar(node, key)))
        if not match:
            raise self.fail(node, key, f"{node.value!r} is not a size (e.g. 500KB, 10MB)")
        unit = (match.group(2) or "b").lower()
        value = int(float(match.group(1)) * _SIZE_UNITS[unit])
        if value < 1024:
            raise self.fail(node, key, f"{node.value!r} is below the minimum of 1KiB")
        return value

    def url(self, node: yaml.Node, key: str) -> str:
        value = self.string(node, key)
        if len(value) > MAX_URL:  # Scrapy would drop the request without a word
            raise self.fail(
                node, key, f"the URL is {len(value):,} characters long (at most {MAX_URL:,})"
            )
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError as exc:
            raise self.fail(node, key, f"{value!r} is not a URL: {exc}") from None
        if parts.scheme not in ("http", "https"):
            raise self.fail(node, key, f"{value!r} is not an http or https URL")
        if not host:
            raise self.fail(node, key, f"{value!r} has no host")
        return value

    # -- sections ---------------------------------------------------------

    def config(self, node: yaml.Node) -> Config:
        top = self.mapping(
            node,
            "",
            {
                "database",
                "allow_private_networks",
                "fetch",
                "outlets",
                "monitors",
                "stories",
                "notify",
            },
        )
        database = Path(self.string(top["database"], "database")) if "database" in top else None
        if database is None:
            database = Path("newsmon.db")
        for part in database.parts:
            if len(part.encode("utf-8", "surrogateescape")) > MAX_PATH_PART:
                raise self.fail(
                    top["database"], "database", f"a path part over {MAX_PATH_PART} bytes"
                )
        if not database.is_absolute():
            database = self.path.parent / database
        if "outlets" not in top:
            raise self.fail(node, "outlets", "missing: list at least one outlet to poll")
        outlets = tuple(
            self.outlet(item, f"outlets[{i}]")
            for i, item in enumerate(self.sequence(top["outlets"], "outlets"))
        )
        if not outlets:
            raise self.fail(top["outlets"], "outlets", "list at least one outlet to poll")
        seen: set[str] = set()
        for i, outlet in enumerate(outlets):
            if outlet.name.casefold() in seen:
                item = self.sequence(top["outlets"], "outlets")[i]
                raise self.fail(item, f"outlets[{i}].name", f"duplicate outlet {outlet.name!r}")
            seen.add(outlet.name.casefold())
        monitors = (
            tuple(
                self.monitor(item, f"monitors[{i}]")
                for i, item in enumerate(self.sequence(top["monitors"], "monitors"))
            )
            if "monitors" in top
            else ()
        )
        names = [m.name for m in monitors]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(top["monitors"], f"monitors[{i}].name", f"duplicate {name!r}")
        return Config(
            path=self.path,
            database=database,
            allow_private_networks=self.boolean(
                top["allow_private_networks"], "allow_private_networks"
            )
            if "allow_private_networks" in top
            else False,
            fetch=self.fetch(top["fetch"]) if "fetch" in top else FetchSettings(),
            outlets=outlets,
            monitors=monitors,
            stories=self.stories(top["stories"]) if "stories" in top else StorySettings(),
            notify=self.notify(top["notify"], set(names)) if "notify" in top else (),
        )

    def notify(self, node: yaml.Node, monitors: set[str]) -> tuple[NotifyTarget, ...]:
        items = self.sequence(node, "notify")
        targets = tuple(
            self.notify_target(item, f"notify[{i}]", monitors) for i, item in enumerate(items)
        )
        seen: set[str] = set()
        for i, target in enumerate(targets):
            if target.name in seen:
                raise self.fail(items[i], f"notify[{i}].name", f"duplicate {target.name!r}")
            seen.add(target.name)
        return targets

    def notify_target(self, node: yaml.Node, key: str, monitors: set[str]) -> NotifyTarget:
        fields = self.mapping(node, key, {"name", "url", "monitors", "on"})
        for required in ("name", "url"):
            if required not in fields:
                raise self.fail(node, f"{key}.{required}", "missing")
        name = self.string(fields["name"], f"{key}.name")
        watched = self.names(fields.get("monitors"), f"{key}.monitors")
        for monitor in watched:
            if monitor not in monitors:
                raise self.fail(fields["monitors"], f"{key}.monitors", f"no monitor {monitor!r}")
        on = self.names(fields.get("on"), f"{key}.on") or ("new",)
        for reason in on:
            if reason not in NOTIFY_REASONS:
                expected = ", ".join(NOTIFY_REASONS)
                raise self.fail(fields["on"], f"{key}.on", f"{reason!r} is not one of: {expected}")
        return NotifyTarget(name, self.notify_url(fields["url"], f"{key}.url"), watched, on)

    def names(self, node: yaml.Node | None, key: str) -> tuple[str, ...]:
        """A list of short strings, duplicates dropped, order kept."""
        if node is None:
            return ()
        values = [
            self.string(item, f"{key}[{i}]") for i, item in enumerate(self.sequence(node, key))
        ]
        return tuple(dict.fromkeys(values))

    def notify_url(self, node: yaml.Node, key: str) -> str:
        """An Apprise URL; errors never echo it, since it may carry a token."""
        value = self.string(node, key)
        if not _APPRISE_URL.match(value):
            raise self.fail(node, key, "expected an Apprise URL such as json://host/path")
        return value

    def stories(self, node: yaml.Node) -> StorySettings:
        fields = self.mapping(node, "stories", set(StorySettings.__dataclass_fields__))
        values: dict[str, Any] = {}
        for name, value in fields.items():
            key = f"stories.{name}"
            if name == "window":
                values[name] = self.duration(value, key, timedelta(hours=1))
            else:
                values[name] = self.fraction(value, key)
        return StorySettings(**values)

    def fraction(self, node: yaml.Node, key: str) -> float:
        value = self.scalar(node, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise self.fail(
                node, key, f"expected a number above 0 and at most 1, got {node.value!r}"
            )
        return float(value)

    def fetch(self, node: yaml.Node) -> FetchSettings:
        fields = self.mapping(node, "fetch", set(FetchSettings.__dataclass_fields__))
        values: dict[str, Any] = {}
        for name, value in fields.items():
            key = f"fetch.{name}"
            if name == "user_agent":
                values[name] = self.string(value, key)
            elif name in ("timeout", "per_host_delay", "retry_backoff"):
                values[name] = self.duration(value, key, timedelta(0)).total_seconds()
            elif name == "max_bytes":
                values[name] = self.size(value, key)
            elif name in ("autothrottle", "obey_robots", "keep_html"):
                values[name] = self.boolean(value, key)
            elif name == "dns_servers":
                values[name] = tuple(
                    self.dns_server(item, f"{key}[{i}]")
                    for i, item in enumerate(self.sequence(value, key))
                )
            else:
                minimum = 0 if name in ("retries", "extraction_workers") else 1
                values[name] = self.integer(value, key, minimum)
        return FetchSettings(**values)

    def dns_server(self, node: yaml.Node, key: str) -> tuple[str, int]:
        """`IP` or `IP:port` (`[IPv6]:port`); a name would need DNS to find DNS."""
        text = str(self.scalar(node, key)).strip()
        match = re.fullmatch(
            r"\[([0-9a-fA-F:.]+)\](?::(\d+))?|([0-9.]+)(?::(\d+))?|([0-9a-fA-F:]+)", text
        )
        if match is None:
            raise self.fail(
                node, key, f"expected an IP address with an optional :port, got {text!r}"
            )
        address = match.group(1) or match.group(3) or match.group(5)
        port = int(match.group(2) or match.group(4) or 53)
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise self.fail(node, key, f"{address!r} is not an IP address") from None
        if not 0 < port < 65536:
            raise self.fail(node, key, f"port {port} is out of range")
        return address, port

    def outlet(self, node: yaml.Node, key: str) -> Outlet:
        fields = self.mapping(
            node,
            key,
            {
                "name",
                "feeds",
                "sitemaps",
                "interval",
                "fetch_pages",
                "min_interval",
                "max_interval",
                "aggregator",
            },
        )
        if "name" not in fields:
            raise self.fail(node, f"{key}.name", "missing: every outlet needs a name")
        name = self.string(fields["name"], f"{key}.name")
        sources = [
            self.source(item, f"{key}.{kind}s[{i}]", kind)
            for kind in ("feed", "sitemap")
            if f"{kind}s" in fields
            for i, item in enumerate(self.sequence(fields[f"{kind}s"], f"{key}.{kind}s"))
        ]
        if not sources:
            raise self.fail(node, key, f"outlet {name!r} lists no feeds and no sitemaps")
        interval = (
            self.duration(fields["interval"], f"{key}.interval", MIN_INTERVAL)
            if "interval" in fields
            else DEFAULT_INTERVAL
        )
        fetch_pages = (
            self.boolean(fields["fetch_pages"], f"{key}.fetch_pages")
            if "fetch_pages" in fields
            else True
        )
        aggregator = (
            self.boolean(fields["aggregator"], f"{key}.aggregator")
            if "aggregator" in fields
            else False
        )
        bounds = {
            bound: self.duration(fields[bound], f"{key}.{bound}", MIN_INTERVAL)
            for bound in ("min_interval", "max_interval")
            if bound in fields
        }
        if bounds:
            bounds.setdefault("min_interval", DEFAULT_MIN_INTERVAL)
            bounds.setdefault("max_interval", DEFAULT_MAX_INTERVAL)
            if bounds["min_interval"] > bounds["max_interval"]:
                raise self.fail(node, f"{key}.min_interval", "is longer than max_interval")
        return Outlet(
            name=name,
            sources=tuple(sources),
            interval=interval,
            fetch_pages=fetch_pages,
            aggregator=aggregator,
            **bounds,
        )

    def source(self, node: yaml.Node, key: str, kind: str) -> FeedSource:
        if isinstance(node, yaml.MappingNode):
            fields = self.mapping(node, key, {"url", "ignore_validators"})
            if "url" not in fields:
                raise self.fail(node, f"{key}.url", "missing")
            ignore = (
                self.boolean(fields["ignore_validators"], f"{key}.ignore_validators")
                if "ignore_validators" in fields
                else False
            )
            return FeedSource(self.url(fields["url"], f"{key}.url"), kind, ignore)
        return FeedSource(self.url(node, key), kind)

    def monitor(self, node: yaml.Node, key: str) -> MonitorConfig:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping with name and type")
        raw = self._constructor.construct_mapping(node, deep=True)
        for required in ("name", "type"):
            if not isinstance(raw.get(required), str) or not raw[required].strip():
                raise self.fail(node, f"{key}.{required}", "missing or not a string")
        options = {k: v for k, v in raw.items() if k not in ("name", "type")}
        return MonitorConfig(name=raw["name"].strip(), type=raw["type"].strip(), options=options)
