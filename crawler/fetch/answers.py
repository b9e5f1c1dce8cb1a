"""Scrapy's responses and failures, turned into the plain values the poll decides on.

A failure becomes (HTTP status or None, one plain sentence): "HTTP 500", "timed out",
"DNS lookup failed: gone.test: no such domain (NXDOMAIN)", "disallowed by robots.txt".
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

from crawler.model import FeedAnswer, PageAnswer
from crawler.refresh import BLOCKED, ROBOTS_DISALLOWED, TOO_LARGE

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
    failure: Failure, lookup_errors: Mapping[str, str] | None = None
) -> tuple[int | None, str]:
    """A failure as (HTTP status or None, one plain sentence). `lookup_errors`: why each
    host name that failed to resolve did (Twisted reports only "no results")."""
    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        return response.status, f"HTTP {response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text.lower():
            return None, ROBOTS_DISALLOWED
        if text.startswith(BLOCKED):
            return None, text
        if "DOWNLOAD_MAXSIZE" in text:  # over max_bytes once decompressed: final, as below
            return None, f"{TOO_LARGE}{text}"
        return None, f"request dropped: {text}"
    if isinstance(exc, DownloadTimeoutError | TimeoutError | asyncio.TimeoutError):
        return None, f"timed out: {exc}"
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels for DOWNLOAD_MAXSIZE ("... larger than download max size ...")
        # and for a cancelled Twisted download (a stopping crawl): only the first is final
        if "max size" in str(exc):
            return None, f"{TOO_LARGE}{exc}"
        return None, f"download cancelled: {exc}"
    if isinstance(exc, CannotResolveHostError):
        host = urlparse_cached(request_of(failure)).hostname or ""
        reason = (lookup_errors or {}).get(host, str(exc)).removeprefix("DNS lookup failed: ")
        if reason.startswith(BLOCKED):
            return None, reason
        return None, f"DNS lookup failed: {reason.removeprefix('DNS lookup failed: ')}"
    if isinstance(exc, DownloadConnectionRefusedError):
        return None, "connection refused"
    if isinstance(exc, ResponseDataLossError):
        return None, "connection closed before the whole body arrived"
    if isinstance(exc, DownloadFailedError):
        return None, f"download failed: {exc}"
    return None, f"{type(exc).__name__}: {exc}"


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _permanent_location(response: Response) -> str | None:
    reasons = response.meta.get("redirect_reasons") or []
    if reasons and all(reason in PERMANENT_REDIRECTS for reason in reasons):
        return response.url
    return None
