"""A SIGHUP that reaches `newsmon daemon` while it is still starting.

The daemon's loop takes SIGHUP over (reload) only once the daemon has loaded its
config, opened the database and built its monitors, a second or more after the
process started. Until then SIGHUP has its default action, which ends the process
without a word: a reload sent to a daemon just (re)started, by systemd's
`ExecReload` or by a fleet's operator, would kill it. From the start of the daemon
command a hangup is noted instead, and the daemon reloads once it runs.
"""

from __future__ import annotations

import signal
from types import FrameType

_noted = False


def defer() -> None:
    """Note SIGHUP (not die of it) until the daemon's loop installs its own handler."""
    signal.signal(signal.SIGHUP, _note)


def noted() -> bool:
    """Whether a SIGHUP arrived since `defer`; forgotten once asked."""
    global _noted
    seen, _noted = _noted, False
    return seen


def _note(signum: int, frame: FrameType | None) -> None:
    global _noted
    _noted = True
