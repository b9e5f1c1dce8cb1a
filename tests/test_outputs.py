"""Files the user names as output: devices, FIFOs, symlinks and a full disk, through the
real CLI and the one writer behind it."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from crawler import store
from crawler.files import replace_atomically
from tests.conftest import newsmon, write_config

SINCE = ("--since", "2026-01-01T00:00:00Z")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    outlets = [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}]
    path = write_config(tmp_path, outlets)
    store.db.open_db(tmp_path / "newsmon.db").close()
    return path


def device(folder: Path, name: str, minor: int) -> Path:
    """A private copy of /dev/null (minor 3) or /dev/full (minor 7): a test that fails
    must replace its own node, never the machine's."""
    path = folder / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    return path


@pytest.mark.parametrize("command", [["digest", *SINCE, "--output"], ["opml", "export"]])
def test_a_full_disk_is_a_clear_error_and_a_failed_exit(cfg: Path, command: list[str]) -> None:
    full = device(cfg.parent, "full", 7)
    result = newsmon(*command, str(full), config=cfg)
    assert result.returncode != 0
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert stat.S_ISCHR(full.stat().st_mode)


@pytest.mark.parametrize("command", [["digest", *SINCE, "--output"], ["opml", "export"]])
def test_a_character_device_stays_a_device(cfg: Path, command: list[str]) -> None:
    null = device(cfg.parent, "null", 3)
    result = newsmon(*command, str(null), config=cfg)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(null.stat().st_mode)


@pytest.mark.parametrize("command", [["digest", *SINCE, "--output"], ["opml", "export"]])
def test_a_symlink_is_followed_and_kept(cfg: Path, command: list[str]) -> None:
    target = cfg.parent / "shared" / "out.txt"
    target.parent.mkdir()
    target.write_text("old")
    link = cfg.parent / "link.txt"
    link.symlink_to(target)
    result = newsmon(*command, str(link), config=cfg)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert target.read_text() != "old" and target.read_text() == link.read_text()
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]  # no temporary left


def test_a_fifo_is_written_in_place(cfg: Path) -> None:
    fifo = cfg.parent / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = newsmon("opml", "export", str(fifo), config=cfg)
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"<?xml")


def test_a_directory_or_socket_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="is a directory"):
        replace_atomically(tmp_path, "text")


def test_a_regular_file_is_still_replaced_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "digest.txt"
    path.write_text("old")
    before = path.stat().st_ino
    replace_atomically(path, "new")
    assert path.read_text() == "new" and path.stat().st_ino != before
