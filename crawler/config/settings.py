"""Reading the small settings sections of config.yaml: daemon, display and web.

They are plain values each (a port, a zone, switches of the web view), checked here so
that a mistake names its key; `sections.ConfigReader` reads the rest of the file.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import yaml

from crawler.clock import ClockError, zone
from crawler.config.model import DaemonSettings, DisplaySettings, WebSettings
from crawler.config.values import ValueReader

MAX_SQL_TIME_LIMIT_MS = 60_000  # a page that waits longer is a stalled page
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")  # an HTTP header's name, as a proxy sets it


class SettingsReader(ValueReader):
    """`daemon:`, `display:` and `web:`."""

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
        if "corrections" in fields:
            values["corrections"] = self.boolean(fields["corrections"], "web.corrections")
        if "user_header" in fields:
            name = self.string(fields["user_header"], "web.user_header")
            if not HEADER_NAME.match(name):
                raise self.fail(
                    fields["user_header"], "web.user_header", f"{name!r} is not a header name"
                )
            values["user_header"] = name
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
