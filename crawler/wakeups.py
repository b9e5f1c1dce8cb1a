"""APScheduler on the daemon's loop, woken without flooding the loop's self-pipe.

APScheduler's `AsyncIOScheduler` wakes itself through `call_soon_threadsafe` on every
`add_job`, and each such call writes one byte to the loop's self-pipe. That socket is
also the process's signal wakeup fd: a daemon scheduling 1,000 feed jobs in one go
(at start, on SIGHUP, after a poll) fills it, and a SIGTERM or SIGHUP arriving then
cannot be written and is lost ("Exception ignored when trying to write to the signal
wakeup fd: BlockingIOError"): the daemon ignores the signal. On the loop's own thread
a wakeup is a plain `call_soon`, and any number of wakeups before the loop gets to it
are one: the jobs are looked at once, not once per job added.
"""

from __future__ import annotations

import asyncio

from apscheduler.schedulers.asyncio import AsyncIOScheduler


class LoopScheduler(AsyncIOScheduler):
    """An `AsyncIOScheduler` whose wakeups from its loop's thread are coalesced."""

    _wake_pending = False

    def wakeup(self) -> None:
        loop = self._eventloop
        if loop is None or loop.is_closed():
            return
        if _running_loop() is not loop:  # another thread: only the self-pipe reaches it
            loop.call_soon_threadsafe(self._wake)
            return
        if not self._wake_pending:
            self._wake_pending = True
            loop.call_soon(self._wake)

    def _wake(self) -> None:
        self._wake_pending = False
        if self._eventloop is None or not self.running:  # shut down meanwhile
            return
        self._stop_timer()
        self._start_timer(self._process_jobs())


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
