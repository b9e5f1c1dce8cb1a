"""Event ids that survive `reprocess`, and analysts' corrections that survive it too.

Articles are stored through the crawler's own path (`tests.builders`) into a real SQLite
file; everything after that is the real CLI: `reprocess`, `notify` (to a JSON webhook on
127.0.0.1), `digest --reader`, `event`, `event dismiss|move|merge|split`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler import config, store
from crawler.events import event_ids
from crawler.loopback import LoopbackServer, Reply
from crawler.store.event_ids import Snapshot
from monitors import build
from monitors.base import MonitorConfig
from tests.builders import add_article, add_story_article, story
from tests.conftest import FAST_FETCH, database_at, newsmon

pytestmark = pytest.mark.usefixtures("backend")

HOOK = "/hook"
NOW = "2026-03-16T00:00:00Z"
LAUNCHES = [build(MonitorConfig("launches", "missile_launch"))]


def write_config(directory: Path, monitors: list[str], hook: str | None = None) -> Path:
    document: dict[str, Any] = {
        "database": "newsmon.db",
        "allow_private_networks": True,
        "fetch": FAST_FETCH,
        "outlets": [
            {"name": name, "feeds": [f"http://127.0.0.1:9/{n}.xml"]}
            for n, name in enumerate(("Wire", "Copy Daily", "Tokyo Desk"))
        ],
        "monitors": [{"name": name, "type": "missile_launch"} for name in monitors],
    }
    if hook:
        document["notify"] = [{"name": "ops", "url": hook}]
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def open_db(path: Path):
    db = store.db.open_db(database_at(path.parent))
    store.feeds.sync_outlets(db, config.load(path), store_now())
    return db


def store_now():
    from datetime import UTC, datetime

    return datetime(2026, 3, 1, tzinfo=UTC)


def run(cfg: Path, *args: str) -> str:
    result = newsmon(*args, config=cfg, env={"NEWSMON_NOW": NOW})
    assert result.returncode == 0, result.stderr
    return result.stdout


def shown(cfg: Path, event_id: int) -> dict[str, Any]:
    return json.loads(run(cfg, "event", str(event_id), "--json"))


def sources(cfg: Path, event_id: int) -> set[int]:
    return {article["id"] for article in shown(cfg, event_id)["articles"]}


def all_events(cfg: Path) -> dict[int, dict[str, Any]]:
    return {e["id"]: e for e in json.loads(run(cfg, "events", "--json"))}


@pytest.fixture
def receiver():
    with LoopbackServer() as server:
        server.routes[HOOK] = Reply(200, b"ok")
        yield server


def hook_url(server: LoopbackServer) -> str:
    return f"json://{server.base_url.removeprefix('http://')}{HOOK}"


def titles(server: LoopbackServer) -> list[str]:
    return [json.loads(seen.body)["title"] for seen in server.hits(HOOK)]


@pytest.fixture
def desk(tmp_path):
    """Two launches of the `launches` monitor: the 8 March one (wire, its copy, Tokyo)
    and the 15 March one; ids by story name."""
    cfg = write_config(tmp_path, ["launches"])
    db = open_db(cfg)
    ids = {name: add_story_article(db, name, LAUNCHES) for name in ("wire", "tokyo")}
    ids["wire-copy"] = add_story_article(db, "wire-copy", LAUNCHES, feed_id=2)
    ids["next-week"] = add_story_article(db, "next-week", LAUNCHES)
    db.close()
    events = all_events(cfg)
    assert len(events) == 2
    ids["march-8"] = next(i for i, e in events.items() if ids["wire"] in sources(cfg, i))
    ids["march-15"] = next(i for i in events if i != ids["march-8"])
    return cfg, ids


# -- ids ------------------------------------------------------------------------


def test_reprocess_after_adding_a_monitor_keeps_ids_and_alerts_only_what_is_new(tmp_path, receiver):
    cfg = write_config(tmp_path, ["launches"], hook_url(receiver))
    db = open_db(cfg)
    for name in ("wire", "tokyo", "next-week"):
        add_story_article(db, name, LAUNCHES)
    db.close()
    run(cfg, "notify")
    assert len(titles(receiver)) == 2  # one "new event" alert per launch
    first = json.loads(run(cfg, "digest", "--reader", "kim", "--format", "json", "--since", "30d"))
    assert len(first["events"]) == 2
    before = all_events(cfg)

    # a monitor added first in the file: in a rebuild its events are created first
    write_config(tmp_path, ["drills", "launches"], hook_url(receiver))
    assert "3 articles" in run(cfg, "reprocess")
    after = all_events(cfg)
    kept = {i: e for i, e in after.items() if e["monitor"] == "launches"}
    assert kept == before  # same ids, same events
    added = sorted(i for i, e in after.items() if e["monitor"] == "drills")
    assert len(added) == 2 and min(added) > max(before)  # new ids, never an old one

    run(cfg, "notify")
    new_titles = titles(receiver)[2:]
    assert len(new_titles) == 2 and all(t.startswith("[newsmon] drills:") for t in new_titles)
    digest = json.loads(run(cfg, "digest", "--reader", "kim", "--format", "json"))
    assert sorted(e["id"] for e in digest["events"]) == added
    assert {e["status"] for e in digest["events"]} == {"new"}


def test_reprocess_with_nothing_changed_announces_nothing(desk, tmp_path, receiver):
    cfg, _ = desk
    write_config(tmp_path, ["launches"], hook_url(receiver))
    run(cfg, "notify")
    run(cfg, "digest", "--reader", "kim", "--since", "30d")
    sent = len(titles(receiver))
    run(cfg, "reprocess")
    run(cfg, "notify")
    assert len(titles(receiver)) == sent
    text = run(cfg, "digest", "--reader", "kim")
    assert "No new or updated events." in text


def test_an_event_whose_id_went_away_still_leads_somewhere(desk):
    cfg, ids = desk
    run(cfg, "event", "merge", str(ids["march-8"]), str(ids["march-15"]), "--by", "kim")
    result = newsmon("event", str(ids["march-15"]), "--json", config=cfg)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == ids["march-8"]
    assert f"event {ids['march-15']} is now event {ids['march-8']}" in result.stderr
    missing = newsmon("event", "999", config=cfg)
    assert missing.returncode == 1 and "no event with id 999" in missing.stderr


def snap(event_id: int, members: set[int], monitor: str = "m") -> Snapshot:
    return Snapshot(event_id, monitor, 0, 0, (), frozenset(members))


def test_the_match_by_members_is_one_to_one_best_overlap_first():
    old = [snap(1, {1, 2, 3, 4}), snap(2, {5, 6}), snap(3, {7}), snap(4, {8, 9}, "other")]
    new = [
        snap(10, {1, 2, 3}),  # 3/4 of event 1
        snap(11, {1, 2, 3, 4, 5, 6}),  # 4/6 of event 1, 2/6 of event 2: event 1 went to 10
        snap(12, {7, 20}),  # half of event 3: kept
        snap(13, {8, 9}),  # another monitor's members: never event 4
    ]
    assert event_ids.match(old, new) == {1: 10, 3: 12}


# -- corrections -----------------------------------------------------------------


def test_a_dismissed_source_never_rejoins_through_a_new_headline_or_a_rebuild(desk):
    cfg, ids = desk
    event = ids["march-8"]
    out = run(
        cfg,
        "event",
        "dismiss",
        str(event),
        "--article",
        str(ids["tokyo"]),
        "--by",
        "kim",
        "--note",
        "off-topic newsletter",
    )
    assert f"article {ids['tokyo']} taken out" in out and "by kim" in out
    assert ids["tokyo"] not in sources(cfg, event)
    # the outlet retitles the article: its new headline is read again, and stays out
    db = open_db(cfg)
    title, _, paragraphs = story("tokyo")
    add_article(
        db,
        "tokyo-again",
        title + " (update)",
        "2026-03-08T09:00:00+09:00",
        "\n".join(paragraphs),
        LAUNCHES,
        link="https://wire.example/tokyo",
    )
    db.close()
    assert ids["tokyo"] not in sources(cfg, event)
    run(cfg, "reprocess")
    record = shown(cfg, event)
    assert ids["tokyo"] not in {a["id"] for a in record["articles"]}
    [correction] = record["corrections"]
    assert correction["kind"] == "dismiss_member" and correction["by"] == "kim"
    assert correction["note"] == "off-topic newsletter" and correction["articles"] == [ids["tokyo"]]
    assert not any(ids["tokyo"] in sources(cfg, i) for i in all_events(cfg))


def test_a_moved_source_stays_where_it_was_put_through_reprocess(desk):
    cfg, ids = desk
    run(cfg, "event", "move", str(ids["wire-copy"]), "--to", str(ids["march-15"]))
    assert ids["wire-copy"] in sources(cfg, ids["march-15"])
    run(cfg, "reprocess")
    assert ids["wire-copy"] in sources(cfg, ids["march-15"])
    assert ids["wire-copy"] not in sources(cfg, ids["march-8"])
    text = run(cfg, "event", str(ids["march-15"]))
    assert f"article {ids['wire-copy']} moved here from event {ids['march-8']}" in text


def test_a_merge_holds_for_later_reports_and_through_reprocess(desk):
    cfg, ids = desk
    kept, gone = ids["march-8"], ids["march-15"]
    run(cfg, "event", "merge", str(kept), str(gone), "--note", "one story")
    assert set(all_events(cfg)) == {kept}
    db = open_db(cfg)  # a later report of the merged-away launch
    title, _, paragraphs = story("next-week")
    later = add_article(
        db, "next-week-2", title, "2026-03-15T08:30:00+09:00", "\n".join(paragraphs), LAUNCHES
    )
    db.close()
    assert later in sources(cfg, kept)
    run(cfg, "reprocess")
    assert set(all_events(cfg)) == {kept}
    assert {ids["wire"], ids["next-week"], later} <= sources(cfg, kept)
    assert shown(cfg, gone)["id"] == kept


def test_a_split_holds_through_reprocess_under_the_same_id(desk):
    cfg, ids = desk
    out = json.loads(
        run(cfg, "event", "split", str(ids["march-8"]), "--articles", str(ids["tokyo"]), "--json")
    )
    new = out["to_event"]
    assert new not in (ids["march-8"], ids["march-15"])
    assert sources(cfg, new) == {ids["tokyo"]}
    run(cfg, "reprocess")
    assert sources(cfg, new) == {ids["tokyo"]}
    assert ids["tokyo"] not in sources(cfg, ids["march-8"])
    assert len(all_events(cfg)) == 3


def test_a_dismissed_event_leaves_digests_and_alerts_but_not_the_record(desk, tmp_path, receiver):
    cfg, ids = desk
    write_config(tmp_path, ["launches"], hook_url(receiver))
    false = ids["march-15"]
    run(cfg, "event", "dismiss", str(false), "--by", "kim", "--note", "a drill")
    run(cfg, "notify")
    assert len(titles(receiver)) == 1  # only the real launch is announced
    digest = json.loads(run(cfg, "digest", "--format", "json", "--since", "30d"))
    assert [e["id"] for e in digest["events"]] == [ids["march-8"]]
    everything = json.loads(run(cfg, "digest", "--format", "json", "--since", "30d", "--dismissed"))
    [marked] = [e for e in everything["events"] if e["id"] == false]
    assert marked["dismissed"] is True and marked["corrections"][0]["kind"] == "dismiss"
    assert "dismissed as a false event, by kim" in run(
        cfg, "digest", "--since", "30d", "--dismissed"
    )
    run(cfg, "reprocess")
    assert all_events(cfg)[false]["dismissed"] is True
    run(cfg, "notify")
    assert len(titles(receiver)) == 1


def test_impossible_corrections_say_why(desk):
    cfg, ids = desk
    cases = [
        (["event", "dismiss", "999"], "no event with id 999"),
        (
            ["event", "dismiss", str(ids["march-15"]), "--article", str(ids["wire"])],
            f"article {ids['wire']} is not a source of event {ids['march-15']}",
        ),
        (
            ["event", "move", str(ids["wire"]), "--to", str(ids["march-8"])],
            "already a source",
        ),
        (["event", "split", str(ids["march-15"]), "--articles", str(ids["next-week"])], "empty"),
        (["event", "split", str(ids["march-8"]), "--articles", "x"], "article ids"),
    ]
    for args, message in cases:
        result = newsmon(*args, config=cfg)
        assert result.returncode in (1, 2) and message in result.stderr, (args, result.stderr)


def test_the_web_view_sends_a_merged_away_event_to_the_event_it_became(desk, backend):
    if backend == "postgresql":
        pytest.skip("the web view (Datasette) reads SQLite only")
    import http.client
    import subprocess
    import sys

    from tests.test_serve import free_port, stop, wait_until_up

    cfg, ids = desk
    kept, gone = ids["march-8"], ids["march-15"]
    run(cfg, "event", "merge", str(kept), str(gone))
    port = free_port()
    log = cfg.parent / "serve.log"
    command = [sys.executable, "-m", "crawler", "--config", str(cfg), "serve", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cfg.parent)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc, log)
        answers = {}
        for event_id in (gone, 999):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", f"/-/event/{event_id}")
            response = conn.getresponse()
            answers[event_id] = (response.status, response.getheader("Location"))
            conn.close()
    finally:
        stop(proc)
    assert answers[gone] == (302, f"/-/event/{kept}")
    assert answers[999][0] == 404


def test_an_event_the_rebuild_changes_is_an_update_never_new(desk, tmp_path, receiver):
    cfg, ids = desk
    write_config(tmp_path, ["launches"], hook_url(receiver))
    run(cfg, "notify")
    run(cfg, "digest", "--reader", "kim", "--since", "30d")
    sent = len(titles(receiver))
    # what the engine of an older version made of the first launch: another title
    db = open_db(cfg)
    with db.atomic():
        db.execute("UPDATE events SET title = 'older title' WHERE id = ?", [ids["march-8"]])
    db.close()
    run(cfg, "reprocess")
    digest = json.loads(run(cfg, "digest", "--reader", "kim", "--format", "json"))
    assert [(e["id"], e["status"]) for e in digest["events"]] == [(ids["march-8"], "updated")]
    run(cfg, "notify")
    assert len(titles(receiver)) == sent  # its facts did not change: nothing to announce
