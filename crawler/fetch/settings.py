"""Every Scrapy setting newsmon uses, built in one place from the typed config.

Scrapy's settings are string keys layered by priority ("why isn't my setting
applied?"); here they are one function of `FetchSettings`, and nothing is layered
anywhere else.
"""

from __future__ import annotations

from typing import Any

from crawler.config import FetchSettings
from crawler.untrusted import MAX_URL

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
MIN_DOWNLOAD_DELAY = 0.001


def scrapy_settings(
    fetch: FetchSettings, *, log_level: str = "WARNING", allow_private_networks: bool = False
) -> dict[str, Any]:
    """Every Scrapy setting newsmon uses; nothing is layered anywhere else."""
    return {
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
        "USER_AGENT": fetch.user_agent,
        "ROBOTSTXT_OBEY": fetch.obey_robots,
        "ROBOTSTXT_USER_AGENT": fetch.user_agent.split("/")[0],
        # A request waiting out its host's delay counts against this cap, so it bounds
        # how many hosts progress at once; the per-host limits below are the politeness.
        "CONCURRENT_REQUESTS": 64,
        # Dequeue from the hosts with the fewest requests in flight. With Scrapy's default
        # queue the cap filled with one host's backlog (a host's 20 feeds sit together in
        # the start order) while the other hosts waited: 16 s instead of 5 for 1,000 feeds.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "CONCURRENT_REQUESTS_PER_DOMAIN": fetch.per_host_concurrency,
        # Callbacks yield requests, never items; Scrapy 2.19 starts CONCURRENT_ITEMS
        # tasks for every callback's output, which at its default of 100 cost a tenth
        # of the main process's time per article page.
        "CONCURRENT_ITEMS": 1,
        # Scrapy 2.19 counts a request as transferring only once its download coroutine
        # runs, so with no delay at all it dispatches every queued request of a host at
        # once, whatever CONCURRENT_REQUESTS_PER_DOMAIN says; a delay of at least 1 ms
        # makes it dispatch one at a time and restores the per-host cap.
        "DOWNLOAD_DELAY": max(fetch.per_host_delay, MIN_DOWNLOAD_DELAY),
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "AUTOTHROTTLE_ENABLED": fetch.autothrottle,
        "AUTOTHROTTLE_START_DELAY": fetch.per_host_delay or 0.5,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(fetch.per_host_concurrency),
        # Longer URLs Scrapy drops without calling back; the spider records them first.
        "URLLENGTH_LIMIT": MAX_URL,
        "DOWNLOAD_TIMEOUT": fetch.timeout,
        "DOWNLOAD_MAXSIZE": fetch.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        # Scrapy pauses new downloads while the responses being handled exceed this;
        # at its 5 MB default one big feed being parsed held up every other outlet.
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": max(5_000_000, 2 * fetch.max_bytes),
        "RETRY_ENABLED": fetch.retries > 0,
        "RETRY_TIMES": fetch.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "NEWSMON_RETRY_BACKOFF": fetch.retry_backoff,
        "REDIRECT_ENABLED": True,
        "REDIRECT_MAX_TIMES": 5,
        "METAREFRESH_ENABLED": False,
        "COMPRESSION_ENABLED": True,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_ENABLED": True,
        "LOG_LEVEL": log_level,
        "STATS_DUMP": False,
        "LOGSTATS_INTERVAL": 0,
        "NEWSMON_ALLOW_PRIVATE_NETWORKS": allow_private_networks,
        "NEWSMON_DNS_SERVERS": [list(server) for server in fetch.dns_servers],
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.fetch.netguard.PrivateNetworkMiddleware": 50,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.fetch.middlewares.CachedRobotsTxtMiddleware": 100,
            "crawler.fetch.middlewares.RetryBackoffMiddleware": 540,
            "crawler.fetch.middlewares.RetryAfterMiddleware": 560,
            # Off, each a hop per request for nothing here: no allowed_domains, no HTTP
            # auth, no stats read.
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
        },
        # Off: no Referer sent to outlets (nothing of one outlet's reading leaks to the
        # next), and no crawl depth in a poll.
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
        },
        # Off: what newsmon never uses. RemoteControl alone imported aiohttp (0.6 s of
        # start-up); no file:, data:, s3: or ftp: URL is ever fetched.
        "EXTENSIONS": {
            f"scrapy.extensions.{name}": None
            for name in (
                "logstats.LogStats",
                "telnet.TelnetConsole",
                "memdebug.MemoryDebugger",
                "feedexport.FeedExporter",
                "spiderstate.SpiderState",
                "remote_control.RemoteControl",
            )
        },
        "DOWNLOAD_HANDLERS": {"data": None, "file": None, "s3": None, "ftp": None},
    }
