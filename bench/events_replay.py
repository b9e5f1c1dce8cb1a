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

`--stamps` prints a byline stamp ("December 29, 2025 09:41 GMT", the item's own
publication time) at the top of every page body, as real BBC, Al Jazeera and
AP pages do: stamps must never be read as launch times.

    python -m bench.events_replay [--dataset dec2025|aug2026|all] [--stamps] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
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

PLACEHOLDER = b"http://replay.invalid"
SEOUL = ZoneInfo("Asia/Seoul")
LABELS = ROOT / "bench" / "labels"
NOT_A_REPORT = "NOT-A-LAUNCH-REPORT"


@dataclass(frozen=True)
class Launch:
    """A labelled real launch: when it happened, as precisely as is known."""

    label: str
    time: datetime | None  # with `clock_known` False only its local day is known
    clock_known: bool


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


def write_config(workdir: Path, server: LoopbackServer, dataset: Dataset, flag: bool) -> Path:
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
        "monitors": [{"name": "missile-launches", "type": "missile_launch"}],
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@dataclass
class Detection:
    """Per event: the first poll it existed at."""

    first_poll: dict[int, datetime] = field(default_factory=dict)


async def replay(
    dataset: Dataset, workdir: Path, stamps: bool, flag: bool
) -> tuple[config.Config, Detection, float]:
    """Every step of `dataset`, polled in order; call inside `reactor.run`."""
    plan = snapshots(dataset.folder)
    versions = page_versions(dataset.folder)
    detection = Detection()
    started = time.perf_counter()
    with LoopbackServer() as server:
        served = ReplayServer(dataset, server, stamps)
        server.routes = _AnyPath(served.route)
        cfg = config.load(write_config(workdir, server, dataset, flag))
        since: dict[str, tuple[str, str]] = {}
        next_version = 0
        for moment, blobs in plan:
            for feed, blob in blobs.items():
                if since.get(feed, ("", ""))[0] != blob:
                    stamp = datetime.fromtimestamp(moment, UTC)
                    since[feed] = (blob, stamp.strftime("%a, %d %b %Y %H:%M:%S GMT"))
            served.feeds = dict(since)
            while next_version < len(versions) and versions[next_version][0] <= moment:
                _, path, file = versions[next_version]
                served.pages[path] = file
                next_version += 1
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

    def label(self, labels: dict[str, str]) -> str | None:
        found = [labels[k] for k in self.keys if k in labels]
        return next((x for x in found if x != NOT_A_REPORT), found[0] if found else None)


def members(db, keys: dict[int, list[str]]) -> list[Member]:
    has_role = "role" in {c.name for c in db["event_articles"].columns}
    role = "ea.role" if has_role else "NULL"
    sql = f"""
        SELECT ea.event_id, ea.article_id, a.title, f.config_url, {role}, a.language
        FROM event_articles ea
        JOIN articles a ON a.id = ea.article_id
        JOIN feeds f ON f.id = a.feed_id
    """
    return [Member(*row, keys=tuple(keys.get(row[1], ()))) for row in db.execute(sql)]


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


def event_rows(db) -> dict[int, dict]:
    return {row["id"]: row for row in db.query("SELECT * FROM events")}


def point_time(event: dict) -> datetime:
    """The instant an event is shown at: newsmon's own field if it has one."""
    if event.get("time_point"):
        return parse_instant(event["time_point"])
    start, end = parse_instant(event["time_start"]), parse_instant(event["time_end"])
    if event["precision"] in ("minute", "hour"):
        return start + (end - start) / 2
    return start


def score(dataset: Dataset, cfg: config.Config, detection: Detection) -> dict:
    db = store.db.open_db(cfg.database)
    try:
        keys = article_keys(db)
        stored = {key: article for article, ks in keys.items() for key in ks}
        everyone = members(db, keys)
        events = event_rows(db)
        stored_articles = article_rows(db)
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
        split = len(on)
        main = max(on, key=lambda e: len(on[e])) if on else None
        launch_events |= set(on)
        row: dict = {"reports_stored": len(reports), "events": split, "event_ids": sorted(on)}
        if main is not None:
            event = events[main]
            mem = by_event[main]
            wrong = [m for m in mem if m.label(dataset.labels) != label]
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
                    "missed": [stored_articles[stored[k]][0] for k in reports if k not in on[main]],
                    "roles": dict(Counter(m.role for m in mem if m.role)),
                    "languages": dict(Counter(m.language or "?" for m in mem)),
                }
            )
        result["launches"][label] = row
    for event_id, event in sorted(events.items()):
        if event_id in launch_events:
            continue
        titles = [f"{m.feed.rsplit('/', 1)[1]}: {m.title}" for m in by_event[event_id]]
        result["false_events"].append({"id": event_id, "title": event["title"], "members": titles})
    return result


def report(name: str, result: dict, elapsed: float, stamps: bool) -> None:
    print(
        f"\n== {name}{' with byline stamps' if stamps else ''}: {elapsed:.0f} s, "
        f"{result['events']} events"
    )
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


def runs(args: argparse.Namespace) -> Iterator[tuple[Dataset, bool]]:
    names = ["dec2025", "aug2026"] if args.dataset == "all" else [args.dataset]
    for name in names:
        dataset = load_dataset(name)
        if dataset is None:
            continue
        yield dataset, False
        if args.stamps and dataset.pages:
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
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:

        async def run_all() -> None:
            for dataset, stamps in runs(args):
                name = f"{dataset.name}{'-stamps' if stamps else ''}"
                workdir = (args.keep or Path(tmp)) / name
                if workdir.exists():
                    shutil.rmtree(workdir)
                workdir.mkdir(parents=True)
                cfg, detection, elapsed = await replay(
                    dataset, workdir, stamps, args.aggregator_flag
                )
                results[name] = score(dataset, cfg, detection)
                report(dataset.name, results[name], elapsed, stamps)

        reactor.run(run_all)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
