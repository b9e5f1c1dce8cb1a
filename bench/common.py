"""Shared helpers for benchmarks: where the datasets are, and how to skip cleanly."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("NEWSMON_DATASETS", ROOT.parent / "shared" / "datasets"))


# Fetch settings for a replay on loopback: no politeness pauses, no retries (one
# local server stands for every outlet; a failure is a finding, not bad luck).
REPLAY_FETCH = {
    "per_host_delay": "0s",
    "per_host_concurrency": 8,
    "autothrottle": False,
    "retries": 0,
    "max_new_per_feed": 1000,
    "obey_robots": False,
}


def dataset(name: str) -> Path:
    """The dataset folder, or exit 0 with one line saying it is absent."""
    path = DATASETS / name
    if not path.is_dir():
        print(f"skipped: dataset {path} is absent (set NEWSMON_DATASETS to its parent folder)")
        sys.exit(0)
    return path


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Usage:
    """CPU seconds and peak resident memory of a process tree, sampled from /proc."""

    main_cpu: float = 0.0
    workers_cpu: float = 0.0
    main_peak_kib: int = 0
    workers_peak_kib: int = 0
    _cpu: dict[int, float] = field(default_factory=dict)


def _stat(pid: int) -> tuple[float, int] | None:
    """(CPU seconds, RSS KiB) of one process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[21]) * os.sysconf(
        "SC_PAGE_SIZE"
    ) // 1024


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(child) for child in children]
        frontier += [int(child) for child in children]
    return found


def watch(process: subprocess.Popen, every: float = 0.05) -> Usage:
    """Wait for `process`, sampling it and its descendants (worker pools) meanwhile.

    A worker's CPU is its last sample before it exits, so up to `every` seconds
    of each worker's time can be missed; the figures are lower bounds.
    """
    usage = Usage()
    while process.poll() is None:
        own = _stat(process.pid)
        if own:
            usage.main_cpu = own[0]
            usage.main_peak_kib = max(usage.main_peak_kib, own[1])
        workers_rss = 0
        for child in descendants(process.pid):
            sample = _stat(child)
            if sample:
                usage._cpu[child] = sample[0]
                workers_rss += sample[1]
        usage.workers_peak_kib = max(usage.workers_peak_kib, workers_rss)
        usage.workers_cpu = sum(usage._cpu.values())
        time.sleep(every)
    return usage


def rss_kib(pid: int) -> int:
    """Resident set size of one process in KiB; 0 once it is gone."""
    sample = _stat(pid)
    return sample[1] if sample else 0


def py_spy(command: list[str], output: Path) -> list[str]:
    """`command` (a Python one) under py-spy, writing folded stacks to `output`. Sampling,
    unlike pyinstrument, does not inflate the cost of Scrapy's many small calls."""
    spy = [str(Path(sys.executable).parent / "py-spy"), "record", "-r", "250", "-f", "raw"]
    return [*spy, "-o", str(output), "--", *command]
