from pathlib import Path

import pytest

from crawler.dates import parse_date
from crawler.parse import feeds
from crawler.parse.feeds import FeedError
from crawler.parse.items import entry_key

DATA = Path(__file__).parent / "data"


def parse(name: str, url: str = "https://bay.example/feed") -> feeds.Parsed:
    return feeds.parse((DATA / name).read_bytes(), url)


def test_atom_entries_keep_time_zone_identity_and_canonical_links():
    parsed = parse("atom.xml", "https://hanriver.example/atom.xml")
    assert parsed.format == "atom10"
    first, second = parsed.entries
    assert first.key == "tag:hanriver.example,2026:0104-missiles"
    assert first.link == "https://hanriver.example/news/0104-missiles"  # resolved, untracked
    assert first.published == "2026-01-04T10:05:00+09:00"
    assert first.author == "Kim Min-ji"
    assert second.link is None and "Only the feed" in second.content


def test_rdf_dc_date():
    (entry,) = parse("rdf.xml").entries
    assert parse("rdf.xml").format == "rss10"
    assert entry.published == "2026-01-20T13:15:00+09:00"
    assert entry.link == "http://islands.example/typhoon"


def test_json_feed_is_read_by_our_adapter():
    parsed = parse("feed.json")
    assert parsed.format == "json" and parsed.title == "Bay Evening Post"
    first, second = parsed.entries
    assert (first.key, first.author, first.published) == (
        "bay-1",
        "Sato Aiko",
        "2026-01-05T12:00:00+09:00",
    )
    assert second.link == "https://bay.example/striker"
    assert second.content == "A three-year deal."


def test_news_sitemap_titles_and_publication_dates():
    parsed = parse("news-sitemap.xml")
    assert parsed.format == "sitemap"
    news, plain = parsed.entries
    assert news.title == "Missiles fell outside Japan's EEZ"
    assert news.published == "2026-01-04T10:30:00+09:00"
    assert plain.published == "2026-01-04T06:00:00+00:00"  # lastmod when no news block


def test_sitemap_index_lists_children_resolved_against_its_url():
    parsed = parse("sitemap-index.xml", "https://bay.example/sitemap.xml")
    assert parsed.entries == ()
    assert parsed.sitemaps == (
        "https://bay.example/sitemaps/news-1.xml",
        "https://bay.example/sitemaps/news-2.xml",
    )


def test_rss_identity_falls_back_from_guid_to_link_to_content_hash():
    linked, bare = parse("rss-no-guid.xml", "http://m.example/rss").entries
    assert linked.key == "http://m.example/a"
    assert bare.key.startswith("sha256:") and bare.link is None
    assert linked.published == "2026-01-04T00:12:00+00:00"


def test_entry_key_ignores_title_when_guid_or_link_exists():
    assert entry_key("g1", "http://x/a", "Old title", None) == entry_key(
        "g1", "http://x/b", "New", None
    )
    assert entry_key(None, "http://x/a", "Old", None) == entry_key(None, "http://x/a", "New", None)
    assert entry_key(None, None, "A", "body") != entry_key(None, None, "B", "body")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ((DATA / "not-a-feed.html").read_bytes(), "HTML page, not a feed"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<rss><channel><item><title>unterminated", "malformed feed with no readable entries"),
        (b"hello, world", "not a recognisable"),
        (b'{"items": []}', "not a JSON Feed"),
        (b"{not json", "invalid JSON"),
        (
            b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>x",
            "malformed sitemap",
        ),
    ],
)
def test_unreadable_bodies_raise_one_clear_error(body, message):
    with pytest.raises(FeedError, match=message):
        feeds.parse(body, "https://bay.example/feed")


def test_sitemap_entities_are_not_expanded():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY x "https://evil.example/">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;a</loc></url></urlset>"""
    parsed = feeds.parse(body, "https://bay.example/s.xml")
    assert all("evil" not in (e.link or "") for e in parsed.entries)


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "shared/datasets/real-feeds/input").is_dir(),
    reason="../shared/datasets/real-feeds absent",
)
def test_every_real_feed_parses_or_fails_clearly():
    folder = Path(__file__).resolve().parents[2] / "shared/datasets/real-feeds/input"
    outcomes = {}
    for path in sorted(folder.iterdir()):
        try:
            parsed = feeds.parse(path.read_bytes(), "https://feeds.example/" + path.name)
            outcomes[path.name] = len(parsed.entries)
        except FeedError as exc:  # a clear, one-line reason is acceptable; a crash is not
            assert str(exc) and "\n" not in str(exc)
            outcomes[path.name] = str(exc)
    parsed_ok = [n for n, v in outcomes.items() if isinstance(v, int)]
    assert len(parsed_ok) >= 0.8 * len(outcomes), outcomes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 04 Jan 2026 00:12:00 +0000", "2026-01-04T00:12:00+00:00"),
        ("2026-01-04T10:05:00+09:00", "2026-01-04T10:05:00+09:00"),
        ("2026-01-04T01:05:00Z", "2026-01-04T01:05:00+00:00"),
        ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T19:42:40-03:00"),  # UOL, Portuguese
        ("Mo, 5 Okt 2026 10:00:00 +0200", "2026-10-05T10:00:00+02:00"),
    ],
)
def test_dates_keep_their_own_offset(text, expected):
    assert parse_date(text).isoformat() == expected


def test_unreadable_dates_are_none_not_errors():
    assert parse_date("sometime last week") is None
    assert parse_date("") is None
