"""Reading the sections of config.yaml into the typed config: outlets, fetch, stories,
monitors, notify, events, display, web.

Each section builds its frozen dataclass from checked values (`ValueReader`), so a
partial file overrides only what it sets and every mistake names its key.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from crawler.clock import ClockError, zone
from crawler.config.apprise_urls import unusable
from crawler.config.database import database_setting
from crawler.config.model import (
    NOTIFY_REASONS,
    Config,
    DaemonSettings,
    DisplaySettings,
    EventSettings,
    FeedSource,
    FetchSettings,
    MonitorConfig,
    NotifyTarget,
    Outlet,
    StorySettings,
    WebSettings,
)
from crawler.config.values import APPRISE_URL, ValueReader
from crawler.schedule import (
    DEFAULT_INTERVAL,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_MIN_INTERVAL,
    MIN_INTERVAL,
)
from crawler.urls import URLError, feed_identity

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
MAX_SQL_TIME_LIMIT_MS = 60_000  # a page that waits longer is a stalled page


TOP_LEVEL = {
    "database",
    "allow_private_networks",
    "fetch",
    "outlets",
    "outlets_file",
    "monitors",
    "stories",
    "notify",
    "events",
    "display",
    "daemon",
    "web",
}


class ConfigReader(ValueReader):
    """The whole file: `config` reads the top level, each section its own part.

    `check_targets`: ask Apprise whether it can use each notify URL (a fraction of a
    second, paid by the commands that send alerts; those that only read skip it)."""

    def __init__(self, path: Path, *, check_targets: bool = True, require_outlets: bool = True):
        super().__init__(path)
        self.check_targets = check_targets
        self.require_outlets = require_outlets
        self.feed_urls: dict[str, str] = {}  # every feed and sitemap URL → where it is
        self.label = ""  # "outlets.yaml: " when reading the outlets file

    def outlets_file(self, node: yaml.Node) -> Path | None:
        """The file named by `outlets_file:` (relative to this one), if any."""
        top = self.mapping(node, "", TOP_LEVEL)
        if "outlets_file" not in top:
            return None
        path = Path(self.string(top["outlets_file"], "outlets_file"))
        return path if path.is_absolute() else self.path.parent / path

    def config(self, node: yaml.Node, included: yaml.Node | None = None) -> Config:
        """The typed config; `included` is the node tree of the `outlets_file` (None when
        the file is missing or empty: no outlets yet)."""
        top = self.mapping(node, "", TOP_LEVEL)
        database = database_setting(self, top)
        outlets_file = self.outlets_file(node)
        if "outlets" not in top and outlets_file is None and self.require_outlets:
            raise self.fail(node, "outlets", "missing: list at least one outlet to poll")
        own = self.sequence(top["outlets"], "outlets") if "outlets" in top else []
        places = [(self, item, f"outlets[{i}]") for i, item in enumerate(own)]
        if outlets_file is not None and included is not None:
            reader = ConfigReader(outlets_file)
            reader.feed_urls, reader.label = self.feed_urls, f"{outlets_file.name}: "
            listed = reader.mapping(included, "", {"outlets"}).get("outlets")
            items = reader.sequence(listed, "outlets") if listed is not None else []
            places += [(reader, item, f"outlets[{i}]") for i, item in enumerate(items)]
        outlets = tuple(reader.outlet(item, key) for reader, item, key in places)
        if not outlets and self.require_outlets:
            where = f" (here or in {outlets_file})" if outlets_file else ""
            raise self.fail(
                top.get("outlets", node), "outlets", f"list at least one outlet to poll{where}"
            )
        seen: set[str] = set()
        for (reader, item, key), outlet in zip(places, outlets, strict=True):
            if outlet.name.casefold() in seen:
                raise reader.fail(item, f"{key}.name", f"duplicate outlet {outlet.name!r}")
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
            events=self.events(top["events"]) if "events" in top else EventSettings(),
            display=self.display(top["display"]) if "display" in top else DisplaySettings(),
            outlets_file=outlets_file,
            daemon=self.daemon(top["daemon"]) if "daemon" in top else DaemonSettings(),
            web=self.web(top["web"]) if "web" in top else WebSettings(),
        )

    def daemon(self, node: yaml.Node) -> DaemonSettings:
        fields = self.mapping(node, "daemon", {"metrics_port", "metrics_host"})
        values: dict[str, Any] = {}
        if "metrics_port" in fields:
            port = self.integer(fields["metrics_port"], "daemon.metrics_port", 1)
            if port > 65535:
                raise self.fail(fields["metrics_port"], "daemon.metrics_port", "above 65535")
            values["metrics_port"] = port
        if "metrics_host" in fields:
            host = self.string(fields["metrics_host"], "daemon.metrics_host")
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise self.fail(
                    fields["metrics_host"], "daemon.metrics_host", f"{host!r} is not an IP address"
                ) from None
            values["metrics_host"] = host
        return DaemonSettings(**values)

    def web(self, node: yaml.Node) -> WebSettings:
        fields = self.mapping(node, "web", set(WebSettings.__dataclass_fields__))
        values: dict[str, Any] = {}
        if "allow_sql" in fields:
            values["allow_sql"] = self.boolean(fields["allow_sql"], "web.allow_sql")
        if "sql_time_limit_ms" in fields:
            limit = self.integer(fields["sql_time_limit_ms"], "web.sql_time_limit_ms", 10)
            if limit > MAX_SQL_TIME_LIMIT_MS:
                raise self.fail(fields["sql_time_limit_ms"], "web.sql_time_limit_ms", "over 1 min")
            values["sql_time_limit_ms"] = limit
        return WebSettings(**values)

    def display(self, node: yaml.Node) -> DisplaySettings:
        fields = self.mapping(node, "display", set(DisplaySettings.__dataclass_fields__))
        values: dict[str, Any] = {}
        if "timezone" in fields:
            name = self.string(fields["timezone"], "display.timezone")
            try:
                zone(name)
            except ClockError as exc:
                raise self.fail(fields["timezone"], "display.timezone", str(exc)) from None
            values["timezone"] = name
        if "atom_entries" in fields:
            values["atom_entries"] = self.integer(fields["atom_entries"], "display.atom_entries", 1)
        return DisplaySettings(**values)

    def events(self, node: yaml.Node) -> EventSettings:
        fields = self.mapping(node, "events", {"title_language"})
        language = None
        if "title_language" in fields:
            language = self.string(fields["title_language"], "events.title_language").lower()
            if not LANGUAGE_CODE.match(language):
                raise self.fail(
                    fields["title_language"],
                    "events.title_language",
                    f"{language!r} is not a language code (e.g. en, ko, ja)",
                )
        return EventSettings(title_language=language)

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

    def notify_url(self, node: yaml.Node, key: str) -> str:
        """An Apprise URL; errors never echo it, since it may carry a token. With
        `check_targets`, Apprise itself must be able to use it."""
        value = self.string(node, key)
        if not APPRISE_URL.match(value):
            raise self.fail(node, key, "expected an Apprise URL such as json://host/path")
        problem = unusable(value) if self.check_targets else None
        if problem:
            raise self.fail(node, key, problem)
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
            url = self.url(fields["url"], f"{key}.url")
            self.once(url, fields["url"], f"{key}.url")
            return FeedSource(url, kind, ignore)
        url = self.url(node, key)
        self.once(url, node, key)
        return FeedSource(url, kind)

    def once(self, url: str, node: yaml.Node, key: str) -> None:
        """A feed listed twice (under two outlets) is refused, naming both places."""
        place = f"{self.label}{key}"  # the outlets file's places name that file
        with contextlib.suppress(URLError):
            url = feed_identity(url)
        first = self.feed_urls.setdefault(url, f"{place} (line {node.start_mark.line + 1})")
        if not first.startswith(f"{place} "):
            raise self.fail(node, key, f"this URL is already listed at {first}")

    def monitor(self, node: yaml.Node, key: str) -> MonitorConfig:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping with name and type")
        raw = self._constructor.construct_mapping(node, deep=True)
        for required in ("name", "type"):
            if not isinstance(raw.get(required), str) or not raw[required].strip():
                raise self.fail(node, f"{key}.{required}", "missing or not a string")
        options = {k: v for k, v in raw.items() if k not in ("name", "type")}
        return MonitorConfig(name=raw["name"].strip(), type=raw["type"].strip(), options=options)
