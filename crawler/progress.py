"""Progress of long work (a sitemap backfill, a reprocess), for a person or for a log.

On a terminal: one bar, redrawn in place on stderr. Elsewhere (cron, systemd,
a pipe): a plain log line every tenth of the way, so logs stay readable.
Short work shows nothing: below MIN_TOTAL items the bar never appears.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

LOGGER = logging.getLogger(__name__)
MIN_TOTAL = 20
BAR_WIDTH = 30
REDRAW_EVERY = 0.2  # seconds


class Progress:
    def __init__(self, label: str, total: int = 0, stream: TextIO | None = None):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.started = time.monotonic()
        self._drawn = 0.0
        self._logged_tenths = 0

    def add_total(self, count: int) -> None:
        self.total += count

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.total < MIN_TOTAL:
            return
        if self.interactive:
            now = time.monotonic()
            if now - self._drawn >= REDRAW_EVERY or self.done >= self.total:
                self._drawn = now
                self.stream.write("\r" + self.line())
                self.stream.flush()
        else:
            tenths = min(10, self.done * 10 // max(self.total, 1))
            if tenths > self._logged_tenths:
                self._logged_tenths = tenths
                LOGGER.info("%s", self.line())

    def line(self) -> str:
        share = min(1.0, self.done / self.total) if self.total else 0.0
        filled = round(share * BAR_WIDTH)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        return (
            f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{self.done}/{self.total} ({rate:.1f}/s)"
        )

    def close(self) -> None:
        if self.interactive and self.total >= MIN_TOTAL:
            self.stream.write("\n")
            self.stream.flush()
