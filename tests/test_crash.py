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


@pytest.mark.parametrize(("mode", "kills", "seed"), [("run", 4, 1), ("daemon", 3, 2)])
def test_kill_9_loses_and_doubles_nothing(tmp_path, mode, kills, seed):
    before = orphans()
    reference, soaked = compare(kills, mode, seed, tmp_path)
    time.sleep(2)  # the kernel delivers the parent-death signals
    assert orphans() <= before, "kill -9 left extraction processes running"
    assert soaked.integrity_failures == 0
    assert soaked.articles == reference.articles and len(reference.articles) == 31
    assert soaked.events == reference.events and len(reference.events) == 2
