"""Values from the network are typed, bounded and normalised at the parser."""

from __future__ import annotations

import json

import pytest

from crawler import untrusted
from crawler.dates import parse_date
from crawler.parse import feeds
from crawler.text import MAX_TITLE_TERMS, title_terms


def json_feed(*items: object) -> bytes:
    document = {"version": "https://jsonfeed.org/version/1.1", "items": list(items)}
    return json.dumps(document, ensure_ascii=True).encode()


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"id": "a", "title": {"x": 1}, "url": "https://n.example/a"}, "title is an object"),
        ({"id": "a", "title": [1], "url": "https://n.example/a"}, "title is a list"),
        ({"id": "a", "title": True, "url": "https://n.example/a"}, "title is true or false"),
        ({"id": "a", "title": 2**70, "url": "https://n.example/a"}, "title is a number"),
        ({"id": "a", "url": 12345}, "link is a number"),
        ({"id": {"nested": 1}, "url": "https://n.example/a"}, "id is an object"),
        ({"id": 10**150, "url": "https://n.example/a"}, "id is a number of 151 digits"),
        ({"id": "a", "url": "https://n.example/a", "authors": "me"}, "authors is text"),
        ({"id": "a", "url": "https://n.example/" + "x" * 20_000}, "link is over 16,384"),
        ("a string for an item", "the item is text, not an object"),
    ],
)
def test_a_json_feed_item_of_the_wrong_shape_is_refused_with_its_reason(item, reason):
    innocent = {"id": "ok", "title": "Fine", "url": "https://n.example/ok"}
    parsed = feeds.parse(json_feed(item, innocent), "https://n.example/feed.json")
    bad, good = parsed.entries
    assert bad.problem is not None and bad.problem.startswith(reason)
    assert bad.link is None and bad.key.startswith("refused:")
    assert good.problem is None and good.title == "Fine"


def test_numbers_as_ids_are_coerced_as_the_spec_asks_and_keys_stay_short():
    long_guid = "g" * 5_000
    parsed = feeds.parse(
        json_feed(
            {"id": 42, "url": "https://n.example/a"},
            {"id": long_guid, "url": "https://n.example/b"},
        ),
        "https://n.example/feed.json",
    )
    assert parsed.entries[0].key == "42"
    assert parsed.entries[1].key.startswith("sha256:") and len(parsed.entries[1].key) < 100


def test_text_is_cut_to_size_and_lone_surrogates_become_replacement_characters():
    item = {
        "id": "a",
        "title": "t\ud800" + "x" * 5_000,
        "url": "https://n.example/a",
        "content_text": "c\x00" * 2_000_000,
    }
    (entry,) = feeds.parse(json_feed(item), "https://n.example/feed.json").entries
    assert entry.title.startswith("t\ufffdxx") and len(entry.title) == untrusted.MAX_TITLE
    assert len(entry.content) <= untrusted.MAX_CONTENT and "\x00" not in entry.content
    entry.title.encode("utf-8")  # encodable, so SQLite takes it


@pytest.mark.parametrize("ref", [b"&#xD800;", b"&#55296;", b"&#x110000;", b"&#0;"])
def test_character_references_xml_forbids_cost_only_that_character(ref):
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>a " + ref + b" b</title><link>http://n.example/a</link></item>"
        b"<item><title>ok</title><link>http://n.example/b</link></item></channel></rss>"
    )
    first, second = feeds.parse(body, "http://n.example/feed").entries
    assert first.title == "a \ufffd b" and second.title == "ok"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested too deeply"),
        (b'{"version": "https://jsonfeed.org/version/1", "n": ' + b"9" * 5_000 + b"}", "4300"),
    ],
)
def test_json_too_deep_or_with_an_endless_number_is_a_feed_error(body, message):
    with pytest.raises(feeds.FeedError, match=message):
        feeds.parse(body, "https://n.example/feed.json")


def test_a_headline_gives_at_most_a_bounded_number_of_terms():
    title = " ".join(f"word{i}" for i in range(1_000))
    assert len(title_terms(title)) == MAX_TITLE_TERMS


def test_a_date_longer_than_any_date_is_no_date():
    assert parse_date("2026-01-04 " + "x" * 1_000) is None
    assert parse_date("2026-01-04T10:00:00+09:00") is not None
