"""kill -9 at random moments: the database stays whole and the end result is the same.

The long soak (25 kills of each kind) is `python -m bench.soak`; these are short.
"""

import subprocess
import time

import pytest

from bench.soak import compare


def orphans() -> set[int]:
    """Extraction forkservers and workers whose parent is gone (adopted by init)."""
    listing = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True)
    found = set()
    for line in listing.stdout.splitlines():
        pid, ppid, args = line.split(None, 2)
        if ppid == "1" and "multiprocessing.forkserver" in args:
            found.add(int(pid))
    return found


def new_orphans(before: set[int], within: float = 10.0) -> set[int]:
    """Orphans that appeared since `before` and are still there after `within` seconds:
    a worker whose parent was killed exits on its parent-death signal, which a loaded
    machine may deliver seconds late, so one look after a fixed pause can be flaky."""
    deadline = time.monotonic() + within
    while (extra := orphans() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    return extra


@pytest.mark.parametrize(("mode", "kills", "seed"), [("run", 4, 1), ("daemon", 3, 2)])
def test_kill_9_loses_and_doubles_nothing(tmp_path, mode, kills, seed):
    before = orphans()
    reference, soaked = compare(kills, mode, seed, tmp_path)
    assert not new_orphans(before), "kill -9 left extraction processes running"
    assert soaked.integrity_failures == 0
    assert soaked.articles == reference.articles and len(reference.articles) == 31
    assert soaked.events == reference.events and len(reference.events) == 2


def test_ctrl_c_stops_a_run_within_seconds_and_the_next_run_finishes(server, tmp_path):
    """The first SIGINT stops `newsmon run` and releases the poll lock (a main thread
    waiting on a reactor pool thread would hang it, and every cron run after it would
    exit 3)."""
    import os
    import signal
    import sys

    from crawler.loopback import Reply
    from tests.builders import Item, page, rss
    from tests.conftest import newsmon, query, write_config

    items = []
    for i in range(12):
        reply = Reply.static(page(f"Story {i}", f"subject {i}"), "text/html")
        reply.delay = 0.6
        server.routes[f"/p{i}"] = reply
        items.append(Item(f"Story {i}", server.url(f"/p{i}")))
    server.routes["/feed.xml"] = Reply.static(rss(items), "application/rss+xml")
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    before = orphans()
    run = subprocess.Popen(
        [sys.executable, "-m", "crawler", "--config", str(cfg), "run", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 30
    while len([s for s in server.requests if s.path.startswith("/p")]) < 3:
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(run.pid, signal.SIGINT)
    started = time.monotonic()
    try:
        _, err = run.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        run.kill()
        pytest.fail("newsmon run did not stop on SIGINT")
    assert time.monotonic() - started < 5
    assert run.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err and "leaked" not in err
    assert not new_orphans(before)
    assert query(cfg, "PRAGMA integrity_check") == [("ok",)]
    stored = query(cfg, "SELECT count(*) FROM articles")[0][0]
    assert stored < 12  # it really was interrupted mid-poll
    after = newsmon("run", config=cfg)  # lock released, pending entries fetched
    assert after.returncode == 0, after.stderr
    assert query(cfg, "SELECT count(*), count(DISTINCT url) FROM articles") == [(12, 12)]
