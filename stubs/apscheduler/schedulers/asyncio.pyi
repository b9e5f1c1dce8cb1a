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
