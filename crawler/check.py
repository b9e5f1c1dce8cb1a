"""`newsmon check URL`: one feed and one of its articles through the whole pipeline, with
nothing stored (what `scrapy parse` is to a spider).

Before adding a feed, or when one misbehaves, an analyst wants to see what newsmon makes
of it: the format and entries the parser reads (and the items it refuses), the article
the extractor gets from one entry's page (or the feed's own text, and why), and which
monitors match it. The same fetch (Scrapy: robots.txt, user agent, limits, the
private-network guard), parser, extractor, fallback rules and monitors as a poll; no
database is opened.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler import ingest
from crawler.clock import isoformat
from crawler.config import Config, Outlet
from crawler.config.outlets_file import feed_key
from crawler.errors import NewsmonError, UsageError
from crawler.fetch.oneshot import PAGE_ACCEPT, fetch
from crawler.model import Entry, Parsed, PendingEntry, StoredArticle
from crawler.parse import articles
from crawler.parse.extract import extract_page
from crawler.parse.feeds import FeedError, parse
from crawler.report.wording import format_instant
from crawler.text import plural, word_count
from crawler.urls import resolve
from monitors.base import Match, Monitor

TEXT_LINES = 5  # of the article's text shown
LINE_WIDTH = 200


class CheckFailed(NewsmonError, RuntimeError):
    """The feed could not be fetched or parsed: the one thing `check` must not hide."""


class NoSuchEntry(UsageError, ValueError):
    """`--entry N` past the feed's last entry."""


async def check(
    cfg: Config,
    url: str,
    monitors: list[Monitor],
    now: datetime,
    *,
    number: int | None = None,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """What newsmon makes of the feed at `url` and of its entry `number` (1-based; default:
    the first readable one), as one JSON-ready record."""
    outlet = _outlet(cfg, url)
    parsed, report = await _feed(cfg, url, log_level)
    if parsed.format == "sitemapindex" and parsed.sitemaps:  # a poll reads its children
        child, report["child"] = await _feed(cfg, parsed.sitemaps[0], log_level)
        entries = child.entries
    else:
        entries = parsed.entries
    report["outlet"] = outlet.name if outlet else None
    entry, report["entry"] = _entry(entries, number)
    if entry is None:
        report.update(page=None, article=None, monitors=[], listing=False)
        return report
    pending = PendingEntry(
        0, 0, entry.link, entry.title, entry.author, entry.published, entry.summary,
        entry.content, 0, entry.language,
    )  # fmt: skip
    record, report["page"] = await _article(cfg, pending, outlet, log_level)
    if record is None:
        report.update(article=None, monitors=[], listing=False)
        return report
    lines = [line[:LINE_WIDTH] for line in record.text.splitlines() if line.strip()]
    report["article"] = {
        "url": record.url,
        "title": record.title,
        "published": record.published,
        "language": record.language,
        "word_count": word_count(record.text),
        "text_method": record.text_method,
        "text_lines": lines[:TEXT_LINES],
    }
    row = StoredArticle(
        id=0,
        url=record.url,
        title=record.title,
        text=record.text,
        text_hash=record.text_hash,
        published=record.published,
        published_utc=record.published_utc,
        fetched_at=isoformat(now),
        language=record.language,
        story_id=None,
        outlet=outlet.name if outlet else None,
        summary=entry.summary,
        content=entry.content,
    )
    matches, report["listing"] = ingest.read_by_monitors(row, monitors, cfg.aggregators)
    report["monitors"] = [_match(name, match) for name, match in matches]
    return report


def _outlet(cfg: Config, url: str) -> Outlet | None:
    key = feed_key(url)
    for outlet in cfg.outlets:
        if any(feed_key(source.url) == key for source in outlet.sources):
            return outlet
    return None


async def _feed(cfg: Config, url: str, log_level: str) -> tuple[Parsed, dict[str, Any]]:
    fetched = (await fetch(cfg, [url], log_level=log_level))[url]
    answer = fetched.answer
    if answer is None:
        raise CheckFailed(f"{url}: {fetched.error}")
    try:
        parsed = parse(answer.body, answer.url, answer.content_type)
    except FeedError as exc:
        raise CheckFailed(f"{url}: {exc}") from None
    refused = [
        {"entry": number, "problem": entry.problem}
        for number, entry in enumerate(parsed.entries, 1)
        if entry.problem is not None
    ]
    return parsed, {
        "url": url,
        "fetched_url": answer.url,
        "http_status": answer.status,
        "format": parsed.format,
        "title": parsed.title,
        "language": parsed.language,
        "entry_count": len(parsed.entries) - len(refused),
        "refused": refused,
        "warning": parsed.warning,
        "sitemap_count": len(parsed.sitemaps),
    }


def _entry(entries: tuple[Entry, ...], number: int | None) -> tuple[Entry | None, Any]:
    if number is None:
        readable = [i for i, e in enumerate(entries) if e.problem is None]
        if not readable:
            return None, None
        number = readable[0] + 1
    if not 1 <= number <= len(entries):
        raise NoSuchEntry(f"--entry {number}: the feed has {len(entries)} entries")
    entry = entries[number - 1]
    shown = {"number": number, "title": entry.title, "link": entry.link}
    shown.update(published=entry.published, problem=entry.problem)
    return (entry if entry.problem is None else None), shown


async def _article(
    cfg: Config, entry: PendingEntry, outlet: Outlet | None, log_level: str
) -> tuple[Any, dict[str, Any] | None]:
    """(the article a poll would store for the entry, the page's fetch), or the feed's
    own text as a poll keeps it when the page cannot be had."""
    if outlet is not None and not outlet.fetch_pages:
        return articles.from_feed(entry, headline=True), None
    if not entry.link:
        return articles.from_feed(entry), None
    page = (await fetch(cfg, [entry.link], accept=PAGE_ACCEPT, log_level=log_level))[entry.link]
    shown: dict[str, Any] = {"url": entry.link, "http_status": page.status, "error": page.error}
    answer = page.answer
    if answer is not None and not page.text:
        shown["error"] = f"not an HTML page (Content-Type {answer.content_type})"
    if answer is None or shown["error"]:
        final = page.failure is not None and page.failure.final
        shown["fallback"] = "at once" if final else f"after {cfg.fetch.max_article_attempts} tries"
        return articles.from_feed(entry), shown
    extracted = extract_page(answer.body, answer.url, answer.content_type)
    url = extracted.canonical_url or resolve(answer.url) or entry.link
    shown["fetched_url"] = answer.url
    return articles.from_page(entry, extracted, url=url, fetched_url=answer.url, html=None), shown


def _match(name: str, match: Match) -> dict[str, Any]:
    time = match.time
    return {
        "monitor": name,
        "kind": match.kind,
        "account": match.account,
        "event_time_start": isoformat(time.start) if time else None,
        "event_time_end": isoformat(time.end) if time else None,
        "event_time_precision": time.precision if time else None,
        "phrase": time.phrase if time else None,
        "facts": dict(match.facts),
        "evidence": match.evidence,
    }


def lines(report: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    """The record for people; the times newsmon worked out in the display zone (what the
    feed wrote is quoted as written)."""
    out = [f"feed {report['url']}" + (f" (outlet {report['outlet']})" if report["outlet"] else "")]
    out += _feed_lines(report)
    if report.get("child"):
        out.append(f"first child sitemap {report['child']['url']}")
        out += _feed_lines(report["child"])
    entry = report["entry"]
    if entry is None:
        out.append("no readable entry to check")
        return out
    out.append(f"entry {entry['number']}: {entry['title'] or '(no title)'}")
    out.append(f"  link: {entry['link']}  published: {entry['published']}")
    if entry["problem"]:
        out.append(f"  refused: {entry['problem']}")
        return out
    page = report["page"]
    if page and page["error"]:
        out.append(f"  page: {page['error']}; a poll keeps the feed's text {page['fallback']}")
    article = report["article"]
    if article is None:
        out.append("  no article: no text on the page nor in the feed")
        return out
    out.append(f"article {article['url']}")
    for key in ("title", "published", "language", "word_count", "text_method"):
        out.append(f"  {key}: {article[key]}")
    out += [f"  | {line}" for line in article["text_lines"]]
    if report["listing"]:
        out.append("  reads as a list of headlines: monitors see its lead headline only")
    matched = len(report["monitors"])
    out.append(
        f"monitors: {plural(matched, 'monitor')} matched" if matched else "monitors: none matched"
    )
    for match in report["monitors"]:
        start, end = (
            format_instant(match[key], tz) for key in ("event_time_start", "event_time_end")
        )
        when = f"{start} .. {end} ({match['event_time_precision']})"
        out.append(f"  {match['monitor']}: {match['kind']}, {match['account']}, {when}")
        if match["facts"]:
            out.append(f"    facts: {json.dumps(match['facts'], ensure_ascii=False)}")
    return out


def _feed_lines(feed: dict[str, Any]) -> list[str]:
    out = [f"  format: {feed['format']}  title: {feed['title']}  language: {feed['language']}"]
    if feed["format"] == "sitemapindex":
        out.append(f"  sitemaps: {feed['sitemap_count']}")
    else:
        out.append(f"  entries: {feed['entry_count']}  refused: {len(feed['refused'])}")
    out += [f"  entry {item['entry']} refused: {item['problem']}" for item in feed["refused"]]
    if feed["warning"]:
        out.append(f"  warning: {feed['warning']}")
    return out
