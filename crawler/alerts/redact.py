"""Secrets in alert target URLs never reach the database or a log.

Target URLs can carry tokens (in the user, password, host, path or query). Outbox rows
hold the target's name only, errors are redacted before they are stored, and every
Apprise and urllib3 log record is redacted before any handler sees it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

REDACTED = "[redacted]"


SECRET_MIN_LENGTH = 6  # shorter URL parts ("hook", "json") are words, not tokens


# Loggers that may print a target URL (Apprise's own, urllib3's request lines).
REDACTED_LOGGERS = (
    "apprise",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
    "urllib3.poolmanager",
    "requests",
)


def secret_parts(url: str) -> set[str]:
    """The URL and every part of it that may be a token: user, password, host,
    path segments and query values (Apprise puts tokens in any of them)."""
    parts = {url}
    try:
        split = urlsplit(url)
        candidates = [split.username, split.password, split.hostname, split.netloc]
        candidates += split.path.split("/")
        candidates += [value for _, value in parse_qsl(split.query)]
    except ValueError:
        candidates = []
    for candidate in candidates:
        if candidate and len(candidate) >= SECRET_MIN_LENGTH:
            parts.update({candidate, unquote(candidate)})
    return parts


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class _Redactor(logging.Filter):
    """Rewrites log records of REDACTED_LOGGERS so no handler ever sees a target URL.

    Installed once per process and kept: Apprise may log from its own threads
    after a call has returned (a timed-out request finishing late).
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._installed = False

    def protect(self, secrets: set[str]) -> None:
        with self._lock:
            self._secrets |= secrets
            if not self._installed:
                for name in REDACTED_LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._installed = True

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = set(self._secrets)
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = redact(message, secrets), ()
        return True


REDACTOR = _Redactor()
