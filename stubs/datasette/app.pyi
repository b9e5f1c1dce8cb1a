from collections.abc import Sequence
from typing import Any

class Datasette:
    def __init__(
        self,
        files: Sequence[str] | None = None,
        immutables: Sequence[str] | None = None,
        *,
        cors: bool = False,
        metadata: dict[str, Any] | None = None,
        settings: dict[str, Any] | None = None,
        **options: Any,
    ) -> None: ...
    # The ASGI application.
    def app(self) -> Any: ...
