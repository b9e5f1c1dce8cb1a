"""Shared helpers for benchmarks: where the datasets are, and how to skip cleanly."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("NEWSMON_DATASETS", ROOT.parent / "shared" / "datasets"))


def dataset(name: str) -> Path:
    """The dataset folder, or exit 0 with one line saying it is absent."""
    path = DATASETS / name
    if not path.is_dir():
        print(f"skipped: dataset {path} is absent (set NEWSMON_DATASETS to its parent folder)")
        sys.exit(0)
    return path


def median(values: list[float]) -> float:
    return statistics.median(values)
