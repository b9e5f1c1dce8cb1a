"""Small builders for feed and page bytes, so each test states only what matters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape

PARAGRAPH = (
    "The regional authority said on {day} that the measures would stay in force for at "
    "least another week while inspectors reviewed the damage, and officials promised a "
    "detailed report to the council before the end of the month, citing {topic}."
)


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str | None = None
    published: datetime | None = None
    description: str = ""
    content: str | None = None


def rss(items: list[Item], title: str = "Test Outlet") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>http://127.0.0.1/</link>",
        "<description>test feed</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append(f"<description>{escape(item.description)}</description>")
        if item.content:
            parts.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


def page(
    title: str,
    topic: str,
    *,
    canonical: str | None = None,
    paragraphs: int = 5,
    published: str = "2026-01-04T09:12:00+09:00",
    extra_head: str = "",
) -> bytes:
    body = "\n".join(
        f"<p>{escape(PARAGRAPH.format(day=f'day {i}', topic=topic))}</p>" for i in range(paragraphs)
    )
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Test Outlet</title>
{link}
<meta property="og:site_name" content="Test Outlet">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="{published}">
{extra_head}
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>{escape(title)}</h1>
{body}
</article>
<footer><p>Copyright Test Outlet. All rights reserved.</p></footer>
<script>var tracking = "do not extract me";</script>
</body></html>""".encode()


def story(name: str) -> tuple[str, str, list[str]]:
    """A hand-written article from tests/data/events: (title, published, paragraphs)."""
    from pathlib import Path

    lines = (Path(__file__).parent / "data" / "events" / f"{name}.txt").read_text().split("\n")
    title, published = lines[0], lines[1]
    paragraphs = [p.strip() for p in "\n".join(lines[2:]).split("\n\n") if p.strip()]
    return title, published, paragraphs


def article_page(title: str, paragraphs: list[str], published: str, language: str = "en") -> bytes:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta property="article:published_time" content="{published}">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{escape(title)}</h1>
{body}
</article><footer>Copyright. All rights reserved.</footer></body></html>""".encode()


def entry_with_record(
    db,
    key: str,
    link: str,
    title: str,
    text: str,
    published: str,
    feed_id=1,
    summary: str | None = None,
):
    """A new entry row and the article record the crawler would store for it: a
    (PendingEntry, ArticleRecord) pair for `ingest.add_article` or
    `store.articles.store_article`."""
    from crawler.model import ArticleRecord, PendingEntry
    from crawler.parse.articles import _utc
    from crawler.text import text_hash

    with db.atomic():
        entry_id = db.execute(
            "INSERT INTO entries (feed_id, entry_key, link, title, summary, first_seen,"
            " last_seen) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [feed_id, key, link, title, summary, published, published],
        ).fetchone()[0]
    entry = PendingEntry(entry_id, feed_id, link, title, None, published, summary, None, 0)
    record = ArticleRecord(
        link,
        link,
        title,
        None,
        published,
        _utc(published),
        "en",
        None,
        None,
        text,
        "trafilatura",
        text_hash(text),
    )
    return entry, record


def outlets_database(directory, *names: str):
    """A config listing `names` as outlets (feed ids 1, 2, ... in that order) and its
    database with the feeds synced, as a first crawl leaves them: (config path, db)."""
    from datetime import UTC

    from crawler import config, store
    from tests.conftest import database_at, write_config

    path = write_config(
        directory,
        [{"name": name, "feeds": [f"http://127.0.0.1:9/{n}.xml"]} for n, name in enumerate(names)],
    )
    db = store.db.open_db(database_at(directory))
    store.feeds.sync_outlets(db, config.load(path), datetime(2026, 3, 1, tzinfo=UTC))
    return path, db


def add_story_article(db, name: str, monitors, feed_id: int = 1, **options) -> int:
    """Store tests/data/events/NAME.txt as the crawler would, without crawling."""
    title, published, paragraphs = story(name)
    return add_article(
        db, name, title, published, "\n".join(paragraphs), monitors, feed_id=feed_id, **options
    )


def add_article(
    db,
    key: str,
    title: str,
    published: str,
    text: str,
    monitors,
    *,
    feed_id: int = 1,
    summary: str | None = None,
    aggregators: frozenset[str] = frozenset(),
    link: str | None = None,
) -> int:
    """Store one article (with its feed entry) through the crawler's own path: its id.

    `link`: the page the entry leads to (default: one of its own); an entry leading to a
    stored article brings that article's new headline, as a live story's retitled item."""
    from datetime import datetime as _datetime

    from crawler import ingest

    link = link or f"https://wire.example/{key}"
    entry, record = entry_with_record(db, key, link, title, text, published, feed_id, summary)
    outcome = ingest.add_article(
        db,
        entry,
        record,
        monitors,
        now=_datetime.fromisoformat(published),
        rules=ingest.Rules(aggregators=aggregators),
    )
    return outcome.article_id
