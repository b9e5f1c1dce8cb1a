"""Canonical URLs: one article, one key, whatever link led to it; and one feed, one key.

Feeds decorate links with campaign parameters and fragments; the canonical
form drops them so the "already stored?" check is a single index lookup.
Feed URLs follow a far narrower rule (`feed_identity`): on a feed URL `?cid=2`,
`?output=atom`, an `m.` host or an `/amp` path usually names a different feed.
"""

from __future__ import annotations

from urllib.parse import (
    SplitResult,
    parse_qsl,
    quote,
    unquote,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

from crawler.errors import UsageError

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "cmp",
        "ncid",
        "sr_share",
        "smid",
        "ito",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "rss",
        "taid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "spm",
        "share",
        "src",
        "ref",
        "referrer",
        "ref_src",
        "ref_url",
        "via",
        "cid",
        "soc_src",
        "soc_trk",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "piwik_", "mtm_", "hsa_", "oly_", "vero_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Same article, other rendering: hosts and path markers of mobile and AMP variants.
VARIANT_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
AMP_QUERY = frozenset({"amp", "outputtype", "output", "amp_js_v", "usqp"})


class URLError(UsageError, ValueError):
    """A link is not an absolute http(s) URL."""


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """Normalise an absolute http(s) URL; raises URLError for anything else."""
    parts, scheme, netloc = _http_origin(url, host_dot=False)
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~%") or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _http_origin(url: str, *, host_dot: bool) -> tuple[SplitResult, str, str]:
    """(parts, scheme, host[:port]) of an absolute http(s) URL: scheme and host lower
    case, the default port dropped; `host_dot` keeps a trailing dot on the host.
    Raises URLError for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise URLError(f"{url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise URLError(f"{url!r} is not an absolute http(s) URL")
    host = parts.hostname.lower() if host_dot else parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return parts, scheme, host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"


def resolve(link: str | None, base: str | None = None) -> str | None:
    """The canonical form of a link found at `base`; None when it is not http(s).

    Feeds and pages are full of links we cannot follow (mailto:, javascript:,
    garbage); those are simply not links to articles.
    """
    if not link or not link.strip():
        return None
    try:
        return canonicalize(urljoin(base, link.strip()) if base else link)
    except URLError:
        return None


def identity(url: str) -> str:
    """The key two URLs share when they lead to the same article.

    Coarser than `canonicalize` (which must stay fetchable): it also folds
    http/https, www/m/mobile/amp hosts and AMP paths (`/amp`, `.amp`,
    `?amp=1`, `?outputType=amp`), so whichever variant a feed links to, the
    article is fetched once.
    """
    parts = urlsplit(canonicalize(url))
    host = parts.netloc
    for prefix in VARIANT_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    path = parts.path
    for suffix in ("/amp", ".amp", "/amp.html"):
        if path.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)] + (".html" if suffix == "/amp.html" else "")
    if path.startswith("/amp/"):
        path = path[4:]
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in AMP_QUERY
    ]
    return host + (path.rstrip("/") or "/") + ("?" + urlencode(query) if query else "")


def feed_identity(url: str) -> str:
    """The key two feed URLs share when they are the same feed: the URL as written,
    with only the scheme and host lower-cased, the default port dropped and a trailing
    slash ignored. Never the article rule: a query, a mobile host or an `/amp` path
    picks a different feed. Raises URLError for what is not an absolute http(s) URL."""
    parts, scheme, netloc = _http_origin(url, host_dot=True)
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
