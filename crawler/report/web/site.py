"""What the web view knows of the user's setup: config.yaml as it is now, and its zone.

Datasette hands a plugin only JSON-like settings, so `newsmon serve` registers the
loaded config here, by database name. The feed pages judge a feed as `newsmon status`
does, against config.yaml (a feed removed from it is retired at once, before any `run`
syncs the feeds table), and config.yaml is read again when it or its outlets file
changes, so an edit shows at the next page load. A file that no longer loads keeps the
last good config: the page must not fail because an edit is half-done.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path

from crawler import config
from crawler.clock import zone
from crawler.config import Config
from crawler.report.asked import Corrector


@dataclass(frozen=True)
class Site:
    """The served config, the zone times are shown in, the files' change stamps, and
    what makes a correction (None: the pages only read)."""

    config: Config
    zone: tzinfo
    zone_name: str
    stamps: tuple[int | None, ...]
    corrector: Corrector | None = None


_sites: dict[str, Site] = {}
_lock = threading.Lock()


def register(name: str, cfg: Config, zone_name: str, corrector: Corrector | None = None) -> Site:
    """Serve `cfg` under database `name`, times in `zone_name` (an IANA name),
    corrections made by `corrector` when `web.corrections` turns them on."""
    site = Site(cfg, zone(zone_name), zone_name, stamps(cfg), corrector)
    with _lock:
        _sites[name] = site
    return site


def current(name: str) -> Site | None:
    """The site of database `name`, config.yaml re-read if it changed since."""
    with _lock:
        site = _sites.get(name)
        if site is None or stamps(site.config) == site.stamps:
            return site
        try:
            fresh = config.load(site.config.path, check_targets=False)
        except (config.ConfigError, OSError):
            fresh = site.config  # a half-done edit: keep showing the last good config
        site = replace(site, config=fresh, stamps=stamps(fresh))
        _sites[name] = site
        return site


def stamps(cfg: Config) -> tuple[int | None, ...]:
    return tuple(mtime(path) for path in (cfg.path, cfg.outlets_file))


def mtime(path: Path | None) -> int | None:
    try:
        return None if path is None else path.stat().st_mtime_ns
    except OSError:
        return None
