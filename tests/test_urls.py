import pytest

from crawler.urls import URLError, canonicalize


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
