"""The CI guard: the event benchmarks in their fast mode, checked against bench/thresholds.yaml.

Why: accuracy on real feeds is what newsmon promises, and a change that splits, merges or
loses events must fail the build rather than wait for someone to rerun a benchmark. Runs
`bench.events_replay --fast` (December and August, every monitor of the thresholds in one
replay) and `bench.events_korean --fast`, each in its own process (Twisted's reactor runs
once per process), then prints one line per figure and exits 1 when any figure is worse
than its threshold. Skips with one line when the datasets are absent; a monitor whose
type is not installed is skipped with one line.

    python -m bench.guard [--thresholds FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.common import DATASETS, ROOT
from bench.events_replay import KNOWN, subject

THRESHOLDS = ROOT / "bench" / "thresholds.yaml"
# Figures where more is better; every other figure must not exceed its threshold.
AT_LEAST = frozenset(
    {"recall", "precision", "reports_recall", "reports_precision", "place_share", "magnitude_share"}
)
KOREAN = "korean"
DATASET_FOLDERS = {**KNOWN, KOREAN: "korean-news-dec2025"}
SLACK = 1e-9


@dataclass(frozen=True)
class Verdict:
    """One figure against its threshold."""

    dataset: str
    monitor: str
    figure: str
    value: float | None
    threshold: float

    @property
    def ok(self) -> bool:
        if self.value is None:
            return False
        if self.figure in AT_LEAST:
            return self.value >= self.threshold - SLACK
        return self.value <= self.threshold + SLACK

    def line(self) -> str:
        sign = ">=" if self.figure in AT_LEAST else "<="
        if self.value is None:
            value = "not measured"
        elif self.figure in AT_LEAST or self.value != int(self.value):
            value = f"{self.value:.2f}"
        else:
            value = str(int(self.value))
        return (
            f"{'ok  ' if self.ok else 'FAIL'} {self.dataset} {self.monitor} {self.figure}"
            f" {value} (threshold {sign} {self.threshold:g})"
        )


def figures(result: dict) -> dict[str, float | None]:
    """The guarded figures of one monitor's scores on one dataset."""
    totals = dict(result["totals"])
    found = totals["found"]
    totals["place_share"] = totals["with_place"] / found if found else None
    totals["magnitude_share"] = totals["with_magnitude"] / found if found else None
    return totals


def check(results: dict, thresholds: dict) -> list[Verdict]:
    """Every threshold of a dataset and monitor that has results; the caller reports the
    rest as skipped."""
    verdicts = []
    for dataset, monitors in thresholds.items():
        for monitor, limits in monitors.items():
            result = results.get(dataset, {}).get(monitor)
            if result is None:
                continue
            values = figures(result)
            for figure, threshold in limits.items():
                verdicts.append(
                    Verdict(dataset, monitor, figure, values.get(figure), float(threshold))
                )
    return verdicts


def run(module: str, arguments: list[str], out: Path) -> dict:
    command = [sys.executable, "-m", module, "--fast", *arguments, "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:])} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text()) if out.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    args = parser.parse_args()
    if not DATASETS.is_dir():
        print(f"skipped: datasets {DATASETS} are absent (set NEWSMON_DATASETS)")
        return
    thresholds = yaml.safe_load(args.thresholds.read_text(encoding="utf-8"))
    started = time.perf_counter()
    for dataset in thresholds:
        if not (DATASETS / DATASET_FOLDERS.get(dataset, dataset)).is_dir():
            print(f"skipped: {dataset} (dataset {DATASET_FOLDERS.get(dataset, dataset)} absent)")
    names = sorted({m for d, ms in thresholds.items() if d != KOREAN for m in ms})
    installed = []
    for name in names:
        if subject(name).installed:
            installed.append(name)
        else:
            print(f"skipped: {name} (monitor type {subject(name).block['type']!r} not installed)")
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if installed:
            monitors = [arg for name in installed for arg in ("--monitor", name)]
            results |= run("bench.events_replay", monitors, Path(tmp) / "replay.json")
        if KOREAN in thresholds:
            results |= run("bench.events_korean", [], Path(tmp) / "korean.json")
    verdicts = check(results, thresholds)
    for verdict in verdicts:
        print(verdict.line())
    failed = [v for v in verdicts if not v.ok]
    print(
        f"guard: {len(verdicts) - len(failed)} of {len(verdicts)} figures within their"
        f" thresholds ({time.perf_counter() - started:.0f} s)"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
