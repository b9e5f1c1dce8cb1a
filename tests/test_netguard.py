import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.fetch.netguard import PrivateNetworkMiddleware, blocked_host, is_forbidden
from crawler.loopback import Reply
from tests.builders import Item, rss
from tests.conftest import newsmon, write_config
from tests.dnsserver import DNSServer


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.9", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("fe80::1", True),
        ("::ffff:127.0.0.1", True),
        ("fd00::5", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
        ("example.org", False),
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address, forbidden):
    assert is_forbidden(address) is forbidden


def test_localhost_names_are_refused_too():
    assert blocked_host("localhost") and blocked_host("api.localhost.") and blocked_host("10.0.0.1")
    assert not blocked_host("news.example.org") and not blocked_host(None)


def test_every_hop_is_checked_including_redirect_targets():
    middleware = PrivateNetworkMiddleware()
    middleware.process_request(Request("https://news.example.org/feed.xml"))  # allowed
    with pytest.raises(IgnoreRequest, match=r"blocked: 169\.254\.169\.254 is a private"):
        middleware.process_request(Request("http://169.254.169.254/latest/meta-data/"))


def test_by_default_a_feed_cannot_reach_the_local_network(server, tmp_path):
    server.routes["/feed.xml"] = Reply.static(
        rss([Item("x", server.url("/x"))]), "application/rss+xml"
    )
    cfg = write_config(
        tmp_path,
        [{"name": "Local", "feeds": [server.url("/feed.xml")]}],
        allow_private_networks=False,
    )
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 1
    assert "blocked: 127.0.0.1 is a private, loopback or link-local address" in result.stderr
    assert server.requests == []  # not even robots.txt was asked for


def test_a_name_that_resolves_to_a_private_address_is_refused(server, tmp_path):
    """The resolver's check: `internal.test` looks public until DNS answers 127.0.0.1."""
    with DNSServer({"internal.test": "127.0.0.1"}) as dns:
        cfg = write_config(
            tmp_path,
            [{"name": "Inside", "feeds": [f"http://internal.test:{server.port}/feed.xml"]}],
            allow_private_networks=False,
            dns_servers=[f"127.0.0.1:{dns.port}"],
        )
        result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 1
    assert "blocked: internal.test resolves to 127.0.0.1" in result.stderr
    assert dns.queries and server.requests == []
