"""`newsmon demo`: the whole pipeline, offline, on bundled fictional outlets.

A loopback server serves `demo_data/` (five outlets, five feed formats, the
4 January 2026 launch told by several of them, wire copies among them, plus
unrelated news); a config pointing at it is written next to a fresh database,
and two polls run: the first stores everything, the second shows that
unchanged feeds cost one request each and store nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

import yaml

from crawler.loopback import LoopbackServer

DEMO_NOW = "2026-01-28T00:00:00Z"  # just after the last bundled story


@contextmanager
def demo_server() -> Iterator[tuple[LoopbackServer, Path]]:
    """Serve the bundled outlets; yields the server and the demo data folder."""
    with as_file(files("crawler") / "demo_data") as root, LoopbackServer() as server:
        server.serve_directory(root)
        yield server, root


def write_config(directory: Path, server: LoopbackServer, data: Path) -> Path:
    outlets = yaml.safe_load((data / "outlets.yaml").read_text(encoding="utf-8"))["outlets"]
    for outlet in outlets:
        for key in ("feeds", "sitemaps"):
            outlet[key] = [server.url(path) for path in outlet.get(key, [])]
            if not outlet[key]:
                del outlet[key]
    config = {
        "database": "newsmon.db",
        "allow_private_networks": True,  # the demo's outlets live on 127.0.0.1
        "fetch": {
            "per_host_delay": "0s",
            "per_host_concurrency": 4,
            "timeout": "10s",
            "autothrottle": False,
        },
        "outlets": outlets,
        "monitors": [{"name": "missile-launches", "type": "missile_launch"}],
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.yaml"
    path.write_text(
        "# Written by `newsmon demo`: the bundled outlets on a loopback server.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path
