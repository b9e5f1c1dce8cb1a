"""Alerts: new events and significant updates, through Apprise, at most once each.

After each poll `enqueue` looks at every event changed since the outbox's
high-water mark and adds outbox rows: 'new' for events created since, and
'update' when an event's merged facts differ from what the target was last
told. `deliver` then sends due rows one by one, committing 'sending' before
the request leaves and the outcome after it, so a crash in between leaves a
row that is marked 'unknown' and never sent twice.

Target URLs can carry tokens. Rows hold the target's name only, errors are
redacted before they are stored, and every Apprise and urllib3 log record is
redacted before any handler sees it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import sqlite_utils

from crawler import store
from crawler.clock import Clock
from crawler.config import Config, NotifyTarget
from crawler.digest import (
    UNTITLED,
    clean,
    describe_counts,
    describe_when,
    event_record,
    fact_items,
    fact_value,
    ordered_sources,
    safe_url,
)
from crawler.lock import poll_lock

LOGGER = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
SEND_TIMEOUT_S = 60  # one whole Apprise call; each service has its own shorter timeouts
DELIVERY_BATCH = 100
MAX_PER_RUN = 1000  # a backlog drains over several polls instead of stalling one
EVENT_WINDOW = 500  # event changes read per query while enqueueing
MAX_SOURCES = 5
TITLE_PREFIX = "[newsmon]"
IDEMPOTENCY_LABEL = "newsmon-id"
REDACTED = "[redacted]"
SECRET_MIN_LENGTH = 6  # shorter URL parts ("hook", "json") are words, not tokens
MAX_ERROR_CHARS = 500
INTERRUPTED = (
    "interrupted while sending: the receiver may or may not have it; not retried "
    "automatically (at most once)"
)
# Loggers that may print a target URL (Apprise's own, urllib3's request lines).
REDACTED_LOGGERS = (
    "apprise",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
    "urllib3.poolmanager",
    "requests",
)


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did; `unknown` rows need an operator's look."""

    enqueued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    errors: tuple[str, ...] = ()


@dataclass
class _Tally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


# -- secrets -------------------------------------------------------------------


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


# -- enqueueing ----------------------------------------------------------------


def facts_hash(facts: dict[str, Any]) -> str:
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def enqueue(db: sqlite_utils.Database, config: Config, now: datetime) -> int:
    """Add outbox rows for every event changed since the high-water mark; returns the
    rows that will be sent. One transaction: the rows and the new mark commit together."""
    with db.atomic():
        mark = store.outbox.high_water(db)
        latest = store.readers.latest_change(db)
        added = 0
        for low in range(mark, latest, EVENT_WINDOW):
            high = min(low + EVENT_WINDOW, latest)
            changed = store.readers.events_changed(db, low, high, limit=EVENT_WINDOW)
            for event in changed:  # oldest change first: row ids follow history
                added += _enqueue_event(db, config.notify, event, mark, now)
        store.outbox.set_high_water(db, latest)
    return added


def _enqueue_event(
    db: sqlite_utils.Database,
    targets: Iterable[NotifyTarget],
    event: dict[str, Any],
    mark: int,
    now: datetime,
) -> int:
    added = 0
    digest_hash = facts_hash(event["facts"])
    for target in targets:
        if not target.wants(event["monitor"]):
            continue
        if event["created_seq"] > mark:
            state = "pending" if "new" in target.on else "skipped"  # baseline for updates
            added += _add(db, target, event, "new", digest_hash, state, {}, now)
        elif "update" in target.on:
            added += _enqueue_update(db, target, event, digest_hash, now)
    return added


def _enqueue_update(
    db: sqlite_utils.Database,
    target: NotifyTarget,
    event: dict[str, Any],
    digest_hash: str,
    now: datetime,
) -> int:
    """An 'update' row only when the facts differ from what the target was last told.

    An event from before this target existed has no baseline: its current facts
    become one, silently, rather than announcing an update whose change is unknown.
    """
    last = store.outbox.last_announced(db, target.name, event["id"])
    if last is None:
        return _add(db, target, event, "update", digest_hash, "skipped", {}, now)
    if last.facts_hash == digest_hash:
        return 0
    return _add(db, target, event, "update", digest_hash, "pending", last.facts, now)


def _add(
    db: sqlite_utils.Database,
    target: NotifyTarget,
    event: dict[str, Any],
    reason: str,
    digest_hash: str,
    state: str,
    previous: dict[str, Any],
    now: datetime,
) -> int:
    """Insert one row and render its body, which names the row id; 1 if it will be sent."""
    row_id = store.outbox.add(
        db,
        target=target.name,
        event_id=event["id"],
        reason=reason,
        change_seq=event["change_seq"],
        facts=event["facts"],
        facts_hash=digest_hash,
        title=render_title(event, reason),
        state=state,
        now=now,
    )
    if row_id is None:
        return 0
    record = event_record(db, event)
    store.outbox.set_body(db, row_id, render_body(record, reason, previous, row_id))
    return int(state == "pending")


# -- rendering -----------------------------------------------------------------


def render_title(event: dict[str, Any], reason: str) -> str:
    title = f"{TITLE_PREFIX} {clean(event.get('monitor'))}: {clean(event.get('title')) or UNTITLED}"
    return title + " (updated)" if reason == "update" else title


def changed_facts(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Fact names whose value was added, changed or dropped since the last alert."""
    keys = sorted(set(previous) | set(current))
    return [clean(key) for key in keys if previous.get(key) != current.get(key)]


def render_body(record: dict[str, Any], reason: str, previous: dict[str, Any], row_id: int) -> str:
    """Plain text any channel can show; every value cleaned of control characters."""
    if reason == "update":
        changes = ", ".join(changed_facts(previous, record.get("facts") or {}))
        lines = [f"Significant update: {changes or 'facts changed'}"]
    else:
        lines = ["New event"]
    lines += [f"When: {describe_when(record)}", f"Reports: {describe_counts(record)}"]
    facts = fact_items(record)
    if facts:
        lines += ["Facts:", *(f"- {key}: {value}" for key, value in facts)]
    if reason == "update":
        lines += [
            f"Was: {clean(key)}: {fact_value(previous[key])}"
            for key in sorted(previous)
            if previous.get(key) != (record.get("facts") or {}).get(key)
        ]
    lines += _source_lines(record)
    lines += [f"Event: {clean(record.get('id'))}", f"{IDEMPOTENCY_LABEL}: {row_id}"]
    return "\n".join(lines)


def _source_lines(record: dict[str, Any]) -> list[str]:
    sources = ordered_sources(record)
    if not sources:
        return []
    lines = ["Sources:"]
    for article in sources[:MAX_SOURCES]:
        outlet = clean(article.get("outlet")) or "unknown outlet"
        line = f"- {outlet}: {clean(article.get('title')) or UNTITLED}"
        url = safe_url(article.get("url"))
        lines.append(f"{line} <{url}>" if url else line)
    if len(sources) > MAX_SOURCES:
        lines.append(f"+{len(sources) - MAX_SOURCES} more")
    return lines


# -- delivery ------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, never more than an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


@functools.cache
def _apprise() -> Any:
    """Apprise, imported on the first alert: most polls send none, and it costs start-up."""
    with warnings.catch_warnings():
        # Apprise loads every plugin on first use; its email plugin's optional PGP support
        # imports the stdlib's deprecated imghdr. That deprecation is Apprise's to fix, and
        # loading it here, once, keeps it out of newsmon's output (and its -W error tests).
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise
        import apprise.utils.pgp

    return apprise


def send(url: str, title: str, body: str) -> str | None:
    """Blocking Apprise call, run on a worker thread: None on success, else a
    redacted error. Never raises, so a plugin bug is one failed attempt."""
    secrets = secret_parts(url)
    REDACTOR.protect(secrets)
    apprise = _apprise()
    try:
        sender = apprise.Apprise()
        if not sender.add(url):
            return "not a valid Apprise URL (check the target's url in config.yaml)"
        result = sender.notify(
            body=body,
            title=title,
            body_format=apprise.NotifyFormat.TEXT,
            timeout=SEND_TIMEOUT_S,
        )
        if result:
            return None
        logged = "; ".join(entry.message for entry in result.logs())
        return _short(redact(logged or "Apprise reported a failure", secrets))
    except Exception as exc:  # any plugin error is one failed attempt
        return _short(redact(f"{type(exc).__name__}: {exc}", secrets))


def _short(text: str) -> str:
    text = clean(text)
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


async def deliver(db: sqlite_utils.Database, config: Config, clock: Clock) -> DeliveryReport:
    """Send every due row once; rows a crash left 'sending' become 'unknown' first.

    The database is used on this thread only; Apprise runs on a worker thread.
    Callers must hold the poll lock, so no other delivery is in flight: a row in
    'sending' at the start can only be a crashed run's.
    """
    unknown = store.outbox.mark_interrupted(db, clock.now(), INTERRUPTED)
    if unknown:
        LOGGER.error("%d alert(s) were interrupted while sending and are now 'unknown'", unknown)
    targets = {target.name: target for target in config.notify}
    tally = _Tally()
    handled = 0
    while handled < MAX_PER_RUN:
        rows = store.outbox.due(db, clock.now(), sorted(targets), DELIVERY_BATCH)
        if not rows:
            break
        for row in rows:
            handled += 1
            if store.outbox.claim(db, row.id):
                await _deliver_row(db, targets[row.target], row, clock, tally)
    return DeliveryReport(
        sent=tally.sent,
        retrying=tally.retrying,
        failed=tally.failed,
        unknown=unknown,
        errors=tuple(tally.errors),
    )


async def _deliver_row(
    db: sqlite_utils.Database,
    target: NotifyTarget,
    row: store.outbox.OutboxRow,
    clock: Clock,
    tally: _Tally,
) -> None:
    error = await asyncio.to_thread(send, target.url, row.title, row.body)
    now = clock.now()
    attempts = row.attempts + 1
    if error is None:
        store.outbox.mark_sent(db, row.id, now)
        tally.sent += 1
        return
    message = f"alert {row.id} to {target.name}: attempt {attempts} failed: {error}"
    LOGGER.warning("%s", message)
    tally.errors.append(message)
    if attempts >= MAX_ATTEMPTS:
        store.outbox.mark_failed(db, row.id, now, error)
        tally.failed += 1
    else:
        store.outbox.mark_retry(db, row.id, now + backoff(attempts), error)
        tally.retrying += 1


# -- entry points --------------------------------------------------------------


async def after_poll(db: sqlite_utils.Database, config: Config, clock: Clock) -> DeliveryReport:
    """Enqueue what the poll changed, then deliver. Never raises: alerts must not
    fail a poll, so any error comes back in the report instead."""
    try:
        enqueued = enqueue(db, config, clock.now())
        report = await deliver(db, config, clock)
    except Exception as exc:  # reported; retried after the next poll
        LOGGER.exception("alert delivery failed")
        return DeliveryReport(errors=(f"alert delivery failed: {type(exc).__name__}: {exc}",))
    return replace(report, enqueued=enqueued)


def run_pending(config: Config, clock: Clock, database: Path | None = None) -> DeliveryReport:
    """Enqueue and deliver outside a poll (a `newsmon notify` command), under the poll
    lock so it never runs beside another delivery. Raises LockBusy if one is polling."""
    path = database or config.database
    with poll_lock(path):
        db = store.db.open_db(path)
        try:
            enqueued = enqueue(db, config, clock.now())
            report = asyncio.run(deliver(db, config, clock))
        finally:
            db.close()
    return replace(report, enqueued=enqueued)
