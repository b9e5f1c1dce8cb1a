"""Screenshots of `newsmon serve`'s pages, taken by a real headless browser.

The tests load every page over HTTP and check what it says; whether it *looks* right
takes a browser and a pair of eyes. CI machines have no browser, so this is a script,
not a test, and it exits 0 with one "skipped:" line when no Chromium is installed
(Debian: `apt-get install chromium`).

It builds the demo database (`newsmon demo --dir`), then polls one outlet three times
after the demo's loopback server has gone, so that feed fails for real (connection
refused, three errors in a row: FAILING); starts `newsmon serve` on a free loopback
port with the clock after those polls, and saves PNGs at 1280 and 400 px wide
(`NAME-1280.png`, `NAME-400.png`) of the landing page with its chart, a search, the
best-covered event (the demo's 4 January launch: five sources, a confirmation, a near
copy, facts the reports disagree on), its first source's stored text, the activity
page and feed health.

    python -m bench.screenshots [--out bench/results/screenshots] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from bench.common import ROOT

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FAILING_OUTLET = "Pacific Monitor"
FAILED_POLLS = ("2026-01-28T01:00:00Z", "2026-01-28T02:00:00Z", "2026-01-28T03:00:00Z")
SERVE_NOW = "2026-01-28T03:10:00Z"  # shortly after the failed polls
WIDTHS = (1280, 400)  # a desktop window, and a phone held upright
# (name, path: None for the best-covered event, "article" for its first source; height
# at 1280 px: each page fits whole; at 400 px the page is taller, NARROW_HEIGHT times)
PAGES = (
    ("landing", "/", 1400),
    ("search", "/?q=missile&from=2026-01-01&to=2026-01-10", 1400),
    ("event", None, 2000),
    ("article", "article", 1400),
    ("activity", "/-/activity", 1100),
    ("feeds", "/-/feeds", 1000),
)
NARROW_HEIGHT = 2.5
STARTUP_TIMEOUT_S = 30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "screenshots")
    parser.add_argument("--chromium", help="the browser binary (default: found on PATH)")
    args = parser.parse_args()
    browser = args.chromium or next(filter(None, map(shutil.which, BROWSERS)), None)
    if browser is None:
        print("skipped: no Chromium found (Debian: apt-get install chromium)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsmon-shots-") as tmp:
        config = build_database(Path(tmp))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(config, port, Path(tmp) / "serve.log")
        try:
            wait_until_up(base, server)
            event = best_covered_event(base)
            article = first_source(base, event)
            for name, path, height in PAGES:
                where = {None: f"/-/event/{event}", "article": f"/-/article/{article}"}
                url = base + where.get(path, path or "")
                for width in WIDTHS:
                    tall = height if width >= 1000 else int(height * NARROW_HEIGHT)
                    out = args.out / f"{name}-{width}.png"
                    shoot(browser, url, out, width, tall, Path(tmp) / f"chromium-{name}-{width}")
                    print(f"{out}: {url} at {width}x{tall}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    return 0


def newsmon(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def build_database(directory: Path) -> Path:
    """The demo's database, with one outlet's feed failing three polls in a row."""
    demo = newsmon("demo", "--dir", str(directory))
    if demo.returncode != 0:
        sys.exit(f"newsmon demo failed:\n{demo.stderr}")
    config = directory / "config.yaml"
    for now in FAILED_POLLS:  # the demo's server is gone: each poll is refused
        newsmon("--config", str(config), "run", "--all", "--outlet", FAILING_OUTLET, "--now", now)
    return config


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "crawler", "--config", str(config), "serve"]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NEWSMON_NOW": SERVE_NOW},
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"newsmon serve exited with {server.returncode}")
        try:
            with urlopen(f"{base}/-/versions.json", timeout=5):
                return
        except (URLError, ConnectionError):
            time.sleep(0.2)
    sys.exit(f"newsmon serve did not answer within {STARTUP_TIMEOUT_S} s")


def best_covered_event(base: str) -> int:
    """The event with the most sources, through the JSON API as any script would ask."""
    with urlopen(f"{base}/newsmon/latest_events.json?_shape=array", timeout=10) as answer:
        rows = json.load(answer)
    return max(rows, key=lambda row: (row["article_count"], -row["id"]))["id"]


def first_source(base: str, event: int) -> int:
    """The event's first source: whose stored text the article page shows."""
    query = f"{base}/newsmon/event_sources.json?id={event}&_shape=array"
    with urlopen(query, timeout=10) as answer:
        return json.load(answer)[0]["article_id"]


def shoot(browser: str, url: str, path: Path, width: int, height: int, profile: Path) -> None:
    """One PNG of the page at `width`×`height` (tall enough for the whole page), from a
    fresh profile that talks to nothing but the page's server."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        f"--screenshot={path}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not path.is_file():
        sys.exit(f"{browser} failed on {url}:\n{result.stderr[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
