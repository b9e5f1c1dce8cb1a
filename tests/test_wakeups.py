"""The daemon's scheduler: a thousand jobs added at once leave room for a signal."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from crawler.wakeups import LoopScheduler

JOBS = 2000


async def _signal_after_many_jobs(scheduler: AsyncIOScheduler) -> tuple[bool, int]:
    """(was SIGUSR1 seen, how many jobs ran): it arrives while every job is being added."""
    loop = asyncio.get_running_loop()
    seen = asyncio.Event()
    ran: list[int] = []
    loop.add_signal_handler(signal.SIGUSR1, seen.set)
    try:
        scheduler.start()
        when = datetime.now(UTC) + timedelta(milliseconds=50)

        async def job(number: int) -> None:
            ran.append(number)

        for number in range(JOBS):  # synchronously, as the daemon schedules its feeds
            scheduler.add_job(job, DateTrigger(run_date=when), args=[number], id=f"j{number}")
        os.kill(os.getpid(), signal.SIGUSR1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(seen.wait(), timeout=2)
        deadline = loop.time() + 10
        while len(ran) < JOBS and loop.time() < deadline:
            await asyncio.sleep(0.05)
        return seen.is_set(), len(ran)
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        loop.remove_signal_handler(signal.SIGUSR1)


def test_a_signal_arriving_while_a_thousand_jobs_are_added_is_seen():
    async def main() -> tuple[bool, int]:
        scheduler = LoopScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        return await _signal_after_many_jobs(scheduler)

    assert asyncio.run(main()) == (True, JOBS)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_apschedulers_own_asyncio_scheduler_loses_that_signal():
    """Why the daemon does not use it: each add_job writes to the loop's self-pipe,
    which is also the signal wakeup fd, and the signal finds it full."""

    async def main() -> tuple[bool, int]:
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        return await _signal_after_many_jobs(scheduler)

    seen, ran = asyncio.run(main())
    assert not seen and ran == JOBS
