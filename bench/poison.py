"""Poison soak: 30 ordinary outlets beside one that serves a random hostile item per poll.

Each poll is one `newsmon run --all` (a subprocess, as cron runs it) with the
clock set to that poll's time. Every ordinary outlet (each on its own host,
127.0.0.2 and up) publishes one new article per poll. The hostile outlet (on
127.0.0.1) serves, each poll, a feed holding one item generated at random:
wrong JSON types, oversized text and numbers, lone surrogates and controls,
XML-illegal character references, deep nesting, URLs too long, relative or
of other schemes, pages that are huge or nested deep; sometimes the whole
body is the poison (invalid, too deep, UTF-16, an endless number). Every URL
it hands out points at 127.0.0.1: nothing is ever sent elsewhere.

After every poll it checks: each ordinary article published for this poll
was stored by this poll; the ordinary feeds carry no error; the hostile item
is recorded against the hostile feed (a new entry of that feed, stored,
refused or failed with its reason, or a feed error naming the body's
problem); the run printed no traceback and no "internal error". At the end:
`PRAGMA integrity_check`.

    python -m bench.poison [--polls 50] [--outlets 30] [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, page, rss  # noqa: E402

T0 = datetime(2026, 2, 1, tzinfo=UTC)
POLL_EVERY = timedelta(minutes=20)
BODY = "The port authority said the new terminal would open to ferries in the spring. " * 8


class Poison:
    """Random hostile items and bodies; `kind` names what each one tries."""

    def __init__(self, rng: random.Random, base: str):
        self.rng = rng
        self.base = base  # the hostile server: every URL handed out points at it

    def text(self) -> str:
        rng = self.rng
        choice = rng.choice(["huge", "surrogate", "controls", "words", "empty"])
        if choice == "huge":
            return " ".join(f"w{i}" for i in range(rng.randint(10_000, 400_000)))
        if choice == "surrogate":
            return "odd " + chr(rng.randint(0xD800, 0xDFFF)) + " title"
        if choice == "controls":
            return "".join(
                chr(rng.choice([0, 7, 0x1B, 0x7F, 0x85, 0x9B, 0x202E])) for _ in range(9)
            )
        if choice == "words":
            return " ".join(f"term{rng.randint(0, 10**6)}" for _ in range(rng.randint(1, 5_000)))
        return ""

    def value(self) -> object:
        """A value of any JSON type: what a field should hold, or anything else."""
        rng = self.rng
        kind = rng.choice(["text", "object", "list", "int", "float", "bool", "null", "nest"])
        if kind == "text":
            return self.text()
        if kind == "object":
            return {"a": self.text()[:50], "b": [1, 2]}
        if kind == "list":
            return [self.text()[:50]] * rng.randint(0, 50)
        if kind == "int":
            return rng.choice([2**63, 2**70, -(2**80), 10 ** rng.randint(20, 4_000), 0])
        if kind == "float":
            return rng.choice([1e308, -1e-308, 3.5, float("inf"), float("nan")])
        if kind == "bool":
            return rng.choice([True, False])
        if kind == "null":
            return None
        value: object = "deep"
        for _ in range(rng.randint(10, 900)):  # within what a JSON parser takes
            value = [value]
        return value

    def url(self) -> object:
        rng = self.rng
        kind = rng.choice(["long", "page", "relative", "scheme", "port", "garbage", "value"])
        if kind == "long":
            return f"{self.base}/long?{'x' * rng.randint(2_000, 40_000)}"
        if kind == "page":
            return f"{self.base}/page/{rng.randint(0, 10**9)}"
        if kind == "relative":
            return f"../../page/{rng.randint(0, 10**9)}?q=%00%ff#frag"
        if kind == "scheme":
            return rng.choice(
                ["javascript:alert(1)", "file:///etc/passwd", "ftp://127.0.0.1/x", "data:,x"]
            )
        if kind == "port":
            return rng.choice(["http://127.0.0.1:0/x", "http://127.0.0.1:99999/x", "http://[::1"])
        if kind == "garbage":
            return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 300)))
        return self.value()

    def item(self, poll: int) -> dict:
        """A JSON Feed item whose every field may be hostile; always a fresh id."""
        rng = self.rng
        half = rng.random() < 0.5  # half the items are hostile only in size and characters
        item: dict = {
            "id": f"hostile-{poll}",
            "url": f"{self.base}/page/{poll}" if half else self.url(),
            "title": self.text() if half else self.value(),
        }
        for field in ("summary", "content_html", "content_text", "date_published", "authors"):
            if rng.random() < 0.5:
                item[field] = self.text() if half else self.value()
        if rng.random() < 0.2:
            item["id"] = self.value()  # may collide with nothing: the check below allows it
        return item

    def feed(self, poll: int) -> tuple[str, bytes, str]:
        """(kind, body, content type) of this poll's hostile feed."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            items = [self.item(poll)]
            body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
            return "json item", body.encode(), "application/feed+json"
        if roll < 0.8:
            ref = rng.choice(["&#xD800;", "&#0;", "&#x110000;", "&#55296;", "\x01", "&#x1F600;"])
            title = f"rss {ref} {poll}" + "t" * rng.randint(0, 5_000)
            url = self.url()
            link = url if isinstance(url, str) else f"{self.base}/page/{poll}"
            feed = rss([Item(title, "urn:link", guid=f"rss-{poll}", description=BODY)])
            feed = feed.replace(b"&amp;#", b"&#")  # the reference as written, unescaped
            # the link's bytes as they come, a lone surrogate as invalid UTF-8 included
            escaped = link.replace("&", "&amp;").replace("<", "&lt;")
            feed = feed.replace(b"urn:link", escaped.encode("utf-8", "surrogatepass"))
            if rng.random() < 0.2:
                return "rss utf-16", feed.decode().encode("utf-16"), "application/rss+xml"
            return "rss item", feed, "application/rss+xml"
        kind = rng.choice(["invalid", "deep", "number", "not a feed", "empty"])
        body = {
            "invalid": b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": ',
            "deep": b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
            "number": b'{"version": "https://jsonfeed.org/version/1", "n": ' + b"9" * 5_000 + b"}",
            "not a feed": bytes(rng.randrange(256) for _ in range(2_000)),
            "empty": b"",
        }[kind]
        return f"body {kind}", body, "application/feed+json"

    def page(self, _seen) -> Reply:
        rng = self.rng
        kind = rng.choice(["ordinary", "deep", "binary", "huge title"])
        if kind == "deep":
            body = (
                b"<html><body>" + b"<div>" * 60_000 + b"x" + b"</div>" * 60_000 + b"</body></html>"
            )
        elif kind == "binary":
            body = bytes(rng.randrange(256) for _ in range(5_000))
        elif kind == "huge title":
            body = page("w " * 300_000, "a page with a huge title")
        else:
            body = page("An ordinary hostile page", "ordinary matters")
        return Reply(body=body, headers={"Content-Type": "text/html"})


def write_config(directory: Path, outlets: list[dict]) -> Path:
    document = {
        "database": "newsmon.db",
        "allow_private_networks": True,  # the outlets live on 127.0.0.0/8
        "fetch": {
            "per_host_delay": "0s",
            "autothrottle": False,
            "retries": 0,
            "timeout": "10s",
            "max_article_attempts": 2,
        },
        "outlets": outlets,
        "monitors": [{"name": "launches", "type": "missile_launch"}],
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def publish(servers: list[LoopbackServer], poll: int) -> list[str]:
    """One new article per ordinary outlet; returns their URLs."""
    urls = []
    for n, server in enumerate(servers):
        path = f"/story/{poll}"
        server.routes[path] = Reply.static(
            page(f"Outlet {n} story {poll}", f"outlet {n} matter {poll}"), "text/html"
        )
        items = [Item(f"Outlet {n} story {p}", server.url(f"/story/{p}")) for p in range(poll + 1)]
        server.routes["/feed.xml"] = Reply.static(rss(items[-20:]), "application/rss+xml")
        urls.append(server.url(path))
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=50)
    parser.add_argument("--outlets", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kinds: Counter[str] = Counter()
    records: Counter[str] = Counter()
    problems: list[str] = []
    first_poll = total = 0
    started = time.monotonic()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        hostile = stack.enter_context(LoopbackServer())
        normal = [
            stack.enter_context(LoopbackServer(host=f"127.0.0.{n + 2}"))
            for n in range(args.outlets)
        ]
        poison = Poison(rng, hostile.base_url)
        hostile.routes["/page"] = poison.page  # every /page/... (queries ignored) answers
        outlets = [
            {"name": f"Outlet {n}", "feeds": [s.url("/feed.xml")]} for n, s in enumerate(normal)
        ]
        outlets.append({"name": "Hostile", "feeds": [hostile.url("/feed")]})
        cfg = write_config(Path(tmp), outlets)
        for poll in range(args.polls):
            fresh = publish(normal, poll)
            kind, body, content_type = poison.feed(poll)
            kinds[kind] += 1
            hostile.routes["/feed"] = Reply(body=body, headers={"Content-Type": content_type})
            for i in range(200):  # hostile pages at every /page/N the item may name
                hostile.routes.setdefault(f"/page/{i}", poison.page)
            now = T0 + poll * POLL_EVERY
            before = hostile_entries(cfg) if poll else 0
            result = subprocess.run(
                [sys.executable, "-m", "crawler", "--config", str(cfg), "run", "--all"],
                capture_output=True,
                text=True,
                timeout=600,
                env={"NEWSMON_NOW": now.isoformat(), "PATH": "/usr/bin:/bin"},
            )
            stored = stored_urls(cfg)
            total += len(fresh)
            first_poll += sum(url in stored for url in fresh)
            how = recorded(cfg, before, now)
            records[how] += 1
            trouble = [
                f"poll {poll}: {what}"
                for what, bad in (
                    ("traceback", "Traceback" in result.stderr),
                    ("internal error", "internal error" in result.stderr),
                    (f"exit {result.returncode}", result.returncode not in (0, 1)),
                    ("an ordinary article not stored", not all(u in stored for u in fresh)),
                    ("an ordinary feed has an error", ordinary_errors(cfg)),
                    (f"hostile {kind} not recorded", how == "not recorded"),
                )
                if bad
            ]
            problems += trouble
            print(f"poll {poll:2d}: {kind:<16} -> {how:<34} exit {result.returncode}", flush=True)
        with closing(sqlite3.connect(cfg.parent / "newsmon.db")) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            refused = conn.execute(
                "SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id"
                " WHERE f.config_url LIKE '%/feed' AND e.entry_key LIKE 'refused:%'"
            ).fetchone()[0]
    print()
    print(f"polls: {args.polls}; ordinary outlets: {args.outlets}; seed {args.seed}")
    print(f"ordinary articles stored on their first poll: {first_poll} of {total}")
    print("hostile inputs: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    print("recorded as: " + ", ".join(f"{n} {k}" for k, n in sorted(records.items())))
    print(f"refused items kept as failed entries: {refused}")
    print(f"integrity_check: {integrity}; time {time.monotonic() - started:.0f} s")
    print(f"problems: {len(problems)}")
    for problem in problems:
        print("  " + problem)
    sys.exit(1 if problems or integrity != "ok" else 0)


def connect(cfg: Path) -> sqlite3.Connection:
    return sqlite3.connect(cfg.parent / "newsmon.db")


def stored_urls(cfg: Path) -> set[str]:
    with closing(connect(cfg)) as conn:
        return {url for (url,) in conn.execute("SELECT url FROM articles")}


def hostile_entries(cfg: Path) -> int:
    with closing(connect(cfg)) as conn:
        return conn.execute(
            "SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id"
            " WHERE f.config_url LIKE '%/feed'"
        ).fetchone()[0]


def ordinary_errors(cfg: Path) -> bool:
    with closing(connect(cfg)) as conn:
        return bool(
            conn.execute(
                "SELECT count(*) FROM feeds WHERE config_url LIKE '%/feed.xml'"
                " AND (last_error IS NOT NULL OR consecutive_errors > 0)"
            ).fetchone()[0]
        )


def recorded(cfg: Path, before: int, now: datetime) -> str:
    """How this poll's hostile item was recorded against the hostile feed."""
    stamp = now.isoformat().replace("+00:00", "Z")
    with closing(connect(cfg)) as conn:
        polled, error, errors = conn.execute(
            "SELECT last_polled, last_error, consecutive_errors FROM feeds"
            " WHERE config_url LIKE '%/feed'"
        ).fetchone()
        new = conn.execute(
            "SELECT e.state, e.entry_key LIKE 'refused:%', e.last_error FROM entries e"
            " JOIN feeds f ON f.id = e.feed_id WHERE f.config_url LIKE '%/feed'"
            " ORDER BY e.id LIMIT -1 OFFSET ?",
            [before],
        ).fetchall()
    if polled != stamp:
        return "not recorded"
    if errors:
        return "feed error"
    if any(refused for _, refused, _ in new):
        return "item refused (failed entry)"
    if new:
        state, _, reason = new[-1]
        return {
            "done": "entry stored",
            "failed": "entry failed, with reason",
            "pending": "entry to retry, with reason" if reason else "entry pending",
        }[state]
    return "seen before (same entry)" if error is None else "feed note"


if __name__ == "__main__":
    main()
