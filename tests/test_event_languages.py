"""Reports of one launch in Korean, Japanese and English make one event.

Their headlines share no word, so only the monitor's reading of each text (the launch,
its time, its facts) can join them; each member keeps its language, and the event is
titled in the analyst's language when a member is written in it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from crawler.loopback import Reply
from tests.builders import Item, article_page, rss
from tests.conftest import newsmon, query, write_config

FIXTURES = Path(__file__).parent / "data" / "monitors"
OUTLETS = {  # outlet → fixture
    "Yonhap": "ko-jcs-dec28",
    "Newsis": "ko-copy-dec28",  # the same text under a "[속보]" headline
    "Yonhap English": "en-wire-dec28",
    "NHK": "ja-nhk-dec28",
    "Kyodo": "ja-kyodo-dec28",
}


def fixture(name: str) -> tuple[dict[str, str], list[str]]:
    head, body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n\n", 1)
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return meta, [line for line in body.splitlines() if line.strip()]


def publish(server) -> list[dict]:
    outlets = []
    for number, (outlet, name) in enumerate(OUTLETS.items()):
        meta, paragraphs = fixture(name)
        language = meta.get("language", "en")
        page = f"/o{number}/{name}.html"
        server.routes[page] = Reply.static(
            article_page(meta["title"], paragraphs, meta["published"], language),
            "text/html; charset=utf-8",
        )
        published = datetime.fromisoformat(meta["published"])
        item = Item(meta["title"], server.url(page), published=published)
        server.routes[f"/o{number}/rss.xml"] = Reply.static(rss([item]), "application/rss+xml")
        outlets.append({"name": outlet, "feeds": [server.url(f"/o{number}/rss.xml")]})
    return outlets


def events(cfg: Path) -> list[dict]:
    result = newsmon("digest", "--format", "json", "--since", "2025-01-01", config=cfg)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["events"]


def test_korean_japanese_and_english_reports_are_one_event(server, tmp_path):
    cfg = write_config(tmp_path, publish(server))
    with cfg.open("a", encoding="utf-8") as handle:
        handle.write("monitors:\n  - name: launches\n    type: missile_launch\n")
        handle.write("events:\n  title_language: en\n")
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr

    (event,) = events(cfg)
    by_outlet = {a["outlet"]: a for a in event["articles"]}
    assert set(by_outlet) == set(OUTLETS)
    assert {outlet: a["language"] for outlet, a in by_outlet.items()} == {
        "Yonhap": "ko",
        "Newsis": "ko",
        "Yonhap English": "en",
        "NHK": "ja",
        "Kyodo": "ja",
    }
    # titled in the analyst's language, though a Korean report came first
    assert event["title"] == fixture("en-wire-dec28")[0]["title"]
    assert by_outlet["Yonhap"]["role"] == "first report"
    # 08:00 KST on 28 December, from the JCS flash, in every language's words
    assert event["event_time_start"] <= "2025-12-27T23:00:00Z" <= event["event_time_end"]
    assert event["facts"]["actor"] == "North Korea"
    assert "cruise" in event["facts"]["missile_types"]
    # the "[속보]" flash is the same text as Yonhap's: linked as its copy
    assert by_outlet["Newsis"]["copy_of"] == by_outlet["Yonhap"]["id"]
    stored = dict(query(cfg, "SELECT url, language FROM articles"))
    assert sorted(stored.values()) == ["en", "ja", "ja", "ko", "ko"]

    shown = newsmon("event", str(event["id"]), config=cfg)
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"first report\s+ko\s+Yonhap: ", shown.stdout), shown.stdout
    assert re.search(r"confirmation\s+ja\s+NHK: ", shown.stdout), shown.stdout
    text_digest = newsmon("digest", "--since", "2025-01-01", config=cfg)
    assert "(ko, first report)" in text_digest.stdout, text_digest.stdout

    # without a title language the first report's language titles the event
    text = cfg.read_text(encoding="utf-8").replace("events:\n  title_language: en\n", "")
    cfg.write_text(text, encoding="utf-8")
    assert newsmon("reprocess", config=cfg).returncode == 0
    (event,) = events(cfg)
    assert event["title"] == fixture("ko-jcs-dec28")[0]["title"]


def test_an_unknown_title_language_is_a_config_error(server, tmp_path):
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": [server.url("/rss.xml")]}])
    with cfg.open("a", encoding="utf-8") as handle:
        handle.write("events:\n  title_language: english\n")
    result = newsmon("run", config=cfg)
    assert result.returncode == 2, result.stderr
    assert "events.title_language" in result.stderr
