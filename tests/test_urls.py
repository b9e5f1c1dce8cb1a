import pytest

from crawler.urls import URLError, canonicalize, feed_identity


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.ORG:80/a/b/", "http://example.org/a/b"),
        ("https://example.org:443/x?utm_source=rss&utm_medium=feed", "https://example.org/x"),
        (
            "https://example.org/x?b=2&fbclid=abc&a=1&gclid=z#comments",
            "https://example.org/x?a=1&b=2",
        ),
        ("https://example.org", "https://example.org/"),
        ("https://example.org:8443/x/", "https://example.org:8443/x"),
        ("https://example.org/caf%C3%A9", "https://example.org/caf%C3%A9"),
        ("https://example.org/a b", "https://example.org/a%20b"),
        ("https://example.org/story?id=12&page=2", "https://example.org/story?id=12&page=2"),
    ],
)
def test_canonical_forms(url, expected):
    assert canonicalize(url) == expected
    assert canonicalize(expected) == expected  # idempotent


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "/relative/path",
        "mailto:a@b.c",
        "http://",
        "https://example.org:99999/",
    ],
)
def test_non_http_urls_are_rejected(url):
    with pytest.raises(URLError):
        canonicalize(url)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("HTTP://Example.ORG/feed", "http://example.org/feed", True),
        ("https://example.org:443/feed/", "https://example.org/feed", True),
        ("https://example.org", "https://example.org/", True),
        ("https://example.org/rss?cid=1", "https://example.org/rss?cid=2", False),
        ("https://example.org/rss?utm_source=x", "https://example.org/rss", False),
        ("https://m.example.org/feed", "https://example.org/feed", False),
        ("https://example.org/world/amp", "https://example.org/world", False),
        ("http://example.org/feed", "https://example.org/feed", False),
        ("https://example.org/Feed", "https://example.org/feed", False),
        ("https://example.org:8443/feed", "https://example.org/feed", False),
    ],
)
def test_feed_urls_compare_as_written(a, b, same):
    assert (feed_identity(a) == feed_identity(b)) is same
