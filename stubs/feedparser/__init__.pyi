# feedparser 6: the parse entry point and the dict it answers with.
from typing import Any

class FeedParserDict(dict[str, Any]):
    # Keys read as attributes too (`result.entries`, `result.feed`).
    def __getattr__(self, key: str) -> Any: ...

def parse(
    url_file_stream_or_string: Any,
    etag: str | None = None,
    modified: str | None = None,
    agent: str | None = None,
    referrer: str | None = None,
    handlers: list[Any] | None = None,
    request_headers: dict[str, str] | None = None,
    response_headers: dict[str, str] | None = None,
    resolve_relative_uris: bool | None = None,
    sanitize_html: bool | None = None,
) -> FeedParserDict: ...
