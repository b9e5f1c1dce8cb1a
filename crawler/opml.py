"""OPML 2.0 in and out: the subscription list every feed reader (Feedly, Miniflux,
NetNewsWire, Inoreader) imports and exports, so outlets move between them and newsmon.

An OPML file is a stranger's XML: it is read with no entity expansion, DTD or network
access, its size, nesting and number of outlines are bounded, and every feed URL is
checked as config.yaml checks one (http or https, a host, at most 2,083 characters, no
`${...}`, which the config loader would expand from the environment: an OPML file must
not be able to put a secret into a request). A bad outline costs only itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree

from crawler.config import Config
from crawler.config.outlets_file import Candidate
from crawler.config.values import url_problem
from crawler.errors import NewsmonError

MAX_BYTES = 10 * 2**20
MAX_FEEDS = 10_000  # outlines with a feed URL; the rest are ignored, and said so
MAX_DEPTH = 20  # folders within folders; readers nest one or two deep
MAX_NAME = 200
# Characters XML 1.0 cannot carry, and the controls no name should hold.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _safe_parser() -> etree.XMLParser:
    """No entities, no network, no DTD, no huge trees: an OPML file is untrusted input."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


class OpmlError(NewsmonError, ValueError):
    """The file is not OPML at all (not XML, or no <opml><body>)."""


@dataclass
class OpmlFeeds:
    """The feeds an OPML file lists, and one sentence per outline that was refused."""

    feeds: list[Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(body: bytes, source: str) -> OpmlFeeds:
    """Every feed outline of an OPML document (folders flattened: newsmon has no
    categories), named by its title, else its text, else its host."""
    if len(body) > MAX_BYTES:
        raise OpmlError(f"{source}: larger than {MAX_BYTES // 2**20} MiB")
    try:
        root = etree.fromstring(body, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"{source}: not well-formed XML: {exc}") from None
    body_node = root.find("body")
    if etree.QName(root).localname != "opml" or body_node is None:
        raise OpmlError(f"{source}: not an OPML document (no <opml><body>)")
    result = OpmlFeeds()
    stack = [(child, 1) for child in reversed(body_node)]
    too_deep = ignored = 0
    while stack:
        node, depth = stack.pop()
        if not isinstance(node.tag, str) or etree.QName(node).localname != "outline":
            continue  # comments, processing instructions, foreign elements
        if depth > MAX_DEPTH:
            too_deep += 1
            continue
        stack.extend((child, depth + 1) for child in reversed(node))
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not url:
            continue  # a folder
        if len(result.feeds) + len(result.problems) >= MAX_FEEDS:
            ignored += 1
            continue
        where = f"{source}:{node.sourceline}"
        problem = _problem(url)
        if problem is not None:
            result.problems.append(f"{where}: {problem}")
            continue
        name = _name(node.get("title")) or _name(node.get("text")) or _host(url)
        result.feeds.append(Candidate(name, url))
    if too_deep:
        result.problems.append(f"{source}: {too_deep} outlines nested over {MAX_DEPTH} deep")
    if ignored:
        result.problems.append(f"{source}: {ignored} feeds past the first {MAX_FEEDS} ignored")
    return result


def _problem(url: str) -> str | None:
    if "${" in url:
        return f"{url[:200]!r} holds '${{', which config.yaml reads as an environment variable"
    if _NOT_IN_XML.search(url) or any(c.isspace() for c in url):
        return f"{url[:200]!r} holds spaces or control characters"
    return url_problem(url)


def _name(value: str | None) -> str | None:
    if not value:
        return None
    text = " ".join(_NOT_IN_XML.sub("", value).split())[:MAX_NAME]
    return text.replace("${", "$ {") or None  # never an environment reference


def _host(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def write(cfg: Config, now: datetime) -> tuple[str, int]:
    """OPML 2.0 of every configured feed (one outline each, titled by its outlet, so an
    outlet with two feeds comes back as one on import); (the document, sitemaps left
    out: feed readers cannot read them)."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = "newsmon outlets"
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(now)
    ElementTree.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = ElementTree.SubElement(root, "body")
    skipped = 0
    for outlet in cfg.outlets:
        for source in outlet.sources:
            if source.kind != "feed":
                skipped += 1
                continue
            name = _NOT_IN_XML.sub("", outlet.name)
            parts = urlsplit(source.url)
            ElementTree.SubElement(
                body,
                "outline",
                text=name,
                title=name,
                type="rss",
                xmlUrl=_NOT_IN_XML.sub("", source.url),
                htmlUrl=f"{parts.scheme}://{parts.netloc}/",
            )
    ElementTree.indent(root)
    text = ElementTree.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", skipped
