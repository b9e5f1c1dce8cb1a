"""Digest renderers: pure functions over hand-built event records.

The records carry the hostile input a feed can really deliver (markup, quotes,
terminal escapes, bidi overrides, javascript: URLs); every renderer must show it
as inert text.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from lxml import etree

from crawler.report import (
    digest,
    render_atom,
    render_html,
    render_json,
    render_markdown,
    render_text,
    wording,
)

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
GENERATED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
HOSTILE_TITLE = '<script>alert(1)</script> & "quotes" \u202e\x1b[31m'
HOSTILE_TITLE_CLEAN = '<script>alert(1)</script> & "quotes" [31m'
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ATOM = "{http://www.w3.org/2005/Atom}"


def article(article_id: int, url: str, outlet: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": article_id,
        "url": url,
        "outlet": outlet,
        "title": title,
        "published": "2026-01-04T09:12:00+09:00",
        "copy_of": None,
        "copy_relation": None,
        **extra,
    }


def records() -> list[dict[str, Any]]:
    """Hostile new event (no status key), a plain new one, and an update."""
    hostile = {
        "id": 1,
        "monitor": "missile-launches",
        "kind": "missile_launch",
        "title": HOSTILE_TITLE,
        "event_time": "2026-01-03T22:50:00Z",
        "event_time_start": "2026-01-03T22:35:00Z",
        "event_time_end": "2026-01-03T23:05:00Z",
        "event_time_precision": "minute",
        "first_seen": "2026-01-04T01:00:00Z",
        "last_updated": "2026-01-04T02:00:00Z",
        "facts": {"actor": "North Korea [x](javascript:y)", "distance_km": 900},
        "fact_sources": {"distance_km": [{"value": 900, "articles": [3]}]},
        "article_count": 2,
        "outlet_count": 2,
        "articles": [
            article(3, "javascript:alert(1)", "Evil\x1b[2J Wire", "[click](javascript:alert(1))"),
            article(4, "JaVaScRiPt:alert(2)", "Other", "<img src=x onerror=alert(3)>"),
        ],
    }
    plain = {
        "id": 2,
        "status": "new",
        "monitor": "missile-launches",
        "kind": "missile_launch",
        "title": "North Korea fires several ballistic missiles",
        "event_time": "2026-01-03T00:00:00Z",
        "event_time_start": "2026-01-03T00:00:00Z",
        "event_time_end": "2026-01-04T00:00:00Z",
        "event_time_precision": "day",
        "first_seen": "2026-01-04T03:00:00Z",
        "last_updated": "2026-01-04T05:00:00Z",
        "facts": {"actor": "North Korea", "missile_types": ["ballistic", "hypersonic"]},
        "fact_sources": {},
        "article_count": 8,
        "outlet_count": 7,
        "articles": [
            article(10 + n, f"https://news{n}.example/story?id={n}", f"Outlet {n}", f"Story {n}")
            for n in range(8)
        ],
    }
    updated = {
        "id": 3,
        "status": "updated",
        "monitor": "quakes",
        "kind": "earthquake",
        "title": "Strong earthquake strikes off the coast",
        "event_time": "2026-01-02T07:30:00Z",
        "event_time_start": "2026-01-02T07:00:00Z",
        "event_time_end": "2026-01-02T08:00:00Z",
        "event_time_precision": "hour",
        "first_seen": "2025-12-30T00:00:00Z",
        "last_updated": "2026-01-04T06:00:00Z",
        "facts": {"magnitude": 6.8},
        "fact_sources": {},
        "article_count": 1,
        "outlet_count": 1,
        "articles": [article(30, "https://quake.example/a", "Quake Desk", "Quake: 6.8")],
    }
    return [hostile, plain, updated]


def render(fmt: str, events: list[dict[str, Any]] | None = None) -> str:
    return digest.render(
        fmt, records() if events is None else events, since=SINCE, generated=GENERATED
    )


def hrefs(text: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', text)


# --- shared helpers -----------------------------------------------------------


def test_clean_strips_controls_bidi_and_xml_illegal_characters() -> None:
    assert wording.clean(HOSTILE_TITLE) == HOSTILE_TITLE_CLEAN
    assert wording.clean("a\tb\nc\u2028d") == "a b c d"
    assert wording.clean(f"x{BIDI}\u200e\u200f\u061cy\x7f\x9b\ud800\ufffe\uffff") == "xy"
    assert wording.clean(None) == ""
    assert wording.clean(900) == "900"
    # Ordinary non-ASCII text, emoji joiners included, is left alone.
    assert wording.clean("Pyongyang 평양 👩\u200d🚀") == "Pyongyang 평양 👩\u200d🚀"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?y=1", "https://a.example/x?y=1"),
        ("HTTP://a.example/", "HTTP://a.example/"),
        ("https://a.example/a b", "https://a.example/a%20b"),
        ("javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//a.example/x", None),
        ("/relative", None),
        ("https:///no-host", None),
        (None, None),
    ],
)
def test_safe_url_allows_only_absolute_http_urls(url: str | None, expected: str | None) -> None:
    assert wording.safe_url(url) == expected


def test_missing_status_means_new_and_unknown_status_is_rejected() -> None:
    assert wording.event_status({"id": 1}) == "new"
    with pytest.raises(ValueError, match="status"):
        wording.event_status({"id": 1, "status": "deleted"})
    with pytest.raises(ValueError, match="status"):
        render("text", [{**records()[0], "status": "deleted"}])


def test_renderers_do_not_mutate_records() -> None:
    events = records()
    before = copy.deepcopy(events)
    for fmt in digest.FORMATS:
        render(fmt, events)
    assert events == before


# --- text ---------------------------------------------------------------------


def test_text_has_no_terminal_escapes_or_bidi_controls() -> None:
    text = render("text")
    assert "\x1b" not in text
    assert not set(BIDI) & set(text)
    assert all(ch == "\n" or unicodedata.category(ch) != "Cc" for ch in text)
    assert f"[1] {HOSTILE_TITLE_CLEAN}" in text
    assert "- Evil[2J Wire: [click](javascript:alert(1))" in text


def test_text_lists_reports_and_confirmations_before_headline_lists() -> None:
    event = records()[1]
    listed = [
        article(10 + i, f"https://agg{i}.example/list", f"Aggregator {i}", f"Headlines {i}")
        | {"role": "listed"}
        for i in range(5)
    ]
    confirmation = article(20, "https://wire.example/a", "Wire", "Launch confirmed") | {
        "role": "confirmation"
    }
    copy = article(21, "https://copy.example/a", "Copy", "Launch confirmed") | {
        "copy_of": 20,
        "copy_relation": "exact",
    }
    text = render_text.render_text(
        [{**event, "articles": [*listed, copy, confirmation]}], since=SINCE, generated=GENERATED
    )
    shown = [line.strip() for line in text.splitlines() if "example/" in line]
    assert shown[:2] == ["https://wire.example/a", "https://copy.example/a"]
    assert len(shown) == 5 and "+2 more" in text  # two headline lists left out, not the report


def test_text_shows_header_sections_when_facts_and_sources() -> None:
    text = render("text")
    lines = text.splitlines()
    assert lines[0] == (
        "newsmon digest: 2 new, 1 updated since 2026-01-01 00:00 UTC "
        "(generated 2026-01-05 12:00 UTC)"
    )
    new_at, updated_at = lines.index("New events (2)"), lines.index("Updated events (1)")
    assert new_at < lines.index(f"[1] {HOSTILE_TITLE_CLEAN}") < updated_at
    assert new_at < lines.index("[2] North Korea fires several ballistic missiles") < updated_at
    assert updated_at < lines.index("[3] Strong earthquake strikes off the coast")
    assert "    missile-launches · 2026-01-03 22:50 UTC (minute) · 2 outlets, 2 articles" in lines
    assert "    quakes · around 2026-01-02 07:30 UTC (hour) · 1 outlet, 1 article" in lines
    # a vague time is shown as its interval, never as its start alone
    assert (
        "    missile-launches · between 2026-01-03 00:00 and 2026-01-04 00:00 UTC (day)"
        " · 7 outlets, 8 articles" in lines
    )
    assert "    Actor: North Korea; Missile types: ballistic, hypersonic" in lines
    assert "    Magnitude: 6.8" in lines
    # At most five sources, each with its URL, then a count of the rest.
    assert [line for line in lines if line.startswith("    - Outlet ")] == [
        f"    - Outlet {n}: Story {n}" for n in range(5)
    ]
    assert "      https://news0.example/story?id=0" in lines
    assert "    +3 more" in lines


def test_text_without_events_says_so() -> None:
    text = render("text", [])
    assert text.startswith("newsmon digest: 0 new, 0 updated since 2026-01-01 00:00 UTC")
    assert "No new or updated events." in text
    assert "New events" not in text


# --- Markdown -----------------------------------------------------------------


def test_markdown_escapes_text_and_links_only_http_urls() -> None:
    text = render("markdown")
    assert '### \\[1\\] \\<script\\>alert\\(1\\)\\</script\\> \\& "quotes" \\[31m' in text
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\)" in text
    assert "North Korea \\[x\\]\\(javascript:y\\)" in text
    assert "<script>" not in text
    assert "\x1b" not in text
    assert not set(BIDI) & set(text)
    # Every unescaped link destination is an http(s) URL.
    destinations = re.findall(r"(?<!\\)\]\((?!\\)([^)]*)\)", text)
    assert destinations
    assert all(re.match(r"https?://", url) for url in destinations)
    assert "](javascript" not in text.lower()


def test_markdown_structure() -> None:
    lines = render("markdown").splitlines()
    assert lines[0] == "# newsmon digest"
    new_at, updated_at = (
        lines.index("## New events \\(2\\)"),
        lines.index("## Updated events \\(1\\)"),
    )
    assert new_at < lines.index("### \\[2\\] North Korea fires several ballistic missiles")
    assert updated_at < lines.index("### \\[3\\] Strong earthquake strikes off the coast")
    assert "- **Missile types:** ballistic, hypersonic" in lines
    assert "- **Magnitude:** 6.8" in lines
    assert "- [Story 0](https://news0.example/story?id=0) — Outlet 0, 2026-01-04 00:12 UTC" in lines


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2026-01-04 07:50 KST", "2026-01-04 07:50 KST"),  # dates read as written
        ("magnitude 6.8, 3-5 km deep", "magnitude 6.8, 3-5 km deep"),
        ("- not a list item", "\\- not a list item"),
        ("+ nor this", "\\+ nor this"),
        ("1. nor this", "1\\. nor this"),
        ("===", "\\==="),
        ("# nor a heading [or a link](x)", "\\# nor a heading \\[or a link\\]\\(x\\)"),
    ],
)
def test_markdown_escapes_only_what_would_become_markup(text: str, shown: str) -> None:
    assert render_markdown.md(text) == shown


def test_markdown_link_destination_cannot_be_broken_out_of() -> None:
    event = {**records()[2], "articles": [article(1, "https://a.example/x) [y](z", "O", "T")]}
    text = render("markdown", [event])
    assert "- [T](https://a.example/x%29%20[y]%28z) — O" in text


# --- HTML ---------------------------------------------------------------------


def test_html_escapes_data_and_never_links_javascript() -> None:
    page = render("html")
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; [31m</h3>" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "javascript:" not in "".join(hrefs(page)).lower()
    assert hrefs(page)
    assert all(re.match(r"https?://", url) for url in hrefs(page))
    anchors = re.findall(r"<a [^>]*>", page)
    assert anchors
    assert all('rel="noopener noreferrer"' in anchor for anchor in anchors)
    assert "\x1b" not in page
    assert not set(BIDI) & set(page)


def test_html_is_one_self_contained_page() -> None:
    page = render("html")
    assert page.startswith("<!DOCTYPE html>\n")
    assert '<meta charset="utf-8">' in page
    assert "<title>newsmon digest since 2026-01-01 00:00 UTC</title>" in page
    assert "<style>" in page
    assert "@import" not in page
    assert "url(" not in page
    new_at = page.index("<h2>New events (2)</h2>")
    updated_at = page.index("<h2>Updated events (1)</h2>")
    assert new_at < page.index("North Korea fires several ballistic missiles</h3>") < updated_at
    assert updated_at < page.index("Strong earthquake strikes off the coast</h3>")
    assert "<tr><th>Missile types</th><td>ballistic, hypersonic</td></tr>" in page
    assert page.count('<li><a href="https://news') == 8  # HTML lists every source
    # Well-formed enough for a strict parser, and the source list is really there.
    tree = etree.fromstring(page.split("\n", 1)[1].encode(), etree.HTMLParser())
    assert len(tree.findall(".//article")) == 3
    assert tree.xpath("//script | //link | //iframe | //object | //embed | //img") == []
    assert tree.xpath("//@src | //@*[starts-with(name(), 'on')]") == []
    assert len(tree.findall(".//table")) == 3


# --- Atom ---------------------------------------------------------------------


def test_atom_parses_cleanly_and_round_trips() -> None:
    feed = feedparser.parse(render("atom"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == "urn:newsmon:digest"
    assert feed.feed.title == "newsmon digest"
    assert feed.feed.updated == "2026-01-05T12:00:00Z"
    assert feed.feed.generator == "newsmon"
    assert len(feed.entries) == 3
    assert [entry.title for entry in feed.entries] == [
        HOSTILE_TITLE_CLEAN,
        "North Korea fires several ballistic missiles",
        "Strong earthquake strikes off the coast",
    ]
    assert [entry.id for entry in feed.entries] == [f"urn:newsmon:event:{n}" for n in (1, 2, 3)]
    assert [[tag.term for tag in entry.tags] for entry in feed.entries] == [
        ["new", "missile-launches"],
        ["new", "missile-launches"],
        ["updated", "quakes"],
    ]
    update = feed.entries[2]
    assert update.updated == "2026-01-04T06:00:00Z"
    assert update.published == "2025-12-30T00:00:00Z"
    assert update.author == "newsmon"
    assert update.link == "https://quake.example/a"
    assert feed.entries[1].link == "https://news0.example/story?id=0"
    # The hostile event's only URLs are javascript: ones, so it gets no link at all.
    assert "links" not in feed.entries[0] or not feed.entries[0].links


def test_atom_content_is_escaped_html_summary() -> None:
    root = etree.fromstring(render("atom").encode())
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html"
    summary = content.text
    assert "<script" not in summary
    assert "&lt;script&gt;" not in summary  # the title is the entry title, not the summary
    assert "&lt;img src=x onerror=alert(3)&gt;" in summary
    assert "javascript:" not in "".join(hrefs(summary)).lower()
    assert "<tr><th>Distance</th><td>900 km</td></tr>" in summary
    plain = entries[1].find(f"{ATOM}content").text
    assert plain.count("<li>") == 8
    assert '<a href="https://news0.example/story?id=0" rel="noopener noreferrer">' in plain
    category = entries[2].find(f"{ATOM}category")
    assert category.get("term") == "updated"


def test_atom_feed_options() -> None:
    text = render_atom.render_atom(
        records(),
        since=SINCE,
        generated=GENERATED,
        feed_id="urn:example:feed",
        self_url="https://example.org/digest.xml",
    )
    feed = feedparser.parse(text)
    assert feed.bozo == 0
    assert feed.feed.id == "urn:example:feed"
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        "https://example.org/digest.xml"
    ]


def test_atom_strips_characters_illegal_in_xml() -> None:
    every = "".join(chr(code) for code in range(0x3000))
    nasty = f"{every}\ud800\udfff\ufffe\uffff\U0010ffff end"
    event = {**records()[2], "title": nasty, "facts": {nasty: nasty}}
    event["articles"] = [article(1, "https://a.example/", nasty, nasty)]
    text = render("atom", [event])
    root = etree.fromstring(text.encode())  # lxml refuses any illegal character
    title = root.find(f"{ATOM}entry/{ATOM}title").text
    assert title == wording.clean(nasty)
    assert feedparser.parse(text).bozo == 0


def test_atom_without_events_is_still_valid() -> None:
    feed = feedparser.parse(render("atom", []))
    assert feed.bozo == 0
    assert feed.entries == []


# --- dispatch -----------------------------------------------------------------


def test_render_dispatches_every_format() -> None:
    assert digest.FORMATS == ("text", "markdown", "json", "html", "atom")
    functions = {
        "text": render_text.render_text,
        "markdown": render_markdown.render_markdown,
        "json": render_json.render_json,
        "html": render_html.render_html,
        "atom": render_atom.render_atom,
    }
    for fmt in digest.FORMATS:
        assert render(fmt) == functions[fmt](records(), since=SINCE, generated=GENERATED)


def test_render_json_is_render_json() -> None:
    assert render("json") == render_json.render_json(records(), since=SINCE, generated=GENERATED)


@pytest.mark.parametrize("fmt", ["", "xml", "JSON", "rss"])
def test_render_rejects_unknown_formats(fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown digest format"):
        render(fmt)


def test_every_format_handles_no_events() -> None:
    for fmt in digest.FORMATS:
        assert render(fmt, [])
