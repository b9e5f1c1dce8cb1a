"""The one source of "now".

Scheduling, polling state and (later) event times are all judged against this
clock, so a replay of last January's feeds can run as if it were last January
(`--now` / `NEWSMON_NOW`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

ENV_VAR = "NEWSMON_NOW"


class ClockError(ValueError):
    """A fixed time could not be understood."""


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a time without zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-01-04T08:00:00+09:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """System time, or a fixed instant when one is given."""

    fixed: datetime | None = None

    def now(self) -> datetime:
        return self.fixed if self.fixed is not None else datetime.now(UTC)

    @classmethod
    def from_option(cls, value: str | None) -> Clock:
        """Build from `--now`, falling back to NEWSMON_NOW, then the system clock."""
        text = value or os.environ.get(ENV_VAR)
        return cls(parse_instant(text)) if text else cls()


def isoformat(value: datetime) -> str:
    """The one text form of instants in the database: UTC, seconds, sortable."""
    # isoformat, not strftime: glibc's %Y writes the year 1 as "1", which no parser reads
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
