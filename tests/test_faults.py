"""Server faults: each recorded against its own feed; everything else completes."""

from __future__ import annotations

from crawler.loopback import Reply
from tests.builders import Item, page, rss
from tests.conftest import newsmon, query, write_config
from tests.dnsserver import DNSServer


def test_broken_servers_cost_only_their_own_feed(server, tmp_path):
    good = rss([Item("Dam repairs", server.url("/a"))])
    server.routes["/a"] = Reply.static(page("Dam repairs", "dam repairs"), "text/html")
    server.routes["/good.xml"] = Reply.static(good, "application/rss+xml")
    server.routes["/reset.xml"] = Reply(body=good * 20, fault="reset", gzip=False)
    server.routes["/trickle.xml"] = Reply(body=good, fault="trickle", gzip=False)
    server.routes["/gzip.xml"] = Reply(body=good * 5, fault="truncated-gzip")
    server.routes["/loop1.xml"] = Reply(302, headers={"Location": server.url("/loop2.xml")})
    server.routes["/loop2.xml"] = Reply(302, headers={"Location": server.url("/loop1.xml")})
    server.routes["/ftp.xml"] = Reply(301, headers={"Location": "ftp://127.0.0.1/feed.xml"})
    server.routes["/png.xml"] = Reply(body=good, headers={"Content-Type": "image/png"})
    server.routes["/none.xml"] = Reply(body=good)  # no Content-Type at all
    server.routes["/burst.xml"] = Reply(503, b"overloaded")
    names = ["good", "reset", "trickle", "gzip", "loop1", "ftp", "png", "none", "burst"]
    cfg = write_config(
        tmp_path,
        [{"name": n, "feeds": [server.url(f"/{n}.xml")]} for n in names],
        timeout="2s",
        retries=1,
        retry_backoff="0.1s",
    )
    result = newsmon("run", "--all", config=cfg, timeout=120)
    assert result.returncode == 1
    errors = dict(query(cfg, "SELECT config_url, last_error FROM feeds"))
    error = {name: errors[server.url(f"/{name}.xml")] for name in names}
    assert error["good"] is None and error["png"] is None and error["none"] is None
    assert "whole body" in error["reset"] or "download failed" in error["reset"]
    assert "timed out" in error["trickle"]
    assert error["gzip"] is not None
    assert error["loop1"] is not None
    assert error["ftp"] == "HTTP 301"  # a redirect to another scheme is not followed
    assert error["burst"] == "HTTP 503"
    assert len(server.hits("/burst.xml")) == 2  # retried once, then recorded
    # the wrong or missing Content-Type feeds and the good one lead to the same article
    assert query(cfg, "SELECT count(*) FROM articles") == [(1,)]
    assert query(cfg, "SELECT count(*) FROM entries") == [(3,)]


def test_a_name_that_does_not_resolve_costs_only_its_own_feed(server, tmp_path):
    """DNS through a real server on loopback: one outlet's name is NXDOMAIN."""
    with DNSServer({"good.test": "127.0.0.1"}) as dns:
        port = server.port
        good = rss([Item("Dam repairs", f"http://good.test:{port}/a")])
        server.routes["/a"] = Reply.static(page("Dam repairs", "dam repairs"), "text/html")
        server.routes["/good.xml"] = Reply.static(good, "application/rss+xml")
        cfg = write_config(
            tmp_path,
            [
                {"name": "good", "feeds": [f"http://good.test:{port}/good.xml"]},
                {"name": "gone", "feeds": [f"http://gone.test:{port}/gone.xml"]},
            ],
            dns_servers=[f"127.0.0.1:{dns.port}"],
        )
        result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 1, result.stderr
    errors = dict(query(cfg, "SELECT config_url, last_error FROM feeds"))
    assert errors[f"http://good.test:{port}/good.xml"] is None
    assert "gone.test: no such domain (NXDOMAIN)" in errors[f"http://gone.test:{port}/gone.xml"]
    assert "gone.test" in result.stdout + result.stderr
    assert query(cfg, "SELECT count(*) FROM articles") == [(1,)]
    assert "gone.test" in dns.queries and "good.test" in dns.queries
