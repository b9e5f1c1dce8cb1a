"""Every article's language, from what the page or feed declares and what the text is.

The monitors pick a lexicon by it, so a wrong declaration ("ko" on a Japanese wire item
of a Korean portal, "mul" on a feed of many outlets) must not decide.
"""

from __future__ import annotations

import json

import pytest

from crawler.parse import feeds, sitemaps
from crawler.parse.extract import extract_page
from crawler.parse.language import language_of, primary

KOREAN = "북한이 28일 오전 8시께 평양 인근 순안 일대에서 장거리순항미사일 여러 발을 발사했다."
JAPANESE = (
    "北朝鮮は20日午後5時4分頃、弾道ミサイルを発射しました。日本のEEZ外に落下したと推定されます。"
)
ENGLISH = (
    "North Korea fired several long-range cruise missiles over the West Sea on Sunday, "
    "South Korea's military said, in the latest of a series of weapons tests."
)
FRENCH = (
    "La Corée du Nord a tiré dix missiles balistiques alors que les exercices entre "
    "Washington et Séoul touchent à leur fin, selon l'état-major sud-coréen."
)


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        (KOREAN, ("ko-KR",), "ko"),
        (JAPANESE, ("ja",), "ja"),
        (ENGLISH, ("en-US",), "en"),
        # a Korean portal declares its own language for the wire items it carries
        (JAPANESE, ("ko",), "ja"),
        (ENGLISH, ("ko",), "en"),
        # a page without a declaration: the script, else the detector
        (KOREAN, (), "ko"),
        (FRENCH, (), "fr"),
        (ENGLISH, (None, ""), "en"),
        # "mul" (a feed of many outlets) and "und" say nothing
        (ENGLISH, ("mul",), "en"),
        (JAPANESE, ("und",), "ja"),
        # the page's declaration first, the feed's after it
        (ENGLISH, ("fr", "en"), "fr"),
        (KOREAN, ("en", "ko"), "ko"),
        # Japanese text may run without kana: a Japanese declaration stands
        ("北朝鮮弾道弾発射確認防衛省発表日本排他的経済水域外落下推定政府関係者談話", ("ja",), "ja"),
        # too few letters to tell: the declaration, else nothing
        ("10:05", ("en",), "en"),
        ("10:05 — 2026", (), None),
    ],
)
def test_the_language_is_declared_when_the_text_agrees_else_detected(text, declared, expected):
    assert language_of(text, *declared) == expected


def test_detection_is_deterministic():
    sample = "North Korea Pyongyang Kim missile launch Sea Japan"  # short: a close call
    assert len({language_of(sample) for _ in range(5)}) == 1


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en-GB", "en"),
        ("ko_KR", "ko"),
        (" EN ", "en"),
        ("mul", None),
        ("und", None),
        ("zxx", None),
        ("x-klingon", None),
        ("english", None),
        ("한국어", None),
        ("", None),
        (None, None),
    ],
)
def test_a_declared_tag_is_reduced_to_its_primary_language(tag, code):
    assert primary(tag) == code


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>연합뉴스</title><link>https://yna.example/</link><description>d</description>
<language>{language}</language>
<item><title>北, 순항미사일 발사</title><link>https://yna.example/a1</link>
<guid>a1</guid></item>
<item><title>N. Korea fires cruise missiles</title><link>https://yna.example/a2</link>
<guid>a2</guid><dc:language>en</dc:language></item>
</channel></rss>"""


def test_an_rss_channel_language_reaches_its_items_unless_an_item_says_otherwise():
    parsed = feeds.parse(RSS.format(language="ko-KR").encode(), "https://yna.example/rss.xml")
    assert parsed.language == "ko"
    assert [entry.language for entry in parsed.entries] == ["ko", "en"]


def test_a_feed_declaring_many_languages_declares_none():
    parsed = feeds.parse(RSS.format(language="mul").encode(), "https://yna.example/rss.xml")
    assert parsed.language is None
    assert [entry.language for entry in parsed.entries] == [None, "en"]


def test_atom_xml_lang_and_json_feed_language():
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja"><title>NHK</title>
<id>tag:nhk.example,2026:feed</id><updated>2026-08-20T08:30:00Z</updated>
<entry><title>北朝鮮 弾道ミサイル発射</title><id>tag:nhk.example,2026:1</id>
<link href="https://nhk.example/1"/><updated>2026-08-20T08:30:00Z</updated></entry>
</feed>""".encode()
    parsed = feeds.parse(atom, "https://nhk.example/atom.xml")
    assert [entry.language for entry in parsed.entries] == ["ja"]
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wire",
        "language": "en-US",
        "items": [
            {"id": "1", "url": "https://wire.example/1", "title": "Launch"},
            {"id": "2", "url": "https://wire.example/2", "title": "발사", "language": "ko"},
        ],
    }
    parsed = feeds.parse(json.dumps(document).encode(), "https://wire.example/feed.json")
    assert [entry.language for entry in parsed.entries] == ["en", "ko"]


def test_a_news_sitemap_declares_each_publication_language():
    body = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://kyodo.example/news/1</loc><news:news>
<news:publication><news:name>Kyodo</news:name><news:language>ja</news:language>
</news:publication><news:publication_date>2026-08-20T17:20:00+09:00</news:publication_date>
<news:title>北朝鮮がミサイル発射</news:title></news:news></url>
</urlset>""".encode()
    parsed = sitemaps.parse_sitemap(body, "https://kyodo.example/sitemap-news.xml")
    assert [entry.language for entry in parsed.entries] == ["ja"]


def test_a_page_keeps_its_lang_only_when_its_text_is_in_that_language():
    paragraphs = "".join(f"<p>{ENGLISH}</p>" for _ in range(4))
    page = f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>N. Korea fires cruise missiles</title></head><body><article>
<h1>N. Korea fires cruise missiles</h1>{paragraphs}</article></body></html>""".encode()
    assert extract_page(page, "https://portal.example/en/1").language == "en"
    korean = page.replace(ENGLISH.encode(), KOREAN.encode())
    assert extract_page(korean, "https://portal.example/ko/1").language == "ko"
