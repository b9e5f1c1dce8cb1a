"""Disk and database trouble: a clear error, a non-zero exit, never a half-written state.

These need root's powers over the file system (an immutable file, a tiny
tmpfs); they skip, saying so, where those are not available.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import store
from crawler.loopback import Reply
from tests.builders import Item, page, rss
from tests.conftest import newsmon, query, write_config


def _can(command: list[str]) -> bool:
    return (
        shutil.which(command[0]) is not None
        and subprocess.run(command, capture_output=True, check=False).returncode == 0
    )


def publish(server, count: int) -> None:
    items = []
    for i in range(count):
        server.routes[f"/p{i}"] = Reply.static(page(f"Story {i}", f"subject {i}"), "text/html")
        items.append(Item(f"Story {i}", server.url(f"/p{i}")))
    server.routes["/feed.xml"] = Reply.static(rss(items), "application/rss+xml")


def test_a_read_only_database_is_a_clear_error(server, tmp_path):
    publish(server, 2)
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    assert newsmon("run", "--all", config=cfg).returncode == 0
    database = tmp_path / "newsmon.db"
    before = query(cfg, "SELECT count(*) FROM articles")
    if not _can(["chattr", "+i", str(database)]):
        pytest.skip("cannot make a file immutable here (chattr +i)")
    try:
        result = newsmon("run", "--all", config=cfg)
    finally:
        subprocess.run(["chattr", "-i", str(database)], check=True)
    assert result.returncode == 1
    assert "readonly database" in result.stderr and "Traceback" not in result.stderr
    assert query(cfg, "SELECT count(*) FROM articles") == before
    assert query(cfg, "PRAGMA integrity_check") == [("ok",)]


def test_a_full_disk_stops_the_run_loudly_and_the_next_run_finishes(server, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if not _can(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)]):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        publish(server, 6)
        cfg = write_config(mount, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
        store.db.open_db(mount / "newsmon.db").close()  # the schema, as a first poll makes it
        filler = mount / "filler"
        free = shutil.disk_usage(mount).free
        filler.write_bytes(b"\0" * max(free - 24 * 1024, 0))  # leave about 24 KB
        result = newsmon("run", "--all", config=cfg)
        assert result.returncode == 1
        assert "full" in result.stderr and "Traceback" not in result.stderr
        filler.unlink()
        assert query(cfg, "PRAGMA integrity_check") == [("ok",)]
        done = newsmon("run", "--all", config=cfg)
        assert done.returncode == 0, done.stderr
        assert query(cfg, "SELECT count(*) FROM articles") == [(6,)]
    finally:
        subprocess.run(["umount", str(mount)], check=False)
    assert not any(Path(mount).iterdir())


def test_a_read_only_database_directory_is_a_clear_error(server, tmp_path):
    """A poll lock file that cannot be created is one clear error, not a traceback."""
    publish(server, 1)
    folder = tmp_path / "data"
    folder.mkdir()
    cfg = write_config(folder, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    if not _can(["chattr", "+i", str(folder)]):
        pytest.skip("cannot make a directory immutable here (chattr +i)")
    try:
        results = [newsmon(*command, config=cfg) for command in (["run"], ["reprocess"])]
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    for result in results:
        assert result.returncode == 1, result.stderr
        assert "newsmon.db.lock: cannot create the poll lock file" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_database_in_a_read_only_folder_can_still_be_read(tmp_path):
    from crawler import config
    from crawler.config import MonitorConfig
    from monitors import build
    from tests.builders import add_story_article

    folder = tmp_path / "handed-over"
    folder.mkdir()
    cfg = write_config(folder, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}])
    monitors = [build(MonitorConfig("launches", "missile_launch"))]
    db = store.db.open_db(folder / "newsmon.db")
    store.feeds.sync_outlets(db, config.load(cfg), datetime(2026, 3, 10, tzinfo=UTC))
    add_story_article(db, "wire", monitors)
    db.close()
    if not _can(["chattr", "+i", str(folder)]):
        pytest.skip("cannot make a directory immutable here (chattr +i)")
    try:
        results = {
            name: newsmon(*command, config=cfg)
            for name, command in {
                "status": ["status"],
                "digest": ["digest", "--since", "2000-01-01"],
                "events": ["events", "--since", "2000-01-01", "--json"],
            }.items()
        }
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    for name, result in results.items():
        assert result.returncode == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr
    assert "North Korea" in results["digest"].stdout
    assert sorted(p.name for p in folder.iterdir()) == ["config.yaml", "newsmon.db"]
