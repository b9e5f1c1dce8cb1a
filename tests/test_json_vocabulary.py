"""One vocabulary for every JSON output, no internal fields, every name documented.

The same thing has the same name in `events`, `event`, the digest, `articles`,
`article`, `feeds` and `status`, no store column leaks out, and every name is in the
table of docs/output.md. Real CLI, real SQLite file.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crawler import store
from crawler.model import MonitorFailure
from monitors import build
from monitors.base import MonitorConfig
from tests.builders import add_story_article, outlets_database
from tests.conftest import ROOT, newsmon

MONITORS = [build(MonitorConfig("launches", "missile_launch"))]
INTERNAL = {
    "time_start",
    "time_end",
    "precision",
    "time_point",
    "created_seq",
    "change_seq",
    "story_id",
    "fetched_at",
    "articles_24h",
    "entries_total",
    "heartbeat_age_s",
    "seen_age_s",
    "seen",
    "now",
}
# Maps keyed by data, not by field names: fact names (also those that agreed) and alert
# states.
DATA_KEYED = {"facts", "fact_sources", "fact_evidence", "alerts", "agreed"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Any]:
    cfg, db = outlets_database(tmp_path_factory.mktemp("vocabulary"), "Wire", "Copy Daily")
    wire = add_story_article(db, "wire", MONITORS)
    add_story_article(db, "wire-copy", MONITORS, feed_id=2)
    failure = MonitorFailure("launches", "https://wire.example/a", "ValueError: bad lexicon")
    store.monitor_failures.record_monitor_failures(db, [failure], datetime(2026, 3, 8, tzinfo=UTC))
    store.leases.renew(
        db, "host:1:a", datetime(2026, 3, 8, 11, 59, tzinfo=UTC), timedelta(seconds=30)
    )
    db.close()

    def run(*args: str, now: str = "2026-03-08T12:00:00Z") -> Any:
        result = newsmon(*args, config=cfg, env={"NEWSMON_NOW": now})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return {
        "events": run("events", "--format", "json"),
        "event": run("event", "1", "--format", "json", "--explain"),
        "digest": run("digest", "--format", "json", "--since", "2026-03-01"),
        "articles": run("articles", "--format", "json"),
        "article": run("article", str(wire), "--format", "json"),
        "feeds": run("feeds", "--format", "json"),
        "feeds_later": run("feeds", "--format", "json", now="2026-03-20T00:00:00Z"),
        "status": run("status", "--format", "json"),
    }


def field_names(value: Any, inside: str = "") -> set[str]:
    """Every key of a JSON document, but not the keys of maps keyed by data."""
    if isinstance(value, list):
        return set().union(*(field_names(item, inside) for item in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    if inside in DATA_KEYED:  # skip the keys, read what they hold
        return set().union(*(field_names(child) for child in value.values())) if value else set()
    names = set(value)
    for key, child in value.items():
        names |= field_names(child, key)
    return names


def test_an_event_has_one_set_of_names_everywhere(outputs):
    [listed] = outputs["events"]
    shown = outputs["event"]
    [digested] = outputs["digest"]["events"]
    assert set(listed) < set(shown)
    assert set(digested) == set(shown) | {"status"}
    assert {key: shown[key] for key in listed} == listed
    assert listed["event_time"] == "2026-03-07T21:20:00Z"
    assert listed["event_time_precision"] == "minute"
    [membership] = outputs["article"]["events"]
    assert {key: membership[key] for key in listed} == listed


def test_an_article_and_a_feed_have_one_set_of_names_everywhere(outputs):
    listed = {a["outlet"]: a for a in outputs["articles"]}
    sources = {a["outlet"]: a for a in outputs["event"]["articles"]}
    for outlet, article in listed.items():
        shared = set(article) & set(sources[outlet])
        assert shared >= {"id", "url", "outlet", "title", "published", "language"}
        assert {k: article[k] for k in shared} == {k: sources[outlet][k] for k in shared}
    assert set(outputs["status"]["feeds"][0]) == set(outputs["feeds"][0])
    assert {"fetched", "text_method", "word_count"} <= set(outputs["articles"][0])
    assert outputs["status"]["database"]["article_count"] == 2


def test_feed_counts_say_what_they_count(outputs):
    """`article_count` counts every stored article, `article_count_24h` the last day's."""
    now = {f["outlet"]: f for f in outputs["feeds"]}
    later = {f["outlet"]: f for f in outputs["feeds_later"]}
    assert (now["Wire"]["article_count"], now["Wire"]["article_count_24h"]) == (1, 1)
    assert (later["Wire"]["article_count"], later["Wire"]["article_count_24h"]) == (1, 0)
    assert all(isinstance(f["active"], bool) and f["failing"] is False for f in now.values())


def test_no_output_leaks_internal_fields(outputs):
    for name, document in outputs.items():
        assert not field_names(document) & INTERNAL, name


def test_every_field_is_in_the_vocabulary_table(outputs):
    page = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    section = page.split("## JSON field names", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([a-z_0-9]+)`", row.split("|")[1])}
    used = set().union(*(field_names(document) for document in outputs.values()))
    assert used - documented == set()
    # a daemon that never ran has only a `state`; two agreeing reports of one launch
    # leave no fact unstated, conflict with no other event, and open nothing from lists
    assert documented - used == {"pid", "started", "heartbeat", "config", "stopped"} | {
        "heartbeat_age_seconds",
        "conflict",
        "lists",
        "unknown",
    }
