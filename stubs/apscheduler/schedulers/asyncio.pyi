import asyncio
from datetime import tzinfo
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

class AsyncIOScheduler(BaseScheduler):
    def __init__(
        self,
        gconfig: dict[str, Any] = ...,
        *,
        event_loop: asyncio.AbstractEventLoop | None = None,
        timezone: tzinfo | str | None = None,
        **options: Any,
    ) -> None: ...
    # what `crawler.wakeups.LoopScheduler` overrides or calls
    _eventloop: asyncio.AbstractEventLoop | None
    def wakeup(self) -> None: ...
    def _start_timer(self, wait_seconds: float | None) -> None: ...
    def _stop_timer(self) -> None: ...
