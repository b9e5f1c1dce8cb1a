"""The common model every feed format is read into, and how an item becomes an entry.

Each adapter (`feeds`, `jsonfeed`, `sitemaps`) reads its own format; all of them build
entries here, so every field is typed and cut to size the same way (`untrusted`) and an
unusable item is kept as a refused entry that says why.
"""

from __future__ import annotations

import hashlib
import json

from crawler import untrusted
from crawler.errors import NewsmonError
from crawler.model import Entry
from crawler.parse.language import primary
from crawler.untrusted import Refused
from crawler.urls import resolve


class FeedError(NewsmonError, ValueError):
    """A body that should be a feed or sitemap is not one we can read."""


def entry_key(guid: str | None, link: str | None, title: str | None, content: str | None) -> str:
    """GUID, else link, else a hash of title and content (Miniflux's identity rule);
    a key longer than `untrusted.MAX_KEY` is kept as its hash."""
    if guid and guid.strip():
        return untrusted.key(guid.strip())
    if link:
        return untrusted.key(link)
    text = f"{title or ''}\x00{content or ''}"
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return f"sha256:{digest}"


def _link(value: object, base: str) -> str | None:
    """An item's link, resolved; None when it is not an http(s) URL. Links too long to
    keep are refused (links too long to request are kept: the spider records them)."""
    link = resolve(untrusted.text(value, "link", untrusted.MAX_STORED_URL + 1), base)
    if link is not None and len(link) > untrusted.MAX_STORED_URL:
        raise Refused(f"link is over {untrusted.MAX_STORED_URL:,} characters long")
    return link


def make_entry(
    *,
    guid: object,
    link: object,
    base: str,
    title: object,
    author: str | None,
    published: str | None,
    summary: object,
    content: object,
    language: object = None,
) -> Entry:
    """One item in the common model, every field typed and cut to size (`untrusted`)."""
    resolved = _link(link, base)
    title_text = untrusted.text(title, "title", untrusted.MAX_TITLE)
    summary_text = untrusted.text(summary, "summary", untrusted.MAX_SUMMARY)
    content_text = untrusted.text(content, "content", untrusted.MAX_CONTENT)
    return Entry(
        key=entry_key(
            untrusted.identifier(guid, "id"), resolved, title_text, content_text or summary_text
        ),
        link=resolved,
        title=title_text,
        author=untrusted.text(author, "author", untrusted.MAX_NAME),
        published=published,
        summary=summary_text,
        content=content_text,
        language=primary(language) if isinstance(language, str) else None,
    )


def refused_entry(item: object, reason: str) -> Entry:
    """An item newsmon cannot use, kept as a failed entry so the feed's record says why.

    Its key is a hash of the item itself: the same bad item is recorded once, and a
    corrected item (other content, same GUID) is a new entry that gets fetched.
    """
    try:
        raw = json.dumps(item, sort_keys=True, ensure_ascii=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        raw = repr(type(item))
    digest = hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
    return Entry(key=f"refused:{digest}", link=None, problem=reason)
