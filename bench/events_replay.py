"""Events on real feeds: replay a labelled feed history poll by poll and score the events.

`feed-replay-dec2025` (126 hourly polls of Fox News, Al Jazeera, BBC World and
Google News World, 25-31 Dec 2025, one page per item) is served on loopback
exactly as its README prescribes: each step's feed bodies with ETag and
Last-Modified (so an unchanged feed answers 304), every page in its newest
version so far, and newsmon's clock set to the step's time. `feed-replay-aug2026`
(25 snapshots of 41 feeds, 18-22 Aug 2026, no pages) is replayed the same way
with `fetch_pages: false`. Labels: the dataset's own `labels.csv` for December;
for August, `bench/labels/aug2026.csv` (read by hand for this project: every
item whose title names North Korea, a missile or "ballistic", in the Japanese
feeds 北朝鮮, ミサイル or 弾道, and in Reuters' French, Spanish and Portuguese items
Korea or a missile).

Printed per labelled launch: how many events its reports were split into, its
reports on the right event (recall), members that do not belong (precision),
the event-time error, the facts found and when it was first detected; then
every false event (an event no labelled launch report is on).

`--monitor` chooses what is scored (repeat it to score several monitors on one
replay): `missile_launch` (the default) against the launch labels;
`earthquake` and any `bench/monitors/<name>.yaml` (such as `quake-keywords`, a
`type: keywords` block) against the earthquake labels, `bench/labels/quakes-<dataset>.csv`
with the quakes themselves in `bench/labels/quakes.csv`. For those the report
adds, per quake, the labelled quakes merged into its event, its place and
magnitude, the time error (against the quake's instant, or the interval its
reports allow when no clock is known), and whether the event opened in the first
poll that carried one direct report or two headline lists with different lead
outlets; then totals over events. A monitor type that is not installed is
skipped with one line.

`--fast` polls only the steps where a feed or a page changes (an unchanged step
answers 304 everywhere) and never the stamps rerun: the CI guard's mode
(`python -m bench.guard`).

`--stamps` prints a byline stamp ("December 29, 2025 09:41 GMT", the item's own
publication time) at the top of every page body, as real BBC, Al Jazeera and
AP pages do: stamps must never be read as launch times.

    python -m bench.events_replay [--dataset dec2025|aug2026|all] [--monitor NAME ...]
                                  [--stamps] [--fast] [--json FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import json
import re
import shutil
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bench.common import DATASETS, REPLAY_FETCH, ROOT
from bench.replay import snapshots
from crawler import config, poll, store
from crawler.clock import Clock, parse_instant
from crawler.fetch import reactor
from crawler.loopback import LoopbackServer, Reply, Seen
from monitors import available

PLACEHOLDER = b"http://replay.invalid"
SEOUL = ZoneInfo("Asia/Seoul")
LABELS = ROOT / "bench" / "labels"
NOT_A_REPORT = "NOT-A-LAUNCH-REPORT"
NOT_A_QUAKE = "NOT-A-QUAKE-REPORT"
MONITOR_FILES = ROOT / "bench" / "monitors"


@dataclass(frozen=True)
class Launch:
    """A labelled real event (a launch, a quake): when it happened, as precisely as is
    known, and for a quake what it was."""

    label: str
    time: datetime | None  # with `clock_known` False only its local day is known
    clock_known: bool
    earliest: datetime | None = None  # when no clock is known: what its reports allow
    latest: datetime | None = None
    place: tuple[str, ...] = ()
    magnitude: float | None = None
    main_shock: str | None = None


@dataclass(frozen=True)
class Subject:
    """One monitor under test: its config block and the labels that score it."""

    name: str  # as given to --monitor
    block: dict  # its entry in config.yaml's `monitors:`
    labels: str  # "launches" or "quakes"

    @property
    def monitor(self) -> str:
        return self.block["name"]

    @property
    def installed(self) -> bool:
        return "." in self.block["type"] or self.block["type"] in available()


# Monitors named by type; any other name is a file bench/monitors/<name>.yaml holding
# `labels:` (launches or quakes) and `monitor:` (the config block, as a user writes it).
SUBJECTS = {
    "missile_launch": Subject(
        "missile_launch", {"name": "missile-launches", "type": "missile_launch"}, "launches"
    ),
    "earthquake": Subject("earthquake", {"name": "earthquakes", "type": "earthquake"}, "quakes"),
}


def subject(name: str) -> Subject:
    """The monitor `--monitor NAME` means; ValueError names what exists."""
    if name in SUBJECTS:
        return SUBJECTS[name]
    path = MONITOR_FILES / f"{name}.yaml"
    if not path.exists():
        files = sorted(p.stem for p in MONITOR_FILES.glob("*.yaml"))
        raise ValueError(f"unknown monitor {name!r} (known: {', '.join([*SUBJECTS, *files])})")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Subject(name, dict(document["monitor"]), document["labels"])


# What the sources say of each labelled launch (the datasets' READMEs). A dataset folder
# may bring its own in `launches.csv` (label,time,clock_known), e.g. a replay of other weeks.
LAUNCHES = {
    # 28 Dec 2025, about 08:00 KST by South Korea's Joint Chiefs of Staff
    "DEC28-CRUISE": Launch("DEC28-CRUISE", datetime(2025, 12, 27, 23, 0, tzinfo=UTC), True),
    # 20 Aug 2026 (Thursday, KST): reports give the day, not the clock time
    "AUG20-SRBM": Launch("AUG20-SRBM", datetime(2026, 8, 20, 0, 0, tzinfo=SEOUL), False),
}
KNOWN = {"dec2025": "feed-replay-dec2025", "aug2026": "feed-replay-aug2026"}


@dataclass
class Dataset:
    name: str
    folder: Path
    labels: dict[str, str]  # entry key (the guid, else newsmon's entry key) -> label
    pages: bool
    launches: dict[str, Launch]
    aggregators: tuple[str, ...] = ()  # feeds whose items are lists of other outlets' headlines
    not_a_report: str = NOT_A_REPORT


def load_dataset(name: str) -> Dataset | None:
    """A replay folder by short name (dec2025, aug2026) or path, with its labels.

    Labels come from the folder's `labels.csv` (`link` = the item's guid, `label`), else
    from bench/labels/<name>.csv (`key`, `label`); any label but NOT-A-LAUNCH-REPORT is
    a launch. Without labels the replay still runs and every event counts as false.
    """
    folder = Path(name) if "/" in name else DATASETS / KNOWN.get(name, name)
    if not folder.is_dir():
        print(f"skipped: dataset {folder} is absent (set NEWSMON_DATASETS to its parent folder)")
        return None
    short = folder.name.removeprefix("feed-replay-")
    labels: dict[str, str] = {}
    if (folder / "labels.csv").exists():
        with (folder / "labels.csv").open(encoding="utf-8") as handle:
            labels = {row["link"]: row["label"] for row in csv.DictReader(handle)}
    elif (LABELS / f"{short}.csv").exists():
        with (LABELS / f"{short}.csv").open(encoding="utf-8") as handle:
            labels = {row["key"]: row["label"] for row in csv.DictReader(handle)}
    launches = {
        label: LAUNCHES.get(label, Launch(label, None, False))
        for label in set(labels.values()) - {NOT_A_REPORT}
    }
    if (folder / "launches.csv").exists():
        with (folder / "launches.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                launches[row["label"]] = Launch(
                    row["label"],
                    parse_instant(row["time"]),
                    row.get("clock_known", "1").strip() in ("1", "true", "yes"),
                )
    return Dataset(
        short,
        folder,
        labels,
        pages=(folder / "pages.csv").exists(),
        launches=launches,
        aggregators=tuple(f for f in _feeds(folder) if "google" in f),
    )


def quake_labels(dataset: Dataset) -> Dataset:
    """`dataset` scored on its earthquake labels: bench/labels/quakes-<name>.csv (`key`,
    `label`: a quake id of bench/labels/quakes.csv or NOT-A-QUAKE-REPORT)."""
    path = LABELS / f"quakes-{dataset.name}.csv"
    labels: dict[str, str] = {}
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            labels = {row["key"]: row["label"] for row in csv.DictReader(handle)}
    quakes = load_quakes()
    return dataclasses.replace(
        dataset,
        labels=labels,
        launches={label: quakes[label] for label in set(labels.values()) - {NOT_A_QUAKE}},
        not_a_report=NOT_A_QUAKE,
    )


def load_quakes(path: Path = LABELS / "quakes.csv") -> dict[str, Launch]:
    """The labelled quakes: magnitude, place (a path, "Taiwan > Yilan County"), the instant
    when a report gives its clock, else the interval its reports allow."""
    quakes = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            point = parse_instant(row["time_utc"]) if row["time_utc"] else None
            quakes[row["id"]] = Launch(
                row["id"],
                point,
                point is not None,
                earliest=parse_instant(row["earliest_utc"]),
                latest=parse_instant(row["latest_utc"]),
                place=tuple(part.strip() for part in row["place"].split(">")),
                magnitude=float(row["magnitude"]) if row["magnitude"] else None,
                main_shock=row["main_shock"] or None,
            )
    return quakes


def _feeds(folder: Path) -> list[str]:
    return sorted({feed for _, blobs in snapshots(folder) for feed in blobs})


# -- serving ---------------------------------------------------------------------------


@dataclass
class ReplayServer:
    """What the loopback server answers at the current step."""

    dataset: Dataset
    server: LoopbackServer
    stamps: bool
    feeds: dict[str, tuple[str, str]] = field(default_factory=dict)  # feed -> (blob, since)
    pages: dict[str, str] = field(default_factory=dict)  # path -> file

    def route(self, seen: Seen) -> Reply:
        path = seen.path.split("?")[0]
        base = self.server.base_url.encode()
        if path.endswith(".xml") and path[1:-4] in self.feeds:
            blob, since = self.feeds[path[1:-4]]
            body = gzip.decompress((self.dataset.folder / "blobs" / f"{blob}.xml.gz").read_bytes())
            headers = {
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": f'"{blob}"',
                "Last-Modified": since,
            }
            return Reply(body=body.replace(PLACEHOLDER, base), headers=headers)
        file = self.pages.get(path)
        if file is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        body = gzip.decompress((self.dataset.folder / file).read_bytes())
        if self.stamps:
            body = _stamped(body)
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": f'"{Path(file).name}"'}
        return Reply(body=body.replace(PLACEHOLDER, base), headers=headers)


BODY_OPEN = re.compile(rb'<div class="article-body">')
PUBLISHED = re.compile(rb'article:published_time" content="([^"]+)"')


# How outlets print a page's own time above its text: the example, Al Jazeera,
# AP (in Seoul's offset), BBC's date and a generic "updated" line.
STAMP_STYLES = (
    lambda t: f"{t:%B} {t.day}, {t:%Y %H:%M} GMT",
    lambda t: f"Published On {t.day} {t:%b %Y}",
    lambda t: f"Updated {(t + timedelta(hours=9)):%I:%M %p} GMT+9, {t:%B} {t.day}, {t:%Y}",
    lambda t: f"{t.day} {t:%B %Y}",
    lambda t: f"Last updated: {t:%Y-%m-%d %H:%M} UTC",
)


def _stamped(html: bytes) -> bytes:
    """The page with its own publication time printed as a byline stamp above the text,
    in one of STAMP_STYLES (chosen by the page, so each page always gets the same)."""
    found = PUBLISHED.search(html)
    if not found:
        return html
    moment = parse_instant(found.group(1).decode())
    style = STAMP_STYLES[zlib.crc32(html) % len(STAMP_STYLES)]
    stamp = style(moment).encode()
    return BODY_OPEN.sub(
        b'<div class="article-body"><p class="date">' + stamp + b"</p>", html, count=1
    )


def page_versions(folder: Path) -> list[tuple[int, str, str]]:
    path = folder / "pages.csv"
    if not path.exists():
        return []
    with path.open() as handle:
        rows = [(int(r["unixtime"]), r["path"], r["file"]) for r in csv.DictReader(handle)]
    return sorted(rows)


def write_config(
    workdir: Path,
    server: LoopbackServer,
    dataset: Dataset,
    flag: bool,
    monitors: tuple[dict, ...] = (SUBJECTS["missile_launch"].block,),
) -> Path:
    feeds = _feeds(dataset.folder)
    document = {
        "database": "replay.db",
        "allow_private_networks": True,
        "fetch": REPLAY_FETCH,
        "outlets": [
            {
                "name": feed,
                "feeds": [server.url(f"/{feed}.xml")],
                "interval": "1m",
                "fetch_pages": dataset.pages,
                **({"aggregator": True} if flag and feed in dataset.aggregators else {}),
            }
            for feed in feeds
        ],
        "monitors": list(monitors),
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path


@dataclass
class Detection:
    """Per event: the first poll it existed at."""

    first_poll: dict[int, datetime] = field(default_factory=dict)


async def replay(
    dataset: Dataset,
    workdir: Path,
    stamps: bool,
    flag: bool,
    monitors: tuple[dict, ...] = (SUBJECTS["missile_launch"].block,),
    fast: bool = False,
) -> tuple[config.Config, Detection, float]:
    """Every step of `dataset`, polled in order (with `fast`, only the steps where a feed
    or a page changes); call inside `reactor.run`."""
    plan = snapshots(dataset.folder)
    versions = page_versions(dataset.folder)
    detection = Detection()
    started = time.perf_counter()
    with LoopbackServer() as server:
        served = ReplayServer(dataset, server, stamps)
        server.routes = _AnyPath(served.route)
        cfg = config.load(write_config(workdir, server, dataset, flag, monitors))
        since: dict[str, tuple[str, str]] = {}
        next_version = 0
        for moment, blobs in plan:
            changed = False
            for feed, blob in blobs.items():
                if since.get(feed, ("", ""))[0] != blob:
                    stamp = datetime.fromtimestamp(moment, UTC)
                    since[feed] = (blob, stamp.strftime("%a, %d %b %Y %H:%M:%S GMT"))
                    changed = True
            served.feeds = dict(since)
            while next_version < len(versions) and versions[next_version][0] <= moment:
                _, path, file = versions[next_version]
                served.pages[path] = file
                next_version += 1
                changed = True
            if fast and not changed:
                continue
            now = datetime.fromtimestamp(moment, UTC)
            await poll.poll_once(cfg, Clock(now), every=True)
            db = store.db.open_db(cfg.database)
            try:
                for (event_id,) in db.execute("SELECT id FROM events"):
                    detection.first_poll.setdefault(event_id, now)
            finally:
                db.close()
    return cfg, detection, time.perf_counter() - started


class _AnyPath(dict):
    """A routes table that sends every path to one function."""

    def __init__(self, route):
        super().__init__()
        self._route = route

    def get(self, key, default=None):
        return self._route


# -- scoring ---------------------------------------------------------------------------


@dataclass
class Member:
    event_id: int
    article_id: int
    title: str
    feed: str
    role: str | None
    language: str | None
    keys: tuple[str, ...] = ()  # every feed entry that led to this article

    def label(self, labels: dict[str, str], not_a_report: str = NOT_A_REPORT) -> str | None:
        found = [labels[k] for k in self.keys if k in labels]
        return next((x for x in found if x != not_a_report), found[0] if found else None)


def members(db, keys: dict[int, list[str]], monitor: str | None = None) -> list[Member]:
    has_role = "role" in {c.name for c in db["event_articles"].columns}
    role = "ea.role" if has_role else "NULL"
    sql = f"""
        SELECT ea.event_id, ea.article_id, a.title, f.config_url, {role}, a.language
        FROM event_articles ea
        JOIN articles a ON a.id = ea.article_id
        JOIN feeds f ON f.id = a.feed_id
        {"WHERE ea.monitor = ?" if monitor else ""}
    """
    rows = db.execute(sql, [monitor] if monitor else [])
    return [Member(*row, keys=tuple(keys.get(row[1], ()))) for row in rows]


@dataclass(frozen=True)
class Sighting:
    """A feed entry as the crawler first saw it."""

    key: str
    feed: str
    title: str
    first_seen: datetime


def sightings(db) -> dict[str, Sighting]:
    """entry key -> its earliest sighting (an item several feeds carry: the first)."""
    found: dict[str, Sighting] = {}
    sql = """SELECT e.entry_key, f.config_url, coalesce(e.title, ''), e.first_seen
             FROM entries e JOIN feeds f ON f.id = e.feed_id"""
    for key, url, title, seen in db.execute(sql):
        sighting = Sighting(
            key, url.rsplit("/", 1)[1].removesuffix(".xml"), title, parse_instant(seen)
        )
        if key not in found or sighting.first_seen < found[key].first_seen:
            found[key] = sighting
    return found


def due_at(reports: list[Sighting], aggregators: tuple[str, ...]) -> datetime | None:
    """The first poll that carries one direct report, or two headline lists with
    different lead outlets ("Headline - Outlet"): when the event should open."""
    leads: set[str] = set()
    for seen in sorted(reports, key=lambda s: s.first_seen):
        if seen.feed not in aggregators:
            return seen.first_seen
        leads.add(seen.title.rsplit(" - ", 1)[-1].strip().lower())
        if len(leads) >= 2:
            return seen.first_seen
    return None


def time_error(launch: Launch, at: datetime) -> float | None:
    """Hours from the labelled instant, else from the interval the reports allow (0 inside
    it); None when neither is known."""
    if launch.clock_known and launch.time is not None:
        return (at - launch.time).total_seconds() / 3600
    if launch.earliest is None or launch.latest is None:
        return None
    if at < launch.earliest:
        return (at - launch.earliest).total_seconds() / 3600
    if at > launch.latest:
        return (at - launch.latest).total_seconds() / 3600
    return 0.0


def article_keys(db) -> dict[int, list[str]]:
    keys: dict[int, list[str]] = defaultdict(list)
    for key, article in db.execute(
        "SELECT entry_key, article_id FROM entries WHERE article_id IS NOT NULL"
    ):
        keys[article].append(key)
    return keys


def article_rows(db) -> dict[int, tuple[str, str]]:
    """article id -> (title, when it was stored)"""
    return {
        row[0]: (row[1], row[2]) for row in db.execute("SELECT id, title, fetched_at FROM articles")
    }


def event_rows(db, monitor: str | None = None) -> dict[int, dict]:
    if monitor:
        return {r["id"]: r for r in db.query("SELECT * FROM events WHERE monitor = ?", [monitor])}
    return {row["id"]: row for row in db.query("SELECT * FROM events")}


def point_time(event: dict) -> datetime:
    """The instant an event is shown at: newsmon's own field if it has one."""
    if event.get("time_point"):
        return parse_instant(event["time_point"])
    start, end = parse_instant(event["time_start"]), parse_instant(event["time_end"])
    if event["precision"] in ("minute", "hour"):
        return start + (end - start) / 2
    return start


def score(
    dataset: Dataset, cfg: config.Config, detection: Detection, monitor: str | None = None
) -> dict:
    """The figures of one monitor's events (every monitor's when `monitor` is None)."""
    db = store.db.open_db(cfg.database)
    try:
        keys = article_keys(db)
        stored = {key: article for article, ks in keys.items() for key in ks}
        everyone = members(db, keys, monitor)
        events = event_rows(db, monitor)
        stored_articles = article_rows(db)
        seen = sightings(db)
    finally:
        db.close()
    by_event: dict[int, list[Member]] = defaultdict(list)
    for m in everyone:
        by_event[m.event_id].append(m)
    result = {"launches": {}, "false_events": [], "events": len(events)}
    launch_events: set[int] = set()
    for label, launch in sorted(dataset.launches.items()):
        reports = [k for k, v in dataset.labels.items() if v == label and k in stored]
        if not reports:
            continue
        on: dict[int, list[str]] = defaultdict(list)
        for m in everyone:
            on[m.event_id] += [k for k in m.keys if k in reports]
        on = defaultdict(list, {e: ks for e, ks in on.items() if ks})
        split = len(on)
        # the event holding most of its reports; of equals, the earliest opened
        main = max(sorted(on), key=lambda e: len(on[e])) if on else None
        launch_events |= set(on)
        due = due_at([seen[k] for k in reports if k in seen], dataset.aggregators)
        row: dict = {
            "reports_stored": len(reports),
            "events": split,
            "event_ids": sorted(on),
            "due": due.isoformat() if due else None,
        }
        if main is not None:
            event = events[main]
            mem = by_event[main]
            wrong = [m for m in mem if m.label(dataset.labels, dataset.not_a_report) != label]
            at = point_time(event)
            known = launch.clock_known and launch.time is not None
            error = (at - launch.time).total_seconds() / 3600 if known else None
            local_day = at.astimezone(SEOUL).date()
            row.update(
                {
                    "event_id": main,
                    "recall": len(on[main]) / len(reports),
                    "on_event": len(on[main]),
                    "members": len(mem),
                    "not_belonging": [f"{m.feed.rsplit('/', 1)[1]}: {m.title}" for m in wrong],
                    "precision": (len(mem) - len(wrong)) / len(mem),
                    "time": f"{event['time_start']} .. {event['time_end']} ({event['precision']})",
                    "shown_at": at.isoformat(),
                    "error_hours": None if error is None else round(error, 2),
                    "right_local_day": None
                    if launch.time is None
                    else local_day == launch.time.astimezone(SEOUL).date(),
                    "facts": json.loads(event["facts"] or "{}"),
                    "first_stored": min(stored_articles[stored[k]][1] for k in reports),
                    "detected": detection.first_poll.get(main, datetime.max).isoformat(),
                    "merged_with": sorted(
                        {m.label(dataset.labels, dataset.not_a_report) for m in mem}
                        - {label, dataset.not_a_report, None}
                    ),
                    "time_error_hours": _rounded(time_error(launch, at)),
                    "missed": [stored_articles[stored[k]][0] for k in reports if k not in on[main]],
                    "roles": dict(Counter(m.role for m in mem if m.role)),
                    "languages": dict(Counter(m.language or "?" for m in mem)),
                }
            )
            facts = row["facts"]
            row["has_place"] = bool(facts.get("place"))
            row["has_magnitude"] = facts.get("magnitude") is not None
            row["place_agrees"] = place_agrees(launch.place, facts.get("place"))
            row["magnitude_agrees"] = magnitude_agrees(launch.magnitude, facts.get("magnitude"))
            opened = detection.first_poll.get(main)
            row["latency_hours"] = (
                None if opened is None or due is None else _rounded((opened - due) / ONE_HOUR)
            )
            row["on_time"] = None if row["latency_hours"] is None else row["latency_hours"] <= 0
        result["launches"][label] = row
    for event_id, event in sorted(events.items()):
        if event_id in launch_events:
            continue
        titles = [f"{m.feed.rsplit('/', 1)[1]}: {m.title}" for m in by_event[event_id]]
        result["false_events"].append({"id": event_id, "title": event["title"], "members": titles})
    result["totals"] = totals(result, by_event, dataset)
    return result


ONE_HOUR = timedelta(hours=1)
MAGNITUDE_SPREAD = 0.5  # agencies differ: USGS 6.6 and Taiwan's CWA 7.0 for one quake


def place_agrees(labelled: tuple[str, ...], found: object) -> bool | None:
    """The event's place path and the labelled one agree on their common levels (so
    ["Taiwan"] agrees with Taiwan > Yilan County); None when either is unknown."""
    if not labelled or not found:
        return None
    path = [found] if isinstance(found, str) else list(found)
    pairs = zip(labelled, path, strict=False)
    return all(a.casefold() == str(b).casefold() for a, b in pairs)


def magnitude_agrees(labelled: float | None, found: object) -> bool | None:
    if labelled is None or not isinstance(found, int | float):
        return None
    return abs(labelled - found) <= MAGNITUDE_SPREAD


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def totals(result: dict, by_event: dict[int, list[Member]], dataset: Dataset) -> dict:
    """Figures over events: recall (labelled events that have an event), precision (events
    that are a labelled event's own), splits, merges (events holding reports of two labelled
    events), false events, the worst time error and how many opened late."""
    rows = list(result["launches"].values())
    found = [r for r in rows if "event_id" in r]
    mains = {r["event_id"] for r in found}
    merged = 0
    for mem in by_event.values():
        named = {m.label(dataset.labels, dataset.not_a_report) for m in mem}
        merged += len(named - {dataset.not_a_report, None}) >= 2
    errors = [abs(r["time_error_hours"]) for r in found if r["time_error_hours"] is not None]
    return {
        "labelled": len(rows),
        "found": len(found),
        "recall": len(found) / len(rows) if rows else None,
        "precision": len(mains) / result["events"] if result["events"] else None,
        "splits": sum(r["events"] - 1 for r in found),
        "merges": merged,
        "false_events": len(result["false_events"]),
        "reports_recall": (
            sum(r["on_event"] for r in found) / sum(r["reports_stored"] for r in rows)
            if rows
            else None
        ),
        "reports_precision": (
            sum(r["members"] - len(r["not_belonging"]) for r in found)
            / sum(r["members"] for r in found)
            if found
            else None
        ),
        "with_place": sum(r["has_place"] for r in found),
        "with_magnitude": sum(r["has_magnitude"] for r in found),
        "place_disagrees": sum(r["place_agrees"] is False for r in found),
        "magnitude_disagrees": sum(r["magnitude_agrees"] is False for r in found),
        "max_time_error_hours": max(errors) if errors else None,
        "late": sum(r["on_time"] is False for r in found),
    }


def report(name: str, result: dict, elapsed: float, stamps: bool, extended: bool = False) -> None:
    """The launch report; `extended` adds merges, place, magnitude, time error against an
    interval, opening poll and totals (the lines every event benchmark but the launch
    replays prints)."""
    print(
        f"\n== {name}{' with byline stamps' if stamps else ''}: {elapsed:.0f} s, "
        f"{result['events']} events"
    )
    if extended:
        report_events(result)
        return
    for label, row in result["launches"].items():
        print(
            f"{label}: {row['reports_stored']} reports stored, split into {row['events']} "
            f"event(s) {row['event_ids']}"
        )
        if "event_id" not in row:
            print("  no event")
            continue
        print(f"  recall    {row['on_event']}/{row['reports_stored']} = {row['recall']:.2f}")
        print(
            f"  precision {row['members'] - len(row['not_belonging'])}/{row['members']}"
            f" = {row['precision']:.2f}"
        )
        for title in row["not_belonging"]:
            print(f"    not belonging: {title}")
        for title in row["missed"]:
            print(f"    missed: {title}")
        error = row["error_hours"]
        print(
            f"  time      {row['time']}; shown {row['shown_at']}; "
            + (f"error {error:+.2f} h" if error is not None else "clock unknown")
            + f"; right local day: {row['right_local_day']}"
        )
        print(f"  facts     {json.dumps(row['facts'], ensure_ascii=False)}")
        print(f"  roles     {row['roles']}")
        print(f"  languages {row['languages']}")
        print(f"  detected  {row['detected']} (first report stored {row['first_stored']})")
    print(f"false events: {len(result['false_events'])}")
    for event in result["false_events"]:
        print(f"  [{event['id']}] {event['title']}")
        for title in event["members"]:
            print(f"      - {title}")


def report_events(result: dict) -> None:
    for label, row in result["launches"].items():
        print(f"{label}: {row['reports_stored']} reports stored, {row['events']} event(s)")
        if "event_id" not in row:
            print("  no event")
            continue
        facts = row["facts"]
        error = row["time_error_hours"]
        print(
            f"  recall {row['on_event']}/{row['reports_stored']} = {row['recall']:.2f};"
            f" precision {row['members'] - len(row['not_belonging'])}/{row['members']}"
            f" = {row['precision']:.2f}; merged with: {', '.join(row['merged_with']) or 'none'}"
        )
        for title in row["not_belonging"]:
            print(f"    not belonging: {title}")
        for title in row["missed"]:
            print(f"    missed: {title}")
        print(
            f"  place {json.dumps(facts.get('place'), ensure_ascii=False)}"
            f" (agrees: {_yes(row['place_agrees'])});"
            f" magnitude {facts.get('magnitude')} (agrees: {_yes(row['magnitude_agrees'])});"
            f" time {row['time']}, "
            + (f"error {error:+.2f} h" if error is not None else "error unknown")
        )
        late = row["latency_hours"]
        print(
            f"  opened {row['detected']}, due {row['due']}: "
            + ("?" if late is None else "on time" if late <= 0 else f"{late:.2f} h late")
        )
    print(f"false events: {len(result['false_events'])}")
    for event in result["false_events"]:
        print(f"  [{event['id']}] {event['title']}")
        for title in event["members"][:5]:
            print(f"      - {title}")
    t = result["totals"]
    print(
        f"totals: {t['labelled']} labelled, recall {_figure(t['recall'])}, precision"
        f" {_figure(t['precision'])} over events; splits {t['splits']}, merges {t['merges']},"
        f" false events {t['false_events']}, reports on their event"
        f" {_figure(t['reports_recall'])}, place {t['with_place']}, magnitude"
        f" {t['with_magnitude']}, worst time error {_figure(t['max_time_error_hours'])} h,"
        f" opened late {t['late']}"
    )


def _yes(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def runs(args: argparse.Namespace) -> Iterator[tuple[Dataset, bool]]:
    names = ["dec2025", "aug2026"] if args.dataset == "all" else [args.dataset]
    for name in names:
        dataset = load_dataset(name)
        if dataset is None:
            continue
        yield dataset, False
        if args.stamps and dataset.pages and not args.fast:
            yield dataset, True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dataset",
        default="all",
        help="dec2025, aug2026, all, or the path of a replay folder in the same format",
    )
    parser.add_argument("--stamps", action="store_true", help="also replay with byline stamps")
    parser.add_argument(
        "--aggregator-flag",
        action="store_true",
        help="mark Google News World `aggregator: true` (default: rely on detection alone)",
    )
    parser.add_argument(
        "--monitor",
        action="append",
        help="missile_launch (default), earthquake, or a bench/monitors/<name>.yaml; repeatable",
    )
    parser.add_argument(
        "--fast", action="store_true", help="poll only the steps where something changes"
    )
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = parser.parse_args()
    try:
        subjects = [subject(name) for name in args.monitor or ["missile_launch"]]
    except ValueError as exc:
        parser.error(str(exc))
    for missing in [s for s in subjects if not s.installed]:
        print(f"skipped: monitor type {missing.block['type']!r} is not installed ({missing.name})")
    subjects = [s for s in subjects if s.installed]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:

        async def run_all() -> None:
            for dataset, stamps in runs(args):
                name = f"{dataset.name}{'-stamps' if stamps else ''}"
                workdir = (args.keep or Path(tmp)) / name
                if workdir.exists():
                    shutil.rmtree(workdir)
                workdir.mkdir(parents=True)
                blocks = tuple(s.block for s in subjects)
                cfg, detection, elapsed = await replay(
                    dataset, workdir, stamps, args.aggregator_flag, blocks, args.fast
                )
                results[name] = {}
                for one in subjects:
                    labelled = dataset if one.labels == "launches" else quake_labels(dataset)
                    result = score(labelled, cfg, detection, one.monitor)
                    results[name][one.name] = result
                    extended = one.labels != "launches"
                    title = dataset.name if len(subjects) == 1 else f"{dataset.name} / {one.name}"
                    report(title, result, elapsed, stamps, extended)

        if subjects:
            reactor.run(run_all)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
