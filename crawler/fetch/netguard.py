"""Keeps feeds and their redirects from leading newsmon into private networks.

A hostile or compromised feed could list `http://169.254.169.254/...` or
`http://10.0.0.5/admin`, or redirect there, and use newsmon to probe the
network it runs in (SSRF). Unless `allow_private_networks: true`, no request
may reach a loopback, private, link-local, multicast, reserved or unspecified
address. Two places enforce it, because Twisted does not resolve IP literals:

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

from crawler.refresh import BLOCKED  # the prefix that makes a page failure final

SETTING = "NEWSMON_ALLOW_PRIVATE_NETWORKS"
DNS_SERVERS_SETTING = "NEWSMON_DNS_SERVERS"
REASON = "is a private, loopback or link-local address (allow_private_networks is false)"


def is_forbidden(address: str) -> bool:
    """True for an IP address newsmon must not contact by default; False for non-IPs."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


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
            raise IgnoreRequest(f"{BLOCKED} {host} {REASON}")


class _Lookup(ThreadedResolver):
    """The uncached lookup under Scrapy's cache: the system resolver, or with
    `fetch.dns_servers` those servers (Twisted's own DNS client), e.g. a local cache.

    It sits below `CachingThreadedResolver` in the method order, so Scrapy's
    cache serves both ways of asking."""

    dns_client: Any = None

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        if self.dns_client is None:
            return super().getHostByName(name, timeout)

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
    lookup_errors: dict[str, str]

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
                raise DNSLookupError(f"{BLOCKED} {name} resolves to {address}, which {REASON}")
            self.lookup_errors.pop(name, None)
            return address

        def remember_why(failure: Any) -> Any:
            self.lookup_errors[name] = failure.getErrorMessage() or failure.type.__name__
            return failure

        deferred = super().getHostByName(name, timeout)
        return deferred.addCallback(check).addErrback(remember_why)
