"""Finding a site's feed from its address, for `newsmon add`, the way feed readers do.

In order, each step only when the one before found nothing that works:

1. the address itself, when it already is a feed or a news sitemap;
2. the feeds the page advertises (`<link rel="alternate" type="application/rss+xml">`,
   Atom, JSON Feed), in the page's order, comment feeds last;
3. the paths feeds usually live at (`/feed`, `/rss.xml`, `/atom.xml`, Blogger's
   `/feeds/posts/default`, `/sitemap_news.xml`, ...) and the news sitemaps named by
   robots.txt `Sitemap:` lines.

A candidate counts only when it is fetched (through Scrapy, like a poll) and parsed, and
holds entries: a feed with at least one readable item, a news sitemap with at least one
`<news:news>` entry, or a news sitemap index. The page is a stranger's HTML: at most
MAX_LINKS advertised feeds and MAX_SITEMAPS robots.txt lines are tried.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawler.config import Config
from crawler.errors import NewsmonError
from crawler.fetch.oneshot import PAGE_ACCEPT, Fetched, fetch
from crawler.model import Parsed, SourceKind
from crawler.parse.extract import decode_html
from crawler.parse.feeds import FeedError, parse
from crawler.urls import resolve

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
}
DEADLINE_TIMEOUTS = 4
COMMON_PATHS = (
    "/feed",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/sitemap_news.xml",
    "/news-sitemap.xml",
)
MAX_LINKS = 20
MAX_SITEMAPS = 5
MAX_PAGE_BYTES = 2 * 2**20  # of HTML searched for links: the <head> comes first
_SITEMAP_LINE = re.compile(rb"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Found:
    """A candidate that works: what it is, and what its outlet would be called."""

    url: str
    kind: SourceKind
    format: str
    title: str | None
    entries: int


@dataclass
class Discovery:
    """The feed found (or None), every candidate tried with its verdict, the page's title."""

    found: Found | None = None
    tried: list[tuple[str, str, str]] = field(default_factory=list)  # (url, where, verdict)
    page_title: str | None = None


def judge(fetched: Fetched) -> tuple[Found | None, str]:
    """(the candidate, when it is a feed or news sitemap with entries; why not)."""
    answer = fetched.answer
    if answer is None:
        return None, fetched.error or "no answer"
    try:
        parsed = parse(answer.body, answer.url, answer.content_type)
    except FeedError as exc:
        return None, str(exc)
    readable = sum(1 for entry in parsed.entries if entry.problem is None)
    if parsed.format == "sitemapindex":
        if not parsed.sitemaps:
            return None, "an empty sitemap index"
        if "news" not in fetched.url.lower():
            return None, "a sitemap index, not named as a news sitemap"
        return _found(fetched.url, "sitemap", parsed, len(parsed.sitemaps)), "news sitemap index"
    if parsed.format == "sitemap":
        news = sum(1 for entry in parsed.entries if entry.problem is None and entry.title)
        if not news:
            return None, "a sitemap without <news:news> entries"
        return _found(fetched.url, "sitemap", parsed, news), f"news sitemap, {news} entries"
    if not readable:
        return None, f"a {parsed.format} feed without readable entries"
    return _found(fetched.url, "feed", parsed, readable), f"{parsed.format}, {readable} entries"


def _found(url: str, kind: SourceKind, parsed: Parsed, entries: int) -> Found:
    return Found(url, kind, parsed.format, parsed.title, entries)


def advertised(body: bytes, base: str, content_type: str | None) -> tuple[list[str], str | None]:
    """(the feeds an HTML page advertises, comment feeds last; the page's <title>)."""
    try:
        tree = lxml.html.fromstring(decode_html(body[:MAX_PAGE_BYTES], content_type))
    except (ValueError, etree.ParserError):
        return [], None
    links: list[str] = []
    comments: list[str] = []
    for node in tree.iter("link"):
        rel = (node.get("rel") or "").lower().split()
        kind = (node.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        url = resolve(node.get("href"), base)
        if url is None:
            continue
        label = f"{node.get('title') or ''} {url}".lower()
        (comments if "comment" in label else links).append(url)
        if len(links) + len(comments) >= MAX_LINKS:
            break
    titles = tree.xpath("//title/text()")
    title = " ".join(str(titles[0]).split())[:200] if titles else None
    return list(dict.fromkeys(links + comments)), title or None


def robots_sitemaps(body: bytes, base: str) -> list[str]:
    """The news sitemaps robots.txt names (`Sitemap:` lines whose URL says news)."""
    found = []
    for match in _SITEMAP_LINE.finditer(body[:MAX_PAGE_BYTES]):
        url = resolve(match.group(1).decode("utf-8", "replace"), base)
        if url and "news" in url.lower():
            found.append(url)
    return list(dict.fromkeys(found))[:MAX_SITEMAPS]


class TooSlow(NewsmonError, RuntimeError):
    """The site did not let `add` finish within its overall time limit."""


def time_limit(config: Config) -> float:
    """`add`'s whole search: DEADLINE_TIMEOUTS times `fetch.timeout` (2 minutes by
    default). Each request has its own timeout, but a site that trickles every one of a
    dozen paths to the edge of it would keep `add` going for many minutes."""
    return DEADLINE_TIMEOUTS * config.fetch.timeout


async def discover(config: Config, url: str, *, log_level: str = "WARNING") -> Discovery:
    """Find the feed behind `url` within `time_limit`; TooSlow (naming what was tried)
    when the site does not allow it."""
    result = Discovery()
    limit = time_limit(config)
    try:
        return await asyncio.wait_for(_discover(config, url, log_level, result), limit)
    except TimeoutError:
        tried = len(result.tried)
        raise TooSlow(
            f"{url}: stopped after {limit:g}s ({DEADLINE_TIMEOUTS} times fetch.timeout) with "
            f"{tried} address{'es' if tried != 1 else ''} judged: the site answers too slowly"
        ) from None


async def _discover(config: Config, url: str, log_level: str, result: Discovery) -> Discovery:

    async def attempt(urls: Sequence[str], where: str, accept: str | None = None) -> bool:
        options = {"accept": accept} if accept else {}
        answers = await fetch(config, urls, log_level=log_level, **options)
        for candidate in urls:
            found, verdict = judge(answers[candidate])
            result.tried.append((candidate, where, verdict))
            if found is not None:
                result.found = found
                return True
        return False

    page = (await fetch(config, [url], accept=PAGE_ACCEPT, log_level=log_level))[url]
    found, verdict = judge(page)
    result.tried.append((url, "the address", verdict))
    if found is not None:
        result.found = found
        return result
    if page.answer is None:
        return result  # the site itself cannot be had: guessing paths would not help
    links, result.page_title = advertised(
        page.answer.body, page.answer.url, page.answer.content_type
    )
    if links and await attempt(links, "advertised by the page"):
        return result
    parts = urlsplit(page.answer.url)
    root = f"{parts.scheme}://{parts.netloc}"
    guesses = [root + path for path in COMMON_PATHS]
    robots = root + "/robots.txt"
    answers = await fetch(config, [*guesses, robots], log_level=log_level)
    for candidate in guesses:
        found, verdict = judge(answers[candidate])
        result.tried.append((candidate, "a usual path", verdict))
        if found is not None:
            result.found = found
            return result
    robots_answer = answers[robots].answer
    sitemaps = robots_sitemaps(robots_answer.body, root) if robots_answer else []
    sitemaps = [s for s in sitemaps if s not in guesses]
    if sitemaps:
        await attempt(sitemaps, "robots.txt Sitemap:")
    return result
