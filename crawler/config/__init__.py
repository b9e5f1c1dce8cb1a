"""config.yaml → frozen dataclasses, validated before any network I/O.

Every default lives in `model`. A partial file overrides only what it sets. Every
problem is reported as one `ConfigError` naming the file, line and key path
(`outlets[2].interval`), so a typo in a crontab-driven setup is found at once.

    model     the typed config and its defaults
    load      finding and reading the file, its size, nesting and aliases
    sections  each section of the file; settings: daemon, display, web; values: each value
    outlets_file  the second file of outlets, which `opml import` and `add` write
"""

from crawler.config.load import DEFAULT_PATH, ENV_VAR, load, parse, resolve_path
from crawler.config.model import (
    DEFAULT_USER_AGENT,
    NOTIFY_REASONS,
    Config,
    ConfigError,
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

__all__ = [
    "DEFAULT_PATH",
    "DEFAULT_USER_AGENT",
    "ENV_VAR",
    "NOTIFY_REASONS",
    "Config",
    "ConfigError",
    "DaemonSettings",
    "DisplaySettings",
    "EventSettings",
    "FeedSource",
    "FetchSettings",
    "MonitorConfig",
    "NotifyTarget",
    "Outlet",
    "StorySettings",
    "WebSettings",
    "load",
    "parse",
    "resolve_path",
]
