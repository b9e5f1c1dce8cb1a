"""Keeps feeds and their redirects from leading newsmon into private networks.

A hostile or compromised feed could list `http://169.254.169.254/...` or
`http://10.0.0.5/admin`, or redirect there, and use newsmon to probe the
network it runs in (SSRF). Unless `allow_private_networks: true`, no request
may reach an address that is not globally reachable by IANA's special-purpose
registries (loopback, private, shared/CGNAT, link-local, documentation, benchmarking,
multicast, reserved, and IPv6 forms that carry such an IPv4 address). Two places
enforce it, because Twisted does not resolve IP literals:

- `PrivateNetworkMiddleware` refuses IP-literal and `localhost` URLs, for every
  request including each redirect hop, before anything is sent;
- `GuardedResolver` refuses host names that resolve to such an address, at the
  very lookup the connection uses (no second lookup that DNS could answer
  differently).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.base import ThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.errors import NewsmonError
from crawler.model import FailureKind, FetchFailure

SETTING = "NEWSMON_ALLOW_PRIVATE_NETWORKS"
DNS_SERVERS_SETTING = "NEWSMON_DNS_SERVERS"
BLOCKED = "blocked:"  # how a refused address reads in the fetch log
LOOKUP_FAILED = "DNS lookup failed: "  # how Twisted words DNSLookupError
REASON = "is a private, loopback or link-local address (allow_private_networks is false)"


# IANA's IPv4 and IPv6 Special-Purpose Address Registries: every block whose
# "Globally Reachable" is False or N/A, plus what lies outside 2000::/3 (unallocated).
# `ipaddress` alone misses some (3.11 calls 100.64.0.0/10 neither private nor global,
# and knows nothing of 3fff::/20 or 5f00::/16), so the table is spelled out here.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space: carrier-grade NAT, Tailscale, cloud metadata
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
        "::/8",  # unspecified, loopback, IPv4-compatible, reserved
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments, Teredo, benchmarking (exceptions below)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
# Blocks inside 2001::/23 that the registry marks globally reachable.
GLOBAL_EXCEPTIONS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "2001:1::1/128",  # port control protocol anycast
        "2001:1::2/128",  # TURN anycast
        "2001:1::3/128",  # DNS-SD service registration anycast
        "2001:3::/32",  # AMT
        "2001:4:112::/48",  # AS112-v6
        "2001:20::/28",  # ORCHIDv2
        "2001:30::/28",  # drone remote ID (DET)
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def is_forbidden(address: str) -> bool:
    """True for an IP address newsmon must not contact by default; False for non-IPs.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4) reaches that
    IPv4 host, so it is judged by it."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    ip = embedded_ipv4(ip)
    if any(ip in block for block in GLOBAL_EXCEPTIONS):
        return False
    if any(ip in block for block in NOT_GLOBAL if block.version == ip.version):
        return True
    if ip.version == 6 and ip not in GLOBAL_UNICAST_V6:
        return True
    return not ip.is_global


def embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Any:
    """The IPv4 address an IPv6 one reaches through a translator or tunnel, else `ip`."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    return ip


def is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class BlockedRequest(IgnoreRequest, NewsmonError):
    """A URL whose host is a forbidden address literal (or `localhost`)."""


class BlockedAddress(DNSLookupError, NewsmonError):
    """A host name that resolves to a forbidden address."""


def lookup_failure(message: str, *, blocked: bool) -> FetchFailure:
    """A failed lookup as the poll records it: a refused address or a DNS failure."""
    reason = message.removeprefix(LOOKUP_FAILED)
    if blocked:
        return FetchFailure(FailureKind.BLOCKED, reason)
    return FetchFailure(FailureKind.DNS, f"{LOOKUP_FAILED}{reason.removeprefix(LOOKUP_FAILED)}")


def blocked_host(host: str | None) -> bool:
    if not host:
        return False
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost") or is_forbidden(name)


class PrivateNetworkMiddleware:
    """Downloader middleware: refuses URLs whose host is a forbidden literal address."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkMiddleware:
        if crawler.settings.getbool(SETTING):
            raise NotConfigured
        return cls()

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname
        if blocked_host(host):
            raise BlockedRequest(f"{BLOCKED} {host} {REASON}")


class _Lookup(ThreadedResolver):
    """The uncached lookup under Scrapy's cache: the system resolver, or with
    `fetch.dns_servers` those servers (Twisted's own DNS client), e.g. a local cache.

    It sits below `CachingThreadedResolver` in the method order, so Scrapy's
    cache serves both ways of asking."""

    dns_client: Any = None

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        if self.dns_client is None:
            return super().getHostByName(name, timeout)
        if is_ip_literal(name):  # a DNS server answers NXDOMAIN for "127.0.0.1"
            from twisted.internet import defer

            return defer.succeed(name.strip("[]"))

        def explain(failure: Any) -> None:
            from twisted.names import error

            reasons = {
                error.DNSNameError: "no such domain (NXDOMAIN)",
                error.DomainError: "no such domain",
                error.DNSServerError: "the DNS server failed (SERVFAIL)",
                error.DNSQueryRefusedError: "the DNS server refused the query",
            }
            reason = next(
                (text for kind, text in reasons.items() if failure.check(kind)),
                failure.getErrorMessage() or failure.type.__name__,
            )
            servers = ", ".join(f"{ip}:{port}" for ip, port in self.dns_client.servers)
            raise DNSLookupError(f"{name}: {reason} (asked {servers})")

        return self.dns_client.getHostByName(name, timeout).addErrback(explain)


class GuardedResolver(CachingThreadedResolver, _Lookup):
    """Scrapy's caching resolver, refusing names that resolve to forbidden addresses.

    Twisted's hostname endpoint turns every failed lookup into "no results for hostname
    lookup", so the resolver keeps the real reason per name (`lookup_errors`) for the
    poll to report; a name is dropped from it when it resolves again.
    """

    allow_private = False
    lookup_errors: dict[str, FetchFailure]

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool(SETTING)
        resolver.lookup_errors = {}
        servers = crawler.settings.getlist(DNS_SERVERS_SETTING)
        if servers:
            from twisted.names import client

            resolver.dns_client = client.Resolver(
                servers=[tuple(server) for server in servers], reactor=reactor
            )
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        def check(address: str) -> str:
            if not self.allow_private and is_forbidden(address):
                raise BlockedAddress(f"{BLOCKED} {name} resolves to {address}, which {REASON}")
            self.lookup_errors.pop(name, None)
            return address

        def remember_why(failure: Any) -> Any:
            message = failure.getErrorMessage() or failure.type.__name__
            blocked = failure.check(BlockedAddress) is not None
            self.lookup_errors[name] = lookup_failure(message, blocked=blocked)
            return failure

        deferred = super().getHostByName(name, timeout)
        return deferred.addCallback(check).addErrback(remember_why)
