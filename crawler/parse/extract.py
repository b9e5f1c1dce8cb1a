"""Article page → clean text and metadata (trafilatura), with the feed as fallback.

`extract_page` is a pure function of bytes so it can run in a worker process:
extraction is CPU-bound and must not stall Scrapy's event loop.

Two things trafilatura alone does not give us and analysts need: a published
*time with its zone* (trafilatura keeps only the date), taken from
`article:published_time`, JSON-LD or `<time>`; and the text of the feed entry
itself when the page yields nothing usable (paywall, script-only page).
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from crawler import untrusted
from crawler.dates import parse_date
from crawler.model import Extracted
from crawler.parse.language import language_of, primary
from crawler.untrusted import MAX_CONTENT, MAX_DATE, MAX_NAME, MAX_SUMMARY, MAX_TITLE, MAX_URL
from crawler.urls import resolve

MIN_WORDS = 40  # fewer than this from the page and the feed's own text is used instead
_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_TIME_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
)


def extract_page(html: bytes, url: str, content_type: str | None = None) -> Extracted:
    """Run trafilatura on one page, with the metadata we use; never raises on bad HTML."""
    # Imported here: it runs in the worker processes (which preload it), and newsmon's
    # main process, which never extracts, starts faster without it.
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(decode_html(html, content_type))
    if tree is None:
        return Extracted(text="")
    page_time = _published_time(tree)
    paywalled = _paywalled(tree)
    language = _language(tree)
    canonical = _canonical(tree, url)
    try:
        meta = _page_metadata(tree, url)
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            include_comments=False,
            include_tables=False,
            fast=True,  # no fallback extractors: same F1 on the benchmark
        )
    except Exception:  # trafilatura raises assorted errors on pathological trees
        return Extracted(
            text="",
            published=page_time,
            language=language,
            canonical_url=canonical,
            paywalled=paywalled,
        )
    found = doc.text if doc and not isinstance(doc, dict) else None  # a dict only if asked
    text = untrusted.normalise((found or "").strip(), MAX_CONTENT)
    return Extracted(
        text=text,
        title=untrusted.lenient_text(meta.title, MAX_TITLE),
        author=untrusted.lenient_text(meta.author, MAX_NAME),
        published=untrusted.lenient_text(page_time or _htmldate(tree, url), MAX_DATE),
        language=language_of(text, language),
        canonical_url=canonical,
        site_name=untrusted.lenient_text(meta.sitename, MAX_NAME),
        description=untrusted.lenient_text(meta.description, MAX_SUMMARY),
        paywalled=paywalled,
    )


def _page_metadata(tree: lxml.html.HtmlElement, url: str) -> Any:
    """trafilatura's `extract_metadata`, less what newsmon never reads.

    Categories, tags, license and htmldate's search were 30% of the extraction
    time. The steps kept are trafilatura's own, in its order, and give the
    same title, author, site name and description on all 181 benchmark pages.
    """
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    with contextlib.suppress(Exception):  # trafilatura's own guard: its JSON-LD reader's bugs
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.author = meta.author or extract_author(tree)
    meta.sitename = meta.sitename or extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    else:
        page_url = meta.url or extract_url(tree, url)
        match = META_URL.match(page_url) if page_url else None
        meta.sitename = match[1] if match else None
    meta.clean_and_trim()
    return meta


def _htmldate(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """htmldate's quick search (markup, not the text's every date): the page date
    when `_published_time` found no time. The extensive search cost a third of
    the extraction time for 2 more dates in 181 pages."""
    from htmldate import find_date

    try:
        return find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises assorted errors on odd trees
        return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Page bytes as text, trusting the bytes over the label.

    Labels lie both ways: a page says `utf-8` but is windows-1252, or says
    `iso-8859-1` but is UTF-8. Guessing (trafilatura's own decoder) turned the
    first kind into Baltic mojibake. So: a BOM; a declared UTF-16/32; UTF-8 when
    the bytes are valid UTF-8 (legacy text almost never is); the declared
    charset when the bytes decode in it; else windows-1252, as browsers do.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _without_xml_declaration(body[len(bom) :].decode(codec, "replace"))
    declared = [
        label
        for label in (_charset(content_type or ""), _charset(body[:2048].decode("ascii", "ignore")))
        if label
    ]
    candidates = [label for label in declared if label.startswith(("utf-16", "utf-32"))]
    candidates += ["utf-8", *declared]
    for label in candidates:
        try:
            return _without_xml_declaration(body.decode(label))
        except (LookupError, UnicodeDecodeError):
            continue
    return _without_xml_declaration(body.decode("cp1252", "replace"))


def _charset(text: str) -> str | None:
    match = _CHARSET.search(text)
    return match.group(1).lower() if match else None


def _without_xml_declaration(text: str) -> str:
    """lxml refuses a str that still declares its encoding."""
    return _XML_DECLARATION.sub("", text, count=1)


def _meta(tree: lxml.html.HtmlElement, names: tuple[str, ...]) -> str | None:
    wanted = {n.lower() for n in names}
    for node in tree.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
        content = (node.get("content") or "").strip()
        if key in wanted and content:
            return content
    return None


def _published_time(tree: lxml.html.HtmlElement) -> str | None:
    candidates = [_meta(tree, _TIME_META)]
    candidates.extend(v for v in _jsonld_values(tree, "datePublished") if isinstance(v, str))
    candidates.extend(tree.xpath("//time[@datetime]/@datetime")[:1])
    for text in candidates:
        value = parse_date(text)
        if value is not None and value.tzinfo is not None and "T" in (text or ""):
            return value.isoformat(timespec="seconds")
    for text in candidates:  # a date without time is still better than nothing
        value = parse_date(text)
        if value is not None:
            return value.date().isoformat()
    return None


def _jsonld_values(tree: lxml.html.HtmlElement, key: str) -> list[object]:
    """Every value of `key` in the page's JSON-LD blocks, outermost first."""
    found: list[object] = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            stack = [json.loads(script)]
        except (json.JSONDecodeError, RecursionError):
            continue
        while stack and len(found) < 5:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if key in item:
                    found.append(item[key])
                stack.extend(v for v in item.values() if isinstance(v, list | dict))
    return found


def _paywalled(tree: lxml.html.HtmlElement) -> bool:
    return any(
        str(v).strip().lower() == "false" for v in _jsonld_values(tree, "isAccessibleForFree")
    )


def _language(tree: lxml.html.HtmlElement) -> str | None:
    """What the page declares (`<html lang>`, og:locale), primary subtag only."""
    return primary(
        tree.get("lang") or tree.get("xml:lang") or _meta(tree, ("og:locale", "language"))
    )


def _canonical(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """rel=canonical (else og:url), trusted only on the page's own host.

    Syndicating sites sometimes point canonical at the originating wire; taking
    that as identity would erase the syndicating outlet from the record.
    """
    hrefs = tree.xpath('//link[@rel="canonical"]/@href') or [_meta(tree, ("og:url",))]
    for href in hrefs:
        candidate = resolve(href, url)
        if candidate and len(candidate) <= MAX_URL and _same_site(candidate, url):
            return candidate
    return None


def _same_site(a: str, b: str) -> bool:
    def host(u: str) -> str:
        name = urlsplit(u).hostname or ""
        return name.removeprefix("www.")

    return host(a) == host(b)
