"""The poll spider's boundaries: what it never requests, and what it never retries."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.fetch.answers import describe_failure
from crawler.fetch.netguard import PrivateNetworkMiddleware
from crawler.loopback import Reply
from tests.builders import Item, page, rss
from tests.conftest import newsmon, query, write_config

SUMMARY = "The river authority said the new locks would open to barges in the spring. " * 6


def test_a_link_too_long_to_request_is_an_error_on_its_entry_with_the_feeds_text(server, tmp_path):
    """Scrapy drops URLs over 2,083 characters without a callback, so such an entry must
    not wait for an answer: it is final at once and keeps the feed's text."""
    long_with_text = server.url("/a?" + "q=1&" * 600)
    long_without = server.url("/b?" + "r=2&" * 600)
    server.routes["/feed.xml"] = Reply.static(
        rss(
            [
                Item("Locks", long_with_text, guid="with", description=SUMMARY),
                Item("Nothing", long_without, guid="without"),
            ]
        ),
        "application/rss+xml",
    )
    cfg = write_config(tmp_path, [{"name": "Long", "feeds": [server.url("/feed.xml")]}])
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    entries = dict(
        query(
            cfg,
            "SELECT entry_key, state || ' ' || attempts || ' ' || ifnull(last_error, '')"
            " FROM entries",
        )
    )
    assert entries["with"] == "done 0 "  # kept from the feed at once
    assert entries["without"].startswith("failed 1 not requested: the URL is 2,")
    assert "over the 2,083 a request may have" in entries["without"]
    assert query(cfg, "SELECT text_method FROM articles") == [("feed_summary",)]
    assert [seen.path for seen in server.requests if seen.path.startswith(("/a", "/b"))] == []
    assert "error: page" in result.stderr and "not requested" in result.stderr


def test_a_feed_url_too_long_to_request_is_refused_by_the_config_check(tmp_path):
    cfg = write_config(
        tmp_path, [{"name": "Long", "feeds": ["http://127.0.0.1:9/f?" + "x" * 2_100]}]
    )
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 2
    assert "outlets[0].feeds[0]: the URL is 2,1" in result.stderr
    assert "characters long (at most 2,083)" in result.stderr


def test_a_feed_that_moved_to_a_url_too_long_to_request_is_an_error_on_the_feed(server, tmp_path):
    """A permanent redirect stores the feed's new URL; a URL too long to request then failed
    silently: "0 feed errors", due on every run."""
    far = "/moved?" + "y" * 2_100
    server.routes["/feed.xml"] = Reply(301, headers={"Location": server.url(far)})
    server.routes["/moved"] = Reply.static(rss([]), "application/rss+xml")
    cfg = write_config(tmp_path, [{"name": "Moved", "feeds": [server.url("/feed.xml")]}])
    assert newsmon("run", "--all", config=cfg).returncode == 0
    second = newsmon("run", "--all", config=cfg)
    assert second.returncode == 1
    assert "1 feed error" in second.stdout
    assert "not requested: the URL is 2,1" in second.stderr
    ((errors, error),) = query(cfg, "SELECT consecutive_errors, last_error FROM feeds")
    assert errors == 1 and error.startswith("not requested")


def test_a_page_over_max_bytes_is_refused_once_not_retried(server, tmp_path):
    """A refusal that cannot change is final at the first attempt."""
    server.routes["/big"] = Reply(body=page("Big", "big", paragraphs=400), gzip=False)
    server.routes["/feed.xml"] = Reply.static(
        rss([Item("Big", server.url("/big"), description=SUMMARY)]), "application/rss+xml"
    )
    cfg = write_config(
        tmp_path,
        [{"name": "Big", "feeds": [server.url("/feed.xml")]}],
        max_bytes="64KB",
        max_article_attempts=3,
    )
    assert newsmon("run", "--all", config=cfg).returncode == 0
    assert newsmon("run", "--all", config=cfg).returncode == 0
    assert len(server.hits("/big")) == 1
    assert query(cfg, "SELECT state FROM entries") == [("done",)]
    assert query(cfg, "SELECT text_method FROM articles") == [("feed_summary",)]


def _refused(url: str) -> Exception:
    """What the private-network guard raises for `url`."""
    try:
        PrivateNetworkMiddleware().process_request(Request(url))
    except IgnoreRequest as exc:
        return exc
    raise AssertionError(f"{url} was not refused")


def failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        made = Failure()
    made.request = Request("http://10.0.0.5/x")  # type: ignore[attr-defined]
    return made


@pytest.mark.parametrize(
    ("exc", "final"),
    [
        (_refused("http://10.0.0.5/x"), True),
        (IgnoreRequest("Forbidden by robots.txt"), True),
        (TimeoutError("slow"), False),
        (
            DownloadCancelledError(
                "Received 70000 bytes which is larger than download max size (65536) in "
                "request <GET http://10.0.0.5/x>."
            ),
            True,
        ),
        (DownloadCancelledError("Deferred cancelled"), False),  # a stopping crawl
    ],
)
def test_refusals_that_cannot_change_are_final(exc, final):
    """A private address (this machine reaches no other, so this is judged on the real
    Scrapy failure the middleware raises) is final like robots.txt; a timeout is not."""
    assert describe_failure(failure(exc)).final is final


def test_gone_pages_are_final_and_server_errors_are_not():
    from scrapy.http import Response

    def http(status: int) -> bool:
        response = Response("http://n.example/x", status=status)
        return describe_failure(failure(HttpError(response, ""))).final

    assert http(404) and http(410)
    assert not http(500) and not http(429)
