"""Events from Korean news through the whole crawler: korean-news-dec2025 on loopback.

Every article of the dataset (63 reports of the 28 Dec 2025 strategic cruise-missile
test, launched about 08:00 KST; 465 that are not launch reports) is served as the page
its publisher's feed links to (`<html lang="ko">`, as Naver serves them), one RSS feed
per publisher (67), and polled by the real crawler hour by hour with the clock set to
each hour: an article appears in its feed from its publication time on. The dataset
gives a Korean day only; the publication time is `crawled_at`, never later than the end
of that day (as `bench.monitor_korean`).

With `--with-english` (the default) the same replay carries reports of the launch in
other languages: the real Fox News page of feed-replay-dec2025 (full text, English), and
the English (Yonhap style) and Japanese (NHK and Kyodo style) reports written for the
tests (`tests/data/monitors/*-dec28.txt`), each from an outlet of its own. They must
join the Korean reports' event: their headlines share no words with them.

Printed per labelled launch: the events its reports were split into, its reports on its
event (recall), members that do not belong (precision), false events, the event time
against the launch, facts, the languages on the event; and how many Korean copies
("[속보]" flashes of one agency item, one text under many publishers) were linked.

`--fast` (the CI guard's mode, `python -m bench.guard`) polls only the hours in which
some feed gains an article; `--json FILE` also writes the scores.

    python -m bench.events_korean [--no-english] [--fast] [--json FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import yaml

from bench.common import DATASETS, REPLAY_FETCH, ROOT, dataset
from bench.events_replay import NOT_A_REPORT, Dataset, Detection, Launch, report, score
from bench.monitor_korean import LABEL, LAUNCH, load
from crawler import config, store
from crawler.clock import Clock
from crawler.fetch import reactor
from crawler.loopback import LoopbackServer, Reply
from crawler.poll import poll_once

FIXTURES = ROOT / "tests" / "data" / "monitors"
OTHER_LANGUAGE_FIXTURES = {  # fixture → (outlet, language)
    "en-wire-dec28": ("Yonhap English (fixture)", "en"),
    "ja-nhk-dec28": ("NHK (fixture)", "ja"),
    "ja-kyodo-dec28": ("Kyodo (fixture)", "ja"),
}
FOX_PAGE = "pages/fox/ed34a9ea0169cf16.html.gz"  # feed-replay-dec2025: the Fox News report
FOX_TIME = datetime(2025, 12, 29, 17, 37, 39, tzinfo=UTC)
STEP = timedelta(hours=1)


@dataclass(frozen=True)
class Item:
    key: str  # the feed item's guid: the dataset's article id
    outlet: str
    title: str
    published: datetime
    page: bytes  # the page's HTML
    label: str


def page(title: str, text: str, published: datetime, language: str) -> bytes:
    paragraphs = "\n".join(
        f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
    )
    return f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="article:published_time" content="{published.isoformat()}">
</head><body><nav><a href="/">Home</a></nav>
<article><h1>{html.escape(title)}</h1>
{paragraphs}
</article><footer>Copyright.</footer></body></html>""".encode()


def korean_items(folder: Path) -> list[Item]:
    return [
        Item(
            a.id,
            a.publisher,
            a.title,
            a.view.published,
            page(a.title, a.view.text, a.view.published, "ko"),
            a.label,
        )
        for a in load(folder)
    ]


def other_language_items() -> list[Item]:
    items = []
    for name, (outlet, language) in OTHER_LANGUAGE_FIXTURES.items():
        head, body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        published = datetime.fromisoformat(meta["published"]).astimezone(UTC)
        items.append(
            Item(
                name,
                outlet,
                meta["title"],
                published,
                page(meta["title"], body, published, language),
                LABEL,
            )
        )
    fox = DATASETS / "feed-replay-dec2025" / FOX_PAGE
    if fox.exists():
        body = gzip.decompress(fox.read_bytes())
        items.append(Item("fox-dec28", "Fox News", "", FOX_TIME, body, LABEL))
    return items


def rss(server: LoopbackServer, outlet_path: str, items: list[Item]) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(item.title)}</title>"
        f"<link>{server.url(f'{outlet_path}/{item.key}.html')}</link>"
        f'<guid isPermaLink="false">{html.escape(item.key)}</guid>'
        f"<pubDate>{format_datetime(item.published)}</pubDate></item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(outlet_path)}</title><link>http://127.0.0.1/</link>"
        f"<description>replay</description>{entries}</channel></rss>"
    ).encode()


async def replay(
    items: list[Item], workdir: Path, fast: bool = False
) -> tuple[config.Config, Detection, float]:
    outlets = sorted({item.outlet for item in items})
    paths = {outlet: f"/o{i}" for i, outlet in enumerate(outlets)}
    by_outlet: dict[str, list[Item]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.published):
        by_outlet[item.outlet].append(item)
    detection = Detection()
    started = time.perf_counter()
    with LoopbackServer() as server:
        document = {
            "database": "korean.db",
            "allow_private_networks": True,
            "fetch": REPLAY_FETCH,
            "outlets": [
                {"name": outlet, "feeds": [server.url(f"{paths[outlet]}.xml")], "interval": "1m"}
                for outlet in outlets
            ],
            "monitors": [{"name": "missile-launches", "type": "missile_launch"}],
        }
        (workdir / "config.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
        cfg = config.load(workdir / "config.yaml")
        for item in items:
            server.routes[f"{paths[item.outlet]}/{item.key}.html"] = Reply.static(
                item.page, "text/html; charset=utf-8"
            )
        first = min(item.published for item in items).replace(minute=0, second=0) + STEP
        last = max(item.published for item in items) + STEP
        moment = first
        served: dict[str, list[str]] = {}
        while moment <= last:
            changed = False
            for outlet, outlet_items in by_outlet.items():
                shown = [item for item in outlet_items if item.published <= moment][-50:]
                keys = [item.key for item in shown]
                if served.get(outlet) == keys:
                    continue
                served[outlet] = keys
                changed = True
                server.routes[f"{paths[outlet]}.xml"] = Reply.static(
                    rss(server, paths[outlet], shown), "application/rss+xml"
                )
            if fast and not changed:
                moment += STEP
                continue
            await poll_once(cfg, Clock(moment), every=True)
            db = store.db.open_db(cfg.database)
            try:
                for event in store.events.list_events(db, limit=1000):
                    detection.first_poll.setdefault(event["id"], moment)
            finally:
                db.close()
            moment += STEP
    return cfg, detection, time.perf_counter() - started


def copies(cfg: config.Config) -> tuple[int, Counter]:
    db = store.db.open_db(cfg.database)
    try:
        links = db.execute("SELECT relation, count(*) FROM article_links GROUP BY 1").fetchall()
        languages = Counter(
            row[0] for row in db.execute("SELECT coalesce(language, '?') FROM articles")
        )
    finally:
        db.close()
    return sum(count for _, count in links), Counter(dict(links)) + languages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-english", action="store_true", help="Korean reports only")
    parser.add_argument(
        "--fast", action="store_true", help="poll only the hours in which a feed changes"
    )
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    args = parser.parse_args()
    folder = dataset("korean-news-dec2025")
    items = korean_items(folder) + ([] if args.no_english else other_language_items())
    labels = {item.key: item.label for item in items}
    data = Dataset(
        "korean-news-dec2025",
        folder,
        labels,
        pages=True,
        launches={LABEL: Launch(LABEL, LAUNCH, True)},
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = (args.keep or Path(tmp)) / "korean"
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        cfg, detection, elapsed = reactor.run(lambda: replay(items, workdir, args.fast))
        result = score(data, cfg, detection)
        report(data.name, result, elapsed, stamps=False)
        if args.json:
            scores = {"korean": {"missile_launch": result}}
            args.json.write_text(json.dumps(scores, indent=2, ensure_ascii=False, default=str))
        linked, counts = copies(cfg)
        languages = ", ".join(
            f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("exact", "near", "title")
        )
        print(
            f"copies linked: {linked} ({counts.get('exact', 0)} exact,"
            f" {counts.get('near', 0)} near); stored articles by language: {languages}"
        )
        print(
            f"{sum(1 for v in labels.values() if v == LABEL)} launch reports, "
            f"{sum(1 for v in labels.values() if v == NOT_A_REPORT)} others"
        )


if __name__ == "__main__":
    main()
