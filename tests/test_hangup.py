"""A SIGHUP reaching `newsmon daemon` while it starts is a reload, not its end."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.conftest import write_config
from tests.test_daemon import start, stop, wait_for

SIGHUP_BIT = 1 << (signal.SIGHUP - 1)


def catches_sighup(pid: int) -> bool:
    """Whether the process has a handler for SIGHUP yet (its SigCgt mask)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask.split()[1], 16) & SIGHUP_BIT)


def test_sighup_while_the_daemon_starts_is_a_reload_once_it_runs(tmp_path):
    outlets = [{"name": f"O{n}", "feeds": [f"http://127.0.0.1:9/f{n}.xml"]} for n in range(300)]
    cfg = write_config(tmp_path, outlets)
    process, log = start(cfg)
    try:
        wait_for(lambda: catches_sighup(process.pid) or process.poll() is not None, "a handler")
        hangups = 0
        while "daemon started" not in log.read_text() and process.poll() is None:
            os.kill(process.pid, signal.SIGHUP)  # a reload while it loads, opens, schedules
            hangups += 1
            time.sleep(0.05)
        assert process.poll() is None and hangups > 0
        wait_for(lambda: "config reloaded" in log.read_text(), "the reload it was sent")
    finally:
        code = stop(process) if process.poll() is None else process.returncode
    assert code == 0
