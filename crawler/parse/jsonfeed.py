"""JSON Feed (jsonfeed.org), which feedparser does not speak: one adapter to the common
model, refusing any item whose fields have the wrong type."""

from __future__ import annotations

import json

from crawler import untrusted
from crawler.dates import iso_with_offset, parse_date
from crawler.model import Entry, Parsed
from crawler.parse.items import FeedError, make_entry, refused_entry
from crawler.parse.language import primary
from crawler.untrusted import Refused


def parse_json_feed(body: bytes, url: str) -> Parsed:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise FeedError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise FeedError(f"invalid JSON: {str(exc)[:200]}") from None
    if (
        not isinstance(data, dict)
        or "jsonfeed.org/version" not in str(data.get("version", ""))[:200]
    ):
        raise FeedError("JSON without a jsonfeed.org version: not a JSON Feed")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed without an items list")
    language = data.get("language")  # JSON Feed 1.1
    entries = []
    for item in items[: untrusted.MAX_ENTRIES]:
        try:
            entries.append(_json_entry(item, url, language))
        except Refused as exc:
            entries.append(refused_entry(item, str(exc)))
    return Parsed(
        format="json",
        entries=tuple(entries),
        title=untrusted.lenient_text(data.get("title"), untrusted.MAX_NAME),
        language=primary(language) if isinstance(language, str) else None,
    )


def _json_entry(item: object, url: str, language: object = None) -> Entry:
    """One JSON Feed item; any field of the wrong type refuses the item (`Refused`)."""
    if not isinstance(item, dict):
        raise Refused(f"the item is {untrusted.kind(item)}, not an object")
    link = item.get("url") or item.get("external_url")
    content = item.get("content_html") or item.get("content_text")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    if not isinstance(authors, list):
        raise Refused(f"authors is {untrusted.kind(authors)}, not a list")
    names = [
        untrusted.text(a.get("name"), "author name", untrusted.MAX_NAME) or ""
        for a in authors[:20]
        if isinstance(a, dict)
    ]
    date = item.get("date_published") or item.get("date_modified")
    date_text = untrusted.text(date, "date_published", untrusted.MAX_DATE)
    return make_entry(
        guid=item.get("id"),
        link=link,
        base=url,
        title=item.get("title"),
        author=", ".join(name for name in names if name) or None,
        published=iso_with_offset(parse_date(date_text)),
        summary=item.get("summary"),
        content=content,
        language=item.get("language") or language,
    )
