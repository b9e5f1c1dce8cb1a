from importlib.resources import files

import pytest

from crawler.model import PendingEntry
from crawler.parse import articles
from crawler.parse.extract import decode_html, extract_page
from crawler.text import html_to_text, text_hash
from tests.builders import page

DEMO = files("crawler.demo") / "data"
WIRE = "harbor/2026/01/04/north-korea-fires-ballistic-missiles-toward-sea.html"
PAYWALL = "eastbridge/business/2026/01/03/bank-of-caldera-holds-rates.html"
BASE = "http://127.0.0.1:8000"


def demo_page(path: str) -> bytes:
    return (DEMO / path).read_bytes().replace(b"{{BASE}}", BASE.encode())


def entry(**fields) -> PendingEntry:
    values = dict(
        id=1,
        feed_id=1,
        link=f"{BASE}/x",
        title="Feed title",
        author=None,
        published=None,
        summary=None,
        content=None,
        attempts=0,
    )
    return PendingEntry(**{**values, **fields})


def test_metadata_with_time_zone_canonical_language_and_site():
    result = extract_page(demo_page(WIRE), f"{BASE}/{WIRE}?utm_source=rss")
    assert result.published == "2026-01-04T09:12:00+09:00"
    assert result.canonical_url == f"{BASE}/{WIRE}"
    assert result.language == "en"
    assert result.site_name == "Harbor Wire Service"
    assert result.title.startswith("North Korea fires")
    assert result.author
    assert "Joint Chiefs of Staff" in result.text
    for boilerplate in ("Related stories", "cookie", "All rights reserved"):
        assert boilerplate.lower() not in result.text.lower()


def test_canonical_on_another_host_is_not_trusted():
    html = page("Wire copy", "the wire", canonical="https://wire.example/original")
    assert extract_page(html, "http://127.0.0.1:8000/copy").canonical_url is None


def test_paywalled_page_falls_back_to_the_feed_content():
    url = f"{BASE}/{PAYWALL}"
    result = extract_page(demo_page(PAYWALL), url)
    assert result.paywalled
    full = "<p>" + " ".join(["The central bank kept its key rate unchanged."] * 20) + "</p>"
    record = articles.from_page(
        entry(content=full, summary="Short teaser."), result, url=url, fetched_url=url, html=None
    )
    assert record.text_method == "feed_content"
    assert record.text.startswith("The central bank kept")


def test_script_only_page_uses_the_summary_and_says_so():
    html = b"<html><body><div id=app></div><script>render()</script></body></html>"
    result = extract_page(html, f"{BASE}/app")
    summary = "<p>" + "Officials confirmed the launch of two missiles. " * 10 + "</p>"
    record = articles.from_page(
        entry(summary=summary), result, url=f"{BASE}/app", fetched_url=f"{BASE}/app", html=None
    )
    assert record.text_method == "feed_summary"
    assert record.title == "Feed title"


def test_nothing_anywhere_gives_no_article():
    result = extract_page(b"<html><body></body></html>", f"{BASE}/empty")
    assert articles.from_page(entry(), result, url="u", fetched_url="u", html=None) is None


def test_feed_time_with_zone_beats_a_page_date_without_time():
    html = page("Story", "roads", published="2026-01-04")
    result = extract_page(html, f"{BASE}/story")
    record = articles.from_page(
        entry(published="2026-01-04T10:05:00+09:00"), result, url="u", fetched_url="u", html=None
    )
    assert record.published == "2026-01-04T10:05:00+09:00"
    assert record.published_utc == "2026-01-04T01:05:00Z"


def test_garbage_bytes_do_not_raise():
    for junk in (b"", b"\x00\xff\xfe garbage", b"<" * 10000, b"<html>" * 5000):
        extract_page(junk, f"{BASE}/junk")


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    text = html_to_text("<p>One <b>bold</b> line.</p><script>x()</script><p>Two.</p>")
    assert text == "One bold line.\nTwo."
    assert html_to_text(None) == ""


def test_text_hash_ignores_case_punctuation_and_spacing():
    assert text_hash("North Korea fired, sources said.") == text_hash(
        "north  korea fired sources said"
    )
    assert text_hash("fired two") != text_hash("fired three")


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("<p>Zürich</p>".encode("cp1252"), "text/html; charset=utf-8", "<p>Zürich</p>"),
        ('<meta charset="latin-1"><p>Zürich</p>'.encode(), None, "Zürich"),
        ("<p>Zürich</p>".encode("utf-16"), None, "<p>Zürich</p>"),
        (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "text/html; charset=cp1252", "<p>café</p>"),
        ('<?xml version="1.0" encoding="utf-8"?><p>é</p>'.encode(), None, "<p>é</p>"),
        ('<meta charset="koi8-r"><p>Привет</p>'.encode("koi8-r"), None, "Привет"),
        ("<p>東京</p>".encode("shift_jis"), "text/html; charset=Shift_JIS", "東京"),
        (b"<p>\x93quoted\x94</p>", "text/html; charset=no-such-codec", "\u201cquoted\u201d"),
    ],
)
def test_pages_are_decoded_by_their_bytes_when_the_label_lies(body, content_type, expected):
    assert expected in decode_html(body, content_type)
