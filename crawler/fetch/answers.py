"""Scrapy's responses and failures, turned into the plain values the poll decides on.

A failure becomes a `FetchFailure`: its kind, which the poll decides on, and one plain
sentence for people ("HTTP 500", "timed out", "DNS lookup failed: gone.test: no such
domain (NXDOMAIN)", "disallowed by robots.txt"), recorded as it is.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.httpobj import urlparse_cached
from twisted.python.failure import Failure

from crawler.fetch.netguard import BlockedRequest, lookup_failure
from crawler.model import FailureKind, FeedAnswer, FetchFailure, PageAnswer

ROBOTS_DISALLOWED = "disallowed by robots.txt"
TOO_LARGE = "too large: "

PERMANENT_REDIRECTS = (301, 308)


def feed_answer(response: Response, max_bytes: int) -> FeedAnswer:
    """A feed's answer; a `.xml.gz` sitemap served as a file is unpacked (ValueError when
    it does not unpack)."""
    body = response.body
    if response.status != 304 and body[:2] == b"\x1f\x8b":  # gzip as a file, not encoding
        try:
            body = gunzip(body, max_size=max_bytes)
        except (OSError, ValueError, EOFError) as exc:
            raise ValueError(f"bad gzip body: {exc}") from None
    return FeedAnswer(
        url=response.url,
        status=response.status,
        body=body,
        body_hash=hashlib.sha256(body).hexdigest() if response.status != 304 else None,
        content_type=header(response, "Content-Type"),
        etag=header(response, "ETag"),
        last_modified=header(response, "Last-Modified"),
        cache_control=header(response, "Cache-Control"),
        moved=_permanent_location(response),
        latency=response.meta.get("download_latency"),
    )


def page_answer(response: Response) -> PageAnswer:
    return PageAnswer(
        url=response.url,
        status=response.status,
        body=response.body,
        content_type=header(response, "Content-Type"),
        latency=response.meta.get("download_latency"),
    )


def request_of(source: Response | Failure) -> Request:
    """The request a response answers, or an errback's failure is about: Scrapy sets it
    on both (on a Failure as an attribute of its own, which Twisted's types do not know)."""
    request: Request | None = getattr(source, "request", None)
    if request is None:
        raise TypeError(f"no request on {source!r}")
    return request


def describe_failure(
    failure: Failure, lookup_errors: Mapping[str, FetchFailure] | None = None
) -> FetchFailure:
    """A failure as its kind, one plain sentence and the HTTP status if any.
    `lookup_errors`: why each host name that failed to resolve did (Twisted reports only
    "no results")."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return FetchFailure(FailureKind.HTTP, f"HTTP {status}", status)
    if isinstance(exc, BlockedRequest):
        return FetchFailure(FailureKind.BLOCKED, str(exc))
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text.lower():  # Scrapy's RobotsTxtMiddleware
            return FetchFailure(FailureKind.ROBOTS, ROBOTS_DISALLOWED)
        if "DOWNLOAD_MAXSIZE" in text:  # over max_bytes once decompressed, as below
            return FetchFailure(FailureKind.TOO_LARGE, f"{TOO_LARGE}{text}")
        return FetchFailure(FailureKind.DROPPED, f"request dropped: {text}")
    if isinstance(exc, DownloadTimeoutError | TimeoutError | asyncio.TimeoutError):
        return FetchFailure(FailureKind.TIMEOUT, f"timed out: {exc}")
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels for DOWNLOAD_MAXSIZE ("... larger than download max size ...")
        # and for a cancelled Twisted download (a stopping crawl): only the first is final
        if "max size" in str(exc):
            return FetchFailure(FailureKind.TOO_LARGE, f"{TOO_LARGE}{exc}")
        return FetchFailure(FailureKind.CANCELLED, f"download cancelled: {exc}")
    if isinstance(exc, CannotResolveHostError):
        host = urlparse_cached(request_of(failure)).hostname or ""
        known = (lookup_errors or {}).get(host)
        return known or lookup_failure(str(exc), blocked=False)
    if isinstance(exc, DownloadConnectionRefusedError):
        return FetchFailure(FailureKind.REFUSED, "connection refused")
    if isinstance(exc, ResponseDataLossError):
        text = "connection closed before the whole body arrived"
        return FetchFailure(FailureKind.DATA_LOSS, text)
    if isinstance(exc, DownloadFailedError):
        return FetchFailure(FailureKind.DOWNLOAD, f"download failed: {exc}")
    return FetchFailure(FailureKind.OTHER, f"{type(exc).__name__}: {exc}")


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _permanent_location(response: Response) -> str | None:
    reasons = response.meta.get("redirect_reasons") or []
    if reasons and all(reason in PERMANENT_REDIRECTS for reason in reasons):
        return response.url
    return None
