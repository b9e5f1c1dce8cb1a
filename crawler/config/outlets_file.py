"""The outlets file: where `newsmon opml import` and `newsmon add` write the outlets they add.

config.yaml is the user's file, with comments and a layout PyYAML cannot round-trip, so
newsmon never rewrites it. Added outlets go to a second file it owns, named by
`outlets_file:` in config.yaml (default `outlets.yaml` beside it) and read by the loader
as if its outlets were listed in config.yaml. When config.yaml names no such file yet,
the one line `outlets_file: outlets.yaml` is appended to it, once, after checking that
the result still parses to the same configuration plus that key.

Every write is planned and made under a lock (two `add`s at once lose nothing), checked
by loading the whole result before anything is replaced (a mistake costs nothing), and
atomic (a reader, such as a daemon reloading on SIGHUP, sees the old file or the new).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.config.load import MAX_CONFIG_BYTES, parse, read
from crawler.config.model import Config, ConfigError
from crawler.errors import NewsmonError
from crawler.files import replace_atomically
from crawler.model import SourceKind
from crawler.urls import URLError, feed_identity

DEFAULT_NAME = "outlets.yaml"
HEADER = (
    "# Outlets added by `newsmon opml import` and `newsmon add` (config.yaml names this\n"
    "# file as outlets_file). Edit freely; newsmon rewrites the file whole when it adds\n"
    "# outlets, so comments written here are not kept.\n"
)


class WriteError(NewsmonError, RuntimeError):
    """The outlets file (or its lock, or config.yaml) cannot be written."""


@dataclass(frozen=True)
class Candidate:
    """A feed or sitemap someone wants polled, under the outlet name they gave it."""

    name: str
    url: str
    kind: SourceKind = "feed"


@dataclass
class Plan:
    """What adding candidates to a config comes to: new outlets, and what was left out."""

    outlets: list[dict[str, Any]] = field(default_factory=list)  # as written to the file
    skipped: list[str] = field(default_factory=list)  # one sentence each
    renamed: list[str] = field(default_factory=list)

    @property
    def feeds(self) -> int:
        return sum(len(o.get("feeds", ())) + len(o.get("sitemaps", ())) for o in self.outlets)


def feed_key(url: str) -> str:
    """Two feed URLs are the same feed when they differ only in the case of scheme or
    host, a default port or a trailing slash (`urls.feed_identity`)."""
    try:
        return feed_identity(url)
    except URLError:
        return url


def plan(cfg: Config, candidates: Sequence[Candidate], interval: str | None = None) -> Plan:
    """Group candidates into new outlets (one per name), skipping feeds already configured
    (or listed twice) and renaming outlets whose name is taken by a configured one."""
    result = Plan()
    known = {
        feed_key(source.url): outlet.name for outlet in cfg.outlets for source in outlet.sources
    }
    taken = {outlet.name.casefold() for outlet in cfg.outlets}
    by_name: dict[str, dict[str, Any]] = {}
    for candidate in candidates:
        key = feed_key(candidate.url)
        if key in known:
            result.skipped.append(f"{candidate.url}: already configured (outlet {known[key]!r})")
            continue
        known[key] = candidate.name
        outlet = by_name.get(candidate.name.casefold())
        if outlet is None:
            name = _free_name(candidate.name, candidate.url, taken)
            if name != candidate.name:
                result.renamed.append(f"{candidate.name!r} is taken: added as {name!r}")
            taken.add(name.casefold())
            outlet = {"name": name}
            if interval:
                outlet["interval"] = interval
            by_name[candidate.name.casefold()] = outlet
            result.outlets.append(outlet)
        outlet.setdefault(f"{candidate.kind}s", []).append(candidate.url)
    return result


def _free_name(name: str, url: str, taken: set[str]) -> str:
    if name.casefold() not in taken:
        return name
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    fresh = f"{name} ({host})"
    number = 2
    while fresh.casefold() in taken:
        fresh = f"{name} ({host}) {number}"
        number += 1
    return fresh


@contextmanager
def writing(config_path: Path) -> Iterator[None]:
    """Held while a command reads the config, plans and writes: one writer at a time."""
    path = config_path.with_name(f".{config_path.name}.outlets.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(f"{path}: cannot create the lock file: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another import or add: wait for it
        yield
    finally:
        os.close(fd)


def target(cfg: Config) -> Path:
    """Where added outlets go: the configured outlets_file, else outlets.yaml beside."""
    return cfg.outlets_file or cfg.path.parent / DEFAULT_NAME


def write(cfg: Config, outlets: Sequence[dict[str, Any]]) -> list[str]:
    """Add `outlets` to the outlets file (call inside `writing`); returns the files
    changed. The result is loaded in full before anything is replaced."""
    path = target(cfg)
    config_text = cfg.path.read_text(encoding="utf-8")
    changed = [str(path)]
    if cfg.outlets_file is None:
        if path.exists():
            raise ConfigError(
                f"{path} exists but {cfg.path} does not name it: add "
                f"`outlets_file: {DEFAULT_NAME}` to {cfg.path.name} (or move the file away)"
            )
        config_text = _naming(config_text, cfg.path)
        changed.append(str(cfg.path))
    current = yaml.safe_load(read(path, missing_ok=True)) or {}
    listed = list(current.get("outlets") or []) if isinstance(current, dict) else []
    text = HEADER + yaml.safe_dump(
        {"outlets": [*listed, *outlets]}, sort_keys=False, allow_unicode=True, width=1000
    )
    for written, content in ((path, text), (cfg.path, config_text)):
        size = len(content.encode("utf-8"))
        if size > MAX_CONFIG_BYTES:  # every load refuses such a file: nothing is written
            raise ConfigError(
                f"{written}: adding these outlets would make it {size / 2**20:.1f} MiB, past "
                f"the {MAX_CONFIG_BYTES // 2**20} MiB every load accepts; nothing was written"
            )
    fresh = parse(config_text, cfg.path, require_outlets=False, included_text=text)
    if len(fresh.outlets) != len(cfg.outlets) + len(outlets):  # cannot happen: say so loudly
        raise ConfigError(f"{path}: the new file does not add the {len(outlets)} outlets")
    # config.yaml first: killed between the two writes, it names an outlets file that is
    # not there yet, which loads as empty, and the same command run again writes it.
    # (In the other order a kill leaves an outlets file config.yaml does not name.)
    for target_path, content in ((cfg.path, config_text), (path, text)):
        if target_path == cfg.path and cfg.outlets_file is not None:
            continue
        try:
            replace_atomically(target_path, content)
        except OSError as exc:
            raise WriteError(f"{target_path}: cannot write: {exc.strerror or exc}") from None
    return changed


def _naming(text: str, path: Path) -> str:
    """config.yaml with `outlets_file:` appended, its comments and layout untouched;
    refused when the appended line would not simply add that key."""
    newline = "\r\n" if "\r\n" in text else "\n"
    appended = text
    if appended and not appended.endswith(("\n", "\r")):
        appended += newline
    appended += f"outlets_file: {DEFAULT_NAME}{newline}"
    try:
        before = yaml.safe_load(text)
        after = yaml.safe_load(appended)
    except yaml.YAMLError:
        after = before = None
    if not (isinstance(before, dict) and before | {"outlets_file": DEFAULT_NAME} == after):
        raise ConfigError(
            f"{path}: cannot append `outlets_file: {DEFAULT_NAME}` safely (a document "
            "marker or an open block at the end?): add that line yourself"
        )
    return appended
