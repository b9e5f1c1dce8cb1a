"""Alerts: outbox rows per event change, delivered through real Apprise to real receivers.

Events come from `ingest.add_article` with the missile monitor on the
tests/data/events stories; receivers are a LoopbackServer (JSON webhooks) and
an aiosmtpd server (mail), both on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from crawler import config, store
from crawler.alerts import courier, enqueue, message, redact
from crawler.alerts import deliver as delivery
from crawler.clock import Clock
from crawler.config import ConfigError
from crawler.loopback import LoopbackServer, Reply
from monitors import build
from monitors.base import MonitorConfig
from tests.builders import Item, add_story_article, article_page, rss, story
from tests.conftest import FAST_FETCH, ROOT, dump, newsmon

MONITOR = "launches"
MONITORS = [build(MonitorConfig(MONITOR, "missile_launch"))]
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOOK = "/hook"
SECRET = "SECRET123"
TITLE = (
    "[newsmon] launches: North Korea fires two ballistic missiles off its east coast, Seoul says"
)

pytestmark = pytest.mark.usefixtures("backend")


# -- helpers -------------------------------------------------------------------


def write_config(directory: Path, notify_targets: list[dict]) -> Path:
    document = {
        "database": "newsmon.db",
        "allow_private_networks": True,
        "fetch": FAST_FETCH,
        "outlets": [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}],
        "monitors": [
            {"name": MONITOR, "type": "missile_launch"},
            {"name": "elsewhere", "type": "missile_launch"},
        ],
        "notify": notify_targets,
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def open_store(cfg_path: Path) -> tuple[config.Config, store.sqlite_utils.Database]:
    cfg = config.load(cfg_path)
    db = store.db.open_db(cfg.database)
    store.feeds.sync_outlets(db, cfg, T0)
    return cfg, db


def add(db, name: str) -> None:
    add_story_article(db, name, MONITORS)


def deliver(db, cfg, now: datetime = T0) -> delivery.DeliveryReport:
    """What a poll does after crawling: enqueue, then deliver."""
    enqueued = enqueue.enqueue(db, cfg, now)
    return replace(asyncio.run(delivery.deliver(db, cfg, Clock(now))), enqueued=enqueued)


def rows(db) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM outbox ORDER BY id")]


def posts(server: LoopbackServer) -> list[dict]:
    return [json.loads(seen.body) for seen in server.hits(HOOK)]


def hook_url(server: LoopbackServer, query: str = "") -> str:
    return f"json://{server.base_url.removeprefix('http://')}{HOOK}{query}"


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        server.routes[HOOK] = Reply(200, b"ok")
        yield server


# -- (a) delivery --------------------------------------------------------------


def test_a_new_event_is_posted_once_with_its_title(tmp_path, receiver):
    cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}]))
    add(db, "wire")
    report = deliver(db, cfg)
    assert (report.enqueued, report.sent, report.errors) == (1, 1, ())
    [payload] = posts(receiver)
    assert payload["title"] == TITLE
    body = payload["message"]
    assert "New event" in body and "2 outlets" not in body and "1 outlet, 1 article" in body
    assert "Monitor: launches" in body
    assert "- Count: 2" in body and "- Distance: 450 km" in body
    assert "- Wire: North Korea fires two ballistic missiles" in body
    assert "<https://wire.example/wire>" in body
    assert body.endswith(f"newsmon-id: {rows(db)[0]['id']}")
    assert [(r["target"], r["reason"], r["state"], r["attempts"]) for r in rows(db)] == [
        ("ops", "new", "sent", 1)
    ]
    again = deliver(db, cfg, T0 + timedelta(hours=2))
    assert (again.enqueued, again.sent) == (0, 0)
    assert len(receiver.hits(HOOK)) == 1


def test_an_alert_reads_like_the_digest_in_the_display_zone(tmp_path, receiver):
    """#14.10: alerts had no monitor, raw fact keys and UTC only."""
    path = write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("display:\n  timezone: Asia/Seoul\n")
    cfg, db = open_store(path)
    add(db, "wire")
    assert deliver(db, cfg).sent == 1
    body = posts(receiver)[0]["message"].splitlines()
    assert body[:3] == [
        "New event",
        "Monitor: launches",
        "When: 2026-03-08 06:20 KST (minute)",
    ]
    assert "- Distance: 450 km" in body and "- Launch area: Sinpo area" in body


def test_control_characters_never_reach_the_alert():
    event = {"monitor": "launches", "title": "Evil\x1b[2J title\u202e here"}
    assert message.render_title(event, "new") == "[newsmon] launches: Evil[2J title here"
    record = {"id": 7, "facts": {"note": "a\x07b"}, "articles": [{"outlet": "X\x1b", "title": "t"}]}
    body = message.render_body(record, "new", {}, 42)
    assert "\x1b" not in body and "\x07" not in body
    assert body.splitlines()[-1] == "newsmon-id: 42"


def test_only_the_monitors_a_target_names_are_alerted(tmp_path, receiver):
    targets = [
        {"name": "mine", "url": hook_url(receiver), "monitors": [MONITOR]},
        {"name": "other", "url": hook_url(receiver), "monitors": ["elsewhere"]},
    ]
    cfg, db = open_store(write_config(tmp_path, targets))
    add(db, "wire")
    assert deliver(db, cfg).sent == 1
    assert [r["target"] for r in rows(db)] == ["mine"]


def test_events_from_before_the_outbox_existed_are_not_announced(tmp_path, receiver):
    """Upgrading a database must not flood receivers with its whole history."""
    path = write_config(tmp_path, [])
    cfg, db = open_store(path)
    add(db, "wire")
    deliver(db, cfg)  # no targets yet: the mark moves past the event
    cfg = config.load(write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}]))
    assert deliver(db, cfg).enqueued == 0
    add(db, "next-week")
    assert deliver(db, cfg).sent == 1
    assert "430" in posts(receiver)[0]["message"]


# -- (b) retries ---------------------------------------------------------------


def test_a_failed_post_is_retried_after_the_backoff(tmp_path, receiver):
    answers = iter([Reply(500, b"busy"), Reply(200, b"ok")])
    receiver.routes[HOOK] = lambda seen: next(answers)
    cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}]))
    add(db, "wire")
    first = deliver(db, cfg)
    assert (first.sent, first.retrying, len(first.errors)) == (0, 1, 1)
    [row] = rows(db)
    assert row["state"] == "pending" and row["attempts"] == 1
    assert row["next_attempt"] == "2026-03-10T12:00:30Z" and "500" in row["last_error"]
    assert deliver(db, cfg, T0 + timedelta(seconds=20)).sent == 0  # not due yet
    assert deliver(db, cfg, T0 + timedelta(seconds=31)).sent == 1
    [row] = rows(db)
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 2, None)
    assert len(receiver.hits(HOOK)) == 2


def test_backoff_doubles_up_to_an_hour():
    assert [delivery.backoff(n).total_seconds() for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600,
    ]  # fmt: skip


def test_after_eight_attempts_an_alert_fails_for_good(tmp_path, receiver):
    receiver.routes[HOOK] = Reply(503, b"down")
    cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}]))
    add(db, "wire")
    for hour in range(delivery.MAX_ATTEMPTS + 2):
        deliver(db, cfg, T0 + timedelta(hours=hour))
    [row] = rows(db)
    assert (row["state"], row["attempts"]) == ("failed", delivery.MAX_ATTEMPTS)
    assert len(receiver.hits(HOOK)) == delivery.MAX_ATTEMPTS
    assert store.outbox.state_counts(db)["failed"] == 1
    assert [p["id"] for p in store.outbox.problems(db)] == [row["id"]]


@pytest.mark.parametrize(("status", "state"), [(404, "failed"), (401, "failed"), (429, "pending")])
def test_a_receiver_that_refuses_the_request_is_not_hammered(tmp_path, receiver, status, state):
    """A deleted webhook or a wrong token answers the same on every retry; a rate limit
    does not."""
    receiver.routes[HOOK] = Reply(status, b"no")
    cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}]))
    add(db, "wire")
    report = deliver(db, cfg)
    [row] = rows(db)
    assert (row["state"], row["attempts"]) == (state, 1)
    assert str(status) in row["last_error"]
    assert ("permanent: not retried" in report.errors[0]) == (state == "failed")
    deliver(db, cfg, T0 + timedelta(hours=2))
    assert len(receiver.hits(HOOK)) == (1 if state == "failed" else 2)


def test_failed_alerts_are_sent_again_once_their_target_is_fixed(tmp_path, receiver):
    receiver.routes[HOOK] = Reply(404, b"no such hook")
    cfg_path = write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}])
    cfg, db = open_store(cfg_path)
    add(db, "wire")
    deliver(db, cfg)
    assert [r["state"] for r in rows(db)] == ["failed"]
    receiver.routes[HOOK] = Reply(200, b"ok")  # the operator recreated the webhook
    again = newsmon("notify", config=cfg_path)
    assert again.returncode == 0 and "0 sent" in again.stdout, again.stderr  # failed stays
    resent = newsmon("notify", "--resend-failed", config=cfg_path)
    assert resent.returncode == 0, resent.stderr
    assert "1 sent" in resent.stdout
    [row] = rows(db)
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert [post["title"] for post in posts(receiver)] == [TITLE, TITLE]  # refused, then sent


def test_notify_shows_each_failure_once_under_headings_and_exits_1_when_none_got_through(
    tmp_path, receiver
):
    receiver.routes[HOOK] = Reply(404, b"no such hook")
    cfg_path = write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}])
    _, db = open_store(cfg_path)
    add(db, "wire")
    result = newsmon("notify", config=cfg_path)
    [row] = rows(db)
    assert result.returncode == 1, result.stderr
    shown = result.stdout + result.stderr
    assert "alert alert" not in shown
    assert shown.count("404") == 1, shown  # the error, once: in the table
    lines = result.stdout.splitlines()
    heading = lines.index("alerts in trouble:") + 1
    assert lines[heading].split()[:3] == ["alert", "target", "event"]
    assert lines[heading + 1].split()[0] == str(row["id"])
    seoul = newsmon("notify", "--tz", "Asia/Seoul", config=cfg_path).stdout
    assert " KST " in seoul.split("alerts in trouble:")[1]
    receiver.routes[HOOK] = Reply(200, b"ok")
    assert newsmon("notify", "--resend-failed", config=cfg_path).returncode == 0


def test_only_4xx_answers_that_no_retry_can_change_are_permanent():
    assert delivery.refused("Failed to send JSON POST notification: Not Found, error=404.")
    assert delivery.refused("Failed to send to Slack: Forbidden, error=403.")
    assert not delivery.refused("Failed to send JSON POST notification: error=429.")
    assert not delivery.refused("Failed to send JSON POST notification: error=503.")
    assert not delivery.refused("A Connection error occurred sending JSON notification")
    assert not delivery.refused("")


# -- (c) mail --------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def accept_newsmon(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"user", b"pass"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=accept_newsmon,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def test_an_alert_arrives_by_mail(tmp_path, smtp):
    mailbox, port = smtp
    url = (
        f"mailto://user:pass@127.0.0.1:{port}"
        "?from=newsmon@example.org&to=analyst@example.org&mode=insecure"
    )
    cfg, db = open_store(write_config(tmp_path, [{"name": "analyst", "url": url}]))
    add(db, "wire")
    report = deliver(db, cfg)
    assert (report.sent, report.errors) == (1, ())
    [(sender, recipients, content)] = mailbox.messages
    assert sender == "newsmon@example.org" and recipients == ["analyst@example.org"]
    text = content.decode()
    assert "North Korea fires two ballistic missiles" in text
    assert f"newsmon-id: {rows(db)[0]['id']}" in text


# -- (d) at most once across a kill -----------------------------------------------

DELIVER_SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from pathlib import Path
    from crawler import config
    from crawler.alerts import deliver
    from crawler.clock import Clock
    deliver.run_pending(config.load(Path(sys.argv[1])), Clock(datetime.fromisoformat(sys.argv[2])))
    """
)


def test_a_delivery_killed_mid_send_is_sent_again(tmp_path, receiver):
    receiver.routes[HOOK] = Reply(200, b"ok", delay=10)  # takes the body, then stalls
    path = write_config(tmp_path, [{"name": "ops", "url": hook_url(receiver)}])
    cfg, db = open_store(path)
    add(db, "wire")
    child = subprocess.Popen(
        [sys.executable, "-c", DELIVER_SCRIPT, str(path), T0.isoformat()],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: bool(receiver.hits(HOOK)))
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert [r["state"] for r in rows(db)] == ["sending"]
    receiver.routes[HOOK] = Reply(200, b"ok")
    report = asyncio.run(delivery.deliver(db, cfg, Clock(T0 + timedelta(hours=1))))
    assert report.sent == 1
    [row] = rows(db)
    assert row["state"] == "sent" and row["attempts"] == 2
    first, again = posts(receiver)
    assert first == again  # the same newsmon-id: the receiver drops the repeat
    assert f"newsmon-id: {row['id']}" in again["message"]
    ids = [seen.headers.get("newsmon-id") for seen in receiver.hits(HOOK)]
    assert ids == [str(row["id"])] * 2
    assert deliver(db, cfg, T0 + timedelta(days=1)).sent == 0  # and then never again


class RawReceiver:
    """A webhook receiver on 127.0.0.1 that answers 200 and then misbehaves: `trickle`
    sends one byte every `pause` seconds, `flood` sends up to `limit` bytes of body."""

    def __init__(self, mode: str, pause: float = 2.0, limit: int = 256 * 2**20):
        self.mode, self.pause, self.limit = mode, pause, limit
        self.sent = 0
        self.requests = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}{HOOK}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            self.requests += 1
            length = self.limit if self.mode == "flood" else 10_000
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n".encode()
            try:
                connection.sendall(head)
                chunk = b"x" * 65536 if self.mode == "flood" else b"x"
                while self.sent < self.limit:
                    connection.sendall(chunk)
                    self.sent += len(chunk)
                    if self.mode == "trickle":
                        time.sleep(self.pause)
            except OSError:  # the client went away
                return

    def close(self) -> None:
        self._socket.close()


@pytest.mark.parametrize("mode", ["trickle", "flood"])
def test_a_receiver_cannot_hold_the_delivery_or_its_memory(tmp_path, monkeypatch, mode):
    monkeypatch.setattr(courier, "DEADLINE_S", 4)
    hostile = RawReceiver(mode)
    try:
        cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": hostile.url()}]))
        add(db, "wire")
        started = time.monotonic()
        report = deliver(db, cfg)
        took = time.monotonic() - started
    finally:
        hostile.close()
    assert took < 15  # the deadline (4 s) and the child's start, not the receiver's pace
    assert (report.sent, report.retrying) == (0, 1)
    [row] = rows(db)
    assert row["state"] == "pending"  # retried, never lost
    says = "no answer within 4s" if mode == "trickle" else "larger than 1 MiB"
    assert says in row["last_error"]
    if mode == "flood":
        assert hostile.sent < 64 * 2**20  # the rest of the 256 MiB was never read


# -- (e) significant updates -------------------------------------------------------


def test_only_a_change_of_facts_is_an_update(tmp_path, receiver):
    targets = [
        {"name": "new-only", "url": hook_url(receiver)},
        {"name": "everything", "url": hook_url(receiver), "on": ["new", "update"]},
        {"name": "updates-only", "url": hook_url(receiver), "on": ["update"]},
    ]
    cfg, db = open_store(write_config(tmp_path, targets))
    add(db, "wire")
    assert deliver(db, cfg).sent == 2  # updates-only gets a silent baseline
    add(db, "wire-copy")  # a second article, same facts: not significant
    assert deliver(db, cfg).enqueued == 0
    add(db, "followup")  # state media name the missile: a new fact
    report = deliver(db, cfg)
    assert (report.enqueued, report.sent) == (2, 2)
    updates = [(r["target"], r["state"]) for r in rows(db) if r["reason"] == "update"]
    assert updates == [("everything", "sent"), ("updates-only", "sent")]
    update = posts(receiver)[-1]
    assert update["title"] == TITLE + " (updated)"
    assert "Significant update: Missile types" in update["message"]
    assert "Hwasong-11" in update["message"]
    assert "Was: Missile types: ballistic, short-range ballistic" in update["message"]
    assert deliver(db, cfg).enqueued == 0


# -- (f) configuration ---------------------------------------------------------------

BASE = """
outlets:
  - name: Wire
    feeds: [http://127.0.0.1:9/rss.xml]
monitors:
  - name: launches
    type: missile_launch
"""


def parse(notify_yaml: str) -> config.Config:
    return config.parse(BASE + notify_yaml, Path("config.yaml"))


def test_notify_targets_are_read_with_defaults(monkeypatch):
    monkeypatch.setenv("NEWSMON_WEBHOOK", "json://127.0.0.1:8080/hook?token=abc")
    cfg = parse(
        """
notify:
  - name: ops-webhook
    url: ${NEWSMON_WEBHOOK}
    monitors: [launches]
    on: [new, update]
  - name: mail
    url: mailto://user:pass@example.org
"""
    )
    assert cfg.notify == (
        config.NotifyTarget(
            "ops-webhook", "json://127.0.0.1:8080/hook?token=abc", ("launches",), ("new", "update")
        ),
        config.NotifyTarget("mail", "mailto://user:pass@example.org"),
    )
    assert "token" not in repr(cfg.notify[0])
    assert parse("").notify == ()


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("- name: a\n    url: json://h/x\n    colour: red", ":11: notify[0].colour: unknown key"),
        ("- name: a", ":9: notify[0].url: missing"),
        ("- url: json://h/x", ":9: notify[0].name: missing"),
        ("- name: a\n    url: json://h/x\n    on: [new, deleted]", "notify[0].on: 'deleted' is"),
        ("- name: a\n    url: json://h/x\n    monitors: [nope]", "notify[0].monitors: no monitor"),
        ("- name: a\n    url: json://h/x\n  - name: a\n    url: json://h/y", ":11: notify[1].name"),
        ("- name: a\n    url: not a url", "notify[0].url: expected an Apprise URL"),
        ("- name: a\n    url: ${NEWSMON_UNSET_VAR}", "NEWSMON_UNSET_VAR is not set"),
        ("name: a", ":9: notify: expected a list"),
    ],
)
def test_bad_notify_blocks_name_the_key_and_line(block, message):
    with pytest.raises(ConfigError) as failure:
        parse(f"notify:\n  {block}\n")
    assert message in str(failure.value)


def test_a_config_error_never_echoes_the_url():
    with pytest.raises(ConfigError) as failure:
        parse(f"notify:\n  - name: a\n    url: hook?token={SECRET}\n")
    assert SECRET not in str(failure.value)


# -- (g) secrets -------------------------------------------------------------------


@pytest.mark.parametrize("query", [f"?token={SECRET}", f"?-token={SECRET}", f"?+X-Token={SECRET}"])
def test_a_token_in_the_url_is_never_stored_or_logged(tmp_path, receiver, caplog, query):
    caplog.set_level(logging.DEBUG)
    receiver.routes[HOOK] = Reply(500, f"no {SECRET}".encode())  # echoed back, even
    url = hook_url(receiver, query)
    cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": url}]))
    add(db, "wire")
    report = deliver(db, cfg)
    assert report.retrying == 1 and report.errors
    assert rows(db)[0]["last_error"]
    everything = dump(cfg.database)
    assert "ops" in everything and SECRET not in everything
    assert SECRET not in caplog.text and SECRET not in "\n".join(report.errors)
    assert any(r.name.startswith("apprise") for r in caplog.records)  # it did log


def test_an_unreachable_receiver_is_reported_without_its_url(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"json://127.0.0.1:{free_port()}/hook/{SECRET}"
    cfg, db = open_store(write_config(tmp_path, [{"name": "ops", "url": url}]))
    add(db, "wire")
    report = deliver(db, cfg)
    assert report.retrying == 1
    assert SECRET not in caplog.text and SECRET not in rows(db)[0]["last_error"]


def test_redaction_covers_tokens_anywhere_in_the_url():
    url = "tgram://123456:ABCdefGHI/987654321/?format=markdown&key=abcdef1234"
    text = f"failed {url} with 123456:ABCdefGHI and abcdef1234 at /hook"
    cleaned = redact.redact(text, redact.secret_parts(url))
    assert "ABCdef" not in cleaned and "abcdef1234" not in cleaned and "987654321" not in cleaned
    assert cleaned.endswith("at /hook")


# -- the poll calls delivery ---------------------------------------------------------


def test_a_poll_delivers_alerts_and_counts_them(tmp_path, receiver):
    title, published, paragraphs = story("wire")
    base = receiver.base_url
    receiver.routes["/rss.xml"] = Reply.static(
        rss([Item(title, f"{base}/a/wire.html", published=datetime.fromisoformat(published))]),
        "application/rss+xml",
    )
    receiver.routes["/a/wire.html"] = Reply.static(
        article_page(title, paragraphs, published), "text/html; charset=utf-8"
    )
    receiver.routes["/robots.txt"] = Reply(404)
    targets = [{"name": "ops", "url": hook_url(receiver), "monitors": [MONITOR]}]
    path = write_config(tmp_path, targets)
    document = yaml.safe_load(path.read_text())
    document["outlets"] = [{"name": "Wire", "feeds": [f"{base}/rss.xml"]}]
    path.write_text(yaml.safe_dump(document))
    result = newsmon("run", config=path)
    assert result.returncode == 0, result.stderr
    assert "2 new events" in result.stdout  # one per configured monitor
    assert result.stdout.rstrip().endswith("page errors, 1 alert sent")
    assert [p["title"] for p in posts(receiver)] == [TITLE]
    second = newsmon("run", "--all", config=path)
    assert second.returncode == 0, second.stderr
    assert len(posts(receiver)) == 1


def test_a_very_long_title_still_arrives_by_mail_within_the_smtp_line_limit(smtp):
    mailbox, port = smtp
    url = (
        f"mailto://user:pass@127.0.0.1:{port}"
        "?from=newsmon@example.org&to=analyst@example.org&mode=insecure"
    )
    headline = "North-Korea-fires-" + "x" * 1000  # one word: nowhere to fold it
    title = message.render_title({"monitor": MONITOR, "title": headline}, "new")
    body = f"New event\nSources:\n- Wire: {headline} <https://wire.example.org/a>"
    assert delivery.send(url, title, body) is None
    [(_, _, content)] = mailbox.messages
    assert max(len(line) for line in content.splitlines()) <= 998
    assert b"North-Korea-fires-" in content
