"""Sending alerts through Apprise, at least once each.

`deliver` sends due rows one by one, committing 'sending' before the request leaves
and the outcome after it. Each delivery runs in a child process under a hard deadline
and a cap on the receiver's answer (`courier`), so no receiver can hold a poll or its
memory. A delivery that died (a kill, a crash, the deadline) is sent again: an alert is
never lost, and receivers drop a repeat by the `newsmon-id` line every alert carries.
Failures are retried with a growing pause, then given up; a URL
Apprise cannot use, or a receiver that refuses the request itself (HTTP 400, 401, 403,
404, 410...), is given up at once: no retry can help until someone fixes the target,
and `newsmon notify --resend-failed` then sends those alerts again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, timedelta, tzinfo
from pathlib import Path

import sqlite_utils

from crawler import store
from crawler.alerts.courier import Courier
from crawler.alerts.enqueue import enqueue
from crawler.alerts.message import IDEMPOTENCY_LABEL, fit_title
from crawler.alerts.redact import REDACTOR, redact, secret_parts
from crawler.clock import Clock
from crawler.config import Config, NotifyTarget
from crawler.config.apprise_urls import apprise_module, unusable
from crawler.lock import poll_lock
from crawler.report.table import table
from crawler.report.wording import clean, format_instant

LOGGER = logging.getLogger(__name__)


MAX_ATTEMPTS = 8


BACKOFF_BASE = timedelta(seconds=30)


BACKOFF_CAP = timedelta(hours=1)


SEND_TIMEOUT_S = 60  # one whole Apprise call; each service has its own shorter timeouts


# A claimed alert is another daemon's to send again only after this: past the
# courier's hard deadline, so a live delivery always ends first.
CLAIM = timedelta(seconds=2 * SEND_TIMEOUT_S)


MAX_PER_RUN = 1000  # a backlog drains over several polls instead of stalling one


MAX_ERROR_CHARS = 500


# Apprise's services log a refused request as "... error=404."; these 4xx answers
# can change on their own (a timeout, a conflict, "too early", a rate limit).
HTTP_STATUS = re.compile(r"\berror=(\d{3})\b")
TRANSIENT_4XX = frozenset({408, 409, 425, 429})


INTERRUPTED = (
    "interrupted while sending: the receiver may or may not have it; sent again "
    "(receivers drop a repeat by its newsmon-id)"
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

    def summary(self) -> str:
        return (
            f"alerts: {self.enqueued} queued, {self.sent} sent, {self.retrying} to retry, "
            f"{self.failed} failed, {self.unknown} unknown"
        )

    @property
    def all_failed(self) -> bool:
        """Alerts were tried and not one got through: `notify` exits 1."""
        return self.sent == 0 and self.retrying + self.failed > 0


@dataclass
class _Tally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, never more than an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


@dataclass(frozen=True)
class SendFailure:
    """Why one attempt failed (redacted); `permanent` when no retry can help."""

    message: str
    permanent: bool = False


def send(url: str, title: str, body: str) -> SendFailure | None:
    """Blocking Apprise call, run in the courier's child process: None on success, else
    a redacted error. Never raises, so a plugin bug is one failed attempt."""
    secrets = secret_parts(url)
    REDACTOR.protect(secrets)
    apprise = apprise_module()
    try:
        problem = unusable(url)  # the config check, again: a URL Apprise cannot use
        sender = apprise.Apprise()
        if problem or not sender.add(url):
            reason = problem or "not a valid Apprise URL"
            return SendFailure(f"{reason} (check the target's url in config.yaml)", True)
        result = sender.notify(
            body=body,
            title=fit_title(title),  # rows queued with a longer title, too
            body_format=apprise.NotifyFormat.TEXT,
            timeout=SEND_TIMEOUT_S,
        )
        if result:
            return None
        logged = "; ".join(entry.message for entry in result.logs())
        message = _short(redact(logged or "Apprise reported a failure", secrets))
        return SendFailure(message, refused(logged))
    except Exception as exc:  # any plugin error is one failed attempt
        return SendFailure(_short(redact(f"{type(exc).__name__}: {exc}", secrets)))


# Apprise's generic webhooks take extra request headers as `+Name=value` in the URL.
HEADER_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


def with_id_header(url: str, row_id: int) -> str:
    """A generic webhook URL that also sends the row id as a `newsmon-id` header, so a
    receiver can drop an alert sent again after a dead delivery without reading the
    body; other services carry the id in the body's last line only."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in HEADER_SCHEMES:
        return url
    rest, hash_sign, fragment = rest.partition("#")
    joiner = "&" if "?" in rest else "?"
    return f"{scheme}://{rest}{joiner}+{IDEMPOTENCY_LABEL}={row_id}{hash_sign}{fragment}"


def claimer() -> str:
    """Who claims alerts: machine and process, as a lease holder reads."""
    return f"{socket.gethostname()}:{os.getpid()}"


def refused(logged: str) -> bool:
    """True when the receiver answered a 4xx that only a change of the target can fix
    (a wrong token, a deleted webhook): retrying it 8 times would only hammer it."""
    codes = {int(code) for code in HTTP_STATUS.findall(logged)}
    return any(400 <= code < 500 and code not in TRANSIENT_4XX for code in codes)


def _short(text: str) -> str:
    text = clean(text)
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


async def deliver(db: sqlite_utils.Database, config: Config, clock: Clock) -> DeliveryReport:
    """Send every due row once; rows a crash left 'sending' are due again first.

    The database is used on this thread only; Apprise runs in a child process
    (`courier`), waited for on a worker thread. Several daemons may deliver at once:
    each row is claimed by one of them until past the courier's deadline, so a row
    still 'sending' once its claim has expired can only be a dead delivery's.
    """
    interrupted = store.outbox.mark_interrupted(db, clock.now(), INTERRUPTED, MAX_ATTEMPTS)
    if interrupted:
        LOGGER.warning("%d alert(s) were interrupted while sending; sent again", interrupted)
    targets = {target.name: target for target in config.notify}
    tally = _Tally()
    holder = claimer()
    with closing(Courier()) as courier:
        for _ in range(MAX_PER_RUN):
            now = clock.now()
            row = store.outbox.claim_next(db, now, sorted(targets), holder, now + CLAIM)
            if row is None:
                break
            await _deliver_row(db, targets[row.target], row, clock, tally, courier)
    return DeliveryReport(
        sent=tally.sent,
        retrying=tally.retrying,
        failed=tally.failed,
        errors=tuple(tally.errors),
    )


async def _deliver_row(
    db: sqlite_utils.Database,
    target: NotifyTarget,
    row: store.outbox.OutboxRow,
    clock: Clock,
    tally: _Tally,
    courier: Courier,
) -> None:
    url = with_id_header(target.url, row.id)
    error, permanent = await asyncio.to_thread(courier.send, url, row.title, row.body)
    failure = None if error is None else SendFailure(error, permanent)
    now = clock.now()
    attempts = row.attempts + 1
    if failure is None:
        store.outbox.mark_sent(db, row.id, now)
        tally.sent += 1
        return
    error = failure.message
    final = " (permanent: not retried)" if failure.permanent else ""
    message = f"alert {row.id} to {target.name}: attempt {attempts} failed{final}: {error}"
    LOGGER.info("%s", message)  # reported once, by whoever asked for the delivery
    tally.errors.append(message)
    if attempts >= MAX_ATTEMPTS or failure.permanent:
        store.outbox.mark_failed(db, row.id, now, error)
        tally.failed += 1
    else:
        store.outbox.mark_retry(db, row.id, now + backoff(attempts), error)
        tally.retrying += 1


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


def run_pending(
    config: Config, clock: Clock, database: Path | None = None, *, resend_failed: bool = False
) -> DeliveryReport:
    """Enqueue and deliver outside a poll (a `newsmon notify` command), under the poll
    lock so it never runs beside another delivery. Raises LockBusy if one is polling."""
    path = database or config.database
    with poll_lock(path):
        db = store.db.open_db(path)
        try:
            if resend_failed:
                resent = store.outbox.resend_failed(db, clock.now())
                LOGGER.info("%d failed alert(s) are due again", resent)
            enqueued = enqueue(db, config, clock.now())
            report = asyncio.run(deliver(db, config, clock))
        finally:
            db.close()
    return replace(report, enqueued=enqueued)


PROBLEM_COLUMNS = (
    ("alert", "id"),
    ("target", "target"),
    ("event", "event_id"),
    ("reason", "reason"),
    ("state", "state"),
    ("attempts", "attempts"),
    ("next attempt", "next_attempt"),
    ("last error", "last_error"),
)


def problem_lines(db: sqlite_utils.Database, tz: tzinfo = UTC) -> list[str]:
    """Alerts in trouble (failed, unknown, retrying after an error) as a table under a
    heading, for `newsmon notify`; nothing when all is well. Each failure is shown here
    once, with its last error; times in the display zone."""
    rows = [
        {**row, "next_attempt": row["next_attempt"] and format_instant(row["next_attempt"], tz)}
        for row in store.outbox.problems(db)
    ]
    if not rows:
        return []
    return ["", "alerts in trouble:", *table(rows, PROBLEM_COLUMNS)]
