from typing import Any

class Base400(Exception):
    status: int

class NotFound(Base400): ...
class Forbidden(Base400): ...
class BadRequest(Base400): ...

class Response:
    body: str | bytes | None
    status: int
    headers: dict[str, str]
    content_type: str
    def __init__(
        self,
        body: str | bytes | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain",
    ) -> None: ...
    @classmethod
    def html(
        cls, body: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response: ...
    @classmethod
    def text(
        cls, body: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response: ...
    @classmethod
    def json(
        cls,
        body: Any,
        status: int = 200,
        headers: dict[str, str] | None = None,
        default: Any = None,
    ) -> Response: ...
    @classmethod
    def redirect(
        cls, path: str, status: int = 302, headers: dict[str, str] | None = None
    ) -> Response: ...
