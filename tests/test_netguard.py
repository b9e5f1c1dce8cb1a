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


# One row per block of IANA's IPv4 and IPv6 special-purpose registries (and what
# reaches such a block through an IPv6 translator or tunnel): True means refused.
REGISTRY = [
    ("0.1.2.3", True),  # "this network"
    ("100.64.0.1", True),  # shared address space (carrier-grade NAT)
    ("100.100.100.200", True),  # a cloud metadata service inside 100.64.0.0/10
    ("100.127.255.254", True),
    ("100.128.0.1", False),  # just past 100.64.0.0/10
    ("192.0.0.8", True),  # IETF protocol assignments
    ("192.0.0.170", True),  # NAT64 discovery
    ("192.0.2.10", True),  # TEST-NET-1
    ("192.88.99.1", True),  # deprecated 6to4 relay anycast
    ("198.18.0.1", True),  # benchmarking
    ("198.19.255.255", True),
    ("198.20.0.1", False),  # just past 198.18.0.0/15
    ("198.51.100.7", True),  # TEST-NET-2
    ("203.0.113.9", True),  # TEST-NET-3
    ("240.0.0.1", True),  # reserved
    ("255.255.255.255", True),  # limited broadcast
    ("192.31.196.1", False),  # AS112-v4: globally reachable
    ("8.8.8.8", False),
    ("::", True),
    ("::127.0.0.1", True),  # IPv4-compatible (deprecated)
    ("::ffff:100.100.100.200", True),  # IPv4-mapped, judged by the IPv4 address
    ("::ffff:8.8.8.8", False),
    ("64:ff9b::7f00:1", True),  # NAT64 to 127.0.0.1
    ("64:ff9b::6464:64c8", True),  # NAT64 to 100.100.100.200
    ("64:ff9b::808:808", False),  # NAT64 to 8.8.8.8
    ("64:ff9b:1::1", True),  # local-use translation
    ("100::1", True),  # discard-only
    ("2001::1", True),  # Teredo
    ("2001:2::1", True),  # benchmarking
    ("2001:10::1", True),  # deprecated ORCHID
    ("2001:1::1", False),  # port control protocol anycast: globally reachable
    ("2001:4:112::1", False),  # AS112-v6
    ("2001:db8::1", True),  # documentation
    ("3fff::1", True),  # documentation
    ("5f00::1", True),  # SRv6 SIDs
    ("2002:7f00:1::1", True),  # 6to4 of 127.0.0.1
    ("2002:6440:1::1", True),  # 6to4 of 100.64.0.1
    ("2002:a00:1::1", True),  # 6to4 of 10.0.0.1
    ("2002:808:808::1", False),  # 6to4 of 8.8.8.8
    ("fc00::1", True),  # unique local
    ("fec0::1", True),  # deprecated site-local
    ("ff02::1", True),  # multicast
    ("4000::1", True),  # outside 2000::/3: unallocated
    ("2606:4700::1111", False),
]


@pytest.mark.parametrize(("address", "forbidden"), REGISTRY)
def test_every_block_not_globally_reachable_is_refused(address, forbidden):
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


def test_dns_servers_leave_ip_address_hosts_alone(server, tmp_path):
    """An IP-literal host is connected to as written; the DNS server is never asked."""
    server.routes["/feed.xml"] = Reply.static(rss([]), "application/rss+xml")
    with DNSServer({}) as dns:
        cfg = write_config(
            tmp_path,
            [{"name": "Local", "feeds": [server.url("/feed.xml")]}],
            dns_servers=[f"127.0.0.1:{dns.port}"],
        )
        result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "/feed.xml" in [seen.path for seen in server.requests]
    assert dns.queries == []


def test_a_page_refused_at_lookup_is_final():
    from scrapy.exceptions import CannotResolveHostError
    from twisted.python.failure import Failure

    from crawler.fetch.answers import describe_failure
    from crawler.fetch.netguard import lookup_failure

    request = Request("http://internal.test/story")
    try:
        raise CannotResolveHostError("no results for hostname lookup: internal.test")
    except CannotResolveHostError:
        failure = Failure()
    failure.request = request
    message = "DNS lookup failed: blocked: internal.test resolves to 10.0.0.1"
    why = {"internal.test": lookup_failure(message, blocked=True)}
    refused = describe_failure(failure, why)
    assert refused.text.startswith("blocked: internal.test") and refused.final
