"""The missile_launch monitor on real Korean news: korean-news-dec2025 (528 Naver articles).

Every article of the dataset (63 labelled DEC28-CRUISE: the strategic cruise-missile
test of 28 Dec 2025, launched about 08:00 KST = 2025-12-27T23:00Z; 465 not a launch
report) is read by the monitor in-process, as the crawler would hand it over: the
front-matter title, the text, and a publication time. The dataset's `published_at`
is a Korean day only, so the publication time is `crawled_at` (UTC), but never later
than the end of that Korean day: the crawler ran in bursts, and a report crawled after
midnight would otherwise read its own "어제" (yesterday) a day late. The figures with
`crawled_at` alone are printed too.

Printed: how many DEC28 reports match (recall), their event times against the launch
(how many name a clock time, and those within an hour of it), the facts found, whether
they form one event by the engine's join rule (intervals widened by 3 hours overlap,
same actor) together with a few English and Japanese reports of the launch written for
the tests (tests/data/monitors), every article that is not a launch report but matched,
and the monitor's time per article.

`--english` also times the monitor on English news: the newest version of every page
of feed-replay-dec2025 (extracted with the crawler's own extractor first, untimed).

    python -m bench.monitor_korean [--rounds N] [--english]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import ROOT, dataset, median
from monitors.base import ArticleView, EventTime, Match, MonitorConfig
from monitors.launchrules import choose
from monitors.missile_launch import MissileLaunchMonitor, from_config

NAME = "korean-news-dec2025"
LABEL = "DEC28-CRUISE"
NOT_A_REPORT = "NOT-A-LAUNCH-REPORT"
LAUNCH = datetime(2025, 12, 27, 23, 0, tzinfo=UTC)  # about 08:00 KST on 28 Dec, by the JCS
SEOUL = ZoneInfo("Asia/Seoul")
TOLERANCE = timedelta(hours=3)  # the engine's join rule (crawler/events.py TIME_TOLERANCE)
PRECISIONS = ("minute", "hour", "part_of_day", "day", "days")
FIXTURES = ROOT / "tests" / "data" / "monitors"
OTHER_LANGUAGES = ("en-wire-dec28", "ja-nhk-dec28", "ja-kyodo-dec28")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    publisher: str
    label: str
    view: ArticleView
    crawled_only: ArticleView  # the same with crawled_at as the publication time


def load(folder: Path) -> list[Article]:
    """Every article of index.csv, its text from its Markdown file."""
    found = []
    with (folder / "index.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            crawled = datetime.fromisoformat(row["crawled_at"]).replace(tzinfo=UTC)
            day = datetime.fromisoformat(row["published_at"]).date()
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), SEOUL)
            published = min(crawled, day_end.astimezone(UTC) - timedelta(seconds=1))
            view = ArticleView(
                url=row["url"],
                title=row["title"],
                text=_text((folder / row["file"]).read_text(encoding="utf-8")),
                published=published,
                outlet=row["publisher"],
            )
            found.append(
                Article(
                    row["id"],
                    row["title"],
                    row["publisher"],
                    row["label"],
                    view,
                    ArticleView(view.url, view.title, view.text, crawled, outlet=view.outlet),
                )
            )
    return found


def _text(markdown: str) -> str:
    """The article text: between the header block and the footer, entities decoded."""
    parts = markdown.split("\n---\n")
    body = "\n---\n".join(parts[2:-1]) if len(parts) > 3 else parts[-1]
    return html.unescape(body).strip()


def fixture(name: str) -> tuple[str, ArticleView]:
    """tests/data/monitors/NAME.txt: header lines, a blank line, the body."""
    head, body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n\n", 1)
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    view = ArticleView(
        url=f"fixture:{name}",
        title=meta["title"],
        text=body,
        published=datetime.fromisoformat(meta["published"]),
        language=meta.get("language"),
    )
    return name, view


def error_hours(found: EventTime) -> float:
    middle = found.start + (found.end - found.start) / 2
    return (middle - LAUNCH).total_seconds() / 3600


def event_interval(times: list[EventTime]) -> tuple[datetime, datetime]:
    """As the engine shows an event: the sharpest members, their largest agreeing group,
    its intersection."""
    sharpest = min(PRECISIONS.index(t.precision) for t in times)
    best = sorted(
        (t for t in times if PRECISIONS.index(t.precision) == sharpest),
        key=lambda t: (t.start, t.end),
    )
    groups: list[list[EventTime]] = []
    for t in best:
        if groups and t.start <= min(x.end for x in groups[-1]):
            groups[-1].append(t)
        else:
            groups.append([t])
    group = max(groups, key=len)
    start, end = max(t.start for t in group), min(t.end for t in group)
    return (start, end) if start <= end else (group[0].start, group[0].end)


def joins(found: EventTime | None, event: tuple[datetime, datetime]) -> bool:
    if found is None:
        return True  # the engine's default: the two days before publication
    return found.start - TOLERANCE <= event[1] + TOLERANCE and event[0] - TOLERANCE <= (
        found.end + TOLERANCE
    )


def timed(monitor: MissileLaunchMonitor, views: list[ArticleView], rounds: int) -> float:
    """Median milliseconds per article over `rounds` passes."""
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        for view in views:
            monitor.match(view)
        runs.append((time.perf_counter() - start) * 1000 / len(views))
    return median(runs)


def report_times(matches: list[tuple[Article, Match]], label: str) -> None:
    clock = [m for _, m in matches if m.time and m.time.precision == "minute"]
    close = [m for m in clock if abs(error_hours(m.time)) <= 1]  # type: ignore[arg-type]
    day = [m for _, m in matches if m.time and m.time.precision != "minute"]
    right_day = [
        m
        for m in day
        if m.time
        and m.time.precision != "days"
        and m.time.start <= LAUNCH + timedelta(hours=1)
        and m.time.end >= LAUNCH
    ]
    print(
        f"  time ({label}): {len(clock)} name a clock time, {len(close)} of them within 1 h "
        f"of the launch; {len(day)} give a part of day, a day or none, "
        f"{len(right_day)} of them containing it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing passes (median)")
    parser.add_argument("--english", action="store_true", help="also time English pages")
    args = parser.parse_args()
    folder = dataset(NAME)
    monitor = from_config(MonitorConfig("missile-launches", "missile_launch", {}))
    articles = load(folder)
    results = [(a, monitor.match(a.view)) for a in articles]
    reports = [a for a in articles if a.label == LABEL]
    found = [(a, m) for a, m in results if a.label == LABEL and m is not None]
    print(f"== {NAME}: {len(articles)} articles, {len(reports)} labelled {LABEL}")
    languages = Counter(
        choose(monitor.lexicons, None, a.title, a.view.text).language for a in reports
    )
    print(
        f"{LABEL}: {len(found)}/{len(reports)} matched ({len(found) / len(reports):.0%}); "
        f"read as {dict(sorted(languages.items()))}"
    )
    for a in reports:
        if all(a is not b for b, _ in found):
            print(f"  missed: {a.id} {a.publisher}: {a.title}")
    accounts = Counter(m.account for _, m in found)
    print(f"  accounts: {dict(sorted(accounts.items()))}")
    report_times(found, "publication = crawled_at, at most the end of its Korean day")
    crawled = [(a, monitor.match(a.crawled_only)) for a in reports]
    report_times([(a, m) for a, m in crawled if m is not None], "publication = crawled_at")
    for a, m in found:
        if m.time and m.time.precision == "minute" and abs(error_hours(m.time)) > 1:
            print(
                f"    off by {error_hours(m.time):+.1f} h: {a.id} {a.title[:50]} ({m.time.phrase})"
            )
    print("  facts (reports giving each value):")
    tally: dict[str, Counter[str]] = {}
    for _, m in found:
        for key, value in m.facts.items():
            values = value if isinstance(value, list) else [value]
            for v in values:
                tally.setdefault(key, Counter())[str(v)] += 1
    for key in sorted(tally):
        top = ", ".join(f"{v} ({n})" for v, n in tally[key].most_common(4))
        print(f"    {key}: {top}")
    others = [fixture(name) for name in OTHER_LANGUAGES]
    other_matches = [(name, monitor.match(view)) for name, view in others]
    print("  the same launch in other languages (tests/data/monitors):")
    for name, m in other_matches:
        if m is None:
            print(f"    {name}: no match")
            continue
        t = m.time
        when = f"{t.precision}, error {error_hours(t):+.1f} h ({t.phrase})" if t else "no time"
        facts = {k: v for k, v in m.facts.items() if k != "actor"}
        print(f"    {name}: {m.account}; {when}; {facts}")
    times = [m.time for _, m in found if m.time] + [
        m.time for _, m in other_matches if m and m.time
    ]
    event = event_interval(times)
    members = [m for _, m in found] + [m for _, m in other_matches if m]
    joined = [m for m in members if joins(m.time, event)]
    print(
        f"  one event by the join rule: its time {event[0]:%Y-%m-%dT%H:%MZ} .. "
        f"{event[1]:%Y-%m-%dT%H:%MZ}; {len(joined)}/{len(members)} reports fit it "
        f"({len(found)} Korean and Japanese of the dataset, {len(members) - len(found)} written)"
    )
    for a, m in found:
        if not joins(m.time, event):
            print(f"    would not join: {a.id} {a.title[:50]} ({m.time.phrase if m.time else ''})")
    wrong = [(a, m) for a, m in results if a.label == NOT_A_REPORT and m is not None]
    negatives = sum(1 for a in articles if a.label == NOT_A_REPORT)
    false_events = [(a, m) for a, m in wrong if not joins(m.time, event)]
    print(
        f"{NOT_A_REPORT}: {len(wrong)}/{negatives} matched; {len(false_events)} would open "
        "an event of their own (false events)"
    )
    for a, m in wrong:
        where = "own event" if (a, m) in false_events else f"joins the {LABEL} event"
        print(f"  {a.id} {a.publisher}: {a.title} [{where}]\n    evidence: {m.evidence}")
    views = [a.view for a in articles]
    per_article = timed(monitor, views, args.rounds)
    missile = [a.view for a in articles if a.label == LABEL]
    print(
        f"time: {per_article:.3f} ms per article over all {len(views)}; "
        f"{timed(monitor, missile, args.rounds):.3f} ms per {LABEL} report"
    )
    if args.english:
        pages = english_pages()
        print(
            f"time: {timed(monitor, pages, args.rounds):.3f} ms per article over "
            f"{len(pages)} English pages of feed-replay-dec2025"
        )


def english_pages() -> list[ArticleView]:
    """The newest version of every page of feed-replay-dec2025, as the crawler extracts it."""
    from crawler.parse.extract import extract_page  # the crawler's extractor, for English text only

    folder = dataset("feed-replay-dec2025")
    newest: dict[str, str] = {}
    with (folder / "pages.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            newest[row["path"]] = row["file"]
    views = []
    for path, file in sorted(newest.items()):
        page = extract_page(gzip.decompress((folder / file).read_bytes()), f"http://replay{path}")
        published = datetime.fromisoformat(page.published) if page.published else None
        views.append(ArticleView(path, page.title or "", page.text or "", published))
    return views


if __name__ == "__main__":
    main()
